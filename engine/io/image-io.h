/* image-io.h: image and mask files in, model inputs out.
 *
 * Any size and any format stb_image reads (PNG, JPEG, BMP, GIF, TGA, PSD,
 * HDR, PIC, PNM) becomes a square tensor: the centre square of the image
 * (its short side) is resized to SIZE x SIZE, by area averaging when
 * shrinking and bilinear interpolation when enlarging.  Transparency is
 * flattened before resizing, onto white for images and onto black for
 * masks, so a transparent mask pixel means "keep".
 *
 * Files come from outside, so loading trusts nothing: files over
 * SW_IMAGE_MAX_BYTES and images over SW_IMAGE_MAX_SIDE pixels on a side are
 * refused before they are decoded, and an error names the file and says
 * what is accepted.  The engine uses no GTK: stb_image does the decoding,
 * except of binary PNM, which Stepwise reads itself, and JPEG files are
 * checked for the damage that stb_image 2.27 would not survive before it
 * sees them (image-io.c says which). */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "base/error.h"

G_BEGIN_DECLS

/* The largest image file read: far above any photograph, and small enough
 * that its length fits stb_image's int. */
#define SW_IMAGE_MAX_BYTES (256u << 20)

/* The longest side decoded; 16384 x 16384 RGBA is 1 GiB of pixels. */
#define SW_IMAGE_MAX_SIDE 16384

/* The accepted output sizes, SIZE x SIZE. */
#define SW_IMAGE_MIN_SIZE 4
#define SW_IMAGE_MAX_SIZE 1024

/* Reads the image file PATH as a newly allocated (CHANNELS, SIZE, SIZE)
 * planar float tensor in [-1, 1] (pixel / 255 * 2 - 1; free with g_free).
 * CHANNELS is 1 (grey: a colour image becomes its luminance
 * 0.299 R + 0.587 G + 0.114 B) or 3 (RGB: a grey image is replicated).
 * SIZE is SW_IMAGE_MIN_SIZE..SW_IMAGE_MAX_SIZE. */
float *sw_image_load   (const char    *path,
                        int            channels,
                        int            size,
                        GError       **error);

/* The same for the file contents DATA[0..LEN); NAME_FOR_ERRORS names them
 * in messages. */
float *sw_image_decode (const guint8  *data,
                        size_t         len,
                        int            channels,
                        int            size,
                        const char    *name_for_errors,
                        GError       **error);

/* Reads the inpainting mask PATH as a newly allocated (SIZE, SIZE) tensor
 * of exactly 0.0 (keep) and 1.0 (regenerate): cropped and resized like an
 * image, alpha flattened onto black, then grey, then 1 where the grey is at
 * least half.  *RESIZED (may be NULL) is set to whether the file was not
 * already SIZE x SIZE, so that a caller can warn. */
float *sw_mask_load    (const char    *path,
                        int            size,
                        gboolean      *resized,
                        GError       **error);

float *sw_mask_decode  (const guint8  *data,
                        size_t         len,
                        int            size,
                        const char    *name_for_errors,
                        gboolean      *resized,
                        GError       **error);

G_END_DECLS
