/* checkpoint-tensors.h: a net's named tensors, with its optimizer's state
 * beside them, in and out of a model file: what the course UNet's
 * checkpoints (checkpoint.h) and the residual attention UNet's
 * (resunet-file.h) share.
 *
 * The optimizer's moments are "optim.m.<name>" and "optim.v.<name>", the
 * weights' moving average "optim.ema.<name>", with "optim.step",
 * "optim.lr" and "optim.ema_decay" in the metadata; they are always F32. */
#pragma once

#include <glib.h>

#include "io/safetensors.h"
#include "nn/adam.h"
#include "nn/tensor-table.h"

G_BEGIN_DECLS

typedef struct {
  const SwTensorInfo *items;   /* n of them, in a table's order */
  size_t n;
  float *params, *buffers;     /* what the items' offsets index */
  size_t n_params;             /* trainable floats: the optimizer's size */
  const char *probe;           /* a parameter whose "optim.m." copy says the file has optimizer state */
} SwNetTensors;

/* Writes T's tensors (and OPT's state, may be NULL) to PATH atomically,
 * with the metadata NET_META then OPT's then EXTRA_META (NULL-terminated
 * key, value lists, may be NULL). */
gboolean sw_checkpoint_write (const char *path, const SwNetTensors *t, const SwAdam *opt,
                              const char * const *net_meta, const char * const *extra_meta,
                              SwDtype dtype, GError **error);

/* Reads every tensor of T from F (read from PATH); a tensor F holds that
 * is neither T's nor optimizer state is refused, WHAT naming the net the
 * metadata describes.  With OPT, fills it when F has optimizer state
 * (*has_opt, optional, tells); with META, every metadata entry. */
gboolean sw_checkpoint_read (const SwStFile *f, const char *path, const SwNetTensors *t,
                             const char *what, SwAdam *opt, gboolean *has_opt,
                             GHashTable **meta, GError **error);

G_END_DECLS
