/* Blocked sums of a channel's values (see sums.h). */
#include "nn/sums.h"
#include "base/simd.h"

#define LANES 32    /* float accumulators a block is summed in */
#define BLOCK 2048  /* values a block holds */

SW_VECTOR_CLONES void
sw_sums (const float *restrict u, float su, const float *restrict v, float sv, int n,
         double *s1, double *s2)
{
  double t1 = 0.0, t2 = 0.0;
  for (int i0 = 0; i0 < n; i0 += BLOCK)
    {
      const int end = n - i0 < BLOCK ? n : i0 + BLOCK;
      float a[LANES] = { 0 }, b[LANES] = { 0 };
      int i = i0;
      for (; i + LANES <= end; i += LANES)
        for (int l = 0; l < LANES; l++)
          {
            const float du = u[i + l] - su;
            a[l] += du;
            b[l] += du * (v[i + l] - sv);
          }
      for (; i < end; i++)
        {
          const double du = u[i] - su;
          t1 += du;
          t2 += du * (v[i] - sv);
        }
      for (int l = 0; l < LANES; l++)
        {
          t1 += a[l];
          t2 += b[l];
        }
    }
  *s1 = t1;
  *s2 = t2;
}
