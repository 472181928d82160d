/* Global average pooling, the first half of the UNet's Flatten. */
#include "nn/layers.h"

void
sw_avgpool_forward (int C, int N, int HW, const float *inp, float *out)
{
  for (int c = 0; c < C; c++)
    for (int n = 0; n < N; n++)
      {
        const float *x = inp + ((size_t) c * N + n) * HW;
        float s = 0.0f;
        for (int i = 0; i < HW; i++)
          s += x[i];
        out[(size_t) c * N + n] = s / HW;
      }
}

void
sw_avgpool_backward (int C, int N, int HW, const float *dout, float *dinp)
{
  for (int c = 0; c < C; c++)
    for (int n = 0; n < N; n++)
      {
        float g = dout[(size_t) c * N + n] / HW;
        float *dx = dinp + ((size_t) c * N + n) * HW;
        for (int i = 0; i < HW; i++)
          dx[i] += g;
      }
}
