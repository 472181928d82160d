/* Every layer's backward against central finite differences, and the
 * convolution, transposed convolution, pooling and BatchNorm forwards
 * against plain reference loops. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "base/blas.h"
#include "nn/layers.h"
#include "base/rng.h"
#include "nn/winograd.h"
#include "test-fd.h"

/* ---------------------------------------------------------- Conv2d */

typedef struct {
  SwConvGeom g;
  int N, H, W;
  float *x, *w, *b, *work;
  bool transpose;
} ConvCtx;

static void
conv_run (void *data, float *out)
{
  ConvCtx *c = data;
  if (c->transpose)
    sw_conv_transpose2d_forward (&c->g, c->N, c->H, c->W, c->x, c->w, c->b, out, c->work);
  else
    sw_conv2d_forward (&c->g, c->N, c->H, c->W, c->x, c->w, c->b, out, c->work);
}

static void
conv_case (SwConvGeom g, int N, int H, bool transpose)
{
  ConvCtx c = { .g = g, .N = N, .H = H, .W = H, .transpose = transpose };
  int Ho = transpose ? sw_conv_transpose_out_size (H, g.k, g.stride, g.pad)
                     : sw_conv_out_size (H, g.k, g.stride, g.pad);
  size_t nx = (size_t) g.cin * N * H * H, nw = (size_t) g.cin * g.cout * g.k * g.k;
  size_t ny = (size_t) g.cout * N * Ho * Ho;
  c.x = randn (nx, 1.0f);
  c.w = randn (nw, 0.3f);
  c.b = randn (g.cout, 0.3f);
  size_t nwork = transpose ? sw_conv_transpose2d_work_floats (&g, N, H, H)
                           : sw_conv2d_work_floats (&g, N, H, H);
  c.work = g_new (float, nwork);
  g_autofree float *R = randn (ny, 1.0f);
  g_autofree float *dx = g_new0 (float, nx), *dw = g_new0 (float, nw), *db = g_new0 (float, g.cout);
  if (transpose)
    sw_conv_transpose2d_backward (&g, N, H, H, c.x, c.w, R, dx, dw, db, c.work);
  else
    sw_conv2d_backward (&g, N, H, H, c.x, c.w, R, dx, dw, db, c.work);

  Probe p = { conv_run, &c, ny, R };
  g_autofree char *name = g_strdup_printf ("%s k%d s%d p%d %dx%d", transpose ? "convT" : "conv",
                                           g.k, g.stride, g.pad, H, H);
  g_autofree char *nx_name = g_strconcat (name, " input", NULL);
  g_autofree char *nw_name = g_strconcat (name, " weight", NULL);
  g_autofree char *nb_name = g_strconcat (name, " bias", NULL);
  check_fd (nx_name, &p, c.x, nx, dx);
  check_fd (nw_name, &p, c.w, nw, dw);
  check_fd (nb_name, &p, c.b, g.cout, db);
  g_free (c.x); g_free (c.w); g_free (c.b); g_free (c.work);
}

static void
test_conv_backward (void)
{
  conv_case ((SwConvGeom) { 3, 4, 3, 1, 1 }, 2, 6, false);   /* Conv */
  conv_case ((SwConvGeom) { 3, 5, 3, 2, 1 }, 2, 7, false);   /* DownConv, odd size */
  conv_case ((SwConvGeom) { 4, 3, 4, 2, 1 }, 2, 4, true);    /* UpConv */
  conv_case ((SwConvGeom) { 5, 4, 7, 7, 0 }, 3, 1, true);    /* Unflatten */
}

/* plain loops, written from PyTorch's definitions, on (N, C, H, W) */
static void
conv_reference (const SwConvGeom *g, int N, int H, const float *x_cn, const float *w,
                const float *b, float *out_cn)
{
  int Ho = sw_conv_out_size (H, g->k, g->stride, g->pad);
  for (int co = 0; co < g->cout; co++)
    for (int n = 0; n < N; n++)
      for (int oy = 0; oy < Ho; oy++)
        for (int ox = 0; ox < Ho; ox++)
          {
            double s = b[co];
            for (int ci = 0; ci < g->cin; ci++)
              for (int ki = 0; ki < g->k; ki++)
                for (int kj = 0; kj < g->k; kj++)
                  {
                    int iy = oy * g->stride - g->pad + ki, ix = ox * g->stride - g->pad + kj;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= H)
                      continue;
                    s += (double) w[((co * g->cin + ci) * g->k + ki) * g->k + kj]
                         * x_cn[(((size_t) ci * N + n) * H + iy) * H + ix];
                  }
            out_cn[(((size_t) co * N + n) * Ho + oy) * Ho + ox] = (float) s;
          }
}

static void
conv_transpose_reference (const SwConvGeom *g, int N, int H, const float *x_cn,
                          const float *w, const float *b, float *out_cn)
{
  /* each input pixel scatters its kernel into the output */
  int Ho = sw_conv_transpose_out_size (H, g->k, g->stride, g->pad);
  size_t ny = (size_t) g->cout * N * Ho * Ho;
  g_autofree double *acc = g_new0 (double, ny);
  for (int ci = 0; ci < g->cin; ci++)
    for (int n = 0; n < N; n++)
      for (int iy = 0; iy < H; iy++)
        for (int ix = 0; ix < H; ix++)
          for (int co = 0; co < g->cout; co++)
            for (int ki = 0; ki < g->k; ki++)
              for (int kj = 0; kj < g->k; kj++)
                {
                  int oy = iy * g->stride - g->pad + ki, ox = ix * g->stride - g->pad + kj;
                  if (oy < 0 || oy >= Ho || ox < 0 || ox >= Ho)
                    continue;
                  acc[(((size_t) co * N + n) * Ho + oy) * Ho + ox] +=
                    (double) x_cn[(((size_t) ci * N + n) * H + iy) * H + ix]
                    * w[((ci * g->cout + co) * g->k + ki) * g->k + kj];
                }
  for (size_t i = 0; i < ny; i++)
    out_cn[i] = (float) (acc[i] + b[i / ((size_t) N * Ho * Ho)]);
}

static void
assert_close (const char *what, const float *a, const float *ref, size_t n, double tol)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double err = fabs ((double) a[i] - ref[i]) / (1.0 + fabs (ref[i]));
      if (err > worst)
        worst = err;
      if (err > tol)
        g_error ("%s[%zu] = %.7g, reference %.7g", what, i, a[i], ref[i]);
    }
  g_test_message ("%s: worst relative error %.2e (tolerance %.0e)", what, worst, tol);
}

static void
test_conv_forward_reference (void)
{
  const SwConvGeom cases[] = {
    { 5, 7, 3, 1, 1 }, { 6, 4, 3, 2, 1 }, { 3, 3, 5, 2, 2 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const SwConvGeom *g = &cases[i];
      int N = 3, H = 9, Ho = sw_conv_out_size (H, g->k, g->stride, g->pad);
      size_t ny = (size_t) g->cout * N * Ho * Ho;
      g_autofree float *x = randn ((size_t) g->cin * N * H * H, 1.0f);
      g_autofree float *w = randn ((size_t) g->cout * g->cin * g->k * g->k, 0.5f);
      g_autofree float *b = randn (g->cout, 0.5f);
      g_autofree float *work = g_new (float, sw_conv2d_work_floats (g, N, H, H));
      g_autofree float *y = g_new (float, ny), *ref = g_new (float, ny);
      sw_conv2d_forward (g, N, H, H, x, w, b, y, work);
      conv_reference (g, N, H, x, w, b, ref);
      assert_close ("conv2d forward", y, ref, ny, 1e-5);
    }
}

/* the input gradient of a 3x3 stride-1 pad-1 Conv2d, from its definition:
 * dx[ci, y, x] = sum over co, ki, kj of w[co, ci, ki, kj] dy[co, y-ki+1, x-kj+1] */
static void
conv3x3_input_grad_reference (int cin, int cout, int N, int H, const float *w,
                              const float *dy, float *dx)
{
  for (int ci = 0; ci < cin; ci++)
    for (int n = 0; n < N; n++)
      for (int y = 0; y < H; y++)
        for (int x = 0; x < H; x++)
          {
            double s = 0.0;
            for (int co = 0; co < cout; co++)
              for (int ki = 0; ki < 3; ki++)
                for (int kj = 0; kj < 3; kj++)
                  {
                    int oy = y - ki + 1, ox = x - kj + 1;
                    if (oy < 0 || oy >= H || ox < 0 || ox >= H)
                      continue;
                    s += (double) w[((co * cin + ci) * 3 + ki) * 3 + kj]
                         * dy[(((size_t) co * N + n) * H + oy) * H + ox];
                  }
            dx[(((size_t) ci * N + n) * H + y) * H + x] = (float) s;
          }
}

/* the weight gradient of a 3x3 stride-1 pad-1 Conv2d, from its definition:
 * dw[co, ci, ki, kj] = sum over n, y, x of dy[co, n, y, x] x[ci, n, y+ki-1, x+kj-1] */
static void
conv3x3_weight_grad_reference (int cin, int cout, int N, int H, const float *x,
                               const float *dy, float *dw)
{
  for (int co = 0; co < cout; co++)
    for (int ci = 0; ci < cin; ci++)
      for (int ki = 0; ki < 3; ki++)
        for (int kj = 0; kj < 3; kj++)
          {
            double s = 0.0;
            for (int n = 0; n < N; n++)
              for (int y = 0; y < H; y++)
                for (int xx = 0; xx < H; xx++)
                  {
                    int iy = y + ki - 1, ix = xx + kj - 1;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= H)
                      continue;
                    s += (double) dy[(((size_t) co * N + n) * H + y) * H + xx]
                         * x[(((size_t) ci * N + n) * H + iy) * H + ix];
                  }
            dw[((co * cin + ci) * 3 + ki) * 3 + kj] = (float) s;
          }
}

/* The Winograd path (winograd.h) at the UNet's widths, where a thread
 * works through several chunks of tiles, and at an odd size, where the
 * edge tiles are cut: the forward, and the input and weight gradients,
 * which backward adds to what is already there.  The tolerance is 1e-4,
 * not 1e-5: F(4x4, 3x3) rounds to about 5e-5 (winograd.h); a wrong tile
 * or plane is off by the size of the output. */
static void
test_conv_winograd (void)
{
  const struct { int cin, cout, N, H; } cases[] = { { 64, 64, 2, 32 }, { 9, 8, 4, 11 } };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const SwConvGeom g = { cases[i].cin, cases[i].cout, 3, 1, 1 };
      const int N = cases[i].N, H = cases[i].H;
      g_assert_true (sw_winograd_pays (&g, N, H, H, false) && sw_winograd_pays (&g, N, H, H, true));
      const size_t nx = (size_t) g.cin * N * H * H, ny = (size_t) g.cout * N * H * H;
      g_autofree float *x = randn (nx, 1.0f), *w = randn ((size_t) g.cout * g.cin * 9, 0.1f);
      g_autofree float *b = randn (g.cout, 0.5f), *dy = randn (ny, 1.0f);
      g_autofree float *work = g_new (float, sw_conv2d_work_floats (&g, N, H, H));
      g_autofree float *y = g_new (float, ny), *ref = g_new (float, ny);
      sw_conv2d_forward (&g, N, H, H, x, w, b, y, work);
      conv_reference (&g, N, H, x, w, b, ref);
      assert_close ("winograd forward", y, ref, ny, 1e-4);

      const size_t nw = (size_t) g.cout * g.cin * 9;
      g_autofree float *dx = randn (nx, 1.0f), *before = g_memdup2 (dx, nx * sizeof (float));
      g_autofree float *dw = randn (nw, 1.0f), *dw_before = g_memdup2 (dw, nw * sizeof (float));
      g_autofree float *dx_ref = g_new (float, nx), *dw_ref = g_new (float, nw);
      sw_conv2d_backward (&g, N, H, H, x, w, dy, dx, dw, NULL, work);
      for (size_t j = 0; j < nx; j++)
        dx[j] -= before[j];
      for (size_t j = 0; j < nw; j++)
        dw[j] -= dw_before[j];
      conv3x3_input_grad_reference (g.cin, g.cout, N, H, w, dy, dx_ref);
      assert_close ("winograd input gradient", dx, dx_ref, nx, 1e-4);
      /* sums over every pixel of the batch: relative to their size */
      conv3x3_weight_grad_reference (g.cin, g.cout, N, H, x, dy, dw_ref);
      double scale = sqrt ((double) N * H * H);
      for (size_t j = 0; j < nw; j++)
        {
          dw[j] /= scale;
          dw_ref[j] /= scale;
        }
      assert_close ("winograd weight gradient", dw, dw_ref, nw, 1e-4);
    }
}

static void
test_conv_transpose_forward_reference (void)
{
  const SwConvGeom cases[] = { { 6, 5, 4, 2, 1 }, { 4, 3, 7, 7, 0 }, { 3, 2, 3, 2, 1 } };
  const int sizes[] = { 7, 1, 5 };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const SwConvGeom *g = &cases[i];
      int N = 2, H = sizes[i], Ho = sw_conv_transpose_out_size (H, g->k, g->stride, g->pad);
      size_t ny = (size_t) g->cout * N * Ho * Ho;
      g_autofree float *x = randn ((size_t) g->cin * N * H * H, 1.0f);
      g_autofree float *w = randn ((size_t) g->cin * g->cout * g->k * g->k, 0.5f);
      g_autofree float *b = randn (g->cout, 0.5f);
      g_autofree float *work = g_new (float, sw_conv_transpose2d_work_floats (g, N, H, H));
      g_autofree float *y = g_new (float, ny), *ref = g_new (float, ny);
      sw_conv_transpose2d_forward (g, N, H, H, x, w, b, y, work);
      conv_transpose_reference (g, N, H, x, w, b, ref);
      assert_close ("conv_transpose2d forward", y, ref, ny, 1e-5);
    }
}

/* A thread that unfolds only its share of the channels (Conv2d's input
 * gradient, ConvTranspose2d's forward) takes as many rows as fit in its
 * column buffer, sized for all of them: with 32 of 64 channels, k 3, Wo 16
 * it once took 227 rows where 113 of 64 channels fit, ran 2,880 floats into
 * the next thread's buffer, and the last thread's past the end of the work
 * (the ResUNet's 64 -> 3 output conv: training not reproducible with two
 * threads).  The work is followed by a guard that must stay untouched. */
static void
test_conv_work_bounds (void)
{
  enum { N = 16, H = 16, GUARD = 1 << 14 };
  const struct { SwConvGeom g; bool transpose; } cases[] = {
    { { 64, 3, 3, 1, 1 }, false },
    { { 3, 64, 3, 1, 1 }, true },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const SwConvGeom *g = &cases[i].g;
      const bool transpose = cases[i].transpose;
      const size_t nx = (size_t) g->cin * N * H * H, ny = (size_t) g->cout * N * H * H;
      const size_t nw = (size_t) g->cin * g->cout * 9;
      const size_t nwork = transpose ? sw_conv_transpose2d_work_floats (g, N, H, H)
                                     : sw_conv2d_work_floats (g, N, H, H);
      g_autofree float *x = randn (nx, 1.0f), *w = randn (nw, 0.1f), *dy = randn (ny, 1.0f);
      g_autofree float *y = g_new (float, ny), *dx = g_new0 (float, nx);
      g_autofree float *dw = g_new0 (float, nw), *db = g_new0 (float, g->cout);
      g_autofree float *work = g_new (float, nwork + GUARD);
      for (size_t j = nwork; j < nwork + GUARD; j++)
        work[j] = 12345.0f;
      if (transpose)
        {
          sw_conv_transpose2d_forward (g, N, H, H, x, w, NULL, y, work);
          sw_conv_transpose2d_backward (g, N, H, H, x, w, dy, dx, dw, db, work);
        }
      else
        {
          sw_conv2d_forward (g, N, H, H, x, w, NULL, y, work);
          sw_conv2d_backward (g, N, H, H, x, w, dy, dx, dw, db, work);
        }
      size_t touched = 0;
      for (size_t j = nwork; j < nwork + GUARD; j++)
        touched += work[j] != 12345.0f;
      if (touched)
        g_test_message ("%s %d -> %d: %zu floats written past its work of %zu",
                        transpose ? "convT" : "conv", g->cin, g->cout, touched, nwork);
      g_assert_cmpuint (touched, ==, 0);
    }
}

/* ------------------------------------------------------- BatchNorm */

typedef struct {
  int C, M;
  bool training;
  float *x, *gamma, *beta, *rm, *rv, *mean, *rstd;
} BnCtx;

static void
bn_run (void *data, float *out)
{
  BnCtx *b = data;
  /* the running stats must not drift between probes: work on copies */
  g_autofree float *rm = g_memdup2 (b->rm, sizeof (float) * b->C);
  g_autofree float *rv = g_memdup2 (b->rv, sizeof (float) * b->C);
  sw_batchnorm_forward (b->C, b->M, b->x, b->gamma, b->beta, rm, rv, b->training,
                        SW_BN_MOMENTUM, b->mean, b->rstd, out);
}

static void
bn_case (bool training)
{
  BnCtx b = { .C = 3, .M = 2 * 5 * 5, .training = training };
  size_t n = (size_t) b.C * b.M;
  b.x = randn (n, 2.0f);
  for (size_t i = 0; i < n; i++)
    b.x[i] += 0.5f;
  b.gamma = randn (b.C, 1.0f);
  b.beta = randn (b.C, 1.0f);
  b.rm = randn (b.C, 0.3f);
  b.rv = g_new (float, b.C);
  for (int c = 0; c < b.C; c++)
    b.rv[c] = 0.5f + c;
  b.mean = g_new (float, b.C);
  b.rstd = g_new (float, b.C);
  g_autofree float *R = randn (n, 1.0f), *y = g_new (float, n);
  g_autofree float *dx = g_new0 (float, n), *dg = g_new0 (float, b.C), *db = g_new0 (float, b.C);
  bn_run (&b, y);
  sw_batchnorm_backward (b.C, b.M, b.x, b.gamma, b.mean, b.rstd, training, R, dx, dg, db);
  Probe p = { bn_run, &b, n, R };
  check_fd (training ? "batchnorm(train) input" : "batchnorm(eval) input", &p, b.x, n, dx);
  check_fd ("batchnorm gamma", &p, b.gamma, b.C, dg);
  check_fd ("batchnorm beta", &p, b.beta, b.C, db);
  g_free (b.x); g_free (b.gamma); g_free (b.beta); g_free (b.rm); g_free (b.rv);
  g_free (b.mean); g_free (b.rstd);
}

static void
test_batchnorm_backward (void)
{
  bn_case (true);
  bn_case (false);
}

static void
test_batchnorm_forward_reference (void)
{
  const int C = 4, M = 3 * 6 * 6;
  g_autofree float *x = randn ((size_t) C * M, 3.0f), *gamma = randn (C, 1.0f), *beta = randn (C, 1.0f);
  g_autofree float *rm = g_new0 (float, C), *rv = g_new (float, C), *mean = g_new (float, C);
  g_autofree float *rstd = g_new (float, C), *y = g_new (float, (size_t) C * M);
  g_autofree float *ref = g_new (float, (size_t) C * M);
  for (int c = 0; c < C; c++)
    rv[c] = 1.0f;
  sw_batchnorm_forward (C, M, x, gamma, beta, rm, rv, true, SW_BN_MOMENTUM, mean, rstd, y);
  for (int c = 0; c < C; c++)
    {
      double s = 0, ss = 0;
      for (int i = 0; i < M; i++)
        s += x[c * M + i];
      double mu = s / M;
      for (int i = 0; i < M; i++)
        ss += (x[c * M + i] - mu) * (x[c * M + i] - mu);
      double var = ss / M;
      for (int i = 0; i < M; i++)
        ref[c * M + i] = (float) ((x[c * M + i] - mu) / sqrt (var + 1e-5) * gamma[c] + beta[c]);
      /* running stats: momentum 0.1 towards the mean and the UNBIASED variance */
      g_assert_cmpfloat_with_epsilon (rm[c], 0.1 * mu, 1e-5);
      g_assert_cmpfloat_with_epsilon (rv[c], 0.9 + 0.1 * ss / (M - 1), 1e-4);
    }
  assert_close ("batchnorm(train) forward", y, ref, (size_t) C * M, 1e-5);

  /* eval mode uses the running averages */
  sw_batchnorm_forward (C, M, x, gamma, beta, rm, rv, false, SW_BN_MOMENTUM, mean, rstd, y);
  for (int c = 0; c < C; c++)
    for (int i = 0; i < M; i++)
      ref[c * M + i] = (float) ((x[c * M + i] - rm[c]) / sqrt (rv[c] + 1e-5) * gamma[c] + beta[c]);
  assert_close ("batchnorm(eval) forward", y, ref, (size_t) C * M, 1e-5);

  /* momentum 1, then 1/2: the running stats are the two batches' average,
   * whatever they held before (the cumulative average of update_bn) */
  g_autofree float *x2 = randn ((size_t) C * M, 1.0f);
  sw_batchnorm_forward (C, M, x, gamma, beta, rm, rv, true, 1.0f, mean, rstd, y);
  sw_batchnorm_forward (C, M, x2, gamma, beta, rm, rv, true, 0.5f, mean, rstd, y);
  for (int c = 0; c < C; c++)
    {
      double mu[2], uvar[2];
      const float *xs[2] = { x + c * M, x2 + c * M };
      for (int k = 0; k < 2; k++)
        {
          double s = 0, ss = 0;
          for (int i = 0; i < M; i++)
            s += xs[k][i];
          mu[k] = s / M;
          for (int i = 0; i < M; i++)
            ss += (xs[k][i] - mu[k]) * (xs[k][i] - mu[k]);
          uvar[k] = ss / (M - 1);
        }
      g_assert_cmpfloat_with_epsilon (rm[c], (mu[0] + mu[1]) / 2, 1e-5);
      g_assert_cmpfloat_with_epsilon (rv[c], (uvar[0] + uvar[1]) / 2, 1e-4);
    }
}

/* ---------------------------------------------- GELU, Linear, pool, ... */

typedef struct {
  size_t n;
  float *x;
} GeluCtx;

static void
gelu_run (void *data, float *out)
{
  GeluCtx *g = data;
  sw_gelu_forward (g->n, g->x, out);
}

static void
test_erf_exp_accuracy (void)
{
  double worst_erf = 0.0, worst_exp = 0.0;
  for (int i = -800000; i <= 800000; i++)
    {
      float x = i * 1e-5f;
      worst_erf = MAX (worst_erf, fabs ((double) sw_erf (x) - erf ((double) x)));
      float y = -fabsf (x) * 10.0f;  /* exp on [-80, 0] */
      double e = exp ((double) y);
      worst_exp = MAX (worst_exp, fabs ((double) sw_exp_neg (y) - e) / e);
    }
  g_test_message ("erf: worst absolute error %.2e on [-8, 8]; exp: worst relative error %.2e on [-80, 0]",
                  worst_erf, worst_exp);
  g_assert_cmpfloat (worst_erf, <, 1e-6);
  g_assert_cmpfloat (worst_exp, <, 1e-6);
}

static void
test_gelu (void)
{
  /* values from PyTorch's F.gelu (exact, erf) */
  const float xs[] = { -3.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 3.0f };
  const float ys[] = { -0.0040496890f, -0.15865526f, -0.15426877f, 0.0f, 0.34573123f,
                       0.84134474f, 2.9959502f };
  float out[7];
  sw_gelu_forward (7, xs, out);
  for (int i = 0; i < 7; i++)
    g_assert_cmpfloat_with_epsilon (out[i], ys[i], 1e-6);

  GeluCtx g = { .n = 50, .x = randn (50, 2.0f) };
  g_autofree float *R = randn (50, 1.0f), *dx = g_new0 (float, 50);
  sw_gelu_backward (50, g.x, R, dx);
  Probe p = { gelu_run, &g, 50, R };
  check_fd ("gelu", &p, g.x, 50, dx);
  g_free (g.x);
}

typedef struct {
  int N, V, E;
  float *bag, *w;
} BagCtx;

static void
bag_run (void *data, float *out)
{
  BagCtx *b = data;
  sw_embedding_bag_forward (b->N, b->V, b->E, b->bag, b->w, out);
}

/* Bags of words as the prompt encoder makes them (1/k on k words, the
 * empty prompt all zero) and one with arbitrary weights, as guidance
 * mixes could give: the forward is the dense product, the weight's
 * gradient checked against finite differences (a word no bag holds gets
 * none). */
static void
test_embedding_bag (void)
{
  BagCtx b = { .N = 3, .V = 6, .E = 4 };
  b.w = randn (24, 1.0f);
  b.bag = g_new0 (float, 18);
  b.bag[1] = b.bag[4] = 0.5f;                     /* "two words" */
  b.bag[12] = 0.3f, b.bag[13] = -1.2f, b.bag[16] = 2.0f;   /* the third row is arbitrary */
  g_autofree float *y = g_new (float, 12);
  bag_run (&b, y);
  for (int n = 0; n < 3; n++)
    for (int e = 0; e < 4; e++)
      {
        double s = 0.0;
        for (int v = 0; v < 6; v++)
          s += (double) b.bag[n * 6 + v] * b.w[v * 4 + e];
        g_assert_cmpfloat_with_epsilon (y[n * 4 + e], s, 1e-5);
      }
  for (int e = 0; e < 4; e++)   /* the second row is the empty prompt */
    g_assert_cmpfloat (y[4 + e], ==, 0.0f);
  g_autofree float *R = randn (12, 1.0f), *dw = g_new0 (float, 24);
  sw_embedding_bag_backward (3, 6, 4, b.bag, R, dw);
  Probe p = { bag_run, &b, 12, R };
  check_fd ("embedding bag weight", &p, b.w, 24, dw);
  for (int e = 0; e < 4; e++)   /* word 2 is in no bag */
    g_assert_cmpfloat (dw[2 * 4 + e], ==, 0.0f);
  g_free (b.w); g_free (b.bag);
}

typedef struct {
  int N, fin, fout;
  float *x, *w, *b;
} LinCtx;

static void
linear_run (void *data, float *out)
{
  LinCtx *l = data;
  sw_linear_forward (l->N, l->fin, l->fout, l->x, l->w, l->b, out);
}

static void
test_linear (void)
{
  LinCtx l = { .N = 3, .fin = 5, .fout = 4 };
  l.x = randn (15, 1.0f);
  l.w = randn (20, 1.0f);
  l.b = randn (4, 1.0f);
  g_autofree float *y = g_new (float, 12);
  linear_run (&l, y);
  for (int n = 0; n < 3; n++)
    for (int o = 0; o < 4; o++)
      {
        double s = l.b[o];
        for (int i = 0; i < 5; i++)
          s += (double) l.x[n * 5 + i] * l.w[o * 5 + i];
        g_assert_cmpfloat_with_epsilon (y[n * 4 + o], s, 1e-5);
      }
  g_autofree float *R = randn (12, 1.0f), *dx = g_new0 (float, 15);
  g_autofree float *dw = g_new0 (float, 20), *db = g_new0 (float, 4);
  sw_linear_backward (3, 5, 4, l.x, l.w, R, dx, dw, db);
  Probe p = { linear_run, &l, 12, R };
  check_fd ("linear input", &p, l.x, 15, dx);
  check_fd ("linear weight", &p, l.w, 20, dw);
  check_fd ("linear bias", &p, l.b, 4, db);
  g_free (l.x); g_free (l.w); g_free (l.b);
}

typedef struct {
  int C, N, HW;
  float *x;
} PoolCtx;

static void
pool_run (void *data, float *out)
{
  PoolCtx *p = data;
  sw_avgpool_forward (p->C, p->N, p->HW, p->x, out);
}

static void
test_avgpool (void)
{
  PoolCtx c = { .C = 3, .N = 2, .HW = 49 };
  size_t n = (size_t) c.C * c.N * c.HW;
  c.x = randn (n, 1.0f);
  g_autofree float *y = g_new (float, 6);
  pool_run (&c, y);
  for (int i = 0; i < 6; i++)
    {
      double s = 0;
      for (int j = 0; j < 49; j++)
        s += c.x[i * 49 + j];
      g_assert_cmpfloat_with_epsilon (y[i], s / 49, 1e-6);
    }
  g_autofree float *R = randn (6, 1.0f), *dx = g_new0 (float, n);
  sw_avgpool_backward (c.C, c.N, c.HW, R, dx);
  Probe p = { pool_run, &c, 6, R };
  check_fd ("avgpool", &p, c.x, n, dx);
  g_free (c.x);
}

typedef struct {
  float *a, *b;
} CatCtx;

static void
cat_run (void *data, float *out)
{
  CatCtx *c = data;
  sw_concat_forward (2, 3, 8, c->a, c->b, out);
}

static void
test_concat (void)
{
  CatCtx c = { randn (16, 1.0f), randn (24, 1.0f) };
  g_autofree float *y = g_new (float, 40);
  cat_run (&c, y);
  g_assert_cmpmem (y, 16 * sizeof (float), c.a, 16 * sizeof (float));
  g_assert_cmpmem (y + 16, 24 * sizeof (float), c.b, 24 * sizeof (float));
  g_autofree float *R = randn (40, 1.0f), *da = g_new0 (float, 16), *db = g_new0 (float, 24);
  sw_concat_backward (2, 3, 8, R, da, db);
  Probe p = { cat_run, &c, 40, R };
  check_fd ("concat a", &p, c.a, 16, da);
  check_fd ("concat b", &p, c.b, 24, db);
  g_free (c.a); g_free (c.b);
}

typedef struct {
  float *x, *scale, *shift;
} ModCtx;

static void
mod_run (void *data, float *out)
{
  ModCtx *m = data;
  sw_modulate_forward (3, 2, 4, m->x, m->scale, m->shift, out);
}

static void
test_modulate (void)
{
  ModCtx m = { randn (24, 1.0f), randn (6, 1.0f), randn (6, 1.0f) };
  g_autofree float *R = randn (24, 1.0f), *dx = g_new0 (float, 24);
  g_autofree float *ds = g_new0 (float, 6), *dsh = g_new0 (float, 6);
  sw_modulate_backward (3, 2, 4, m.x, m.scale, R, dx, ds, dsh);
  Probe p = { mod_run, &m, 24, R };
  check_fd ("modulate input", &p, m.x, 24, dx);
  check_fd ("modulate scale", &p, m.scale, 6, ds);
  check_fd ("modulate shift", &p, m.shift, 6, dsh);
  g_free (m.x); g_free (m.scale); g_free (m.shift);
}

typedef struct {
  float *pred, *target;
} MseCtx;

static void
mse_run (void *data, float *out)
{
  MseCtx *m = data;
  out[0] = sw_mse_forward (30, m->pred, m->target);
}

static void
test_mse (void)
{
  MseCtx m = { randn (30, 1.0f), randn (30, 1.0f) };
  float R[1] = { 1.0f };
  g_autofree float *dp = g_new0 (float, 30);
  sw_mse_backward (30, m.pred, m.target, 1.0f, dp);
  Probe p = { mse_run, &m, 1, R };
  check_fd ("mse", &p, m.pred, 30, dp);
  g_free (m.pred); g_free (m.target);
}

static void
test_layout (void)
{
  g_autofree float *x = randn (2 * 3 * 5, 1.0f), *y = g_new (float, 30), *z = g_new (float, 30);
  sw_nchw_to_cnhw (2, 3, 5, x, y);
  g_assert_cmpfloat (y[(1 * 2 + 1) * 5 + 4], ==, x[(1 * 3 + 1) * 5 + 4]);
  g_assert_cmpfloat (y[(2 * 2 + 0) * 5 + 1], ==, x[(0 * 3 + 2) * 5 + 1]);
  sw_cnhw_to_nchw (2, 3, 5, y, z);
  g_assert_cmpmem (x, 30 * sizeof (float), z, 30 * sizeof (float));
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  sw_rng_init (&rng, 42, 1);
  g_test_add_func ("/layers/conv/backward", test_conv_backward);
  g_test_add_func ("/layers/conv/forward-reference", test_conv_forward_reference);
  g_test_add_func ("/layers/conv/winograd", test_conv_winograd);
  g_test_add_func ("/layers/conv-transpose/forward-reference", test_conv_transpose_forward_reference);
  g_test_add_func ("/layers/conv/work-bounds", test_conv_work_bounds);
  g_test_add_func ("/layers/batchnorm/backward", test_batchnorm_backward);
  g_test_add_func ("/layers/batchnorm/forward-reference", test_batchnorm_forward_reference);
  g_test_add_func ("/layers/gelu", test_gelu);
  g_test_add_func ("/layers/erf-exp-accuracy", test_erf_exp_accuracy);
  g_test_add_func ("/layers/linear", test_linear);
  g_test_add_func ("/layers/embedding-bag", test_embedding_bag);
  g_test_add_func ("/layers/avgpool", test_avgpool);
  g_test_add_func ("/layers/concat", test_concat);
  g_test_add_func ("/layers/modulate", test_modulate);
  g_test_add_func ("/layers/mse", test_mse);
  g_test_add_func ("/layers/layout", test_layout);
  return g_test_run ();
}
