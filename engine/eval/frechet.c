/* Feature statistics, a cyclic Jacobi eigensolver and the Fréchet distance. */
#include "eval/frechet.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* rows centred and multiplied at a time: bounds the double copy */
#define STATS_BLOCK 512
/* Jacobi converges quadratically; a few dozen sweeps is already absurd */
#define MAX_SWEEPS 60

void
sw_feature_stats (const float *feats, int n, int d, double *mean, double *cov)
{
  memset (mean, 0, sizeof (double) * d);
  memset (cov, 0, sizeof (double) * d * d);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < d; j++)
      mean[j] += feats[(size_t) i * d + j];
  for (int j = 0; j < d; j++)
    mean[j] /= n;

  /* sum of centred outer products, in double so that large n loses nothing */
  g_autofree double *block = g_new (double, (size_t) STATS_BLOCK * d);
  for (int i0 = 0; i0 < n; i0 += STATS_BLOCK)
    {
      int rows = MIN (STATS_BLOCK, n - i0);
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < d; j++)
          block[(size_t) i * d + j] = feats[(size_t) (i0 + i) * d + j] - mean[j];
      /* upper triangle of cov += block^T block */
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, d, rows, 1.0, block, d,
                   1.0, cov, d);
    }
  const double scale = n > 1 ? 1.0 / (n - 1) : 0.0;
  for (int j = 0; j < d; j++)
    for (int k = j; k < d; k++)
      {
        const double v = cov[(size_t) j * d + k] * scale;
        cov[(size_t) j * d + k] = cov[(size_t) k * d + j] = v;
      }
}

int
sw_sym_eigen (int d, double *a, double *eigvals, double *eigvecs)
{
  double *u = eigvecs;
  if (u)
    {
      memset (u, 0, sizeof (double) * d * d);
      for (int i = 0; i < d; i++)
        u[(size_t) i * d + i] = 1.0;
    }
  double norm = 0.0;
  for (size_t i = 0; i < (size_t) d * d; i++)
    norm += a[i] * a[i];

  int sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++)
    {
      double off = 0.0;
      for (int p = 0; p < d; p++)
        for (int q = p + 1; q < d; q++)
          off += 2.0 * a[(size_t) p * d + q] * a[(size_t) p * d + q];
      if (off <= 1e-24 * norm)
        break;
      for (int p = 0; p < d; p++)
        for (int q = p + 1; q < d; q++)
          {
            double *ap = a + (size_t) p * d, *aq = a + (size_t) q * d;
            const double apq = ap[q];
            if (apq == 0.0)
              continue;
            /* the rotation by angle phi in the (p, q) plane that zeroes
             * a[p][q]: cot(2 phi) = theta, t = tan(phi), the smaller root,
             * written so that neither theta^2 nor the subtraction loses
             * precision (Rutishauser) */
            const double theta = (aq[q] - ap[p]) / (2.0 * apq);
            const double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs (theta) + hypot (theta, 1.0));
            const double c = 1.0 / sqrt (t * t + 1.0), s = t * c;
            /* rows p and q of J^T A J; the columns follow by symmetry, so
             * the matrix is only ever walked along rows */
            for (int k = 0; k < d; k++)
              {
                if (k == p || k == q)
                  continue;
                const double x = ap[k], y = aq[k];
                ap[k] = a[(size_t) k * d + p] = c * x - s * y;
                aq[k] = a[(size_t) k * d + q] = s * x + c * y;
              }
            ap[p] -= t * apq;
            aq[q] += t * apq;
            ap[q] = aq[p] = 0.0;
            if (u)  /* rows of u are the columns of the accumulated rotation */
              {
                double *up = u + (size_t) p * d, *uq = u + (size_t) q * d;
                for (int k = 0; k < d; k++)
                  {
                    const double x = up[k], y = uq[k];
                    up[k] = c * x - s * y;
                    uq[k] = s * x + c * y;
                  }
              }
          }
    }
  for (int i = 0; i < d; i++)
    eigvals[i] = a[(size_t) i * d + i];
  return sweep;
}

double
sw_frechet_distance (const double *mu1, const double *cov1,
                     const double *mu2, const double *cov2, int d)
{
  const size_t dd = (size_t) d * d;
  g_autofree double *a = g_memdup2 (cov1, sizeof (double) * dd);
  g_autofree double *u = g_new (double, dd);
  g_autofree double *w = g_new (double, d);
  g_autofree double *s = g_new (double, dd);
  g_autofree double *t = g_new (double, dd);

  /* sqrt(C1) = U^T diag(sqrt(w)) U; rounding can leave eigenvalues of a
   * singular covariance slightly negative, which are zero */
  sw_sym_eigen (d, a, w, u);
  for (int i = 0; i < d; i++)
    {
      const double r = sqrt (MAX (w[i], 0.0));
      for (int k = 0; k < d; k++)
        t[(size_t) i * d + k] = r * u[(size_t) i * d + k];
    }
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, d, d, d, 1.0, u, d, t, d, 0.0, s, d);

  /* M = sqrt(C1) C2 sqrt(C1), made exactly symmetric for the solver */
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, s, d, cov2, d, 0.0, t, d);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0, t, d, s, d, 0.0, a, d);
  for (int i = 0; i < d; i++)
    for (int k = i + 1; k < d; k++)
      a[(size_t) i * d + k] = a[(size_t) k * d + i]
        = 0.5 * (a[(size_t) i * d + k] + a[(size_t) k * d + i]);
  sw_sym_eigen (d, a, w, NULL);

  double dist = 0.0;
  for (int i = 0; i < d; i++)
    {
      const double dm = mu1[i] - mu2[i];
      dist += dm * dm + cov1[(size_t) i * d + i] + cov2[(size_t) i * d + i]
              - 2.0 * sqrt (MAX (w[i], 0.0));
    }
  return dist;
}
