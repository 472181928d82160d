/* stepwise-cli eval-prompts: issue 6's quality bar for a model that reads
 * prompts as words (emoji-ddpm), and issue 22's broad --names score.
 *
 * For each prompt it samples PER images (guidance 7, a fixed seed) and
 * scores them by their nearest training images (eval/prompt-score.h): the
 * share whose nearest image's caption has the prompt's words, and how many
 * distinct images a prompt's samples come nearest to.  The training
 * images are the model's dataset at the model's size: a 16 px model is
 * matched against emoji16.  --names takes as prompts every one-word name
 * of the captions ("banana", "ghost", "frog"), 2 samples each.
 *
 * With --sr it scores the cascade (issue 24): stage I then stage II, whose
 * 64 px samples are area-downsampled to 32 px and matched against the
 * dataset drawn at 32 px (emoji), where a 2 px blur still leaves the
 * detail stage II adds. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "cli-job.h"
#include "data/caption-terms.h"
#include "data/sr-pairs.h"
#include "models/cosine-schedule.h"
#include "data/dataset.h"
#include "models/eps-model.h"
#include "figures.h"
#include "diffusion/sample-grid.h"
#include "eval/prompt-score.h"
#include "io/json.h"
#include "base/rng.h"

#define CMD "eval-prompts"

/* the noise levels of --caption-loss */
static const int LOSS_TS[3] = { 300, 600, 900 };

/* --names: its grid shows this many names, drawn with this seed whatever
 * the sampling seed, so that grids of different models show the same
 * names */
#define NAMES_IN_GRID 48
#define NAMES_GRID_SEED 22
/* at most this many images in all (--names: about 500 names) */
#define MAX_IMAGES 1000
/* a cascade's samples are scored at this side (issue 24: at 32 px) */
#define CASCADE_SCORE_SIDE 32
#define MAX_NAME_IMAGES 10000

/* "dog face ×5, dog ×2, wolf": the nearest images' names, most frequent first */
static char *
names_summary (const SwDataset *d, const int *idx, int n)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *count = g_new0 (int, n);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = sw_caption_name (d->captions[idx[i]]);
      guint at;
      if (g_ptr_array_find_with_equal_func (names, name, g_str_equal, &at))
        count[at]++;
      else
        {
          count[names->len] = 1;
          g_ptr_array_add (names, g_steal_pointer (&name));
        }
    }
  GString *s = g_string_new (NULL);
  for (guint done = 0; done < names->len; done++)
    {
      guint best = 0;
      for (guint k = 1; k < names->len; k++)
        if (count[k] > count[best])
          best = k;
      g_string_append_printf (s, "%s%s", done ? ", " : "", (char *) g_ptr_array_index (names, best));
      if (count[best] > 1)
        g_string_append_printf (s, " ×%d", count[best]);
      count[best] = -1;
    }
  return g_string_free (s, FALSE);
}

/* How the report says what was sampled and scored */
typedef struct {
  const char *model;
  const char *sr;         /* --sr: stage II's file, or NULL */
  int         sr_steps, sr_level, sr_from;
  int         side;       /* the samples' side (a cascade's: 64) */
  int         steps;
  double      guidance;
  double      word_noise; /* stage I's, as it sampled */
  gint64      seed;
  gboolean    names;      /* --names */
  int         skipped;    /* --names: the names the vocabulary cannot encode */
  double      seconds;    /* sampling */
} Report;

static void
print_json (const Report *r, const SwPromptScore *sc, const SwDataset *d, int caption_images,
            const double loss[3][2])
{
  g_autoptr (GString) s = g_string_new ("{\n  \"model\": ");
  const int per = sc->per, n = sc->n_prompts * per;
  sw_json_append_string (s, r->model);
  if (r->sr)
    {
      g_string_append (s, ",\n  \"sr_model\": ");
      sw_json_append_string (s, r->sr);
      g_string_append_printf (s, ",\n  \"sr_steps\": %d,\n  \"sr_noise\": %d,\n  \"sr_from\": %d,\n"
                              "  \"sample_side\": %d", r->sr_steps, r->sr_level, r->sr_from, r->side);
    }
  g_string_append (s, ",\n  \"dataset\": ");
  sw_json_append_string (s, d->name);
  g_string_append_printf (s, ",\n  \"per_prompt\": %d,\n  \"steps\": %d,\n  \"guidance\": %g,\n"
                          "  \"word_noise\": %g,\n  \"seed\": %" G_GINT64_FORMAT ",\n"
                          "  \"blur_sigma\": %g,\n", per, r->steps, r->guidance, r->word_noise, r->seed, SW_PROMPT_SCORE_BLUR_SIGMA);
  if (r->names)
    g_string_append_printf (s, "  \"names\": %d,\n  \"names_skipped\": %d,\n", sc->n_prompts,
                            r->skipped);
  g_string_append (s, "  \"prompts\": [");
  for (int p = 0; p < sc->n_prompts; p++)
    {
      g_string_append_printf (s, "%s\n    { \"prompt\": ", p ? "," : "");
      sw_json_append_string (s, sc->prompts[p]);
      g_string_append_printf (s, ", \"matched\": %d, \"share\": %.4f, \"images\": %d, "
                              "\"distinct\": %d, \"nearest\": [", sc->matched[p],
                              (double) sc->matched[p] / per, sc->named[p], sc->distinct[p]);
      for (int i = 0; i < per; i++)
        {
          g_string_append (s, i ? ", " : "");
          sw_json_append_string (s, d->captions[sc->nearest[p * per + i]]);
        }
      g_string_append (s, "] }");
    }
  g_string_append_printf (s, "\n  ],\n  \"matched\": %d,\n  \"samples\": %d,\n  \"share\": %.4f,\n",
                          sc->total, n, (double) sc->total / n);
  if (caption_images)
    {
      g_string_append_printf (s, "  \"caption_loss_images\": %d,\n", caption_images);
      for (int j = 0; j < 3; j++)
        g_string_append_printf (s, "  \"caption_loss_ratio_t%d\": %.4f,\n"
                                "  \"caption_loss_t%d\": { \"with\": %.5f, \"without\": %.5f },\n",
                                LOSS_TS[j], loss[j][0] / loss[j][1], LOSS_TS[j], loss[j][0], loss[j][1]);
    }
  g_string_append_printf (s, "  \"sampling_seconds\": %.1f\n}\n", r->seconds);
  fputs (s->str, stdout);
}

/* How much the prompt tells the net, a training diagnostic: over N training
 * images drawn by SEED, noised at t = 300, 600 and 900 (4 noise draws each),
 * LOSS[j] = { the mean ε-prediction loss under the image's own caption,
 * without a prompt }; their ratio is the report's figure.  Near 1: the net ignores the prompt; a net that has
 * learnt which emoji a caption names goes well below, most of all at
 * t = 900, where little of the image is left to go on. */
static gboolean
caption_losses (SwEpsModel *m, const SwDataset *d, int n, gint64 seed, double loss[3][2],
                GError **error)
{
  enum { R = 4 };
  const int *ts = LOSS_TS, T = m->T;
  memset (loss, 0, sizeof (double) * 3 * 2);
  const size_t img = (size_t) m->channels * m->height * m->width;
  g_autofree double *ab = g_new (double, T);
  sw_cosine_alpha_bar (T, ab);
  g_autofree float *x = g_new (float, R * img), *eps = g_new (float, R * img);
  g_autofree float *out = g_new (float, R * img);
  g_autofree float *with = g_new (float, R * m->cond_dim), *none = g_new (float, R * m->cond_dim);
  if (!m->encode (m, "", none, error))
    return FALSE;
  for (int k = 1; k < R; k++)
    memcpy (none + k * m->cond_dim, none, sizeof (float) * m->cond_dim);
  SwRng pick;
  sw_rng_init (&pick, (uint64_t) seed, 0xca9);
  for (int i = 0; i < n; i++)
    {
      int at = (int) (sw_rng_uniform (&pick) * d->n) % d->n;
      if (!m->encode (m, d->captions[at], with, error))
        return FALSE;
      for (int k = 1; k < R; k++)
        memcpy (with + k * m->cond_dim, with, sizeof (float) * m->cond_dim);
      for (int j = 0; j < 3; j++)
        {
          SwRng rng;
          sw_rng_init (&rng, (uint64_t) seed + (uint64_t) i, (uint64_t) ts[j]);
          const float a = (float) sqrt (ab[ts[j]]), b = (float) sqrt (1.0 - ab[ts[j]]);
          for (size_t q = 0; q < R * img; q++)
            {
              eps[q] = sw_rng_normal (&rng);
              x[q] = a * (2.0f * d->images[at * img + q % img] - 1.0f) + b * eps[q];
            }
          for (int c = 0; c < 2; c++)
            {
              m->predict (m, R, x, ts[j], c ? none : with, out, NULL);
              for (size_t q = 0; q < R * img; q++)
                loss[j][c] += (double) (out[q] - eps[q]) * (out[q] - eps[q]);
            }
        }
    }
  for (int j = 0; j < 3; j++)
    for (int c = 0; c < 2; c++)
      loss[j][c] /= (double) n * R * img;
  return TRUE;
}

/* The grid of the N_PICKS prompts PICKS (indices into SC's prompts),
 * ACROSS to a row: each one's samples (SIDE x SIDE, a multiple of D's),
 * then their nearest training images, nearest-upsampled to SIDE; a row's
 * label is "prompt matched/per" for each of its prompts */
static gboolean
write_grid (const char *path, const char *title, const SwPromptScore *sc, const int *picks,
            int n_picks, int across, const float *samples, int side, const SwDataset *d,
            GError **error)
{
  const int per = sc->per, C = d->channels, H = side, W = side, f = side / d->height;
  const size_t img = (size_t) C * H * W, small = (size_t) C * d->height * d->width;
  g_autofree float *cells = g_new (float, (size_t) n_picks * 2 * per * img);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  for (int k = 0; k < n_picks; k++)
    {
      const int p = picks[k];
      float *cell = cells + (size_t) k * 2 * per * img;
      memcpy (cell, samples + (size_t) p * per * img, sizeof (float) * per * img);
      for (int i = 0; i < per; i++)
        sw_sr_upsample ((size_t) C, d->height, f, d->images + sc->nearest[p * per + i] * small,
                        cell + (per + i) * img);
      g_autofree char *label = g_strdup_printf ("%s %d/%d", sc->prompts[p], sc->matched[p], per);
      if (k % across == 0)
        g_ptr_array_add (labels, g_steal_pointer (&label));
      else
        {
          char **last = (char **) &g_ptr_array_index (labels, labels->len - 1);
          char *joined = g_strconcat (*last, " · ", label, NULL);
          g_free (*last);
          *last = joined;
        }
    }
  g_ptr_array_add (labels, NULL);
  /* cells of about 96 px, as 32 px images at 3x (64 px ones at 1x) */
  return sw_figure_image_grid (path, cells, n_picks * 2 * per, C, H, W, across * 2 * per,
                               MAX (1, 96 / H), (const char * const *) labels->pdata, title,
                               error);
}

/* --names: NAMES_IN_GRID of the N prompts (all when fewer; N >= 1) drawn
 * with NAMES_GRID_SEED, in the prompts' (sorted) order */
static int *
names_for_grid (int n, int *n_picks)
{
  n = MAX (n, 1);   /* a model with no names is refused before a grid is drawn */
  g_autofree int *order = g_new (int, n);
  for (int i = 0; i < n; i++)
    order[i] = i;
  SwRng rng;
  sw_rng_init (&rng, NAMES_GRID_SEED, 0);
  const int k = MIN (n, NAMES_IN_GRID);
  for (int i = 0; i < k; i++)
    {
      int j = i + (int) sw_rng_below (&rng, (uint32_t) (n - i)), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  gboolean *picked = g_new0 (gboolean, n);
  for (int i = 0; i < k; i++)
    picked[order[i]] = TRUE;
  int *picks = g_new (int, k);
  *n_picks = 0;
  for (int i = 0; i < n; i++)
    if (picked[i])
      picks[(*n_picks)++] = i;
  g_free (picked);
  return picks;
}

/* The training images to score MODEL's samples against: its dataset drawn
 * at SIDE (emoji16 for a 16 px model of the emoji, emoji at 32 px) */
static SwDataset *
load_training_images (const SwEpsModel *m, int side, GError **error)
{
  const char *name = sw_dataset_at_size (m->dataset, side);
  if (!name && side != m->height)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "the dataset “%s” is not drawn at %d px, "
                   "where a cascade's samples are scored", m->dataset, side);
      return NULL;
    }
  return sw_dataset_load (name ? name : m->dataset, SW_SPLIT_TRAIN, error);
}

/* The prompts of --prompts LIST (comma-separated), else the quality
 * prompts, into LIST; FALSE after reporting an empty one */
static gboolean
parse_prompts (const char *prompt_list, GPtrArray *list)
{
  if (!prompt_list)
    {
      for (const char * const *p = sw_quality_prompts; *p; p++)
        g_ptr_array_add (list, g_strdup (*p));
      return TRUE;
    }
  g_auto (GStrv) items = g_strsplit (prompt_list, ",", -1);
  for (char **it = items; *it; it++)
    {
      char *p = g_strstrip (g_strdup (*it));
      if (!*p)
        {
          g_free (p);
          sw_cli_failf (CMD, "--prompts “%s” has an empty prompt; accepted: prompts separated "
                        "by commas", prompt_list);
          return FALSE;
        }
      g_ptr_array_add (list, p);
    }
  return TRUE;
}

static void
print_text (const Report *r, const SwPromptScore *sc, const SwDataset *train, const char *grid,
            int caption_images, const double loss[3][2])
{
  const int per = sc->per, n = sc->n_prompts * per;
  g_autofree char *sr = r->sr ? g_strdup_printf (", then %s (%d steps from t = %d, noise level %d) "
                                                 "to %d px, scored at %d px", r->sr, r->sr_steps,
                                                 r->sr_from, r->sr_level, r->side, train->height)
                              : g_strdup ("");
  g_autofree char *wn = r->word_noise > 0.0 ? g_strdup_printf (", word noise %g", r->word_noise)
                                             : g_strdup ("");
  printf ("%s: %d samples per prompt, %d steps, guidance %g%s, seed %" G_GINT64_FORMAT "%s; "
          "nearest of %d training images (%s) after a %g px blur; \"images\": how many "
          "training images the prompt names; \"distinct\": how many different nearest images "
          "its samples have\n", r->model, per, r->steps, r->guidance, wn, r->seed, sr, train->n,
          train->name, SW_PROMPT_SCORE_BLUR_SIGMA);
  if (r->names)
    {
      int all = 0, some = 0;
      for (int p = 0; p < sc->n_prompts; p++)
        {
          all += sc->matched[p] == per;
          some += sc->matched[p] > 0;
        }
      printf ("  names: %d one-word names of the captions as prompts (%d skipped: the "
              "model's vocabulary cannot encode them)\n", sc->n_prompts, r->skipped);
      printf ("  names drawn right in all %d samples: %d, in at least one: %d\n", per, all, some);
    }
  else
    for (int p = 0; p < sc->n_prompts; p++)
      {
        g_autofree char *near = names_summary (train, sc->nearest + p * per, per);
        printf ("  %-12s %3d/%-3d %5.1f%%   %4d images   %2d distinct   nearest: %s\n",
                sc->prompts[p], sc->matched[p], per, 100.0 * sc->matched[p] / per, sc->named[p],
                sc->distinct[p], near);
      }
  printf ("  %-12s %3d/%-3d %5.1f%%   (sampling took %.1f s)\n", "total", sc->total, n,
          100.0 * sc->total / n, r->seconds);
  if (caption_images)
    {
      printf ("  prompt use: the loss under each image's own caption is %.3f (t = 300), "
              "%.3f (t = 600) and %.3f (t = 900) of the loss without a prompt, on %d "
              "training images\n", loss[0][0] / loss[0][1], loss[1][0] / loss[1][1],
              loss[2][0] / loss[2][1], caption_images);
      printf ("  ε-loss with / without the caption: %.5f / %.5f, %.5f / %.5f, %.5f / %.5f\n",
              loss[0][0], loss[0][1], loss[1][0], loss[1][1], loss[2][0], loss[2][1]);
    }
  if (grid)
    printf ("%s\n", grid);
}

/* Progress over all of sample_all's jobs */
typedef struct {
  SwProgress *progress;
  double      before, total;   /* image-steps of the jobs before this one, of all */
} AllProgress;

static gboolean
all_progress (double done, double total, gpointer user_data)
{
  const AllProgress *a = user_data;
  return sw_cli_grid_progress (a->before + done, a->total, a->progress);
}

/* SC's samples into OUT, as sw_sample_prompts draws them (through
 * cascade C with SR's stage II settings when C has a stage II), in jobs of
 * at most MAX_IMAGES (a job's limit): the job of prompts from P on samples
 * with SEED + P, so no two prompts share their noise */
static gboolean
sample_all (SwCascade *c, const SwCascadeJob *sr, const SwPromptScore *sc, int steps,
            double guidance, gint64 seed, float *out, GError **error)
{
  const int per = sc->per, chunk = MAX (1, MAX_IMAGES / per);
  const SwEpsModel *o = sw_cascade_output (c, sr);
  const size_t img = (size_t) o->channels * o->height * o->width;
  const int sr_steps = o == c->stage1 ? 0 : sr->sr_steps - sw_cascade_sr_i_start (c, sr);
  SwProgress progress;
  sw_progress_init (&progress, "denoising");
  AllProgress all = { &progress, 0.0, (double) sc->n_prompts * per * (steps + sr_steps) };
  gboolean ok = TRUE;
  for (int p = 0; ok && p < sc->n_prompts; p += chunk)
    {
      const int k = MIN (chunk, sc->n_prompts - p);
      g_autofree const char **prompts = g_new0 (const char *, k + 1);
      memcpy (prompts, sc->prompts + p, sizeof (char *) * k);
      ok = sw_sample_prompts_cascade (c, prompts, per, steps, (float) guidance, sr,
                                      (uint64_t) seed + (uint64_t) p, out + (size_t) p * per * img,
                                      all_progress, &all, error);
      all.before += (double) k * per * (steps + sr_steps);
    }
  sw_progress_end (&progress);
  return ok;
}

int
sw_cli_eval_prompts (int argc, char **argv)
{
  g_autofree char *prompt_list = NULL, *grid = NULL, *sr_path = NULL;
  int per = G_MININT, steps = 33;   /* G_MININT: --per-prompt not given */
  SwCliSrOptions stage2;
  double guidance = 7.0, word_noise = -1.0;
  gint64 seed = 0;
  gboolean json = FALSE, names = FALSE;
  int caption_images = 0;
  GOptionEntry entries[] = {
    { "caption-loss", 0, 0, G_OPTION_ARG_INT, &caption_images,
      "Also report how much the prompt lowers the loss, on N training images (default 0: not)", "N" },
    { "prompts", 0, 0, G_OPTION_ARG_STRING, &prompt_list,
      "Comma-separated prompts (default: dog, old man, fire, skull, strawberry, pencil, "
      "hamburger, rocket, tree, sunset, milk, tower)", "LIST" },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names,
      "Use every one-word name of the captions as a prompt (banana, ghost, frog, …), 2 samples "
      "each", NULL },
    { "per-prompt", 'n', 0, G_OPTION_ARG_INT, &per,
      "Samples per prompt, 1 to 100 (default 8; with --names 2)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Strided denoising steps (default 33)", "N" },
    { "guidance", 'g', 0, G_OPTION_ARG_DOUBLE, &guidance, "Guidance scale, 0 to 100 (default 7)", "G" },
    { "word-noise", 0, 0, G_OPTION_ARG_DOUBLE, &word_noise,
      "Noise on the prompt's words early in sampling (CADS), 0 to 1 (default: the model's)", "S" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N" },
    { "grid", 0, 0, G_OPTION_ARG_FILENAME, &grid,
      "Write a PNG: a row per prompt, its samples then their nearest training images (with "
      "--names: 48 names drawn at random with a fixed seed, three to a row)", "PNG" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the report as JSON", NULL },
    { "sr", 0, 0, G_OPTION_ARG_FILENAME, &sr_path,
      "Score the cascade: MODEL is its stage I and FILE its stage II; the samples are scored at "
      "32 px", "FILE" },
    { NULL }, { NULL }, { NULL }, { NULL },   /* stage II's */
    { NULL }
  };
  sw_cli_sr_entries (&stage2, entries + G_N_ELEMENTS (entries) - 1 - SW_CLI_SR_N_ENTRIES);
  if (!sw_cli_parse (CMD, "MODEL.safetensors — how often prompts give their own emoji",
                     "Each sample's nearest training image is found by L2 distance on pixels "
                     "after a Gaussian blur (sigma 2 px) of both, among the model's dataset at "
                     "the model's size (emoji16 for a 16 px model); a sample counts when that "
                     "image's caption has every word of the prompt.", entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (CMD, "give exactly one model file");
      return 2;
    }
  if (per == G_MININT)
    per = names ? 2 : 8;
  if (names && prompt_list)
    return sw_cli_failf (CMD, "--names and --prompts both choose the prompts; give one of them");
  g_autoptr (GPtrArray) list = g_ptr_array_new_null_terminated (16, g_free, TRUE);
  if (!names && !parse_prompts (prompt_list, list))
    return 1;
  if (!names && (int) list->len * per > MAX_IMAGES)
    return sw_cli_failf (CMD, "%d prompts of %d samples are %d images; accepted: at most %d",
                         (int) list->len, per, (int) list->len * per, MAX_IMAGES);

  g_autoptr (GError) error = NULL;
  g_autoptr (SwCascade) c = sw_cascade_load (argv[1], sr_path, &error);
  if (!c)
    return sw_cli_fail (CMD, error);
  SwEpsModel *m = c->stage1;
  if (word_noise >= 0.0 && !sw_eps_model_set_word_noise (m, (float) word_noise, &error))
    return sw_cli_fail (CMD, error);
  SwCascadeJob sr;
  sw_cascade_job_init (&sr);
  if ((!c->stage2 && !sw_cli_sr_options_unused (&stage2, "give its model with --sr FILE", &error))
      || !sw_cli_sr_options_apply (&stage2, c, &sr, &error))
    return sw_cli_fail (CMD, error);
  const SwEpsModel *out_model = sw_cascade_output (c, &sr);
  const int side = out_model->height, score_side = c->stage2 ? CASCADE_SCORE_SIDE : side;
  const SwPromptEncoder *vocab = sw_eps_model_vocabulary (m);
  if (!vocab)
    return sw_cli_failf (CMD, "“%s” selects classes by name; eval-prompts scores a model that "
                         "reads prompts as words, such as emoji-ddpm's (for a class model: "
                         "stepwise-cli eval)", argv[1]);
  g_autoptr (SwDataset) train = load_training_images (m, score_side, &error);
  if (!train)
    return sw_cli_fail (CMD, error);
  if (!train->captions || train->channels != m->channels || train->height != score_side
      || train->width != score_side || side % score_side != 0)
    return sw_cli_failf (CMD, "the dataset “%s” has no captions or not the model's image size",
                         train->name);
  Report r = { argv[1], sr_path, sr.sr_steps, sr.sr_level, sr.sr_from, side, steps, guidance,
               sw_eps_model_word_noise (m), seed, names, 0, 0.0 };
  if (names)
    {
      g_auto (GStrv) words = sw_name_prompts (vocab, (const char * const *) train->captions,
                                              train->n, &r.skipped);
      for (char **w = words; *w; w++)
        g_ptr_array_add (list, g_strdup (*w));
      if (list->len == 0)
        return sw_cli_failf (CMD, "the captions of “%s” have no one-word name that the model "
                             "knows (%d skipped)", train->name, r.skipped);
      if ((int) list->len * per > MAX_NAME_IMAGES)
        return sw_cli_failf (CMD, "%d names of %d samples are %d images; accepted: at most %d",
                             (int) list->len, per, (int) list->len * per, MAX_NAME_IMAGES);
    }
  g_autoptr (SwPromptScore) sc = sw_prompt_score_new (vocab, (const char * const *) list->pdata,
                                                      per, &error);
  if (!sc)
    return sw_cli_fail (CMD, error);

  const int n = sc->n_prompts * per;
  const size_t img = (size_t) m->channels * side * side;
  g_autofree float *samples = g_new (float, n * img);
  gint64 t0 = g_get_monotonic_time ();
  if (!sample_all (c, &sr, sc, steps, guidance, seed, samples, &error))
    return sw_cli_fail (CMD, error);
  r.seconds = (g_get_monotonic_time () - t0) / 1e6;
  /* a cascade's samples at the side they are scored at (their block means) */
  g_autofree float *scored = side == score_side
                              ? NULL : g_new (float, (size_t) n * m->channels * score_side * score_side);
  if (scored)
    sw_sr_area_downsample ((size_t) n * m->channels, side, side / score_side, samples, scored);
  if (!sw_prompt_score_run (sc, vocab, train, scored ? scored : samples, m->channels, score_side,
                            score_side, &error))
    return sw_cli_fail (CMD, error);

  if (grid)
    {
      g_autofree char *one = g_path_get_basename (argv[1]);
      g_autofree char *two = sr_path ? g_path_get_basename (sr_path) : NULL;
      g_autofree char *base = two ? g_strdup_printf ("%s → %s", one, two) : g_strdup (one);
      g_autofree int *picks = NULL;
      g_autofree char *title = NULL;
      int n_picks = sc->n_prompts, across = 1;
      if (names)
        {
          picks = names_for_grid (sc->n_prompts, &n_picks);
          across = 3;
          title = g_strdup_printf ("%s: %d of %d one-word names (drawn with seed %d), %d "
                                   "samples each, then the nearest training image of each",
                                   base, n_picks, sc->n_prompts, NAMES_GRID_SEED, per);
        }
      else
        {
          picks = g_new (int, n_picks);
          for (int p = 0; p < n_picks; p++)
            picks[p] = p;
          title = g_strdup_printf ("%s: %d samples per prompt, then the nearest training "
                                   "image of each", base, per);
        }
      if (!write_grid (grid, title, sc, picks, n_picks, across, samples, side, train, &error))
        return sw_cli_fail (CMD, error);
    }
  double loss[3][2] = { { 0 } };
  if (caption_images && !caption_losses (m, train, caption_images, seed, loss, &error))
    return sw_cli_fail (CMD, error);
  if (json)
    print_json (&r, sc, train, caption_images, loss);
  else
    print_text (&r, sc, train, grid, caption_images, loss);
  return 0;
}
