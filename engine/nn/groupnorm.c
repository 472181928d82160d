/* GroupNorm (Wu & He 2018) over (C, N, H, W): the statistics of each
 * sample's group of C/G channels, so a sample's output never depends on
 * the rest of the batch, unlike BatchNorm's. */
#include "nn/layers-adm.h"
#include "nn/sums.h"
#include "base/error.h"
#include "base/parallel.h"

#include <math.h>

gboolean
sw_groupnorm_check (int C, int G, GError **error)
{
  SW_CHECK (C >= 1 && G >= 1 && C % G == 0,
            "GroupNorm of %d channels in %d groups: the groups must divide the channels; "
            "accepted: a group count that divides %d", C, G, C);
  return TRUE;
}

void
sw_groupnorm_forward (int C, int N, int HW, int G, const float *inp,
                      const float *gamma, const float *beta,
                      float *mean, float *rstd, float *out)
{
  const int cg = C / G;
  const double count = (double) cg * HW;
  /* each (n, g) is cg runs of HW values, one per channel */
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values ((size_t) C * N * HW))
  for (int ng = 0; ng < N * G; ng++)
    {
      const int n = ng / G, g = ng % G;
      double s = 0.0, unused;
      for (int c = g * cg; c < (g + 1) * cg; c++)
        {
          double s1;
          const float *x = inp + ((size_t) c * N + n) * HW;
          sw_sums (x, 0.0f, x, 0.0f, HW, &s1, &unused);
          s += s1;
        }
      const float m = (float) (s / count);
      double ss = 0.0;
      for (int c = g * cg; c < (g + 1) * cg; c++)
        {
          double s1, s2;
          const float *x = inp + ((size_t) c * N + n) * HW;
          sw_sums (x, m, x, m, HW, &s1, &s2);
          ss += s2;
        }
      const float r = (float) (1.0 / sqrt (ss / count + SW_GN_EPS));
      mean[ng] = m;
      rstd[ng] = r;
      for (int c = g * cg; c < (g + 1) * cg; c++)
        {
          const float a = gamma[c] * r, b = beta[c] - m * a;
          const float *x = inp + ((size_t) c * N + n) * HW;
          float *y = out + ((size_t) c * N + n) * HW;
          for (int i = 0; i < HW; i++)
            y[i] = a * x[i] + b;
        }
    }
}

void
sw_groupnorm_backward (int C, int N, int HW, int G, const float *inp,
                       const float *gamma, const float *mean, const float *rstd,
                       const float *dout, float *dinp, float *dgamma, float *dbeta)
{
  const int cg = C / G;
  /* dgamma[c] = sum dy * xhat, dbeta[c] = sum dy, over the batch */
  const bool team = sw_parallel_pays_values ((size_t) C * N * HW);
  if (dgamma || dbeta)
#pragma omp parallel for schedule(static) if (team)
    for (int c = 0; c < C; c++)
      {
        double sg = 0.0, sb = 0.0;
        for (int n = 0; n < N; n++)
          {
            const int ng = n * G + c / cg;
            double s1, s2;
            const float *x = inp + ((size_t) c * N + n) * HW;
            const float *dy = dout + ((size_t) c * N + n) * HW;
            sw_sums (dy, 0.0f, x, mean[ng], HW, &s1, &s2);
            sb += s1;
            sg += s2 * rstd[ng];
          }
        if (dgamma)
          dgamma[c] += (float) sg;
        if (dbeta)
          dbeta[c] += (float) sb;
      }
  if (!dinp)
    return;
  /* with g = gamma * dy, the gradient through the group's statistics:
   * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) over the group */
  const double count = (double) cg * HW;
#pragma omp parallel for schedule(static) if (team)
  for (int ng = 0; ng < N * G; ng++)
    {
      const int n = ng / G, grp = ng % G;
      const float m = mean[ng], r = rstd[ng];
      double a1 = 0.0, a2 = 0.0;
      for (int c = grp * cg; c < (grp + 1) * cg; c++)
        {
          double s1, s2;
          const float *x = inp + ((size_t) c * N + n) * HW;
          const float *dy = dout + ((size_t) c * N + n) * HW;
          sw_sums (dy, 0.0f, x, m, HW, &s1, &s2);
          a1 += gamma[c] * s1;
          a2 += gamma[c] * s2 * r;
        }
      const float mg = (float) (a1 / count), mgx = (float) (a2 / count);
      for (int c = grp * cg; c < (grp + 1) * cg; c++)
        {
          const float *x = inp + ((size_t) c * N + n) * HW;
          const float *dy = dout + ((size_t) c * N + n) * HW;
          float *dx = dinp + ((size_t) c * N + n) * HW;
          const float gc = gamma[c];
          for (int i = 0; i < HW; i++)
            dx[i] += r * (gc * dy[i] - mg - (x[i] - m) * r * mgx);
        }
    }
}
