/* ConvTranspose2d is the adjoint of Conv2d: the forward pass is a GEMM
 * followed by col2im (split over output channels, so no two threads add
 * into the same pixel), the input gradient is im2col followed by a GEMM
 * (split over rows). */
#include "nn/layers.h"
#include "nn/im2col.h"
#include "base/parallel.h"
#include "nn/sums.h"

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

static size_t
chunk_floats (const SwIm2col *f)
{
  return sw_im2col_chunk_floats (f);
}

size_t
sw_conv_transpose2d_work_floats (const SwConvGeom *g, int N, int H, int W)
{
  SwIm2col f = fold_geom (g, N, H, W);
  size_t dw = (size_t) g->cin * g->cout * g->k * g->k;
  return (size_t) sw_num_threads () * (chunk_floats (&f) + dw);
}

void
sw_conv_transpose2d_forward (const SwConvGeom *g, int N, int H, int W,
                             const float *inp, const float *weight, const float *bias,
                             float *out, float *work)
{
  /* inp (Cin, N, H, W), weight (Cin, Kc = Cout*k*k), out (Cout, N, Ho, Wo) */
  const SwIm2col f = fold_geom (g, N, H, W);
  const int Kc = g->cout * g->k * g->k, kk = g->k * g->k;
  const size_t ldi = (size_t) N * H * W;
  const size_t plane = (size_t) N * f.H * f.W;
  const size_t rows = (size_t) N * H;
  const size_t stride = chunk_floats (&f) + (size_t) g->cin * Kc;

#pragma omp parallel
  {
    const int T = sw_team_size (), tid = sw_team_member ();
    float *col = work + tid * stride;
    size_t begin, end;
    sw_split (g->cout, tid, T, &begin, &end);
    int c0 = (int) begin, c1 = (int) end;
    if (c1 > c0)
      {
        memset (out + c0 * plane, 0, sizeof (float) * (c1 - c0) * plane);
        size_t per_chunk = sw_im2col_rows_per_chunk (&f, c1 - c0);
        for (size_t r0 = 0; r0 < rows; r0 += per_chunk)
          {
            size_t r1 = r0 + per_chunk < rows ? r0 + per_chunk : rows;
            size_t cols = (r1 - r0) * W;
            /* col[(c1-c0)*kk, cols] = W[Cin, c0*kk..c1*kk]^T x inp[Cin, cols] */
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                         (c1 - c0) * kk, (int) cols, g->cin, 1.0f, weight + c0 * kk, Kc,
                         inp + r0 * W, (int) ldi, 0.0f, col, (int) cols);
            sw_col2im_add (&f, c0, c1, r0, r1, col, out);
          }
        if (bias)
          for (int co = c0; co < c1; co++)
            {
              float *o = out + co * plane;
              for (size_t i = 0; i < plane; i++)
                o[i] += bias[co];
            }
      }
  }
}

void
sw_conv_transpose2d_backward (const SwConvGeom *g, int N, int H, int W,
                              const float *inp, const float *weight, const float *dout,
                              float *dinp, float *dweight, float *dbias, float *work)
{
  const SwIm2col f = fold_geom (g, N, H, W);
  const int Kc = g->cout * g->k * g->k;
  const size_t ldi = (size_t) N * H * W;
  const size_t plane = (size_t) N * f.H * f.W;
  const size_t rows = (size_t) N * H;
  const size_t dw_floats = (size_t) g->cin * Kc;
  const size_t stride = chunk_floats (&f) + dw_floats;
  const size_t per_chunk = sw_im2col_rows_per_chunk (&f, g->cout);

#pragma omp parallel
  {
    const int T = sw_team_size (), tid = sw_team_member ();
    float *col = work + tid * stride;
    float *dw = col + chunk_floats (&f);
    size_t begin, end;

    if (dbias)
#pragma omp for
      for (int co = 0; co < g->cout; co++)
        {
          const float *d = dout + co * plane;
          double s, unused;
          sw_sums (d, 0.0f, d, 0.0f, (int) plane, &s, &unused);
          dbias[co] += (float) s;
        }

    if (dweight)
      memset (dw, 0, sizeof (float) * dw_floats);
    sw_split (rows, tid, T, &begin, &end);
    for (size_t r0 = begin; r0 < end; r0 += per_chunk)
      {
        size_t r1 = r0 + per_chunk < end ? r0 + per_chunk : end;
        size_t cols = (r1 - r0) * W;
        sw_im2col (&f, 0, g->cout, r0, r1, dout, col);  /* dcol[Kc, cols] */
        if (dinp)
          /* dinp[Cin, my cols] += W[Cin, Kc] x dcol[Kc, cols] */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                       g->cin, (int) cols, Kc, 1.0f, weight, Kc, col, (int) cols,
                       1.0f, dinp + r0 * W, (int) ldi);
        if (dweight)
          /* private dW[Cin, Kc] += inp[Cin, cols] x dcol[Kc, cols]^T */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                       g->cin, Kc, (int) cols, 1.0f, inp + r0 * W, (int) ldi,
                       col, (int) cols, 1.0f, dw, Kc);
      }
    if (dweight)
      sw_reduce_private (dweight, work + (dw - col), stride, T, dw_floats);
  }
}
