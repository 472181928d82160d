#include "cli-job.h"

#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "io/image-io.h"
#include "io/output-file.h"
#include "io/png.h"

char *
sw_cli_default_model_path (void)
{
  return sw_cli_shipped_model_file (SW_CLI_DEFAULT_MODEL);
}

void
sw_cli_sr_entries (SwCliSrOptions *o, GOptionEntry out[SW_CLI_SR_N_ENTRIES])
{
  *o = SW_CLI_SR_OPTIONS_UNSET;
  const GOptionEntry entries[SW_CLI_SR_N_ENTRIES] = {
    { "sr-steps", 0, 0, G_OPTION_ARG_INT, &o->steps,
      "Stage II's strided denoising steps, 1 to 999 (default 20)", "N" },
    { "sr-guidance", 0, 0, G_OPTION_ARG_DOUBLE, &o->guidance,
      "Stage II's guidance scale, 0 to 100, for a stage II that reads the prompt (default 4)", "G" },
    { "sr-noise", 0, 0, G_OPTION_ARG_INT, &o->noise,
      "The noise level stage I's image is given to stage II at, 0 to 999 of the 1000 timesteps "
      "(default " G_STRINGIFY (SW_CASCADE_SR_LEVEL) ")", "S" },
    { "sr-from", 0, 0, G_OPTION_ARG_INT, &o->from,
      "Stage II starts from stage I's image upsampled and noised to about this timestep, 0 to "
      "999 (default " G_STRINGIFY (SW_CASCADE_SR_FROM) ")", "T" },
  };
  memcpy (out, entries, sizeof entries);
}

gboolean
sw_cli_sr_options_unused (const SwCliSrOptions *o, const char *how, GError **error)
{
  if (!o->steps && o->guidance < 0.0 && o->noise < 0 && o->from < 0)
    return TRUE;
  g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
               "--sr-steps, --sr-guidance, --sr-noise and --sr-from set stage II, which does not "
               "run here; %s", how);
  return FALSE;
}

gboolean
sw_cli_sr_options_apply (const SwCliSrOptions *o, const SwCascade *c, SwCascadeJob *job,
                         GError **error)
{
  /* the options are in range (cli-numbers.c); unset ones keep the defaults */
  if (o->steps)
    job->sr_steps = o->steps;
  if (o->guidance >= 0.0)
    job->sr_guidance = (float) o->guidance;
  if (o->noise >= 0)
    job->sr_level = o->noise;
  if (o->from >= 0)
    job->sr_from = o->from;
  return sw_cascade_job_validate (c, job, error);
}

GOptionEntry *
sw_cli_job_entries (SwCliJobOptions *o, const GOptionEntry *extra, int count_default)
{
  o->guidance = -1.0;
  o->count = SW_CLI_JOB_COUNT_UNSET;
  o->count_default = count_default;
  const GOptionEntry common[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o->model,
      o->cascade ? SW_CLI_CASCADE_MODEL_HELP : SW_CLI_MODEL_HELP, "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, "Random seed (default 0)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &o->steps,
      "Strided denoising steps, 1 to 999 (default 33: t = 990, 960, ..., 0)", "N" },
    { "guidance", 'g', 0, G_OPTION_ARG_DOUBLE, &o->guidance,
      "Classifier-free guidance scale, 0 to 100 (default 7; 1 = no guidance)", "G" },
    { "count", 'n', 0, G_OPTION_ARG_INT, &o->count, "Images, 1 to 1000", "N" },
    { "variance", 0, 0, G_OPTION_ARG_STRING, &o->variance,
      "Noise added at each step: auto (learned if the model predicts it, else posterior), "
      "posterior or none", "MODE" },
    { "no-clip", 0, 0, G_OPTION_ARG_NONE, &o->no_clip,
      "Do not clamp the predicted x0 to [-1, 1]", NULL },
    { "plain", 0, 0, G_OPTION_ARG_NONE, &o->plain,
      "Write the first image alone at the model's size, as the window saves it (it opens there "
      "with its settings); one image unless --count says otherwise", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, "PNG to write", "FILE" },
  };
  GOptionEntry cascade[2 + SW_CLI_SR_N_ENTRIES] = {
    { "sr", 0, 0, G_OPTION_ARG_FILENAME, &o->sr, SW_CLI_SR_HELP, "FILE" },
    { "stage", 0, 0, G_OPTION_ARG_INT, &o->stage, "1: stop after stage I (default: both stages)", "N" },
  };
  sw_cli_sr_entries (&o->stage2, cascade + 2);
  size_t n_extra = 0;
  while (extra && extra[n_extra].long_name)
    n_extra++;
  const size_t n_cascade = o->cascade ? G_N_ELEMENTS (cascade) : 0;
  GOptionEntry *all = g_new0 (GOptionEntry, n_extra + G_N_ELEMENTS (common) + n_cascade + 1);
  memcpy (all, extra, sizeof (GOptionEntry) * n_extra);
  memcpy (all + n_extra, common, sizeof common);
  memcpy (all + n_extra + G_N_ELEMENTS (common), cascade, sizeof (GOptionEntry) * n_cascade);
  return all;
}

void
sw_cli_job_options_clear (SwCliJobOptions *o)
{
  g_clear_pointer (&o->model, g_free);
  g_clear_pointer (&o->variance, g_free);
  g_clear_pointer (&o->out, g_free);
  g_clear_pointer (&o->sr, g_free);
}

/* JOB from the options but the model's */
static gboolean
job_from_options (SwCliJobOptions *o, SwJob *job, GError **error)
{
  sw_job_init (job);
  /* the options are in range (cli-numbers.c); unset ones keep the job's defaults */
  job->seed = (uint64_t) o->seed;
  if (o->steps)
    job->steps = o->steps;
  if (o->guidance >= 0.0)
    job->guidance = (float) o->guidance;
  if (o->count == SW_CLI_JOB_COUNT_UNSET)
    o->count = o->plain ? 1 : o->count_default;
  if (o->plain && o->count != 1)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "--plain writes one image, and --count is %d; give --count 1 or leave it out", o->count);
      return FALSE;
    }
  job->count = o->count;
  job->clip_x0 = !o->no_clip;
  if (o->variance)
    {
      static const char * const modes[] = { "auto", "posterior", "none", NULL };
      int k = 0;
      while (modes[k] && strcmp (modes[k], o->variance) != 0)
        k++;
      if (!modes[k])
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "--variance “%s” is unknown; accepted: auto, posterior, none", o->variance);
          return FALSE;
        }
      job->variance = (SwVarianceMode) k;
    }
  return TRUE;
}

gboolean
sw_cli_job_setup (SwCliJobOptions *o, SwEpsModel **model, SwJob *job, GError **error)
{
  if (!job_from_options (o, job, error))
    return FALSE;
  if (!o->model)
    o->model = sw_cli_default_model_path ();
  *model = sw_eps_model_load (o->model, error);
  if (!*model)
    return FALSE;
  if (!sw_job_validate (job, *model, error))
    {
      g_clear_pointer (model, sw_eps_model_free);
      return FALSE;
    }
  return TRUE;
}

/* the cascade of the options' files (o->sr set to the stage II loaded) */
static SwCascade *
load_cascade (SwCliJobOptions *o, GError **error)
{
  if (!o->model)
    {
      o->model = sw_cli_default_model_path ();
      /* the shipped SW_CLI_DEFAULT_SR_MODEL, found as the window finds it */
      if (!o->sr && o->stage != 1)
        o->sr = sw_cascade_stage2_beside (o->model);
    }
  if (o->stage == 1)
    g_clear_pointer (&o->sr, g_free);
  if (sw_eps_model_file_is_stage2 (o->model))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "“%s” is a stage II model (super-resolution: it makes a stage I model's images "
                   "bigger); give it with --sr, beside a stage I model in --model (default: the "
                   "shipped " SW_CLI_DEFAULT_MODEL ")", o->model);
      return NULL;
    }
  if (!o->sr && o->stage == 2)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "--stage 2 needs a stage II model; give it with --sr FILE");
      return NULL;
    }
  if (!o->sr && !sw_cli_sr_options_unused (&o->stage2, o->stage == 1
                                             ? "give its model with --sr FILE and leave out --stage 1"
                                             : "give its model with --sr FILE", error))
    return NULL;
  SwEpsModel *one = sw_eps_model_load (o->model, error), *two = NULL;
  if (!one)
    return NULL;
  if (o->sr && !(two = sw_eps_model_load_stage2 (o->sr, one->height, error)))
    {
      g_prefix_error (error, "--sr: ");
      sw_eps_model_free (one);
      return NULL;
    }
  return sw_cascade_new (one, two, error);
}

gboolean
sw_cli_cascade_setup (SwCliJobOptions *o, SwCascade **cascade, SwCascadeJob *job, GError **error)
{
  sw_cascade_job_init (job);
  if (!job_from_options (o, &job->job, error) || !(*cascade = load_cascade (o, error)))
    return FALSE;
  job->stage1_only = o->stage == 1;
  if (!sw_cli_sr_options_apply (&o->stage2, *cascade, job, error))
    {
      g_clear_pointer (cascade, sw_cascade_free);
      return FALSE;
    }
  return TRUE;
}

gboolean
sw_cli_cascade_encode (SwCascade *c, SwCascadeJob *job, const char *prompt, float **cond,
                       float **sr_cond, GError **error)
{
  *sr_cond = NULL;
  if (!(*cond = sw_cli_encode (c->stage1, prompt, error)))
    return FALSE;
  job->job.cond = *cond;
  if (sw_cascade_stage2_reads_prompt (c) && !(*sr_cond = sw_cli_encode (c->stage2, prompt, error)))
    return FALSE;
  job->sr_cond = *sr_cond;
  return TRUE;
}

float *
sw_cli_read_image (SwEpsModel *m, const char *path, GError **error)
{
  return sw_image_load (path, m->channels, m->width, error);
}

float *
sw_cli_read_mask (const char *cmd, SwEpsModel *m, const char *path, GError **error)
{
  gboolean resized = FALSE;
  float *mask = sw_mask_load (path, m->width, &resized, error);
  if (mask && resized)
    fprintf (stderr, "stepwise-cli %s: warning: the mask “%s” is not %dx%d; it was centre-cropped "
             "and resized to the model's size\n", cmd, path, m->width, m->height);
  return mask;
}

float *
sw_cli_encode (SwEpsModel *m, const char *prompt, GError **error)
{
  float *cond = g_new (float, m->cond_dim);
  if (!m->encode (m, prompt ? prompt : "", cond, error))
    g_clear_pointer (&cond, g_free);
  return cond;
}

gboolean
sw_cli_write_table (const char *path, SwEpsModel *m, const float *images, int rows, int cols,
                    const char * const *row_labels, const char * const *col_labels,
                    const char *title, GError **error)
{
  const size_t n = (size_t) rows * cols * m->channels * m->height * m->width;
  g_autofree float *unit = g_new (float, n);
  for (size_t j = 0; j < n; j++)
    unit[j] = 0.5f * images[j] + 0.5f;   /* docs/math.md 1.1.3: shown as x/2 + 1/2 */
  return sw_figure_image_table (path, unit, rows, cols, m->channels, m->height, m->width, 4,
                                row_labels, col_labels, title, error);
}

GHashTable *
sw_cli_job_text (const SwCliJobOptions *o, const SwCascade *c, const SwCascadeJob *job,
                 SwJobMode mode, const char *prompt, const char *prompt2)
{
  SwJobSettings settings;
  const SwEpsModel *m = sw_cascade_output (c, job);
  sw_job_settings_init (&settings, mode, &job->job, o->model, m->channels);
  settings.prompt = prompt;
  settings.prompt2 = prompt2;
  if (m == c->stage2)
    {
      settings.sr_model = o->sr;
      settings.sr_steps = job->sr_steps;
      settings.sr_guidance = job->sr_guidance;
      settings.sr_level = job->sr_level;
      settings.sr_from = job->sr_from;
    }
  /* no time of creation: the same command gives the same bytes */
  return sw_job_settings_to_text (&settings, "Stepwise " PACKAGE_VERSION, NULL);
}

gboolean
sw_cli_write_job (const SwCliJobOptions *o, const char *path, SwEpsModel *m, const float *first,
                  const float *images, int rows, int cols, const char * const *row_labels,
                  const char * const *col_labels, const char *title, GHashTable *text, GError **error)
{
  if (o->plain)
    return sw_png_write_image (path, first, m->channels, m->height, m->width, text, error);
  if (!sw_cli_write_table (path, m, images, rows, cols, row_labels, col_labels, title, error))
    return FALSE;
  /* cairo writes no text chunks: they go into the file it wrote */
  g_autofree char *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  g_autoptr (GBytes) png = sw_png_add_text ((const guint8 *) data, len, text, error);
  return png && sw_output_write (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
}

gboolean
sw_cli_job_progress (const SwJobFrame *f, gpointer user_data)
{
  SwCliJobProgress *p = user_data;
  if (f->i < f->steps)
    p->done += f->n;
  sw_progress_update (p->progress, p->done, p->total_steps, NULL);
  return TRUE;
}

gboolean
sw_cli_run_job (SwEpsModel *m, const SwJob *job, float *out, GError **error)
{
  SwProgress progress;
  sw_progress_init (&progress, "denoising");
  SwCliJobProgress p = { &progress, job->count * (job->steps - job->i_start), 0 };
  gboolean ok = sw_job_run (m, job, out, sw_cli_job_progress, &p, NULL, error);
  sw_progress_end (&progress);
  return ok;
}

gboolean
sw_cli_run_cascade (SwCascade *c, const SwCascadeJob *job, float *out, GError **error)
{
  SwProgress progress;
  sw_progress_init (&progress, "denoising");
  SwCliJobProgress p = { &progress, sw_cascade_total_steps (c, job), 0 };
  gboolean ok = sw_cascade_run (c, job, out, sw_cli_job_progress, &p, NULL, error);
  sw_progress_end (&progress);
  return ok;
}

char *
sw_cli_prompt_label (const char *prompt)
{
  return prompt && *prompt ? g_strdup_printf ("“%s”", prompt) : g_strdup ("no prompt");
}

int
sw_cli_job_finish (const char *cmd, SwEpsModel *m, const GError *error, const char *path)
{
  int status = error ? sw_cli_fail (cmd, error) : (printf ("%s\n", path), 0);
  sw_eps_model_free (m);
  return status;
}

int
sw_cli_cascade_finish (const char *cmd, SwCascade *c, const GError *error, const char *path)
{
  sw_cascade_free (c);
  return sw_cli_job_finish (cmd, NULL, error, path);
}
