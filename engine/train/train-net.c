#include "train/train-net.h"

#include "models/checkpoint.h"
#include "models/resunet-file.h"

SwTrainNet
sw_train_net_new_like (const SwTrainNet *net)
{
  if (net->resunet)
    return (SwTrainNet) { .resunet = sw_resunet_new (sw_resunet_config (net->resunet), NULL) };
  return (SwTrainNet) { .unet = sw_unet_new (sw_unet_config (net->unet), NULL) };
}

gboolean
sw_train_net_load (const char *path, SwTrainNet *net, GHashTable **meta, SwAdam *opt,
                   gboolean *has_opt, GError **error)
{
  *net = (SwTrainNet) { 0 };
  SwStFile *f = sw_safetensors_open (path, error);
  if (!f)
    return FALSE;
  if (g_strcmp0 (sw_safetensors_meta (f, "arch"), SW_RESUNET_ARCH) == 0)
    net->resunet = sw_resunet_load_file (f, path, meta, opt, has_opt, error);
  else
    net->unet = sw_checkpoint_load_file (f, path, meta, opt, has_opt, error);
  sw_safetensors_close (f);
  return net->unet || net->resunet;
}

void
sw_train_net_clear (SwTrainNet *net)
{
  g_clear_pointer (&net->unet, sw_unet_free);
  g_clear_pointer (&net->resunet, sw_resunet_free);
}

void
sw_train_net_forward (SwTrainNet *net, int N, const float *x, const float *t, const float *c,
                      bool training, float *out)
{
  sw_train_net_forward_cond (net, N, x, t, c, NULL, NULL, training, out);
}

void
sw_train_net_forward_cond (SwTrainNet *net, int N, const float *x, const float *t,
                           const float *c, const float *cond, const float *s, bool training,
                           float *out)
{
  if (net->resunet)
    sw_resunet_forward_cond (net->resunet, N, x, t, c, cond, s, training, out);
  else
    sw_unet_forward (net->unet, N, x, t, c, training, out);
}

void
sw_train_net_zero_grad (SwTrainNet *net)
{
  if (net->resunet)
    sw_resunet_zero_grad (net->resunet);
  else
    sw_unet_zero_grad (net->unet);
}

void
sw_train_net_backward (SwTrainNet *net, const float *dout)
{
  if (net->resunet)
    sw_resunet_backward (net->resunet, dout);
  else
    sw_unet_backward (net->unet, dout);
}

float *
sw_train_net_params (const SwTrainNet *net)
{
  return net->resunet ? sw_resunet_params (net->resunet) : sw_unet_params (net->unet);
}

float *
sw_train_net_grads (const SwTrainNet *net)
{
  return net->resunet ? sw_resunet_grads (net->resunet) : sw_unet_grads (net->unet);
}

size_t
sw_train_net_n_params (const SwTrainNet *net)
{
  return net->resunet ? sw_resunet_num_params (net->resunet) : sw_unet_num_params (net->unet);
}

size_t
sw_train_net_n_tensors (const SwTrainNet *net)
{
  return net->resunet ? sw_resunet_n_tensors (net->resunet) : sw_unet_n_tensors (net->unet);
}

const SwTensorInfo *
sw_train_net_tensor (const SwTrainNet *net, size_t i)
{
  return net->resunet ? sw_resunet_tensor (net->resunet, i) : sw_unet_tensor (net->unet, i);
}

gboolean
sw_train_net_holds_words (const SwTrainNet *net, const SwTensorInfo *info)
{
  if (net->resunet)
    return info == sw_resunet_find_tensor (net->resunet, "embed.weight");
  return sw_unet_tensor_holds_words (net->unet, info);
}

void
sw_train_net_shape (const SwTrainNet *net, int *channels, int *size, int *cond_dim)
{
  if (net->resunet)
    {
      const SwResunetConfig *cfg = sw_resunet_config (net->resunet);
      *channels = cfg->channels;
      *size = cfg->size;
      *cond_dim = cfg->vocab;
      return;
    }
  const SwUnetConfig *cfg = sw_unet_config (net->unet);
  *channels = cfg->channels;
  *size = cfg->size;
  *cond_dim = cfg->variant == SW_UNET_CLASS ? cfg->class_dim : 0;
}

gboolean
sw_train_net_save (const SwTrainNet *net, const char *path, const SwAdam *opt,
                   const char * const *extra_meta, SwDtype dtype, GError **error)
{
  if (net->resunet)
    return sw_resunet_save (path, net->resunet, opt, extra_meta, dtype, error);
  return sw_checkpoint_save (path, net->unet, opt, extra_meta, dtype, error);
}
