/* stepwise-cli train: a recipe from scratch (or resumed), with a checkpoint
 * every epoch, loss CSVs and curves, and sample grids at chosen epochs. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "base/duration.h"
#include "cli-common.h"
#include "data/dataset.h"
#include "models/eps-model.h"
#include "figures.h"
#include "train/loss-log.h"
#include "prompt-samples.h"
#include "diffusion/sampler.h"
#include "train/trainer.h"

#define CMD "train"

typedef struct {
  SwProgress progress;
  int epoch, epochs;
  SwLossLog *log;
} Run;

static gboolean
on_step (int epoch, int step, int steps, float loss, gpointer user_data)
{
  Run *run = user_data;
  sw_loss_log_batch (run->log, epoch + 1, step + 1, loss);
  g_autofree char *extra = g_strdup_printf ("epoch %d/%d, step %d/%d, loss %.4f",
                                            epoch + 1, run->epochs, step + 1, steps, loss);
  sw_progress_update (&run->progress, (double) epoch * steps + step + 1,
                      (double) run->epochs * steps, extra);
  return TRUE;
}

/* The denoisers' figures at the end of an epoch, as stepwise-cli denoise
 * draws them. */
static gboolean
denoise_figure (SwTrainer *tr, const SwDataset *train, const char *dir, GError **error)
{
  const SwRecipe *r = sw_trainer_recipe (tr);
  int e = sw_trainer_epoch (tr);
  if (r->model.objective == SW_OBJECTIVE_PURE_NOISE)
    {
      double dist;
      g_autofree char *path = g_strdup_printf ("%s/pure-noise-epoch-%02d.png", dir, e);
      return sw_cli_pure_noise_figure (sw_trainer_sampling_net (tr), &r->model, e, train, 0, path, &dist, error);
    }
  g_autoptr (GArray) sigmas = NULL;
  SwDataset *test = sw_dataset_load (r->model.dataset, SW_SPLIT_TEST, error);
  g_autofree char *path = g_strdup_printf ("%s/denoise-epoch-%02d.png", dir, e);
  gboolean ok = test && sw_cli_parse_sigmas ("0,0.2,0.4,0.5,0.6,0.8,1", &sigmas, error)
                && sw_cli_denoise_figure (sw_trainer_sampling_net (tr), &r->model, e, test, 3, sigmas, 0, path, error);
  if (test)
    sw_dataset_free (test);
  return ok;
}

/* A model trained on captions: 4 samples of each quality prompt its
 * vocabulary knows (all of them on the emoji), else of its first words. */
static gboolean
prompt_grid (SwTrainer *tr, const char *dir, int steps, GError **error)
{
  const SwRecipe *r = sw_trainer_recipe (tr);
  g_autofree char *path = g_strdup_printf ("%s/samples-epoch-%02d.png", dir, sw_trainer_epoch (tr));
  const SwPromptEncoder *vocab = sw_trainer_vocabulary (tr);
  g_autofree char *meta = sw_prompt_encoder_to_meta (vocab);
  g_autoptr (SwEpsModel) m = sw_eps_model_new_unet_words (sw_trainer_sampling_net (tr), &r->model, meta, error);
  if (!m)
    return FALSE;
  g_autoptr (GPtrArray) prompts = g_ptr_array_new ();
  g_autofree float *scratch = g_new (float, m->cond_dim);
  for (const char * const *p = sw_quality_prompts; *p; p++)
    if (m->encode (m, *p, scratch, NULL))
      g_ptr_array_add (prompts, (gpointer) *p);
  for (int w = 0; prompts->len == 0 && w < MIN (12, m->cond_dim); w++)
    g_ptr_array_add (prompts, (gpointer) sw_prompt_encoder_word (vocab, w));
  g_ptr_array_add (prompts, NULL);
  const int per = 4, n = (int) (prompts->len - 1) * per;
  const size_t size = (size_t) n * m->channels * m->height * m->width;
  g_autofree float *out = g_new (float, size);
  if (!sw_prompt_samples (m, (const char * const *) prompts->pdata, per, steps, r->model.guidance,
                          0, out, error))
    return FALSE;
  for (size_t j = 0; j < size; j++)
    out[j] = 0.5f * out[j] + 0.5f;
  g_autofree char *title = g_strdup_printf ("%s on %s, epoch %d, %d steps, guidance %g", r->model.name,
                                            r->model.dataset, sw_trainer_epoch (tr), steps, r->model.guidance);
  return sw_figure_image_grid (path, out, n, m->channels, m->height, m->width, per, 3,
                               (const char * const *) prompts->pdata, title, error);
}

/* Samples for the grid at the end of an epoch: 4 per class in rows of a
 * class, or 40 for a time-only model. */
static gboolean
sample_grid (SwTrainer *tr, const SwDataset *data, const char *dir, int steps, GError **error)
{
  const SwRecipe *r = sw_trainer_recipe (tr);
  SwUnet *net = sw_trainer_sampling_net (tr);
  const SwUnetConfig *cfg = sw_unet_config (net);
  const int img = cfg->channels * cfg->size * cfg->size;
  const gboolean classes = cfg->variant == SW_UNET_CLASS;
  const int per = 4, rows = classes ? cfg->class_dim : 4, cols = classes ? per : 10;
  const int n = rows * cols;
  g_autofree float *out = g_new (float, (size_t) n * img);
  g_autofree int *cls = g_new (int, n);
  g_autofree char *path = g_strdup_printf ("%s/samples-epoch-%02d.png", dir, sw_trainer_epoch (tr));
  g_autofree char *title = NULL;
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  if (r->model.objective == SW_OBJECTIVE_DENOISE || r->model.objective == SW_OBJECTIVE_PURE_NOISE)
    return denoise_figure (tr, data, dir, error);
  for (int i = 0; i < n; i++)
    cls[i] = classes ? i / cols : -1;
  SwSampleOptions opts = { .steps = r->model.objective == SW_OBJECTIVE_DDPM ? r->model.T : steps,
                           .guidance = classes ? r->model.guidance : 1.0f, .seed = 0 };
  if (!sw_sample (net, &r->model, n, classes ? cls : NULL, &opts, out, NULL, NULL, error))
    return FALSE;
  for (int i = 0; classes && i < rows; i++)
    g_ptr_array_add (labels, (gpointer) data->class_names[i]);
  g_ptr_array_add (labels, NULL);
  g_autofree char *guidance = classes ? g_strdup_printf (", guidance %g", r->model.guidance) : g_strdup ("");
  title = g_strdup_printf ("%s on %s, epoch %d, %d steps%s", r->model.name, data->name,
                           sw_trainer_epoch (tr), opts.steps, guidance);
  return sw_figure_image_grid (path, out, n, cfg->channels, cfg->size, cfg->size, cols, 3,
                               classes ? (const char * const *) labels->pdata : NULL, title, error);
}

static gboolean
draw_curves (const char *dir, const SwRecipe *r, const GArray *batch, const GArray *epoch, GError **error)
{
  g_autofree char *bp = g_build_filename (dir, "loss-batch.png", NULL);
  g_autofree char *ep = g_build_filename (dir, "loss-epoch.png", NULL);
  g_autofree char *bt = g_strdup_printf ("%s: training loss per batch", r->model.name);
  g_autofree char *et = g_strdup_printf ("%s: training loss per epoch", r->model.name);
  return sw_figure_loss_curve (bp, bt, "step", "MSE loss", (float *) batch->data, batch->len,
                               NULL, 0, error)
         && sw_figure_loss_curve (ep, et, "epoch", "mean MSE loss", (float *) epoch->data,
                                  epoch->len, NULL, 0, error);
}

int
sw_cli_train (int argc, char **argv)
{
  g_autofree char *dataset = NULL, *out = NULL, *sample_epochs = NULL, *cond = NULL;
  int epochs = 0, batch = 0, D = 0, embed = -1, limit = 0, sample_steps = 0;
  double lr = 0, gamma = -1, sigma = -1, p_uncond = -1, ema = -1, word_lr = -1, repeat_rare = -1;
  gint64 seed = -1;
  gboolean no_scheduler = FALSE, resume = FALSE;
  const GOptionEntry entries[] = {
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &dataset, "digits, fashion or emoji (default: the recipe's)", "NAME" },
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
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma, "Denoiser noise level", "S" },
    { "p-uncond", 0, 0, G_OPTION_ARG_DOUBLE, &p_uncond, "Probability of dropping the class", "P" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Train on the first N images only", "N" },
    { "sample-epochs", 0, 0, G_OPTION_ARG_STRING, &sample_epochs, "Epochs after which to draw a sample grid (default 1,5,10 and the last)", "LIST" },
    { "sample-steps", 0, 0, G_OPTION_ARG_INT, &sample_steps, "Steps for those grids (default: the recipe's)", "N" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Continue from OUT/checkpoint.safetensors", NULL },
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
  if (limit < 0)
    return sw_cli_failf (CMD, "--limit %d is out of range; accepted: 2 or more images", limit);
  if (!sw_recipe_validate (&recipe, &error))
    return sw_cli_fail (CMD, error);
  g_autoptr (GArray) grid_epochs = NULL;
  if (!sw_cli_parse_int_list (sample_epochs ? sample_epochs : "1,5,10", "--sample-epochs",
                              &grid_epochs, &error))
    return sw_cli_fail (CMD, error);

  if (!out)
    out = g_strdup_printf ("runs/%s-%s", recipe.model.name, recipe.model.dataset);
  if (g_mkdir_with_parents (out, 0755) != 0)
    return sw_cli_failf (CMD, "cannot create the folder “%s”: %s", out, g_strerror (errno));

  SwDataset *data = sw_dataset_load (recipe.model.dataset, SW_SPLIT_TRAIN, &error);
  if (!data)
    return sw_cli_fail (CMD, error);
  if (limit > 0 && limit < data->n)
    data->n = limit;

  g_autofree char *ckpt = g_build_filename (out, "checkpoint.safetensors", NULL);
  g_autofree char *final = g_build_filename (out, "model.safetensors", NULL);
  const SwResumeChanges changes = {
    .epochs = epochs, .gamma = gamma > 0 ? (float) gamma : 0.0f, .ema = recipe.ema,
    .lr = lr > 0 ? (float) lr : 0.0f, .word_lr = word_lr >= 0 ? recipe.word_lr : 0.0f,
    /* given: from here on, 0 turning it off (-1); not given: the checkpoint's */
    .repeat_rare = repeat_rare > 0 ? recipe.repeat_rare : repeat_rare == 0 ? -1.0f : 0.0f,
  };
  SwTrainer *tr = resume ? sw_trainer_resume (ckpt, data, &changes, &error)
                         : sw_trainer_new (&recipe, data, &error);
  if (!tr)
    {
      sw_dataset_free (data);
      return sw_cli_fail (CMD, error);
    }
  const SwRecipe *r = sw_trainer_recipe (tr);
  g_autofree char *sched = r->scheduler ? g_strdup_printf (" (x%.4g per epoch)", sw_recipe_gamma (r))
                                         : g_strdup (" (constant)");
  g_autofree char *averaged = r->ema > 0.0f ? g_strdup_printf (", samples from the weights' average (decay %g a step)", r->ema)
                                            : g_strdup ("");
  g_autofree char *embedding = r->model.embed ? g_strdup_printf (", word embedding %d", r->model.embed)
                                        : g_strdup ("");
  g_autofree char *words = r->word_lr != 1.0f ? g_strdup_printf (", word weights at %g x the rate", r->word_lr)
                                               : g_strdup ("");
  g_autofree char *repeated = r->repeat_rare > 0.0f
    ? g_strdup_printf (", rare captions repeated (threshold %g: %d draws an epoch)", r->repeat_rare,
                       sw_trainer_draws_per_epoch (tr))
    : g_strdup ("");
  g_autofree char *resuming = resume ? g_strdup_printf (", resuming after epoch %d", sw_trainer_epoch (tr))
                                     : g_strdup ("");
  Run run = { .epochs = r->epochs };
  int status = 0;
  run.log = sw_loss_log_open (out, sw_trainer_epoch (tr), !resume, &error);
  if (!run.log)
    {
      status = sw_cli_fail (CMD, error);
      goto out;
    }

  fprintf (stderr, "%s on %s: %d images%s, D=%d, conditioning %s%s, batch %d, %d epochs, lr %g%s%s, "
           "%zu parameters%s%s\n", r->model.name, data->name, data->n, repeated, r->model.D,
           sw_cond_points_name (r->model.cond), embedding, r->batch, r->epochs, r->lr, sched, words,
           sw_unet_num_params (sw_trainer_net (tr)), averaged, resuming);
  sw_progress_init (&run.progress, r->model.name);
  gint64 t_start = g_get_monotonic_time ();
  int start_epoch = sw_trainer_epoch (tr);

  while (sw_trainer_epoch (tr) < r->epochs)
    {
      gint64 t0 = g_get_monotonic_time ();
      float loss, lr_now = sw_recipe_lr (r, sw_trainer_epoch (tr));
      if (!sw_trainer_run_epoch (tr, on_step, &run, &loss, &error))
        {
          sw_progress_end (&run.progress);
          status = sw_cli_fail (CMD, error);
          break;
        }
      double secs = (g_get_monotonic_time () - t0) / 1e6;
      int e = sw_trainer_epoch (tr);
      double ips = (double) sw_trainer_steps_per_epoch (tr) * r->batch / secs;
      g_autofree char *loss_s = g_strdup_printf ("%.5f", loss);
      const char *extra[] = { "train.loss", loss_s, NULL };
      if (!sw_loss_log_epoch (run.log, e, loss, lr_now, secs, ips, &error)
          || !sw_trainer_save (tr, ckpt, TRUE, SW_DTYPE_F32, extra, &error)
          || !draw_curves (out, r, sw_loss_log_batches (run.log), sw_loss_log_epochs (run.log), &error))
        {
          sw_progress_end (&run.progress);
          status = sw_cli_fail (CMD, error);
          break;
        }
      gboolean grid = e == r->epochs;
      for (guint i = 0; i < grid_epochs->len; i++)
        grid |= g_array_index (grid_epochs, int, i) == e;
      if (grid && !(sw_trainer_vocabulary (tr) ? prompt_grid (tr, out, r->model.sample_steps, &error)
                                                : sample_grid (tr, data, out, r->model.sample_steps, &error)))
        {
          sw_progress_end (&run.progress);
          status = sw_cli_fail (CMD, error);
          break;
        }
      sw_progress_end (&run.progress);
      fprintf (stderr, "epoch %d/%d: loss %.5f, lr %.4g, %.1f s, %.1f images/s\n",
               e, r->epochs, loss, lr_now, secs, ips);
    }

  if (status == 0)
    {
      double secs = (g_get_monotonic_time () - t_start) / 1e6;
      g_autofree char *dur = sw_format_duration (secs);
      double images = (double) (sw_trainer_epoch (tr) - start_epoch)
                      * sw_trainer_steps_per_epoch (tr) * r->batch;
      const GArray *means = sw_loss_log_epochs (run.log);
      g_autofree char *loss_s = g_strdup_printf ("%.5f", means->len
                                                 ? g_array_index (means, float, means->len - 1) : NAN);
      g_autofree char *dur_s = g_strdup_printf ("%.0f", secs);
      const char *extra[] = { "train.loss", loss_s, "train.seconds", dur_s, NULL };
      if (!sw_trainer_save (tr, final, FALSE, SW_DTYPE_F16, extra, &error))
        status = sw_cli_fail (CMD, error);
      else
        printf ("trained %s in %s (%.1f images/s); model: %s\n", r->model.name, dur,
                secs > 0 ? images / secs : 0.0, final);
    }

out:
  sw_loss_log_close (run.log);
  sw_trainer_free (tr);
  sw_dataset_free (data);
  return status;
}
