/* stepwise-cli eval-sr: the cascade's stage II on its own, against
 * bicubic and nearest upsampling (docs/math.md 3.4).
 *
 * The images are the ones the model's recipe held out of its training
 * (recipe.hold_out, sw_dataset_hold_out), so the numbers are on images
 * it never saw.  Each is shrunk to its block means, rounded to bytes, as
 * the training pairs and emoji16 are (sr-pairs.h), then brought back to
 * full size three ways: nearest, bicubic (bicubic.h), and stage II
 * exactly as the cascade runs it (sw_cascade_super_resolve) at each
 * conditioning noise level asked for.  Each is scored against the real
 * image by PSNR and by its sharpness: its RMS gradient as a share of the
 * real images'. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "cli-job.h"
#include "data/bicubic.h"
#include "data/caption-terms.h"
#include "data/dataset.h"
#include "data/sr-pairs.h"
#include "diffusion/cascade.h"
#include "eval/sr-metrics.h"
#include "figures.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "models/cosine-schedule.h"
#include "models/eps-model.h"

#define CMD "eval-sr"

#define DEFAULT_LEVELS "0,50,100,150,250"
#define MAX_LEVELS 16
#define MAX_IMAGES 1000
/* the figure's rows: held-out emoji spread through those measured */
#define FIGURE_ROWS 16

/* how close a way of upsampling comes to the real images */
typedef struct {
  double psnr_mean;     /* the mean of the images' PSNR, dB */
  double psnr_pooled;   /* the PSNR of their mean MSE, dB */
  double sharpness;     /* their RMS gradient over all pixels / the real images' */
  double seconds;       /* stage II's time; 0 for the baselines */
} Score;

/* the images measured, and what the report says of them */
typedef struct {
  const char *model;
  const char *dataset;
  int         n, C, S, s;     /* images, channels, full and low side */
  int         hold_out;       /* the recipe's; 0: none */
  gboolean    seen;           /* the images were trained on */
  int         steps;
  int         from;           /* stage II's start: the low-res image noised to this timestep */
  gint64      seed;
} Setup;

/* SCORE of OUT (n, C, S, S) against REAL, both in [0, 1] */
static void
score (const Setup *u, const float *real, const float *out, Score *sc)
{
  const size_t img = (size_t) u->C * u->S * u->S;
  double psnr = 0.0, mse = 0.0, energy = 0.0, energy_real = 0.0;
  for (int i = 0; i < u->n; i++)
    {
      const double e = sw_mse (img, real + i * img, out + i * img);
      psnr += sw_psnr (e);
      mse += e;
      energy += sw_gradient_energy (u->C, u->S, u->S, out + i * img);
      energy_real += sw_gradient_energy (u->C, u->S, u->S, real + i * img);
    }
  sc->psnr_mean = psnr / u->n;
  sc->psnr_pooled = sw_psnr (mse / u->n);
  sc->sharpness = energy_real > 0.0 ? sqrt (energy / energy_real) : 0.0;
}

/* "0,50,100" -> LEVELS in the order given, each 0..T-1, at most
 * MAX_LEVELS; FALSE after reporting a bad one */
static gboolean
parse_levels (const char *text, int T, GArray *levels)
{
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  for (char **it = items; *it; it++)
    {
      g_autofree char *s = g_strstrip (g_strdup (*it));
      gint64 v;
      if (!g_ascii_string_to_signed (s, 10, 0, T - 1, &v, NULL))
        {
          sw_cli_failf (CMD, "--levels: “%s” is not a noise level; accepted: whole numbers from "
                        "0 to %d separated by commas", s, T - 1);
          return FALSE;
        }
      int level = (int) v;
      g_array_append_val (levels, level);
    }
  if (levels->len > MAX_LEVELS)
    {
      sw_cli_failf (CMD, "--levels: %u levels; accepted: 1 to %d", levels->len, MAX_LEVELS);
      return FALSE;
    }
  return TRUE;
}

/* the indices into D's first N_VIEW images of those to measure: the
 * HOLD held out of training, or, with WANT > 0, WANT of them spread
 * through those; with HOLD 0, the WANT images a hold-out of WANT would
 * have kept (all of them trained on).  *N their count. */
static int *
pick_images (int n_view, int hold, int want, int *n)
{
  const int k = hold > 0 ? hold : want;
  g_autofree int *held = g_new (int, k);
  int m = 0;
  for (int i = 0; i < n_view && m < k; i++)
    if (sw_dataset_is_held_out (i, n_view, k))
      held[m++] = i;
  *n = want > 0 && want < m ? want : m;
  int *idx = g_new (int, *n);
  for (int j = 0; j < *n; j++)
    idx[j] = held[(size_t) j * m / *n];
  return idx;
}

/* what the model file's recipe says of its training images */
typedef struct {
  char dataset[16];
  int  factor, hold_out, limit;   /* hold_out and limit 0 when absent */
} Recipe;

static gboolean
read_recipe (const char *path, Recipe *r, GError **error)
{
  g_autoptr (SwStFile) f = sw_safetensors_open (path, error);
  if (!f)
    return FALSE;
  const char *dataset = sw_safetensors_meta (f, "recipe.dataset");
  *r = (Recipe) { "", 0, 0, 0 };
  g_strlcpy (r->dataset, dataset ? dataset : "", sizeof r->dataset);
  return sw_safetensors_meta_int (f, "recipe.sr_factor", 1, 64, &r->factor, error)
         && (!sw_safetensors_meta (f, "recipe.hold_out")
             || sw_safetensors_meta_int (f, "recipe.hold_out", 0, 100000, &r->hold_out, error))
         && (!sw_safetensors_meta (f, "recipe.limit")
             || sw_safetensors_meta_int (f, "recipe.limit", 0, G_MAXINT, &r->limit, error));
}

/* X (n) from [-1, 1] to [0, 1], clamped as a saved image would be */
static void
to_unit (size_t n, float *x)
{
  for (size_t i = 0; i < n; i++)
    x[i] = CLAMP (0.5f * x[i] + 0.5f, 0.0f, 1.0f);
}

/* the figure: ROWS of the measured images spread through them, each
 * bicubic | stage II at LEVEL (SR, n images) | real */
static gboolean
write_figure (const char *path, const Setup *u, const int *idx, const SwDataset *d,
              const float *bicubic, const float *sr, const float *real, int level,
              GError **error)
{
  const size_t img = (size_t) u->C * u->S * u->S;
  const int rows = MIN (FIGURE_ROWS, u->n);
  g_autofree float *cells = g_new (float, (size_t) rows * 3 * img);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  for (int r = 0; r < rows; r++)
    {
      const size_t i = (size_t) r * u->n / rows;
      memcpy (cells + (size_t) (3 * r) * img, bicubic + i * img, sizeof (float) * img);
      memcpy (cells + (size_t) (3 * r + 1) * img, sr + i * img, sizeof (float) * img);
      memcpy (cells + (size_t) (3 * r + 2) * img, real + i * img, sizeof (float) * img);
      g_ptr_array_add (labels, sw_caption_name (d->captions[idx[i]]));
    }
  g_ptr_array_add (labels, NULL);
  g_autofree char *sr_title = g_strdup_printf ("stage II, level %d", level);
  const char *cols[] = { "bicubic", sr_title, "real" };
  g_autofree char *base = g_path_get_basename (u->model);
  g_autofree char *title = g_strdup_printf ("%s: %d %s images of %s, %d → %d px", base, rows,
                                            u->seen ? "training" : "held-out", u->dataset, u->s,
                                            u->S);
  /* 64 px images at 2x: big enough to see stage II's detail */
  return sw_figure_image_table (path, cells, rows, 3, u->C, u->S, u->S, MAX (1, 128 / u->S),
                                (const char * const *) labels->pdata, cols, title, error);
}

static void
json_score (GString *s, const Score *sc)
{
  g_string_append_printf (s, "\"psnr_mean\": %.4f, \"psnr_pooled\": %.4f, \"sharpness\": %.4f",
                          sc->psnr_mean, sc->psnr_pooled, sc->sharpness);
}

static void
print_json (const Setup *u, const Score *nearest, const Score *bicubic, const int *levels,
            const Score *sr, int n_levels, double seconds)
{
  g_autoptr (GString) s = g_string_new ("{\n  \"model\": ");
  sw_json_append_string (s, u->model);
  g_string_append (s, ",\n  \"dataset\": ");
  sw_json_append_string (s, u->dataset);
  g_string_append_printf (s, ",\n  \"images\": %d,\n  \"hold_out\": %d,\n  \"seen_in_training\": "
                          "%s,\n  \"low_side\": %d,\n  \"side\": %d,\n  \"steps\": %d,\n  \"from\": %d,\n  "
                          "\"seed\": %" G_GINT64_FORMAT ",\n  \"nearest\": { ", u->n, u->hold_out,
                          u->seen ? "true" : "false", u->s, u->S, u->steps, u->from, u->seed);
  json_score (s, nearest);
  g_string_append (s, " },\n  \"bicubic\": { ");
  json_score (s, bicubic);
  g_string_append (s, " },\n  \"stage2\": [");
  for (int l = 0; l < n_levels; l++)
    {
      g_string_append_printf (s, "%s\n    { \"level\": %d, ", l ? "," : "", levels[l]);
      json_score (s, &sr[l]);
      g_string_append_printf (s, ", \"seconds\": %.2f }", sr[l].seconds);
    }
  g_string_append_printf (s, "\n  ],\n  \"seconds\": %.2f\n}\n", seconds);
  fputs (s->str, stdout);
}

static void
print_row (const char *what, const Score *sc)
{
  printf ("  %-20s %9.2f %11.2f %10.3f", what, sc->psnr_mean, sc->psnr_pooled, sc->sharpness);
}

static void
print_text (const Setup *u, const Score *nearest, const Score *bicubic, const int *levels,
            const Score *sr, int n_levels, double seconds, const char *figure)
{
  printf ("%s: %d %s of %s, %d → %d px; stage II %d steps from t = %d, seed %" G_GINT64_FORMAT "\n",
          u->model, u->n, u->seen ? "images SEEN IN TRAINING (the model holds none out)"
                                  : "held-out images (never trained on)",
          u->dataset, u->s, u->S, u->steps, u->from, u->seed);
  printf ("PSNR: dB on [0, 1] pixels against the real images, the mean of the images' and that "
          "of their pooled MSE; sharpness: RMS gradient over the real images' (1 = as "
          "sharp)\n");
  printf ("  %-20s %9s %11s %10s %8s\n", "upsampling", "PSNR mean", "PSNR pooled", "sharpness",
          "seconds");
  print_row ("nearest", nearest);
  printf ("\n");
  print_row ("bicubic", bicubic);
  printf ("\n");
  for (int l = 0; l < n_levels; l++)
    {
      g_autofree char *what = g_strdup_printf ("stage II, level %d", levels[l]);
      print_row (what, &sr[l]);
      printf (" %8.1f\n", sr[l].seconds);
    }
  printf ("  total %.1f s\n", seconds);
  if (figure)
    printf ("%s\n", figure);
}

/* OUT (n, C, S, S) in [0, 1]: stage II on LO (n, C, s, s) in [-1, 1] at
 * LEVEL, with P's progress bar */
static gboolean
super_resolve (SwEpsModel *m, const Setup *u, const float *lo, int n, int level,
               SwCliJobProgress *p, float *out, GError **error)
{
  if (!sw_cascade_super_resolve (m, lo, n, u->steps, level, u->from, (uint64_t) u->seed, out,
                                 sw_cli_job_progress, p, NULL, error))
    return FALSE;
  to_unit ((size_t) n * u->C * u->S * u->S, out);
  return TRUE;
}

/* The options, and the model with its images: everything eval-sr
 * measures with */
typedef struct {
  char       *level_list, *figure;
  int         figure_level, images;
  gboolean    json;
  SwEpsModel *model;
  SwDataset  *data;
  int        *idx;
  GArray     *levels;
} Eval;

static void
eval_clear (Eval *e)
{
  g_free (e->level_list);
  g_free (e->figure);
  sw_eps_model_free (e->model);
  sw_dataset_free (e->data);
  g_free (e->idx);
  if (e->levels)
    g_array_unref (e->levels);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Eval, eval_clear)

/* loads U's model, its dataset and the images to measure into E; 0, or
 * the exit status after reporting why not */
static int
load (Eval *e, Setup *u)
{
  g_autoptr (GError) error = NULL;
  if (!sw_eps_model_file_is_stage2 (u->model))
    return sw_cli_failf (CMD, "“%s” is not a stage II (super-resolution) model file; eval-sr "
                         "measures one such as emoji-stage2's", u->model);
  Recipe r;
  if (!read_recipe (u->model, &r, &error))
    return sw_cli_fail (CMD, error);
  u->hold_out = r.hold_out;
  if (r.hold_out == 0 && e->images == 0)
    return sw_cli_failf (CMD, "“%s” holds no images out of its training (its recipe has no "
                         "hold_out), so every image of its dataset was trained on; give "
                         "--images N to measure N of them anyway, reported as seen in training",
                         u->model);
  if (!(e->data = sw_dataset_load (r.dataset, SW_SPLIT_TRAIN, &error)))
    return sw_cli_fail (CMD, error);
  const SwDataset *d = e->data;
  if (d->height != d->width || d->height % r.factor != 0 || !d->captions)
    return sw_cli_failf (CMD, "the dataset “%s” (%dx%d) does not fit a model that upsamples "
                         "%dx", d->name, d->width, d->height, r.factor);
  u->dataset = d->name;
  u->S = d->height;
  u->s = d->height / r.factor;
  u->C = d->channels;
  if (!(e->model = sw_eps_model_load_stage2 (u->model, u->s, &error)))
    return sw_cli_fail (CMD, error);
  if (e->model->cond_channels != d->channels)
    return sw_cli_failf (CMD, "the dataset “%s” has %d channels, the model reads %d", d->name,
                         d->channels, e->model->cond_channels);
  /* the images the recipe trained on were the first LIMIT */
  const int n_view = r.limit > 0 && r.limit < d->n ? r.limit : d->n;
  const int most = r.hold_out > 0 ? r.hold_out : MIN (MAX_IMAGES, n_view / 2);
  if (e->images < 0 || e->images > most)
    return sw_cli_failf (CMD, "--images %d is out of range; accepted: 1 to %d (%s)", e->images,
                         most, r.hold_out > 0 ? "the images held out" : "half the dataset");
  if (r.hold_out > MIN (MAX_IMAGES, n_view / 2))
    return sw_cli_failf (CMD, "the recipe holds out %d images of the %d of “%s”; accepted: at "
                         "most half of them and %d: is this its dataset?", r.hold_out, n_view,
                         d->name, MAX_IMAGES);
  u->seen = r.hold_out == 0;
  e->idx = pick_images (n_view, r.hold_out, e->images, &u->n);
  e->levels = g_array_new (FALSE, FALSE, sizeof (int));
  if (!parse_levels (e->level_list, e->model->T, e->levels))
    return 1;
  if (u->steps < 1 || u->steps > e->model->T - 1)
    return sw_cli_failf (CMD, "--steps %d is out of range; accepted: 1 to %d", u->steps,
                         e->model->T - 1);
  if (u->from < 0 || u->from > e->model->T - 1)
    return sw_cli_failf (CMD, "--from %d is out of range; accepted: 0 to %d", u->from,
                         e->model->T - 1);
  if (e->figure_level < 0 || e->figure_level > e->model->T - 1)
    return sw_cli_failf (CMD, "--figure-level %d is out of range; accepted: 0 to %d",
                         e->figure_level, e->model->T - 1);
  return 0;
}

/* REAL (n, C, S, S) the images, LO01 (n, C, s, s) their byte-rounded
 * block means in [0, 1], LO the same in [-1, 1] */
static void
gather (const Eval *e, const Setup *u, float *real, float *lo01, float *lo)
{
  const size_t img = (size_t) u->C * u->S * u->S, small = (size_t) u->C * u->s * u->s;
  for (int i = 0; i < u->n; i++)
    memcpy (real + i * img, e->data->images + e->idx[i] * img, sizeof (float) * img);
  sw_sr_block_means ((size_t) u->n * u->C, u->S, u->S / u->s, real, lo01);
  for (size_t j = 0; j < (size_t) u->n * small; j++)
    lo[j] = 2.0f * lo01[j] - 1.0f;
}

int
sw_cli_eval_sr (int argc, char **argv)
{
  g_auto (Eval) e = { .figure_level = SW_CASCADE_SR_LEVEL };
  Setup u = { .steps = SW_CASCADE_SR_STEPS, .from = SW_CASCADE_SR_FROM };
  const GOptionEntry entries[] = {
    { "levels", 0, 0, G_OPTION_ARG_STRING, &e.level_list,
      "Comma-separated noise levels of the low-res image, 0 to 999 (default " DEFAULT_LEVELS ")",
      "LIST" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &u.steps, "Stage II's strided steps (default "
      G_STRINGIFY (SW_CASCADE_SR_STEPS) ", the cascade's)", "N" },
    { "from", 0, 0, G_OPTION_ARG_INT, &u.from, "Stage II starts from the low-res image noised to "
      "this timestep, 0 to 999 (default " G_STRINGIFY (SW_CASCADE_SR_FROM) ", the cascade's)", "T" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &u.seed, "Random seed (default 0)", "N" },
    { "images", 0, 0, G_OPTION_ARG_INT, &e.images,
      "Measure N images: N of the held-out ones, or, for a model that holds none out, N spread "
      "through its dataset, all seen in training (default: every held-out image)", "N" },
    { "figure", 0, 0, G_OPTION_ARG_FILENAME, &e.figure,
      "Write a PNG: " G_STRINGIFY (FIGURE_ROWS) " of the images, bicubic | stage II | real",
      "PNG" },
    { "figure-level", 0, 0, G_OPTION_ARG_INT, &e.figure_level,
      "The figure's noise level (default "
      G_STRINGIFY (SW_CASCADE_SR_LEVEL) ", the cascade's)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &e.json, "Print the report as JSON", NULL },
    { NULL }
  };
  if (!sw_cli_parse (CMD, "STAGE2.safetensors — stage II against bicubic, on held-out images",
                     "Each image measured is shrunk to its block means (16 px for emoji64) and "
                     "brought back by nearest, bicubic and stage II (at each --levels noise "
                     "level, as the cascade runs it); each is scored against the real image: "
                     "PSNR, and sharpness as its RMS gradient over the real images'.",
                     entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (CMD, "give exactly one stage II model file");
      return 2;
    }
  if (!e.level_list)
    e.level_list = g_strdup (DEFAULT_LEVELS);
  u.model = argv[1];
  int status = load (&e, &u);
  if (status)
    return status;

  const size_t img = (size_t) u.C * u.S * u.S, small = (size_t) u.C * u.s * u.s;
  const size_t all = (size_t) u.n * img;
  g_autofree float *real = g_new (float, all), *lo01 = g_new (float, u.n * small);
  g_autofree float *lo = g_new (float, u.n * small), *up = g_new (float, all);
  g_autofree float *bicubic = g_new (float, all), *shown = NULL;
  gather (&e, &u, real, lo01, lo);
  Score nearest = { 0 }, cubic = { 0 };
  sw_sr_upsample ((size_t) u.n * u.C, u.s, u.S / u.s, lo01, up);
  score (&u, real, up, &nearest);
  /* bicubic is linear and its weights sum to 1: on LO, then mapped, it is
   * bicubic on [0, 1] pixels, clamped as a saved image would be */
  sw_bicubic_upsample ((size_t) u.n * u.C, u.s, u.S / u.s, lo, bicubic);
  to_unit (all, bicubic);
  score (&u, real, bicubic, &cubic);

  const int n_levels = (int) e.levels->len, *levels = (const int *) e.levels->data;
  g_autofree Score *sr = g_new0 (Score, n_levels);
  g_autoptr (GError) error = NULL;
  SwProgress progress;
  sw_progress_init (&progress, "stage II");
  const int updates = u.steps - sw_strided_index (e.model->T, u.steps, u.from);
  SwCliJobProgress p = { &progress, n_levels * u.n * updates, 0 };
  const gint64 t0 = g_get_monotonic_time ();
  for (int l = 0; l < n_levels; l++)
    {
      const gint64 t = g_get_monotonic_time ();
      if (!super_resolve (e.model, &u, lo, u.n, levels[l], &p, up, &error))
        break;
      sr[l].seconds = (g_get_monotonic_time () - t) / 1e6;
      score (&u, real, up, &sr[l]);
      if (e.figure && levels[l] == e.figure_level && !shown)
        shown = g_memdup2 (up, sizeof (float) * all);
    }
  sw_progress_end (&progress);
  if (error)
    return sw_cli_fail (CMD, error);
  /* a figure level not measured: stage II at it once more, for the figure alone */
  if (e.figure && !shown)
    {
      shown = g_new (float, all);
      SwCliJobProgress q = { &progress, u.n * updates, 0 };
      sw_progress_init (&progress, "figure");
      gboolean ok = super_resolve (e.model, &u, lo, u.n, e.figure_level, &q, shown, &error);
      sw_progress_end (&progress);
      if (!ok)
        return sw_cli_fail (CMD, error);
    }
  const double seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (e.figure && !write_figure (e.figure, &u, e.idx, e.data, bicubic, shown, real,
                                 e.figure_level, &error))
    return sw_cli_fail (CMD, error);
  if (e.json)
    print_json (&u, &nearest, &cubic, levels, sr, n_levels, seconds);
  else
    print_text (&u, &nearest, &cubic, levels, sr, n_levels, seconds, e.figure);
  return 0;
}
