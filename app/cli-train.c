/* stepwise-cli train: a recipe from scratch (or resumed), with a checkpoint
 * every epoch, loss CSVs and curves, and sample grids at chosen epochs. */
#include <glib.h>

#include "base/duration.h"
#include "cli.h"
#include "cli-common.h"
#include "data/dataset.h"
#include "diffusion/sample-grid.h"
#include "figures.h"
#include "train/run-folder.h"
#include "train/train-run.h"

#define CMD "train"

typedef struct {
  SwProgress       progress;
  char             name[32];      /* the recipe's (a resumed run: the checkpoint's) */
  int              epochs;
  const SwDataset *data;
  const char      *dir;
  const GArray    *grid_epochs;   /* int: the epochs after which to draw a grid */
  gboolean         resume;
} Run;

/* The denoisers' figures at the end of an epoch, as stepwise-cli denoise
 * draws them. */
static gboolean
denoise_figure (SwTrainer *tr, const SwDataset *train, const char *dir, GError **error)
{
  const SwModelConfig *model = &sw_trainer_recipe (tr)->model;
  int e = sw_trainer_epoch (tr);
  if (model->objective == SW_OBJECTIVE_PURE_NOISE)
    {
      double dist;
      g_autofree char *path = g_strdup_printf ("%s/pure-noise-epoch-%02d.png", dir, e);
      return sw_cli_pure_noise_figure (sw_trainer_sampling_net (tr), model, e, train, 0, path, &dist, error);
    }
  g_autoptr (GArray) sigmas = NULL;
  SwDataset *test = sw_dataset_load (model->dataset, SW_SPLIT_TEST, error);
  g_autofree char *path = g_strdup_printf ("%s/denoise-epoch-%02d.png", dir, e);
  gboolean ok = test && sw_cli_parse_sigmas ("0,0.2,0.4,0.5,0.6,0.8,1", &sigmas, error)
                && sw_cli_denoise_figure (sw_trainer_sampling_net (tr), model, e, test, 3, sigmas, 0, path, error);
  if (test)
    sw_dataset_free (test);
  return ok;
}

/* A model trained on captions: 4 samples of each quality prompt its
 * vocabulary knows (all of them on the emoji), else of its first words. */
static gboolean
prompt_grid (SwTrainer *tr, const char *dir, SwProgress *progress, GError **error)
{
  const SwModelConfig *model = &sw_trainer_recipe (tr)->model;
  g_autofree char *path = g_strdup_printf ("%s/samples-epoch-%02d.png", dir, sw_trainer_epoch (tr));
  g_autoptr (SwEpsModel) m = sw_trainer_sampling_model (tr, error);
  if (!m)
    return FALSE;
  g_autofree const char **prompts = sw_grid_prompts (m, 12);
  const int per = 4, n = (int) g_strv_length ((char **) prompts) * per;
  g_autofree float *out = g_new (float, (size_t) n * m->channels * m->height * m->width);
  if (!sw_sample_prompts (m, prompts, per, model->sample_steps, model->guidance, 0, out,
                          sw_cli_grid_progress, progress, error))
    return FALSE;
  g_autofree char *title = g_strdup_printf ("%s on %s, epoch %d, %d steps, guidance %g", model->name,
                                            model->dataset, sw_trainer_epoch (tr), model->sample_steps,
                                            model->guidance);
  return sw_figure_image_grid (path, out, n, m->channels, m->height, m->width, per, 3, prompts, title,
                               error);
}

/* Samples for the grid at the end of an epoch: 4 per class in rows of a
 * class, or 40 for a time-only model. */
static gboolean
sample_grid (SwTrainer *tr, const SwDataset *data, const char *dir, SwProgress *progress,
             GError **error)
{
  const SwModelConfig *model = &sw_trainer_recipe (tr)->model;
  if (model->objective == SW_OBJECTIVE_DENOISE || model->objective == SW_OBJECTIVE_PURE_NOISE)
    return denoise_figure (tr, data, dir, error);
  SwUnet *net = sw_trainer_sampling_net (tr);
  const SwUnetConfig *cfg = sw_unet_config (net);
  const gboolean classes = cfg->variant == SW_UNET_CLASS;
  const int rows = classes ? cfg->class_dim : 4, cols = classes ? 4 : 10, n = rows * cols;
  g_autofree float *out = g_new (float, (size_t) n * cfg->channels * cfg->size * cfg->size);
  if (!sw_sample_class_grid (net, model, rows, cols, 0, out, sw_cli_grid_progress, progress, error))
    return FALSE;
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  for (int i = 0; classes && i < rows; i++)
    g_ptr_array_add (labels, (gpointer) data->class_names[i]);
  g_ptr_array_add (labels, NULL);
  g_autofree char *path = g_strdup_printf ("%s/samples-epoch-%02d.png", dir, sw_trainer_epoch (tr));
  g_autofree char *guidance = classes ? g_strdup_printf (", guidance %g", model->guidance) : g_strdup ("");
  g_autofree char *title = g_strdup_printf ("%s on %s, epoch %d, %d steps%s", model->name, data->name,
                                            sw_trainer_epoch (tr), sw_model_config_sample_steps (model),
                                            guidance);
  return sw_figure_image_grid (path, out, n, cfg->channels, cfg->size, cfg->size, cols, 3,
                               classes ? (const char * const *) labels->pdata : NULL, title, error);
}

static gboolean
draw_curves (const char *dir, const SwRecipe *r, const SwLossLog *log, GError **error)
{
  g_autofree char *bp = g_build_filename (dir, "loss-batch.png", NULL);
  g_autofree char *ep = g_build_filename (dir, "loss-epoch.png", NULL);
  g_autofree char *bt = g_strdup_printf ("%s: training loss per batch", r->model.name);
  g_autofree char *et = g_strdup_printf ("%s: training loss per epoch", r->model.name);
  const GArray *batch = sw_loss_log_batches (log), *epoch = sw_loss_log_epochs (log);
  return sw_figure_loss_curve (bp, bt, "step", "MSE loss", (float *) batch->data, batch->len,
                               NULL, 0, error)
         && sw_figure_loss_curve (ep, et, "epoch", "mean MSE loss", (float *) epoch->data,
                                  epoch->len, NULL, 0, error);
}

/* the run's settings, once the trainer has them (a resumed run: the
 * checkpoint's) */
static void
on_start (SwTrainer *tr, const SwLossLog *log, gpointer user_data)
{
  Run *run = user_data;
  const SwRecipe *r = sw_trainer_recipe (tr);
  const SwModelConfig *m = &r->model;
  g_autofree char *sched = r->scheduler ? g_strdup_printf (" (x%.4g per epoch)", sw_recipe_gamma (r))
                                         : g_strdup (" (constant)");
  g_autofree char *averaged = r->ema > 0.0f ? g_strdup_printf (", samples from the weights' average (decay %g a step)", r->ema)
                                            : g_strdup ("");
  g_autofree char *embedding = m->embed ? g_strdup_printf (", word embedding %d", m->embed)
                                        : g_strdup ("");
  g_autofree char *words = r->word_lr != 1.0f ? g_strdup_printf (", word weights at %g x the rate", r->word_lr)
                                               : g_strdup ("");
  g_autofree char *repeated = r->repeat_rare > 0.0f
    ? g_strdup_printf (", rare captions repeated (threshold %g: %d draws an epoch)", r->repeat_rare,
                       sw_trainer_draws_per_epoch (tr))
    : g_strdup ("");
  g_autofree char *resuming = run->resume ? g_strdup_printf (", resuming after epoch %d", sw_trainer_epoch (tr))
                                          : g_strdup ("");
  const SwResunetConfig *res = &r->resunet;
  g_autofree char *sr = g_strdup_printf ("the %dx smaller image on %dx%d crops, noised up to level %d",
                                         r->sr_factor, r->crop, r->crop, r->aug_max);
  g_autofree char *shape = res->width > 0
    ? g_strdup_printf ("residual attention UNet of width %d, %d levels, %d blocks, %d heads, %s%s, %s, "
                       "weight decay %g, Min-SNR %g, warm-up %d steps", res->width, res->levels, res->blocks,
                       res->heads, res->pool ? "pooled words" : r->sr_factor ? "" : "no prompt",
                       res->cross ? (res->pool ? " and cross-attention" : "cross-attention")
                       : r->sr_factor ? sr : "",
                       sw_objective_name (m->objective), r->weight_decay, r->min_snr, r->warmup)
    : g_strdup_printf ("D=%d, conditioning %s%s", m->D, sw_cond_points_name (m->cond), embedding);
  fprintf (stderr, "%s on %s: %d images%s%s%s, %s, batch %d, %d epochs, lr %g%s%s, "
           "%zu parameters%s%s\n", m->name, run->data->name, sw_trainer_n_images (tr),
           r->base_emoji ? " (base emoji)" : "", r->balanced_prompts ? ", balanced prompts" : "", repeated, shape,
           r->batch, r->epochs, r->lr, sched, words,
           sw_train_net_n_params (sw_trainer_train_net (tr)), averaged, resuming);
  g_strlcpy (run->name, m->name, sizeof run->name);
  run->epochs = r->epochs;
  sw_progress_init (&run->progress, m->name);
}

static void
on_step (int epoch, int step, int steps, float loss, gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *extra = g_strdup_printf ("epoch %d/%d, step %d/%d, loss %.4f",
                                            epoch + 1, run->epochs, step + 1, steps, loss);
  sw_progress_update (&run->progress, (double) epoch * steps + step + 1,
                      (double) run->epochs * steps, extra);
}

/* the curves after every epoch, a grid after the chosen ones and the last */
static gboolean
on_epoch (SwTrainer *tr, const SwTrainEpochReport *report, gpointer user_data, GError **error)
{
  Run *run = user_data;
  const SwRecipe *r = sw_trainer_recipe (tr);
  sw_progress_end (&run->progress);
  if (!draw_curves (run->dir, r, report->log, error))
    return FALSE;
  /* a super-resolution model samples from a low-res image, which comes
   * with the cascade: no grid yet */
  gboolean grid = report->epoch == r->epochs && r->sr_factor == 0;
  for (guint i = 0; i < run->grid_epochs->len; i++)
    grid |= g_array_index (run->grid_epochs, int, i) == report->epoch && r->sr_factor == 0;
  if (grid)
    {
      SwProgress progress;
      sw_progress_init (&progress, "sampling");
      const gboolean drawn = sw_trainer_vocabulary (tr) ? prompt_grid (tr, run->dir, &progress, error)
                                                        : sample_grid (tr, run->data, run->dir, &progress, error);
      sw_progress_end (&progress);
      if (!drawn)
        return FALSE;
    }
  fprintf (stderr, "epoch %d/%d: loss %.5f, lr %.4g, %.1f s, %.1f images/s\n", report->epoch,
           r->epochs, report->loss, report->lr, report->seconds, report->images_per_s);
  return TRUE;
}

/* the residual attention UNet's options into RECIPE (0, -1 or NULL: the
 * recipe's); an error names the option and what it accepts */
static gboolean
resunet_options (SwRecipe *r, const char *objective, int width, const char *mult, int blocks,
                 const char *attention, int heads, int cross, GError **error)
{
  SwResunetConfig *c = &r->resunet;
  if (!objective && !width && !mult && !blocks && !attention && !heads && cross < 0)
    return TRUE;
  SW_CHECK (c->width > 0, "--objective, --width, --mult, --blocks, --attention, --heads and "
            "--cross shape a residual attention UNet; the recipe “%s” trains the course UNet "
            "(accepted: emoji-stage1, emoji-stage2)", r->model.name);
  if (objective)
    {
      SW_CHECK (g_strcmp0 (objective, "eps") == 0 || g_strcmp0 (objective, "v") == 0,
                "--objective “%s” is unknown; accepted: eps, v", objective);
      r->model.objective = objective[0] == 'v' ? SW_OBJECTIVE_V_COSINE : SW_OBJECTIVE_EPS_COSINE;
    }
  if (width)
    {
      c->width = width;
      c->time_dim = 4 * width;
      c->groups = MIN (32, width);
    }
  if (blocks) c->blocks = blocks;
  if (heads) c->heads = heads;
  if (cross >= 0)
    {
      SW_CHECK (cross <= 2, "--cross %d is out of range; accepted: 0 (pooled words), 1 "
                "(cross-attention), 2 (both)", cross);
      c->pool = cross != 1;
      c->cross = cross >= 1;
      if (!c->cross)
        r->model.word_noise = 0.0f;   /* cross-attention's words are what it noises */
    }
  g_autoptr (GArray) levels = NULL;
  if (mult)
    {
      if (!sw_cli_parse_int_list (mult, "--mult", &levels, error))
        return FALSE;
      SW_CHECK (levels->len >= 1 && levels->len <= SW_RESUNET_MAX_LEVELS,
                "--mult “%s” gives %u levels; accepted: 1 to %d", mult, levels->len, SW_RESUNET_MAX_LEVELS);
      c->levels = (int) levels->len;
      for (guint l = 0; l < levels->len; l++)
        c->mult[l] = g_array_index (levels, int, l);
      g_clear_pointer (&levels, g_array_unref);
    }
  if (attention)
    {
      c->attn = 0;
      if (*attention && !sw_cli_parse_int_list (attention, "--attention", &levels, error))
        return FALSE;
      for (guint l = 0; levels && l < levels->len; l++)
        {
          const int level = g_array_index (levels, int, l);
          SW_CHECK (level >= 0 && level < c->levels, "--attention level %d is out of range; "
                    "accepted: 0 to %d (the levels of --mult)", level, c->levels - 1);
          c->attn |= 1u << level;
        }
    }
  return TRUE;
}

int
sw_cli_train (int argc, char **argv)
{
  g_autofree char *dataset = NULL, *out = NULL, *sample_epochs = NULL, *cond = NULL;
  g_autofree char *objective = NULL, *mult = NULL, *attention = NULL;
  int epochs = 0, batch = 0, D = 0, embed = -1, limit = 0, sample_steps = 0;
  int width = 0, blocks = 0, heads = 0, cross = -1;
  double lr = 0, gamma = -1, sigma = -1, p_uncond = -1, ema = -1, word_lr = -1, repeat_rare = -1;
  double weight_decay = -1, min_snr = -1, minutes = 0;
  int warmup = -1, crop = 0, aug_max = -1;
  gboolean base_emoji = FALSE;
  g_autofree char *prompt_draw = NULL;
  gint64 seed = -1;
  gboolean no_scheduler = FALSE, resume = FALSE, force = FALSE;
  const GOptionEntry entries[] = {
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset, "digits, fashion, emoji, emoji64 or emoji16 (default: the recipe's)", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for checkpoints, logs and figures (default runs/RECIPE-DATASET)", "DIR" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, "Epochs (recipe default)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Batch size", "N" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Initial learning rate; with --resume, the rate from here on", "LR" },
    { "D", 0, 0, G_OPTION_ARG_INT, &D, "Hidden width of the UNet", "D" },
    { "embed", 0, 0, G_OPTION_ARG_INT, &embed, "Width of a word embedding every class FCBlock reads (0, the default: none; the class vector goes straight in)", "E" },
    { "cond", 0, 0, G_OPTION_ARG_STRING, &cond, "Where time and class modulate a class UNet: course (u0 and up1, the default), every (after every block) or film (after every block, the prompt giving a scale and a shift around the identity)", "POINTS" },
    { "gamma", 0, 0, G_OPTION_ARG_DOUBLE, &gamma, "ExponentialLR factor per epoch (default 0.1^(1/epochs)); with --resume, from the current rate on", "G" },
    { "no-scheduler", 0, 0, G_OPTION_ARG_NONE, &no_scheduler, "Constant learning rate (the write-up's ablation)", NULL },
    { "ema", 0, 0, G_OPTION_ARG_DOUBLE, &ema, "Sample from and ship a moving average of the weights with this decay per step (default 0: none); with --resume, from the current weights on", "DECAY" },
    { "word-lr", 0, 0, G_OPTION_ARG_DOUBLE, &word_lr, "Multiply the rate of the weights that hold a vector per class or prompt word by X (default 1); with --resume, from here on", "X" },
    { "repeat-rare", 0, 0, G_OPTION_ARG_DOUBLE, &repeat_rare, "Draw each captioned image round(max(1, sqrt(T / f))) times an epoch, f the share of captions with its rarest word (repeat-factor sampling; default 0: once); with --resume, from here on", "T" },
    { "objective", 0, 0, G_OPTION_ARG_STRING, &objective, "What a residual attention UNet predicts: eps (the noise, the default) or v (sqrt(ab) eps - sqrt(1-ab) x0)", "eps|v" },
    { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &weight_decay, "AdamW's decoupled weight decay (emoji-stage1: 0.01; 0: plain Adam)", "WD" },
    { "min-snr", 0, 0, G_OPTION_ARG_DOUBLE, &min_snr, "Weight each image's loss by Min-SNR-gamma with this gamma (default 0: none)", "G" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Raise the rate linearly to LR over the first N steps (emoji-stage1: 500; 0: none)", "N" },
    { "base-emoji", 0, 0, G_OPTION_ARG_NONE, &base_emoji, "Train on the base emoji only: no skin-tone variants, no flags (1,609 of 3,655)", NULL },
    { "prompt-draw", 0, 0, G_OPTION_ARG_STRING, &prompt_draw, "How an image's prompt is drawn from its caption's terms: subset (k uniform in 1..n, then k terms) or balanced (each term alone equally often on every image, a name of several words whole a third of the time); default: the recipe's", "subset|balanced" },
    { "minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes, "Stop after the epoch that passes M minutes of training, checkpointed and exported", "M" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Base width of a residual attention UNet (emoji-stage1: 32)", "N" },
    { "mult", 0, 0, G_OPTION_ARG_STRING, &mult, "Its width multiplier per level (emoji-stage1: 1,2,2)", "LIST" },
    { "blocks", 0, 0, G_OPTION_ARG_INT, &blocks, "Its residual blocks per level (emoji-stage1: 2)", "N" },
    { "attention", 0, 0, G_OPTION_ARG_STRING, &attention, "Its levels with attention, from 0 at full size (emoji-stage1: 1,2, i.e. 8 and 4 px); \"\" for none", "LIST" },
    { "heads", 0, 0, G_OPTION_ARG_INT, &heads, "Its attention heads (emoji-stage1: 4)", "N" },
    { "cross", 0, 0, G_OPTION_ARG_INT, &cross, "Its prompt: 0 pooled word embeddings, 1 cross-attention to the words, 2 both (emoji-stage1)", "N" },
    { "crop", 0, 0, G_OPTION_ARG_INT, &crop, "A super-resolution recipe's training crops, a multiple of its factor (emoji-stage2: 32 of the 64 px images)", "N" },
    { "aug-max", 0, 0, G_OPTION_ARG_INT, &aug_max, "A super-resolution recipe's highest noise level of the low-res image, of T (emoji-stage2: 250; 0: never noised)", "S" },
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma, "Denoiser noise level", "S" },
    { "p-uncond", 0, 0, G_OPTION_ARG_DOUBLE, &p_uncond, "Probability of dropping the class", "P" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Train on the first N images only", "N" },
    { "sample-epochs", 0, 0, G_OPTION_ARG_STRING, &sample_epochs, "Epochs after which to draw a sample grid (default 1,5,10 and the last)", "LIST" },
    { "sample-steps", 0, 0, G_OPTION_ARG_INT, &sample_steps, "Steps for those grids (default: the recipe's)", "N" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Continue from OUT/checkpoint.safetensors", NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Start over in an OUT that holds a run, moving that run aside to OUT.old (nothing is deleted)", NULL },
    { NULL }
  };
  g_autofree char *summary = g_strjoinv (", ", (char **) sw_recipe_names ());
  g_autofree char *help = g_strdup_printf ("Recipes: %s.", summary);
  if (!sw_cli_parse (CMD, "RECIPE — train a model from scratch", help, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (CMD, "give exactly one recipe; known recipes: %s", summary);
      return 2;
    }

  g_autoptr (GError) error = NULL;
  SwRecipe recipe;
  if (!sw_recipe_lookup (argv[1], &recipe, &error))
    return sw_cli_fail (CMD, error);
  if (dataset)
    g_strlcpy (recipe.model.dataset, dataset, sizeof recipe.model.dataset);
  if (epochs) recipe.epochs = epochs;
  if (batch) recipe.batch = batch;
  if (lr != 0) recipe.lr = (float) lr;
  if (D) recipe.model.D = D;
  if (cond && !sw_cond_points_from_name (cond, &recipe.model.cond))
    return sw_cli_failf (CMD, "--cond “%s” is unknown; accepted: course, every, film", cond);
  if (embed >= 0) recipe.model.embed = embed;
  if (gamma >= 0) recipe.gamma = (float) gamma;
  if (no_scheduler) recipe.scheduler = false;
  if (sigma >= 0) recipe.model.sigma = (float) sigma;
  if (p_uncond >= 0) recipe.p_uncond = (float) p_uncond;
  if (ema >= 0) recipe.ema = (float) ema;
  if (word_lr >= 0) recipe.word_lr = (float) word_lr;
  if (repeat_rare >= 0) recipe.repeat_rare = (float) repeat_rare;
  if (seed >= 0) recipe.seed = (uint64_t) seed;
  if (sample_steps) recipe.model.sample_steps = sample_steps;
  recipe.limit = limit;
  if (!resunet_options (&recipe, objective, width, mult, blocks, attention, heads, cross, &error))
    return sw_cli_fail (CMD, error);
  if (weight_decay >= 0) recipe.weight_decay = (float) weight_decay;
  if (min_snr >= 0) recipe.min_snr = (float) min_snr;
  if (warmup >= 0) recipe.warmup = warmup;
  if (base_emoji) recipe.base_emoji = true;
  if (prompt_draw)
    {
      if (g_strcmp0 (prompt_draw, "subset") != 0 && g_strcmp0 (prompt_draw, "balanced") != 0)
        return sw_cli_failf (CMD, "--prompt-draw “%s” is unknown; accepted: subset, balanced", prompt_draw);
      recipe.balanced_prompts = prompt_draw[0] == 'b';
    }
  if ((crop || aug_max >= 0) && recipe.sr_factor == 0)
    return sw_cli_failf (CMD, "--crop and --aug-max shape a super-resolution recipe; “%s” is not one "
                         "(accepted: emoji-stage2)", recipe.model.name);
  if (crop) recipe.crop = crop;
  if (aug_max >= 0) recipe.aug_max = aug_max;
  if (!sw_recipe_validate (&recipe, &error))
    return sw_cli_fail (CMD, error);
  g_autoptr (GArray) grid_epochs = NULL;
  if (!sw_cli_parse_int_list (sample_epochs ? sample_epochs : "1,5,10", "--sample-epochs",
                              &grid_epochs, &error))
    return sw_cli_fail (CMD, error);

  if (!out)
    out = g_strdup_printf ("runs/%s-%s", recipe.model.name, recipe.model.dataset);
  if (!resume && sw_run_folder_holds_run (out))
    {
      if (!force)
        return sw_cli_failf (CMD, "“%s” holds a training run; add --resume to go on with it, or --force "
                             "to move it aside and start over", out);
      g_autofree char *aside = sw_run_folder_move_aside (out, &error);
      if (!aside)
        return sw_cli_fail (CMD, error);
      fprintf (stderr, "moved the earlier run in %s to %s\n", out, aside);
    }
  SwDataset *data = sw_dataset_load (recipe.model.dataset, SW_SPLIT_TRAIN, &error);
  if (!data)
    return sw_cli_fail (CMD, error);

  Run run = { .data = data, .dir = out, .grid_epochs = grid_epochs, .resume = resume };
  SwTrainRunParams params;
  sw_train_run_params_init (&params);
  params.recipe = &recipe;
  params.resume = resume;
  params.changes = (SwResumeChanges) {
    .epochs = epochs, .gamma = gamma > 0 ? (float) gamma : 0.0f, .ema = recipe.ema,
    .lr = lr > 0 ? (float) lr : 0.0f, .word_lr = word_lr >= 0 ? recipe.word_lr : 0.0f,
    /* given: from here on, 0 turning it off (-1); not given: the checkpoint's */
    .repeat_rare = repeat_rare > 0 ? recipe.repeat_rare : repeat_rare == 0 ? -1.0f : 0.0f,
  };
  params.data = data;
  params.minutes = minutes;
  params.folder = out;
  params.on_start = on_start;
  params.on_step = on_step;
  params.on_epoch = on_epoch;
  params.user_data = &run;
  SwTrainRunSummary done;
  int status = 0;
  if (!sw_train_run (&params, &done, &error))
    {
      sw_progress_end (&run.progress);
      status = sw_cli_fail (CMD, error);
    }
  else
    {
      g_autofree char *dur = sw_format_duration (done.seconds);
      g_autofree char *model = g_build_filename (out, SW_TRAIN_RUN_MODEL, NULL);
      printf ("trained %s in %s (%.1f images/s); model: %s\n", run.name, dur,
              done.seconds > 0 ? done.images / done.seconds : 0.0, model);
    }
  sw_dataset_free (data);
  return status;
}
