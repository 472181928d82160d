/* png.c: PNG chunks by hand (PNG spec 1.2 and the APNG
 * extension): signature, IHDR, [acTL], text, [fcTL] IDAT, [fcTL fdAT]...,
 * IEND.  Every scanline uses filter 0 (none): the images are small and
 * flat, and zlib does the rest. */
#include "io/png.h"

#include "base/error.h"
#include "io/output-file.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

static const guint8 png_signature[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };

/* text chunks and compressed text larger than this are refused */
#define MAX_TEXT_BYTES (1u << 20)

guint8 *
sw_png_pixels_from_image (const float *image, int C, int H, int W, int scale)
{
  const int w = W * scale, h = H * scale;
  guint8 *out = g_malloc ((size_t) w * h * C);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < C; c++)
        {
          const float v = image[((size_t) c * H + y / scale) * W + x / scale];
          float p = (v * 0.5f + 0.5f) * 255.0f + 0.5f;
          if (!(p > 0.0f))    /* NaN too */
            p = 0.0f;
          if (p > 255.0f)
            p = 255.0f;
          out[((size_t) y * w + x) * C + c] = (guint8) p;
        }
  return out;
}

static void
put_u32 (GByteArray *a, guint32 v)
{
  const guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (a, b, 4);
}

static void
put_u16 (GByteArray *a, guint16 v)
{
  const guint8 b[2] = { v >> 8, v };
  g_byte_array_append (a, b, 2);
}

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* length, type, data, CRC-32 of type and data */
static void
put_chunk (GByteArray *png, const char *type, const guint8 *data, gsize len)
{
  put_u32 (png, (guint32) len);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len)
    g_byte_array_append (png, data, len);
  uLong crc = crc32 (0L, (const Bytef *) type, 4);
  if (len)
    crc = crc32 (crc, data, (uInt) len);
  put_u32 (png, (guint32) crc);
}

/* the zlib stream of the scanlines, each with filter byte 0 */
static guint8 *
deflate_pixels (const guint8 *pixels, int width, int height, int channels, uLongf *out_len,
                GError **error)
{
  const size_t row = (size_t) width * channels;
  const size_t raw_len = (row + 1) * height;
  g_autofree guint8 *raw = g_malloc (raw_len);
  for (int y = 0; y < height; y++)
    {
      raw[y * (row + 1)] = 0;
      memcpy (raw + y * (row + 1) + 1, pixels + y * row, row);
    }
  uLongf len = compressBound (raw_len);
  guint8 *z = g_malloc (len);
  if (compress2 (z, &len, raw, raw_len, 9) != Z_OK)
    {
      g_free (z);
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "zlib could not compress the image");
      return NULL;
    }
  *out_len = len;
  return z;
}

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
valid_keyword (const char *key)
{
  const size_t n = strlen (key);
  if (n < 1 || n > 79 || key[0] == ' ' || key[n - 1] == ' ')
    return FALSE;
  for (const char *p = key; *p; p++)
    if (*p < 32 || *p > 126)
      return FALSE;
  return TRUE;
}

static gboolean
put_text (GByteArray *png, GHashTable *text, GError **error)
{
  if (!text)
    return TRUE;
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (text), (GCompareFunc) strcmp);
  for (GList *l = keys; l; l = l->next)
    {
      const char *key = l->data, *value = g_hash_table_lookup (text, key);
      if (!valid_keyword (key) || !value || !g_utf8_validate (value, -1, NULL))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "cannot store “%s” in a PNG text chunk", key);
          return FALSE;
        }
      g_autoptr (GByteArray) chunk = g_byte_array_new ();
      g_byte_array_append (chunk, (const guint8 *) key, strlen (key) + 1);
      if (is_ascii (value))
        {
          g_byte_array_append (chunk, (const guint8 *) value, strlen (value));
          put_chunk (png, "tEXt", chunk->data, chunk->len);
        }
      else
        {
          /* not compressed, method 0, no language tag, no translated keyword */
          static const guint8 header[4] = { 0, 0, 0, 0 };
          g_byte_array_append (chunk, header, 4);
          g_byte_array_append (chunk, (const guint8 *) value, strlen (value));
          put_chunk (png, "iTXt", chunk->data, chunk->len);
        }
    }
  return TRUE;
}

static gboolean
check_size (int width, int height, int channels, GError **error)
{
  if (width < 1 || height < 1 || width > 65535 || height > 65535 || (channels != 1 && channels != 3))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a %d×%d PNG with %d channels cannot be written", width, height, channels);
      return FALSE;
    }
  return TRUE;
}

static void
put_header (GByteArray *png, int width, int height, int channels)
{
  g_byte_array_append (png, png_signature, 8);
  g_autoptr (GByteArray) ihdr = g_byte_array_new ();
  put_u32 (ihdr, width);
  put_u32 (ihdr, height);
  /* 8 bits; colour type 0 (grey) or 2 (RGB); deflate; filter 0; no interlace */
  const guint8 rest[5] = { 8, channels == 1 ? 0 : 2, 0, 0, 0 };
  g_byte_array_append (ihdr, rest, 5);
  put_chunk (png, "IHDR", ihdr->data, ihdr->len);
}

GBytes *
sw_png_encode (const guint8 *pixels, int width, int height, int channels, GHashTable *text,
               GError **error)
{
  if (!check_size (width, height, channels, error))
    return NULL;
  g_autoptr (GByteArray) png = g_byte_array_new ();
  put_header (png, width, height, channels);
  if (!put_text (png, text, error))
    return NULL;
  uLongf len;
  g_autofree guint8 *z = deflate_pixels (pixels, width, height, channels, &len, error);
  if (!z)
    return NULL;
  put_chunk (png, "IDAT", z, len);
  put_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

gboolean
sw_png_write_image (const char *path, const float *image, int channels, int height, int width,
              GHashTable *text, GError **error)
{
  g_autofree guint8 *pixels = sw_png_pixels_from_image (image, channels, height, width, 1);
  g_autoptr (GBytes) png = sw_png_encode (pixels, width, height, channels, text, error);
  return png && sw_output_write (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
}

/* fcTL: the frame covers the whole image, replaces what was there and is
 * left in place; delays in milliseconds */
static void
put_frame_control (GByteArray *png, guint32 sequence, int width, int height, guint delay_ms)
{
  g_autoptr (GByteArray) fctl = g_byte_array_new ();
  put_u32 (fctl, sequence);
  put_u32 (fctl, width);
  put_u32 (fctl, height);
  put_u32 (fctl, 0);
  put_u32 (fctl, 0);
  put_u16 (fctl, (guint16) MIN (delay_ms, 65535u));
  put_u16 (fctl, 1000);
  const guint8 ops[2] = { 0 /* APNG_DISPOSE_OP_NONE */, 0 /* APNG_BLEND_OP_SOURCE */ };
  g_byte_array_append (fctl, ops, 2);
  put_chunk (png, "fcTL", fctl->data, fctl->len);
}

GBytes *
sw_png_encode_animation (const guint8 * const *frames, int n_frames, const guint *delays_ms,
                         int width, int height, int channels, GHashTable *text,
                         GError **error)
{
  if (!check_size (width, height, channels, error))
    return NULL;
  if (n_frames < 1)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "an animation needs a frame");
      return NULL;
    }
  g_autoptr (GByteArray) png = g_byte_array_new ();
  put_header (png, width, height, channels);
  g_autoptr (GByteArray) actl = g_byte_array_new ();
  put_u32 (actl, n_frames);
  put_u32 (actl, 0);   /* loop forever */
  put_chunk (png, "acTL", actl->data, actl->len);
  if (!put_text (png, text, error))
    return NULL;
  guint32 sequence = 0;
  for (int i = 0; i < n_frames; i++)
    {
      uLongf len;
      g_autofree guint8 *z = deflate_pixels (frames[i], width, height, channels, &len, error);
      if (!z)
        return NULL;
      put_frame_control (png, sequence++, width, height, delays_ms[i]);
      if (i == 0)
        put_chunk (png, "IDAT", z, len);   /* the default image is frame 0 */
      else
        {
          g_autoptr (GByteArray) fdat = g_byte_array_sized_new (len + 4);
          put_u32 (fdat, sequence++);
          g_byte_array_append (fdat, z, len);
          put_chunk (png, "fdAT", fdat->data, fdat->len);
        }
    }
  put_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* ---- reading ---- */

typedef gboolean (*ChunkFunc) (const char *type, const guint8 *data, guint32 len, gpointer user_data,
                               GError **error);

/* calls FUNC for every chunk after checking its bounds and CRC */
static gboolean
walk_chunks (const guint8 *data, gsize len, ChunkFunc func, gpointer user_data, GError **error)
{
  if (len < 8 || memcmp (data, png_signature, 8) != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "This is not a PNG file");
      return FALSE;
    }
  gsize pos = 8;
  gboolean first = TRUE;
  while (pos < len)
    {
      if (len - pos < 12)
        break;
      const guint32 n = get_u32 (data + pos);
      if (n > 0x7fffffffu || n > len - pos - 12)
        break;
      char type[5] = { 0 };
      memcpy (type, data + pos + 4, 4);
      const guint8 *body = data + pos + 8;
      uLong crc = crc32 (0L, data + pos + 4, 4);
      crc = crc32 (crc, body, n);
      if ((guint32) crc != get_u32 (body + n))
        break;
      if (first && strcmp (type, "IHDR") != 0)
        break;
      first = FALSE;
      if (!func (type, body, n, user_data, error))
        return FALSE;
      if (strcmp (type, "IEND") == 0)
        return TRUE;
      pos += 12 + (gsize) n;
    }
  g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "The PNG file is damaged or cut short");
  return FALSE;
}

typedef struct {
  GHashTable *text;
  int         width, height, channels;
} TextReader;

static char *
inflate_text (const guint8 *z, gsize len)
{
  z_stream s = { 0 };
  if (inflateInit (&s) != Z_OK)
    return NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 buf[4096];
  s.next_in = (Bytef *) z;
  s.avail_in = (uInt) len;
  int ret;
  do
    {
      s.next_out = buf;
      s.avail_out = sizeof buf;
      ret = inflate (&s, Z_NO_FLUSH);
      if (ret != Z_OK && ret != Z_STREAM_END)
        break;
      g_byte_array_append (out, buf, sizeof buf - s.avail_out);
    }
  while (ret != Z_STREAM_END && out->len <= MAX_TEXT_BYTES && (s.avail_in > 0 || s.avail_out == 0));
  inflateEnd (&s);
  if (ret != Z_STREAM_END || out->len > MAX_TEXT_BYTES)
    return NULL;
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
read_text_chunk (const char *type, const guint8 *data, guint32 len, gpointer user_data, GError **error)
{
  TextReader *r = user_data;
  if (strcmp (type, "IHDR") == 0 && len == 13)
    {
      r->width = (int) MIN (get_u32 (data), (guint32) G_MAXINT);
      r->height = (int) MIN (get_u32 (data + 4), (guint32) G_MAXINT);
      static const int channels_of_type[7] = { 1, 0, 3, 1, 2, 0, 4 };
      r->channels = data[9] < 7 ? channels_of_type[data[9]] : 0;
      return TRUE;
    }
  const gboolean text = strcmp (type, "tEXt") == 0, ztext = strcmp (type, "zTXt") == 0,
                 itext = strcmp (type, "iTXt") == 0;
  if (!(text || ztext || itext) || len > MAX_TEXT_BYTES)
    return TRUE;
  const guint8 *nul = memchr (data, 0, MIN (len, 80u));
  if (!nul || nul == data)
    return TRUE;   /* no keyword: skip the chunk */
  g_autofree char *key = g_convert ((const char *) data, nul - data, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  const guint8 *rest = nul + 1;
  gsize rest_len = len - (rest - data);
  g_autofree char *value = NULL;
  if (text)
    value = g_convert ((const char *) rest, rest_len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  else if (ztext)
    {
      if (rest_len < 1 || rest[0] != 0)
        return TRUE;
      g_autofree char *latin1 = inflate_text (rest + 1, rest_len - 1);
      if (latin1)
        value = g_convert (latin1, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
    }
  else
    {
      /* compression flag, method, language tag\0, translated keyword\0, text */
      if (rest_len < 2)
        return TRUE;
      const gboolean compressed = rest[0] != 0;
      const guint8 *p = rest + 2, *end = rest + rest_len;
      for (int field = 0; field < 2; field++)
        {
          const guint8 *z = memchr (p, 0, end - p);
          if (!z)
            return TRUE;
          p = z + 1;
        }
      if (compressed)
        value = inflate_text (p, end - p);
      else
        value = g_strndup ((const char *) p, end - p);
      if (value && ((!compressed && strlen (value) != (size_t) (end - p))
                    || !g_utf8_validate (value, -1, NULL)))
        g_clear_pointer (&value, g_free);
    }
  if (key && value && !g_hash_table_contains (r->text, key))
    g_hash_table_insert (r->text, g_steal_pointer (&key), g_steal_pointer (&value));
  return TRUE;
}

GHashTable *
sw_png_read_text (const guint8 *data, gsize len, int *width, int *height, int *channels,
                  GError **error)
{
  TextReader r = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free), 0, 0, 0 };
  if (!walk_chunks (data, len, read_text_chunk, &r, error))
    {
      g_hash_table_unref (r.text);
      return NULL;
    }
  if (width)
    *width = r.width;
  if (height)
    *height = r.height;
  if (channels)
    *channels = r.channels;
  return r.text;
}

static gboolean
accept_chunk (const char *type, const guint8 *data, guint32 len, gpointer user_data, GError **error)
{
  return TRUE;
}

GBytes *
sw_png_add_text (const guint8 *data, gsize len, GHashTable *text, GError **error)
{
  if (!walk_chunks (data, len, accept_chunk, NULL, error))
    return NULL;
  /* walk_chunks checked that IHDR comes first and fits */
  const gsize after_header = 8 + 12 + (gsize) get_u32 (data + 8);
  g_autoptr (GByteArray) png = g_byte_array_sized_new (len + 256);
  g_byte_array_append (png, data, after_header);
  if (!put_text (png, text, error))
    return NULL;
  g_byte_array_append (png, data + after_header, len - after_header);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

static gboolean
read_actl (const char *type, const guint8 *data, guint32 len, gpointer user_data, GError **error)
{
  int *frames = user_data;
  if (strcmp (type, "acTL") == 0 && len == 8)
    *frames = (int) MIN (get_u32 (data), (guint32) G_MAXINT);
  return TRUE;
}

int
sw_png_count_frames (const guint8 *data, gsize len, GError **error)
{
  int frames = 1;
  if (!walk_chunks (data, len, read_actl, &frames, error))
    return -1;
  return frames;
}
