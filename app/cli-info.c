/* stepwise-cli info / inspect */
#include <glib.h>
#include <stdio.h>

#include "base/blas.h"
#include "models/checkpoint.h"
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
  return 0;
}

int
sw_cli_inspect (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL.safetensors — check a model file");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "stepwise-cli inspect: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      fprintf (stderr, "stepwise-cli inspect: give exactly one model file\n");
      return 2;
    }
  g_autoptr (GHashTable) meta = NULL;
  SwAdam opt = { 0 };
  gboolean has_opt = FALSE;
  SwUnet *net = sw_checkpoint_load (argv[1], &meta, &opt, &has_opt, &error);
  if (!net)
    {
      fprintf (stderr, "stepwise-cli inspect: %s\n", error->message);
      return 1;
    }
  const SwUnetConfig *cfg = sw_unet_config (net);
  printf ("%s: %s UNet, D=%d, %dx%dx%d, class vector %d, word embedding %d, time modulation %s, "
          "conditioning %s, %zu parameters%s\n", argv[1], sw_unet_variant_name (cfg->variant), cfg->D,
          cfg->size, cfg->size, cfg->channels, cfg->class_dim, cfg->embed_dim,
          sw_time_mod_name (cfg->time_mod), sw_cond_points_name (cfg->cond),
          sw_unet_num_params (net), has_opt ? ", with optimizer state" : "");
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (meta), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      /* a word model's vocabulary runs to thousands of words: its start
       * says what it is */
      const char *value = g_hash_table_lookup (meta, l->data);
      const glong chars = g_utf8_strlen (value, -1), shown = 200;
      if (chars <= shown)
        printf ("  %s = %s\n", (char *) l->data, value);
      else
        printf ("  %s = %.*s… (%ld characters in all)\n", (char *) l->data,
                (int) (g_utf8_offset_to_pointer (value, shown) - value), value, chars);
    }
  sw_adam_clear (&opt);
  sw_unet_free (net);
  return 0;
}
