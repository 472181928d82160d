/* The residual attention UNet's layers (nn/layers-adm.h): every backward
 * against central finite differences, the forwards against plain loops
 * written from PyTorch's definitions, attention's softmax on huge logits,
 * and GroupNorm's refusal of groups that do not divide the channels. */
#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "base/error.h"
#include "nn/layers-adm.h"
#include "test-fd.h"
#include "test-util.h"

/* ------------------------------------------------------------ GroupNorm */

typedef struct {
  int C, N, HW, G;
  float *x, *gamma, *beta, *ss, *mean, *rstd, *normed;
} NormCtx;

static void
gn_run (void *data, float *out)
{
  NormCtx *c = data;
  sw_groupnorm_forward (c->C, c->N, c->HW, c->G, c->x, c->gamma, c->beta, c->mean, c->rstd, out);
}

static void
adagn_run (void *data, float *out)
{
  NormCtx *c = data;
  sw_adagn_forward (c->C, c->N, c->HW, c->G, c->x, c->gamma, c->beta, c->ss,
                    c->mean, c->rstd, c->normed, out);
}

static NormCtx
norm_ctx (int C, int N, int HW, int G)
{
  NormCtx c = { .C = C, .N = N, .HW = HW, .G = G };
  size_t n = (size_t) C * N * HW;
  c.x = randn (n, 1.0f);
  for (size_t i = 0; i < n; i++)   /* an offset, which the statistics must remove */
    c.x[i] += 0.5f;
  c.gamma = randn (C, 1.0f);
  c.beta = randn (C, 1.0f);
  c.ss = randn ((size_t) N * 2 * C, 0.5f);
  c.mean = g_new (float, N * G);
  c.rstd = g_new (float, N * G);
  c.normed = g_new (float, n);
  return c;
}

static void
norm_ctx_clear (NormCtx *c)
{
  g_free (c->x); g_free (c->gamma); g_free (c->beta); g_free (c->ss);
  g_free (c->mean); g_free (c->rstd); g_free (c->normed);
}

static void
test_groupnorm_forward_reference (void)
{
  NormCtx c = norm_ctx (6, 3, 10, 3);
  size_t n = (size_t) c.C * c.N * c.HW;
  g_autofree float *y = g_new (float, n);
  gn_run (&c, y);
  const int cg = c.C / c.G;
  for (int s = 0; s < c.N; s++)
    for (int g = 0; g < c.G; g++)
      {
        double m = 0.0, v = 0.0;
        for (int ch = g * cg; ch < (g + 1) * cg; ch++)
          for (int i = 0; i < c.HW; i++)
            m += c.x[((size_t) ch * c.N + s) * c.HW + i];
        m /= cg * c.HW;
        for (int ch = g * cg; ch < (g + 1) * cg; ch++)
          for (int i = 0; i < c.HW; i++)
            v += pow (c.x[((size_t) ch * c.N + s) * c.HW + i] - m, 2);
        v /= cg * c.HW;
        for (int ch = g * cg; ch < (g + 1) * cg; ch++)
          for (int i = 0; i < c.HW; i++)
            {
              size_t k = ((size_t) ch * c.N + s) * c.HW + i;
              double want = (c.x[k] - m) / sqrt (v + SW_GN_EPS) * c.gamma[ch] + c.beta[ch];
              g_assert_cmpfloat_with_epsilon (y[k], want, 1e-5);
            }
      }
  norm_ctx_clear (&c);
}

static void
test_groupnorm_backward (void)
{
  NormCtx c = norm_ctx (6, 2, 9, 2);
  size_t n = (size_t) c.C * c.N * c.HW;
  g_autofree float *y = g_new (float, n);
  gn_run (&c, y);
  g_autofree float *R = randn (n, 1.0f), *dx = g_new0 (float, n);
  g_autofree float *dg = g_new0 (float, c.C), *db = g_new0 (float, c.C);
  sw_groupnorm_backward (c.C, c.N, c.HW, c.G, c.x, c.gamma, c.mean, c.rstd, R, dx, dg, db);
  Probe p = { gn_run, &c, n, R };
  check_fd ("groupnorm input", &p, c.x, n, dx);
  check_fd ("groupnorm gamma", &p, c.gamma, c.C, dg);
  check_fd ("groupnorm beta", &p, c.beta, c.C, db);
  norm_ctx_clear (&c);
}

static void
test_groupnorm_refuses_groups (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_groupnorm_check (64, 32, NULL));
  g_assert_true (sw_groupnorm_check (6, 6, NULL));
  g_assert_false (sw_groupnorm_check (48, 32, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "must divide");
  g_clear_error (&error);
  g_assert_false (sw_groupnorm_check (8, 0, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "8 channels in 0 groups");
}

static void
test_adagn (void)
{
  NormCtx c = norm_ctx (4, 3, 6, 2);
  size_t n = (size_t) c.C * c.N * c.HW;
  g_autofree float *y = g_new (float, n), *plain = g_new (float, n);
  adagn_run (&c, y);
  gn_run (&c, plain);
  for (int ch = 0; ch < c.C; ch++)   /* GroupNorm, then scaled by 1 + s and shifted */
    for (int s = 0; s < c.N; s++)
      for (int i = 0; i < c.HW; i++)
        {
          size_t k = ((size_t) ch * c.N + s) * c.HW + i;
          float want = plain[k] * (1.0f + c.ss[s * 2 * c.C + ch]) + c.ss[s * 2 * c.C + c.C + ch];
          g_assert_cmpfloat_with_epsilon (y[k], want, 1e-5);
        }
  g_autofree float *R = randn (n, 1.0f), *dx = g_new0 (float, n), *work = g_new (float, n);
  g_autofree float *dg = g_new0 (float, c.C), *db = g_new0 (float, c.C);
  g_autofree float *dss = g_new0 (float, (size_t) c.N * 2 * c.C);
  sw_adagn_backward (c.C, c.N, c.HW, c.G, c.x, c.gamma, c.ss, c.mean, c.rstd, c.normed, R,
                     dx, dg, db, dss, work);
  Probe p = { adagn_run, &c, n, R };
  check_fd ("adagn input", &p, c.x, n, dx);
  check_fd ("adagn gamma", &p, c.gamma, c.C, dg);
  check_fd ("adagn beta", &p, c.beta, c.C, db);
  check_fd ("adagn scale and shift", &p, c.ss, (size_t) c.N * 2 * c.C, dss);
  norm_ctx_clear (&c);
}

/* ------------------------------------------- SiLU, upsampling, dropout */

typedef struct {
  size_t n;
  int CN, H, W;
  float p;
  float *x, *mask;
} ElemCtx;

static void
silu_run (void *data, float *out)
{
  ElemCtx *c = data;
  sw_silu_forward (c->n, c->x, out);
}

static void
test_silu (void)
{
  ElemCtx c = { .n = 50 };
  c.x = randn (c.n, 3.0f);
  g_autofree float *y = g_new (float, c.n);
  silu_run (&c, y);
  for (size_t i = 0; i < c.n; i++)
    g_assert_cmpfloat_with_epsilon (y[i], c.x[i] / (1.0 + exp (-c.x[i])), 1e-5);
  /* far out, where exp(-x) alone would overflow: x, and 0 */
  const float far[4] = { -100.0f, -30.0f, 30.0f, 100.0f };
  float fy[4];
  sw_silu_forward (4, far, fy);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (fy[i], far[i] / (1.0 + exp (-far[i])), 1e-6 * fabsf (far[i]));
  g_autofree float *R = randn (c.n, 1.0f), *dx = g_new0 (float, c.n);
  sw_silu_backward (c.n, c.x, R, dx);
  Probe p = { silu_run, &c, c.n, R };
  check_fd ("silu", &p, c.x, c.n, dx);
  g_free (c.x);
}

static void
upsample_run (void *data, float *out)
{
  ElemCtx *c = data;
  sw_upsample2x_forward (c->CN, c->H, c->W, c->x, out);
}

static void
test_upsample (void)
{
  ElemCtx c = { .CN = 3, .H = 2, .W = 3 };
  c.x = randn (18, 1.0f);
  g_autofree float *y = g_new (float, 72);
  upsample_run (&c, y);
  for (int p = 0; p < 3; p++)
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 6; j++)
        g_assert_cmpfloat (y[p * 24 + i * 6 + j], ==, c.x[p * 6 + (i / 2) * 3 + j / 2]);
  g_autofree float *R = randn (72, 1.0f), *dx = g_new0 (float, 18);
  sw_upsample2x_backward (3, 2, 3, R, dx);
  Probe p = { upsample_run, &c, 72, R };
  check_fd ("upsample", &p, c.x, 18, dx);
  g_free (c.x);
}

/* the same mask on every run: the stream restarts from one seed */
static void
dropout_run (void *data, float *out)
{
  ElemCtx *c = data;
  SwRng r;
  sw_rng_init (&r, 7, 3);
  sw_dropout_forward (c->n, c->p, &r, c->x, c->mask, out);
}

static void
test_dropout (void)
{
  ElemCtx c = { .n = 4000, .p = 0.25f };
  c.x = randn (c.n, 1.0f);
  c.mask = g_new (float, c.n);
  g_autofree float *y = g_new (float, c.n), *y2 = g_new (float, c.n);
  dropout_run (&c, y);
  dropout_run (&c, y2);
  g_assert_cmpmem (y, c.n * sizeof (float), y2, c.n * sizeof (float));
  size_t dropped = 0;
  for (size_t i = 0; i < c.n; i++)
    {
      if (c.mask[i] == 0.0f)
        dropped++;
      else
        g_assert_cmpfloat_with_epsilon (y[i], c.x[i] / 0.75f, 1e-6);
    }
  /* 1,000 expected; 4 standard deviations (27) either side */
  g_assert_cmpuint (dropped, >, 1000 - 110);
  g_assert_cmpuint (dropped, <, 1000 + 110);
  g_autofree float *R = randn (c.n, 1.0f), *dx = g_new0 (float, c.n);
  sw_dropout_backward (c.n, c.mask, R, dx);
  Probe p = { dropout_run, &c, c.n, R };
  check_fd ("dropout", &p, c.x, c.n, dx);
  g_free (c.x); g_free (c.mask);
}

static void
test_timestep_embedding (void)
{
  const float t[3] = { 0.0f, 1.0f, 999.0f };
  float e[3 * 8];
  sw_timestep_embedding (3, 8, t, e);
  for (int n = 0; n < 3; n++)
    for (int i = 0; i < 4; i++)
      {
        double a = t[n] * pow (10000.0, -i / 4.0);
        g_assert_cmpfloat_with_epsilon (e[n * 8 + i], cos (a), 1e-6);
        g_assert_cmpfloat_with_epsilon (e[n * 8 + 4 + i], sin (a), 1e-6);
      }
}

/* ---------------------------------------------------- 1x1 and attention */

typedef struct {
  int cin, cout;
  size_t M;
  float *x, *w, *b;
} PwCtx;

static void
pw_run (void *data, float *out)
{
  PwCtx *c = data;
  sw_pointwise_forward (c->cin, c->cout, c->M, c->x, c->w, c->b, out);
}

static void
test_pointwise (void)
{
  PwCtx c = { .cin = 4, .cout = 3, .M = 21 };
  c.x = randn (4 * 21, 1.0f);
  c.w = randn (12, 1.0f);
  c.b = randn (3, 1.0f);
  g_autofree float *y = g_new (float, 63);
  pw_run (&c, y);
  for (int o = 0; o < 3; o++)
    for (int m = 0; m < 21; m++)
      {
        double s = c.b[o];
        for (int i = 0; i < 4; i++)
          s += (double) c.w[o * 4 + i] * c.x[i * 21 + m];
        g_assert_cmpfloat_with_epsilon (y[o * 21 + m], s, 1e-5);
      }
  g_autofree float *R = randn (63, 1.0f), *dx = g_new0 (float, 84);
  g_autofree float *dw = g_new0 (float, 12), *db = g_new0 (float, 3);
  sw_pointwise_backward (4, 3, 21, c.x, c.w, R, dx, dw, db);
  Probe p = { pw_run, &c, 63, R };
  check_fd ("pointwise input", &p, c.x, 84, dx);
  check_fd ("pointwise weight", &p, c.w, 12, dw);
  check_fd ("pointwise bias", &p, c.b, 3, db);
  g_free (c.x); g_free (c.w); g_free (c.b);
}

typedef struct {
  SwAttnGeom g;
  float *x, *h, *words;
  int *len;
  float *wq, *bq, *wkv, *bkv, *wproj, *bproj;   /* self: wq, bq are Wqkv, bqkv */
  float *q, *kv, *probs, *attn;
} AttnCtx;

static void
self_run (void *data, float *out)
{
  AttnCtx *c = data;
  sw_self_attention_forward (&c->g, c->x, c->h, c->wq, c->bq, c->wproj, c->bproj,
                             c->q, c->probs, c->attn, out);
}

static void
cross_run (void *data, float *out)
{
  AttnCtx *c = data;
  sw_cross_attention_forward (&c->g, c->x, c->h, c->words, c->len, c->wq, c->bq, c->wkv, c->bkv,
                              c->wproj, c->bproj, c->q, c->kv, c->probs, c->attn, out);
}

static AttnCtx
attn_ctx (SwAttnGeom g, bool cross, float wscale)
{
  AttnCtx c = { .g = g };
  const int C = g.C, nq = cross ? C : 3 * C;
  const size_t n = (size_t) C * g.N * g.HW;
  c.x = randn (n, 1.0f);
  c.h = randn (n, 1.0f);
  c.wq = randn ((size_t) nq * C, wscale);
  c.bq = randn (nq, 0.3f);
  c.wproj = randn ((size_t) C * C, 0.5f);
  c.bproj = randn (C, 0.3f);
  c.q = g_new (float, (size_t) nq * g.N * g.HW);
  c.attn = g_new (float, n);
  const int Tk = cross ? g.L : g.HW;
  c.probs = g_new (float, (size_t) g.N * g.heads * g.HW * Tk);
  if (cross)
    {
      c.words = randn ((size_t) g.N * g.L * g.E, 1.0f);
      c.wkv = randn ((size_t) 2 * C * g.E, wscale);
      c.bkv = randn (2 * C, 0.3f);
      c.kv = g_new (float, (size_t) 2 * C * g.N * g.L);
      c.len = g_new (int, g.N);
    }
  return c;
}

static void
attn_ctx_clear (AttnCtx *c)
{
  g_free (c->x); g_free (c->h); g_free (c->words); g_free (c->len);
  g_free (c->wq); g_free (c->bq); g_free (c->wkv); g_free (c->bkv);
  g_free (c->wproj); g_free (c->bproj);
  g_free (c->q); g_free (c->kv); g_free (c->probs); g_free (c->attn);
}

/* PyTorch's definition in double on (token, channel) arrays: per sample and
 * head, softmax(q kᵀ / sqrt(d)) v over the first L keys, projected, plus x;
 * q[t][c], k[j][c], v[j][c] for sample s come from QF, KF, VF. */
typedef double (*Feature) (const AttnCtx *c, int s, int t, int ch);

static void
attention_reference (const AttnCtx *c, int s, int L, int Tk, Feature qf, Feature kf, Feature vf,
                     const float *out)
{
  const SwAttnGeom *g = &c->g;
  const int d = g->C / g->heads;
  g_autofree double *o = g_new0 (double, (size_t) g->HW * g->C);
  g_autofree double *w = g_new (double, Tk);
  for (int hd = 0; hd < g->heads; hd++)
    for (int t = 0; t < g->HW; t++)
      {
        double max = -INFINITY, sum = 0.0;
        for (int j = 0; j < L; j++)
          {
            w[j] = 0.0;
            for (int e = hd * d; e < (hd + 1) * d; e++)
              w[j] += qf (c, s, t, e) * kf (c, s, j, e) / sqrt (d);
            max = fmax (max, w[j]);
          }
        for (int j = 0; j < L; j++)
          sum += (w[j] = exp (w[j] - max));
        for (int j = 0; j < L; j++)
          for (int e = hd * d; e < (hd + 1) * d; e++)
            o[(size_t) t * g->C + e] += w[j] / sum * vf (c, s, j, e);
      }
  for (int co = 0; co < g->C; co++)
    for (int t = 0; t < g->HW; t++)
      {
        size_t k = ((size_t) co * g->N + s) * g->HW + t;
        double want = c->x[k] + c->bproj[co];
        for (int e = 0; e < g->C; e++)
          want += c->wproj[co * g->C + e] * o[(size_t) t * g->C + e];
        g_assert_cmpfloat_with_epsilon (out[k], want, 1e-4);
      }
}

/* row R of a 1x1 convolution (W, b) of the map h at (sample s, token t) */
static double
conv_row (const AttnCtx *c, const float *w, const float *b, int r, int s, int t)
{
  double v = b[r];
  for (int i = 0; i < c->g.C; i++)
    v += (double) w[r * c->g.C + i] * c->h[((size_t) i * c->g.N + s) * c->g.HW + t];
  return v;
}

static double self_q (const AttnCtx *c, int s, int t, int e) { return conv_row (c, c->wq, c->bq, e, s, t); }
static double self_k (const AttnCtx *c, int s, int t, int e) { return conv_row (c, c->wq, c->bq, c->g.C + e, s, t); }
static double self_v (const AttnCtx *c, int s, int t, int e) { return conv_row (c, c->wq, c->bq, 2 * c->g.C + e, s, t); }

/* row R of Linear (Wkv, bkv) of word j of sample s */
static double
word_row (const AttnCtx *c, int r, int s, int j)
{
  double v = c->bkv[r];
  for (int i = 0; i < c->g.E; i++)
    v += (double) c->wkv[r * c->g.E + i] * c->words[((size_t) s * c->g.L + j) * c->g.E + i];
  return v;
}

static double cross_k (const AttnCtx *c, int s, int j, int e) { return word_row (c, e, s, j); }
static double cross_v (const AttnCtx *c, int s, int j, int e) { return word_row (c, c->g.C + e, s, j); }

static void
test_self_attention (void)
{
  AttnCtx c = attn_ctx ((SwAttnGeom) { .C = 4, .N = 2, .HW = 6, .heads = 2 }, false, 0.3f);
  const size_t n = (size_t) c.g.C * c.g.N * c.g.HW;
  g_autofree float *y = g_new (float, n);
  self_run (&c, y);
  for (int s = 0; s < c.g.N; s++)
    attention_reference (&c, s, c.g.HW, c.g.HW, self_q, self_k, self_v, y);

  g_autofree float *R = randn (n, 1.0f), *dx = g_new0 (float, n), *dh = g_new0 (float, n);
  g_autofree float *dw = g_new0 (float, 12 * 4), *db = g_new0 (float, 12);
  g_autofree float *dwp = g_new0 (float, 16), *dbp = g_new0 (float, 4);
  g_autofree float *work = g_new (float, sw_self_attention_work_floats (&c.g));
  sw_self_attention_backward (&c.g, c.h, c.wq, c.wproj, c.q, c.probs, c.attn, R,
                              dx, dh, dw, db, dwp, dbp, work);
  Probe p = { self_run, &c, n, R };
  check_fd ("self-attention residual", &p, c.x, n, dx);
  check_fd ("self-attention input", &p, c.h, n, dh);
  check_fd ("self-attention qkv weight", &p, c.wq, 48, dw);
  check_fd ("self-attention qkv bias", &p, c.bq, 12, db);
  check_fd ("self-attention proj weight", &p, c.wproj, 16, dwp);
  check_fd ("self-attention proj bias", &p, c.bproj, 4, dbp);
  attn_ctx_clear (&c);
}

static void
test_cross_attention (void)
{
  AttnCtx c = attn_ctx ((SwAttnGeom) { .C = 4, .N = 3, .HW = 5, .heads = 2, .L = 3, .E = 5 },
                        true, 0.5f);
  c.len[0] = 2, c.len[1] = 3, c.len[2] = 0;   /* two words, three, the empty prompt */
  const size_t n = (size_t) c.g.C * c.g.N * c.g.HW, nw = (size_t) c.g.N * c.g.L * c.g.E;
  g_autofree float *y = g_new (float, n);
  cross_run (&c, y);
  for (int s = 0; s < c.g.N; s++)
    attention_reference (&c, s, c.len[s], c.g.L, self_q, cross_k, cross_v, y);

  g_autofree float *R = randn (n, 1.0f), *dx = g_new0 (float, n), *dh = g_new0 (float, n);
  g_autofree float *dwords = g_new0 (float, nw);
  g_autofree float *dwq = g_new0 (float, 16), *dbq = g_new0 (float, 4);
  g_autofree float *dwkv = g_new0 (float, 8 * 5), *dbkv = g_new0 (float, 8);
  g_autofree float *dwp = g_new0 (float, 16), *dbp = g_new0 (float, 4);
  g_autofree float *work = g_new (float, sw_cross_attention_work_floats (&c.g));
  sw_cross_attention_backward (&c.g, c.h, c.words, c.wq, c.wkv, c.wproj, c.q, c.kv,
                               c.probs, c.attn, R, dx, dh, dwords, dwq, dbq, dwkv, dbkv,
                               dwp, dbp, work);
  Probe p = { cross_run, &c, n, R };
  check_fd ("cross-attention residual", &p, c.x, n, dx);
  check_fd ("cross-attention input", &p, c.h, n, dh);
  check_fd ("cross-attention words", &p, c.words, nw, dwords);
  check_fd ("cross-attention q weight", &p, c.wq, 16, dwq);
  check_fd ("cross-attention q bias", &p, c.bq, 4, dbq);
  check_fd ("cross-attention kv weight", &p, c.wkv, 40, dwkv);
  check_fd ("cross-attention kv bias", &p, c.bkv, 8, dbkv);
  check_fd ("cross-attention proj weight", &p, c.wproj, 16, dwp);
  check_fd ("cross-attention proj bias", &p, c.bproj, 4, dbp);
  /* the padding after sample 0's two words, and every word of the empty
   * prompt, get no gradient */
  for (int e = 0; e < c.g.E; e++)
    {
      g_assert_cmpfloat (dwords[(0 * 3 + 2) * 5 + e], ==, 0.0f);
      for (int j = 0; j < 3; j++)
        g_assert_cmpfloat (dwords[(2 * 3 + j) * 5 + e], ==, 0.0f);
    }
  attn_ctx_clear (&c);
}

/* Logits of about +-1e4: exp would overflow without the largest logit
 * subtracted.  The softmax is then one-hot on the largest logit, so each
 * token's attention is the value of the key its query points at. */
static void
test_attention_large_logits (void)
{
  AttnCtx c = attn_ctx ((SwAttnGeom) { .C = 2, .N = 1, .HW = 4, .heads = 1 }, false, 0.0f);
  memset (c.bq, 0, sizeof (float) * 6);
  /* q = k = 100 h (channel 0), v = h (channel 1); h = +-1 gives logits
   * 100*100*(+-1)(+-1)/sqrt(2) = +-7071 */
  c.wq[0 * 2 + 0] = 100.0f;  c.wq[2 * 2 + 0] = 100.0f;  c.wq[4 * 2 + 1] = 1.0f;
  const float sign[4] = { 1.0f, -1.0f, -1.0f, 1.0f };
  for (int t = 0; t < 4; t++)
    {
      c.h[t] = sign[t];
      c.h[4 + t] = (float) (t * t);   /* the value of token t */
    }
  memset (c.x, 0, sizeof (float) * 8);
  memset (c.wproj, 0, sizeof (float) * 4);
  memset (c.bproj, 0, sizeof (float) * 2);
  c.wproj[0] = 1.0f;   /* out channel 0 = the attention's channel 0, the value read */
  g_autofree float *y = g_new (float, 8);
  self_run (&c, y);
  for (int i = 0; i < 16; i++)
    g_assert_true (isfinite (c.probs[i]));
  /* A positive query picks the keys of tokens 0 and 3 (values 0, 9), a
   * negative one those of tokens 1 and 2 (1, 4), half each. */
  for (int t = 0; t < 4; t++)
    {
      float want = sign[t] > 0 ? 4.5f : 2.5f;
      g_assert_cmpfloat_with_epsilon (y[t], want, 1e-4);
      for (int j = 0; j < 4; j++)
        g_assert_cmpfloat_with_epsilon (c.probs[t * 4 + j], sign[t] == sign[j] ? 0.5f : 0.0f, 1e-6);
    }
  attn_ctx_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sw_rng_init (&rng, 42, 2);
  g_test_add_func ("/layers-adm/groupnorm/forward-reference", test_groupnorm_forward_reference);
  g_test_add_func ("/layers-adm/groupnorm/backward", test_groupnorm_backward);
  g_test_add_func ("/layers-adm/groupnorm/refuses-groups", test_groupnorm_refuses_groups);
  g_test_add_func ("/layers-adm/adagn", test_adagn);
  g_test_add_func ("/layers-adm/silu", test_silu);
  g_test_add_func ("/layers-adm/upsample", test_upsample);
  g_test_add_func ("/layers-adm/dropout", test_dropout);
  g_test_add_func ("/layers-adm/timestep-embedding", test_timestep_embedding);
  g_test_add_func ("/layers-adm/pointwise", test_pointwise);
  g_test_add_func ("/layers-adm/self-attention", test_self_attention);
  g_test_add_func ("/layers-adm/cross-attention", test_cross_attention);
  g_test_add_func ("/layers-adm/attention-large-logits", test_attention_large_logits);
  return g_test_run ();
}
