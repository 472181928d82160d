/* Noising the conditioning image at a drawn level. */
#include "diffusion/noise-augment.h"

#include <math.h>

void
sw_noise_augment (size_t n, const float *x, const double *alpha_bar, int s, SwRng *rng,
                  float *out)
{
  const float a = s > 0 ? (float) sqrt (alpha_bar[s]) : 1.0f;
  const float b = s > 0 ? (float) sqrt (1.0 - alpha_bar[s]) : 0.0f;
  for (size_t j = 0; j < n; j++)
    {
      const float eps = sw_rng_normal (rng);
      out[j] = s > 0 ? a * x[j] + b * eps : x[j];
    }
}

void
sw_noise_augment_batch (int N, size_t img, const float *x, const double *alpha_bar, int s_max,
                        SwRng *rng, float *levels, float *out)
{
  for (int i = 0; i < N; i++)
    {
      const int s = (int) sw_rng_below (rng, (uint32_t) s_max + 1);
      levels[i] = (float) s;
      sw_noise_augment (img, x + i * img, alpha_bar, s, rng, out + i * img);
    }
}
