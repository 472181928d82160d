/* sr-pairs.h: a super-resolution net's training pairs (the cascade's
 * stage II, issue 24): high-res crops with their low-res crops, and the
 * low-res image brought up to the high-res grid.
 *
 * The low-res image is the high-res one's FACTOR x FACTOR block means in
 * sRGB bytes, halves rounded up: what emoji16 holds for emoji64
 * (stepwise-cli emoji-dataset), so a stage II trainer makes it from the
 * images it trains on, whatever subset (--limit, --base-emoji) they are.
 * A crop starts on the FACTOR-px grid and its side is a multiple of
 * FACTOR, so its low-res crop is exactly the block means of the high-res
 * crop.
 *
 * Images are (N, C, H, W) planes in [0, 1], as the datasets'. */
#pragma once

#include <stddef.h>

#include "base/rng.h"

/* LO (planes, S / factor, S / factor) the block means of HI (planes, S,
 * S), each rounded to a byte as emoji16's are */
void sw_sr_block_means (size_t planes, int S, int factor, const float *hi, float *lo);

/* LO (planes, S / factor, S / factor) the block means of HI (planes, S,
 * S) as they are, unrounded: area downsampling of any float image (the
 * cascade's input image and mask, at stage I's side) */
void sw_sr_area_downsample (size_t planes, int S, int factor, const float *hi, float *lo);
/* LO (planes, S / factor, S / factor) the largest value of each block of
 * HI (planes, S, S): a mask's downsampling, so that a block any part of
 * which is masked is regenerated whole (with the block's mean a stroke
 * one pixel wide would weigh 1/16 at a factor of 4, and inpainting would
 * mostly put the original back under it) */
void sw_sr_block_max (size_t planes, int S, int factor, const float *hi, float *lo);

/* For i < N, image IDX[i] of HI (C, S, S each) and of LO (C, S / factor,
 * S / factor each, HI's block means): a CROP x CROP window of HI at a
 * position drawn from RNG on the FACTOR-px grid into HI_CROP (N, C, CROP,
 * CROP), and the window over the same pixels of LO into LO_CROP (N, C,
 * CROP / factor, CROP / factor).  CROP a multiple of FACTOR, at most S;
 * CROP = S gives the whole images and draws nothing. */
void sw_sr_draw_crops (const float *hi, const float *lo, int C, int S, int factor, int crop,
                       int N, const int *idx, SwRng *rng, float *hi_crop, float *lo_crop);

/* UP (planes, s * factor, s * factor) from LO (planes, s, s), each pixel
 * its block's value: nearest-neighbour upsampling, the conditioning image
 * a stage II net reads, in training (a crop) and sampling (the whole
 * image) alike.
 *
 * Nearest rather than bilinear: a crop on the FACTOR-px grid of the
 * upsampled whole image is then exactly the upsampled crop, so a net
 * trained on crops reads at sampling, over the whole image, the very
 * conditioning it was trained on.  Bilinear would differ along each
 * crop's border, where half a block's interpolation reads pixels outside
 * the crop.  The blocks' hard edges are no loss: the net's first 3x3
 * conv can smooth them itself, and every low-res value reaches it
 * exactly. */
void sw_sr_upsample (size_t planes, int s, int factor, const float *lo, float *up);
