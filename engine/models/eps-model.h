/* eps-model.h: the one small interface every Part A algorithm runs on
 * (issue 4): predict the noise in x_t at timestep t of the cosine schedule
 * under a conditioning vector, and turn a prompt into that vector.
 *
 * Pixels are in [-1, 1] (docs/math.md 1.1.3).  The conditioning is a float
 * vector of the model's cond_dim; the empty prompt encodes to the
 * unconditional vector, so classifier-free guidance needs nothing else.
 * A model may also predict a variance in diffusers' "learned_range" form
 * (v in [-1, 1] per pixel, docs/math.md 1.2.6).
 *
 * Tests plug synthetic predictors into the same struct. */
#pragma once

#include <glib.h>

#include "models/prompt-encoder.h"
#include "models/model-config.h"
#include "base/error.h"
#include "models/resunet.h"
#include "models/unet.h"

G_BEGIN_DECLS

typedef struct _SwEpsModel SwEpsModel;

struct _SwEpsModel {
  int      channels, height, width;
  int      cond_dim;           /* >= 1 */
  int      T;                  /* training timesteps (1000) */
  gboolean predicts_variance;
  char     dataset[16];        /* what it was trained on, "" if unknown */

  /* X (N, C, H, W) at timestep T (0..T-1) under COND (N, cond_dim) ->
   * EPS (N, C, H, W) and, when predicts_variance, VAR (N, C, H, W), which
   * is NULL otherwise.  Must not fail: inputs are checked before. */
  void     (*predict) (SwEpsModel *model, int N, const float *x, int t, const float *cond,
                       float *eps, float *var);
  /* PROMPT -> COND (cond_dim); an unknown prompt is an error naming it */
  gboolean (*encode) (SwEpsModel *model, const char *prompt, float *cond, GError **error);
  /* the prompts the model knows, NULL-terminated, for completion and help */
  char   **(*prompts) (SwEpsModel *model);
  /* KEYS (N), one per row of the next predict or predict_cond only: a
   * model that draws noise of its own (the word noise below) draws row n's
   * from KEYS[n], and none for a call without keys.  NULL for a model
   * that draws none. */
  void     (*key_rows) (SwEpsModel *model, int N, const uint64_t *keys);
  void     (*free) (SwEpsModel *model);
  gpointer impl;

  /* A super-resolution model (the cascade's stage II, diffusion/cascade.h)
   * also reads the low-res image it upsamples: cond_channels channels at
   * 1 / sr_factor of its side, brought to its grid.  0, 0 and NULL for
   * a model that draws from noise alone.  predict_cond is predict with
   * IMAGE (N, cond_channels, H, W), that image upsampled, and LEVEL, the
   * noise level (0..T-1) it was noised at (noise-augment.h); such a
   * model's predict is never called. */
  int      cond_channels, sr_factor;
  void     (*predict_cond) (SwEpsModel *model, int N, const float *x, int t, const float *cond,
                            const float *image, int level, float *eps, float *var);
};

/* A model file trained with an eps-cosine recipe: the net its "arch"
 * names (the course UNet, or "resunet": resunet-file.h), its recipe, and
 * how it reads prompts from the metadata — the phrase table of
 * "prompt.classes" (ddpm-prompt) or the vocabulary of "prompt.vocabulary"
 * (emoji-ddpm, prompt-encoder.h; a resunet's only kind).  The course UNet
 * reads t / T, a resunet the timestep t itself, as ADM's nets do. */
SwEpsModel *sw_eps_model_load (const char *path, GError **error);
/* A super-resolution model file (the cascade's stage II: a residual
 * attention UNet with "resunet.cond_channels" and "recipe.sr_factor"), the
 * net set to sample images of LOW_SIDE x sr_factor on a side (it trains
 * on crops; its weights fit any side).  Any other file is an error that
 * says it is not stage II.  sw_eps_model_load refuses these files, so
 * only the cascade (diffusion/cascade.h) runs them. */
SwEpsModel *sw_eps_model_load_stage2 (const char *path, int low_side, GError **error);
/* whether PATH names a stage II (super-resolution) model file; FALSE for
 * any file that cannot be read: for a front end's message */
gboolean    sw_eps_model_file_is_stage2 (const char *path);
/* Wraps NET (not owned; must outlive the model) trained by RECIPE, with
 * the prompt table of PROMPT_META (a "prompt.classes" value, may be NULL:
 * then classes answer to their index, "0".."K-1"). */
SwEpsModel *sw_eps_model_new_unet (SwUnet *net, const SwModelConfig *model, const char *prompt_meta,
                                   GError **error);
/* The same for a model whose class vector is a bag of words of the
 * vocabulary VOCABULARY_META (a "prompt.vocabulary" value). */
SwEpsModel *sw_eps_model_new_unet_words (SwUnet *net, const SwModelConfig *model,
                                         const char *vocabulary_meta, GError **error);
/* The residual attention UNet NET (borrowed) trained as MODEL says
 * (eps-cosine, or v-cosine: its v turned into the noise), its prompt words
 * those of VOCABULARY_META (NULL for a net without words). */
SwEpsModel *sw_eps_model_new_resunet (SwResunet *net, const SwModelConfig *model,
                                      const char *vocabulary_meta, GError **error);
/* Condition annealing (CADS, Sadat et al. 2024; docs/math.md 1.2.15): the
 * prompt's words noised by SCALE (0..1; 0: none) above SW_WORD_NOISE_FROM
 * of the way from the data to pure noise, fully at pure noise, so that
 * guidance has less hold on what the first steps lay out (the dog or the
 * dog's face) and the samples of one prompt spread.  A model file's
 * default is its "recipe.word_noise"; only a residual attention UNet that
 * reads its words by cross-attention takes a nonzero SCALE, anything else
 * is an error saying so. */
#define SW_WORD_NOISE_FROM 0.8
gboolean    sw_eps_model_set_word_noise (SwEpsModel *model, float scale, GError **error);
/* the word noise it samples with (0 for a model that takes none) */
float       sw_eps_model_word_noise (const SwEpsModel *model);
void        sw_eps_model_free (SwEpsModel *model);
/* the vocabulary of a model that reads prompts as words, else NULL */
const SwPromptEncoder *sw_eps_model_vocabulary (const SwEpsModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwEpsModel, sw_eps_model_free)

G_END_DECLS
