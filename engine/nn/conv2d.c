/* Conv2d as im2col + GEMM, split over the cores (see parallel.h):
 * forward and the weight gradient split the output rows, the input
 * gradient splits the input channels so no two threads add into the same
 * pixel.  The 3x3 stride-1 convolutions, most of a UNet's work, go by
 * Winograd's F(4x4, 3x3) instead (winograd.h) where it pays: forward,
 * input gradient and weight gradient alike. */
#include "nn/layers.h"
#include "nn/im2col.h"
#include "base/parallel.h"
#include "nn/sums.h"
#include "nn/winograd.h"

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

/* per thread: one chunk of columns, then a private weight gradient */
static size_t
chunk_floats (const SwIm2col *u)
{
  return sw_im2col_chunk_floats (u);
}

size_t
sw_conv2d_work_floats (const SwConvGeom *g, int N, int H, int W)
{
  SwIm2col u = unfold_geom (g, N, H, W);
  size_t dw = (size_t) g->cout * g->cin * g->k * g->k;
  size_t floats = (size_t) sw_num_threads () * (chunk_floats (&u) + dw);
  if (sw_winograd_pays (g, N, H, W, false) || sw_winograd_pays (g, N, H, W, true))
    {
      size_t wino = sw_winograd_work_floats (g->cin, g->cout, W);
      floats = wino > floats ? wino : floats;
    }
  return floats;
}

void
sw_conv2d_forward (const SwConvGeom *g, int N, int H, int W,
                   const float *inp, const float *weight, const float *bias,
                   float *out, float *work)
{
  /* inp (Cin, N, H, W), weight (Cout, K = Cin*k*k), out (Cout, N, Ho, Wo) */
  if (sw_winograd_pays (g, N, H, W, false))
    {
      sw_winograd_conv3x3 (g->cin, g->cout, N, H, W, inp, weight, false, bias, false, out, work);
      return;
    }
  const SwIm2col u = unfold_geom (g, N, H, W);
  const int K = g->cin * g->k * g->k;
  const size_t ldo = (size_t) N * u.Ho * u.Wo;
  const size_t rows = (size_t) N * u.Ho, per_chunk = sw_im2col_rows_per_chunk (&u, g->cin);
  const size_t stride = chunk_floats (&u) + (size_t) g->cout * K;

#pragma omp parallel if (sw_parallel_pays (2.0 * g->cout * K * (double) ldo))
  {
    const int T = sw_team_size (), tid = sw_team_member ();
    float *col = work + tid * stride;
    size_t begin, end;
    sw_split (rows, tid, T, &begin, &end);
    for (size_t r0 = begin; r0 < end; r0 += per_chunk)
      {
        size_t r1 = r0 + per_chunk < end ? r0 + per_chunk : end;
        size_t cols = (r1 - r0) * u.Wo;
        sw_im2col (&u, 0, g->cin, r0, r1, inp, col);
        /* out[:, r0*Wo ...] = W[Cout, K] x col[K, cols] */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                     g->cout, (int) cols, K, 1.0f, weight, K, col, (int) cols,
                     0.0f, out + r0 * u.Wo, (int) ldo);
        if (bias)
          for (int co = 0; co < g->cout; co++)
            {
              float *o = out + co * ldo + r0 * u.Wo;
              for (size_t i = 0; i < cols; i++)
                o[i] += bias[co];
            }
      }
  }
}

void
sw_conv2d_backward (const SwConvGeom *g, int N, int H, int W,
                    const float *inp, const float *weight, const float *dout,
                    float *dinp, float *dweight, float *dbias, float *work)
{
  const SwIm2col u = unfold_geom (g, N, H, W);
  const int K = g->cin * g->k * g->k, kk = g->k * g->k;
  const size_t ldo = (size_t) N * u.Ho * u.Wo;
  const size_t rows = (size_t) N * u.Ho;
  const size_t dw_floats = (size_t) g->cout * K;
  const size_t stride = chunk_floats (&u) + dw_floats;
  const bool winograd_dinp = sw_winograd_pays (g, N, H, W, true);
  const bool winograd_dweight = sw_winograd_pays (g, N, H, W, false);

#pragma omp parallel if (sw_parallel_pays (2.0 * g->cout * K * (double) ldo))
  {
    const int T = sw_team_size (), tid = sw_team_member ();
    float *col = work + tid * stride;
    float *dw = col + chunk_floats (&u);
    size_t begin, end;

    if (dbias)
#pragma omp for
      for (int co = 0; co < g->cout; co++)
        {
          const float *d = dout + co * ldo;
          double s, unused;
          sw_sums (d, 0.0f, d, 0.0f, (int) ldo, &s, &unused);
          dbias[co] += (float) s;
        }

    if (dweight && !winograd_dweight)
      {
        /* private dW[Cout, K] = sum over my rows of dout[Cout, cols] x col[K, cols]^T */
        size_t per_chunk = sw_im2col_rows_per_chunk (&u, g->cin);
        memset (dw, 0, sizeof (float) * dw_floats);
        sw_split (rows, tid, T, &begin, &end);
        for (size_t r0 = begin; r0 < end; r0 += per_chunk)
          {
            size_t r1 = r0 + per_chunk < end ? r0 + per_chunk : end;
            size_t cols = (r1 - r0) * u.Wo;
            sw_im2col (&u, 0, g->cin, r0, r1, inp, col);
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                         g->cout, K, (int) cols, 1.0f, dout + r0 * u.Wo, (int) ldo,
                         col, (int) cols, 1.0f, dw, K);
          }
        sw_reduce_private (dweight, work + (dw - col), stride, T, dw_floats);
      }

    if (dinp && !winograd_dinp)
      {
        /* my input channels [c0, c1): dcol = W[:, c0..c1]^T x dout, folded back */
        sw_split (g->cin, tid, T, &begin, &end);
        int c0 = (int) begin, c1 = (int) end;
        size_t per_chunk = sw_im2col_rows_per_chunk (&u, c1 - c0 > 0 ? c1 - c0 : 1);
        for (size_t r0 = 0; c1 > c0 && r0 < rows; r0 += per_chunk)
          {
            size_t r1 = r0 + per_chunk < rows ? r0 + per_chunk : rows;
            size_t cols = (r1 - r0) * u.Wo;
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                         (c1 - c0) * kk, (int) cols, g->cout, 1.0f, weight + c0 * kk, K,
                         dout + r0 * u.Wo, (int) ldo, 0.0f, col, (int) cols);
            sw_col2im_add (&u, c0, c1, r0, r1, col, dinp);
          }
      }
  }
  if (dweight && winograd_dweight)
    sw_winograd_conv3x3_weight_grad (g->cin, g->cout, N, H, W, inp, dout, dweight, work);
  /* the input gradient: the transposed convolution of dout, which for
   * 3x3 stride 1 pad 1 is again a 3x3 stride-1 convolution */
  if (dinp && winograd_dinp)
    sw_winograd_conv3x3 (g->cout, g->cin, N, H, W, dout, weight, true, NULL, true, dinp, work);
}
