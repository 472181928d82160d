/* resunet.h: the residual attention UNet ("resunet"), in the manner of
 * Dhariwal & Nichol 2021's ADM (openai/guided-diffusion's unet.py) and
 * the UNets of Imagen and DeepFloyd IF; the course UNet (unet.h) stays
 * the Part B net.
 *
 *   emb = MLP(sinusoid(t)) [+ MLP'(sinusoid(s))]
 *         [+ Linear(mean of the prompt's word embeddings)]
 *   conv 3x3 (C [+ cond_channels] -> width * mult[0])
 *   per level l (grid size / 2^l): `blocks` ResBlocks to width * mult[l],
 *     each followed by self-attention (and cross-attention to the prompt's
 *     words) where the level has attention; a stride-2 3x3 conv down,
 *     but at the last level
 *   middle: ResBlock, attention (and cross-attention), ResBlock
 *   per level, last to first: `blocks` + 1 ResBlocks, each reading the
 *     concatenation of the path and one saved input-side output, with the
 *     level's attention; nearest 2x up then a 3x3 conv, but at level 0
 *   GroupNorm -> SiLU -> conv 3x3 (-> C), zero-initialised
 *
 * ResBlock(cin -> cout): GroupNorm -> SiLU -> conv 3x3 -> AdaGN(emb) ->
 * SiLU -> dropout -> conv 3x3 (zero-initialised), plus x through a 1x1
 * conv when cin != cout.  AdaGN's scale and shift are Linear(SiLU(emb)).
 * Attention block: GroupNorm, 1x1 QKV, multi-head softmax attention, 1x1
 * projection (zero-initialised), residual (layers-adm.h).
 *
 * A super-resolution net (the cascade's stage II, issue 24) reads a
 * conditioning image beside x: cond_channels more input channels (the
 * low-res image upsampled to the net's grid), concatenated to x before the
 * first conv, and with aug, s, the noise level the trainer added to that
 * image ("noise conditioning augmentation"), as a timestep whose sinusoid
 * goes through an MLP of its own (aug_embed.*, as time_embed.*) into emb,
 * as DeepFloyd IF's super-resolution UNet.  Both are off by default, and
 * a net without them is exactly the net it was before.
 *
 * The prompt arrives as a bag of words (N, vocab), as for the course
 * UNet's word models: the embedding bag gives the mean of its words'
 * E-vectors ("pool"), and cross-attention reads the first max_words of
 * its words, in vocabulary order, as (N, max_words, E) token vectors with
 * each sample's count as the mask ("cross").  The empty prompt (an
 * all-zero bag) pools to the zero vector and attends to no word.
 *
 * Verbs as unet.h: new, init_params, forward, zero_grad, backward, free;
 * parameters and their gradients each in one allocation, every tensor
 * named as the PyTorch reference's state_dict
 * (tests/reference/resunet_reference.py). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "nn/tensor-table.h"

G_BEGIN_DECLS

#define SW_RESUNET_MAX_LEVELS 4

typedef struct {
  int   channels;     /* image channels: 1 or 3 */
  int   size;         /* image side, 8..128, divisible by 2^(levels - 1) */
  int   width;        /* base width, even, 2..512 */
  int   levels;       /* 1..SW_RESUNET_MAX_LEVELS */
  int   mult[SW_RESUNET_MAX_LEVELS];  /* width multiplier per level, 1..8 */
  int   blocks;       /* ResBlocks per level, 1..4 */
  guint attn;         /* bit l set: level l has attention */
  int   heads;        /* attention heads, dividing every attention width */
  int   groups;       /* GroupNorm groups, dividing every width (ADM: 32) */
  float dropout;      /* ResBlock dropout, 0 <= p < 1 */
  int   time_dim;     /* conditioning vector width, 1..4096 (ADM: 4 x width) */
  int   vocab;        /* prompt words V, 0: no prompt */
  int   embed_dim;    /* word embedding width E (with vocab), 1..1024 */
  bool  pool;         /* the mean word embedding joins emb */
  bool  cross;        /* cross-attention to the words where there is attention */
  int   max_words;    /* words cross-attention reads per prompt, 1..64 */
  int   cond_channels; /* conditioning image channels beside x, 0..8; 0: none */
  bool  aug;          /* an embedding of the conditioning image's noise level s */
} SwResunetConfig;

typedef struct _SwResunet SwResunet;

/* Every field in range, or an error naming the field and what is accepted. */
gboolean sw_resunet_config_validate (const SwResunetConfig *cfg, GError **error);

SwResunet *sw_resunet_new (const SwResunetConfig *cfg, GError **error);
void       sw_resunet_free (SwResunet *net);
const SwResunetConfig *sw_resunet_config (const SwResunet *net);
/* A net of NET's config and weights at another image side SIZE: the net
 * is convolutional, so its weights fit any side the levels divide (stage
 * II trains on crops and samples the whole image).  NULL with an error
 * for a side the config refuses. */
SwResunet *sw_resunet_new_at_size (const SwResunet *net, int size, GError **error);

/* PyTorch's default initialisation (uniform +-1/sqrt(fan_in)), GroupNorm
 * weight 1 and bias 0, the word embedding N(0, 0.02), and ADM's zero
 * modules: each ResBlock's last conv, each attention's projection and the
 * output conv, so every block starts as the identity. */
void       sw_resunet_init_params (SwResunet *net, uint64_t seed);
/* the dropout masks' stream: training forwards draw from it in turn */
void       sw_resunet_seed_dropout (SwResunet *net, uint64_t seed);

size_t              sw_resunet_num_params (const SwResunet *net);
size_t              sw_resunet_n_tensors (const SwResunet *net);
const SwTensorInfo *sw_resunet_tensor (const SwResunet *net, size_t i);
const SwTensorInfo *sw_resunet_find_tensor (const SwResunet *net, const char *name);
float              *sw_resunet_params (SwResunet *net);
float              *sw_resunet_grads (SwResunet *net);

/* x (N, C, H, W); t (N) the timestep, as ADM takes it (0..T-1, fractional
 * allowed; required); c (N, vocab) the bag of words, NULL for none (and ignored
 * without a vocabulary); out (N, C, H, W).  training turns dropout on.
 * Grows the activation memory for N on demand. */
void sw_resunet_forward (SwResunet *net, int N, const float *x, const float *t,
                         const float *c, bool training, float *out);
/* The same with a super-resolution net's inputs: cond (N, cond_channels,
 * H, W), required when the config has cond_channels; s (N) the
 * conditioning image's noise level as a timestep (0..T-1), required with
 * aug.  Both are data: backward gives them no gradient. */
void sw_resunet_forward_cond (SwResunet *net, int N, const float *x, const float *t,
                              const float *c, const float *cond, const float *s,
                              bool training, float *out);
void sw_resunet_zero_grad (SwResunet *net);
/* Gradient of a loss with respect to the last forward's output, dout
 * (N, C, H, W); accumulates into the parameter gradients. */
void sw_resunet_backward (SwResunet *net, const float *dout);

/* Condition annealing (CADS, docs/math.md 1.2.15) for the keyed forwards
 * that follow: at a timestep t above FROM each prompt's word vectors, as
 * cross-attention reads them, become
 *   sqrt(g) w + scale sqrt(1 - g) z,  g = (TO - t) / (TO - FROM) (0 from TO on),
 * z standard normal, rescaled to the mean and spread the words had; the
 * pooled words and the empty prompt are left as they are.  SCALE 0 (as a
 * new net has) turns it off; needs 0 <= FROM < TO. */
void sw_resunet_set_word_noise (SwResunet *net, float scale, float from, float to);
float sw_resunet_word_noise (const SwResunet *net);   /* its SCALE */
/* KEYS (N) for the next forward of N rows only: row n's z is drawn from
 * the generator of KEYS[n] and the timestep, so a sample's noise is its
 * own (its job's seed and its place in the job: diffusion/job.h) and not
 * its batch's.  A forward without keys, or a training one, has no word
 * noise. */
void sw_resunet_key_rows (SwResunet *net, int N, const uint64_t *keys);

/* multiply-adds x 2 of one forward pass for one image: convolutions,
 * linear layers and attention products (a prompt of max_words words) */
double sw_resunet_forward_flops (const SwResunet *net);
size_t sw_resunet_activation_bytes (const SwResunet *net);

G_END_DECLS
