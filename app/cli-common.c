#include "cli-common.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "base/duration.h"
#include "cli-numbers.h"
#include "models/checkpoint.h"

gboolean
sw_cli_parse (const char *cmd, const char *params, const char *summary,
              const GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (params);
  g_autoptr (GError) error = NULL;
  g_autofree char *prg = g_strdup_printf ("stepwise-cli %s", cmd);
  g_set_prgname (prg);
  if (summary)
    g_option_context_set_summary (ctx, summary);
  g_autoptr (SwCliNumbers) numbers = sw_cli_numbers_new (cmd, entries, &error);
  if (!numbers)
    {
      fprintf (stderr, "stepwise-cli %s: %s\n", cmd, error->message);
      return FALSE;
    }
  /* the numeric entries' callbacks find their options in the group's data */
  GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, numbers, NULL);
  g_option_group_add_entries (group, sw_cli_numbers_entries (numbers));
  g_option_context_set_main_group (ctx, group);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      fprintf (stderr, "stepwise-cli %s: %s\n", cmd, error->message);
      return FALSE;
    }
  return TRUE;
}

int
sw_cli_fail (const char *cmd, const GError *error)
{
  fprintf (stderr, "stepwise-cli %s: %s\n", cmd, error->message);
  return 1;
}

int
sw_cli_failf (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "stepwise-cli %s: %s\n", cmd, msg);
  return 1;
}

gboolean
sw_cli_model_load (const char *path, SwCliModel *m, GError **error)
{
  g_autoptr (GHashTable) meta = NULL;
  memset (m, 0, sizeof *m);
  m->net = sw_checkpoint_load (path, &meta, NULL, NULL, error);
  if (!m->net)
    return FALSE;
  if (!sw_model_config_from_meta (meta, &m->config, error))
    {
      g_prefix_error (error, "“%s” has no usable training recipe: ", path);
      sw_cli_model_clear (m);
      return FALSE;
    }
  const SwUnetConfig *cfg = sw_unet_config (m->net);
  m->config.variant = cfg->variant;
  m->config.time_mod = cfg->time_mod;
  m->config.cond = cfg->cond;
  m->config.embed = cfg->embed_dim;
  const char *classes = g_hash_table_lookup (meta, "dataset.classes");
  m->class_names = g_strsplit (classes ? classes : "", ",", -1);
  if (cfg->variant == SW_UNET_CLASS && (int) g_strv_length (m->class_names) != cfg->class_dim)
    {
      g_strfreev (m->class_names);
      m->class_names = g_new0 (char *, cfg->class_dim + 1);
      for (int i = 0; i < cfg->class_dim; i++)
        m->class_names[i] = g_strdup_printf ("%d", i);
    }
  m->words = g_hash_table_contains (meta, "prompt.vocabulary");
  const char *epoch = g_hash_table_lookup (meta, "train.epoch");
  m->epoch = epoch ? atoi (epoch) : 0;
  return TRUE;
}

void
sw_cli_model_clear (SwCliModel *m)
{
  sw_unet_free (m->net);
  g_strfreev (m->class_names);
  memset (m, 0, sizeof *m);
}

char *
sw_cli_shipped_model_path (const char *kind, const char *dataset)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", kind, dataset);
  return sw_cli_shipped_model_file (name);
}

char *
sw_cli_shipped_model_file (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.safetensors", name);
  const char *env = g_getenv ("STEPWISE_MODEL_DIR");
  if (env)
    return g_build_filename (env, file, NULL);
  char *installed = g_build_filename (STEPWISE_INSTALLED_MODELDIR, file, NULL);
  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return installed;
  g_free (installed);
  return g_build_filename (STEPWISE_SOURCE_MODELDIR, file, NULL);
}

static int
cmp_int (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

gboolean
sw_cli_parse_int_list (const char *text, const char *what, GArray **out, GError **error)
{
  g_auto (GStrv) items = g_strsplit (text ? text : "", ",", -1);
  GArray *a = g_array_new (FALSE, FALSE, sizeof (int));
  for (char **it = items; *it; it++)
    {
      g_autofree char *s = g_strstrip (g_strdup (*it));
      gint64 v;
      if (!*s)
        continue;
      if (!g_ascii_string_to_signed (s, 10, 1, 100000, &v, NULL))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "%s: “%s” is not a whole number from 1 to 100000", what, s);
          g_array_unref (a);
          return FALSE;
        }
      int iv = (int) v;
      g_array_append_val (a, iv);
    }
  g_array_sort (a, cmp_int);
  *out = a;
  return TRUE;
}

void
sw_progress_init (SwProgress *p, const char *label)
{
  p->tty = isatty (STDERR_FILENO);
  p->start = g_get_monotonic_time ();
  g_strlcpy (p->label, label, sizeof p->label);
}

void
sw_progress_update (SwProgress *p, double done, double total, const char *extra)
{
  if (!p->tty || total <= 0)
    return;
  enum { WIDTH = 24 };
  double frac = done / total;
  double elapsed = (g_get_monotonic_time () - p->start) / 1e6;
  g_autofree char *eta = done > 0 ? sw_format_duration (elapsed / frac - elapsed) : g_strdup ("?");
  char bar[WIDTH + 1];
  int full = (int) (frac * WIDTH);
  for (int i = 0; i < WIDTH; i++)
    bar[i] = i < full ? '#' : '.';
  bar[WIDTH] = '\0';
  fprintf (stderr, "\r\033[K%s [%s] %3.0f%% %s ETA %s", p->label, bar, 100 * frac,
           extra ? extra : "", eta);
  fflush (stderr);
}

gboolean
sw_sample_progress_step (int step, int steps, int first, int n, const float *x,
                         const float *estimate, gpointer user_data)
{
  SwSampleProgress *c = user_data;
  sw_progress_update (&c->progress, (double) first * steps + (double) n * (step + 1),
                      (double) c->total * steps, NULL);
  return TRUE;
}

gboolean
sw_cli_grid_progress (double done, double total, gpointer progress)
{
  sw_progress_update (progress, done, total, NULL);
  return TRUE;
}

void
sw_progress_end (SwProgress *p)
{
  if (p->tty)
    fprintf (stderr, "\r\033[K");
}
