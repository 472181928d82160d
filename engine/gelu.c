/* Exact GELU (PyTorch's default, approximate='none'). */
#include "layers.h"

#include <math.h>

#define SW_SQRT1_2 0.70710678118654752440f
#define SW_INV_SQRT_2PI 0.39894228040143267794f

void
sw_gelu_forward (size_t n, const float *inp, float *out)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      out[i] = 0.5f * x * (1.0f + erff (x * SW_SQRT1_2));
    }
}

void
sw_gelu_backward (size_t n, const float *inp, const float *dout, float *dinp)
{
  /* d/dx x Phi(x) = Phi(x) + x phi(x) */
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      float cdf = 0.5f * (1.0f + erff (x * SW_SQRT1_2));
      float pdf = SW_INV_SQRT_2PI * expf (-0.5f * x * x);
      dinp[i] += dout[i] * (cdf + x * pdf);
    }
}
