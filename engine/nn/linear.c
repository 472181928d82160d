/* Linear (fully connected) layer, PyTorch weight layout (Fout, Fin). */
#include "nn/layers.h"

#include <cblas.h>

void
sw_linear_forward (int N, int fin, int fout, const float *inp,
                   const float *weight, const float *bias, float *out)
{
  /* out[N, Fout] = inp[N, Fin] x W[Fout, Fin]^T + b */
  for (int n = 0; n < N; n++)
    for (int o = 0; o < fout; o++)
      out[(size_t) n * fout + o] = bias ? bias[o] : 0.0f;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, fout, fin,
               1.0f, inp, fin, weight, fin, 1.0f, out, fout);
}

void
sw_linear_backward (int N, int fin, int fout, const float *inp,
                    const float *weight, const float *dout,
                    float *dinp, float *dweight, float *dbias)
{
  if (dinp)  /* dinp[N, Fin] += dout[N, Fout] x W[Fout, Fin] */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, fin, fout,
                 1.0f, dout, fout, weight, fin, 1.0f, dinp, fin);
  if (dweight)  /* dW[Fout, Fin] += dout^T x inp */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, fout, fin, N,
                 1.0f, dout, fout, inp, fin, 1.0f, dweight, fin);
  if (dbias)
    for (int n = 0; n < N; n++)
      for (int o = 0; o < fout; o++)
        dbias[o] += dout[(size_t) n * fout + o];
}
