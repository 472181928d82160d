/* resunet-file.h: the residual attention UNet's config in a model file's
 * metadata, as "resunet.<field>" strings:
 *
 *   resunet.channels, size, width, blocks, heads, groups, time_dim, vocab,
 *   embed_dim, max_words   integers
 *   resunet.mult           the levels' multipliers, "1,2,2"
 *   resunet.attn           the levels with attention, "1,2" ("" for none)
 *   resunet.dropout        a number
 *   resunet.pool, cross    0 or 1
 *
 * beside "arch": "resunet" (SW_RESUNET_ARCH), which a course UNet's file
 * lacks. */
#pragma once

#include <glib.h>

#include "io/safetensors.h"
#include "models/resunet.h"

G_BEGIN_DECLS

#define SW_RESUNET_ARCH "resunet"

/* appends the key, value pairs to META (values owned by META's free
 * function, g_free; keys static) */
void     sw_resunet_config_to_meta (const SwResunetConfig *cfg, GPtrArray *meta);
/* the config FILE's (read from PATH) metadata describes, checked; an
 * error names the file, the field and what is accepted */
gboolean sw_resunet_config_from_file (const SwStFile *file, const char *path,
                                      SwResunetConfig *cfg, GError **error);

G_END_DECLS
