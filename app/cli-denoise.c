/* stepwise-cli denoise: the write-up's one-step denoiser figures — held-out
 * digits noised at several sigma, and what the denoiser makes of each
 * (sigma 0.5 is in distribution, the rest are not).  For the pure-noise
 * model, its outputs beside the mean training image. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "data/dataset.h"
#include "figures.h"
#include "base/rng.h"

#define CMD "denoise"

gboolean
sw_cli_parse_sigmas (const char *text, GArray **out, GError **error)
{
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  GArray *a = g_array_new (FALSE, FALSE, sizeof (float));
  for (char **it = items; *it; it++)
    {
      char *end;
      double v = g_ascii_strtod (*it, &end);
      if (end == *it || *end || !(v >= 0.0 && v <= 10.0))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "--sigmas: “%s” is not a noise level; accepted: numbers from 0 to 10", *it);
          g_array_unref (a);
          return FALSE;
        }
      float f = (float) v;
      g_array_append_val (a, f);
    }
  if (a->len == 0 || a->len > 16)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "--sigmas: give 1 to 16 noise levels");
      g_array_unref (a);
      return FALSE;
    }
  *out = a;
  return TRUE;
}

gboolean
sw_cli_denoise_figure (SwUnet *net, const SwModelConfig *config, int epoch, const SwDataset *test,
                       int count, GArray *sigmas, uint64_t seed, const char *path, GError **error)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  const int img = cfg->channels * cfg->size * cfg->size, S = (int) sigmas->len;
  SwRng rng;
  sw_rng_init (&rng, seed, 77);
  count = MIN (count, test->n);
  /* rows: for each image, noisy then denoised; columns: sigma */
  g_autofree float *noisy = g_new (float, (size_t) count * S * img);
  g_autofree float *clean = g_new (float, (size_t) count * S * img);
  g_autofree float *table = g_new (float, (size_t) 2 * count * S * img);
  /* images spread over the set: the digits are stored sorted by class */
  for (int i = 0; i < count; i++)
    for (int s = 0; s < S; s++)
      for (int j = 0; j < img; j++)
        noisy[((size_t) i * S + s) * img + j] = test->images[(size_t) i * (test->n / count) * img + j]
          + g_array_index (sigmas, float, s) * sw_rng_normal (&rng);
  sw_unet_forward (net, count * S, noisy, NULL, NULL, false, clean);
  for (int i = 0; i < count; i++)
    {
      memcpy (table + (size_t) (2 * i) * S * img, noisy + (size_t) i * S * img, sizeof (float) * S * img);
      memcpy (table + (size_t) (2 * i + 1) * S * img, clean + (size_t) i * S * img, sizeof (float) * S * img);
    }
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  for (int s = 0; s < S; s++)
    g_ptr_array_add (cols, g_strdup_printf ("σ = %g", g_array_index (sigmas, float, s)));
  g_ptr_array_add (cols, NULL);
  for (int i = 0; i < count; i++)
    {
      g_ptr_array_add (rows, (gpointer) "noisy");
      g_ptr_array_add (rows, (gpointer) "denoised");
    }
  g_ptr_array_add (rows, NULL);
  g_autofree char *title = g_strdup_printf ("%s (trained at σ = %g), epoch %d, held-out images",
                                            config->name, config->sigma, epoch);
  return sw_figure_image_table (path, table, 2 * count, S, cfg->channels, cfg->size, cfg->size, 3,
                                (const char * const *) rows->pdata, (const char * const *) cols->pdata,
                                title, error);
}

gboolean
sw_cli_pure_noise_figure (SwUnet *net, const SwModelConfig *config, int epoch, const SwDataset *train,
                          uint64_t seed, const char *path, double *distance, GError **error)
{
  /* pure noise in: the MSE-optimal answer is the mean training image */
  const SwUnetConfig *cfg = sw_unet_config (net);
  const int img = cfg->channels * cfg->size * cfg->size, n = 8;
  SwRng rng;
  sw_rng_init (&rng, seed, 77);
  g_autofree float *z = g_new (float, (size_t) (n + 1) * img), *y = g_new (float, (size_t) (n + 1) * img);
  sw_rng_fill_normal (&rng, z, (size_t) n * img);
  sw_unet_forward (net, n, z, NULL, NULL, false, y);
  float *mean = y + (size_t) n * img;
  memset (mean, 0, sizeof (float) * img);
  for (int i = 0; i < train->n; i++)
    for (int j = 0; j < img; j++)
      mean[j] += train->images[(size_t) i * img + j] / train->n;
  double dist = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < img; j++)
      dist += fabs (y[(size_t) i * img + j] - mean[j]) / ((double) n * img);
  *distance = dist;
  g_autofree char *title = g_strdup_printf ("%s, epoch %d: 8 outputs for pure noise, then the mean "
                                            "training image (mean |difference| %.3f)",
                                            config->name, epoch, dist);
  return sw_figure_image_grid (path, y, n + 1, cfg->channels, cfg->size, cfg->size, n + 1, 4,
                               NULL, title, error);
}

int
sw_cli_denoise (int argc, char **argv)
{
  g_autofree char *out = NULL, *sigmas_text = NULL;
  int count = 3;
  gint64 seed = 0;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for the PNGs (default .)", "DIR" },
    { "images", 0, 0, G_OPTION_ARG_INT, &count, "Held-out images to show (default 3)", "N" },
    { "sigmas", 0, 0, G_OPTION_ARG_STRING, &sigmas_text, "Noise levels (default 0,0.2,0.4,0.5,0.6,0.8,1)", "LIST" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed for the noise (default 0)", "N" },
    { NULL }
  };
  if (!sw_cli_parse (CMD, "MODEL.safetensors — the denoiser's figures", NULL, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (CMD, "give exactly one model file");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) sigmas = NULL;
  if (!sw_cli_parse_sigmas (sigmas_text ? sigmas_text : "0,0.2,0.4,0.5,0.6,0.8,1", &sigmas, &error))
    return sw_cli_fail (CMD, error);
  const char *dir = out ? out : ".";
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return sw_cli_failf (CMD, "cannot create the folder “%s”: %s", dir, g_strerror (errno));

  SwCliModel m;
  if (!sw_cli_model_load (argv[1], &m, &error))
    return sw_cli_fail (CMD, error);
  int status = 0;
  SwDataset *test = NULL, *train = NULL;
  if (m.config.objective != SW_OBJECTIVE_DENOISE && m.config.objective != SW_OBJECTIVE_PURE_NOISE)
    {
      status = sw_cli_failf (CMD, "“%s” is a %s model; denoise takes a model of the denoiser "
                             "or denoiser-pure-noise recipe", argv[1], sw_objective_name (m.config.objective));
      goto done;
    }
  if (!(test = sw_dataset_load (m.config.dataset, SW_SPLIT_TEST, &error)))
    {
      status = sw_cli_fail (CMD, error);
      goto done;
    }
  if (m.config.objective == SW_OBJECTIVE_DENOISE)
    {
      g_autofree char *path = g_build_filename (dir, "denoise.png", NULL);
      if (!sw_cli_denoise_figure (m.net, &m.config, m.epoch, test, count, sigmas, (uint64_t) seed,
                                  path, &error))
        status = sw_cli_fail (CMD, error);
      else
        printf ("%s\n", path);
    }
  else
    {
      double dist;
      g_autofree char *path = g_build_filename (dir, "pure-noise.png", NULL);
      if (!(train = sw_dataset_load (m.config.dataset, SW_SPLIT_TRAIN, &error))
          || !sw_cli_pure_noise_figure (m.net, &m.config, m.epoch, train, (uint64_t) seed, path,
                                        &dist, &error))
        status = sw_cli_fail (CMD, error);
      else
        printf ("%s\nmean |output - mean training image| = %.4f\n", path, dist);
    }

done:
  if (test)
    sw_dataset_free (test);
  if (train)
    sw_dataset_free (train);
  sw_cli_model_clear (&m);
  return status;
}
