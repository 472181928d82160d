/* BatchNorm2d over (C, N, H, W), PyTorch semantics (see layers.h). */
#include "layers.h"

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
          /* two passes in double: M reaches 200k and float sums drift */
          double s = 0.0;
          for (int i = 0; i < M; i++)
            s += x[i];
          double m = s / M;
          double ss = 0.0;
          for (int i = 0; i < M; i++)
            {
              double d = x[i] - m;
              ss += d * d;
            }
          mu = (float) m;
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
      double sum_dy = 0.0, sum_dy_xhat = 0.0;
      for (int i = 0; i < M; i++)
        {
          sum_dy += dy[i];
          sum_dy_xhat += dy[i] * (x[i] - mu) * r;
        }
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
