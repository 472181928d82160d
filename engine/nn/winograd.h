/* winograd.h: the 3x3, stride-1, pad-1 convolution by Winograd's minimal
 * filtering F(4x4, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016; their matrices, interpolation points 0, +-1,
 * +-2).
 *
 * Each 4x4 block of output pixels ("tile") reads a 6x6 block of input; in
 * the transformed space the 3x3 correlation becomes 36 elementwise
 * products, summed over input channels: 36 GEMMs of (Cout x Cin) by
 * (Cin x tiles).  That is 2.25 multiplies per output where im2col's GEMM
 * does 9 (F(2x2, 3x3), which this replaced, did 4), and the transforms
 * write 2.25 floats per input pixel where im2col copies 9.  Most of the
 * UNet's work is such convolutions, at 32x32.
 *
 *   U = G g G^T (weights), V = B^T d B (input tiles), M[k] = U[k] V[k],
 *   y = A^T M A (output tiles).
 * The weight gradient runs the same transforms backwards:
 *   dM = A dy A^T, dU[k] = sum over tiles of dM[k] V[k]^T, dg = G^T dU G:
 * 36 GEMMs whose long side is the tiles.
 *
 * The price is float rounding: the transforms' coefficients (up to 8, and
 * 1/24) lose about 5e-5 of an output's size at 64 channels, where im2col
 * and F(2x2, 3x3) lost under 1e-5 — far below what training notices.
 *
 * Layout as layers.h: images (C, N, H, W), any H and W (the edge tiles
 * are cut to the image).  Splits the tiles over the cores like the rest of
 * the engine (parallel.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "nn/layers.h"

/* Whether the convolution (its input gradient when ADJOINT) is one this
 * file computes (k 3, stride 1, pad 1) and faster here than by im2col: at
 * least 8 channels into the GEMMs and 32 tiles, and for images 8 pixels
 * wide or less (runs of 2 tiles), 128 channels or 128 tiles, except at 4
 * wide (one tile across, whose transforms have a constant-size copy,
 * winograd.c's NARROW).  Forward, best of 30 on 2 Zen cores, against
 * im2col: 64 channels of two 32x32 images 0.83 / 1.59 ms, of two 16x16
 * (32 tiles) 0.31 / 0.49 ms, of eight 8x8 (32 tiles) 0.68 / 0.61 ms; 128
 * channels of eight 8x8 1.12 / 1.65 ms, of four (16 tiles) 0.78 / 0.82
 * ms; 64 into 3 at 32x32 0.32 / 0.94 ms.
 * The stage I net's batch-32 training step, whose 8x8 maps of 64 channels
 * make 128 tiles, took 8% less with them here (one thread, CPU time), and
 * 4% less again with its 4x4 maps (32 tiles) here too. */
bool   sw_winograd_pays (const SwConvGeom *g, int N, int H, int W, bool adjoint);

/* scratch floats sw_winograd_conv3x3 needs for these channels and width */
size_t sw_winograd_work_floats (int cin, int cout, int W);

/* out (Cout, N, H, W) = conv3x3(inp (Cin, N, H, W)) + bias (Cout, or NULL),
 * or added to out when ACCUMULATE.
 * Not ADJOINT: weight is Conv2d's (Cout, Cin, 3, 3).
 * ADJOINT: weight is that of a Conv2d from Cout to Cin channels, read as
 * (Cin, Cout, 3, 3), and the convolution applied is its transpose (each
 * kernel turned 180 degrees): with inp the gradient of that layer's output
 * and ACCUMULATE, this adds the gradient of its input. */
void   sw_winograd_conv3x3 (int cin, int cout, int N, int H, int W,
                            const float *inp, const float *weight, bool adjoint,
                            const float *bias, bool accumulate, float *out, float *work);

/* dweight (Cout, Cin, 3, 3) += the gradient of the loss with respect to
 * Conv2d's weight, from its input inp (Cin, N, H, W) and the gradient of
 * its output dout (Cout, N, H, W). */
void   sw_winograd_conv3x3_weight_grad (int cin, int cout, int N, int H, int W,
                                        const float *inp, const float *dout, float *dweight,
                                        float *work);
