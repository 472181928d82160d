/* checkpoint.h: a UNet (and optionally its Adam state) as a safetensors file.
 *
 * Tensors use the net's state_dict names; the optimizer's moments, when
 * saved, are "optim.m.<name>" and "optim.v.<name>", and the weights' moving
 * average, when on, "optim.ema.<name>" (its decay in "optim.ema_decay").  __metadata__ records
 * the architecture (format, variant, time_mod, cond, D, channels, size,
 * class_dim, embed_dim; a file without "cond" has the course's two
 * conditioning points, one without "embed_dim" no word embedding)
 * and whatever training record the caller adds (recipe, epoch, loss, ...).
 * A file whose "arch" names another architecture (resunet-file.h) is
 * refused with a message that names it; the course UNet's files have no
 * "arch". */
#pragma once

#include <glib.h>

#include "nn/adam.h"
#include "io/safetensors.h"
#include "models/unet.h"

G_BEGIN_DECLS

#define SW_CHECKPOINT_FORMAT "stepwise-unet"
#define SW_CHECKPOINT_VERSION "1"

/* EXTRA_META: NULL-terminated key, value list, may be NULL.  OPT may be
 * NULL.  Written atomically. */
gboolean sw_checkpoint_save (const char          *path,
                             SwUnet              *net,
                             const SwAdam        *opt,
                             const char * const  *extra_meta,
                             SwDtype              dtype,
                             GError             **error);

/* Builds the net the file describes and fills it.  META (optional) receives
 * every metadata entry (free with g_hash_table_unref).  OPT (optional)
 * receives the optimizer state when the file has it (*has_opt tells). */
SwUnet  *sw_checkpoint_load (const char   *path,
                             GHashTable  **meta,
                             SwAdam       *opt,
                             gboolean     *has_opt,
                             GError      **error);
/* the same from FILE, open already (read from PATH) */
SwUnet  *sw_checkpoint_load_file (const SwStFile *file,
                                  const char     *path,
                                  GHashTable    **meta,
                                  SwAdam         *opt,
                                  gboolean       *has_opt,
                                  GError        **error);

G_END_DECLS
