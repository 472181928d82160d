/* idx.h: read and write IDX files, the format of MNIST and Fashion-MNIST.
 *
 * Layout (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
 * 00 00 TYPE NDIM, then NDIM big-endian uint32 dimension sizes, then the
 * elements in row-major order.  Stepwise accepts only TYPE 0x08 (unsigned
 * byte) with 1 dimension (labels: 00 00 08 01), 3 (grey images, count x
 * rows x columns: 00 00 08 03) or 4 (colour images, count x channels x
 * rows x columns: 00 00 08 04), plain or gzip-compressed (as Debian ships
 * Fashion-MNIST).
 *
 * Files come from outside, so loading trusts nothing: the magic number,
 * every dimension and the exact size are checked, gzip output is capped at
 * SW_IDX_MAX_BYTES, and an error names the file and says what is wrong. */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

/* The most bytes an IDX file may hold, header included, after
 * decompression: Fashion-MNIST's 60,000 training images are 47 MB. */
#define SW_IDX_MAX_BYTES (64u << 20)

/* The most dimensions an accepted IDX file has. */
#define SW_IDX_MAX_DIMS 4

/* Reads PATH (plain, or gzip when it starts 1f 8b).  On success *NDIM is 1,
 * 3 or 4, DIMS[0..*NDIM) are the dimension sizes (each at least 1), and *DATA
 * holds their product in bytes (free with g_free). */
gboolean sw_idx_load (const char  *path,
                      int         *ndim,
                      int          dims[SW_IDX_MAX_DIMS],
                      guint8     **data,
                      GError     **error);

/* Writes an uncompressed IDX file of unsigned bytes atomically (a temporary
 * file beside PATH, then rename).  NDIM is 1, 3 or 4. */
gboolean sw_idx_save (const char    *path,
                      int            ndim,
                      const int     *dims,
                      const guint8  *data,
                      GError       **error);

G_END_DECLS
