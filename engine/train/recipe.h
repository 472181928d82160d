/* recipe.h: the named training recipes of the write-up (docs/math.md 2.4-2.6).
 *
 * A recipe is a plain struct of every hyper-parameter, filled with the
 * course's values by name; the CLI overrides any field.  It holds the
 * model's configuration (models/model-config.h: what sampling reads) and
 * the training hyper-parameters around it.  Both travel in a checkpoint's
 * metadata as "recipe.<field>" strings, so a resumed run knows exactly how
 * the model was trained and a sampler how to draw from it. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "models/model-config.h"
#include "models/resunet.h"

G_BEGIN_DECLS

typedef struct {
  SwModelConfig model;        /* what the model file needs to sample */
  int           batch;
  int           epochs;
  float         lr;
  bool          scheduler;    /* ExponentialLR, stepped once per epoch */
  float         gamma;        /* its factor; 0 means 0.1^(1/epochs) */
  int           lr_epoch;     /* the epoch at which the rate is lr (0, or where a resume re-set it) */
  float         p_uncond;     /* classifier-free dropout of the class */
  float         ema;          /* decay per step of the weights' moving average; 0: none */
  float         word_lr;      /* the rate's multiplier for the weights holding a vector per
                               * class or prompt word (class variant; unet.h), 1: none */
  float         repeat_rare;  /* repeat-factor sampling threshold for a captioned dataset
                               * (caption-terms.h), 0: each image once an epoch */
  bool          balanced_prompts; /* draw a captioned image's prompt with each term alone
                               * equally often on every caption (caption-terms.h); recorded */
  uint64_t      seed;
  int           limit;        /* train on the dataset's first LIMIT images; 0: all of them.
                               * Recorded, so that a resume trains on the same images */
  SwResunetConfig resunet;    /* width > 0: train a residual attention UNet of this shape
                               * (its vocabulary the captions'; a resume reads it from the
                               * checkpoint), else the course UNet */
  float         weight_decay; /* AdamW's decoupled decay: each step first multiplies every
                               * weight by 1 - rate * weight_decay; 0: none */
  float         min_snr;      /* Min-SNR-gamma loss weighting's gamma (docs/math.md), 0: none */
  int           warmup;       /* the rate rises linearly from lr / warmup to lr over the first
                               * warmup steps of a run from scratch; 0: none */
  int           hold_out;     /* keep back this many images spread through the dataset
                               * (sw_dataset_hold_out) to evaluate on; 0: none; recorded */
  bool          base_emoji;   /* train on the emoji that are neither a skin-tone variant nor a
                               * flag (sw_dataset_base_emoji); recorded, like limit */
  /* a super-resolution stage (the cascade's stage II, issue 24; docs/math.md 3.2):
   * the net reads the training image's block means at 1 / sr_factor
   * (data/sr-pairs.h), upsampled and noised at a level drawn in 0..aug_max
   * (diffusion/noise-augment.h), and trains on crop x crop windows */
  int           sr_factor;    /* 2..8; 0: not a super-resolution recipe */
  int           crop;         /* the windows' side, a multiple of sr_factor */
  int           aug_max;      /* the conditioning image's highest noise level, 0..T-1 */
} SwRecipe;

/* the recipe names, NULL-terminated */
const char * const *sw_recipe_names (void);
/* fills RECIPE with the course's defaults; an unknown name is an error that
 * lists the known ones */
gboolean     sw_recipe_lookup (const char *name, SwRecipe *recipe, GError **error);
/* every field in range, or an error naming the field and its range */
gboolean     sw_recipe_validate (const SwRecipe *recipe, GError **error);
/* the gamma in effect (resolving 0 to 0.1^(1/epochs)) */
float        sw_recipe_gamma (const SwRecipe *recipe);
/* learning rate for 0-based EPOCH */
float        sw_recipe_lr (const SwRecipe *recipe, int epoch);
/* that rate at 0-based optimiser STEP, after the warm-up's factor */
float        sw_recipe_step_lr (const SwRecipe *recipe, int epoch, long step);

/* to and from "recipe.<field>" metadata, the model's configuration
 * (model-config.h) and the training fields: append key/value pairs to
 * ARRAY (strings owned by the array's free function, g_free) */
void         sw_recipe_to_meta (const SwRecipe *recipe, GPtrArray *array);
gboolean     sw_recipe_from_meta (GHashTable *meta, SwRecipe *recipe, GError **error);

G_END_DECLS
