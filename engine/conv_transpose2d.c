/* ConvTranspose2d is the adjoint of Conv2d: the forward pass is a GEMM
 * followed by col2im, the input gradient is im2col followed by a GEMM. */
#include "layers.h"
#include "im2col.h"

#include <cblas.h>
#include <string.h>

int
sw_conv_transpose_out_size (int in, int k, int stride, int pad)
{
  return (in - 1) * stride - 2 * pad + k;
}

/* The columns live on the input grid (H, W); the image is the output. */
static SwIm2col
fold_geom (const SwConvGeom *g, int N, int H, int W)
{
  return (SwIm2col) {
    .C = g->cout, .N = N,
    .H = sw_conv_transpose_out_size (H, g->k, g->stride, g->pad),
    .W = sw_conv_transpose_out_size (W, g->k, g->stride, g->pad),
    .k = g->k, .stride = g->stride, .pad = g->pad,
    .Ho = H, .Wo = W,
  };
}

size_t
sw_conv_transpose2d_work_floats (const SwConvGeom *g, int N, int H, int W)
{
  SwIm2col f = fold_geom (g, N, H, W);
  return (size_t) g->cout * g->k * g->k * sw_im2col_chunk (&f) * H * W;
}

void
sw_conv_transpose2d_forward (const SwConvGeom *g, int N, int H, int W,
                             const float *inp, const float *weight, const float *bias,
                             float *out, float *work)
{
  /* inp (Cin, N, H, W), weight (Cin, Kc = Cout*k*k), out (Cout, N, Ho, Wo) */
  SwIm2col f = fold_geom (g, N, H, W);
  const int Kc = g->cout * g->k * g->k;
  const int HW = H * W;
  const int ldi = N * HW;
  const size_t out_plane = (size_t) f.H * f.W;
  const int chunk = sw_im2col_chunk (&f);

  memset (out, 0, sizeof (float) * g->cout * N * out_plane);
  for (int n0 = 0; n0 < N; n0 += chunk)
    {
      int nb = N - n0 < chunk ? N - n0 : chunk;
      /* col[Kc, nb*HW] = W[Cin, Kc]^T x inp[Cin, nb*HW] */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                   Kc, nb * HW, g->cin, 1.0f, weight, Kc,
                   inp + (size_t) n0 * HW, ldi, 0.0f, work, nb * HW);
      sw_col2im_add (&f, n0, nb, work, out);
    }
  if (bias)
    for (int co = 0; co < g->cout; co++)
      {
        float *o = out + (size_t) co * N * out_plane;
        for (size_t i = 0; i < N * out_plane; i++)
          o[i] += bias[co];
      }
}

void
sw_conv_transpose2d_backward (const SwConvGeom *g, int N, int H, int W,
                              const float *inp, const float *weight, const float *dout,
                              float *dinp, float *dweight, float *dbias, float *work)
{
  SwIm2col f = fold_geom (g, N, H, W);
  const int Kc = g->cout * g->k * g->k;
  const int HW = H * W;
  const int ldi = N * HW;
  const size_t out_plane = (size_t) f.H * f.W;
  const int chunk = sw_im2col_chunk (&f);

  if (dbias)
    for (int co = 0; co < g->cout; co++)
      {
        const float *d = dout + (size_t) co * N * out_plane;
        float s = 0.0f;
        for (size_t i = 0; i < N * out_plane; i++)
          s += d[i];
        dbias[co] += s;
      }

  for (int n0 = 0; n0 < N; n0 += chunk)
    {
      int nb = N - n0 < chunk ? N - n0 : chunk;
      int cols = nb * HW;
      sw_im2col (&f, n0, nb, dout, work);  /* dcol[Kc, cols] */
      if (dinp)
        /* dinp[Cin, cols] += W[Cin, Kc] x dcol[Kc, cols] */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                     g->cin, cols, Kc, 1.0f, weight, Kc, work, cols,
                     1.0f, dinp + (size_t) n0 * HW, ldi);
      if (dweight)
        /* dW[Cin, Kc] += inp[Cin, cols] x dcol[Kc, cols]^T */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                     g->cin, Kc, cols, 1.0f, inp + (size_t) n0 * HW, ldi,
                     work, cols, 1.0f, dweight, Kc);
    }
}
