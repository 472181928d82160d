#include "io/image-io.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

/* Debian's libstb-dev builds the implementation into libstb; this file
 * only needs the declarations. */
#include <stb_image.h>

#define ACCEPTED_FORMATS "PNG, JPEG, BMP, GIF, TGA, PSD, HDR, PIC or PNM"

/* Resampling
 *
 * Cropping and resizing are the same linear map along both axes, so one
 * table of taps (source index, output index, weight) serves for rows and
 * columns.  Shrinking averages the area each output pixel covers: output
 * o covers source [o s, (o+1) s) with s = n / size, and a source pixel
 * cut by the boundary counts with the fraction inside.  Enlarging
 * interpolates bilinearly between the two nearest source centres.  Either
 * way the weights of an output sum to 1 and are never negative, so the
 * result stays within the source's range. */

typedef struct {
  int   src, dst;
  float w;
} Tap;

static int
compare_taps (const void *a, const void *b)
{
  const Tap *x = a, *y = b;
  if (x->src != y->src)
    return x->src < y->src ? -1 : 1;
  return (x->dst > y->dst) - (x->dst < y->dst);
}

/* The taps that resize N source pixels to SIZE, sorted by source index so
 * that each source row is made once. */
static Tap *
make_taps (int n, int size, int *n_taps)
{
  /* shrinking: each source pixel feeds one output, or two where a
   * boundary cuts it; enlarging: two per output */
  Tap *taps = g_new (Tap, (gsize) n + 2 * (gsize) size);
  int k = 0;

  if (n >= size)
    {
      double s = (double) n / size;
      for (int o = 0; o < size; o++)
        {
          double lo = o * s, hi = (o + 1) * s;
          for (int x = (int) lo; x < n && x < hi; x++)
            {
              double w = (MIN (hi, x + 1.0) - MAX (lo, (double) x)) / s;
              if (w > 0)
                taps[k++] = (Tap) { x, o, (float) w };
            }
        }
    }
  else
    {
      for (int o = 0; o < size; o++)
        {
          /* pixel centres line up: source coordinate of output centre o */
          double c = (o + 0.5) * n / size - 0.5;
          c = CLAMP (c, 0.0, n - 1.0);
          int x0 = (int) c;
          double f = c - x0;
          taps[k++] = (Tap) { x0, o, (float) (1.0 - f) };
          if (f > 0 && x0 + 1 < n)
            taps[k++] = (Tap) { x0 + 1, o, (float) f };
        }
    }
  qsort (taps, (size_t) k, sizeof *taps, compare_taps);
  *n_taps = k;
  return taps;
}

/* The decoded pixels and how to read them. */
typedef struct {
  const guint8 *pix;   /* (height, width, comp), row-major from the top */
  int           width;
  int           comp;  /* 2 (grey + alpha) or 4 (RGBA) */
  int           x0, y0, n;  /* the centre square */
  int           cw;    /* working channels: 1 (grey) or 3 (RGB) */
  float         bg;    /* what transparency is flattened onto, 0..255 */
} Source;

/* Row Y of the centre square, alpha flattened onto the background and
 * converted to the working channels, in 0..255: ROW is planar (cw, n).
 * Flattening before resizing is what premultiplied averaging would do:
 * a transparent pixel contributes background, not its hidden colour. */
static void
fetch_row (const Source *s, int y, float *row)
{
  const guint8 *p = s->pix + ((gsize) (s->y0 + y) * s->width + s->x0) * s->comp;
  int n = s->n;

  for (int x = 0; x < n; x++, p += s->comp)
    {
      float a = p[s->comp - 1] * (1.0f / 255);
      if (s->comp == 2)
        {
          /* bg + a (v - bg) is exactly v when opaque */
          float v = s->bg + a * (p[0] - s->bg);
          for (int c = 0; c < s->cw; c++)
            row[c * n + x] = v;
        }
      else
        {
          float r = s->bg + a * (p[0] - s->bg);
          float g = s->bg + a * (p[1] - s->bg);
          float b = s->bg + a * (p[2] - s->bg);
          if (s->cw == 1)
            row[x] = 0.299f * r + 0.587f * g + 0.114f * b;
          else
            {
              row[x] = r;
              row[n + x] = g;
              row[2 * n + x] = b;
            }
        }
    }
}

/* Resizes the centre square of S to OUT, planar (cw, size, size) in
 * 0..255. */
static void
resample (const Source *s, int size, float *out)
{
  int n_taps, n = s->n, cw = s->cw;
  g_autofree Tap *taps = make_taps (n, size, &n_taps);
  g_autofree float *row = g_new (float, (gsize) cw * n);
  g_autofree float *hrow = g_new (float, (gsize) cw * size);
  gsize plane = (gsize) size * size;

  memset (out, 0, cw * plane * sizeof *out);
  for (int i = 0; i < n_taps;)
    {
      int y = taps[i].src;

      /* source row y, resized across: hrow is (cw, size) */
      fetch_row (s, y, row);
      memset (hrow, 0, (gsize) cw * size * sizeof *hrow);
      for (int j = 0; j < n_taps; j++)
        for (int c = 0; c < cw; c++)
          hrow[c * size + taps[j].dst] += taps[j].w * row[c * n + taps[j].src];

      /* then added into every output row it feeds */
      for (; i < n_taps && taps[i].src == y; i++)
        for (int c = 0; c < cw; c++)
          {
            float *o = out + c * plane + (gsize) taps[i].dst * size;
            const float *h = hrow + c * size;
            float w = taps[i].w;
            for (int x = 0; x < size; x++)
              o[x] += w * h[x];
          }
    }
}

/* Decoding */

static gboolean
check_args (int channels, int size, GError **error)
{
  if (channels != 1 && channels != 3)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "%d channels are not accepted; an image is read with 1 (grey) or 3 (RGB)",
                   channels);
      return FALSE;
    }
  if (size < SW_IMAGE_MIN_SIZE || size > SW_IMAGE_MAX_SIZE)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "size %d is not accepted; images are resized to between %d and %d pixels square",
                   size, SW_IMAGE_MIN_SIZE, SW_IMAGE_MAX_SIZE);
      return FALSE;
    }
  return TRUE;
}

/* stb_image's reason for the last failure, fit for a one-line message:
 * for an unknown PNG chunk it quotes the chunk's 4 type bytes, which are
 * whatever the file holds.
 *
 * The reason is a variable that stb_image sets on failure.  Debian's
 * libstb (stb_image 2.27) makes it thread-local, but older builds share
 * one for the process, where two threads failing at once could swap
 * reason strings.  Only the wording of a message is at stake, never a
 * result, so it is read straight after the failing call and nothing more
 * is done about it.  (stb_image's other globals, such as flipping on load,
 * are never set by Stepwise, so their defaults hold.) */
static char *
failure_reason (void)
{
  const char *reason = stbi_failure_reason ();

  if (reason == NULL || *reason == '\0')
    return g_strdup ("no reason given");
  char *s = g_strdup (reason);
  for (char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
      *p = '?';
  return s;
}

static gboolean
check_dims (int w, int h, const char *name, GError **error)
{
  if (w <= 0 || h <= 0)
    return sw_file_error (error, SW_ERROR_FORMAT, name,
                          "the image is %d x %d pixels; it needs at least 1 pixel on each side",
                          w, h);
  if (w > SW_IMAGE_MAX_SIDE || h > SW_IMAGE_MAX_SIDE)
    return sw_file_error (error, SW_ERROR_FORMAT, name,
                          "the image is %d x %d pixels; images of more than %d pixels on a side "
                          "are not accepted", w, h, SW_IMAGE_MAX_SIDE);
  return TRUE;
}

/* PNM
 *
 * Binary PGM (P5) and PPM (P6) are read here, not by stb_image: the reader
 * of stb_image 2.27 (Debian 12's libstb) reads past its buffer when it
 * converts a 16-bit file to other channels, and leaves pixels
 * uninitialised when the file stops short.  The format is a short text
 * header, then raw samples (https://netpbm.sourceforge.net/doc/pgm.html,
 * ppm.html):
 *   P5|P6  width  height  maxval  one whitespace byte  samples
 * with whitespace or # comments between the fields; a sample is 1 byte,
 * or 2 big-endian bytes when maxval is over 255. */

static const char *const pnm_fields[] = { "width", "height", "maximum value" };

static gboolean
is_pnm (const guint8 *data, size_t len)
{
  return len >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6');
}

/* Skips whitespace and comments, then reads a decimal number into *VALUE:
 * -1 when there is none, -2 when it has more than 9 digits (sizes that
 * large are refused anyway, and int cannot hold them all). */
static void
pnm_number (const guint8 **p, const guint8 *end, int *value)
{
  for (;;)
    {
      while (*p < end && g_ascii_isspace (**p))
        (*p)++;
      if (*p == end || **p != '#')
        break;
      while (*p < end && **p != '\n' && **p != '\r')
        (*p)++;
    }
  int v = -1, digits = 0;
  for (; *p < end && g_ascii_isdigit (**p); (*p)++, digits++)
    if (digits < 9)
      v = MAX (v, 0) * 10 + (**p - '0');
  *value = digits > 9 ? -2 : v;
}

/* The image in DATA as (*H, *W, *WANT) bytes, *WANT being 2 (grey +
 * alpha) for P5 and 4 (RGBA) for P6, samples scaled from 0..maxval to
 * 0..255; free with g_free. */
static guint8 *
pnm_decode (const guint8 *data, size_t len, const char *name, int *w, int *h, int *want,
            GError **error)
{
  const guint8 *p = data + 2, *end = data + len;
  int comp = data[1] == '6' ? 3 : 1, v[3];

  for (int i = 0; i < 3; i++)
    {
      pnm_number (&p, end, &v[i]);
      if (v[i] == -1)
        {
          sw_file_error (error, SW_ERROR_FORMAT, name,
                         "the P%c header has no %s where one is due; a binary PNM header is "
                         "“P%c width height maxval”", data[1], pnm_fields[i], data[1]);
          return NULL;
        }
      if (v[i] == -2)
        {
          sw_file_error (error, SW_ERROR_FORMAT, name,
                         "the P%c header's %s has more than 9 digits; images of more than %d "
                         "pixels on a side are not accepted", data[1], pnm_fields[i],
                         SW_IMAGE_MAX_SIDE);
          return NULL;
        }
    }
  if (!check_dims (v[0], v[1], name, error))
    return NULL;
  int maxval = v[2];
  if (maxval < 1 || maxval > 65535)
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "the P%c header's maximum value is %d; it must be 1 to 65535",
                     data[1], maxval);
      return NULL;
    }
  if (p < end && !g_ascii_isspace (*p))
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "the P%c header's maximum value is followed by byte 0x%02x; it must be "
                     "followed by one whitespace byte", data[1], *p);
      return NULL;
    }
  if (p < end)
    p++;

  /* at most 16384 x 16384 x 3 x 2 bytes: no overflow */
  int bytes = maxval > 255 ? 2 : 1;
  gsize n = (gsize) v[0] * v[1], need = n * comp * bytes;
  if ((gsize) (end - p) < need)
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "truncated: the %d x %d image needs %" G_GSIZE_FORMAT " bytes of pixels, "
                     "and the file has %" G_GSIZE_FORMAT " after its header",
                     v[0], v[1], need, (gsize) (end - p));
      return NULL;
    }
  *want = comp + 1;
  guint8 *pix = g_try_malloc (n * *want);
  if (pix == NULL)
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "there is not enough memory to decode its %d x %d pixels", v[0], v[1]);
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    {
      for (int c = 0; c < comp; c++, p += bytes)
        {
          guint32 sample = bytes == 2 ? (guint32) p[0] << 8 | p[1] : p[0];
          /* rounded; the common maxval 255 needs no division */
          pix[i * *want + c] = maxval == 255 ? (guint8) sample
                               : (guint8) ((MIN (sample, (guint32) maxval) * 255 + maxval / 2) / maxval);
        }
      pix[i * *want + comp] = 255;
    }
  *w = v[0];
  *h = v[1];
  return pix;
}

/* JPEG
 *
 * stb_image 2.27 trusts two things in a JPEG's Huffman tables that a
 * damaged file can break, and each costs memory safety:
 *  - the code counts of a table (DHT segment): when they add up to more
 *    than the 256 codes a table holds, it writes past the table, over the
 *    rest of its decoder state, already while reading the header for
 *    stbi_info_from_memory ();
 *  - that a scan (SOS) uses only tables defined before it: an undefined
 *    one is uninitialised memory, and decoding with it reads wherever its
 *    garbage points.
 * So both are checked here first, on the segments found the way stb_image
 * finds them, or more of them: a marker is FF xx after any other bytes and
 * fill FFs; all but SOI, EOI, RSTn and TEM carry a 2-byte length that
 * counts itself; after the header of a scan its entropy-coded data runs to
 * the next FF xx that is not FF 00 or RSTn; nothing after EOI is decoded.
 * Where this walk and stb_image's part ways, stb_image stops, so a table
 * it uses was seen defined here too.  Bytes past the end read as 0, as
 * they do for stb_image. */

static guint8
byte_at (const guint8 *data, size_t len, size_t i)
{
  return i < len ? data[i] : 0;
}

static const char *const huffman_class[] = { "DC", "AC" };

/* Where a JPEG's segments start, after SOI, or 0 when DATA is no JPEG to
 * stb_image: it takes fill FFs before SOI too. */
static size_t
jpeg_start (const guint8 *data, size_t len)
{
  size_t i = 0;

  if (len == 0 || data[0] != 0xff)
    return 0;
  while (i < len && data[i] == 0xff)
    i++;
  return i < len && data[i] == 0xd8 ? i + 1 : 0;
}

static gboolean
jpeg_check_huffman (const guint8 *data, size_t len, size_t start, const char *name,
                    GError **error)
{
  gboolean in_scan = FALSE, progressive = FALSE;
  gboolean defined[2][4] = { { FALSE } };

  for (size_t i = start; i < len;)
    {
      if (data[i++] != 0xff)
        continue;
      while (i < len && data[i] == 0xff)
        i++;
      if (i == len)
        break;
      guint8 m = data[i++];
      gboolean restart = m >= 0xd0 && m <= 0xd7;
      if (in_scan && (m == 0x00 || restart))
        continue;
      in_scan = FALSE;
      if (m == 0xd9)
        break;
      if (m == 0x00 || m == 0x01 || m == 0xd8 || restart)
        continue;

      size_t seg = (size_t) byte_at (data, len, i) << 8 | byte_at (data, len, i + 1);
      if (seg < 2)
        break;  /* stb_image refuses it */
      if (m == 0xc0 || m == 0xc1 || m == 0xc2)  /* SOF: the kinds stb_image reads */
        progressive = m == 0xc2;
      if (m == 0xc4)
        {
          /* one or more tables: class and id, 16 counts, the codes */
          size_t p = i + 2;
          for (gssize left = (gssize) seg - 2; left > 0;)
            {
              guint8 q = byte_at (data, len, p++);
              if (q >> 4 > 1 || (q & 15) > 3)
                break;  /* stb_image refuses it */
              int n = 0;
              for (int k = 0; k < 16; k++)
                n += byte_at (data, len, p++);
              if (n > 256)
                return sw_file_error (error, SW_ERROR_FORMAT, name,
                                      "a JPEG Huffman table lists %d codes, and one holds at "
                                      "most 256; the file is damaged", n);
              defined[q >> 4][q & 15] = TRUE;
              p += (size_t) n;
              left -= 17 + n;
            }
        }
      if (m == 0xda)
        {
          /* components, each with its DC and AC table, then the spectral
           * start and the successive approximation: a progressive scan
           * uses the DC tables only in its first DC pass, the AC tables
           * only for AC coefficients; a sequential one uses both */
          int ns = byte_at (data, len, i + 2);
          guint8 ss = byte_at (data, len, i + 3 + 2 * (size_t) ns);
          guint8 ah = byte_at (data, len, i + 5 + 2 * (size_t) ns) >> 4;
          gboolean uses[2] = { !progressive || (ss == 0 && ah == 0), !progressive || ss > 0 };
          for (int k = 0; k < ns; k++)
            {
              guint8 t = byte_at (data, len, i + 4 + 2 * (size_t) k);
              int id[2] = { t >> 4, t & 15 };
              for (int c = 0; c < 2; c++)
                if (uses[c] && id[c] <= 3 && !defined[c][id[c]])
                  return sw_file_error (error, SW_ERROR_FORMAT, name,
                                        "a JPEG scan uses %s Huffman table %d, which the file "
                                        "does not define before it; the file is damaged",
                                        huffman_class[c], id[c]);
            }
        }
      i += seg;
      in_scan = m == 0xda;
    }
  return TRUE;
}

/* stb_image's header reader refuses a PNG whose pixels would pass 1 GiB
 * with "unknown image type" (after trying every other format), so the
 * PNG header's size is checked here first: a 20000 x 20000 colour PNG gets
 * the size limit's message, as a grey one does. */
static gboolean
check_png_dims (const guint8 *data, size_t len, const char *name, GError **error)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  if (len < 24 || memcmp (data, signature, 8) != 0 || memcmp (data + 12, "IHDR", 4) != 0)
    return TRUE;
  guint32 w, h;
  memcpy (&w, data + 16, 4);
  memcpy (&h, data + 20, 4);
  w = GUINT32_FROM_BE (w);
  h = GUINT32_FROM_BE (h);
  return check_dims ((int) MIN (w, (guint32) G_MAXINT), (int) MIN (h, (guint32) G_MAXINT), name, error);
}

/* Other formats, through stb_image: its pixels as (*H, *W, *WANT) bytes,
 * *WANT being 2 (grey + alpha) for grey sources, so that grey in is
 * exactly grey out, and 4 (RGBA) for the rest; free with
 * stbi_image_free. */
static guint8 *
stb_decode (const guint8 *data, size_t len, const char *name, int *w, int *h, int *want,
            GError **error)
{
  int hw, hh, comp;

  /* before stb_image reads a byte of it, info included */
  size_t start = jpeg_start (data, len);
  if ((start > 0 && !jpeg_check_huffman (data, len, start, name, error))
      || !check_png_dims (data, len, name, error))
    return NULL;
  /* the header alone, so that a small file cannot make the decoder
   * allocate for a huge declared size */
  if (!stbi_info_from_memory (data, (int) len, &hw, &hh, &comp))
    {
      g_autofree char *reason = failure_reason ();
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "not an image Stepwise can read (" ACCEPTED_FORMATS "): %s", reason);
      return NULL;
    }
  if (!check_dims (hw, hh, name, error))
    return NULL;

  int dcomp;
  *want = comp <= 2 ? 2 : 4;
  stbi_uc *pix = stbi_load_from_memory (data, (int) len, w, h, &dcomp, *want);
  if (pix == NULL)
    {
      g_autofree char *reason = failure_reason ();
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "the %d x %d image's header reads, but its pixels do not (%s); "
                     "the file may be truncated or damaged", hw, hh, reason);
      return NULL;
    }
  /* the decoder's own sizes are what the buffer holds; the header's
   * passed the limit, and these must too */
  if (*w != hw || *h != hh)
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "the image decodes to %d x %d pixels though its header says %d x %d",
                     *w, *h, hw, hh);
      stbi_image_free (pix);
      return NULL;
    }
  return pix;
}

/* Decodes DATA into (CW, SIZE, SIZE) values in 0..255 with transparency
 * flattened onto BG. */
static float *
decode (const guint8 *data, size_t len, int cw, int size, float bg,
        const char *name, gboolean *resized, GError **error)
{
  if (len == 0)
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "the file is empty; expected an image (" ACCEPTED_FORMATS ")");
      return NULL;
    }
  /* also keeps LEN within stb_image's int */
  if (len > SW_IMAGE_MAX_BYTES)
    {
      sw_file_error (error, SW_ERROR_FORMAT, name,
                     "is %" G_GSIZE_FORMAT " bytes; image files of more than %u MiB are not accepted",
                     (gsize) len, SW_IMAGE_MAX_BYTES >> 20);
      return NULL;
    }

  gboolean pnm = is_pnm (data, len);
  int w, h, comp;
  guint8 *pix = pnm ? pnm_decode (data, len, name, &w, &h, &comp, error)
                    : stb_decode (data, len, name, &w, &h, &comp, error);
  if (pix == NULL)
    return NULL;

  Source s = {
    .pix = pix, .width = w, .comp = comp,
    .n = MIN (w, h), .cw = cw, .bg = bg,
  };
  s.x0 = (w - s.n) / 2;
  s.y0 = (h - s.n) / 2;

  float *out = g_new (float, (gsize) cw * size * size);
  resample (&s, size, out);
  if (pnm)
    g_free (pix);
  else
    stbi_image_free (pix);
  if (resized != NULL)
    *resized = w != size || h != size;
  return out;
}

static guint8 *
read_file (const char *path, const char *file, gsize *len, GError **error)
{
  GStatBuf st;
  guint8 *bytes = NULL;
  g_autoptr (GError) read_error = NULL;

  /* checked before reading, so that a huge file, or a device that never
   * ends, is never read in; when stat fails, g_file_get_contents says why */
  if (g_stat (path, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          sw_file_error (error, SW_ERROR_IO, file, "not a regular file; expected an image file");
          return NULL;
        }
      if (st.st_size > (goffset) SW_IMAGE_MAX_BYTES)
        {
          sw_file_error (error, SW_ERROR_FORMAT, file,
                         "is %" G_GINT64_FORMAT " bytes; image files of more than %u MiB are "
                         "not accepted", (gint64) st.st_size, SW_IMAGE_MAX_BYTES >> 20);
          return NULL;
        }
    }
  if (!g_file_get_contents (path, (char **) &bytes, len, &read_error))
    {
      g_set_error_literal (error, SW_ERROR, SW_ERROR_IO, read_error->message);
      return NULL;
    }
  return bytes;
}

float *
sw_image_decode (const guint8 *data, size_t len, int channels, int size,
                 const char *name_for_errors, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name_for_errors != NULL, NULL);

  if (!check_args (channels, size, error))
    return NULL;
  float *out = decode (data, len, channels, size, 255.0f, name_for_errors, NULL, error);
  if (out == NULL)
    return NULL;

  /* the sums of weights are 1 only to rounding: clamp */
  for (gsize i = 0; i < (gsize) channels * size * size; i++)
    out[i] = CLAMP (out[i] * (2.0f / 255) - 1.0f, -1.0f, 1.0f);
  return out;
}

float *
sw_image_load (const char *path, int channels, int size, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (!check_args (channels, size, error))
    return NULL;
  g_autofree char *file = g_filename_display_name (path);
  gsize len;
  g_autofree guint8 *bytes = read_file (path, file, &len, error);
  if (bytes == NULL)
    return NULL;
  return sw_image_decode (bytes, len, channels, size, file, error);
}

float *
sw_mask_decode (const guint8 *data, size_t len, int size, const char *name_for_errors,
                gboolean *resized, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name_for_errors != NULL, NULL);

  if (resized != NULL)
    *resized = FALSE;
  if (!check_args (1, size, error))
    return NULL;
  /* transparent is black, and black is keep */
  float *out = decode (data, len, 1, size, 0.0f, name_for_errors, resized, error);
  if (out == NULL)
    return NULL;

  /* at least half grey regenerates, so that a soft brush edge is covered */
  for (gsize i = 0; i < (gsize) size * size; i++)
    out[i] = out[i] >= 127.5f ? 1.0f : 0.0f;
  return out;
}

float *
sw_mask_load (const char *path, int size, gboolean *resized, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (resized != NULL)
    *resized = FALSE;
  if (!check_args (1, size, error))
    return NULL;
  g_autofree char *file = g_filename_display_name (path);
  gsize len;
  g_autofree guint8 *bytes = read_file (path, file, &len, error);
  if (bytes == NULL)
    return NULL;
  return sw_mask_decode (bytes, len, size, file, resized, error);
}
