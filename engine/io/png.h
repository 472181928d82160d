/* png.h: PNG files as Stepwise writes and reads them — 8-bit grey or
 * RGB pixels, text chunks holding a job's settings, and animated PNGs
 * (APNG) of a trajectory.
 *
 * cairo writes no text chunks and no animation, so the chunks are written
 * here with zlib (deflate and CRC-32); libpng is not needed.  Text that is
 * ASCII goes in tEXt chunks, other text in uncompressed iTXt (UTF-8).  The
 * reader accepts tEXt, zTXt and iTXt, checks every chunk's length and CRC
 * and trusts nothing else in the file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Model pixels to PNG pixels: IMAGE (C, H, W) floats in [-1, 1] (clamped;
 * NaN black) to rows of (H * SCALE) x (W * SCALE) bytes per channel,
 * interleaved, each model pixel a SCALE x SCALE square.  C is 1 or 3. */
guint8     *sw_png_pixels_from_image (const float *image, int channels, int height, int width,
                                      int scale);

/* A PNG of PIXELS (WIDTH x HEIGHT, CHANNELS 1 = grey or 3 = RGB, 8 bits,
 * rows top to bottom) with the key/value pairs of TEXT (may be NULL) as
 * text chunks in key order.  Keys are 1..79 printable ASCII characters. */
GBytes     *sw_png_encode            (const guint8 *pixels, int width, int height, int channels,
                                      GHashTable *text, GError **error);
/* IMAGE (C, H, W) in [-1, 1] written to PATH at its own size, with TEXT
 * (may be NULL) as text chunks: a PNG the window opens as a result when
 * TEXT holds a job's settings (diffusion/job-settings.h). */
gboolean    sw_png_write_image       (const char *path, const float *image, int channels, int height,
                                      int width, GHashTable *text, GError **error);
/* An animated PNG of N_FRAMES frames of the same size, each shown
 * DELAYS_MS[i] milliseconds, looping.  Viewers without APNG show the
 * first frame. */
GBytes     *sw_png_encode_animation  (const guint8 * const *frames, int n_frames,
                                      const guint *delays_ms, int width, int height,
                                      int channels, GHashTable *text, GError **error);

/* The text chunks of the PNG in DATA (key -> UTF-8 value; a repeated key
 * keeps its first value), and its size and channel count when WIDTH,
 * HEIGHT or CHANNELS are not NULL. */
GHashTable *sw_png_read_text         (const guint8 *data, gsize len, int *width, int *height,
                                      int *channels, GError **error);
/* The PNG in DATA with the pairs of TEXT added as text chunks after its
 * header, its other chunks as they were: settings for a PNG another
 * writer (cairo) made.  An error when DATA is not a sound PNG. */
GBytes     *sw_png_add_text          (const guint8 *data, gsize len, GHashTable *text, GError **error);
/* The number of frames an APNG announces in its acTL chunk, 1 for a still
 * PNG, -1 (and an error) when DATA is not a PNG. */
int         sw_png_count_frames      (const guint8 *data, gsize len, GError **error);

G_END_DECLS
