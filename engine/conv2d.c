/* Conv2d as im2col + one GEMM per chunk of images (see layers.h for layout). */
#include "layers.h"
#include "im2col.h"

#include <cblas.h>
#include <string.h>

int
sw_conv_out_size (int in, int k, int stride, int pad)
{
  return (in + 2 * pad - k) / stride + 1;
}

static SwIm2col
unfold_geom (const SwConvGeom *g, int N, int H, int W)
{
  return (SwIm2col) {
    .C = g->cin, .N = N, .H = H, .W = W,
    .k = g->k, .stride = g->stride, .pad = g->pad,
    .Ho = sw_conv_out_size (H, g->k, g->stride, g->pad),
    .Wo = sw_conv_out_size (W, g->k, g->stride, g->pad),
  };
}

size_t
sw_conv2d_work_floats (const SwConvGeom *g, int N, int H, int W)
{
  SwIm2col u = unfold_geom (g, N, H, W);
  return (size_t) g->cin * g->k * g->k * sw_im2col_chunk (&u) * u.Ho * u.Wo;
}

void
sw_conv2d_forward (const SwConvGeom *g, int N, int H, int W,
                   const float *inp, const float *weight, const float *bias,
                   float *out, float *work)
{
  /* inp (Cin, N, H, W), weight (Cout, K = Cin*k*k), out (Cout, N, Ho, Wo) */
  SwIm2col u = unfold_geom (g, N, H, W);
  const int K = g->cin * g->k * g->k;
  const int HoWo = u.Ho * u.Wo;
  const int ldo = N * HoWo;
  const int chunk = sw_im2col_chunk (&u);

  for (int n0 = 0; n0 < N; n0 += chunk)
    {
      int nb = N - n0 < chunk ? N - n0 : chunk;
      sw_im2col (&u, n0, nb, inp, work);
      /* out[:, n0 chunk] = W[Cout, K] x col[K, nb*HoWo] */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                   g->cout, nb * HoWo, K, 1.0f, weight, K, work, nb * HoWo,
                   0.0f, out + (size_t) n0 * HoWo, ldo);
    }
  if (bias)
    for (int co = 0; co < g->cout; co++)
      {
        float *o = out + (size_t) co * ldo;
        for (int i = 0; i < ldo; i++)
          o[i] += bias[co];
      }
}

void
sw_conv2d_backward (const SwConvGeom *g, int N, int H, int W,
                    const float *inp, const float *weight, const float *dout,
                    float *dinp, float *dweight, float *dbias, float *work)
{
  SwIm2col u = unfold_geom (g, N, H, W);
  const int K = g->cin * g->k * g->k;
  const int HoWo = u.Ho * u.Wo;
  const int ldo = N * HoWo;
  const int chunk = sw_im2col_chunk (&u);

  if (dbias)
    for (int co = 0; co < g->cout; co++)
      {
        const float *d = dout + (size_t) co * ldo;
        float s = 0.0f;
        for (int i = 0; i < ldo; i++)
          s += d[i];
        dbias[co] += s;
      }

  for (int n0 = 0; n0 < N; n0 += chunk)
    {
      int nb = N - n0 < chunk ? N - n0 : chunk;
      int cols = nb * HoWo;
      const float *dchunk = dout + (size_t) n0 * HoWo;
      if (dweight)
        {
          /* dW[Cout, K] += dout[Cout, cols] x col[K, cols]^T */
          sw_im2col (&u, n0, nb, inp, work);
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                       g->cout, K, cols, 1.0f, dchunk, ldo, work, cols,
                       1.0f, dweight, K);
        }
      if (dinp)
        {
          /* dcol[K, cols] = W[Cout, K]^T x dout[Cout, cols], folded back */
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                       K, cols, g->cout, 1.0f, weight, K, dchunk, ldo,
                       0.0f, work, cols);
          sw_col2im_add (&u, n0, nb, work, dinp);
        }
    }
}
