#include "train/recipe.h"
#include "nn/adam.h"

#include <math.h>
#include <string.h>

static const char * const names[] = {
  "denoiser", "denoiser-pure-noise", "flow-time", "flow-class", "ddpm-class", "ddpm-prompt",
  "emoji-ddpm", NULL,
};

const char * const *
sw_recipe_names (void)
{
  return names;
}

const char *
sw_objective_name (SwObjective o)
{
  switch (o)
    {
    case SW_OBJECTIVE_DENOISE: return "denoise";
    case SW_OBJECTIVE_PURE_NOISE: return "pure-noise";
    case SW_OBJECTIVE_FLOW: return "flow";
    case SW_OBJECTIVE_DDPM: return "ddpm";
    case SW_OBJECTIVE_EPS_COSINE: return "eps-cosine";
    default: return "?";
    }
}

static gboolean
objective_from_name (const char *s, SwObjective *o)
{
  for (int i = SW_OBJECTIVE_DENOISE; i <= SW_OBJECTIVE_EPS_COSINE; i++)
    if (g_strcmp0 (s, sw_objective_name (i)) == 0)
      {
        *o = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
sw_recipe_lookup (const char *name, SwRecipe *r, GError **error)
{
  /* shared defaults: docs/math.md 2.6 (flow matching) */
  *r = (SwRecipe) {
    .objective = SW_OBJECTIVE_FLOW, .variant = SW_UNET_TIME, .time_mod = SW_TIME_MUL,
    .cond = SW_COND_COURSE,
    .D = 64, .batch = 64, .epochs = 10, .lr = 1e-2f, .scheduler = true, .gamma = 0.0f,
    .sigma = 0.5f, .p_uncond = 0.1f, .T = 300, .beta1 = 1e-4f, .beta2 = 0.02f,
    .sample_steps = 50, .guidance = 5.0f, .seed = 0, .word_lr = 1.0f,
  };
  g_strlcpy (r->dataset, "digits", sizeof r->dataset);
  if (g_strcmp0 (name, "denoiser") == 0 || g_strcmp0 (name, "denoiser-pure-noise") == 0)
    {
      /* docs/math.md 2.4: sigma 0.5, D 128, batch 256, Adam 1e-4, 5 epochs, no scheduler */
      r->objective = strstr (name, "pure") ? SW_OBJECTIVE_PURE_NOISE : SW_OBJECTIVE_DENOISE;
      r->variant = SW_UNET_UNCOND;
      r->D = 128;
      r->batch = 256;
      r->epochs = 5;
      r->lr = 1e-4f;
      r->scheduler = false;
      r->p_uncond = 0.0f;
    }
  else if (g_strcmp0 (name, "flow-time") == 0)
    r->p_uncond = 0.0f;
  else if (g_strcmp0 (name, "flow-class") == 0)
    {
      r->variant = SW_UNET_CLASS;
      r->sample_steps = 300;
    }
  else if (g_strcmp0 (name, "ddpm-class") == 0)
    {
      /* docs/math.md 2.5: T 300 linear betas, batch 128, 20 epochs, Adam 1e-3 */
      r->objective = SW_OBJECTIVE_DDPM;
      r->variant = SW_UNET_CLASS;
      r->time_mod = SW_TIME_ADD;
      r->batch = 128;
      r->epochs = 20;
      r->lr = 1e-3f;
      r->sample_steps = 300;
    }
  else if (g_strcmp0 (name, "ddpm-prompt") == 0 || g_strcmp0 (name, "emoji-ddpm") == 0)
    {
      /* issue 4: epsilon prediction on Part A's cosine schedule (T 1000),
       * a class a prompt selects, CFG dropout 0.1; sampled with 33 strided
       * updates (990, 960, ..., 0) and guidance 7 (docs/math.md 1.2.4, 1.2.8).
       * Batch and Adam as ddpm-class; 3 epochs of Fashion-MNIST's 60,000
       * images are 1,407 steps (68 minutes on this project's 2 cores). */
      r->objective = SW_OBJECTIVE_EPS_COSINE;
      r->variant = SW_UNET_CLASS;
      r->time_mod = SW_TIME_ADD;
      r->batch = 128;
      r->epochs = 3;
      r->lr = 1e-3f;
      r->T = 1000;
      r->sample_steps = 33;
      r->guidance = 7.0f;
      g_strlcpy (r->dataset, "fashion", sizeof r->dataset);
      if (strcmp (name, "emoji-ddpm") == 0)
        {
          /* issue 6: the same on the 32x32 RGB emoji, the class vector a
           * bag of caption words (prompt-encoder.h).  Batch 64: the 3,655
           * images are 58 steps an epoch, and 100 epochs (5,800 steps)
           * show every emoji under many subsets of its caption's words;
           * --epochs changes it and --resume goes on from any epoch. */
          r->batch = 64;
          r->epochs = 100;
          g_strlcpy (r->dataset, "emoji", sizeof r->dataset);
        }
    }
  else
    {
      g_autofree char *known = g_strjoinv (", ", (char **) names);
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "unknown recipe “%s”; known recipes: %s", name ? name : "", known);
      return FALSE;
    }
  g_strlcpy (r->name, name, sizeof r->name);
  return TRUE;
}

#define CHECK(cond, ...) \
  if (!(cond)) \
    { \
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, __VA_ARGS__); \
      return FALSE; \
    }

gboolean
sw_recipe_validate (const SwRecipe *r, GError **error)
{
  CHECK (r->D >= 1 && r->D <= 1024, "D = %d is out of range; accepted: 1 to 1024", r->D);
  CHECK (r->cond == SW_COND_COURSE
         || ((r->cond == SW_COND_EVERY || r->cond == SW_COND_FILM) && r->variant == SW_UNET_CLASS),
         "conditioning points “%s” do not fit the recipe “%s” (a %s UNet); accepted: course%s",
         sw_cond_points_name (r->cond), r->name, sw_unet_variant_name (r->variant),
         r->variant == SW_UNET_CLASS ? ", every, film" : "");
  CHECK (r->embed == 0 || (r->embed >= 1 && r->embed <= 4096 && r->variant == SW_UNET_CLASS),
         "word embedding width %d does not fit the recipe “%s” (a %s UNet); accepted: 0 (none)%s",
         r->embed, r->name, sw_unet_variant_name (r->variant),
         r->variant == SW_UNET_CLASS ? ", or 1 to 4096" : "");
  CHECK (r->batch >= 2 && r->batch <= 4096,
         "batch size %d is out of range; accepted: 2 to 4096 (BatchNorm needs 2)", r->batch);
  CHECK (r->epochs >= 1 && r->epochs <= 10000, "epochs = %d is out of range; accepted: 1 to 10000", r->epochs);
  CHECK (r->lr > 0.0f && r->lr <= 1.0f, "learning rate %g is out of range; accepted: more than 0, at most 1", r->lr);
  CHECK (r->lr_epoch >= 0 && r->lr_epoch <= r->epochs,
         "the rate's epoch %d is out of range; accepted: 0 to the epochs (%d)", r->lr_epoch, r->epochs);
  CHECK (r->gamma >= 0.0f && r->gamma <= 1.0f,
         "gamma %g is out of range; accepted: 0 (meaning 0.1^(1/epochs)) to 1", r->gamma);
  CHECK (r->sigma >= 0.0f && r->sigma <= 10.0f, "sigma %g is out of range; accepted: 0 to 10", r->sigma);
  CHECK (r->p_uncond >= 0.0f && r->p_uncond <= 1.0f,
         "p_uncond %g is out of range; accepted: 0 to 1", r->p_uncond);
  CHECK (r->ema >= 0.0f && r->ema < 1.0f,
         "EMA decay %g is out of range; accepted: 0 (no average) to less than 1", r->ema);
  CHECK (r->word_lr == 1.0f || (r->word_lr > 0.0f && r->word_lr <= 1000.0f && r->variant == SW_UNET_CLASS),
         "word rate multiplier %g does not fit the recipe “%s” (a %s UNet); accepted: %s", r->word_lr,
         r->name, sw_unet_variant_name (r->variant),
         r->variant == SW_UNET_CLASS ? "more than 0, at most 1000" : "1 (it has no classes or words)");
  CHECK (r->repeat_rare >= 0.0f && r->repeat_rare <= 1.0f,
         "repeat-factor threshold %g is out of range; accepted: 0 (each image once) to 1",
         r->repeat_rare);
  CHECK (r->T >= 2 && r->T <= 10000, "T = %d is out of range; accepted: 2 to 10000", r->T);
  CHECK (r->beta1 > 0.0f && r->beta1 <= r->beta2 && r->beta2 < 1.0f,
         "betas %g..%g are out of range; accepted: 0 < beta1 <= beta2 < 1", r->beta1, r->beta2);
  CHECK (r->sample_steps >= 1 && r->sample_steps <= 10000,
         "sampling steps %d out of range; accepted: 1 to 10000", r->sample_steps);
  CHECK (r->objective != SW_OBJECTIVE_EPS_COSINE || r->sample_steps <= r->T - 1,
         "sampling steps %d out of range for T = %d; accepted: 1 to %d", r->sample_steps, r->T, r->T - 1);
  CHECK (r->guidance >= 0.0f && r->guidance <= 100.0f,
         "guidance %g is out of range; accepted: 0 to 100", r->guidance);
  CHECK (strcmp (r->dataset, "digits") == 0 || strcmp (r->dataset, "fashion") == 0
         || strcmp (r->dataset, "emoji") == 0,
         "dataset “%s” is unknown; known datasets: digits, fashion, emoji", r->dataset);
  return TRUE;
}

float
sw_recipe_gamma (const SwRecipe *r)
{
  return r->gamma > 0.0f ? r->gamma : (float) pow (0.1, 1.0 / r->epochs);
}

float
sw_recipe_lr (const SwRecipe *r, int epoch)
{
  if (!r->scheduler)
    return r->lr;
  SwExponentialLR sched = { r->lr, sw_recipe_gamma (r) };
  return sw_exponential_lr (&sched, epoch - r->lr_epoch);
}

/* ---------------------------------------------------------- metadata */

static void
put (GPtrArray *a, const char *field, char *value)
{
  g_ptr_array_add (a, g_strconcat ("recipe.", field, NULL));
  g_ptr_array_add (a, value);
}

void
sw_recipe_to_meta (const SwRecipe *r, GPtrArray *a)
{
  put (a, "name", g_strdup (r->name));
  put (a, "dataset", g_strdup (r->dataset));
  put (a, "objective", g_strdup (sw_objective_name (r->objective)));
  put (a, "D", g_strdup_printf ("%d", r->D));
  put (a, "batch", g_strdup_printf ("%d", r->batch));
  put (a, "epochs", g_strdup_printf ("%d", r->epochs));
  put (a, "lr", g_strdup_printf ("%.9g", r->lr));
  put (a, "scheduler", g_strdup (r->scheduler ? "true" : "false"));
  put (a, "gamma", g_strdup_printf ("%.9g", sw_recipe_gamma (r)));
  put (a, "lr_epoch", g_strdup_printf ("%d", r->lr_epoch));
  put (a, "sigma", g_strdup_printf ("%.9g", r->sigma));
  put (a, "p_uncond", g_strdup_printf ("%.9g", r->p_uncond));
  put (a, "ema", g_strdup_printf ("%.9g", r->ema));
  put (a, "word_lr", g_strdup_printf ("%.9g", r->word_lr));
  put (a, "repeat_rare", g_strdup_printf ("%.9g", r->repeat_rare));
  put (a, "T", g_strdup_printf ("%d", r->T));
  put (a, "beta1", g_strdup_printf ("%.9g", r->beta1));
  put (a, "beta2", g_strdup_printf ("%.9g", r->beta2));
  put (a, "sample_steps", g_strdup_printf ("%d", r->sample_steps));
  put (a, "guidance", g_strdup_printf ("%.9g", r->guidance));
  put (a, "seed", g_strdup_printf ("%" G_GUINT64_FORMAT, r->seed));
}

static const char *
get (GHashTable *meta, const char *field, GError **error)
{
  g_autofree char *key = g_strconcat ("recipe.", field, NULL);
  const char *v = g_hash_table_lookup (meta, key);
  if (!v)
    g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "metadata field “%s” is missing", key);
  return v;
}

static gboolean
get_int (GHashTable *meta, const char *field, int *out, GError **error)
{
  const char *v = get (meta, field, error);
  gint64 i;
  if (!v)
    return FALSE;
  if (!g_ascii_string_to_signed (v, 10, G_MININT, G_MAXINT, &i, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.%s” is “%s”; accepted: an integer", field, v);
      return FALSE;
    }
  *out = (int) i;
  return TRUE;
}

static gboolean
get_float (GHashTable *meta, const char *field, float *out, GError **error)
{
  const char *v = get (meta, field, error);
  char *end;
  if (!v)
    return FALSE;
  double d = g_ascii_strtod (v, &end);
  if (end == v || *end || !isfinite (d))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.%s” is “%s”; accepted: a number", field, v);
      return FALSE;
    }
  *out = (float) d;
  return TRUE;
}

gboolean
sw_recipe_from_meta (GHashTable *meta, SwRecipe *r, GError **error)
{
  const char *name, *dataset, *objective, *scheduler, *seed;
  guint64 s;
  memset (r, 0, sizeof *r);
  if (!(name = get (meta, "name", error)) || !(dataset = get (meta, "dataset", error))
      || !(objective = get (meta, "objective", error))
      || !(scheduler = get (meta, "scheduler", error)) || !(seed = get (meta, "seed", error))
      || !get_int (meta, "D", &r->D, error) || !get_int (meta, "batch", &r->batch, error)
      || !get_int (meta, "epochs", &r->epochs, error) || !get_float (meta, "lr", &r->lr, error)
      || !get_float (meta, "gamma", &r->gamma, error) || !get_float (meta, "sigma", &r->sigma, error)
      || !get_float (meta, "p_uncond", &r->p_uncond, error) || !get_int (meta, "T", &r->T, error)
      || !get_float (meta, "beta1", &r->beta1, error) || !get_float (meta, "beta2", &r->beta2, error)
      || !get_int (meta, "sample_steps", &r->sample_steps, error)
      || !get_float (meta, "guidance", &r->guidance, error))
    return FALSE;
  /* absent from files written before resumes could re-set the rate,
   * before the weights could be averaged, before the word rate and before
   * repeat-factor sampling */
  float word_lr = 1.0f;
  if ((g_hash_table_contains (meta, "recipe.lr_epoch") && !get_int (meta, "lr_epoch", &r->lr_epoch, error))
      || (g_hash_table_contains (meta, "recipe.ema") && !get_float (meta, "ema", &r->ema, error))
      || (g_hash_table_contains (meta, "recipe.word_lr") && !get_float (meta, "word_lr", &word_lr, error))
      || (g_hash_table_contains (meta, "recipe.repeat_rare")
          && !get_float (meta, "repeat_rare", &r->repeat_rare, error)))
    return FALSE;
  if (!objective_from_name (objective, &r->objective))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.objective” is “%s”; accepted: denoise, pure-noise, flow, ddpm, eps-cosine",
                   objective);
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (seed, 10, 0, G_MAXUINT64, &s, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.seed” is “%s”; accepted: a non-negative integer", seed);
      return FALSE;
    }
  r->seed = s;
  r->scheduler = strcmp (scheduler, "true") == 0;
  g_strlcpy (r->name, name, sizeof r->name);
  g_strlcpy (r->dataset, dataset, sizeof r->dataset);
  /* variant, time_mod, cond and embed are the model's own metadata
   * (checkpoint.h); the word rate, which needs a class variant, is checked
   * with them (sw_trainer_resume) */
  r->word_lr = 1.0f;
  if (!sw_recipe_validate (r, error))
    return FALSE;
  r->word_lr = word_lr;
  return TRUE;
}
