/* The sinusoidal timestep embedding of the Transformer, as ADM's
 * timestep_embedding: cosines then sines of t at geometric frequencies
 * from 1 down to 1/10000, so nearby timesteps get nearby vectors at every
 * scale and the MLP after it can read t at any resolution. */
#include "nn/layers-adm.h"

#include <math.h>

void
sw_timestep_embedding (int N, int dim, const float *t, float *out)
{
  const int half = dim / 2;
  for (int n = 0; n < N; n++)
    for (int i = 0; i < half; i++)
      {
        /* the frequency and the product in double, then rounded: t is up
         * to 1000, where a float product would lose the high frequencies */
        double f = exp (-log (10000.0) * i / half);
        double a = (double) t[n] * f;
        out[(size_t) n * dim + i] = (float) cos (a);
        out[(size_t) n * dim + half + i] = (float) sin (a);
      }
}
