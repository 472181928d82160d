#include "models/eps-model.h"

#include <math.h>

#include <string.h>

#include "models/checkpoint.h"
#include "models/prompt-classes.h"
#include "models/cosine-schedule.h"
#include "models/resunet-file.h"

typedef struct {
  SwUnet          *net;
  SwUnet          *owned;     /* the same net when the model loaded it */
  SwModelConfig    config;
  /* one of: a class per prompt phrase (ddpm-prompt), or a bag of
   * caption words (emoji-ddpm) */
  SwPromptClasses *prompts;
  SwPromptEncoder *words;
  float           *tt;        /* (cap) the time input, t / T for every image */
  int              cap;
} UnetImpl;

static void
unet_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
              float *var)
{
  UnetImpl *u = m->impl;
  (void) var;
  if (N > u->cap)
    {
      u->cap = N;
      u->tt = g_renew (float, u->tt, N);
    }
  for (int i = 0; i < N; i++)
    u->tt[i] = (float) t / u->config.T;
  sw_unet_forward (u->net, N, x, u->tt, cond, false, eps);
}

static gboolean
unet_encode (SwEpsModel *m, const char *prompt, float *cond, GError **error)
{
  UnetImpl *u = m->impl;
  if (u->words)
    return sw_prompt_encoder_encode (u->words, prompt, cond, error);
  int k = sw_prompt_classes_lookup (u->prompts, prompt, error);
  if (k < -1)
    return FALSE;
  memset (cond, 0, sizeof (float) * m->cond_dim);
  if (k >= 0)
    cond[k] = 1.0f;
  return TRUE;
}

static char **
unet_prompts (SwEpsModel *m)
{
  UnetImpl *u = m->impl;
  return u->words ? sw_prompt_encoder_prompts (u->words) : sw_prompt_classes_phrases (u->prompts);
}

static void
unet_free (SwEpsModel *m)
{
  UnetImpl *u = m->impl;
  sw_unet_free (u->owned);
  sw_prompt_classes_free (u->prompts);
  sw_prompt_encoder_free (u->words);
  g_free (u->tt);
  g_free (u);
}

/* takes PROMPTS or WORDS, whichever is not NULL */
static SwEpsModel *
wrap (SwUnet *net, const SwModelConfig *model, SwPromptClasses *prompts, SwPromptEncoder *words)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  UnetImpl *u = g_new0 (UnetImpl, 1);
  u->net = net;
  u->config = *model;
  u->prompts = prompts;
  u->words = words;
  SwEpsModel *m = g_new0 (SwEpsModel, 1);
  *m = (SwEpsModel) {
    .channels = cfg->channels, .height = cfg->size, .width = cfg->size,
    .cond_dim = cfg->class_dim, .T = model->T, .predicts_variance = FALSE,
    .predict = unet_predict, .encode = unet_encode, .prompts = unet_prompts,
    .free = unet_free, .impl = u,
  };
  g_strlcpy (m->dataset, model->dataset, sizeof m->dataset);
  return m;
}

static gboolean
check_unet (SwUnet *net, const SwModelConfig *model, GError **error)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  if (model->objective != SW_OBJECTIVE_EPS_COSINE || cfg->variant != SW_UNET_CLASS)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "this is a %s model (%s UNet, recipe %s); the Part A algorithms need a "
                   "class-conditioned eps-cosine model, such as one the ddpm-prompt or "
                   "emoji-ddpm recipe trains",
                   sw_objective_name (model->objective), sw_unet_variant_name (cfg->variant),
                   model->name);
      return FALSE;
    }
  return TRUE;
}

SwEpsModel *
sw_eps_model_new_unet (SwUnet *net, const SwModelConfig *model, const char *prompt_meta,
                       GError **error)
{
  if (!check_unet (net, model, error))
    return NULL;
  const SwUnetConfig *cfg = sw_unet_config (net);
  SwPromptClasses *prompts;
  if (prompt_meta)
    prompts = sw_prompt_classes_parse (prompt_meta, cfg->class_dim, error);
  else
    {
      g_autoptr (GString) s = g_string_new (NULL);
      for (int k = 0; k < cfg->class_dim; k++)
        g_string_append_printf (s, "%s%d", k ? ";" : "", k);
      prompts = sw_prompt_classes_parse (s->str, cfg->class_dim, error);
    }
  return prompts ? wrap (net, model, prompts, NULL) : NULL;
}

SwEpsModel *
sw_eps_model_new_unet_words (SwUnet *net, const SwModelConfig *model, const char *vocabulary_meta,
                             GError **error)
{
  if (!check_unet (net, model, error))
    return NULL;
  SwPromptEncoder *words = sw_prompt_encoder_parse (vocabulary_meta,
                                                    sw_unet_config (net)->class_dim, error);
  return words ? wrap (net, model, NULL, words) : NULL;
}

/* ------------------------------------------ the residual attention UNet */

typedef struct {
  SwResunet       *net;
  gboolean         owned;     /* freed with the model (one loaded from a file) */
  SwPromptEncoder *words;     /* NULL for a net without a vocabulary */
  float           *tt, *ss;   /* (cap) the timestep and conditioning level of every image */
  int              cap;
  double          *alpha_bar; /* (T) a v-prediction net's schedule, else NULL */
} ResunetImpl;

/* the timestep of every image in R->tt (N of them), as ADM's nets take it */
static void
resunet_times (ResunetImpl *r, int N, int t, int level)
{
  if (N > r->cap)
    {
      r->cap = N;
      r->tt = g_renew (float, r->tt, N);
      r->ss = g_renew (float, r->ss, N);
    }
  for (int i = 0; i < N; i++)
    {
      r->tt[i] = (float) t;
      r->ss[i] = (float) level;
    }
}

/* a v-prediction net's output turned into the noise, in place */
static void
resunet_v_to_eps (SwEpsModel *m, int N, const float *x, int t, float *eps)
{
  ResunetImpl *r = m->impl;
  if (!r->alpha_bar)
    return;
  /* v = sqrt(ab) eps - sqrt(1-ab) x0 and x_t = sqrt(ab) x0 + sqrt(1-ab) eps
   * give eps = sqrt(ab) v + sqrt(1-ab) x_t (docs/math.md) */
  const float a = (float) sqrt (r->alpha_bar[t]), b = (float) sqrt (1.0 - r->alpha_bar[t]);
  const size_t n = (size_t) N * m->channels * m->height * m->width;
  for (size_t j = 0; j < n; j++)
    eps[j] = a * eps[j] + b * x[j];
}

static void
resunet_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
                 float *var)
{
  ResunetImpl *r = m->impl;
  (void) var;
  resunet_times (r, N, t, 0);
  sw_resunet_forward (r->net, N, x, r->tt, r->words ? cond : NULL, false, eps);
  resunet_v_to_eps (m, N, x, t, eps);
}

static void
resunet_key_rows (SwEpsModel *m, int N, const uint64_t *keys)
{
  ResunetImpl *r = m->impl;
  sw_resunet_key_rows (r->net, N, keys);
}

static void
resunet_predict_cond (SwEpsModel *m, int N, const float *x, int t, const float *cond,
                      const float *image, int level, float *eps, float *var)
{
  ResunetImpl *r = m->impl;
  (void) var;
  resunet_times (r, N, t, level);
  sw_resunet_forward_cond (r->net, N, x, r->tt, r->words ? cond : NULL, image, r->ss, false, eps);
  resunet_v_to_eps (m, N, x, t, eps);
}

static gboolean
resunet_encode (SwEpsModel *m, const char *prompt, float *cond, GError **error)
{
  ResunetImpl *r = m->impl;
  if (r->words)
    {
      if (!sw_prompt_encoder_encode (r->words, prompt, cond, error))
        return FALSE;
      /* cross-attention reads max_words of them: a longer prompt would
       * lose words without a word said */
      const SwResunetConfig *cfg = sw_resunet_config (r->net);
      int k = 0;
      for (int v = 0; v < m->cond_dim; v++)
        k += cond[v] != 0.0f;
      SW_CHECK (!cfg->cross || k <= cfg->max_words,
                "“%s” stands for %d words; this model reads at most %d; accepted: a shorter prompt",
                prompt, k, cfg->max_words);
      return TRUE;
    }
  /* a net without a vocabulary is unconditional: cond_dim 1, unread */
  SW_CHECK (!prompt || !*prompt,
            "this model takes no prompt, so “%s” means nothing to it; accepted: the empty prompt",
            prompt);
  cond[0] = 0.0f;
  return TRUE;
}

static char **
resunet_prompts (SwEpsModel *m)
{
  ResunetImpl *r = m->impl;
  return r->words ? sw_prompt_encoder_prompts (r->words) : g_new0 (char *, 1);
}

static void
resunet_free (SwEpsModel *m)
{
  ResunetImpl *r = m->impl;
  if (r->owned)
    sw_resunet_free (r->net);
  sw_prompt_encoder_free (r->words);
  g_free (r->tt);
  g_free (r->ss);
  g_free (r->alpha_bar);
  g_free (r);
}

/* sw_eps_model_new_resunet's, for a super-resolution net too when
 * SR_FACTOR > 0 (its upsampling factor, which it samples at) */
static SwEpsModel *
new_resunet (SwResunet *net, const SwModelConfig *model, const char *vocabulary, int sr_factor,
             GError **error)
{
  const SwResunetConfig *cfg = sw_resunet_config (net);
  SwPromptEncoder *words = NULL;
  if (model->objective != SW_OBJECTIVE_EPS_COSINE && model->objective != SW_OBJECTIVE_V_COSINE)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a residual attention UNet trained for the %s objective; accepted: eps-cosine, "
                   "v-cosine", sw_objective_name (model->objective));
      return NULL;
    }
  if (cfg->cond_channels > 0 && sr_factor == 0)
    {
      /* only the cascade gives it the low-res image it needs */
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a super-resolution model (the cascade's stage II: it upsamples a %d-channel "
                   "image, metadata field “resunet.cond_channels”), which runs only as a "
                   "cascade's second stage, after a stage I model; accepted here: a model that "
                   "draws images from noise alone", cfg->cond_channels);
      return NULL;
    }
  if (cfg->cond_channels == 0 && sr_factor > 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "not a super-resolution model: it draws images from noise alone (it has no "
                   "metadata field “resunet.cond_channels”), so it cannot be a cascade's stage "
                   "II; accepted: a stage II file, such as the emoji-stage2 recipe trains");
      return NULL;
    }
  if (cfg->vocab > 0 && !vocabulary)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "a net of %d prompt words without its vocabulary (metadata field "
                   "“prompt.vocabulary”)", cfg->vocab);
      return NULL;
    }
  if (cfg->vocab > 0 && !(words = sw_prompt_encoder_parse (vocabulary, cfg->vocab, error)))
    return NULL;
  ResunetImpl *r = g_new0 (ResunetImpl, 1);
  r->net = net;
  r->words = words;
  if (model->objective == SW_OBJECTIVE_V_COSINE)
    {
      r->alpha_bar = g_new (double, model->T);
      sw_cosine_alpha_bar (model->T, r->alpha_bar);
    }
  SwEpsModel *m = g_new0 (SwEpsModel, 1);
  *m = (SwEpsModel) {
    .channels = cfg->channels, .height = cfg->size, .width = cfg->size,
    .cond_dim = MAX (cfg->vocab, 1), .T = model->T, .predicts_variance = FALSE,
    .predict = resunet_predict, .encode = resunet_encode, .prompts = resunet_prompts,
    .key_rows = resunet_key_rows, .free = resunet_free, .impl = r,
    .cond_channels = cfg->cond_channels, .sr_factor = sr_factor,
    .predict_cond = cfg->cond_channels > 0 ? resunet_predict_cond : NULL,
  };
  g_strlcpy (m->dataset, model->dataset, sizeof m->dataset);
  if (!sw_eps_model_set_word_noise (m, model->word_noise, error))
    {
      sw_eps_model_free (m);
      return NULL;
    }
  return m;
}

gboolean
sw_eps_model_set_word_noise (SwEpsModel *m, float scale, GError **error)
{
  SW_CHECK (scale >= 0.0f && scale <= 1.0f,
            "word noise %g is out of range; accepted: 0 (none) to 1", scale);
  const gboolean resunet = m->predict == resunet_predict;
  SW_CHECK (scale == 0.0f || (resunet && sw_resunet_config (((ResunetImpl *) m->impl)->net)->cross),
            "word noise is for a model that reads its prompt's words by cross-attention, such as "
            "emoji-stage1's, and this one does not; accepted: 0 (none)");
  if (!resunet)
    return TRUE;
  ResunetImpl *r = m->impl;
  sw_resunet_set_word_noise (r->net, scale, (float) (SW_WORD_NOISE_FROM * m->T), (float) m->T);
  return TRUE;
}

float
sw_eps_model_word_noise (const SwEpsModel *m)
{
  return m->predict == resunet_predict ? sw_resunet_word_noise (((const ResunetImpl *) m->impl)->net)
                                       : 0.0f;
}

SwEpsModel *
sw_eps_model_new_resunet (SwResunet *net, const SwModelConfig *model, const char *vocabulary,
                          GError **error)
{
  return new_resunet (net, model, vocabulary, 0, error);
}

/* a stage II file's upsampling factor, its "recipe.sr_factor" (the
 * recipe's, train/recipe.h, read here as the model's own: sampling needs
 * it and never the recipe) */
static gboolean
sr_factor_of (GHashTable *meta, int *factor, GError **error)
{
  const char *v = g_hash_table_lookup (meta, "recipe.sr_factor");
  guint64 f;
  if (!v || !g_ascii_string_to_unsigned (v, 10, 2, 8, &f, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.sr_factor” is %s%s%s; accepted: an integer, 2 to 8",
                   v ? "“" : "", v ? v : "missing", v ? "”" : "");
      return FALSE;
    }
  *factor = (int) f;
  return TRUE;
}

/* the residual attention UNet's model, from F (read from PATH); with
 * LOW_SIDE > 0, a stage II file's at LOW_SIDE x its factor, else a model
 * that draws from noise */
static SwEpsModel *
load_resunet (const SwStFile *f, const char *path, int low_side, GError **error)
{
  g_autoptr (GHashTable) meta = NULL;
  SwResunet *net = sw_resunet_load_file (f, path, &meta, NULL, NULL, error);
  if (!net)
    return NULL;
  SwModelConfig config;
  g_autoptr (GError) local = NULL;
  SwEpsModel *m = NULL;
  int factor = 0;
  if (!sw_model_config_from_meta (meta, &config, &local))
    g_prefix_error (&local, "no usable training recipe: ");
  else if (low_side > 0 && sw_resunet_config (net)->cond_channels > 0)
    {
      /* it trained on crops: the same weights at the side it samples */
      SwResunet *whole = sr_factor_of (meta, &factor, &local)
                       ? sw_resunet_new_at_size (net, low_side * factor, &local) : NULL;
      if (whole)
        {
          sw_resunet_free (net);
          net = whole;
        }
      else
        factor = 0;
    }
  /* asked for stage II, a net without cond_channels still goes with a
   * factor, so that new_resunet says it is not stage II */
  if (!local)
    m = new_resunet (net, &config, g_hash_table_lookup (meta, "prompt.vocabulary"),
                     low_side > 0 ? MAX (factor, 1) : 0, &local);
  if (!m)
    {
      g_prefix_error (&local, "“%s”: ", path);
      g_propagate_error (error, g_steal_pointer (&local));
      sw_resunet_free (net);
      return NULL;
    }
  ((ResunetImpl *) m->impl)->owned = TRUE;
  return m;
}

/* ------------------------------------------------------------ loading */

/* the course UNet's model, from F (read from PATH) */
static SwEpsModel *
load_unet (const SwStFile *f, const char *path, GError **error)
{
  g_autoptr (GHashTable) meta = NULL;
  SwUnet *net = sw_checkpoint_load_file (f, path, &meta, NULL, NULL, error);
  SwModelConfig config;
  if (!net)
    return NULL;
  if (!sw_model_config_from_meta (meta, &config, error))
    {
      g_prefix_error (error, "“%s” has no usable training recipe: ", path);
      sw_unet_free (net);
      return NULL;
    }
  const char *vocabulary = g_hash_table_lookup (meta, "prompt.vocabulary");
  SwEpsModel *m = vocabulary
    ? sw_eps_model_new_unet_words (net, &config, vocabulary, error)
    : sw_eps_model_new_unet (net, &config, g_hash_table_lookup (meta, "prompt.classes"), error);
  if (!m)
    {
      g_prefix_error (error, "“%s”: ", path);
      sw_unet_free (net);
      return NULL;
    }
  ((UnetImpl *) m->impl)->owned = net;
  return m;
}

SwEpsModel *
sw_eps_model_load (const char *path, GError **error)
{
  SwStFile *f = sw_safetensors_open (path, error);
  if (!f)
    return NULL;
  const char *arch = sw_safetensors_meta (f, "arch");
  SwEpsModel *m = g_strcmp0 (arch, SW_RESUNET_ARCH) == 0 ? load_resunet (f, path, 0, error)
                                                        : load_unet (f, path, error);
  sw_safetensors_close (f);
  return m;
}

SwEpsModel *
sw_eps_model_load_stage2 (const char *path, int low_side, GError **error)
{
  g_return_val_if_fail (low_side > 0, NULL);
  SwStFile *f = sw_safetensors_open (path, error);
  if (!f)
    return NULL;
  SwEpsModel *m = NULL;
  if (g_strcmp0 (sw_safetensors_meta (f, "arch"), SW_RESUNET_ARCH) == 0)
    m = load_resunet (f, path, low_side, error);
  else
    g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                 "“%s”: not a super-resolution model: a course UNet, which draws images from "
                 "noise alone, so it cannot be a cascade's stage II; accepted: a stage II file, "
                 "such as the emoji-stage2 recipe trains", path);
  sw_safetensors_close (f);
  return m;
}

gboolean
sw_eps_model_file_is_stage2 (const char *path)
{
  SwStFile *f = sw_safetensors_open (path, NULL);
  if (!f)
    return FALSE;
  const char *cc = sw_safetensors_meta (f, "resunet.cond_channels");
  gboolean sr = g_strcmp0 (sw_safetensors_meta (f, "arch"), SW_RESUNET_ARCH) == 0 && cc
                && g_strcmp0 (cc, "0") != 0;
  sw_safetensors_close (f);
  return sr;
}

const SwPromptEncoder *
sw_eps_model_vocabulary (const SwEpsModel *m)
{
  if (m->encode == resunet_encode)
    return ((ResunetImpl *) m->impl)->words;
  return m->encode == unet_encode ? ((UnetImpl *) m->impl)->words : NULL;
}

void
sw_eps_model_free (SwEpsModel *m)
{
  if (!m)
    return;
  if (m->free)
    m->free (m);
  g_free (m);
}
