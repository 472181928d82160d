/* winograd.h: the 3x3, stride-1, pad-1 convolution by Winograd's minimal
 * filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016).
 *
 * Each 2x2 block of output pixels ("tile") reads a 4x4 block of input; in
 * the transformed space the 3x3 correlation becomes 16 elementwise
 * products, summed over input channels — 16 GEMMs of (Cout x Cin) by
 * (Cin x tiles).  That is 16 multiplies per 4 outputs where im2col's GEMM
 * does 36, and the transforms copy 4 floats per input pixel where im2col
 * copies 9.  Most of the UNet's work is such convolutions, at 32x32.
 *
 *   U = G g G^T (weights), V = B^T d B (input tiles), M[k] = U[k] V[k],
 *   y = A^T M A (output tiles).
 * The weight gradient runs the same transforms backwards:
 *   dM = A dy A^T, dU[k] = sum over tiles of dM[k] V[k]^T, dg = G^T dU G:
 * 16 GEMMs whose long side is the tiles, 16 multiplies per 4 pixels where
 * im2col's does 36.
 *
 * Layout as layers.h: images (C, N, H, W), any H and W (the edge tiles
 * are cut to the image).  Splits the tiles over the cores like the rest of
 * the engine (parallel.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "layers.h"

/* Whether the convolution (its input gradient when ADJOINT) is one this
 * file computes (k 3, stride 1, pad 1) and faster here than by im2col: at
 * least 8 channels into the GEMMs and 128 tiles.  Best of three on 2 Zen
 * cores, against im2col: 64 channels of 64 32x32 images 29.5 ms / 44.5 ms,
 * of two 16x16 images (128 tiles) 0.28 / 0.38 ms, of one (64 tiles)
 * 0.30 / 0.21 ms; 3 channels into 64 at 32x32 8.9 / 4.8 ms. */
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
