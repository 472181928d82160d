/* noise-augment.h: noise conditioning augmentation (docs/math.md 3.2), as
 * the cascades of CDM, Imagen and DeepFloyd IF train their
 * super-resolution stages: the low-res conditioning image is noised on
 * the cosine schedule at a level s, and the net is told s.  Training
 * draws s; sampling picks one, the same way, so this is not train/'s. */
#pragma once

#include <stddef.h>

#include "base/rng.h"

/* OUT (n) = sqrt(ab) X + sqrt(1 - ab) eps, eps ~ N(0, I) drawn from RNG,
 * ab = ALPHA_BAR[S] (the cosine schedule's table, models/cosine-schedule.h)
 * for S >= 1; level 0 is the clean image, OUT = X (the schedule's t = 0
 * still holds 0.6% of noise).  The n normals are drawn at every level, so
 * the stream moves on by the same amount whatever S is.  X in [-1, 1], as
 * the net's x; OUT may be X. */
void sw_noise_augment (size_t n, const float *x, const double *alpha_bar, int s, SwRng *rng,
                       float *out);

/* For each of N images of IMG floats: a level uniform in 0..S_MAX drawn
 * from RNG into LEVELS[i] (as a float, the net's input), then that
 * image noised by sw_noise_augment. */
void sw_noise_augment_batch (int N, size_t img, const float *x, const double *alpha_bar,
                             int s_max, SwRng *rng, float *levels, float *out);
