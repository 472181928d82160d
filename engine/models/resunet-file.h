/* resunet-file.h: the residual attention UNet as a model file (and
 * checkpoint, with its optimizer's state: checkpoint-tensors.h), its
 * config in the metadata as "resunet.<field>" strings:
 *
 *   resunet.channels, size, width, blocks, heads, groups, time_dim, vocab,
 *   embed_dim, max_words   integers
 *   resunet.mult           the levels' multipliers, "1,2,2"
 *   resunet.attn           the levels with attention, "1,2" ("" for none)
 *   resunet.dropout        a number
 *   resunet.pool, cross    0 or 1
 *   resunet.cond_channels  an integer, resunet.aug 0 or 1: a super-resolution
 *                          net's conditioning image and noise level, written
 *                          only when set (absent: 0)
 *
 * beside "format": "stepwise-unet" and "arch": "resunet" (SW_RESUNET_ARCH),
 * which a course UNet's file lacks. */
#pragma once

#include <glib.h>

#include "io/safetensors.h"
#include "nn/adam.h"
#include "models/resunet.h"

G_BEGIN_DECLS

#define SW_RESUNET_ARCH "resunet"

/* appends the key, value pairs to META (strings owned by META's free
 * function, g_free) */
void     sw_resunet_config_to_meta (const SwResunetConfig *cfg, GPtrArray *meta);
/* the config FILE's (read from PATH) metadata describes, checked; an
 * error names the file, the field and what is accepted */
gboolean sw_resunet_config_from_file (const SwStFile *file, const char *path,
                                      SwResunetConfig *cfg, GError **error);

/* Writes NET (and OPT's state, may be NULL: then F32 only) to PATH
 * atomically, then EXTRA_META (NULL-terminated key, value list, may be
 * NULL: the model config, the prompt table, the training record). */
gboolean   sw_resunet_save (const char *path, SwResunet *net, const SwAdam *opt,
                            const char * const *extra_meta, SwDtype dtype, GError **error);
/* Builds the net FILE (read from PATH) describes and fills it; META,
 * OPT and HAS_OPT as sw_checkpoint_load's. */
SwResunet *sw_resunet_load_file (const SwStFile *file, const char *path, GHashTable **meta,
                                 SwAdam *opt, gboolean *has_opt, GError **error);
SwResunet *sw_resunet_load (const char *path, GHashTable **meta, SwAdam *opt,
                            gboolean *has_opt, GError **error);

G_END_DECLS
