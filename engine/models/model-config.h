/* model-config.h: what a model file needs in order to sample (issue 21).
 *
 * The objective the net was trained for, the UNet's shape, the noise
 * schedule and the sampling defaults: what a sampler, a generation job or
 * the denoiser's figures read.  The training hyper-parameters around it
 * are the recipe's (train/recipe.h).  It travels in a model file's
 * metadata as "recipe.<field>" strings beside the recipe's own, the keys
 * every model file and checkpoint has always had. */
#pragma once

#include <glib.h>

#include "models/unet.h"

G_BEGIN_DECLS

typedef enum {
  SW_OBJECTIVE_DENOISE,      /* z = x + sigma eps, predict x */
  SW_OBJECTIVE_PURE_NOISE,   /* z = eps, predict x: learns the mean digit */
  SW_OBJECTIVE_FLOW,         /* x_t = (1-t) x0 + t x1, predict x1 - x0 */
  SW_OBJECTIVE_DDPM,         /* x_t = sqrt(ab) x0 + sqrt(1-ab) eps, predict eps */
  SW_OBJECTIVE_EPS_COSINE,   /* the same on Part A's cosine schedule, pixels in [-1, 1] */
  SW_OBJECTIVE_V_COSINE,     /* the cosine schedule, predict v = sqrt(ab) eps - sqrt(1-ab) x0
                              * (residual attention UNet; its eps-model gives the noise) */
} SwObjective;

typedef struct {
  char          name[32];     /* the recipe it was trained by: "denoiser", "flow-class", ... */
  char          dataset[16];  /* "digits", "fashion", "emoji", "emoji64" or "emoji16" */
  SwObjective   objective;
  SwUnetVariant variant;
  SwTimeMod     time_mod;
  SwCondPoints  cond;         /* where time and class modulate the net (class variant) */
  int           embed;        /* word embedding width (class variant), 0: none; see unet.h */
  int           D;
  float         sigma;        /* the denoiser's noise level: what it removes in one step */
  int           T;            /* DDPM timesteps (linear betas beta1..beta2, or cosine) */
  float         beta1, beta2;
  int           sample_steps; /* default steps when sampling (eps-cosine: strided updates) */
  float         guidance;     /* default guidance scale when sampling */
  float         word_noise;   /* CADS's noise on the prompt's words early in sampling, 0..1
                               * (0: none; a resunet reading its words by cross-attention) */
} SwModelConfig;

const char *sw_objective_name (SwObjective o);   /* "denoise", "pure-noise", "flow", "ddpm", "eps-cosine",
                                                 * "v-cosine" */

/* the steps sampling takes by default: all T for DDPM, else sample_steps */
int         sw_model_config_sample_steps (const SwModelConfig *config);
/* every field in range, or an error naming the field and its range */
gboolean    sw_model_config_validate (const SwModelConfig *config, GError **error);

/* to and from its "recipe.<field>" metadata: append key/value pairs to
 * ARRAY (strings owned by the array's free function, g_free); word_noise
 * only when set, and a file without it (every file before it) has none.  Variant,
 * time_mod, cond and embed are not among them: they are the net's own
 * metadata (checkpoint.h), so from_meta leaves them 0 for the caller to
 * fill from the net. */
void        sw_model_config_to_meta (const SwModelConfig *config, GPtrArray *array);
gboolean    sw_model_config_from_meta (GHashTable *meta, SwModelConfig *config, GError **error);

/* one "recipe.FIELD" pair appended to ARRAY (VALUE is taken) */
void        sw_recipe_meta_put (GPtrArray *array, const char *field, char *value);
/* META's "recipe.FIELD" as a string, an integer or a finite number; a
 * missing or malformed field is an error naming it */
const char *sw_recipe_meta_string (GHashTable *meta, const char *field, GError **error);
gboolean    sw_recipe_meta_int (GHashTable *meta, const char *field, int *out, GError **error);
gboolean    sw_recipe_meta_float (GHashTable *meta, const char *field, float *out, GError **error);

G_END_DECLS
