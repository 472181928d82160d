/* sums.h: the sums of a channel's values (BatchNorm's moments, bias and
 * FiLM gradients), fast and without drift.
 *
 * Value by value into one accumulator, such a sum is one add every 4
 * cycles (GCC may not reorder float adds), and it was most of BatchNorm's
 * time and a few percent of a training step in the bias gradients.  Here
 * each block of values is summed in independent float accumulators, which
 * GCC vectorises, and the blocks are added in double, so the sums do not
 * drift over the 200k values of a channel. */
#pragma once

/* *s1 = sum of (u[i] - su), *s2 = sum of (u[i] - su)(v[i] - sv), i < n */
void sw_sums (const float *u, float su, const float *v, float sv, int n,
              double *s1, double *s2);
