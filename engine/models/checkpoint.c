#include "models/checkpoint.h"

#include <string.h>

static char *
int_str (int v)
{
  return g_strdup_printf ("%d", v);
}

gboolean
sw_checkpoint_save (const char *path, SwUnet *net, const SwAdam *opt,
                    const char * const *extra_meta, SwDtype dtype, GError **error)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  size_t nt = sw_unet_n_tensors (net);
  g_autofree SwStTensorIn *tensors = g_new0 (SwStTensorIn, nt * 4);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  size_t n = 0;

  for (size_t i = 0; i < nt; i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      SwStTensorIn *t = &tensors[n++];
      t->name = info->name;
      t->ndim = info->ndim;
      memcpy (t->shape, info->shape, sizeof info->shape);
      t->data = sw_unet_tensor_data (net, info);
    }
  if (opt)
    for (size_t i = 0; i < nt; i++)
      {
        const SwTensorInfo *info = sw_unet_tensor (net, i);
        if (info->is_buffer)
          continue;
        const char *kind[] = { "m", "v", "ema" };
        float *state[] = { opt->m, opt->v, opt->ema };
        for (int which = 0; which < (opt->ema ? 3 : 2); which++)
          {
            char *name = g_strdup_printf ("optim.%s.%s", kind[which], info->name);
            g_ptr_array_add (names, name);
            SwStTensorIn *t = &tensors[n++];
            t->name = name;
            t->ndim = info->ndim;
            memcpy (t->shape, info->shape, sizeof info->shape);
            t->data = state[which] + info->offset;
          }
      }

  g_autofree char *D = int_str (cfg->D), *ch = int_str (cfg->channels);
  g_autofree char *size = int_str (cfg->size), *cd = int_str (cfg->class_dim);
  g_autofree char *ed = int_str (cfg->embed_dim);
  g_autofree char *step = opt ? g_strdup_printf ("%ld", opt->step) : NULL;
  g_autofree char *lr = opt ? g_strdup_printf ("%.9g", opt->lr) : NULL;
  g_autofree char *decay = opt && opt->ema ? g_strdup_printf ("%.9g", opt->ema_decay) : NULL;
  g_autoptr (GPtrArray) meta = g_ptr_array_new ();
  const char *fixed[] = {
    "format", SW_CHECKPOINT_FORMAT, "format_version", SW_CHECKPOINT_VERSION,
    "variant", sw_unet_variant_name (cfg->variant), "time_mod", sw_time_mod_name (cfg->time_mod),
    "cond", sw_cond_points_name (cfg->cond),
    "D", D, "channels", ch, "size", size, "class_dim", cd,
  };
  for (size_t i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (meta, (gpointer) fixed[i]);
  if (cfg->embed_dim > 0)   /* files without it have none */
    {
      g_ptr_array_add (meta, (gpointer) "embed_dim");
      g_ptr_array_add (meta, ed);
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

SwUnet *
sw_checkpoint_load (const char *path, GHashTable **meta, SwAdam *opt,
                    gboolean *has_opt, GError **error)
{
  g_autoptr (GError) local = NULL;
  SwStFile *f = sw_safetensors_open (path, error);
  if (!f)
    return NULL;

  SwUnetConfig cfg = { 0 };
  const char *format = sw_safetensors_meta (f, "format");
  const char *variant = sw_safetensors_meta (f, "variant");
  const char *time_mod = sw_safetensors_meta (f, "time_mod");
  /* files from before SW_COND_EVERY have no "cond": theirs is the course's */
  const char *cond = sw_safetensors_meta (f, "cond");
  SwUnet *net = NULL;

  if (g_strcmp0 (format, SW_CHECKPOINT_FORMAT) != 0)
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: metadata field “format” is %s%s%s; accepted: “%s” (a Stepwise UNet)",
                 path, format ? "“" : "", format ? format : "missing", format ? "”" : "",
                 SW_CHECKPOINT_FORMAT);
  else if (!sw_unet_variant_from_name (variant, &cfg.variant))
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: metadata field “variant” is “%s”; accepted: uncond, time, class",
                 path, variant ? variant : "(missing)");
  else if (!sw_time_mod_from_name (time_mod, &cfg.time_mod))
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: metadata field “time_mod” is “%s”; accepted: mul, add",
                 path, time_mod ? time_mod : "(missing)");
  else if (!sw_cond_points_from_name (cond ? cond : "course", &cfg.cond))
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: metadata field “cond” is “%s”; accepted: course, every, film", path, cond);
  if (local
      || !sw_safetensors_meta_int (f, "D", 1, 1024, &cfg.D, &local)
      || !sw_safetensors_meta_int (f, "channels", 1, 3, &cfg.channels, &local)
      || !sw_safetensors_meta_int (f, "size", 8, 128, &cfg.size, &local)
      || !sw_safetensors_meta_int (f, "class_dim", 0, 65536, &cfg.class_dim, &local)
      || (sw_safetensors_meta (f, "embed_dim")
          && !sw_safetensors_meta_int (f, "embed_dim", 1, 4096, &cfg.embed_dim, &local))
      || !(net = sw_unet_new (&cfg, &local)))
    {
      if (local && !g_str_has_prefix (local->message, "“"))
        g_prefix_error (&local, "“%s”: ", path);
      goto fail;
    }

  for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      if (!read_tensor (f, path, info->name, info, sw_unet_tensor_data (net, info), &local))
        goto fail;
    }
  /* anything else must be optimizer state: a stray tensor means the file
   * describes a different network than its metadata says */
  for (size_t i = 0; i < sw_safetensors_n_tensors (f); i++)
    {
      const char *name = sw_safetensors_entry (f, i)->name;
      if (!sw_unet_find_tensor (net, name) && !g_str_has_prefix (name, "optim."))
        {
          g_set_error (&local, SW_ERROR, SW_ERROR_SHAPE,
                       "“%s”: tensor “%s” does not belong to a %s UNet with D=%d",
                       path, name, sw_unet_variant_name (cfg.variant), cfg.D);
          goto fail;
        }
    }

  gboolean with_opt = sw_safetensors_find (f, "optim.m.out_conv.weight") != NULL;
  if (has_opt)
    *has_opt = with_opt && opt;
  if (opt && with_opt)
    {
      int step;
      sw_adam_init (opt, sw_unet_num_params (net), 0.0f);
      const char *lr = sw_safetensors_meta (f, "optim.lr");
      if (!sw_safetensors_meta_int (f, "optim.step", 0, G_MAXINT, &step, &local))
        goto fail;
      opt->step = step;
      opt->lr = lr ? (float) g_ascii_strtod (lr, NULL) : 0.0f;
      if (sw_safetensors_find (f, "optim.ema.out_conv.weight"))
        {
          const char *decay = sw_safetensors_meta (f, "optim.ema_decay");
          double d = decay ? g_ascii_strtod (decay, NULL) : -1.0;
          if (!(d >= 0.0 && d < 1.0))
            {
              g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                           "“%s”: metadata field “optim.ema_decay” is “%s”; accepted: "
                           "a number from 0 to less than 1", path, decay ? decay : "(missing)");
              sw_adam_clear (opt);
              goto fail;
            }
          sw_adam_enable_ema (opt, (float) d, sw_unet_params (net));
        }
      for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
        {
          const SwTensorInfo *info = sw_unet_tensor (net, i);
          if (info->is_buffer)
            continue;
          g_autofree char *m = g_strdup_printf ("optim.m.%s", info->name);
          g_autofree char *v = g_strdup_printf ("optim.v.%s", info->name);
          g_autofree char *e = g_strdup_printf ("optim.ema.%s", info->name);
          if (!read_tensor (f, path, m, info, opt->m + info->offset, &local)
              || !read_tensor (f, path, v, info, opt->v + info->offset, &local)
              || (opt->ema && !read_tensor (f, path, e, info, opt->ema + info->offset, &local)))
            {
              sw_adam_clear (opt);
              goto fail;
            }
        }
    }

  if (meta)
    {
      *meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_auto (GStrv) keys = sw_safetensors_meta_keys (f);
      for (char **k = keys; k && *k; k++)
        g_hash_table_insert (*meta, g_strdup (*k), g_strdup (sw_safetensors_meta (f, *k)));
    }
  sw_safetensors_close (f);
  return net;

fail:
  sw_unet_free (net);
  sw_safetensors_close (f);
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}
