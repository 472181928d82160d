#include "train/trainer.h"

#include <math.h>
#include <string.h>

#include "data/caption-terms.h"
#include "data/sr-pairs.h"
#include "diffusion/noise-augment.h"
#include "models/cosine-schedule.h"
#include "models/eps-model.h"
#include "diffusion/ddpm-linear.h"
#include "models/prompt-classes.h"
#include "models/prompt-encoder.h"
#include "nn/layers.h"
#include "base/rng.h"

struct _SwTrainer {
  SwRecipe recipe;
  const SwDataset *data;
  SwTrainNet net;
  SwAdam opt;
  SwTrainNet averaged; /* the sampling net's copy, made on first use */
  SwDdpmLinear ddpm;
  double *cosine_ab;   /* (T) for eps-cosine */
  /* a class model of a captioned dataset: the captions' vocabulary and
   * terms, the class vector a bag of words (prompt-encoder.h) */
  SwPromptEncoder *vocab;
  SwCaptionTerms *terms;
  int cond_dim;        /* class vector width: the classes or the vocabulary */
  int last_n;          /* images in the last batch */
  int epoch;
  SwDataset view;      /* the dataset cut to the recipe's limit; data points here */
  SwDataset *base;     /* or its base emoji (recipe.base_emoji), a copy data points to */
  int *repeats;        /* (n) draws of each image an epoch (caption-terms.h), or NULL: one each */
  int n_order;         /* draws an epoch */
  /* a super-resolution recipe's: the images' block means (n, C, S / f, S / f)
   * and the net's side, the crop's (else the images') */
  float *lo;
  int side;
  /* batch buffers */
  int *order;          /* (n_order) */
  float *x, *inp, *target, *out, *dout, *t, *c;
  float *weight;       /* (batch) each image's Min-SNR loss weight */
  float *lo_crop, *cond, *levels;  /* super-resolution: low-res crops, the net's conditioning
                                    * image (batch, C, side, side), its noise levels */
};

static gboolean
check_data (const SwRecipe *r, const SwDataset *d, GError **error)
{
  if (d->n < 2)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the dataset “%s” has %d images; training needs at least 2", d->name, d->n);
      return FALSE;
    }
  if (r->model.variant == SW_UNET_CLASS && !d->labels && !d->captions)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the dataset “%s” has neither labels nor captions; a class-conditioned "
                   "recipe needs one of them", d->name);
      return FALSE;
    }
  /* the samplers of the other objectives take class indices, not prompts */
  if (r->model.variant == SW_UNET_CLASS && !d->labels && r->model.objective != SW_OBJECTIVE_EPS_COSINE
      && r->model.objective != SW_OBJECTIVE_V_COSINE)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the dataset “%s” has captions, not classes; the recipe “%s” needs a dataset "
                   "with classes (digits, fashion), and captions train the cosine-schedule recipes "
                   "(emoji-ddpm, ddpm-prompt, emoji-stage1)", d->name, r->model.name);
      return FALSE;
    }
  if (r->resunet.width > 0 && r->model.variant == SW_UNET_CLASS && !d->captions)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the dataset “%s” has no captions; the residual attention UNet's recipe “%s” "
                   "trains on prompts (accepted: a captioned dataset, emoji16, emoji64, emoji)",
                   d->name, r->model.name);
      return FALSE;
    }
  if (r->repeat_rare > 0.0f && !d->captions)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the dataset “%s” has no captions; repeat-factor sampling draws images by "
                   "how rare their caption's words are (accepted: a captioned dataset, emoji)",
                   d->name);
      return FALSE;
    }
  if (r->balanced_prompts && !d->captions)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the dataset “%s” has no captions; balanced prompts are drawn from a caption's "
                   "terms (accepted: a captioned dataset, emoji16, emoji64, emoji)", d->name);
      return FALSE;
    }
  if (d->height != d->width || d->height % 4 != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "images of %dx%d are not supported; accepted: square, a multiple of 4",
                   d->width, d->height);
      return FALSE;
    }
  if (r->sr_factor > 0 && (r->resunet.width == 0 || r->crop > d->height
                           || d->height % r->sr_factor != 0))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the super-resolution recipe “%s” (factor %d, crops of %d) does not fit %dx%d "
                   "images of “%s”; accepted: a residual attention UNet, images the factor "
                   "divides, crops no larger than them", r->model.name, r->sr_factor, r->crop,
                   d->width, d->height, d->name);
      return FALSE;
    }
  return TRUE;
}

/* The conditioning a class recipe trains on DATA: its labels (*VOCAB
 * stays NULL) or its captions' vocabulary and terms; *COND_DIM the class
 * vector's width, 0 for a recipe without classes. */
static gboolean
conditioning (const SwRecipe *recipe, const SwDataset *data, SwPromptEncoder **vocab,
              SwCaptionTerms **terms, int *cond_dim, GError **error)
{
  *vocab = NULL;
  *terms = NULL;
  *cond_dim = 0;
  if (recipe->model.variant != SW_UNET_CLASS)
    return TRUE;
  if (data->labels)
    {
      *cond_dim = data->n_classes;
      return TRUE;
    }
  /* the images trained on (a --limit keeps the first n) give the words */
  *vocab = sw_prompt_encoder_new ((const char * const *) data->captions, data->n, error);
  if (*vocab)
    *terms = sw_caption_terms_new (*vocab, (const char * const *) data->captions, data->n, error);
  if (!*terms)
    {
      g_clear_pointer (vocab, sw_prompt_encoder_free);
      g_prefix_error (error, "the dataset “%s”: ", data->name);
      return FALSE;
    }
  *cond_dim = sw_prompt_encoder_size (*vocab);
  return TRUE;
}

/* DATA seen through VIEW, cut to the recipe's first images (its limit),
 * less the images it holds out (recipe.hold_out), then to their base emoji
 * if the recipe asks: *BASE, a copy the caller frees (NULL when VIEW
 * serves); NULL with an error if none is left */
static const SwDataset *
selected (const SwRecipe *r, const SwDataset *data, SwDataset *view, SwDataset **base,
          GError **error)
{
  *view = *data;
  *base = NULL;
  if (r->limit > 0 && r->limit < view->n)
    view->n = r->limit;
  if (r->hold_out > 0 && !(*base = sw_dataset_hold_out (view, r->hold_out, FALSE, error)))
    return NULL;
  if (!r->base_emoji)
    return *base ? *base : view;
  SwDataset *b = sw_dataset_base_emoji (*base ? *base : view, error);
  g_clear_pointer (base, sw_dataset_free);
  *base = b;
  return b;
}

/* takes VOCAB, TERMS and BASE (selected's copy, or NULL) */
static SwTrainer *
trainer_alloc (const SwRecipe *recipe, const SwDataset *data, SwDataset *base, SwTrainNet net,
               SwPromptEncoder *vocab, SwCaptionTerms *terms)
{
  SwTrainer *tr = g_new0 (SwTrainer, 1);
  tr->recipe = *recipe;
  tr->view = *data;
  tr->base = base;
  tr->data = &tr->view;
  tr->net = net;
  tr->vocab = vocab;
  tr->terms = terms;
  int channels;
  sw_train_net_shape (&net, &channels, &tr->side, &tr->cond_dim);
  sw_ddpm_linear_init (&tr->ddpm, recipe->model.T, recipe->model.beta1, recipe->model.beta2);
  tr->cosine_ab = g_new (double, recipe->model.T);
  sw_cosine_alpha_bar (recipe->model.T, tr->cosine_ab);
  const int B = recipe->batch;
  const size_t img = (size_t) data->channels * tr->side * tr->side;
  if (recipe->sr_factor > 0)
    {
      const int f = recipe->sr_factor, s = data->height / f, c = tr->side / f;
      tr->lo = g_new (float, (size_t) data->n * data->channels * s * s);
      sw_sr_block_means ((size_t) data->n * data->channels, data->height, f, data->images, tr->lo);
      tr->lo_crop = g_new (float, (size_t) B * data->channels * c * c);
      tr->cond = g_new (float, B * img);
      tr->levels = g_new (float, B);
    }
  tr->n_order = data->n;
  if (recipe->repeat_rare > 0.0f && terms)
    tr->repeats = sw_caption_terms_repeats (terms, recipe->repeat_rare, &tr->n_order);
  tr->order = g_new (int, tr->n_order);
  tr->x = g_new (float, B * img);
  tr->inp = g_new (float, B * img);
  tr->target = g_new (float, B * img);
  tr->out = g_new (float, B * img);
  tr->dout = g_new (float, B * img);
  tr->t = g_new (float, B);
  tr->c = g_new0 (float, (size_t) B * MAX (tr->cond_dim, 1));
  tr->weight = g_new (float, B);
  return tr;
}

/* The recipe's word rate: the weights that hold a vector per class or
 * prompt word run at lr * word_lr (a word in one caption of 3,655 is in
 * about one batch of 57 an epoch, and Adam moves a weight by about lr per
 * step whatever its gradient, so these vectors learn slowest of all). */
static void
word_groups (SwTrainer *tr)
{
  tr->opt.n_groups = 0;
  if (tr->recipe.word_lr == 1.0f)
    return;
  for (size_t i = 0; i < sw_train_net_n_tensors (&tr->net); i++)
    {
      const SwTensorInfo *info = sw_train_net_tensor (&tr->net, i);
      if (sw_train_net_holds_words (&tr->net, info))
        sw_adam_add_group (&tr->opt, info->offset, info->offset + info->numel, tr->recipe.word_lr);
    }
}

SwTrainer *
sw_trainer_new (const SwRecipe *recipe, const SwDataset *data, GError **error)
{
  SwPromptEncoder *vocab;
  SwCaptionTerms *terms;
  int cond_dim;
  SwDataset view;
  g_autoptr (SwDataset) base = NULL;
  if (!sw_recipe_validate (recipe, error) || !(data = selected (recipe, data, &view, &base, error))
      || !check_data (recipe, data, error)
      || !conditioning (recipe, data, &vocab, &terms, &cond_dim, error))
    return NULL;
  SwTrainNet net = { 0 };
  if (recipe->resunet.width > 0)
    {
      SwResunetConfig cfg = recipe->resunet;
      cfg.channels = data->channels;
      cfg.size = data->height;
      cfg.vocab = cond_dim;
      if (recipe->sr_factor > 0)
        {
          /* it trains on crops, reading the low-res image beside x */
          cfg.size = recipe->crop;
          cfg.cond_channels = data->channels;
          cfg.aug = true;
        }
      net.resunet = sw_resunet_new (&cfg, error);
      if (net.resunet)
        sw_resunet_init_params (net.resunet, recipe->seed);
    }
  else if (recipe->model.objective == SW_OBJECTIVE_V_COSINE)
    g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                 "the v-cosine objective trains a residual attention UNet; the recipe “%s” trains "
                 "the course UNet (accepted: eps-cosine, or the emoji-stage1 recipe)", recipe->model.name);
  else
    {
      SwUnetConfig cfg = {
        .variant = recipe->model.variant, .time_mod = recipe->model.time_mod, .cond = recipe->model.cond,
        .D = recipe->model.D, .channels = data->channels, .size = data->height, .class_dim = cond_dim,
        .embed_dim = recipe->model.embed,
      };
      net.unet = sw_unet_new (&cfg, error);
      if (net.unet)
        sw_unet_init_params (net.unet, recipe->seed);
    }
  if (!net.unet && !net.resunet)
    {
      sw_caption_terms_free (terms);
      sw_prompt_encoder_free (vocab);
      return NULL;
    }
  SwTrainer *tr = trainer_alloc (recipe, data, g_steal_pointer (&base), net, vocab, terms);
  sw_adam_init (&tr->opt, sw_train_net_n_params (&net), recipe->lr);
  if (recipe->ema > 0.0f)
    sw_adam_enable_ema (&tr->opt, recipe->ema, sw_train_net_params (&net));
  word_groups (tr);
  return tr;
}

SwTrainer *
sw_trainer_resume (const char *path, const SwDataset *data, const SwResumeChanges *changes,
                   GError **error)
{
  g_autoptr (GHashTable) meta = NULL;
  SwAdam opt = { 0 };
  gboolean has_opt = FALSE;
  SwRecipe recipe;
  SwPromptEncoder *vocab;
  SwCaptionTerms *terms;
  int cond_dim;
  gint64 done;
  SwDataset view;
  g_autoptr (SwDataset) base = NULL;
  SwTrainNet net;
  if (!sw_train_net_load (path, &net, &meta, &opt, &has_opt, error))
    return NULL;
  const char *epoch = g_hash_table_lookup (meta, "train.epoch");
  if (!has_opt)
    g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s” holds weights only; resuming needs a training checkpoint "
                 "(checkpoint.safetensors in the training folder)", path);
  else if (!epoch || !g_ascii_string_to_signed (epoch, 10, 0, G_MAXINT, &done, NULL))
    g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: metadata field “train.epoch” is missing or not a count", path);
  else if (sw_recipe_from_meta (meta, &recipe, error))
    {
      if (net.unet)
        {
          const SwUnetConfig *cfg = sw_unet_config (net.unet);
          recipe.model.variant = cfg->variant;
          recipe.model.time_mod = cfg->time_mod;
          recipe.model.cond = cfg->cond;
          recipe.model.embed = cfg->embed_dim;
        }
      else
        {
          /* with a vocabulary it trains on prompts: the class variant's conditioning */
          recipe.resunet = *sw_resunet_config (net.resunet);
          recipe.model.variant = recipe.resunet.vocab > 0 ? SW_UNET_CLASS : SW_UNET_TIME;
        }
      const SwResumeChanges none = { 0 }, *ch = changes ? changes : &none;
      if (ch->epochs > 0)
        recipe.epochs = ch->epochs;
      if ((ch->gamma > 0.0f && recipe.scheduler) || ch->lr > 0.0f)
        {
          /* the schedule restarts here, from the rate it has reached or the new one */
          recipe.lr = ch->lr > 0.0f ? ch->lr : sw_recipe_lr (&recipe, (int) done);
          recipe.lr_epoch = (int) done;
          recipe.gamma = ch->gamma > 0.0f ? ch->gamma : sw_recipe_gamma (&recipe);
        }
      if (ch->ema > 0.0f)
        recipe.ema = ch->ema;
      if (ch->word_lr > 0.0f)
        recipe.word_lr = ch->word_lr;
      if (ch->word_noise > 0.0f)
        recipe.model.word_noise = ch->word_noise;
      if (ch->repeat_rare != 0.0f)
        recipe.repeat_rare = MAX (ch->repeat_rare, 0.0f);
      if (recipe.ema > 0.0f)
        sw_adam_enable_ema (&opt, recipe.ema, sw_train_net_params (&net));
      if (net.unet && recipe.model.word_noise > 0.0f)
        g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                     "word noise %g is for a model that reads its prompt's words by "
                     "cross-attention; accepted for this one: 0 (none)", recipe.model.word_noise);
      else if (g_strcmp0 (recipe.model.dataset, data->name) != 0)
        g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                     "“%s” was trained on “%s”, not on “%s”", path, recipe.model.dataset, data->name);
      else if (recipe.epochs < done)
        g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                     "“%s” has %d epochs done, more than the %d asked for; give at least %d "
                     "epochs to resume it", path, (int) done, recipe.epochs, (int) done);
      else if (sw_recipe_validate (&recipe, error)
               && (data = selected (&recipe, data, &view, &base, error))
               && check_data (&recipe, data, error)
               && conditioning (&recipe, data, &vocab, &terms, &cond_dim, error))
        {
          g_autofree char *words = vocab ? sw_prompt_encoder_to_meta (vocab) : NULL;
          int channels, size, net_cond;
          sw_train_net_shape (&net, &channels, &size, &net_cond);
          if (size != (recipe.sr_factor > 0 ? recipe.crop : data->height)
              || channels != data->channels || net_cond != cond_dim)
            g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                         "“%s” does not fit the dataset's images or classes", path);
          else if (vocab && g_strcmp0 (words, g_hash_table_lookup (meta, "prompt.vocabulary")) != 0)
            g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                         "“%s” was trained on captions with another vocabulary than those of "
                         "“%s” now; train afresh (without --resume)", path, data->name);
          else
            {
              SwTrainer *tr = trainer_alloc (&recipe, data, g_steal_pointer (&base), net, vocab, terms);
              tr->opt = opt;
              tr->epoch = (int) done;
              word_groups (tr);
              return tr;
            }
          sw_caption_terms_free (terms);
          sw_prompt_encoder_free (vocab);
        }
    }
  sw_adam_clear (&opt);
  sw_train_net_clear (&net);
  return NULL;
}

void
sw_trainer_free (SwTrainer *tr)
{
  if (!tr)
    return;
  sw_train_net_clear (&tr->net);
  sw_train_net_clear (&tr->averaged);
  sw_prompt_encoder_free (tr->vocab);
  sw_caption_terms_free (tr->terms);
  sw_adam_clear (&tr->opt);
  sw_ddpm_linear_clear (&tr->ddpm);
  g_free (tr->cosine_ab);
  g_free (tr->order);
  g_free (tr->x);
  g_free (tr->inp);
  g_free (tr->target);
  g_free (tr->out);
  g_free (tr->dout);
  g_free (tr->t);
  g_free (tr->c);
  g_free (tr->weight);
  g_free (tr->lo);
  g_free (tr->lo_crop);
  g_free (tr->cond);
  g_free (tr->levels);
  g_free (tr->repeats);
  sw_dataset_free (tr->base);
  g_free (tr);
}

const SwRecipe *sw_trainer_recipe (const SwTrainer *tr) { return &tr->recipe; }
SwUnet *sw_trainer_net (SwTrainer *tr) { return tr->net.unet; }
const SwTrainNet *sw_trainer_train_net (const SwTrainer *tr) { return &tr->net; }

int sw_trainer_epoch (const SwTrainer *tr) { return tr->epoch; }
const SwPromptEncoder *sw_trainer_vocabulary (const SwTrainer *tr) { return tr->vocab; }

const float *
sw_trainer_last_conditioning (const SwTrainer *tr, int *n, int *width)
{
  *n = tr->last_n;
  *width = tr->cond_dim;
  return tr->cond_dim > 0 ? tr->c : NULL;
}

int sw_trainer_draws_per_epoch (const SwTrainer *tr) { return tr->n_order; }
int sw_trainer_n_images (const SwTrainer *tr) { return tr->data->n; }

int
sw_trainer_steps_per_epoch (const SwTrainer *tr)
{
  /* like PyTorch's DataLoader without drop_last, except that a last batch
   * of one image is dropped: BatchNorm cannot normalise a single value */
  int n = tr->n_order, B = tr->recipe.batch;
  return n / B + (n % B >= 2 ? 1 : 0);
}

/* A super-resolution batch's conditioning: the low-res crops in [-1, 1],
 * noised at levels drawn in 0..aug_max, upsampled to the crops' grid.
 * Noised before the upsampling, so that a level destroys as much of the
 * low-res image as it says: noise drawn per high-res pixel would be
 * averaged away by a net that reads a whole block (docs/math.md 3.2). */
static void
sr_conditioning (SwTrainer *tr, SwRng *rng, int N)
{
  const SwRecipe *r = &tr->recipe;
  const int C = tr->data->channels, c = tr->side / r->sr_factor;
  const size_t lo_img = (size_t) C * c * c;
  for (size_t j = 0; j < N * lo_img; j++)
    tr->lo_crop[j] = 2.0f * tr->lo_crop[j] - 1.0f;
  sw_noise_augment_batch (N, lo_img, tr->lo_crop, tr->cosine_ab, r->aug_max, rng, tr->levels,
                          tr->lo_crop);
  sw_sr_upsample ((size_t) N * C, c, r->sr_factor, tr->lo_crop, tr->cond);
}

/* Builds the network input, time, class and target for a batch of N
 * images in tr->x, per the recipe's objective (and a super-resolution
 * recipe's crops and conditioning). */
static void
make_batch (SwTrainer *tr, SwRng *rng, int N, const int *idx)
{
  const SwRecipe *r = &tr->recipe;
  const SwDataset *d = tr->data;
  const size_t img = (size_t) d->channels * tr->side * tr->side, n = N * img;
  const int K = tr->cond_dim;

  if (r->sr_factor > 0)
    sw_sr_draw_crops (d->images, tr->lo, d->channels, d->height, r->sr_factor, tr->side, N, idx,
                      rng, tr->x, tr->lo_crop);
  else
    for (int i = 0; i < N; i++)
      memcpy (tr->x + i * img, d->images + (size_t) idx[i] * img, sizeof (float) * img);
  if (tr->terms)
    for (int i = 0; i < N; i++)
      {
        float *bag = tr->c + (size_t) i * K;
        if (sw_rng_uniform (rng) < r->p_uncond)   /* the empty prompt */
          memset (bag, 0, sizeof (float) * K);
        else
          sw_caption_terms_draw (tr->terms, idx[i],
                                 r->balanced_prompts ? SW_PROMPT_DRAW_BALANCED : SW_PROMPT_DRAW_SUBSET,
                                 rng, bag);
      }
  else if (r->model.variant == SW_UNET_CLASS)
    {
      memset (tr->c, 0, sizeof (float) * N * K);
      for (int i = 0; i < N; i++)
        if (sw_rng_uniform (rng) >= r->p_uncond)   /* dropped: all-zero = no class */
          tr->c[i * K + d->labels[idx[i]]] = 1.0f;
    }

  switch (r->model.objective)
    {
    case SW_OBJECTIVE_DENOISE:
      for (size_t j = 0; j < n; j++)
        tr->inp[j] = tr->x[j] + r->model.sigma * sw_rng_normal (rng);
      memcpy (tr->target, tr->x, sizeof (float) * n);
      break;
    case SW_OBJECTIVE_PURE_NOISE:
      sw_rng_fill_normal (rng, tr->inp, n);
      memcpy (tr->target, tr->x, sizeof (float) * n);
      break;
    case SW_OBJECTIVE_FLOW:
      /* x0 ~ N(0, I) is noise, x1 the data; target x1 - x0 */
      for (int i = 0; i < N; i++)
        {
          float t = sw_rng_uniform (rng);
          tr->t[i] = t;
          for (size_t j = i * img; j < (i + 1) * img; j++)
            {
              float x0 = sw_rng_normal (rng);
              tr->inp[j] = (1.0f - t) * x0 + t * tr->x[j];
              tr->target[j] = tr->x[j] - x0;
            }
        }
      break;
    case SW_OBJECTIVE_DDPM:
      for (int i = 0; i < N; i++)
        {
          int t = 1 + (int) sw_rng_below (rng, (uint32_t) r->model.T);
          float a = (float) sqrt (tr->ddpm.alpha_bar[t]);
          float b = (float) sqrt (1.0 - tr->ddpm.alpha_bar[t]);
          tr->t[i] = (float) t / r->model.T;
          for (size_t j = i * img; j < (i + 1) * img; j++)
            {
              float eps = sw_rng_normal (rng);
              tr->inp[j] = a * tr->x[j] + b * eps;
              tr->target[j] = eps;
            }
        }
      break;
    case SW_OBJECTIVE_EPS_COSINE:
    case SW_OBJECTIVE_V_COSINE:
      /* t uniform in 0..T-1, pixels mapped from [0, 1] to [-1, 1]; the
       * course UNet takes t / T, the resunet t itself (as ADM) */
      for (int i = 0; i < N; i++)
        {
          int t = (int) sw_rng_below (rng, (uint32_t) r->model.T);
          float a = (float) sqrt (tr->cosine_ab[t]);
          float b = (float) sqrt (1.0 - tr->cosine_ab[t]);
          tr->t[i] = tr->net.resunet ? (float) t : (float) t / r->model.T;
          tr->weight[i] = sw_min_snr_weight (tr->cosine_ab[t], r->min_snr, r->model.objective);
          for (size_t j = i * img; j < (i + 1) * img; j++)
            {
              float eps = sw_rng_normal (rng), x0 = 2.0f * tr->x[j] - 1.0f;
              tr->inp[j] = a * x0 + b * eps;
              tr->target[j] = r->model.objective == SW_OBJECTIVE_V_COSINE ? a * eps - b * x0 : eps;
            }
        }
      if (r->sr_factor > 0)
        sr_conditioning (tr, rng, N);
      break;
    }
}

float
sw_min_snr_weight (double alpha_bar, float gamma, SwObjective objective)
{
  if (gamma <= 0.0f)
    return 1.0f;
  const double snr = alpha_bar / (1.0 - alpha_bar), clipped = MIN (snr, (double) gamma);
  return (float) (objective == SW_OBJECTIVE_V_COSINE ? clipped / (snr + 1.0) : clipped / snr);
}

void
sw_adamw_decay (const SwAdam *opt, float *params, float weight_decay)
{
  size_t j = 0;
  for (int g = 0; g <= opt->n_groups; g++)
    {
      /* the ungrouped run before group G (or to the end), then group G */
      const size_t end = g < opt->n_groups ? opt->groups[g].begin : opt->n;
      const float keep = 1.0f - opt->lr * weight_decay;
      for (; j < end; j++)
        params[j] *= keep;
      if (g == opt->n_groups)
        break;
      const float keep_g = 1.0f - opt->lr * opt->groups[g].scale * weight_decay;
      for (; j < opt->groups[g].end; j++)
        params[j] *= keep_g;
    }
}

/* the mean over N images of IMG values of weight[i] (out - target)^2, and
 * its gradient into DOUT (Min-SNR weighting; MSE when every weight is 1) */
static float
weighted_mse (int N, size_t img, const float *out, const float *target, const float *weight,
              float *dout)
{
  const double scale = 1.0 / ((double) N * img);
  double total = 0.0;
  for (int i = 0; i < N; i++)
    for (size_t j = i * img; j < (i + 1) * img; j++)
      {
        const float d = out[j] - target[j];
        total += (double) weight[i] * d * d;
        dout[j] = (float) (2.0 * scale * weight[i]) * d;
      }
  return (float) (total * scale);
}

/* BatchNorm statistics for averaged weights, as torch.optim.swa_utils.
 * update_bn computes them: the trained net's running statistics belong to
 * its own current weights, not to an average over the last 1/(1 - decay)
 * steps, so they are recomputed as the plain average over RECAL_BATCHES
 * training batches of RECAL_BATCH images.  The batches come from a stream
 * of their own (seed, epoch): the training's streams are untouched and a
 * resumed run recomputes the same numbers. */
enum { RECAL_BATCHES = 32, RECAL_BATCH = 32 };

static void
recalibrate_bn (SwTrainer *tr, SwUnet *net)
{
  const int n = tr->data->n, N = MIN (MIN (RECAL_BATCH, tr->recipe.batch), n);
  /* make_batch writes the training's batch buffers; the last batch's class
   * vectors stay readable (sw_trainer_last_conditioning) */
  const size_t c_floats = (size_t) tr->recipe.batch * MAX (tr->cond_dim, 1);
  g_autofree float *c_saved = g_memdup2 (tr->c, sizeof (float) * c_floats);
  g_autofree int *idx = g_new (int, N);
  SwRng rng;
  sw_rng_init (&rng, tr->recipe.seed, 2000 + (uint64_t) tr->epoch);
  sw_unet_reset_bn_stats (net);
  for (int k = 0; k < RECAL_BATCHES; k++)
    {
      for (int i = 0; i < N; i++)
        idx[i] = (int) sw_rng_below (&rng, (uint32_t) n);
      make_batch (tr, &rng, N, idx);
      sw_unet_set_bn_momentum (net, 1.0f / (float) (k + 1));
      sw_unet_forward (net, N, tr->inp, tr->t, tr->c, true, tr->out);
    }
  sw_unet_set_bn_momentum (net, SW_BN_MOMENTUM);
  memcpy (tr->c, c_saved, sizeof (float) * c_floats);
}

SwEpsModel *
sw_trainer_sampling_model (SwTrainer *tr, GError **error)
{
  const SwModelConfig *model = &tr->recipe.model;
  const SwTrainNet *net = sw_trainer_sampling_train_net (tr);
  g_autofree char *meta = tr->vocab ? sw_prompt_encoder_to_meta (tr->vocab) : NULL;
  return net->resunet ? sw_eps_model_new_resunet (net->resunet, model, meta, error)
                      : sw_eps_model_new_unet_words (net->unet, model, meta, error);
}

const SwTrainNet *
sw_trainer_sampling_train_net (SwTrainer *tr)
{
  if (!tr->opt.ema)
    return &tr->net;
  if (!tr->averaged.unet && !tr->averaged.resunet)
    tr->averaged = sw_train_net_new_like (&tr->net);
  memcpy (sw_train_net_params (&tr->averaged), tr->opt.ema, sizeof (float) * tr->opt.n);
  if (tr->averaged.unet)
    recalibrate_bn (tr, tr->averaged.unet);
  return &tr->averaged;
}

SwUnet *
sw_trainer_sampling_net (SwTrainer *tr)
{
  return sw_trainer_sampling_train_net (tr)->unet;
}

gboolean
sw_trainer_run_epoch (SwTrainer *tr, SwTrainStep step, gpointer user_data,
                      float *mean_loss, GError **error)
{
  const SwRecipe *r = &tr->recipe;
  const SwDataset *d = tr->data;
  const size_t img = (size_t) d->channels * tr->side * tr->side;
  const int steps = sw_trainer_steps_per_epoch (tr);
  SwRng rng;

  /* this epoch's own stream: resuming at any epoch reproduces it */
  sw_rng_init (&rng, r->seed, 1000 + (uint64_t) tr->epoch);
  for (int i = 0, m = 0; i < d->n; i++)
    for (int k = 0; k < (tr->repeats ? tr->repeats[i] : 1); k++)
      tr->order[m++] = i;
  sw_rng_shuffle (&rng, tr->order, tr->n_order);
  if (tr->net.resunet)   /* its dropout masks: this epoch's own too */
    sw_resunet_seed_dropout (tr->net.resunet, r->seed * 1000003u + 3000u + (uint64_t) tr->epoch);

  double total = 0.0;
  for (int s = 0; s < steps; s++)
    {
      int N = MIN (r->batch, tr->n_order - s * r->batch);
      size_t n = N * img;
      tr->opt.lr = sw_recipe_step_lr (r, tr->epoch, tr->opt.step);
      make_batch (tr, &rng, N, tr->order + s * r->batch);
      tr->last_n = N;
      sw_train_net_forward_cond (&tr->net, N, tr->inp, tr->t, tr->c, tr->cond, tr->levels, true,
                                 tr->out);
      float loss;
      if (r->min_snr > 0.0f)
        loss = weighted_mse (N, img, tr->out, tr->target, tr->weight, tr->dout);
      else
        {
          loss = sw_mse_forward (n, tr->out, tr->target);
          memset (tr->dout, 0, sizeof (float) * n);
          sw_mse_backward (n, tr->out, tr->target, 1.0f, tr->dout);
        }
      sw_train_net_zero_grad (&tr->net);
      sw_train_net_backward (&tr->net, tr->dout);
      if (r->weight_decay > 0.0f)
        sw_adamw_decay (&tr->opt, sw_train_net_params (&tr->net), r->weight_decay);
      sw_adam_step (&tr->opt, sw_train_net_params (&tr->net), sw_train_net_grads (&tr->net));
      if (!isfinite (loss))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "the loss became %g at epoch %d, step %d: training diverged; "
                       "try a lower learning rate (now %g)", loss, tr->epoch + 1, s + 1, tr->opt.lr);
          return FALSE;
        }
      total += loss;
      if (step && !step (tr->epoch, s, steps, loss, user_data))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_CANCELLED, "training stopped during epoch %d",
                       tr->epoch + 1);
          return FALSE;
        }
    }
  tr->epoch++;
  if (mean_loss)
    *mean_loss = (float) (total / steps);
  return TRUE;
}

gboolean
sw_trainer_save (SwTrainer *tr, const char *path, gboolean with_optimizer, SwDtype dtype,
                 const char * const *extra, GError **error)
{
  g_autoptr (GPtrArray) meta = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (&tr->recipe, meta);
  g_ptr_array_add (meta, g_strdup ("train.epoch"));
  g_ptr_array_add (meta, g_strdup_printf ("%d", tr->epoch));
  GString *classes = g_string_new (NULL);
  for (int i = 0; i < tr->data->n_classes; i++)
    g_string_append_printf (classes, "%s%s", i ? "," : "", tr->data->class_names[i]);
  g_ptr_array_add (meta, g_strdup ("dataset.classes"));
  g_ptr_array_add (meta, g_string_free (classes, FALSE));
  g_autoptr (SwPromptClasses) prompts = sw_prompt_classes_for_dataset (tr->recipe.model.dataset, NULL);
  if (prompts && tr->recipe.model.variant == SW_UNET_CLASS)
    {
      g_ptr_array_add (meta, g_strdup ("prompt.classes"));
      g_ptr_array_add (meta, sw_prompt_classes_to_meta (prompts));
    }
  if (tr->vocab)
    {
      g_ptr_array_add (meta, g_strdup ("prompt.vocabulary"));
      g_ptr_array_add (meta, sw_prompt_encoder_to_meta (tr->vocab));
    }
  for (const char * const *kv = extra; kv && kv[0] && kv[1]; kv += 2)
    {
      g_ptr_array_add (meta, g_strdup (kv[0]));
      g_ptr_array_add (meta, g_strdup (kv[1]));
    }
  g_ptr_array_add (meta, NULL);
  /* a checkpoint resumes the trained net; a model file ships what samples */
  return sw_train_net_save (with_optimizer ? &tr->net : sw_trainer_sampling_train_net (tr), path,
                            with_optimizer ? &tr->opt : NULL, (const char * const *) meta->pdata,
                            with_optimizer ? SW_DTYPE_F32 : dtype, error);
}
