#include "data/idx.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "base/huge-pages.h"

#define IDX_UBYTE 0x08

static const char *
type_name (guint8 type)
{
  switch (type)
    {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default:   return "not an IDX type";
    }
}

/* "60000 x 28 x 28" */
static char *
format_dims (int ndim, const guint32 *dims)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%u", i > 0 ? " x " : "", dims[i]);
  return g_string_free (s, FALSE);
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
write_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* Gzip */

/* Inflates the gzip stream IN into a new buffer, refusing to produce more
 * than SW_IDX_MAX_BYTES so that a small file cannot claim unbounded memory.
 * An IDX file is one gzip stream: anything after it is an error. */
static guint8 *
gunzip (const guint8 *in, gsize in_len, const char *file, gsize *out_len, GError **error)
{
  g_autoptr (GZlibDecompressor) dec = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  gsize cap = MIN (MAX (4 * in_len, (gsize) 1 << 16), (gsize) SW_IDX_MAX_BYTES + 1);
  g_autofree guint8 *out = g_malloc (cap);
  gsize in_pos = 0, n = 0;

  sw_advise_huge_pages (out, cap);

  for (;;)
    {
      g_autoptr (GError) zerr = NULL;
      gsize nread, nwritten;

      if (n == cap)
        {
          /* one byte past the limit tells "too large" from "exactly full" */
          if (cap > SW_IDX_MAX_BYTES)
            {
              sw_file_error (error, SW_ERROR_FORMAT, file,
                    "decompresses to more than %u MiB; larger IDX files are not accepted",
                    SW_IDX_MAX_BYTES >> 20);
              return NULL;
            }
          cap = MIN (2 * cap, (gsize) SW_IDX_MAX_BYTES + 1);
          out = g_realloc (out, cap);
          sw_advise_huge_pages (out, cap);
        }
      GConverterResult r = g_converter_convert (G_CONVERTER (dec), in + in_pos, in_len - in_pos,
                                                out + n, cap - n, G_CONVERTER_INPUT_AT_END,
                                                &nread, &nwritten, &zerr);
      in_pos += nread;
      n += nwritten;
      if (r == G_CONVERTER_FINISHED && in_pos < in_len)
        {
          sw_file_error (error, SW_ERROR_FORMAT, file, "%" G_GSIZE_FORMAT " bytes after the end of the "
                "gzip data; an IDX file is one gzip stream", in_len - in_pos);
          return NULL;
        }
      if (r == G_CONVERTER_FINISHED)
        break;
      if (r != G_CONVERTER_ERROR)
        continue;
      /* with output space left, zlib asks for more input only when the
       * stream stops early */
      if (g_error_matches (zerr, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        sw_file_error (error, SW_ERROR_FORMAT, file,
              "the gzip data is truncated (it stops after %" G_GSIZE_FORMAT " bytes of output)", n);
      else
        sw_file_error (error, SW_ERROR_FORMAT, file, "not valid gzip data (%s)", zerr->message);
      return NULL;
    }
  *out_len = n;
  return g_steal_pointer (&out);
}

/* Parsing */

/* Checks the header and size of the IDX file in BUF[0..LEN) and moves its
 * elements to the start of BUF. GZIPPED only changes the wording. */
static gboolean
parse (guint8 *buf, gsize len, const char *file, gboolean gzipped,
       int *ndim_out, int dims_out[3], GError **error)
{
  const char *what = gzipped ? "the decompressed file" : "the file";
  guint32 dims[SW_IDX_MAX_DIMS];

  if (len == 0)
    return sw_file_error (error, SW_ERROR_FORMAT, file, "%s is empty; expected an IDX file", what);
  if (len < 4)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "%s ends after %" G_GSIZE_FORMAT " bytes, inside the 4-byte IDX magic number",
                 what, len);
  if (buf[0] != 0 || buf[1] != 0)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "not an IDX file: it starts %02x %02x %02x %02x, and IDX files start "
                 "00 00 08 01 (labels), 00 00 08 03 (grey images) or 00 00 08 04 (colour images)",
                 buf[0], buf[1], buf[2], buf[3]);
  if (buf[2] != IDX_UBYTE)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "IDX element type 0x%02x (%s) is not supported; only 0x08 (unsigned byte) is accepted",
                 buf[2], type_name (buf[2]));
  int ndim = buf[3];
  if (ndim != 1 && ndim != 3 && ndim != 4)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "IDX files with %d dimensions are not supported; only 1 (labels), 3 (grey images) "
                 "or 4 (colour images) are accepted", ndim);
  gsize header = 4 + 4 * (gsize) ndim;
  if (len < header)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "%s ends after %" G_GSIZE_FORMAT " bytes, inside the header: with %d dimensions "
                 "it is %" G_GSIZE_FORMAT " bytes", what, len, ndim, header);

  /* the product stays within MAX_BYTES before each multiplication by a
   * 32-bit size, so it cannot overflow 64 bits */
  guint64 need = 1;
  for (int i = 0; i < ndim; i++)
    {
      dims[i] = read_be32 (buf + 4 + 4 * i);
      if (dims[i] == 0)
        return sw_file_error (error, SW_ERROR_FORMAT, file,
                     "dimension %d of %d is 0; every dimension must be at least 1", i + 1, ndim);
      need *= dims[i];
      if (need > SW_IDX_MAX_BYTES - header)
        {
          g_autofree char *shape = format_dims (i + 1, dims);
          return sw_file_error (error, SW_ERROR_FORMAT, file,
                       "the dimensions %s%s need more than %u MiB; larger IDX files are not accepted",
                       shape, i + 1 < ndim ? " x …" : "", SW_IDX_MAX_BYTES >> 20);
        }
    }

  g_autofree char *shape = format_dims (ndim, dims);
  if (len - header < need)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "truncated: the dimensions %s need %" G_GUINT64_FORMAT " bytes of data after the "
                 "header, and %s has %" G_GSIZE_FORMAT, shape, need, what, len - header);
  if (len - header > need)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "%" G_GUINT64_FORMAT " bytes after the data: the dimensions %s need exactly %"
                 G_GUINT64_FORMAT " bytes after the header", len - header - need, shape, need);

  memmove (buf, buf + header, need);
  *ndim_out = ndim;
  for (int i = 0; i < ndim; i++)
    dims_out[i] = (int) dims[i];
  return TRUE;
}

gboolean
sw_idx_load (const char *path, int *ndim, int dims[SW_IDX_MAX_DIMS], guint8 **data,
             GError **error)
{
  g_return_val_if_fail (path != NULL && ndim != NULL && dims != NULL && data != NULL, FALSE);

  g_autofree char *file = g_filename_display_name (path);
  GStatBuf st;

  /* checked before reading, so that a huge file is never read in */
  if (g_stat (path, &st) != 0)
    return sw_file_error (error, SW_ERROR_IO, file, "cannot read it: %s", g_strerror (errno));
  if (st.st_size > SW_IDX_MAX_BYTES)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                 "is %" G_GINT64_FORMAT " bytes; IDX files of more than %u MiB are not accepted",
                 (gint64) st.st_size, SW_IDX_MAX_BYTES >> 20);

  g_autoptr (GError) read_error = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize len;
  if (!g_file_get_contents (path, (char **) &bytes, &len, &read_error))
    {
      g_set_error_literal (error, SW_ERROR, SW_ERROR_IO, read_error->message);
      return FALSE;
    }

  gboolean gzipped = len >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
  if (gzipped)
    {
      guint8 *plain = gunzip (bytes, len, file, &len, error);
      if (plain == NULL)
        return FALSE;
      g_free (bytes);
      bytes = plain;
    }
  if (!parse (bytes, len, file, gzipped, ndim, dims, error))
    return FALSE;
  *data = g_steal_pointer (&bytes);
  return TRUE;
}

gboolean
sw_idx_save (const char *path, int ndim, const int *dims, const guint8 *data, GError **error)
{
  g_return_val_if_fail (path != NULL && (ndim == 1 || ndim == 3 || ndim == 4) && dims != NULL,
                        FALSE);

  gsize header = 4 + 4 * (gsize) ndim, n = 1;
  for (int i = 0; i < ndim; i++)
    {
      g_return_val_if_fail (dims[i] > 0, FALSE);
      n *= (gsize) dims[i];
    }
  g_return_val_if_fail (n <= SW_IDX_MAX_BYTES - header, FALSE);

  g_autofree guint8 *buf = g_malloc (header + n);
  buf[0] = buf[1] = 0;
  buf[2] = IDX_UBYTE;
  buf[3] = (guint8) ndim;
  for (int i = 0; i < ndim; i++)
    write_be32 (buf + 4 + 4 * i, (guint32) dims[i]);
  memcpy (buf + header, data, n);

  g_autoptr (GError) write_error = NULL;
  if (!g_file_set_contents (path, (const char *) buf, (gssize) (header + n), &write_error))
    {
      g_set_error_literal (error, SW_ERROR, SW_ERROR_IO, write_error->message);
      return FALSE;
    }
  return TRUE;
}
