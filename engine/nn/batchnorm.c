/* BatchNorm2d over (C, N, H, W), PyTorch semantics (see layers.h). */
#include "nn/layers.h"
#include "nn/sums.h"

#include <math.h>

void
sw_batchnorm_forward (int C, int M, const float *inp,
                      const float *gamma, const float *beta,
                      float *running_mean, float *running_var, bool training,
                      float momentum, float *mean, float *rstd, float *out)
{
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; c++)
    {
      const float *x = inp + (size_t) c * M;
      float *y = out + (size_t) c * M;
      float mu, var;
      if (training)
        {
          /* two passes: the mean, then the squares about it (less the
           * square of what is left of the mean, from rounding it) */
          double s, ss;
          sw_sums (x, 0.0f, x, 0.0f, M, &s, &ss);
          mu = (float) (s / M);
          sw_sums (x, mu, x, mu, M, &s, &ss);
          ss = fmax (ss - s * s / M, 0.0);
          var = (float) (ss / M);
          float unbiased = M > 1 ? (float) (ss / (M - 1)) : var;
          running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mu;
          running_var[c] = (1.0f - momentum) * running_var[c] + momentum * unbiased;
        }
      else
        {
          mu = running_mean[c];
          var = running_var[c];
        }
      float r = 1.0f / sqrtf (var + SW_BN_EPS);
      mean[c] = mu;
      rstd[c] = r;
      float a = gamma[c] * r;
      float b = beta[c] - mu * a;
      for (int i = 0; i < M; i++)
        y[i] = a * x[i] + b;
    }
}

void
sw_batchnorm_backward (int C, int M, const float *inp, const float *gamma,
                       const float *mean, const float *rstd, bool training,
                       const float *dout, float *dinp, float *dgamma, float *dbeta)
{
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; c++)
    {
      const float *x = inp + (size_t) c * M;
      const float *dy = dout + (size_t) c * M;
      const float mu = mean[c], r = rstd[c];
      double sum_dy, sum_dy_xhat;
      sw_sums (dy, 0.0f, x, mu, M, &sum_dy, &sum_dy_xhat);
      sum_dy_xhat *= r;
      dgamma[c] += (float) sum_dy_xhat;
      dbeta[c] += (float) sum_dy;
      if (!dinp)
        continue;
      float *dx = dinp + (size_t) c * M;
      if (training)
        {
          /* dx = gamma r / M (M dy - sum dy - xhat sum(dy xhat)) */
          float k = gamma[c] * r;
          float m1 = (float) (sum_dy / M);
          float m2 = (float) (sum_dy_xhat / M);
          for (int i = 0; i < M; i++)
            {
              float xhat = (x[i] - mu) * r;
              dx[i] += k * (dy[i] - m1 - xhat * m2);
            }
        }
      else
        {
          float k = gamma[c] * r;
          for (int i = 0; i < M; i++)
            dx[i] += k * dy[i];
        }
    }
}
