/* The resunet config to and from a model file's metadata strings. */
#include "models/resunet-file.h"
#include "models/checkpoint.h"
#include "models/checkpoint-tensors.h"

#include <stdlib.h>
#include <string.h>

static const struct {
  const char *key;
  size_t offset;
  int lo, hi;   /* what a file may hold; the config's own check is stricter */
} int_fields[] = {
  { "resunet.channels", G_STRUCT_OFFSET (SwResunetConfig, channels), 1, 3 },
  { "resunet.size", G_STRUCT_OFFSET (SwResunetConfig, size), 8, 128 },
  { "resunet.width", G_STRUCT_OFFSET (SwResunetConfig, width), 2, 512 },
  { "resunet.blocks", G_STRUCT_OFFSET (SwResunetConfig, blocks), 1, 4 },
  { "resunet.heads", G_STRUCT_OFFSET (SwResunetConfig, heads), 1, 64 },
  { "resunet.groups", G_STRUCT_OFFSET (SwResunetConfig, groups), 1, 4096 },
  { "resunet.time_dim", G_STRUCT_OFFSET (SwResunetConfig, time_dim), 1, 4096 },
  { "resunet.vocab", G_STRUCT_OFFSET (SwResunetConfig, vocab), 0, 65536 },
  { "resunet.embed_dim", G_STRUCT_OFFSET (SwResunetConfig, embed_dim), 0, 1024 },
  { "resunet.max_words", G_STRUCT_OFFSET (SwResunetConfig, max_words), 0, 64 },
};

static void
put (GPtrArray *meta, const char *key, char *value)
{
  g_ptr_array_add (meta, g_strdup (key));
  g_ptr_array_add (meta, value);
}

void
sw_resunet_config_to_meta (const SwResunetConfig *cfg, GPtrArray *meta)
{
  for (size_t i = 0; i < G_N_ELEMENTS (int_fields); i++)
    put (meta, int_fields[i].key,
         g_strdup_printf ("%d", G_STRUCT_MEMBER (int, cfg, int_fields[i].offset)));
  GString *mult = g_string_new (NULL), *attn = g_string_new (NULL);
  for (int l = 0; l < cfg->levels; l++)
    {
      g_string_append_printf (mult, "%s%d", l ? "," : "", cfg->mult[l]);
      if (cfg->attn >> l & 1)
        g_string_append_printf (attn, "%s%d", attn->len ? "," : "", l);
    }
  put (meta, "resunet.mult", g_string_free (mult, FALSE));
  put (meta, "resunet.attn", g_string_free (attn, FALSE));
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  put (meta, "resunet.dropout", g_strdup (g_ascii_dtostr (num, sizeof num, cfg->dropout)));
  put (meta, "resunet.pool", g_strdup (cfg->pool ? "1" : "0"));
  put (meta, "resunet.cross", g_strdup (cfg->cross ? "1" : "0"));
  /* a super-resolution net's only: every other file keeps its bytes */
  if (cfg->cond_channels > 0)
    put (meta, "resunet.cond_channels", g_strdup_printf ("%d", cfg->cond_channels));
  if (cfg->aug)
    put (meta, "resunet.aug", g_strdup ("1"));
}

/* KEY's comma-separated integers in [LO, HI] into OUT (at most MAX);
 * returns how many, or -1 with an error */
static int
int_list (const SwStFile *file, const char *key, int lo, int hi, int *out, int max,
          GError **error)
{
  const char *s = sw_safetensors_meta (file, key);
  if (!s)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "metadata field “%s” is missing", key);
      return -1;
    }
  if (!*s)
    return 0;
  g_auto (GStrv) parts = g_strsplit (s, ",", -1);
  int n = 0;
  for (; parts[n]; n++)
    {
      gint64 v;
      if (n == max || !g_ascii_string_to_signed (parts[n], 10, lo, hi, &v, NULL))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                       "metadata field “%s” is “%s”; accepted: up to %d comma-separated "
                       "integers from %d to %d", key, s, max, lo, hi);
          return -1;
        }
      out[n] = (int) v;
    }
  return n;
}

static gboolean
flag (const SwStFile *file, const char *key, bool *out, GError **error)
{
  int v;
  if (!sw_safetensors_meta_int (file, key, 0, 1, &v, error))
    return FALSE;
  *out = v;
  return TRUE;
}

/* the fields only a super-resolution net's file holds (absent: 0) */
static gboolean
optional_fields (const SwStFile *file, SwResunetConfig *cfg, GError **error)
{
  return (!sw_safetensors_meta (file, "resunet.cond_channels")
          || sw_safetensors_meta_int (file, "resunet.cond_channels", 0, 8, &cfg->cond_channels, error))
         && (!sw_safetensors_meta (file, "resunet.aug") || flag (file, "resunet.aug", &cfg->aug, error));
}

gboolean
sw_resunet_config_from_file (const SwStFile *file, const char *path, SwResunetConfig *cfg,
                             GError **error)
{
  g_autoptr (GError) local = NULL;
  *cfg = (SwResunetConfig) { 0 };
  for (size_t i = 0; i < G_N_ELEMENTS (int_fields); i++)
    if (!sw_safetensors_meta_int (file, int_fields[i].key, int_fields[i].lo, int_fields[i].hi,
                                  &G_STRUCT_MEMBER (int, cfg, int_fields[i].offset), error))
      return FALSE;   /* the message names the file */
  int levels[SW_RESUNET_MAX_LEVELS];
  cfg->levels = int_list (file, "resunet.mult", 1, 8, cfg->mult, SW_RESUNET_MAX_LEVELS, &local);
  int n_attn = cfg->levels < 0 ? -1
    : int_list (file, "resunet.attn", 0, SW_RESUNET_MAX_LEVELS - 1, levels,
                SW_RESUNET_MAX_LEVELS, &local);
  for (int i = 0; i < n_attn; i++)
    cfg->attn |= 1u << levels[i];
  const char *drop = sw_safetensors_meta (file, "resunet.dropout");
  char *end = NULL;
  cfg->dropout = drop ? (float) g_ascii_strtod (drop, &end) : -1.0f;
  if (!local && (!drop || end == drop || *end))
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "metadata field “resunet.dropout” is “%s”; accepted: a number from 0 to below 1",
                 drop ? drop : "(missing)");
  if (local
      || !flag (file, "resunet.pool", &cfg->pool, &local)
      || !flag (file, "resunet.cross", &cfg->cross, &local)
      || !optional_fields (file, cfg, &local)
      || !sw_resunet_config_validate (cfg, &local))
    {
      if (!g_str_has_prefix (local->message, "“"))
        g_prefix_error (&local, "“%s”: ", path);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static SwNetTensors
net_tensors (SwResunet *net)
{
  return (SwNetTensors) {
    .items = sw_resunet_tensor (net, 0), .n = sw_resunet_n_tensors (net),
    .params = sw_resunet_params (net), .n_params = sw_resunet_num_params (net),
    .probe = "out.2.weight",
  };
}

gboolean
sw_resunet_save (const char *path, SwResunet *net, const SwAdam *opt,
                 const char * const *extra_meta, SwDtype dtype, GError **error)
{
  g_autoptr (GPtrArray) meta = g_ptr_array_new ();
  const char *fixed[] = { "format", SW_CHECKPOINT_FORMAT, "format_version", SW_CHECKPOINT_VERSION,
                          "arch", SW_RESUNET_ARCH };
  for (size_t i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (meta, (gpointer) fixed[i]);
  g_autoptr (GPtrArray) config = g_ptr_array_new_with_free_func (g_free);
  sw_resunet_config_to_meta (sw_resunet_config (net), config);
  for (guint i = 0; i < config->len; i++)
    g_ptr_array_add (meta, config->pdata[i]);
  g_ptr_array_add (meta, NULL);
  SwNetTensors t = net_tensors (net);
  return sw_checkpoint_write (path, &t, opt, (const char * const *) meta->pdata, extra_meta,
                              dtype, error);
}

SwResunet *
sw_resunet_load_file (const SwStFile *file, const char *path, GHashTable **meta, SwAdam *opt,
                      gboolean *has_opt, GError **error)
{
  const char *format = sw_safetensors_meta (file, "format");
  const char *arch = sw_safetensors_meta (file, "arch");
  if (g_strcmp0 (format, SW_CHECKPOINT_FORMAT) != 0 || g_strcmp0 (arch, SW_RESUNET_ARCH) != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "“%s”: metadata fields “format” and “arch” are “%s” and “%s”; accepted: "
                   "“%s” and “%s” (a residual attention UNet)", path,
                   format ? format : "(missing)", arch ? arch : "(missing)",
                   SW_CHECKPOINT_FORMAT, SW_RESUNET_ARCH);
      return NULL;
    }
  SwResunetConfig cfg;
  SwResunet *net;
  if (!sw_resunet_config_from_file (file, path, &cfg, error)
      || !(net = sw_resunet_new (&cfg, error)))
    return NULL;
  SwNetTensors t = net_tensors (net);
  if (!sw_checkpoint_read (file, path, &t, "this residual attention UNet", opt, has_opt, meta,
                           error))
    {
      sw_resunet_free (net);
      return NULL;
    }
  return net;
}

SwResunet *
sw_resunet_load (const char *path, GHashTable **meta, SwAdam *opt, gboolean *has_opt,
                 GError **error)
{
  SwStFile *f = sw_safetensors_open (path, error);
  if (!f)
    return NULL;
  SwResunet *net = sw_resunet_load_file (f, path, meta, opt, has_opt, error);
  sw_safetensors_close (f);
  return net;
}
