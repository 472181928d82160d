/* Mean squared error and the NCHW <-> CNHW boundary copies. */
#include "nn/layers.h"

#include <string.h>

float
sw_mse_forward (size_t n, const float *pred, const float *target)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) pred[i] - target[i];
      s += d * d;
    }
  return (float) (s / n);
}

void
sw_mse_backward (size_t n, const float *pred, const float *target, float scale, float *dpred)
{
  float k = 2.0f * scale / n;
  for (size_t i = 0; i < n; i++)
    dpred[i] += k * (pred[i] - target[i]);
}

void
sw_nchw_to_cnhw (int N, int C, int HW, const float *inp, float *out)
{
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++)
      memcpy (out + ((size_t) c * N + n) * HW, inp + ((size_t) n * C + c) * HW,
              sizeof (float) * HW);
}

void
sw_cnhw_to_nchw (int N, int C, int HW, const float *inp, float *out)
{
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++)
      memcpy (out + ((size_t) n * C + c) * HW, inp + ((size_t) c * N + n) * HW,
              sizeof (float) * HW);
}
