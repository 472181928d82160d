#include "base/rng.h"

#include <math.h>

void
sw_rng_init (SwRng *rng, uint64_t seed, uint64_t stream)
{
  rng->state = 0;
  rng->inc = (stream << 1u) | 1u;
  rng->has_spare = 0;
  rng->spare = 0.0f;
  sw_rng_u32 (rng);
  rng->state += seed;
  sw_rng_u32 (rng);
}

uint32_t
sw_rng_u32 (SwRng *rng)
{
  uint64_t old = rng->state;
  rng->state = old * 6364136223846793005ULL + rng->inc;
  uint32_t xorshifted = (uint32_t) (((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t) (old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

float
sw_rng_uniform (SwRng *rng)
{
  return (float) (sw_rng_u32 (rng) >> 8) * (1.0f / 16777216.0f);
}

uint32_t
sw_rng_below (SwRng *rng, uint32_t n)
{
  /* Lemire-free simple rejection: discard the biased top of the range */
  uint32_t threshold = (uint32_t) (-n) % n;
  for (;;)
    {
      uint32_t r = sw_rng_u32 (rng);
      if (r >= threshold)
        return r % n;
    }
}

float
sw_rng_normal (SwRng *rng)
{
  if (rng->has_spare)
    {
      rng->has_spare = 0;
      return rng->spare;
    }
  /* u1 in (0, 1] so that log never sees 0 */
  double u1 = ((double) (sw_rng_u32 (rng) >> 8) + 1.0) / 16777216.0;
  double u2 = (double) (sw_rng_u32 (rng) >> 8) / 16777216.0;
  double r = sqrt (-2.0 * log (u1));
  double a = 2.0 * M_PI * u2;
  rng->spare = (float) (r * sin (a));
  rng->has_spare = 1;
  return (float) (r * cos (a));
}

void
sw_rng_fill_normal (SwRng *rng, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = sw_rng_normal (rng);
}

void
sw_rng_fill_uniform (SwRng *rng, float *out, size_t n, float lo, float hi)
{
  for (size_t i = 0; i < n; i++)
    out[i] = lo + (hi - lo) * sw_rng_uniform (rng);
}

void
sw_rng_shuffle (SwRng *rng, int *idx, size_t n)
{
  for (size_t i = n; i > 1; i--)
    {
      size_t j = sw_rng_below (rng, (uint32_t) i);
      int tmp = idx[i - 1];
      idx[i - 1] = idx[j];
      idx[j] = tmp;
    }
}
