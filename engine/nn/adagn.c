/* AdaGN (Dhariwal & Nichol 2021): GroupNorm, then each sample's channels
 * scaled by 1 + scale and shifted, both from the conditioning vector.  The
 * "1 +" puts a net whose projection gives 0 at plain GroupNorm. */
#include "nn/layers-adm.h"
#include "base/parallel.h"
#include "nn/sums.h"

#include <string.h>

void
sw_adagn_forward (int C, int N, int HW, int G, const float *inp,
                  const float *gamma, const float *beta, const float *ss,
                  float *mean, float *rstd, float *normed, float *out)
{
  sw_groupnorm_forward (C, N, HW, G, inp, gamma, beta, mean, rstd, normed);
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values ((size_t) C * N * HW))
  for (int c = 0; c < C; c++)
    for (int n = 0; n < N; n++)
      {
        const float s = 1.0f + ss[(size_t) n * 2 * C + c], b = ss[(size_t) n * 2 * C + C + c];
        const float *x = normed + ((size_t) c * N + n) * HW;
        float *y = out + ((size_t) c * N + n) * HW;
        for (int i = 0; i < HW; i++)
          y[i] = s * x[i] + b;
      }
}

void
sw_adagn_backward (int C, int N, int HW, int G, const float *inp,
                   const float *gamma, const float *ss, const float *mean,
                   const float *rstd, const float *normed, const float *dout,
                   float *dinp, float *dgamma, float *dbeta, float *dss, float *work)
{
  /* work (C, N, HW): the gradient of GroupNorm's output */
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values ((size_t) C * N * HW))
  for (int c = 0; c < C; c++)
    for (int n = 0; n < N; n++)
      {
        const float s = 1.0f + ss[(size_t) n * 2 * C + c];
        const float *x = normed + ((size_t) c * N + n) * HW;
        const float *dy = dout + ((size_t) c * N + n) * HW;
        float *dx = work + ((size_t) c * N + n) * HW;
        if (dss)
          {
            double sdy, sdx;
            sw_sums (dy, 0.0f, x, 0.0f, HW, &sdy, &sdx);
            dss[(size_t) n * 2 * C + c] += (float) sdx;
            dss[(size_t) n * 2 * C + C + c] += (float) sdy;
          }
        for (int i = 0; i < HW; i++)
          dx[i] = s * dy[i];
      }
  sw_groupnorm_backward (C, N, HW, G, inp, gamma, mean, rstd, work, dinp, dgamma, dbeta);
}
