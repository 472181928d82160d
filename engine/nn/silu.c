/* SiLU (swish): x * sigmoid(x), ADM's activation. */
#include "nn/layers-adm.h"

#include <math.h>

void
sw_silu_forward (size_t n, const float *inp, float *out)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    out[i] = inp[i] / (1.0f + expf (-inp[i]));
}

void
sw_silu_backward (size_t n, const float *inp, const float *dout, float *dinp)
{
  /* d/dx x s(x) = s + x s (1 - s) */
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    {
      const float s = 1.0f / (1.0f + expf (-inp[i]));
      dinp[i] += dout[i] * s * (1.0f + inp[i] * (1.0f - s));
    }
}
