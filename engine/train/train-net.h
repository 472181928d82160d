/* train-net.h: the net a trainer drives, either architecture.
 *
 * The trainer's loop (trainer.c) runs forward, backward, zero_grad and
 * the optimizer step over one parameter allocation and its gradients;
 * this is that surface for the course UNet (unet.h: BatchNorm, time in
 * [0, 1]) and the residual attention UNet (resunet.h: GroupNorm, the
 * timestep itself), so that one loop trains both. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "models/resunet.h"
#include "models/unet.h"
#include "nn/adam.h"
#include "io/safetensors.h"

G_BEGIN_DECLS

typedef struct {
  SwUnet    *unet;      /* one of the two is set */
  SwResunet *resunet;
} SwTrainNet;

/* a net of NET's architecture and config, its weights unset (its config
 * was valid, so this cannot fail) */
SwTrainNet   sw_train_net_new_like (const SwTrainNet *net);
/* the checkpoint at PATH in the architecture its "arch" names; META, OPT
 * and HAS_OPT as sw_checkpoint_load's */
gboolean     sw_train_net_load (const char *path, SwTrainNet *net, GHashTable **meta,
                                SwAdam *opt, gboolean *has_opt, GError **error);
void         sw_train_net_clear (SwTrainNet *net);

void         sw_train_net_forward (SwTrainNet *net, int N, const float *x, const float *t,
                                   const float *c, bool training, float *out);
/* with a super-resolution net's conditioning image and its noise levels
 * (sw_resunet_forward_cond); both NULL for any other net */
void         sw_train_net_forward_cond (SwTrainNet *net, int N, const float *x, const float *t,
                                        const float *c, const float *cond, const float *s,
                                        bool training, float *out);
void         sw_train_net_zero_grad (SwTrainNet *net);
void         sw_train_net_backward (SwTrainNet *net, const float *dout);
float       *sw_train_net_params (const SwTrainNet *net);
float       *sw_train_net_grads (const SwTrainNet *net);
size_t       sw_train_net_n_params (const SwTrainNet *net);
size_t       sw_train_net_n_tensors (const SwTrainNet *net);
const SwTensorInfo *sw_train_net_tensor (const SwTrainNet *net, size_t i);
/* the tensor holds a vector per class or prompt word (the word rate) */
gboolean     sw_train_net_holds_words (const SwTrainNet *net, const SwTensorInfo *info);
/* image channels, side and class vector width (0: no classes or words) */
void         sw_train_net_shape (const SwTrainNet *net, int *channels, int *size, int *cond_dim);
/* as sw_checkpoint_save and sw_resunet_save */
gboolean     sw_train_net_save (const SwTrainNet *net, const char *path, const SwAdam *opt,
                                const char * const *extra_meta, SwDtype dtype, GError **error);

G_END_DECLS
