/* bicubic.h: bicubic upsampling, the classical baseline a super-resolution
 * model (the cascade's stage II) must beat (stepwise-cli eval-sr).
 *
 * Keys' cubic convolution with a = -0.5, the kernel PIL's and OpenCV's
 * bicubic use (PyTorch's uses a = -0.75, which overshoots edges more).
 * Pixel centres sit half a pixel in (align_corners=False, as PIL and
 * PyTorch): output pixel X reads the low-res grid at (X + 0.5) / factor -
 * 0.5, so the upsampled image covers the same area as the low-res one and
 * is not shifted.  Taps that fall outside the image read its edge pixel
 * (clamping, as PyTorch; PIL instead drops them and renormalises, which
 * differs only in the outer 2 * factor pixels).
 *
 * With a = -0.5 the kernel reproduces polynomials up to degree 2 (Keys
 * 1981), so a linear ramp comes back exactly wherever no tap is clamped. */
#pragma once

#include <stddef.h>

/* UP (planes, s * factor, s * factor) from LO (planes, s, s), each plane
 * upsampled separably (rows, then columns); values are not clamped: the
 * kernel's negative lobes overshoot LO's range a little at sharp edges.
 * s >= 1, factor >= 1; LO and UP do not overlap. */
void sw_bicubic_upsample (size_t planes, int s, int factor, const float *lo, float *up);

/* Keys' kernel with a = -0.5 at distance X (exposed for tests) */
double sw_bicubic_weight (double x);
