#include "io/safetensors.h"

#include "io/json.h"
#include "io/output-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A real header is a few hundred bytes per tensor; anything bigger than
 * this is a corrupt size field, not a checkpoint. */
#define HEADER_MAX_BYTES ((uint64_t) 100 * 1000 * 1000)

#define ACCEPTED_DTYPES "accepted dtypes are F32, F16 and BF16"

struct _SwStFile {
  char         *name;       /* for messages */
  guint8       *bytes;      /* the whole file */
  const guint8 *data;       /* the data section, inside BYTES */
  uint64_t      data_size;
  SwStEntry    *entries;
  size_t        n_entries;
  GHashTable   *by_name;    /* tensor name → SwStEntry *, both borrowed */
  GHashTable   *meta;       /* key → value, both owned */
  GPtrArray    *meta_keys;  /* the keys of META in file order, borrowed */
};

static const struct {
  const char *name;
  size_t      size;
} dtype_info[] = {
  [SW_DTYPE_F32]  = { "F32", 4 },
  [SW_DTYPE_F16]  = { "F16", 2 },
  [SW_DTYPE_BF16] = { "BF16", 2 },
};

/* Little-endian byte assembly, independent of the host's byte order. */

static uint64_t
get_le (const guint8 *b, int n)
{
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--)
    v = (v << 8) | b[i];
  return v;
}

static void
put_le (guint8 *b, uint64_t v, int n)
{
  for (int i = 0; i < n; i++)
    b[i] = (guint8) (v >> (8 * i));
}

/* Half precision */

float
sw_f16_to_f32 (uint16_t h)
{
  uint32_t sign = (uint32_t) (h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  float f;

  if (exp == 0)
    {
      /* zero or subnormal: mant * 2^-24 is exact in float32 */
      f = ldexpf ((float) mant, -24);
      return sign ? -f : f;
    }
  if (exp == 0x1f)
    bits = sign | 0x7f800000 | (mant << 13);
  else
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  memcpy (&f, &bits, sizeof f);
  return f;
}

/* Rounds to nearest, ties to even: the bits shifted out are compared with
 * half of the last kept place. */
static uint32_t
round_shift (uint32_t value, int shift)
{
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);

  if (rest > half || (rest == half && (kept & 1)))
    kept++;
  return kept;
}

uint16_t
sw_f32_to_f16 (float f)
{
  uint32_t bits, sign, mant;
  int32_t exp, e;

  memcpy (&bits, &f, sizeof bits);
  sign = (bits >> 16) & 0x8000;
  exp = (int32_t) ((bits >> 23) & 0xff);
  mant = bits & 0x7fffff;
  e = exp - 127 + 15;   /* the exponent rebiased for half */

  if (exp == 0xff)   /* infinity; a NaN stays a (quiet) NaN */
    return (uint16_t) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >> 13) : 0));
  if (e >= 31)
    return (uint16_t) (sign | 0x7c00);
  if (e <= 0)
    {
      /* Subnormal half: value = m * 2^-24.  Below e = -10 even the
       * implicit bit is under half of the smallest subnormal. */
      if (e < -10)
        return (uint16_t) sign;
      return (uint16_t) (sign | round_shift (mant | 0x800000, 14 - e));
    }
  /* A carry out of the mantissa correctly bumps the exponent, up to
   * infinity. */
  return (uint16_t) (sign | round_shift (((uint32_t) e << 23) | mant, 13));
}

float
sw_bf16_to_f32 (uint16_t h)
{
  uint32_t bits = (uint32_t) h << 16;
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

void
sw_f16_round (float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = sw_f16_to_f32 (sw_f32_to_f16 (x[i]));
}

static char *
format_shape (int ndim, const int64_t *shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Element count of a shape; FALSE on a negative dimension or overflow. */
static gboolean
count_elements (int ndim, const int64_t *shape, uint64_t *out)
{
  uint64_t n = 1;
  for (int i = 0; i < ndim; i++)
    if (shape[i] < 0 || !g_uint64_checked_mul (&n, n, (uint64_t) shape[i]))
      return FALSE;
  *out = n;
  return TRUE;
}

/* Loading */

static gboolean
json_uint (const SwJson *v, uint64_t *out)
{
  if (v->type != SW_JSON_NUMBER || !v->number.is_int || v->number.int_value < 0)
    return FALSE;
  *out = (uint64_t) v->number.int_value;
  return TRUE;
}

/* Finds FIELD in a tensor entry; *OUT is NULL when absent.  A repeated
 * field is an error rather than a silent choice of one of them. */
static gboolean
get_field (const SwStFile *file, const char *tensor, const SwJson *obj,
           const char *field, const SwJson **out, GError **error)
{
  *out = NULL;
  for (size_t i = 0; i < obj->object.n; i++)
    if (strcmp (obj->object.members[i].key, field) == 0)
      {
        if (*out != NULL)
          return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                       "tensor “%s”: “%s” appears twice", tensor, field);
        *out = obj->object.members[i].value;
      }
  return TRUE;
}

static gboolean
parse_dtype (const SwStFile *file, SwStEntry *e, const SwJson *v, GError **error)
{
  g_autofree char *found = NULL;

  if (v == NULL)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: missing “dtype”; " ACCEPTED_DTYPES, e->name);
  if (v->type == SW_JSON_STRING)
    for (size_t i = 0; i < G_N_ELEMENTS (dtype_info); i++)
      if (strcmp (v->string.data, dtype_info[i].name) == 0)
        {
          e->dtype = (SwDtype) i;
          return TRUE;
        }
  found = sw_json_describe (v);
  return sw_file_error (error, SW_ERROR_FORMAT, file->name,
               "tensor “%s”: dtype %s is not supported; " ACCEPTED_DTYPES, e->name, found);
}

static gboolean
parse_shape (const SwStFile *file, SwStEntry *e, const SwJson *v, GError **error)
{
  if (v == NULL)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: missing “shape”; expected an array of non-negative integers",
                 e->name);
  if (v->type != SW_JSON_ARRAY)
    {
      g_autofree char *found = sw_json_describe (v);
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                   "tensor “%s”: shape must be an array of non-negative integers, found %s",
                   e->name, found);
    }
  if (v->array.n > SW_ST_MAX_DIMS)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: shape has %zu dimensions; at most %d are accepted",
                 e->name, v->array.n, SW_ST_MAX_DIMS);
  e->ndim = (int) v->array.n;
  for (int i = 0; i < e->ndim; i++)
    {
      uint64_t dim;
      if (!json_uint (v->array.items[i], &dim))
        {
          g_autofree char *found = sw_json_describe (v->array.items[i]);
          return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                       "tensor “%s”: shape dimension %d is %s; dimensions must be non-negative integers",
                       e->name, i, found);
        }
      e->shape[i] = (int64_t) dim;
    }
  return TRUE;
}

static gboolean
parse_offsets (const SwStFile *file, SwStEntry *e, const SwJson *v, GError **error)
{
  uint64_t offsets[2];

  if (v == NULL)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: missing “data_offsets”; expected [begin, end] byte offsets",
                 e->name);
  if (v->type != SW_JSON_ARRAY || v->array.n != 2)
    {
      g_autofree char *found = v->type == SW_JSON_ARRAY
        ? g_strdup_printf ("an array of %zu elements", v->array.n)
        : sw_json_describe (v);
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                   "tensor “%s”: data_offsets must be two non-negative integers [begin, end], found %s",
                   e->name, found);
    }
  for (int i = 0; i < 2; i++)
    if (!json_uint (v->array.items[i], &offsets[i]))
      {
        g_autofree char *found = sw_json_describe (v->array.items[i]);
        return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                     "tensor “%s”: data_offsets %s is %s; offsets must be non-negative integers",
                     e->name, i == 0 ? "begin" : "end", found);
      }
  e->begin = offsets[0];
  e->end = offsets[1];
  return TRUE;
}

/* The offsets must lie in the data section and hold exactly the bytes
 * that dtype and shape call for. */
static gboolean
check_extent (const SwStFile *file, const SwStEntry *e, GError **error)
{
  uint64_t numel, nbytes;
  g_autofree char *shape = format_shape (e->ndim, e->shape);

  if (e->begin > e->end)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                 "] are reversed: begin is after end",
                 e->name, e->begin, e->end);
  if (e->end > file->data_size)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                 "] extend beyond the %" G_GUINT64_FORMAT "-byte data section",
                 e->name, e->begin, e->end, file->data_size);
  if (!count_elements (e->ndim, e->shape, &numel)
      || !g_uint64_checked_mul (&nbytes, numel, dtype_info[e->dtype].size))
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: shape %s has too many elements to be stored", e->name, shape);
  if (e->end - e->begin != nbytes)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "tensor “%s”: data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                 "] hold %" G_GUINT64_FORMAT " bytes but %s shape %s needs %" G_GUINT64_FORMAT
                 " bytes",
                 e->name, e->begin, e->end, e->end - e->begin,
                 dtype_info[e->dtype].name, shape, nbytes);
  return TRUE;
}

static gboolean
parse_entry (const SwStFile *file, SwStEntry *e, const SwJson *v, GError **error)
{
  const SwJson *dtype, *shape, *offsets;

  if (v->type != SW_JSON_OBJECT)
    {
      g_autofree char *found = sw_json_describe (v);
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                   "tensor “%s”: entry must be an object with dtype, shape and data_offsets, found %s",
                   e->name, found);
    }
  return get_field (file, e->name, v, "dtype", &dtype, error)
         && get_field (file, e->name, v, "shape", &shape, error)
         && get_field (file, e->name, v, "data_offsets", &offsets, error)
         && parse_dtype (file, e, dtype, error)
         && parse_shape (file, e, shape, error)
         && parse_offsets (file, e, offsets, error)
         && check_extent (file, e, error);
}

static gboolean
parse_metadata (SwStFile *file, const SwJson *v, GError **error)
{
  if (v->type != SW_JSON_OBJECT)
    {
      g_autofree char *found = sw_json_describe (v);
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                   "“__metadata__” must be an object of string values, found %s", found);
    }
  for (size_t i = 0; i < v->object.n; i++)
    {
      const SwJsonMember *m = &v->object.members[i];
      char *key;

      if (strlen (m->key) != m->key_len)
        return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                     "“__metadata__” has a key containing a NUL character");
      if (m->value->type != SW_JSON_STRING)
        {
          g_autofree char *found = sw_json_describe (m->value);
          return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                       "“__metadata__” value for “%s” is %s; metadata values must be strings",
                       m->key, found);
        }
      if (strlen (m->value->string.data) != m->value->string.len)
        return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                     "“__metadata__” value for “%s” contains a NUL character", m->key);
      if (g_hash_table_contains (file->meta, m->key))
        return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                     "“__metadata__” has the key “%s” twice", m->key);
      key = g_strdup (m->key);
      g_hash_table_insert (file->meta, key, g_strdup (m->value->string.data));
      g_ptr_array_add (file->meta_keys, key);
    }
  return TRUE;
}

static gboolean
parse_root (SwStFile *file, const SwJson *root, GError **error)
{
  gboolean seen_metadata = FALSE;

  if (root->type != SW_JSON_OBJECT)
    {
      g_autofree char *found = sw_json_describe (root);
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                   "header must be a JSON object mapping tensor names to entries, found %s",
                   found);
    }
  file->entries = g_new0 (SwStEntry, root->object.n);
  for (size_t i = 0; i < root->object.n; i++)
    {
      const SwJsonMember *m = &root->object.members[i];
      SwStEntry *e;

      /* Names are C strings in this API, so "a\u0000b" would alias "a". */
      if (strlen (m->key) != m->key_len)
        return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                     "the header has a tensor name containing a NUL character (“%s…”)", m->key);
      if (strcmp (m->key, "__metadata__") == 0)
        {
          if (seen_metadata)
            return sw_file_error (error, SW_ERROR_FORMAT, file->name, "“__metadata__” appears twice");
          seen_metadata = TRUE;
          if (!parse_metadata (file, m->value, error))
            return FALSE;
          continue;
        }
      if (g_hash_table_contains (file->by_name, m->key))
        return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                     "tensor “%s” appears twice in the header", m->key);
      e = &file->entries[file->n_entries++];
      e->name = g_strdup (m->key);
      if (!parse_entry (file, e, m->value, error))
        return FALSE;
      g_hash_table_insert (file->by_name, e->name, e);
    }
  return TRUE;
}

static int
compare_begin (const void *a, const void *b)
{
  const SwStEntry *x = *(const SwStEntry * const *) a;
  const SwStEntry *y = *(const SwStEntry * const *) b;
  return (x->begin > y->begin) - (x->begin < y->begin);
}

/* Sorted by start, intervals overlap somewhere only if two neighbours do.
 * Empty tensors occupy no bytes and cannot overlap anything. */
static gboolean
check_overlaps (const SwStFile *file, GError **error)
{
  g_autofree const SwStEntry **sorted = g_new (const SwStEntry *, file->n_entries);
  size_t n = 0;

  for (size_t i = 0; i < file->n_entries; i++)
    if (file->entries[i].end > file->entries[i].begin)
      sorted[n++] = &file->entries[i];
  if (n < 2)
    return TRUE;
  qsort (sorted, n, sizeof *sorted, compare_begin);
  for (size_t i = 1; i < n; i++)
    if (sorted[i]->begin < sorted[i - 1]->end)
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                   "tensors “%s” [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] and “%s” [%"
                   G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] overlap in the data section",
                   sorted[i - 1]->name, sorted[i - 1]->begin, sorted[i - 1]->end,
                   sorted[i]->name, sorted[i]->begin, sorted[i]->end);
  return TRUE;
}

static gboolean
parse_file (SwStFile *file, size_t size, GError **error)
{
  uint64_t header_size;
  g_autoptr(SwJson) root = NULL;
  g_autoptr(GError) json_error = NULL;

  if (size == 0)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "file is empty; a safetensors file starts with an 8-byte header size");
  if (size < 8)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "file is only %zu bytes, too short for the 8-byte header size "
                 "that starts a safetensors file", size);
  header_size = get_le (file->bytes, 8);
  if (header_size > HEADER_MAX_BYTES)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "header size of %" G_GUINT64_FORMAT " bytes is over the limit of %"
                 G_GUINT64_FORMAT " bytes; the file is corrupt or not safetensors",
                 header_size, HEADER_MAX_BYTES);
  if (header_size > size - 8)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "header size of %" G_GUINT64_FORMAT " bytes extends beyond the end "
                 "of the %zu-byte file", header_size, size);
  file->data = file->bytes + 8 + header_size;
  file->data_size = size - 8 - header_size;

  root = sw_json_parse ((const char *) file->bytes + 8, header_size, &json_error);
  if (root == NULL)
    return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                 "header is not valid JSON: %s", json_error->message);
  return parse_root (file, root, error) && check_overlaps (file, error);
}

/* Takes ownership of BYTES. */
static SwStFile *
open_owned (guint8 *bytes, size_t size, const char *name, GError **error)
{
  g_autoptr(SwStFile) file = g_new0 (SwStFile, 1);

  file->name = g_strdup (name);
  file->bytes = bytes;
  file->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  file->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  file->meta_keys = g_ptr_array_new ();
  if (!parse_file (file, size, error))
    return NULL;
  return g_steal_pointer (&file);
}

/* reads exactly N bytes of FD into BUF */
static gboolean
read_exactly (int fd, guint8 *buf, size_t n, const char *display, GError **error)
{
  while (n > 0)
    {
      const ssize_t got = read (fd, buf, MIN (n, (size_t) 1 << 30));
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          const int saved = errno;
          return sw_file_error (error, SW_ERROR_IO, display, "could not read: %s", g_strerror (saved));
        }
      if (got == 0)
        return sw_file_error (error, SW_ERROR_IO, display, "the file ended early (was it being written?)");
      buf += got;
      n -= (size_t) got;
    }
  return TRUE;
}

/* Only a regular file is read (a pipe would wait for a writer, a device
 * give bytes without end), and the header is read and checked before the
 * data it declares is read. */
static SwStFile *
open_fd (int fd, const char *display, GError **error)
{
  GStatBuf st;
  if (fstat (fd, &st) != 0)
    {
      const int saved = errno;
      sw_file_error (error, SW_ERROR_IO, display, "could not read: %s", g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      sw_file_error (error, SW_ERROR_IO, display, "is not a regular file (a folder, pipe or device); "
                     "accepted: a safetensors file");
      return NULL;
    }
  const size_t size = (size_t) st.st_size;
  guint8 length[8];
  size_t head = MIN (size, sizeof length);
  if (!read_exactly (fd, length, head, display, error))
    return NULL;
  if (head == sizeof length)
    {
      const uint64_t header_size = get_le (length, 8);
      if (header_size <= HEADER_MAX_BYTES && header_size <= size - 8)
        head += header_size;
    }
  guint8 *bytes = g_malloc (MAX (head, 1));
  memcpy (bytes, length, MIN (head, sizeof length));
  if (!read_exactly (fd, bytes + MIN (head, sizeof length), head - MIN (head, sizeof length), display, error))
    {
      g_free (bytes);
      return NULL;
    }
  g_autoptr(SwStFile) file = open_owned (bytes, size, display, error);
  if (!file)
    return NULL;
  uint64_t declared = 0;
  for (size_t i = 0; i < file->n_entries; i++)
    declared = MAX (declared, file->entries[i].end);
  file->bytes = g_realloc (file->bytes, head + declared);
  file->data = file->bytes + head;
  if (!read_exactly (fd, file->bytes + head, declared, display, error))
    return NULL;
  return g_steal_pointer (&file);
}

SwStFile *
sw_safetensors_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  g_autofree char *display = g_filename_display_name (path);
  /* non-blocking, so that a pipe without a writer is refused, not waited on */
  const int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      const int saved = errno;
      sw_file_error (error, SW_ERROR_IO, display, "could not open: %s", g_strerror (saved));
      return NULL;
    }
  SwStFile *file = open_fd (fd, display, error);
  close (fd);
  return file;
}

SwStFile *
sw_safetensors_open_bytes (const void *data, size_t size, const char *name, GError **error)
{
  g_return_val_if_fail (data != NULL || size == 0, NULL);

  return open_owned (g_memdup2 (data, size), size, name != NULL ? name : "(memory)", error);
}

void
sw_safetensors_close (SwStFile *file)
{
  if (file == NULL)
    return;
  for (size_t i = 0; i < file->n_entries; i++)
    g_free (file->entries[i].name);
  g_free (file->entries);
  g_hash_table_unref (file->by_name);
  g_hash_table_unref (file->meta);
  g_ptr_array_unref (file->meta_keys);
  g_free (file->bytes);
  g_free (file->name);
  g_free (file);
}

size_t
sw_safetensors_n_tensors (const SwStFile *file)
{
  return file->n_entries;
}

const SwStEntry *
sw_safetensors_entry (const SwStFile *file, size_t i)
{
  g_return_val_if_fail (i < file->n_entries, NULL);
  return &file->entries[i];
}

const SwStEntry *
sw_safetensors_find (const SwStFile *file, const char *name)
{
  return g_hash_table_lookup (file->by_name, name);
}

const char *
sw_safetensors_meta (const SwStFile *file, const char *key)
{
  return g_hash_table_lookup (file->meta, key);
}

gboolean
sw_safetensors_meta_int (const SwStFile *file, const char *key, int lo, int hi,
                         int *out, GError **error)
{
  const char *s = sw_safetensors_meta (file, key);
  gint64 v;
  if (!s)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "“%s”: metadata field “%s” is missing", file->name, key);
      return FALSE;
    }
  if (!g_ascii_string_to_signed (s, 10, lo, hi, &v, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "“%s”: metadata field “%s” is “%s”; accepted: an integer from %d to %d",
                   file->name, key, s, lo, hi);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

char **
sw_safetensors_meta_keys (const SwStFile *file)
{
  char **keys = g_new (char *, file->meta_keys->len + 1);

  for (guint i = 0; i < file->meta_keys->len; i++)
    keys[i] = g_strdup (g_ptr_array_index (file->meta_keys, i));
  keys[file->meta_keys->len] = NULL;
  return keys;
}

gboolean
sw_safetensors_read_f32 (const SwStFile *file,
                         const char     *name,
                         int             ndim,
                         const int64_t  *shape,
                         float          *dst,
                         GError        **error)
{
  const SwStEntry *e;
  const guint8 *src;
  size_t numel;

  g_return_val_if_fail (file != NULL && name != NULL, FALSE);

  if (ndim < 0 || ndim > SW_ST_MAX_DIMS)
    return sw_file_error (error, SW_ERROR_INVALID, file->name,
                 "tensor “%s”: %d dimensions asked for; accepted are 0 to %d",
                 name, ndim, SW_ST_MAX_DIMS);
  e = sw_safetensors_find (file, name);
  if (e == NULL)
    return sw_file_error (error, SW_ERROR_SHAPE, file->name, "tensor “%s” is missing", name);
  if (e->ndim != ndim || (ndim > 0 && memcmp (e->shape, shape, ndim * sizeof *shape) != 0))
    {
      g_autofree char *want = format_shape (ndim, shape);
      g_autofree char *have = format_shape (e->ndim, e->shape);
      return sw_file_error (error, SW_ERROR_SHAPE, file->name,
                   "tensor “%s”: expected shape %s, found %s", name, want, have);
    }

  /* Validated at open: the bytes are in the data section and match. */
  src = file->data + e->begin;
  numel = (size_t) ((e->end - e->begin) / dtype_info[e->dtype].size);
  for (size_t i = 0; i < numel; i++)
    switch (e->dtype)
      {
      case SW_DTYPE_F32:
        {
          uint32_t bits = (uint32_t) get_le (src + 4 * i, 4);
          memcpy (&dst[i], &bits, sizeof bits);
        }
        break;
      case SW_DTYPE_F16:
        dst[i] = sw_f16_to_f32 ((uint16_t) get_le (src + 2 * i, 2));
        break;
      case SW_DTYPE_BF16:
        dst[i] = sw_bf16_to_f32 ((uint16_t) get_le (src + 2 * i, 2));
        break;
      }
  return TRUE;
}

gboolean
sw_safetensors_read_finite (const SwStFile *file,
                            const char     *name,
                            int             ndim,
                            const int64_t  *shape,
                            float          *dst,
                            GError        **error)
{
  if (!sw_safetensors_read_f32 (file, name, ndim, shape, dst, error))
    return FALSE;
  const SwStEntry *e = sw_safetensors_find (file, name);
  const size_t numel = (size_t) ((e->end - e->begin) / dtype_info[e->dtype].size);
  for (size_t i = 0; i < numel; i++)
    if (!isfinite (dst[i]))
      return sw_file_error (error, SW_ERROR_FORMAT, file->name,
                            "tensor “%s” holds %g at index %zu; accepted: finite values only "
                            "(the file is damaged)", name, dst[i], i);
  return TRUE;
}

/* Saving */

static gboolean
append_metadata (GString *header, const char *display, const char * const *meta, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_string_append (header, "\"__metadata__\":{");
  for (size_t i = 0; meta[i] != NULL; i += 2)
    {
      const char *key = meta[i], *value = meta[i + 1];

      if (value == NULL)
        return sw_file_error (error, SW_ERROR_INVALID, display, "metadata key “%s” has no value", key);
      if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        return sw_file_error (error, SW_ERROR_INVALID, display,
                     "metadata key %zu or its value is not valid UTF-8", i / 2);
      if (!g_hash_table_add (seen, (gpointer) key))
        return sw_file_error (error, SW_ERROR_INVALID, display, "metadata key “%s” is given twice", key);
      if (i > 0)
        g_string_append_c (header, ',');
      sw_json_append_string (header, key);
      g_string_append_c (header, ':');
      sw_json_append_string (header, value);
    }
  g_string_append_c (header, '}');
  return TRUE;
}

static gboolean
check_tensor_in (const char *display, const SwStTensorIn *t, size_t index,
                 GHashTable *seen, uint64_t *numel, GError **error)
{
  if (t->name == NULL || !g_utf8_validate (t->name, -1, NULL))
    return sw_file_error (error, SW_ERROR_INVALID, display,
                 "tensor %zu: the name must be a UTF-8 string", index);
  if (strcmp (t->name, "__metadata__") == 0)
    return sw_file_error (error, SW_ERROR_INVALID, display,
                 "tensor %zu: the name “__metadata__” is reserved", index);
  if (!g_hash_table_add (seen, (gpointer) t->name))
    return sw_file_error (error, SW_ERROR_INVALID, display, "tensor “%s” is given twice", t->name);
  if (t->ndim < 0 || t->ndim > SW_ST_MAX_DIMS)
    return sw_file_error (error, SW_ERROR_INVALID, display,
                 "tensor “%s”: %d dimensions; accepted are 0 to %d",
                 t->name, t->ndim, SW_ST_MAX_DIMS);
  if (!count_elements (t->ndim, t->shape, numel) || *numel > G_MAXSIZE / sizeof (float))
    {
      g_autofree char *shape = format_shape (t->ndim, t->shape);
      return sw_file_error (error, SW_ERROR_INVALID, display,
                   "tensor “%s”: shape %s must be non-negative and not overflow",
                   t->name, shape);
    }
  if (t->data == NULL && *numel > 0)
    return sw_file_error (error, SW_ERROR_INVALID, display, "tensor “%s” has no data", t->name);
  return TRUE;
}

/* The JSON header, space-padded so the data section starts 8-aligned. */
static GString *
build_header (const char *display, const SwStTensorIn *tensors, size_t n_tensors,
              const char * const *meta, SwDtype dtype, GError **error)
{
  g_autoptr(GString) header = g_string_new ("{");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  uint64_t offset = 0;

  if (meta != NULL && meta[0] != NULL && !append_metadata (header, display, meta, error))
    return NULL;
  for (size_t i = 0; i < n_tensors; i++)
    {
      const SwStTensorIn *t = &tensors[i];
      g_autofree char *shape = NULL;
      uint64_t numel = 0, end;

      if (!check_tensor_in (display, t, i, seen, &numel, error))
        return NULL;
      shape = format_shape (t->ndim, t->shape);
      end = offset + numel * dtype_info[dtype].size;
      if (header->len > 1)
        g_string_append_c (header, ',');
      sw_json_append_string (header, t->name);
      g_string_append_printf (header,
                              ":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%"
                              G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]}",
                              dtype_info[dtype].name, shape, offset, end);
      offset = end;
    }
  g_string_append_c (header, '}');
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');
  return g_steal_pointer (&header);
}

static gboolean
write_tensor_data (FILE *fp, const SwStTensorIn *t, SwDtype dtype)
{
  guint8 buf[16384];
  size_t fill = 0, esize = dtype_info[dtype].size;
  uint64_t numel = 0;

  count_elements (t->ndim, t->shape, &numel);  /* checked in build_header */
  for (size_t i = 0; i < numel; i++)
    {
      if (fill + esize > sizeof buf)
        {
          if (fwrite (buf, 1, fill, fp) != fill)
            return FALSE;
          fill = 0;
        }
      if (dtype == SW_DTYPE_F16)
        put_le (buf + fill, sw_f32_to_f16 (t->data[i]), 2);
      else
        {
          uint32_t bits;
          memcpy (&bits, &t->data[i], sizeof bits);
          put_le (buf + fill, bits, 4);
        }
      fill += esize;
    }
  return fwrite (buf, 1, fill, fp) == fill;
}

static gboolean
write_contents (FILE *fp, const GString *header, const SwStTensorIn *tensors,
                size_t n_tensors, SwDtype dtype)
{
  guint8 size[8];

  put_le (size, header->len, 8);
  if (fwrite (size, 1, sizeof size, fp) != sizeof size
      || fwrite (header->str, 1, header->len, fp) != header->len)
    return FALSE;
  for (size_t i = 0; i < n_tensors; i++)
    if (!write_tensor_data (fp, &tensors[i], dtype))
      return FALSE;
  return fflush (fp) == 0 && fsync (fileno (fp)) == 0;
}

/* Makes the rename itself survive a crash.  The new file is complete
 * either way, so a failure here is not reported. */
static void
sync_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Readers see either the old file or the complete new one: the data goes to
 * a temporary file in the same directory (so rename() stays within one
 * filesystem and is atomic), is synced, and only then replaces PATH. */
static gboolean
write_atomically (const char *path, const char *display, const GString *header,
                  const SwStTensorIn *tensors, size_t n_tensors, SwDtype dtype,
                  GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  const char *step = "could not write";
  gboolean ok;
  FILE *fp;
  int fd, saved_errno;

  /* 0666 less the umask, like any other file the user saves, rather than
   * the 0600 of g_mkstemp(). */
  fd = g_mkstemp_full (tmp, O_WRONLY, 0666);
  if (fd < 0)
    {
      saved_errno = errno;
      return sw_file_error (error, SW_ERROR_IO, display, "could not create a temporary file beside it: %s",
                   g_strerror (saved_errno));
    }
  fp = fdopen (fd, "wb");
  if (fp == NULL)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (tmp);
      return sw_file_error (error, SW_ERROR_IO, display, "could not write: %s", g_strerror (saved_errno));
    }

  ok = write_contents (fp, header, tensors, n_tensors, dtype);
  saved_errno = errno;
  if (fclose (fp) != 0 && ok)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      ok = FALSE;
      saved_errno = errno;
      step = "could not replace the file";
    }
  if (!ok)
    {
      g_unlink (tmp);
      return sw_file_error (error, SW_ERROR_IO, display, "%s: %s", step, g_strerror (saved_errno));
    }
  sync_directory (path);
  return TRUE;
}

gboolean
sw_safetensors_save (const char          *path,
                     const SwStTensorIn  *tensors,
                     size_t               n_tensors,
                     const char * const  *meta,
                     SwDtype              dtype,
                     GError             **error)
{
  g_autoptr(GString) header = NULL;
  g_autofree char *display = NULL;
  g_autofree char *target = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (tensors != NULL || n_tensors == 0, FALSE);

  display = g_filename_display_name (path);
  if (dtype != SW_DTYPE_F32 && dtype != SW_DTYPE_F16)
    return sw_file_error (error, SW_ERROR_INVALID, display,
                 "cannot write dtype %s; accepted for writing are F32 and F16",
                 (unsigned) dtype < G_N_ELEMENTS (dtype_info) ? dtype_info[dtype].name : "(unknown)");
  header = build_header (display, tensors, n_tensors, meta, dtype, error);
  return header != NULL && (target = sw_output_target (path, error)) != NULL
         && write_atomically (target, display, header, tensors, n_tensors, dtype, error);
}
