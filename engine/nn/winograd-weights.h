/* winograd-weights.h: what winograd.c and winograd-weights.c share: the
 * transformed planes' layout, and the kernels' transforms a row of output
 * channels at a time, which winograd.c splits over the threads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A tile is 4x4 output pixels; it reads 6x6 input pixels, which the
 * transforms take to 36 values, one per GEMM. */
#define NK 36

/* The 36 transformed planes (of U, V, M) are 36 streams read or written
 * side by side; a whole number of pages apart they would all fall in the
 * same L1 sets and evict each other (with F(2x2, 3x3), that made the
 * forward of two 28x28 images twice as slow).  Each plane starts this many
 * floats (a cache line) further along. */
#define SKEW 16

/* U[k][o][i] = (G g G^T)[k], k < 36, for the kernels g (weight, Cout x Cin
 * x 3 x 3) that take each input channel i to output channel o; with
 * ADJOINT the kernels of the transposed convolution (weight read as Cin x
 * Cout, flipped).  U's planes are Cout x Cin + SKEW floats apart. */
void sw_winograd_transform_weight_row (int cin, int cout, const float *weight, bool adjoint,
                                       int o, float *U);
/* dweight[o][i] += G^T dU[.][o][i] G for output channel o: the kernels'
 * gradient from their transforms' (dU laid out as U) */
void sw_winograd_weight_gradient_row (int cin, int cout, const float *dU, int o,
                                      float *dweight);
