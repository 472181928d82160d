/* stepwise-cli info / inspect */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/blas.h"
#include "diffusion/job-settings.h"
#include "eval/classifier.h"
#include "io/png.h"
#include "models/checkpoint.h"
#include "models/resunet-file.h"
#include "cli.h"

int
sw_cli_info (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("— the UNet variants and the BLAS in use");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "stepwise-cli info: %s\n", error->message);
      return 2;
    }
  printf ("Stepwise engine\n  OpenBLAS core: %s (%s)\n  OpenMP wait policy: %s\n\n",
          sw_blas_core_name (), sw_blas_core_note (), sw_wait_policy_note ());
  printf ("  %-7s %4s %-8s %-6s %12s\n", "variant", "D", "image", "cond", "parameters");
  const struct { SwUnetVariant v; int D, C, size; SwCondPoints cond; } rows[] = {
    { SW_UNET_UNCOND, 128, 1, 28 }, { SW_UNET_UNCOND, 64, 1, 28 },
    { SW_UNET_TIME, 64, 1, 28 }, { SW_UNET_CLASS, 64, 1, 28 },
    { SW_UNET_CLASS, 64, 3, 32 }, { SW_UNET_CLASS, 64, 3, 32, SW_COND_EVERY },
    { SW_UNET_CLASS, 64, 3, 32, SW_COND_FILM },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      SwUnetConfig cfg = { .variant = rows[i].v, .cond = rows[i].cond, .D = rows[i].D,
                           .channels = rows[i].C, .size = rows[i].size, .class_dim = 10 };
      SwUnet *net = sw_unet_new (&cfg, NULL);
      g_autofree char *img = g_strdup_printf ("%dx%dx%d", rows[i].size, rows[i].size, rows[i].C);
      printf ("  %-7s %4d %-8s %-6s %12zu (%.2f M)\n", sw_unet_variant_name (cfg.variant), cfg.D,
              img, sw_cond_points_name (cfg.cond), sw_unet_num_params (net),
              sw_unet_num_params (net) / 1e6);
      sw_unet_free (net);
    }
  /* issue 22's stage I candidate, with a vocabulary of 1,500 words */
  const SwResunetConfig candidate = {
    .channels = 3, .size = 16, .width = 64, .levels = 3, .mult = { 1, 2, 2 }, .blocks = 2,
    .attn = 0x6, .heads = 4, .groups = 32, .time_dim = 256, .vocab = 1500, .embed_dim = 64,
    .pool = true,
  };
  SwResunet *res = sw_resunet_new (&candidate, NULL);
  printf ("\n  resunet 16x16x3, width 64, mult 1,2,2, 2 blocks, attention at 8 and 4 px, "
          "pooled words: %zu parameters (%.2f M), %.3f GFLOP a forward pass\n",
          sw_resunet_num_params (res), sw_resunet_num_params (res) / 1e6,
          sw_resunet_forward_flops (res) / 1e9);
  sw_resunet_free (res);
  return 0;
}

/* The config line of a residual attention UNet file, after loading it whole. */
static gboolean
inspect_resunet (const char *path, GError **error)
{
  SwAdam opt = { 0 };
  gboolean has_opt = FALSE;
  SwResunet *net = sw_resunet_load (path, NULL, &opt, &has_opt, error);
  if (!net)
    return FALSE;
  const SwResunetConfig *cfg = sw_resunet_config (net);
  g_autoptr (GString) levels = g_string_new (NULL);
  for (int l = 0; l < cfg->levels; l++)
    g_string_append_printf (levels, "%s%d%s", l ? "," : "", cfg->mult[l],
                            cfg->attn >> l & 1 ? "+attn" : "");
  printf ("%s: residual attention UNet (resunet), %dx%dx%d, width %d, levels %s, %d blocks, "
          "%d heads, %d groups, dropout %g, time_dim %d, vocabulary %d, word embedding %d%s%s%s%s, "
          "%zu parameters, %.3f GFLOP a forward pass%s\n",
          path, cfg->size, cfg->size, cfg->channels, cfg->width, levels->str, cfg->blocks,
          cfg->heads, cfg->groups, cfg->dropout, cfg->time_dim, cfg->vocab, cfg->embed_dim,
          cfg->pool ? ", pooled" : "", cfg->cross ? ", cross-attention" : "",
          cfg->cond_channels ? ", super-resolution (stage II): a conditioning image" : "",
          cfg->aug ? ", its noise level embedded" : "",
          sw_resunet_num_params (net), sw_resunet_forward_flops (net) / 1e9,
          has_opt ? ", with optimizer state" : "");
  sw_adam_clear (&opt);
  sw_resunet_free (net);
  return TRUE;
}

/* The summary line of a UNet file, after loading it whole. */
static gboolean
inspect_unet (const char *path, GError **error)
{
  SwAdam opt = { 0 };
  gboolean has_opt = FALSE;
  SwUnet *net = sw_checkpoint_load (path, NULL, &opt, &has_opt, error);
  if (!net)
    return FALSE;
  const SwUnetConfig *cfg = sw_unet_config (net);
  printf ("%s: %s UNet, D=%d, %dx%dx%d, class vector %d, word embedding %d, time modulation %s, "
          "conditioning %s, %zu parameters%s\n", path, sw_unet_variant_name (cfg->variant), cfg->D,
          cfg->size, cfg->size, cfg->channels, cfg->class_dim, cfg->embed_dim,
          sw_time_mod_name (cfg->time_mod), sw_cond_points_name (cfg->cond),
          sw_unet_num_params (net), has_opt ? ", with optimizer state" : "");
  sw_adam_clear (&opt);
  sw_unet_free (net);
  return TRUE;
}

/* The summary line of a classifier file, after loading it whole. */
static gboolean
inspect_classifier (const char *path, GError **error)
{
  g_autoptr (SwClassifier) c = sw_classifier_load (path, NULL, error);
  if (!c)
    return FALSE;
  const SwClassifierConfig *cfg = sw_classifier_config (c);
  printf ("%s: classifier, %dx%dx%d, %d classes, %zu parameters\n", path, cfg->size, cfg->size,
          cfg->channels, cfg->n_classes, sw_classifier_num_params (c));
  return TRUE;
}

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every metadata entry of F, sorted by key. */
static void
print_metadata (const SwStFile *f)
{
  g_auto (GStrv) keys = sw_safetensors_meta_keys (f);
  qsort (keys, g_strv_length (keys), sizeof *keys, compare_keys);
  for (char **key = keys; *key; key++)
    {
      /* a word model's vocabulary runs to thousands of words: its start
       * says what it is */
      const char *value = sw_safetensors_meta (f, *key);
      const glong chars = g_utf8_strlen (value, -1), shown = 200;
      if (chars <= shown)
        printf ("  %s = %s\n", *key, value);
      else
        printf ("  %s = %.*s… (%ld characters in all)\n", *key,
                (int) (g_utf8_offset_to_pointer (value, shown) - value), value, chars);
    }
}

/* The summary line of a model file of either kind Stepwise ships, told
 * apart by its format field and checked by the loader of that kind. */
static gboolean
inspect_model (const SwStFile *f, const char *path, GError **error)
{
  const char *format = sw_safetensors_meta (f, "format");
  if (g_strcmp0 (format, SW_CHECKPOINT_FORMAT) == 0
      && g_strcmp0 (sw_safetensors_meta (f, "arch"), SW_RESUNET_ARCH) == 0)
    return inspect_resunet (path, error);
  if (g_strcmp0 (format, SW_CHECKPOINT_FORMAT) == 0)
    return inspect_unet (path, error);
  if (g_strcmp0 (format, SW_CLASSIFIER_FORMAT) == 0)
    return inspect_classifier (path, error);
  g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
               "“%s”: metadata field “format” is %s%s%s; accepted: “%s” (a Stepwise UNet), "
               "“%s” (a Stepwise classifier)", path, format ? "“" : "",
               format ? format : "missing", format ? "”" : "", SW_CHECKPOINT_FORMAT,
               SW_CLASSIFIER_FORMAT);
  return FALSE;
}

/* whether PATH begins with the PNG signature (a file that cannot be read
 * goes on to the model reader, whose error names the problem) */
static gboolean
starts_as_png (const char *path)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 head[8];
  FILE *f = fopen (path, "rb");
  const gboolean png = f && fread (head, 1, sizeof head, f) == sizeof head
                       && memcmp (head, signature, sizeof head) == 0;
  if (f)
    fclose (f);
  return png;
}

/* A PNG's settings, checked as the window checks them before it opens
 * the file, then every text pair, sorted by key. */
static gboolean
inspect_png (const char *path, const guint8 *data, gsize len, GError **error)
{
  int width, height, channels;
  g_autoptr (GHashTable) text = sw_png_read_text (data, len, &width, &height, &channels, error);
  if (!text)
    {
      g_prefix_error (error, "“%s”: ", path);
      return FALSE;
    }
  SwJobSettings settings = { 0 };
  if (!g_hash_table_contains (text, SW_JOB_KEY_MODE))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "“%s” holds no Stepwise settings (no “%s” "
                   "text); accepted: a PNG that stepwise-cli or the window wrote for a generated image",
                   path, SW_JOB_KEY_MODE);
      return FALSE;
    }
  if (!sw_job_settings_from_text (text, &settings, error))
    {
      g_prefix_error (error, "“%s”: ", path);
      return FALSE;
    }
  printf ("%s: %d×%d %s PNG, the settings of a %s job%s\n", path, width, height,
          channels >= 3 ? "colour" : "grey", sw_job_mode_names ()[settings.mode],
          width == height ? "" : " (a table of images: the settings are its first image's)");
  g_autofree char **keys = (char **) g_hash_table_get_keys_as_array (text, NULL);
  qsort (keys, g_strv_length (keys), sizeof *keys, compare_keys);
  for (char **key = keys; *key; key++)
    printf ("  %s = %s\n", *key, (const char *) g_hash_table_lookup (text, *key));
  return TRUE;
}

int
sw_cli_inspect (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx =
    g_option_context_new ("FILE — check a model file, or print the settings a PNG carries");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "stepwise-cli inspect: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      fprintf (stderr, "stepwise-cli inspect: give exactly one file (a model, or a PNG Stepwise wrote)\n");
      return 2;
    }
  if (starts_as_png (argv[1]))
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      if (!g_file_get_contents (argv[1], &data, &len, &error)
          || !inspect_png (argv[1], (const guint8 *) data, len, &error))
        {
          fprintf (stderr, "stepwise-cli inspect: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  g_autoptr (SwStFile) f = sw_safetensors_open (argv[1], &error);
  if (!f || !inspect_model (f, argv[1], &error))
    {
      fprintf (stderr, "stepwise-cli inspect: %s\n", error->message);
      return 1;
    }
  print_metadata (f);
  return 0;
}
