/* stepwise-cli noise, onestep, blur, trajectory: the denoising lab of the
 * write-up's Part A (docs/math.md 1.2.1-1.2.5). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "cli-job.h"
#include "models/cosine-schedule.h"
#include "diffusion/gaussian-blur.h"
#include "base/rng.h"
#include "data/sr-pairs.h"

/* the --t list: each in 0..T-1 */
static gboolean
parse_ts (const char *text, int T, GArray **ts, GError **error)
{
  if (!sw_cli_parse_int_list (text, "t", ts, error))
    return FALSE;
  for (guint k = 0; k < (*ts)->len; k++)
    if (g_array_index (*ts, int, k) > T - 1)
      {
        g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "t = %d is out of range; accepted: 1 to %d",
                     g_array_index (*ts, int, k), T - 1);
        return FALSE;
      }
  return TRUE;
}

typedef enum { LAB_NOISE, LAB_ONESTEP, LAB_BLUR } Lab;

/* noise: one row, the original then x_t per t; onestep / blur: rows of
 * noisy images and their one-step estimates / blurs */
static int
lab (int argc, char **argv, const char *cmd, Lab kind)
{
  g_autofree char *ts_text = NULL, *prompt = NULL;
  int kernel = SW_LAB_BLUR_KERNEL;
  double sigma = SW_LAB_BLUR_SIGMA;
  g_auto (SwCliJobOptions) o = { 0 };
  const GOptionEntry t_entry =
    { "t", 't', 0, G_OPTION_ARG_STRING, &ts_text, "Timesteps (default 250,500,750)", "LIST" };
  const GOptionEntry noise_extra[] = { t_entry, { NULL } };
  const GOptionEntry onestep_extra[] = {
    t_entry,
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "Prompt for the estimate (default: none)", "TEXT" },
    { NULL }
  };
  const GOptionEntry blur_extra[] = {
    t_entry,
    { "kernel", 0, 0, G_OPTION_ARG_INT, &kernel, "Blur kernel size, odd (default 5)", "K" },
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma, "Blur sigma in pixels (default 1.5)", "S" },
    { NULL }
  };
  const GOptionEntry *extra[] = { noise_extra, onestep_extra, blur_extra };
  static const char * const what[] = {
    "IMAGE — the forward process: the image noised to each t",
    "IMAGE — noise the image to each t and denoise it in one step",
    "IMAGE — noise the image to each t and blur it (the classical baseline)",
  };
  g_autofree GOptionEntry *entries = sw_cli_job_entries (&o, extra[kind], 1);
  if (!sw_cli_parse (cmd, what[kind], NULL, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    return sw_cli_failf (cmd, "give exactly one image file");
  if (o.plain)
    return sw_cli_failf (cmd, "--plain is for the commands that generate an image, not %s", cmd);

  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ts = NULL;
  SwEpsModel *m = NULL;
  SwJob job;
  g_autofree float *cond = NULL, *image = NULL;
  const char *path = o.out ? o.out : kind == LAB_NOISE ? "noise.png" : kind == LAB_ONESTEP ? "onestep.png" : "blur.png";
  if (sw_cli_job_setup (&o, &m, &job, &error)
      && parse_ts (ts_text ? ts_text : "250,500,750", m->T, &ts, &error)
      && (kind != LAB_BLUR || sw_gaussian_blur_check (kernel, (float) sigma, &error))
      && (cond = sw_cli_encode (m, prompt, &error))
      && (image = sw_cli_read_image (m, argv[1], &error)))
    {
      const size_t img = (size_t) m->channels * m->height * m->width;
      const int n = ts->len, cols = kind == LAB_NOISE ? n + 1 : n, rows = kind == LAB_NOISE ? 1 : 2;
      g_autofree float *table = g_new (float, (size_t) rows * cols * img);
      g_autofree float *eps = g_new (float, img);
      g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
      float *noisy = kind == LAB_NOISE ? table + img : table, *second = table + (size_t) n * img;
      SwRng rng;
      sw_rng_init (&rng, (uint64_t) o.seed, 0);
      if (kind == LAB_NOISE)
        {
          memcpy (table, image, sizeof (float) * img);
          g_ptr_array_add (labels, g_strdup ("original"));
        }
      for (int k = 0; k < n; k++)
        {
          int t = g_array_index (ts, int, k);
          sw_rng_fill_normal (&rng, eps, img);
          sw_forward_noise (m, t, img, image, eps, noisy + k * img);
          if (kind == LAB_ONESTEP)
            sw_one_step (m, t, noisy + k * img, cond, job.guidance, second + k * img);
          else if (kind == LAB_BLUR)
            sw_gaussian_blur (m->channels, m->height, m->width, kernel, (float) sigma,
                              noisy + k * img, second + k * img);
          g_ptr_array_add (labels, g_strdup_printf ("t = %d", t));
        }
      const char *rows_onestep[] = { "noisy", "one-step" }, *rows_blur[] = { "noisy", "blurred" };
      g_autofree char *title = kind == LAB_NOISE ? g_strdup_printf ("forward process of %s", argv[1])
                             : kind == LAB_ONESTEP ? g_strdup_printf ("one-step denoising, guidance %g", job.guidance)
                             : g_strdup_printf ("Gaussian blur, kernel %d, sigma %g", kernel, sigma);
      sw_cli_write_table (path, m, table, rows, cols,
                          kind == LAB_NOISE ? NULL : kind == LAB_ONESTEP ? rows_onestep : rows_blur,
                          (const char * const *) labels->pdata, title, &error);
    }
  return sw_cli_job_finish (cmd, m, error, path);
}

int sw_cli_noise (int argc, char **argv) { return lab (argc, argv, "noise", LAB_NOISE); }
int sw_cli_onestep (int argc, char **argv) { return lab (argc, argv, "onestep", LAB_ONESTEP); }
int sw_cli_blur (int argc, char **argv) { return lab (argc, argv, "blur", LAB_BLUR); }

/* every EVERY-th frame of image 0 and each stage's last, x_t and
 * predicted x0, at the output's side: a stage I frame before a stage II
 * is nearest-upsampled (as stage II reads it) */
typedef struct {
  GArray *x_t, *x0, *t, *stage;
  int     C, side;     /* the output's */
  int     every, i_start[2];
  float  *up;          /* (C, side, side) */
  SwCliJobProgress progress;
} Strip;

static void
strip_add (Strip *s, GArray *to, const SwJobFrame *f, const float *x)
{
  const size_t img = (size_t) s->C * s->side * s->side;
  if (f->height == s->side)
    g_array_append_vals (to, x, img);
  else
    {
      sw_sr_upsample (s->C, f->height, s->side / f->height, x, s->up);
      g_array_append_vals (to, s->up, img);
    }
}

static gboolean
strip_frame (const SwJobFrame *f, gpointer data)
{
  Strip *s = data;
  if (f->i == f->steps || (f->i - s->i_start[f->stage - 1]) % s->every == 0)
    {
      strip_add (s, s->x_t, f, f->x_t);
      strip_add (s, s->x0, f, f->x0);
      g_array_append_val (s->t, f->t);
      g_array_append_val (s->stage, f->stage);
    }
  return sw_cli_job_progress (f, &s->progress);
}

int
sw_cli_trajectory (int argc, char **argv)
{
  const char *cmd = "trajectory";
  g_autofree char *prompt = NULL;
  int every = 3, i_start = 0;
  g_auto (SwCliJobOptions) o = { .cascade = TRUE };
  const GOptionEntry extra[] = {
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "What to draw (default: none)", "TEXT" },
    { "every", 'e', 0, G_OPTION_ARG_INT, &every, "Show every N-th step (default 3)", "N" },
    { "i-start", 'i', 0, G_OPTION_ARG_INT, &i_start, "With IMAGE: where to start (default 0)", "I" },
    { NULL }
  };
  g_autofree GOptionEntry *entries = sw_cli_job_entries (&o, extra, 1);
  if (!sw_cli_parse (cmd, "[IMAGE] — every step's x_t and predicted x0 as a strip", NULL, entries, &argc, &argv))
    return 2;
  if (argc > 2)
    return sw_cli_failf (cmd, "give at most one image file");
  if (o.count != SW_CLI_JOB_COUNT_UNSET && o.count != 1)
    return sw_cli_failf (cmd, "a trajectory follows one image; --count must be 1");

  g_autoptr (GError) error = NULL;
  SwCascade *c = NULL;
  SwCascadeJob cj;
  SwJob *job = &cj.job;
  SwEpsModel *m = NULL;
  g_autofree float *cond = NULL, *sr_cond = NULL, *image = NULL, *out = NULL, *up = NULL;
  const char *path = o.out ? o.out : "trajectory.png";
  if (sw_cli_cascade_setup (&o, &c, &cj, &error)
      && sw_cli_cascade_encode (c, &cj, prompt, &cond, &sr_cond, &error)
      && (argc < 2 || (image = sw_cli_read_image (sw_cascade_output (c, &cj), argv[1], &error))))
    {
      m = sw_cascade_output (c, &cj);
      const size_t img = (size_t) m->channels * m->height * m->width;
      job->image = image;
      job->i_start = i_start;
      SwProgress progress;
      up = g_new (float, img);
      Strip s = { g_array_new (FALSE, FALSE, sizeof (float)), g_array_new (FALSE, FALSE, sizeof (float)),
                  g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)),
                  m->channels, m->height, every, { i_start, sw_cascade_sr_i_start (c, &cj) }, up,
                  { &progress, 0, 0 } };
      out = g_new (float, img);
      gboolean ok = sw_cascade_job_validate (c, &cj, &error);
      if (ok)
        {
          s.progress.total_steps = sw_cascade_total_steps (c, &cj);
          sw_progress_init (&progress, "denoising");
          ok = sw_cascade_run (c, &cj, out, strip_frame, &s, NULL, &error);
          sw_progress_end (&progress);
        }
      if (ok)
        {
          const int cols = s.t->len;
          const gboolean both = c->stage2 && m == c->stage2;
          g_autofree float *table = g_new (float, 2 * cols * img);
          memcpy (table, s.x_t->data, sizeof (float) * cols * img);
          memcpy (table + cols * img, s.x0->data, sizeof (float) * cols * img);
          g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
          for (int k = 0; k < cols; k++)
            g_ptr_array_add (labels, g_strdup_printf ("%st = %d", !both ? ""
                                                      : g_array_index (s.stage, int, k) == 1 ? "I: " : "II: ",
                                                      g_array_index (s.t, int, k)));
          const char *rows[] = { "x_t", "predicted x0" };
          g_autofree char *label = sw_cli_prompt_label (prompt);
          g_autofree char *title = g_strdup_printf ("trajectory of %s: guidance %g, %d steps, seed %" G_GINT64_FORMAT,
                                                    label, job->guidance, job->steps, o.seed);
          g_autoptr (GHashTable) text = sw_cli_job_text (&o, c, &cj, image ? SW_JOB_MODE_SDEDIT
                                                                          : SW_JOB_MODE_GENERATE,
                                                         prompt, NULL);
          sw_cli_write_job (&o, path, m, out, table, 2, cols, rows, (const char * const *) labels->pdata,
                            title, text, &error);
        }
      g_array_unref (s.x_t);
      g_array_unref (s.x0);
      g_array_unref (s.t);
      g_array_unref (s.stage);
    }
  return sw_cli_cascade_finish (cmd, c, error, path);
}
