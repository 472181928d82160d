/* gaussian-blur.h: torchvision's gaussian_blur on (C, H, W) planes — the
 * Part A blur baseline (docs/math.md 1.2.2) and the low-pass of hybrid images
 * (docs/math.md 1.2.13): a separable kernel exp(-x^2 / 2 sigma^2) for
 * x = -(k-1)/2 .. (k-1)/2, normalised, with reflect padding. */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

/* KERNEL odd, 1..255; SIGMA in (0, 100]; an error says which is out of range */
gboolean sw_gaussian_blur_check (int kernel, float sigma, GError **error);
/* IN, OUT (C, H, W); may be the same buffer */
void     sw_gaussian_blur (int C, int H, int W, int kernel, float sigma, const float *in,
                           float *out);
/* the denoising lab's classical baseline: the write-up's blur of a noisy
 * image, kernel 5 and sigma 1.5, as the window's lab and stepwise-cli
 * blur and figures show it */
#define SW_LAB_BLUR_KERNEL 5
#define SW_LAB_BLUR_SIGMA  1.5f
/* IN, OUT (C, H, W) as sw_gaussian_blur with the lab's kernel and sigma */
void     sw_lab_blur (int C, int H, int W, const float *in, float *out);
/* the write-up's kernel 33, sigma 2 at 64 px, scaled to SIZE px (kernel
 * rounded to an odd number): 28 px -> 15 and 0.875, 32 px -> 17 and 1 */
void     sw_hybrid_kernel_for_size (int size, int *kernel, float *sigma);

G_END_DECLS
