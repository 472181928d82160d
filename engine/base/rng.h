/* rng.h: deterministic random numbers.
 *
 * A PCG32 generator (O'Neill 2014): the same seed gives the same stream on
 * every machine, run and thread count, because nothing here is shared or
 * threaded.  Gaussians use the Box-Muller transform, both outputs used. */
#pragma once

#include <stdint.h>
#include <stddef.h>

typedef struct {
  uint64_t state;
  uint64_t inc;
  int has_spare;   /* Box-Muller makes two normals; the second waits here */
  float spare;
} SwRng;

void     sw_rng_init (SwRng *rng, uint64_t seed, uint64_t stream);
uint32_t sw_rng_u32 (SwRng *rng);
/* uniform in [0, 1) with 24 random bits */
float    sw_rng_uniform (SwRng *rng);
/* uniform integer in [0, n), unbiased */
uint32_t sw_rng_below (SwRng *rng, uint32_t n);
/* standard normal */
float    sw_rng_normal (SwRng *rng);
void     sw_rng_fill_normal (SwRng *rng, float *out, size_t n);
void     sw_rng_fill_uniform (SwRng *rng, float *out, size_t n, float lo, float hi);
/* Fisher-Yates shuffle of idx[0..n) */
void     sw_rng_shuffle (SwRng *rng, int *idx, size_t n);
