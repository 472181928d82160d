/* Multi-head attention over a feature map's tokens, ADM's AttentionBlock
 * (after its GroupNorm) and the cross-attention of Imagen and DeepFloyd IF
 * to a prompt's words.
 *
 * In the (C, N, T) layout a head's queries are d rows of T tokens, row
 * stride N*T: Qᵀ (d, T) as a strided matrix, so every product of a
 * (sample, head) is one GEMM on the feature map in place, no transposes.
 * The (sample, head) pairs are independent and go to the threads whole. */
#include "nn/layers-adm.h"
#include "base/parallel.h"
#include "base/simd.h"
#include "nn/exp-neg.h"
#include "nn/sums.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* where the d rows of head nh % HEADS of sample nh / HEADS start in a
 * (C, N, T) map */
static size_t
head_offset (int N, int heads, int d, int T, int nh)
{
  return ((size_t) (nh % heads) * d * N + nh / heads) * T;
}

/* A row of logits to the softmax of its first L values, 0 after them.
 * Subtracting the row's largest logit keeps exp in range (logits of 1e4
 * would overflow it otherwise) and leaves every argument <= 0, where
 * exp_neg_fast vectorises: libm's scalar expf and the sum into one double
 * were most of a 64-token attention's time outside its GEMMs. */
SW_VECTOR_CLONES static void
softmax_row (float *restrict row, int L, int Tk)
{
  float max = -INFINITY;
  for (int j = 0; j < L; j++)
    max = row[j] > max ? row[j] : max;
  for (int j = 0; j < L; j++)
    row[j] = exp_neg_fast (row[j] - max);
  double sum, unused;
  sw_sums (row, 0.0f, row, 0.0f, L, &sum, &unused);
  const float inv = L > 0 ? (float) (1.0 / sum) : 0.0f;
  for (int j = 0; j < L; j++)
    row[j] *= inv;
  for (int j = L; j < Tk; j++)
    row[j] = 0.0f;
}

/* The attention of every (sample, head): q (C, N, Tq), k and v (C, N, Tk)
 * -> o (C, N, Tq), probs (N, heads, Tq, Tk).  LEN (N), when given, keeps
 * the first len[n] keys of sample n; a sample with none gets o = 0. */
static void
attend_forward (int C, int N, int heads, int Tq, int Tk, const int *len,
                const float *q, const float *k, const float *v, float *probs, float *o)
{
  const int d = C / heads;
  const float scale = 1.0f / sqrtf ((float) d);
  const int ldq = N * Tq, ldk = N * Tk;
#pragma omp parallel for schedule(static) if (sw_parallel_pays (4.0 * C * N * Tq * Tk))
  for (int nh = 0; nh < N * heads; nh++)
    {
      const int n = nh / heads;
      const size_t qo = head_offset (N, heads, d, Tq, nh), ko = head_offset (N, heads, d, Tk, nh);
      float *P = probs + (size_t) nh * Tq * Tk;
      const int L = len ? len[n] : Tk;
      /* S (Tq, Tk) = Q Kᵀ / sqrt(d) = (Qᵀ)ᵀ Kᵀ / sqrt(d) */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Tq, Tk, d,
                   scale, q + qo, ldq, k + ko, ldk, 0.0f, P, Tk);
      for (int i = 0; i < Tq; i++)
        softmax_row (P + (size_t) i * Tk, L, Tk);
      /* Oᵀ (d, Tq) = Vᵀ (d, Tk) Pᵀ */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, d, Tq, Tk,
                   1.0f, v + ko, ldk, P, Tk, 0.0f, o + qo, ldq);
    }
}

/* The gradients of attend_forward's q, k and v from do_ (C, N, Tq), added
 * into dq, dk and dv; work: N*heads*Tq*Tk floats. */
static void
attend_backward (int C, int N, int heads, int Tq, int Tk,
                 const float *q, const float *k, const float *v, const float *probs,
                 const float *do_, float *dq, float *dk, float *dv, float *work)
{
  const int d = C / heads;
  const float scale = 1.0f / sqrtf ((float) d);
  const int ldq = N * Tq, ldk = N * Tk;
#pragma omp parallel for schedule(static) if (sw_parallel_pays (4.0 * C * N * Tq * Tk))
  for (int nh = 0; nh < N * heads; nh++)
    {
      const size_t qo = head_offset (N, heads, d, Tq, nh), ko = head_offset (N, heads, d, Tk, nh);
      const float *P = probs + (size_t) nh * Tq * Tk;
      float *dS = work + (size_t) nh * Tq * Tk;
      /* dP (Tq, Tk) = dO V ᵀ = (dOᵀ)ᵀ Vᵀ;  dVᵀ (d, Tk) += dOᵀ P */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Tq, Tk, d,
                   1.0f, do_ + qo, ldq, v + ko, ldk, 0.0f, dS, Tk);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, d, Tk, Tq,
                   1.0f, do_ + qo, ldq, P, Tk, 1.0f, dv + ko, ldk);
      /* through the softmax: dS = P (dP - sum_j P dP), row by row */
      for (int i = 0; i < Tq; i++)
        {
          const float *p = P + (size_t) i * Tk;
          float *g = dS + (size_t) i * Tk;
          double unused, dot;
          sw_sums (p, 0.0f, g, 0.0f, Tk, &unused, &dot);
          for (int j = 0; j < Tk; j++)
            g[j] = p[j] * (g[j] - (float) dot);
        }
      /* dQᵀ (d, Tq) += Kᵀ dSᵀ / sqrt(d);  dKᵀ (d, Tk) += Qᵀ dS / sqrt(d) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, d, Tq, Tk,
                   scale, k + ko, ldk, dS, Tk, 1.0f, dq + qo, ldq);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, d, Tk, Tq,
                   scale, q + qo, ldq, dS, Tk, 1.0f, dk + ko, ldk);
    }
}

/* out = x + Wproj attn + bproj, over (C, M) */
static void
project_forward (int C, size_t M, const float *x, const float *attn,
                 const float *wproj, const float *bproj, float *out)
{
  sw_pointwise_forward (C, C, M, attn, wproj, bproj, out);
  const size_t n = (size_t) C * M;
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values (n))
  for (size_t i = 0; i < n; i++)
    out[i] += x[i];
}

/* project_forward's gradients; dattn (C, M) is written, not added to */
static void
project_backward (int C, size_t M, const float *attn, const float *wproj, const float *dout,
                  float *dx, float *dattn, float *dwproj, float *dbproj)
{
  const size_t n = (size_t) C * M;
  if (dx)
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values (n))
    for (size_t i = 0; i < n; i++)
      dx[i] += dout[i];
  memset (dattn, 0, sizeof (float) * n);
  sw_pointwise_backward (C, C, M, attn, wproj, dout, dattn, dwproj, dbproj);
}

/* ------------------------------------------------------ self-attention */

size_t
sw_self_attention_work_floats (const SwAttnGeom *g)
{
  const size_t M = (size_t) g->N * g->HW;
  /* dattn (C, M), dqkv (3C, M), dS per (sample, head) */
  return 4 * (size_t) g->C * M + (size_t) g->N * g->heads * g->HW * g->HW;
}

void
sw_self_attention_forward (const SwAttnGeom *g, const float *x, const float *h,
                           const float *wqkv, const float *bqkv,
                           const float *wproj, const float *bproj,
                           float *qkv, float *probs, float *attn, float *out)
{
  const int C = g->C;
  const size_t M = (size_t) g->N * g->HW;
  sw_pointwise_forward (C, 3 * C, M, h, wqkv, bqkv, qkv);
  attend_forward (C, g->N, g->heads, g->HW, g->HW, NULL,
                  qkv, qkv + C * M, qkv + 2 * C * M, probs, attn);
  project_forward (C, M, x, attn, wproj, bproj, out);
}

void
sw_self_attention_backward (const SwAttnGeom *g, const float *h, const float *wqkv,
                            const float *wproj, const float *qkv, const float *probs,
                            const float *attn, const float *dout,
                            float *dx, float *dh, float *dwqkv, float *dbqkv,
                            float *dwproj, float *dbproj, float *work)
{
  const int C = g->C;
  const size_t M = (size_t) g->N * g->HW;
  float *dattn = work, *dqkv = work + C * M, *dS = work + 4 * C * M;
  project_backward (C, M, attn, wproj, dout, dx, dattn, dwproj, dbproj);
  memset (dqkv, 0, sizeof (float) * 3 * C * M);
  attend_backward (C, g->N, g->heads, g->HW, g->HW, qkv, qkv + C * M, qkv + 2 * C * M,
                   probs, dattn, dqkv, dqkv + C * M, dqkv + 2 * C * M, dS);
  sw_pointwise_backward (C, 3 * C, M, h, wqkv, dqkv, dh, dwqkv, dbqkv);
}

/* ----------------------------------------------------- cross-attention */

size_t
sw_cross_attention_work_floats (const SwAttnGeom *g)
{
  const size_t M = (size_t) g->N * g->HW, NL = (size_t) g->N * g->L;
  /* dattn and dq (C, M), dkv (2C, N*L), dS per (sample, head) */
  return 2 * (size_t) g->C * M + 2 * (size_t) g->C * NL + (size_t) g->N * g->heads * g->HW * g->L;
}

void
sw_cross_attention_forward (const SwAttnGeom *g, const float *x, const float *h,
                            const float *words, const int *len,
                            const float *wq, const float *bq, const float *wkv,
                            const float *bkv, const float *wproj, const float *bproj,
                            float *q, float *kv, float *probs, float *attn, float *out)
{
  const int C = g->C, NL = g->N * g->L;
  const size_t M = (size_t) g->N * g->HW;
  sw_pointwise_forward (C, C, M, h, wq, bq, q);
  /* kv (2C, N*L) = Wkv (2C, E) x wordsᵀ + bkv: the words' keys and values
   * laid out as a feature map of N*L tokens */
  for (int o = 0; o < 2 * C; o++)
    for (int i = 0; i < NL; i++)
      kv[(size_t) o * NL + i] = bkv[o];
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, 2 * C, NL, g->E,
               1.0f, wkv, g->E, words, g->E, 1.0f, kv, NL);
  attend_forward (C, g->N, g->heads, g->HW, g->L, len, q, kv, kv + (size_t) C * NL, probs, attn);
  project_forward (C, M, x, attn, wproj, bproj, out);
}

void
sw_cross_attention_backward (const SwAttnGeom *g, const float *h, const float *words,
                             const float *wq, const float *wkv,
                             const float *wproj, const float *q, const float *kv,
                             const float *probs, const float *attn, const float *dout,
                             float *dx, float *dh, float *dwords, float *dwq, float *dbq,
                             float *dwkv, float *dbkv, float *dwproj, float *dbproj,
                             float *work)
{
  /* masked keys have probability 0, so their gradients come out 0 */
  const int C = g->C, NL = g->N * g->L;
  const size_t M = (size_t) g->N * g->HW;
  float *dattn = work, *dq = work + C * M, *dkv = work + 2 * C * M;
  float *dS = dkv + (size_t) 2 * C * NL;
  project_backward (C, M, attn, wproj, dout, dx, dattn, dwproj, dbproj);
  memset (dq, 0, sizeof (float) * C * M);
  memset (dkv, 0, sizeof (float) * 2 * C * NL);
  attend_backward (C, g->N, g->heads, g->HW, g->L, q, kv, kv + (size_t) C * NL, probs,
                   dattn, dq, dkv, dkv + (size_t) C * NL, dS);
  sw_pointwise_backward (C, C, M, h, wq, dq, dh, dwq, dbq);
  if (dbkv)
    for (int o = 0; o < 2 * C; o++)
      {
        double s, unused;
        sw_sums (dkv + (size_t) o * NL, 0.0f, dkv, 0.0f, NL, &s, &unused);
        dbkv[o] += (float) s;
      }
  if (dwkv)  /* dWkv (2C, E) += dkv (2C, N*L) x words (N*L, E) */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * C, g->E, NL,
                 1.0f, dkv, NL, words, g->E, 1.0f, dwkv, g->E);
  if (dwords)  /* dwords (N*L, E) += dkvᵀ x Wkv */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, NL, g->E, 2 * C,
                 1.0f, dkv, NL, wkv, g->E, 1.0f, dwords, g->E);
}
