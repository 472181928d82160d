/* layers.h: the UNet's layers as forward/backward function pairs.
 *
 * Layout: feature maps are (C, N, H, W) — channel-major, then batch — so that
 * a convolution over the whole batch is one GEMM (out[Cout, N*H*W] =
 * W[Cout, K] x col[K, N*H*W]) and BatchNorm's per-channel statistics read one
 * contiguous run.  Vectors fed to Linear layers are (N, F).
 *
 * Conventions (as in llm.c): forward writes its output; backward ACCUMULATES
 * (+=) into every gradient it is given, parameter and input alike, so skip
 * connections simply add.  A NULL input gradient is skipped.  "work" is
 * scratch from the matching *_work_floats(). */
#pragma once

#include <stddef.h>
#include <stdbool.h>

/* ---- convolution geometry shared by Conv2d and ConvTranspose2d ---- */

typedef struct {
  int cin, cout;    /* channels in and out */
  int k;            /* square kernel */
  int stride, pad;
} SwConvGeom;

int sw_conv_out_size (int in, int k, int stride, int pad);            /* (in + 2p - k)/s + 1 */
int sw_conv_transpose_out_size (int in, int k, int stride, int pad);  /* (in - 1)s - 2p + k */

/* ---- Conv2d: weight (Cout, Cin, k, k), bias (Cout) ----
 * inp (Cin, N, H, W) -> out (Cout, N, Ho, Wo) */
size_t sw_conv2d_work_floats (const SwConvGeom *g, int N, int H, int W);
void sw_conv2d_forward (const SwConvGeom *g, int N, int H, int W,
                        const float *inp, const float *weight, const float *bias,
                        float *out, float *work);
void sw_conv2d_backward (const SwConvGeom *g, int N, int H, int W,
                         const float *inp, const float *weight, const float *dout,
                         float *dinp, float *dweight, float *dbias, float *work);

/* ---- ConvTranspose2d: weight (Cin, Cout, k, k) as in PyTorch, bias (Cout) ----
 * inp (Cin, N, H, W) -> out (Cout, N, Ho, Wo), Ho = (H-1)s - 2p + k */
size_t sw_conv_transpose2d_work_floats (const SwConvGeom *g, int N, int H, int W);
void sw_conv_transpose2d_forward (const SwConvGeom *g, int N, int H, int W,
                                  const float *inp, const float *weight, const float *bias,
                                  float *out, float *work);
void sw_conv_transpose2d_backward (const SwConvGeom *g, int N, int H, int W,
                                   const float *inp, const float *weight, const float *dout,
                                   float *dinp, float *dweight, float *dbias, float *work);

/* ---- BatchNorm2d over (C, N, H, W): M = N*H*W values per channel ----
 * Training: normalise with the batch mean and biased variance, save them in
 * mean/rstd (C), and move the running averages by MOMENTUM (the batch's
 * weight: SW_BN_MOMENTUM in training, 1/k for the k-th batch of a
 * cumulative average) using the unbiased variance (PyTorch's rule).
 * Eval: normalise with the running averages.  eps = 1e-5. */
#define SW_BN_EPS 1e-5f
#define SW_BN_MOMENTUM 0.1f
void sw_batchnorm_forward (int C, int M, const float *inp,
                           const float *gamma, const float *beta,
                           float *running_mean, float *running_var, bool training,
                           float momentum, float *mean, float *rstd, float *out);
/* mean/rstd are those saved by forward (in eval mode: the running stats as
 * saved by forward too). */
void sw_batchnorm_backward (int C, int M, const float *inp, const float *gamma,
                            const float *mean, const float *rstd, bool training,
                            const float *dout, float *dinp, float *dgamma, float *dbeta);

/* ---- exact GELU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) ---- */
void sw_gelu_forward (size_t n, const float *inp, float *out);
void sw_gelu_backward (size_t n, const float *inp, const float *dout, float *dinp);
/* the vectorisable erf and exp(x <= 0) GELU uses, exposed for tests */
float sw_erf (float x);
float sw_exp_neg (float x);

/* ---- Linear: weight (Fout, Fin) as in PyTorch, bias (Fout) ----
 * inp (N, Fin) -> out (N, Fout) */
void sw_linear_forward (int N, int fin, int fout, const float *inp,
                        const float *weight, const float *bias, float *out);
void sw_linear_backward (int N, int fin, int fout, const float *inp,
                         const float *weight, const float *dout,
                         float *dinp, float *dweight, float *dbias);

/* ---- EmbeddingBag: weight (V, E) as in PyTorch ----
 * bag (N, V), mostly zeros (a prompt's words, 1/k each) -> out (N, E);
 * the bag is data, so backward gives only the weight's gradient */
void sw_embedding_bag_forward (int N, int V, int E, const float *bag, const float *weight, float *out);
void sw_embedding_bag_backward (int N, int V, int E, const float *bag, const float *dout,
                                float *dweight);

/* ---- global average pool: inp (C, N, H, W) -> out (C, N) ---- */
void sw_avgpool_forward (int C, int N, int HW, const float *inp, float *out);
void sw_avgpool_backward (int C, int N, int HW, const float *dout, float *dinp);

/* ---- channel concat: a (Ca, N, H, W), b (Cb, N, H, W) -> out (Ca+Cb, N, H, W) ---- */
void sw_concat_forward (int ca, int cb, int NHW, const float *a, const float *b, float *out);
void sw_concat_backward (int ca, int cb, int NHW, const float *dout, float *da, float *db);

/* ---- conditioning: out = scale * inp + shift per (n, c) ----
 * inp (C, N, H, W); scale, shift (N, C), either may be NULL (then 1 / 0). */
void sw_modulate_forward (int C, int N, int HW, const float *inp,
                          const float *scale, const float *shift, float *out);
void sw_modulate_backward (int C, int N, int HW, const float *inp,
                           const float *scale, const float *dout,
                           float *dinp, float *dscale, float *dshift);

/* ---- mean squared error over n values: mean((pred - target)^2) ---- */
float sw_mse_forward (size_t n, const float *pred, const float *target);
/* dpred += 2 (pred - target) / n * scale */
void sw_mse_backward (size_t n, const float *pred, const float *target, float scale, float *dpred);

/* ---- layout conversion at the model's boundary ---- */
/* (N, C, HW) <-> (C, N, HW) */
void sw_nchw_to_cnhw (int N, int C, int HW, const float *inp, float *out);
void sw_cnhw_to_nchw (int N, int C, int HW, const float *inp, float *out);

/* ---- softmax cross-entropy over K classes ----
 * logits (N, K), labels (N) each below K.  Forward writes probs (N, K) and
 * returns mean_n(-log probs[n, labels[n]]); backward adds
 * (probs - onehot(labels)) / N into dlogits. */
#include <stdint.h>
float sw_softmax_xent_forward (int N, int K, const float *logits, const uint8_t *labels,
                               float *probs);
void sw_softmax_xent_backward (int N, int K, const float *probs, const uint8_t *labels,
                               float *dlogits);
