/* Pointwise (1x1) convolution: on a (C, M) feature map a plain GEMM,
 * without im2col.  Forward and the input gradient split the columns over
 * the threads, the weight gradient its rows: no two threads write the same
 * value, and no reduction is needed. */
#include "nn/layers-adm.h"
#include "base/parallel.h"
#include "nn/sums.h"

#include <cblas.h>

void
sw_pointwise_forward (int cin, int cout, size_t M, const float *inp,
                      const float *weight, const float *bias, float *out)
{
#pragma omp parallel if (sw_parallel_pays (2.0 * cin * cout * (double) M))
  {
    size_t begin, end;
    sw_split (M, sw_team_member (), sw_team_size (), &begin, &end);
    if (end > begin)
      {
        const int cols = (int) (end - begin);
        for (int o = 0; o < cout; o++)
          for (size_t i = begin; i < end; i++)
            out[o * M + i] = bias ? bias[o] : 0.0f;
        /* out[:, cols] += W[Cout, Cin] x inp[Cin, cols] */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, cols, cin,
                     1.0f, weight, cin, inp + begin, (int) M, 1.0f, out + begin, (int) M);
      }
  }
}

void
sw_pointwise_backward (int cin, int cout, size_t M, const float *inp,
                       const float *weight, const float *dout,
                       float *dinp, float *dweight, float *dbias)
{
#pragma omp parallel if (sw_parallel_pays (2.0 * cin * cout * (double) M))
  {
    const int T = sw_team_size (), tid = sw_team_member ();
    size_t begin, end;
    if (dbias)
#pragma omp for
      for (int o = 0; o < cout; o++)
        {
          double s, unused;
          sw_sums (dout + o * M, 0.0f, dout + o * M, 0.0f, (int) M, &s, &unused);
          dbias[o] += (float) s;
        }
    if (dweight)
      {
        /* my rows of dW[Cout, Cin] += dout[rows, M] x inp[Cin, M]^T */
        sw_split (cout, tid, T, &begin, &end);
        if (end > begin)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) (end - begin), cin, (int) M,
                       1.0f, dout + begin * M, (int) M, inp, (int) M,
                       1.0f, dweight + begin * cin, cin);
      }
    if (dinp)
      {
        /* my columns of dinp[Cin, M] += W^T x dout */
        sw_split (M, tid, T, &begin, &end);
        if (end > begin)
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, cin, (int) (end - begin), cout,
                       1.0f, weight, cin, dout + begin, (int) M, 1.0f, dinp + begin, (int) M);
      }
  }
}
