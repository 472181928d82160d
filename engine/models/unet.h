/* unet.h: the write-up's UNet (docs/math.md 2.1-2.3).
 *
 *   ConvBlock(C->D) = d1 -> DownBlock(D->D) = d2 -> DownBlock(D->2D) = d3
 *   -> Flatten (AvgPool + GELU) -> Unflatten (ConvT k=s=H/4) = u0 [modulated]
 *   -> UpBlock(cat(d3,u0): 4D->D) = up1 [modulated]
 *   -> UpBlock(cat(d2,up1): 2D->D) -> ConvBlock(cat(d1,.): 2D->D) -> Conv(D->C)
 *
 * Conditioning by FCBlocks (Linear -> GELU -> Linear):
 *   time only:  u0 = u0 * t1 (SW_TIME_MUL, flow matching) or u0 + t1 (SW_TIME_ADD, DDPM)
 *   time+class: u0 = c1 * u0 + t1, up1 = c2 * up1 + t2
 * t is normalised to [0, 1]; an all-zero class vector means "no class".
 * SW_COND_EVERY (time+class only) modulates the output of every block the
 * same way, d1, d2, d3, u0, up1, up2 and the last ConvBlock, each with its
 * own pair of FCBlocks, before anything (a skip connection included) reads
 * it: a prompt of thousands of words steers the net at every scale.
 * SW_COND_FILM modulates the same points, but each class FCBlock gives a
 * scale and a shift (Linear -> GELU -> Linear(C -> 2C)), around the
 * identity: out = (1 + c_scale) * out + (t1 + c_shift).  The prompt then
 * both scales and shifts every block's output, as the class embedding does
 * in the AdaGN/FiLM conditioning of Dhariwal & Nichol's and Peebles &
 * Xie's nets, where under SW_COND_EVERY it only scales, and a net's
 * starting point is its unconditioned self rather than a block output
 * scaled down to the FCBlock's random size.
 * With embed_dim E > 0 (class only) the class vector, a bag of V words,
 * first goes through one EmbeddingBag (V -> E, "embed.weight" (V, E),
 * initialised N(0, 0.02) as DiT's label embedding) that every class
 * FCBlock reads: each word is one learned E-vector shared by all the
 * points, instead of a column of each point's first Linear, so a word seen
 * in one caption learns from every point at once.
 *
 * Verbs, as in llm.c: new, init_params, forward, zero_grad, backward, free.
 * Parameters, their gradients and the BatchNorm running statistics each live
 * in one allocation; the tensor table names every piece with the same
 * state_dict key a PyTorch port of the net would use. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "nn/tensor-table.h"

G_BEGIN_DECLS

typedef enum {
  SW_UNET_UNCOND,  /* f(x) */
  SW_UNET_TIME,    /* f(x, t) */
  SW_UNET_CLASS,   /* f(x, t, c) */
} SwUnetVariant;

typedef enum {
  SW_TIME_MUL,  /* flow matching pages: u0 * t1 */
  SW_TIME_ADD,  /* DDPM page: u0 + t1 */
} SwTimeMod;

/* where time and class modulate the net (SW_UNET_CLASS) */
typedef enum {
  SW_COND_COURSE,  /* the course's two points, u0 and up1 */
  SW_COND_EVERY,   /* after every block */
  SW_COND_FILM,    /* after every block, the class giving scale and shift */
} SwCondPoints;

typedef struct {
  SwUnetVariant variant;
  SwTimeMod     time_mod;
  SwCondPoints  cond;       /* all but SW_COND_COURSE need SW_UNET_CLASS */
  int           D;          /* hidden width, 1..1024 */
  int           channels;   /* 1 (grey) or 3 (RGB) */
  int           size;       /* 28 or 32 (any multiple of 4 from 8 to 128 works) */
  int           class_dim;  /* width of the class vector, SW_UNET_CLASS only */
  int           embed_dim;  /* width of the word embedding, 0: none (SW_UNET_CLASS only) */
} SwUnetConfig;


typedef struct _SwUnet SwUnet;

const char *sw_unet_variant_name (SwUnetVariant v);  /* "uncond", "time", "class" */
gboolean    sw_unet_variant_from_name (const char *name, SwUnetVariant *out);
const char *sw_time_mod_name (SwTimeMod m);           /* "mul", "add" */
gboolean    sw_time_mod_from_name (const char *name, SwTimeMod *out);
const char *sw_cond_points_name (SwCondPoints p);      /* "course", "every", "film" */
gboolean    sw_cond_points_from_name (const char *name, SwCondPoints *out);

/* Checks the configuration and reports what is out of range. */
gboolean sw_unet_config_validate (const SwUnetConfig *cfg, GError **error);

SwUnet  *sw_unet_new (const SwUnetConfig *cfg, GError **error);
void     sw_unet_free (SwUnet *net);
const SwUnetConfig *sw_unet_config (const SwUnet *net);

/* PyTorch's default initialisation (uniform +-1/sqrt(fan_in) for weights
 * and biases, BatchNorm gamma 1, beta 0, running mean 0, var 1), seeded. */
void     sw_unet_init_params (SwUnet *net, uint64_t seed);

/* Whether INFO is a tensor that holds one vector per class or prompt word:
 * the first Linear of each class FCBlock, or the word embedding when the
 * net has one.  Such a vector learns only from the images of its class or
 * word (recipe.h: word_lr). */
gboolean sw_unet_tensor_holds_words (const SwUnet *net, const SwTensorInfo *info);

/* BatchNorm running statistics back to mean 0, variance 1, and the weight
 * a training forward gives its batch in them (SW_BN_MOMENTUM until set):
 * with 1/k for the k-th batch after a reset they become the plain average
 * of k batches' statistics, as torch.optim.swa_utils.update_bn computes
 * for averaged weights. */
void     sw_unet_reset_bn_stats (SwUnet *net);
void     sw_unet_set_bn_momentum (SwUnet *net, float momentum);

size_t               sw_unet_num_params (const SwUnet *net);   /* trainable floats */
size_t               sw_unet_num_buffers (const SwUnet *net);
size_t               sw_unet_n_tensors (const SwUnet *net);
const SwTensorInfo  *sw_unet_tensor (const SwUnet *net, size_t i);
const SwTensorInfo  *sw_unet_find_tensor (const SwUnet *net, const char *name);
float               *sw_unet_params (SwUnet *net);
float               *sw_unet_grads (SwUnet *net);
float               *sw_unet_buffers (SwUnet *net);
/* pointer to a tensor's data (params or buffers) */
float               *sw_unet_tensor_data (SwUnet *net, const SwTensorInfo *info);

/* x (N, C, H, W); t (N) in [0,1] or NULL for SW_UNET_UNCOND; c (N, class_dim)
 * or NULL (= no class) for SW_UNET_CLASS; out (N, C, H, W).
 * training selects BatchNorm's batch statistics (and updates the running
 * averages); otherwise the running averages are used.  Grows the activation
 * memory for N on demand. */
void     sw_unet_forward (SwUnet *net, int N, const float *x, const float *t,
                          const float *c, bool training, float *out);
void     sw_unet_zero_grad (SwUnet *net);
/* Gradient of a loss with respect to the last forward's output, dout
 * (N, C, H, W); accumulates into the parameter gradients. */
void     sw_unet_backward (SwUnet *net, const float *dout);

/* Multiply-adds x 2 of one forward pass for one image (convolutions and
 * linear layers), for the benchmark's GFLOP/s. */
double   sw_unet_forward_flops (const SwUnet *net);
/* bytes of activation memory currently held */
size_t   sw_unet_activation_bytes (const SwUnet *net);

G_END_DECLS
