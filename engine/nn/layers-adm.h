/* layers-adm.h: the layers of the residual attention UNet (models/resunet.h,
 * Dhariwal & Nichol 2021's ADM), as forward/backward function pairs.
 *
 * Same conventions as layers.h: feature maps (C, N, H, W), vectors (N, F);
 * forward writes its output, backward ACCUMULATES (+=) into every gradient
 * it is given, and a NULL gradient is skipped.  "work" is scratch of the
 * size the matching *_work_floats() gives. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"

/* ---- GroupNorm over (C, N, H, W): per sample, G groups of C/G channels ----
 * Each (sample, group) is normalised by its own mean and biased variance,
 * then y = gamma[c] * xhat + beta[c].  mean, rstd (N, G) are saved for
 * backward.  eps = 1e-5, PyTorch's. */
#define SW_GN_EPS 1e-5f
/* G must divide C (and both be at least 1): the error says what is accepted */
gboolean sw_groupnorm_check (int C, int G, GError **error);
void sw_groupnorm_forward (int C, int N, int HW, int G, const float *inp,
                           const float *gamma, const float *beta,
                           float *mean, float *rstd, float *out);
void sw_groupnorm_backward (int C, int N, int HW, int G, const float *inp,
                            const float *gamma, const float *mean, const float *rstd,
                            const float *dout, float *dinp, float *dgamma, float *dbeta);

/* ---- AdaGN: out = GroupNorm(inp) * (1 + scale) + shift ----
 * ss (N, 2C) holds each sample's scale (first C) and shift (last C), the
 * order in which ADM chunks its embedding projection.  normed (C, N, H, W)
 * keeps the GroupNorm output for backward, whose work is C*N*HW floats. */
void sw_adagn_forward (int C, int N, int HW, int G, const float *inp,
                       const float *gamma, const float *beta, const float *ss,
                       float *mean, float *rstd, float *normed, float *out);
void sw_adagn_backward (int C, int N, int HW, int G, const float *inp,
                        const float *gamma, const float *ss, const float *mean,
                        const float *rstd, const float *normed, const float *dout,
                        float *dinp, float *dgamma, float *dbeta, float *dss, float *work);

/* ---- SiLU: x * sigmoid(x) ---- */
void sw_silu_forward (size_t n, const float *inp, float *out);
void sw_silu_backward (size_t n, const float *inp, const float *dout, float *dinp);

/* ---- nearest-neighbour 2x upsampling: inp (C, N, H, W) -> out (C, N, 2H, 2W) ---- */
void sw_upsample2x_forward (int CN, int H, int W, const float *inp, float *out);
void sw_upsample2x_backward (int CN, int H, int W, const float *dout, float *dinp);

/* ---- dropout: each value zeroed with probability p, the rest scaled by
 * 1/(1 - p), the mask (n) drawn from RNG and kept for backward ---- */
void sw_dropout_forward (size_t n, float p, SwRng *rng, const float *inp, float *mask, float *out);
void sw_dropout_backward (size_t n, const float *mask, const float *dout, float *dinp);

/* ---- sinusoidal timestep embedding (ADM's timestep_embedding) ----
 * t (N) -> out (N, dim), dim even: out[n, i] = cos(t f_i),
 * out[n, dim/2 + i] = sin(t f_i), f_i = 10000^(-i / (dim/2)).  t is data
 * (the timestep), so there is no backward. */
void sw_timestep_embedding (int N, int dim, const float *t, float *out);

/* ---- pointwise (1x1) convolution as one GEMM ----
 * inp (Cin, M), weight (Cout, Cin), bias (Cout) -> out (Cout, M), where
 * M = N*H*W: a feature map's channels are its rows. */
void sw_pointwise_forward (int cin, int cout, size_t M, const float *inp,
                           const float *weight, const float *bias, float *out);
void sw_pointwise_backward (int cin, int cout, size_t M, const float *inp,
                            const float *weight, const float *dout,
                            float *dinp, float *dweight, float *dbias);

/* ---- multi-head attention over a feature map's H*W tokens ----
 * Per sample and head (C/heads channels of width d each), softmax(Q Kᵀ/√d) V
 * with each row's largest logit subtracted before exp, then a 1x1 output
 * projection and the residual: out = x + proj(attention).  Q, K and V
 * are read from h, GroupNorm(x) in ADM's block, so x is only the residual.
 *
 * Self-attention: qkv = Wqkv h + b, rows [0, C) Q, [C, 2C) K, [2C, 3C) V. */
typedef struct {
  int C, N, HW, heads;
  int L, E;       /* cross-attention: words per sample (padded) and their width */
} SwAttnGeom;

/* probs (N, heads, HW, HW); work floats for backward: */
size_t sw_self_attention_work_floats (const SwAttnGeom *g);
void sw_self_attention_forward (const SwAttnGeom *g, const float *x, const float *h,
                                const float *wqkv, const float *bqkv,
                                const float *wproj, const float *bproj,
                                float *qkv, float *probs, float *attn, float *out);
void sw_self_attention_backward (const SwAttnGeom *g, const float *h, const float *wqkv,
                                 const float *wproj, const float *qkv, const float *probs,
                                 const float *attn, const float *dout,
                                 float *dx, float *dh, float *dwqkv, float *dbqkv,
                                 float *dwproj, float *dbproj, float *work);

/* Cross-attention from the image tokens to a prompt's words:
 * Q = Wq h + bq (C, N, HW); words (N, L, E) padded, len (N) the words of
 * each sample (0..L), the rest masked out; K = Wk words + bk and
 * V = Wv words + bv laid out kv (2C, N, L).  A sample with no words
 * attends to nothing: its attention is 0 and out = x + bproj.
 * probs (N, heads, HW, L). */
size_t sw_cross_attention_work_floats (const SwAttnGeom *g);
void sw_cross_attention_forward (const SwAttnGeom *g, const float *x, const float *h,
                                 const float *words, const int *len,
                                 const float *wq, const float *bq, const float *wkv,
                                 const float *bkv, const float *wproj, const float *bproj,
                                 float *q, float *kv, float *probs, float *attn, float *out);
/* wkv (2C, E), bkv (2C): K's rows then V's.  Masked words get no gradient. */
void sw_cross_attention_backward (const SwAttnGeom *g, const float *h, const float *words,
                                  const float *wq, const float *wkv,
                                  const float *wproj, const float *q, const float *kv,
                                  const float *probs, const float *attn, const float *dout,
                                  float *dx, float *dh, float *dwords, float *dwq, float *dbq,
                                  float *dwkv, float *dbkv, float *dwproj, float *dbproj,
                                  float *work);
