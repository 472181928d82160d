#include "models/checkpoint.h"
#include "models/checkpoint-tensors.h"

#include <string.h>

static char *
int_str (int v)
{
  return g_strdup_printf ("%d", v);
}

/* the UNet's tensors as the checkpoint readers see them */
static SwNetTensors
net_tensors (SwUnet *net)
{
  return (SwNetTensors) {
    .items = sw_unet_tensor (net, 0), .n = sw_unet_n_tensors (net),
    .params = sw_unet_params (net), .buffers = sw_unet_buffers (net),
    .n_params = sw_unet_num_params (net), .probe = "out_conv.weight",
  };
}

gboolean
sw_checkpoint_save (const char *path, SwUnet *net, const SwAdam *opt,
                    const char * const *extra_meta, SwDtype dtype, GError **error)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  g_autofree char *D = int_str (cfg->D), *ch = int_str (cfg->channels);
  g_autofree char *size = int_str (cfg->size), *cd = int_str (cfg->class_dim);
  g_autofree char *ed = int_str (cfg->embed_dim);
  const char *fixed[] = {
    "format", SW_CHECKPOINT_FORMAT, "format_version", SW_CHECKPOINT_VERSION,
    "variant", sw_unet_variant_name (cfg->variant), "time_mod", sw_time_mod_name (cfg->time_mod),
    "cond", sw_cond_points_name (cfg->cond),
    "D", D, "channels", ch, "size", size, "class_dim", cd,
    /* files without it have none */
    cfg->embed_dim > 0 ? "embed_dim" : NULL, ed, NULL,
  };
  SwNetTensors t = net_tensors (net);
  return sw_checkpoint_write (path, &t, opt, fixed, extra_meta, dtype, error);
}

SwUnet *
sw_checkpoint_load (const char *path, GHashTable **meta, SwAdam *opt,
                    gboolean *has_opt, GError **error)
{
  SwStFile *f = sw_safetensors_open (path, error);
  if (!f)
    return NULL;
  SwUnet *net = sw_checkpoint_load_file (f, path, meta, opt, has_opt, error);
  sw_safetensors_close (f);
  return net;
}

SwUnet *
sw_checkpoint_load_file (const SwStFile *f, const char *path, GHashTable **meta, SwAdam *opt,
                         gboolean *has_opt, GError **error)
{
  g_autoptr (GError) local = NULL;

  SwUnetConfig cfg = { 0 };
  const char *arch = sw_safetensors_meta (f, "arch");
  const char *format = sw_safetensors_meta (f, "format");
  const char *variant = sw_safetensors_meta (f, "variant");
  const char *time_mod = sw_safetensors_meta (f, "time_mod");
  /* files from before SW_COND_EVERY have no "cond": theirs is the course's */
  const char *cond = sw_safetensors_meta (f, "cond");
  SwUnet *net = NULL;
  g_autofree char *what = NULL;

  /* the residual attention UNet's files say so; the course's have no "arch" */
  if (arch && strcmp (arch, "unet") != 0)
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: a %smodel of architecture “%s” (metadata field “arch”); accepted: "
                 "the course UNet (no “arch”, or “unet”), which the Part B recipes train",
                 path, sw_safetensors_meta (f, "resunet.cond_channels")
                       ? "super-resolution (the cascade's stage II) " : "", arch);
  else if (g_strcmp0 (format, SW_CHECKPOINT_FORMAT) != 0)
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

  what = g_strdup_printf ("a %s UNet with D=%d", sw_unet_variant_name (cfg.variant), cfg.D);
  SwNetTensors t = net_tensors (net);
  if (!sw_checkpoint_read (f, path, &t, what, opt, has_opt, meta, &local))
    goto fail;
  return net;

fail:
  sw_unet_free (net);
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}
