#include "train/recipe.h"
#include "nn/adam.h"

#include <math.h>
#include <string.h>

static const char * const names[] = {
  "denoiser", "denoiser-pure-noise", "flow-time", "flow-class", "ddpm-class", "ddpm-prompt",
  "emoji-ddpm", "emoji-stage1", "emoji-stage2", NULL,
};

const char * const *
sw_recipe_names (void)
{
  return names;
}

/* what the residual attention UNet's recipes share: the cosine schedule
 * (T 1000, epsilon), AdamW 4e-4 with decay 0.01 at a constant rate, the
 * weights' average, a length meant to be set by --minutes */
static void
resunet_training (SwRecipe *r)
{
  r->model.objective = SW_OBJECTIVE_EPS_COSINE;
  r->model.T = 1000;
  r->epochs = 1000;
  r->lr = 4e-4f;
  r->scheduler = false;
  r->ema = 0.999f;
  r->weight_decay = 0.01f;
}

gboolean
sw_recipe_lookup (const char *name, SwRecipe *r, GError **error)
{
  /* shared defaults: docs/math.md 2.6 (flow matching) */
  *r = (SwRecipe) {
    .model = { .objective = SW_OBJECTIVE_FLOW, .variant = SW_UNET_TIME, .time_mod = SW_TIME_MUL,
               .cond = SW_COND_COURSE, .D = 64, .sigma = 0.5f, .T = 300, .beta1 = 1e-4f,
               .beta2 = 0.02f, .sample_steps = 50, .guidance = 5.0f },
    .batch = 64, .epochs = 10, .lr = 1e-2f, .scheduler = true, .gamma = 0.0f,
    .p_uncond = 0.1f, .seed = 0, .word_lr = 1.0f,
  };
  SwModelConfig *m = &r->model;
  g_strlcpy (m->dataset, "digits", sizeof m->dataset);
  if (g_strcmp0 (name, "denoiser") == 0 || g_strcmp0 (name, "denoiser-pure-noise") == 0)
    {
      /* docs/math.md 2.4: sigma 0.5, D 128, batch 256, Adam 1e-4, 5 epochs, no scheduler */
      m->objective = strstr (name, "pure") ? SW_OBJECTIVE_PURE_NOISE : SW_OBJECTIVE_DENOISE;
      m->variant = SW_UNET_UNCOND;
      m->D = 128;
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
      m->variant = SW_UNET_CLASS;
      m->sample_steps = 300;
    }
  else if (g_strcmp0 (name, "ddpm-class") == 0)
    {
      /* docs/math.md 2.5: T 300 linear betas, batch 128, 20 epochs, Adam 1e-3 */
      m->objective = SW_OBJECTIVE_DDPM;
      m->variant = SW_UNET_CLASS;
      m->time_mod = SW_TIME_ADD;
      r->batch = 128;
      r->epochs = 20;
      r->lr = 1e-3f;
      m->sample_steps = 300;
    }
  else if (g_strcmp0 (name, "ddpm-prompt") == 0 || g_strcmp0 (name, "emoji-ddpm") == 0)
    {
      /* issue 4: epsilon prediction on Part A's cosine schedule (T 1000),
       * a class a prompt selects, CFG dropout 0.1; sampled with 33 strided
       * updates (990, 960, ..., 0) and guidance 7 (docs/math.md 1.2.4, 1.2.8).
       * Batch and Adam as ddpm-class; 3 epochs of Fashion-MNIST's 60,000
       * images are 1,407 steps (68 minutes on this project's 2 cores). */
      m->objective = SW_OBJECTIVE_EPS_COSINE;
      m->variant = SW_UNET_CLASS;
      m->time_mod = SW_TIME_ADD;
      r->batch = 128;
      r->epochs = 3;
      r->lr = 1e-3f;
      m->T = 1000;
      m->sample_steps = 33;
      m->guidance = 7.0f;
      g_strlcpy (m->dataset, "fashion", sizeof m->dataset);
      if (strcmp (name, "emoji-ddpm") == 0)
        {
          /* issue 6: the same on the 32x32 RGB emoji, the class vector a
           * bag of caption words (prompt-encoder.h).  Batch 64: the 3,655
           * images are 58 steps an epoch, and 100 epochs (5,800 steps)
           * show every emoji under many subsets of its caption's words;
           * --epochs changes it and --resume goes on from any epoch. */
          r->batch = 64;
          r->epochs = 100;
          g_strlcpy (m->dataset, "emoji", sizeof m->dataset);
        }
    }
  else if (g_strcmp0 (name, "emoji-stage1") == 0)
    {
      /* issue 22's stage I: a residual attention UNet at 16x16 on the
       * cosine schedule (T 1000), the prompt a bag of caption words pooled
       * into the conditioning vector and read word by word by
       * cross-attention wherever there is self-attention (whole-budget
       * runs: 88/96 pooled alone, "old man" 2/8; with cross-attention
       * "old" and "man" are read together), CFG dropout 0.1; sampled as
       * emoji-ddpm.  Chosen by pilots (docs/models/emoji-stage1.md): width
       * 32 (0.2 GFLOP a pass, for the 0.25 s budget of 33 CFG steps),
       * batch 32 (twice the steps of 64 at about the same images/s on 2
       * cores), the base emoji, AdamW 1e-3 after a 500-step warm-up,
       * Min-SNR-5 weighting and the weights' average; the balanced
       * prompt draw (caption-terms.h), which scored 88/96 against the
       * subset draw's 80 at the same budget.  It samples with word noise
       * 0.1 (CADS, eps-model.h): the first steps less bound to the
       * prompt, so "dog" draws the dog's face too. */
      resunet_training (r);
      m->variant = SW_UNET_CLASS;
      m->sample_steps = 33;
      m->guidance = 7.0f;
      m->word_noise = 0.1f;
      r->batch = 32;
      r->lr = 1e-3f;
      r->warmup = 500;
      r->min_snr = 5.0f;
      r->base_emoji = true;
      r->balanced_prompts = true;
      r->resunet = (SwResunetConfig) {
        .channels = 3, .size = 16, .width = 32, .levels = 3, .mult = { 1, 2, 2 }, .blocks = 2,
        .attn = 1u << 1 | 1u << 2, .heads = 4, .groups = 32, .time_dim = 128, .embed_dim = 64,
        .pool = true, .cross = true, .max_words = 8,
      };
      g_strlcpy (m->dataset, "emoji16", sizeof m->dataset);
    }
  else if (g_strcmp0 (name, "emoji-stage2") == 0)
    {
      /* issue 24's stage II: 16 -> 64 px super-resolution, a residual UNet
       * that reads the 16 px image (the 64 px image's 4 x 4 block means,
       * as emoji16) upsampled beside x, noised at a level up to 250 of
       * 1000 that it is told (noise conditioning augmentation), on 32 x 32
       * crops of emoji64; no prompt yet.  A first guess at the issue's
       * budgets (an hour's training on 2 cores, a 20-step 64 x 64 sample
       * in about 0.6 s): width 32, mult 1,2,2, one block a level (2.0
       * GFLOP a 64 px image; two blocks are 2.9), no attention but the
       * middle block's (at 8 px on a crop, 16 px on the whole image).  AdamW
       * 1e-3 after a 500-step warm-up, as stage I's pilots chose; 64 images
       * spread through the set are held out for its PSNR (eval-sr). */
      resunet_training (r);
      m->variant = SW_UNET_TIME;
      m->sample_steps = 20;
      m->guidance = 1.0f;
      r->batch = 32;
      r->lr = 1e-3f;
      r->warmup = 500;
      r->p_uncond = 0.0f;
      r->sr_factor = 4;
      r->crop = 32;
      r->aug_max = 250;
      r->hold_out = 64;
      r->resunet = (SwResunetConfig) {
        .channels = 3, .size = 32, .width = 32, .levels = 3, .mult = { 1, 2, 2 }, .blocks = 1,
        .attn = 0, .heads = 4, .groups = 32, .time_dim = 128, .aug = true,
      };
      g_strlcpy (m->dataset, "emoji64", sizeof m->dataset);
    }
  else
    {
      g_autofree char *known = g_strjoinv (", ", (char **) names);
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "unknown recipe “%s”; known recipes: %s", name ? name : "", known);
      return FALSE;
    }
  g_strlcpy (m->name, name, sizeof m->name);
  return TRUE;
}

gboolean
sw_recipe_validate (const SwRecipe *r, GError **error)
{
  const SwModelConfig *m = &r->model;
  if (!sw_model_config_validate (m, error))
    return FALSE;
  /* (a recipe read from a file has its net's shape only later: resume
   * checks the course UNet's) */
  SW_CHECK (m->word_noise == 0.0f || r->resunet.width == 0 || r->resunet.cross,
            "word noise %g is for a model that reads its prompt's words by cross-attention; "
            "accepted for this one: 0 (none)", m->word_noise);
  SW_CHECK (r->batch >= 2 && r->batch <= 4096,
            "batch size %d is out of range; accepted: 2 to 4096 (BatchNorm needs 2)", r->batch);
  SW_CHECK (r->epochs >= 1 && r->epochs <= 10000, "epochs = %d is out of range; accepted: 1 to 10000", r->epochs);
  SW_CHECK (r->lr > 0.0f && r->lr <= 1.0f, "learning rate %g is out of range; accepted: more than 0, at most 1", r->lr);
  SW_CHECK (r->lr_epoch >= 0 && r->lr_epoch <= r->epochs,
            "the rate's epoch %d is out of range; accepted: 0 to the epochs (%d)", r->lr_epoch, r->epochs);
  SW_CHECK (r->gamma >= 0.0f && r->gamma <= 1.0f,
            "gamma %g is out of range; accepted: 0 (meaning 0.1^(1/epochs)) to 1", r->gamma);
  SW_CHECK (r->p_uncond >= 0.0f && r->p_uncond <= 1.0f,
            "p_uncond %g is out of range; accepted: 0 to 1", r->p_uncond);
  SW_CHECK (r->ema >= 0.0f && r->ema < 1.0f,
            "EMA decay %g is out of range; accepted: 0 (no average) to less than 1", r->ema);
  SW_CHECK (r->word_lr == 1.0f || (r->word_lr > 0.0f && r->word_lr <= 1000.0f && m->variant == SW_UNET_CLASS),
            "word rate multiplier %g does not fit the recipe “%s” (a %s UNet); accepted: %s", r->word_lr,
            m->name, sw_unet_variant_name (m->variant),
            m->variant == SW_UNET_CLASS ? "more than 0, at most 1000" : "1 (it has no classes or words)");
  SW_CHECK (r->repeat_rare >= 0.0f && r->repeat_rare <= 1.0f,
            "repeat-factor threshold %g is out of range; accepted: 0 (each image once) to 1",
            r->repeat_rare);
  SW_CHECK (r->limit == 0 || r->limit >= 2,
            "image limit %d is out of range; accepted: 0 (every image) or 2 or more", r->limit);
  SW_CHECK (r->resunet.width == 0 || m->objective == SW_OBJECTIVE_EPS_COSINE
            || m->objective == SW_OBJECTIVE_V_COSINE,
            "a residual attention UNet trains on the cosine schedule; the objective %s does not "
            "fit it (accepted: eps-cosine, v-cosine)", sw_objective_name (m->objective));
  SW_CHECK (r->weight_decay >= 0.0f && r->weight_decay < 1.0f,
            "weight decay %g is out of range; accepted: 0 (none) to less than 1", r->weight_decay);
  SW_CHECK (r->min_snr == 0.0f
            || (r->min_snr > 0.0f && r->min_snr <= 1000.0f
                && (m->objective == SW_OBJECTIVE_EPS_COSINE || m->objective == SW_OBJECTIVE_V_COSINE)),
            "Min-SNR gamma %g does not fit the %s objective; accepted: 0 (none), or more than 0 "
            "and at most 1000 for eps-cosine and v-cosine", r->min_snr, sw_objective_name (m->objective));
  SW_CHECK (r->hold_out >= 0 && r->hold_out <= 100000,
            "held-out count %d is out of range; accepted: 0 (none) to 100000", r->hold_out);
  SW_CHECK (r->warmup >= 0 && r->warmup <= 1000000,
            "warm-up of %d steps is out of range; accepted: 0 (none) to 1000000", r->warmup);
  if (r->sr_factor == 0)
    return TRUE;
  /* (that it trains a residual attention UNet is the trainer's check: a
   * resume reads the net's shape from the checkpoint after this) */
  SW_CHECK (r->sr_factor >= 2 && r->sr_factor <= 8,
            "super-resolution factor %d is out of range; accepted: 2 to 8 (0: none)", r->sr_factor);
  SW_CHECK (r->crop >= 8 && r->crop <= 128 && r->crop % r->sr_factor == 0,
            "crop %d is out of range; accepted: 8 to 128, a multiple of the factor %d",
            r->crop, r->sr_factor);
  SW_CHECK (r->aug_max >= 0 && r->aug_max < m->T,
            "highest conditioning noise level %d is out of range; accepted: 0 to %d",
            r->aug_max, m->T - 1);
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

float
sw_recipe_step_lr (const SwRecipe *r, int epoch, long step)
{
  float lr = sw_recipe_lr (r, epoch);
  return step < r->warmup ? lr * (float) (step + 1) / (float) r->warmup : lr;
}

/* ---------------------------------------------------------- metadata */

void
sw_recipe_to_meta (const SwRecipe *r, GPtrArray *a)
{
  sw_model_config_to_meta (&r->model, a);
  sw_recipe_meta_put (a, "batch", g_strdup_printf ("%d", r->batch));
  sw_recipe_meta_put (a, "epochs", g_strdup_printf ("%d", r->epochs));
  sw_recipe_meta_put (a, "lr", g_strdup_printf ("%.9g", r->lr));
  sw_recipe_meta_put (a, "scheduler", g_strdup (r->scheduler ? "true" : "false"));
  sw_recipe_meta_put (a, "gamma", g_strdup_printf ("%.9g", sw_recipe_gamma (r)));
  sw_recipe_meta_put (a, "lr_epoch", g_strdup_printf ("%d", r->lr_epoch));
  sw_recipe_meta_put (a, "p_uncond", g_strdup_printf ("%.9g", r->p_uncond));
  sw_recipe_meta_put (a, "ema", g_strdup_printf ("%.9g", r->ema));
  sw_recipe_meta_put (a, "word_lr", g_strdup_printf ("%.9g", r->word_lr));
  sw_recipe_meta_put (a, "repeat_rare", g_strdup_printf ("%.9g", r->repeat_rare));
  sw_recipe_meta_put (a, "seed", g_strdup_printf ("%" G_GUINT64_FORMAT, r->seed));
  /* only when set, so that a full run's files keep their bytes */
  if (r->limit > 0)
    sw_recipe_meta_put (a, "limit", g_strdup_printf ("%d", r->limit));
  if (r->weight_decay > 0.0f)
    sw_recipe_meta_put (a, "weight_decay", g_strdup_printf ("%.9g", r->weight_decay));
  if (r->min_snr > 0.0f)
    sw_recipe_meta_put (a, "min_snr", g_strdup_printf ("%.9g", r->min_snr));
  if (r->warmup > 0)
    sw_recipe_meta_put (a, "warmup", g_strdup_printf ("%d", r->warmup));
  if (r->base_emoji)
    sw_recipe_meta_put (a, "base_emoji", g_strdup ("true"));
  if (r->balanced_prompts)
    sw_recipe_meta_put (a, "prompt_draw", g_strdup ("balanced"));
  if (r->hold_out > 0)
    sw_recipe_meta_put (a, "hold_out", g_strdup_printf ("%d", r->hold_out));
  if (r->sr_factor > 0)
    {
      sw_recipe_meta_put (a, "sr_factor", g_strdup_printf ("%d", r->sr_factor));
      sw_recipe_meta_put (a, "crop", g_strdup_printf ("%d", r->crop));
      sw_recipe_meta_put (a, "aug_max", g_strdup_printf ("%d", r->aug_max));
    }
}

gboolean
sw_recipe_from_meta (GHashTable *meta, SwRecipe *r, GError **error)
{
  const char *scheduler, *seed;
  guint64 s;
  memset (r, 0, sizeof *r);
  if (!sw_model_config_from_meta (meta, &r->model, error)
      || !(scheduler = sw_recipe_meta_string (meta, "scheduler", error))
      || !(seed = sw_recipe_meta_string (meta, "seed", error))
      || !sw_recipe_meta_int (meta, "batch", &r->batch, error)
      || !sw_recipe_meta_int (meta, "epochs", &r->epochs, error)
      || !sw_recipe_meta_float (meta, "lr", &r->lr, error)
      || !sw_recipe_meta_float (meta, "gamma", &r->gamma, error)
      || !sw_recipe_meta_float (meta, "p_uncond", &r->p_uncond, error))
    return FALSE;
  /* absent from files written before resumes could re-set the rate,
   * before the weights could be averaged, before the word rate, before
   * repeat-factor sampling, and by every run on all the images */
  float word_lr = 1.0f;
  if ((g_hash_table_contains (meta, "recipe.lr_epoch")
       && !sw_recipe_meta_int (meta, "lr_epoch", &r->lr_epoch, error))
      || (g_hash_table_contains (meta, "recipe.ema") && !sw_recipe_meta_float (meta, "ema", &r->ema, error))
      || (g_hash_table_contains (meta, "recipe.word_lr")
          && !sw_recipe_meta_float (meta, "word_lr", &word_lr, error))
      || (g_hash_table_contains (meta, "recipe.repeat_rare")
          && !sw_recipe_meta_float (meta, "repeat_rare", &r->repeat_rare, error))
      || (g_hash_table_contains (meta, "recipe.limit") && !sw_recipe_meta_int (meta, "limit", &r->limit, error))
      || (g_hash_table_contains (meta, "recipe.weight_decay")
          && !sw_recipe_meta_float (meta, "weight_decay", &r->weight_decay, error))
      || (g_hash_table_contains (meta, "recipe.min_snr")
          && !sw_recipe_meta_float (meta, "min_snr", &r->min_snr, error))
      || (g_hash_table_contains (meta, "recipe.warmup")
          && !sw_recipe_meta_int (meta, "warmup", &r->warmup, error))
      || (g_hash_table_contains (meta, "recipe.hold_out")
          && !sw_recipe_meta_int (meta, "hold_out", &r->hold_out, error))
      || (g_hash_table_contains (meta, "recipe.sr_factor")
          && (!sw_recipe_meta_int (meta, "sr_factor", &r->sr_factor, error)
              || !sw_recipe_meta_int (meta, "crop", &r->crop, error)
              || !sw_recipe_meta_int (meta, "aug_max", &r->aug_max, error))))
    return FALSE;
  r->base_emoji = g_strcmp0 (g_hash_table_lookup (meta, "recipe.base_emoji"), "true") == 0;
  r->balanced_prompts = g_strcmp0 (g_hash_table_lookup (meta, "recipe.prompt_draw"), "balanced") == 0;
  if (!g_ascii_string_to_unsigned (seed, 10, 0, G_MAXUINT64, &s, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.seed” is “%s”; accepted: a non-negative integer", seed);
      return FALSE;
    }
  r->seed = s;
  r->scheduler = strcmp (scheduler, "true") == 0;
  /* the word rate, which needs a class variant, is checked with the
   * variant (sw_trainer_resume), which is the net's own metadata */
  r->word_lr = 1.0f;
  if (!sw_recipe_validate (r, error))
    return FALSE;
  r->word_lr = word_lr;
  return TRUE;
}
