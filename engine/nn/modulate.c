/* FiLM-style conditioning of a feature map by per-sample, per-channel
 * vectors from the FCBlocks: out = scale * inp + shift. */
#include "nn/layers.h"
#include "nn/sums.h"

void
sw_modulate_forward (int C, int N, int HW, const float *inp,
                     const float *scale, const float *shift, float *out)
{
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; c++)
    for (int n = 0; n < N; n++)
      {
        float s = scale ? scale[(size_t) n * C + c] : 1.0f;
        float b = shift ? shift[(size_t) n * C + c] : 0.0f;
        const float *x = inp + ((size_t) c * N + n) * HW;
        float *y = out + ((size_t) c * N + n) * HW;
        for (int i = 0; i < HW; i++)
          y[i] = s * x[i] + b;
      }
}

void
sw_modulate_backward (int C, int N, int HW, const float *inp,
                      const float *scale, const float *dout,
                      float *dinp, float *dscale, float *dshift)
{
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; c++)
    for (int n = 0; n < N; n++)
      {
        float s = scale ? scale[(size_t) n * C + c] : 1.0f;
        const float *x = inp + ((size_t) c * N + n) * HW;
        const float *dy = dout + ((size_t) c * N + n) * HW;
        double sdy, sdx;
        sw_sums (dy, 0.0f, x, 0.0f, HW, &sdy, &sdx);
        if (dscale)
          dscale[(size_t) n * C + c] += (float) sdx;
        if (dshift)
          dshift[(size_t) n * C + c] += (float) sdy;
        if (dinp)
          {
            float *dx = dinp + ((size_t) c * N + n) * HW;
            for (int i = 0; i < HW; i++)
              dx[i] += s * dy[i];
          }
      }
}
