/* A net's tensors and its optimizer's state to and from safetensors. */
#include "models/checkpoint-tensors.h"

#include <string.h>

gboolean
sw_checkpoint_write (const char *path, const SwNetTensors *t, const SwAdam *opt,
                     const char * const *net_meta, const char * const *extra_meta,
                     SwDtype dtype, GError **error)
{
  g_autofree SwStTensorIn *tensors = g_new0 (SwStTensorIn, t->n * 4);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  size_t n = 0;

  for (size_t i = 0; i < t->n; i++)
    {
      const SwTensorInfo *info = &t->items[i];
      SwStTensorIn *st = &tensors[n++];
      st->name = info->name;
      st->ndim = info->ndim;
      memcpy (st->shape, info->shape, sizeof info->shape);
      st->data = (info->is_buffer ? t->buffers : t->params) + info->offset;
    }
  if (opt)
    for (size_t i = 0; i < t->n; i++)
      {
        const SwTensorInfo *info = &t->items[i];
        if (info->is_buffer)
          continue;
        const char *kind[] = { "m", "v", "ema" };
        float *state[] = { opt->m, opt->v, opt->ema };
        for (int which = 0; which < (opt->ema ? 3 : 2); which++)
          {
            char *name = g_strdup_printf ("optim.%s.%s", kind[which], info->name);
            g_ptr_array_add (names, name);
            SwStTensorIn *st = &tensors[n++];
            st->name = name;
            st->ndim = info->ndim;
            memcpy (st->shape, info->shape, sizeof info->shape);
            st->data = state[which] + info->offset;
          }
      }

  g_autofree char *step = opt ? g_strdup_printf ("%ld", opt->step) : NULL;
  g_autofree char *lr = opt ? g_strdup_printf ("%.9g", opt->lr) : NULL;
  g_autofree char *decay = opt && opt->ema ? g_strdup_printf ("%.9g", opt->ema_decay) : NULL;
  g_autoptr (GPtrArray) meta = g_ptr_array_new ();
  for (const char * const *kv = net_meta; kv && kv[0] && kv[1]; kv += 2)
    {
      g_ptr_array_add (meta, (gpointer) kv[0]);
      g_ptr_array_add (meta, (gpointer) kv[1]);
    }
  if (opt)
    {
      const char *o[] = { "optim.step", step, "optim.lr", lr, "optim.ema_decay", decay };
      for (size_t i = 0; i < G_N_ELEMENTS (o) - (decay ? 0 : 2); i++)
        g_ptr_array_add (meta, (gpointer) o[i]);
    }
  for (const char * const *kv = extra_meta; kv && kv[0] && kv[1]; kv += 2)
    {
      g_ptr_array_add (meta, (gpointer) kv[0]);
      g_ptr_array_add (meta, (gpointer) kv[1]);
    }
  g_ptr_array_add (meta, NULL);

  /* optimizer moments stay F32 whatever the weights use: resuming from
   * rounded moments would not continue the same run */
  if (opt && dtype != SW_DTYPE_F32)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a checkpoint with optimizer state must be saved as F32");
      return FALSE;
    }
  return sw_safetensors_save (path, tensors, n, (const char * const *) meta->pdata, dtype, error);
}

/* finite, and a variance (BatchNorm's running one, Adam's second
 * moment) never negative: a damaged file is refused here, not found out
 * as black images or as a "diverged" run */
static gboolean
read_tensor (const SwStFile *f, const char *path, const char *name, const SwTensorInfo *info,
             float *dst, GError **error)
{
  if (!sw_safetensors_read_finite (f, name, info->ndim, info->shape, dst, error))
    return FALSE;
  if (g_str_has_suffix (name, ".running_var") || g_str_has_prefix (name, "optim.v."))
    for (size_t i = 0; i < info->numel; i++)
      if (dst[i] < 0.0f)
        return sw_file_error (error, SW_ERROR_FORMAT, path,
                              "tensor “%s” holds the variance %g at index %zu; accepted: 0 or "
                              "more (the file is damaged)", name, dst[i], i);
  return TRUE;
}

static gboolean
read_opt (const SwStFile *f, const char *path, const SwNetTensors *t, SwAdam *opt,
          GError **error)
{
  int step;
  sw_adam_init (opt, t->n_params, 0.0f);
  const char *lr = sw_safetensors_meta (f, "optim.lr");
  if (!sw_safetensors_meta_int (f, "optim.step", 0, G_MAXINT, &step, error))
    return FALSE;
  opt->step = step;
  opt->lr = lr ? (float) g_ascii_strtod (lr, NULL) : 0.0f;
  g_autofree char *ema_probe = g_strconcat ("optim.ema.", t->probe, NULL);
  if (sw_safetensors_find (f, ema_probe))
    {
      const char *decay = sw_safetensors_meta (f, "optim.ema_decay");
      double d = decay ? g_ascii_strtod (decay, NULL) : -1.0;
      if (!(d >= 0.0 && d < 1.0))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                       "“%s”: metadata field “optim.ema_decay” is “%s”; accepted: "
                       "a number from 0 to less than 1", path, decay ? decay : "(missing)");
          sw_adam_clear (opt);
          return FALSE;
        }
      sw_adam_enable_ema (opt, (float) d, t->params);
    }
  for (size_t i = 0; i < t->n; i++)
    {
      const SwTensorInfo *info = &t->items[i];
      if (info->is_buffer)
        continue;
      g_autofree char *m = g_strdup_printf ("optim.m.%s", info->name);
      g_autofree char *v = g_strdup_printf ("optim.v.%s", info->name);
      g_autofree char *e = g_strdup_printf ("optim.ema.%s", info->name);
      if (!read_tensor (f, path, m, info, opt->m + info->offset, error)
          || !read_tensor (f, path, v, info, opt->v + info->offset, error)
          || (opt->ema && !read_tensor (f, path, e, info, opt->ema + info->offset, error)))
        {
          sw_adam_clear (opt);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sw_checkpoint_read (const SwStFile *f, const char *path, const SwNetTensors *t,
                    const char *what, SwAdam *opt, gboolean *has_opt,
                    GHashTable **meta, GError **error)
{
  for (size_t i = 0; i < t->n; i++)
    {
      const SwTensorInfo *info = &t->items[i];
      float *dst = (info->is_buffer ? t->buffers : t->params) + info->offset;
      if (!read_tensor (f, path, info->name, info, dst, error))
        return FALSE;
    }
  /* anything else must be optimizer state: a stray tensor means the file
   * describes a different network than its metadata says */
  for (size_t i = 0; i < sw_safetensors_n_tensors (f); i++)
    {
      const char *name = sw_safetensors_entry (f, i)->name;
      gboolean known = FALSE;
      for (size_t j = 0; j < t->n && !known; j++)
        known = strcmp (t->items[j].name, name) == 0;
      if (!known && !g_str_has_prefix (name, "optim."))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_SHAPE,
                       "“%s”: tensor “%s” does not belong to %s", path, name, what);
          return FALSE;
        }
    }

  g_autofree char *probe = g_strconcat ("optim.m.", t->probe, NULL);
  gboolean with_opt = sw_safetensors_find (f, probe) != NULL;
  if (has_opt)
    *has_opt = with_opt && opt;
  if (opt && with_opt && !read_opt (f, path, t, opt, error))
    return FALSE;

  if (meta)
    {
      *meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_auto (GStrv) keys = sw_safetensors_meta_keys (f);
      for (char **k = keys; k && *k; k++)
        g_hash_table_insert (*meta, g_strdup (*k), g_strdup (sw_safetensors_meta (f, *k)));
    }
  return TRUE;
}
