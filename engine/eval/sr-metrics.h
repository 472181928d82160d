/* sr-metrics.h: how close a super-resolved image is to the real one, and
 * how sharp it is (stepwise-cli eval-sr, docs/math.md 3.4).
 *
 * Images are (C, H, W) in [0, 1], as the datasets'. */
#pragma once

#include <stddef.h>

/* the PSNR reported for identical images, whose MSE is 0 */
#define SW_PSNR_MAX 100.0

/* the mean squared difference of A and B (N floats each), in double */
double sw_mse (size_t n, const float *a, const float *b);
/* 10 log10 (1 / MSE) in dB, the peak being 1 ([0, 1] pixels); at most
 * SW_PSNR_MAX */
double sw_psnr (double mse);
/* IMG's (C, H, W) mean dx^2 (over its C * H * (W - 1) horizontal
 * neighbours) plus mean dy^2 (over its C * (H - 1) * W vertical ones):
 * the square of its RMS gradient, its edges' strength.  Squared, not
 * |dx| + |dy|: blurring a step edge over k pixels leaves the sum of its
 * |dx| the step's height, so the mean absolute gradient (the total
 * variation) hardly falls under a blur, while the squares' sum falls
 * as 1 / k.  0 for H or W below 2. */
double sw_gradient_energy (int C, int H, int W, const float *img);
