/* stepwise-cli eval-prompts: issue 6's quality bar for a model that reads
 * prompts as words (emoji-ddpm).
 *
 * For each prompt it samples PER images (guidance 7, a fixed seed), finds
 * each sample's nearest training image — L2 on pixels after a Gaussian
 * blur of sigma 2 px of both, so that a sample a pixel off or a little
 * noisy still finds the emoji it looks like — and reports the share whose
 * nearest image's caption has the prompt's words (every one of them, for
 * "old man"; a plural or an alias counts as the words it stands for). */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "diffusion/cosine-schedule.h"
#include "data/dataset.h"
#include "models/eps-model.h"
#include "figures.h"
#include "diffusion/gaussian-blur.h"
#include "diffusion/sample-grid.h"
#include "io/json.h"
#include "base/rng.h"

#define CMD "eval-prompts"

/* the noise levels of --caption-loss */
static const int LOSS_TS[3] = { 300, 600, 900 };

/* sigma 2 px, the kernel reaching 3 sigma on each side */
#define BLUR_SIGMA 2.0f
#define BLUR_KERNEL 13

static void
blur_all (int n, int C, int H, int W, float *images)
{
  const size_t img = (size_t) C * H * W;
  for (int i = 0; i < n; i++)
    sw_gaussian_blur (C, H, W, BLUR_KERNEL, BLUR_SIGMA, images + i * img, images + i * img);
}

/* for each of the N images of A, the index of the nearest of the M of B */
static void
nearest (const float *a, int n, const float *b, int m, size_t img, int *out)
{
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++)
    {
      const float *x = a + i * img;
      double best = INFINITY;
      out[i] = 0;
      for (int j = 0; j < m; j++)
        {
          const float *y = b + j * img;
          float d = 0.0f;
          for (size_t k = 0; k < img; k++)
            d += (x[k] - y[k]) * (x[k] - y[k]);
          if (d < best)
            {
              best = d;
              out[i] = j;
            }
        }
    }
}

/* "dog face" of "dog face: dog, face, pet" */
static char *
caption_name (const char *caption)
{
  const char *colon = strrchr (caption, ':');
  return colon ? g_strndup (caption, colon - caption) : g_strdup (caption);
}

/* "dog face ×5, dog ×2, wolf": the nearest images' names, most frequent first */
static char *
names_summary (const SwDataset *d, const int *idx, int n)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *count = g_new0 (int, n);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = caption_name (d->captions[idx[i]]);
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

static void
print_json (const char *model, const SwEpsModel *m, char **prompts, int per, int steps,
            double guidance, gint64 seed, const int *matched, const int *images,
            const int *idx, const SwDataset *d, double secs, int caption_images,
            const double loss[3][2])
{
  g_autoptr (GString) s = g_string_new ("{\n  \"model\": ");
  const int n_prompts = (int) g_strv_length (prompts);
  int total = 0;
  sw_json_append_string (s, model);
  g_string_append (s, ",\n  \"dataset\": ");
  sw_json_append_string (s, m->dataset);
  g_string_append_printf (s, ",\n  \"per_prompt\": %d,\n  \"steps\": %d,\n  \"guidance\": %g,\n"
                          "  \"seed\": %" G_GINT64_FORMAT ",\n  \"blur_sigma\": %g,\n"
                          "  \"prompts\": [", per, steps, guidance, seed, BLUR_SIGMA);
  for (int p = 0; p < n_prompts; p++)
    {
      total += matched[p];
      g_string_append_printf (s, "%s\n    { \"prompt\": ", p ? "," : "");
      sw_json_append_string (s, prompts[p]);
      g_string_append_printf (s, ", \"matched\": %d, \"share\": %.4f, \"images\": %d, "
                              "\"nearest\": [", matched[p], (double) matched[p] / per, images[p]);
      for (int i = 0; i < per; i++)
        {
          g_string_append (s, i ? ", " : "");
          sw_json_append_string (s, d->captions[idx[p * per + i]]);
        }
      g_string_append (s, "] }");
    }
  g_string_append_printf (s, "\n  ],\n  \"matched\": %d,\n  \"samples\": %d,\n  \"share\": %.4f,\n",
                          total, n_prompts * per, (double) total / (n_prompts * per));
  if (caption_images)
    {
      g_string_append_printf (s, "  \"caption_loss_images\": %d,\n", caption_images);
      for (int j = 0; j < 3; j++)
        g_string_append_printf (s, "  \"caption_loss_ratio_t%d\": %.4f,\n"
                                "  \"caption_loss_t%d\": { \"with\": %.5f, \"without\": %.5f },\n",
                                LOSS_TS[j], loss[j][0] / loss[j][1], LOSS_TS[j], loss[j][0], loss[j][1]);
    }
  g_string_append_printf (s, "  \"sampling_seconds\": %.1f\n}\n", secs);
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

/* ROWS: each prompt's samples, then their nearest training images */
static gboolean
write_grid (const char *path, const char *model, const SwEpsModel *m, char **prompts, int per,
            const float *samples, const SwDataset *d, const int *idx, const int *matched,
            GError **error)
{
  const int n_prompts = (int) g_strv_length (prompts);
  const size_t img = (size_t) m->channels * m->height * m->width;
  g_autofree float *cells = g_new (float, (size_t) n_prompts * 2 * per * img);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  for (int p = 0; p < n_prompts; p++)
    {
      float *row = cells + (size_t) p * 2 * per * img;
      memcpy (row, samples + (size_t) p * per * img, sizeof (float) * per * img);
      for (int i = 0; i < per; i++)
        memcpy (row + (per + i) * img, d->images + idx[p * per + i] * img, sizeof (float) * img);
      g_ptr_array_add (labels, g_strdup_printf ("%s %d/%d", prompts[p], matched[p], per));
    }
  g_ptr_array_add (labels, NULL);
  g_autofree char *base = g_path_get_basename (model);
  g_autofree char *title = g_strdup_printf ("%s: %d samples per prompt, then the nearest "
                                            "training image of each", base, per);
  return sw_figure_image_grid (path, cells, n_prompts * 2 * per, m->channels, m->height,
                               m->width, 2 * per, 3, (const char * const *) labels->pdata,
                               title, error);
}

int
sw_cli_eval_prompts (int argc, char **argv)
{
  g_autofree char *prompt_list = NULL, *grid = NULL;
  int per = 8, steps = 33;
  double guidance = 7.0;
  gint64 seed = 0;
  gboolean json = FALSE;
  int caption_images = 0;
  const GOptionEntry entries[] = {
    { "caption-loss", 0, 0, G_OPTION_ARG_INT, &caption_images,
      "Also report how much the prompt lowers the loss, on N training images (default 0: not)", "N" },
    { "prompts", 0, 0, G_OPTION_ARG_STRING, &prompt_list,
      "Comma-separated prompts (default: dog, old man, fire, skull, strawberry, pencil, "
      "hamburger, rocket, tree, sunset, milk, tower)", "LIST" },
    { "per-prompt", 'n', 0, G_OPTION_ARG_INT, &per, "Samples per prompt, 1 to 100 (default 8)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Strided denoising steps (default 33)", "N" },
    { "guidance", 'g', 0, G_OPTION_ARG_DOUBLE, &guidance, "Guidance scale, 0 to 100 (default 7)", "G" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N" },
    { "grid", 0, 0, G_OPTION_ARG_FILENAME, &grid,
      "Write a PNG: a row per prompt, its samples then their nearest training images", "PNG" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the report as JSON", NULL },
    { NULL }
  };
  if (!sw_cli_parse (CMD, "MODEL.safetensors — how often prompts give their own emoji",
                     "Each sample's nearest training image is found by L2 distance on pixels "
                     "after a Gaussian blur (sigma 2 px) of both; a sample counts when that "
                     "image's caption has every word of the prompt.", entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (CMD, "give exactly one model file");
      return 2;
    }
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  if (prompt_list)
    {
      g_auto (GStrv) items = g_strsplit (prompt_list, ",", -1);
      for (char **it = items; *it; it++)
        {
          char *p = g_strstrip (g_strdup (*it));
          if (!*p)
            {
              g_free (p);
              return sw_cli_failf (CMD, "--prompts “%s” has an empty prompt; accepted: "
                                   "prompts separated by commas", prompt_list);
            }
          g_ptr_array_add (list, p);
        }
    }
  else
    for (const char * const *p = sw_quality_prompts; *p; p++)
      g_ptr_array_add (list, g_strdup (*p));
  g_ptr_array_add (list, NULL);
  char **prompts = (char **) list->pdata;
  const int n_prompts = (int) list->len - 1, n = n_prompts * per;
  if (n > 1000)
    return sw_cli_failf (CMD, "%d prompts of %d samples are %d images; accepted: at most 1000",
                         n_prompts, per, n);

  g_autoptr (GError) error = NULL;
  g_autoptr (SwEpsModel) m = sw_eps_model_load (argv[1], &error);
  if (!m)
    return sw_cli_fail (CMD, error);
  const SwPromptEncoder *vocab = sw_eps_model_vocabulary (m);
  if (!vocab)
    return sw_cli_failf (CMD, "“%s” selects classes by name; eval-prompts scores a model that "
                         "reads prompts as words, such as emoji-ddpm's (for a class model: "
                         "stepwise-cli eval)", argv[1]);
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (int p = 0; p < n_prompts; p++)
    {
      GPtrArray *g = sw_prompt_encoder_resolve (vocab, prompts[p], &error);
      if (!g)
        return sw_cli_fail (CMD, error);
      if (g->len == 0)
        {
          g_ptr_array_unref (g);
          g_autofree char *quoted = sw_error_quote (prompts[p]);
          return sw_cli_failf (CMD, "the prompt “%s” has no word to look for in captions", quoted);
        }
      g_ptr_array_add (groups, g);
    }
  g_autoptr (SwDataset) train = sw_dataset_load (m->dataset, SW_SPLIT_TRAIN, &error);
  if (!train)
    return sw_cli_fail (CMD, error);
  if (!train->captions || train->channels != m->channels || train->height != m->height
      || train->width != m->width)
    return sw_cli_failf (CMD, "the dataset “%s” has no captions or not the model's image size",
                         train->name);

  const size_t img = (size_t) m->channels * m->height * m->width;
  g_autofree float *samples = g_new (float, n * img);
  gint64 t0 = g_get_monotonic_time ();
  SwProgress progress;
  sw_progress_init (&progress, "denoising");
  const gboolean sampled = sw_sample_prompts (m, (const char * const *) prompts, per, steps,
                                              (float) guidance, (uint64_t) seed, samples,
                                              sw_cli_grid_progress, &progress, &error);
  sw_progress_end (&progress);
  if (!sampled)
    return sw_cli_fail (CMD, error);
  double secs = (g_get_monotonic_time () - t0) / 1e6;

  g_autofree float *a = g_memdup2 (samples, sizeof (float) * n * img);
  g_autofree float *b = g_memdup2 (train->images, sizeof (float) * train->n * img);
  blur_all (n, m->channels, m->height, m->width, a);
  blur_all (train->n, m->channels, m->height, m->width, b);
  g_autofree int *idx = g_new (int, n);
  nearest (a, n, b, train->n, img, idx);
  /* how many training images each prompt names: how much the net has seen of it */
  g_autofree int *images = g_new0 (int, n_prompts);
  for (int p = 0; p < n_prompts; p++)
    for (int j = 0; j < train->n; j++)
      images[p] += sw_prompt_encoder_caption_matches (vocab, g_ptr_array_index (groups, p),
                                                      train->captions[j]);
  g_autofree int *matched = g_new0 (int, n_prompts);
  int total = 0;
  for (int i = 0; i < n; i++)
    if (sw_prompt_encoder_caption_matches (vocab, g_ptr_array_index (groups, i / per),
                                           train->captions[idx[i]]))
      {
        matched[i / per]++;
        total++;
      }

  if (grid && !write_grid (grid, argv[1], m, prompts, per, samples, train, idx, matched, &error))
    return sw_cli_fail (CMD, error);
  double loss[3][2] = { { 0 } };
  if (caption_images && !caption_losses (m, train, caption_images, seed, loss, &error))
    return sw_cli_fail (CMD, error);
  if (json)
    print_json (argv[1], m, prompts, per, steps, guidance, seed, matched, images, idx, train,
                secs, caption_images, loss);
  else
    {
      printf ("%s: %d samples per prompt, %d steps, guidance %g, seed %" G_GINT64_FORMAT "; "
              "nearest of %d training images after a %g px blur; \"images\": how many "
              "training images the prompt names\n", argv[1], per, steps, guidance, seed,
              train->n, BLUR_SIGMA);
      for (int p = 0; p < n_prompts; p++)
        {
          g_autofree char *near = names_summary (train, idx + p * per, per);
          printf ("  %-12s %3d/%-3d %5.1f%%   %4d images   nearest: %s\n", prompts[p],
                  matched[p], per, 100.0 * matched[p] / per, images[p], near);
        }
      printf ("  %-12s %3d/%-3d %5.1f%%   (sampling took %.1f s)\n", "total", total, n,
              100.0 * total / n, secs);
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
  return 0;
}
