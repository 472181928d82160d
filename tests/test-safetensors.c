/* Tests for the JSON parser and the safetensors reader and writer.
 *
 * Malformed files are built in memory, one per defect, and each must fail
 * with its own message: the test checks distinctive substrings (the tensor
 * or field and what is wrong with it), not just that loading fails. */
#include "io/json.h"
#include "io/output-file.h"
#include "io/safetensors.h"

#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Helpers */

static void
assert_message_has (const GError *error, const char * const *parts)
{
  for (size_t i = 0; parts[i] != NULL; i++)
    if (strstr (error->message, parts[i]) == NULL)
      g_error ("message “%s” lacks “%s”", error->message, parts[i]);
}

static guint32
float_bits (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  return u;
}

static float
bits_float (guint32 u)
{
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}

/* A safetensors file: the 8-byte little-endian SIZE_FIELD (0: the header's
 * real length), HEADER with every ' turned into " so that tables stay
 * readable, then DATA_SIZE zero bytes. */
static GByteArray *
build_file (const char *header, guint64 size_field, size_t data_size)
{
  g_autofree char *json = g_strdelimit (g_strdup (header), "'", '"');
  GByteArray *file = g_byte_array_new ();
  guint8 prefix[8];

  if (size_field == 0)
    size_field = strlen (json);
  for (int i = 0; i < 8; i++)
    prefix[i] = (guint8) (size_field >> (8 * i));
  g_byte_array_append (file, prefix, 8);
  g_byte_array_append (file, (const guint8 *) json, (guint) strlen (json));
  g_byte_array_set_size (file, file->len + (guint) data_size);
  memset (file->data + file->len - data_size, 0, data_size);
  return file;
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("stepwise-st-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static char **
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* Fails if anything but ONLY (or nothing, when NULL) is in DIR: a
 * leftover temporary file would show up here. */
static void
assert_dir_holds (const char *dir, const char *only)
{
  g_auto(GStrv) names = list_dir (dir);

  if (only == NULL)
    g_assert_cmpuint (g_strv_length (names), ==, 0);
  else
    {
      g_assert_cmpuint (g_strv_length (names), ==, 1);
      g_assert_cmpstr (names[0], ==, only);
    }
}

static void
remove_dir (const char *path)
{
  g_auto(GStrv) names = list_dir (path);

  for (size_t i = 0; names[i] != NULL; i++)
    {
      g_autofree char *child = g_build_filename (path, names[i], NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_dir (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

/* JSON */

static SwJson *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  SwJson *root = sw_json_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  return root;
}

static void
assert_json_error (const char *text, size_t len, const char *part1, const char *part2)
{
  g_autoptr(GError) error = NULL;
  const char *parts[] = { part1, part2, NULL };
  SwJson *root = sw_json_parse (text, len, &error);

  g_assert_null (root);
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  assert_message_has (error, parts);
}

static void
test_json_values (void)
{
  g_autoptr(SwJson) root =
    parse_ok (" {\"a\": [1, -2.5e3, true, false, null, \"x\", {}, []],\n"
              "  \"big\": 9223372036854775807, \"bigger\": 9223372036854775808,"
              "  \"a\": -0 } ");
  const SwJson *a;

  g_assert_cmpint (root->type, ==, SW_JSON_OBJECT);
  g_assert_cmpuint (root->object.n, ==, 4);
  /* duplicate keys are kept, in order, for the caller to judge */
  g_assert_cmpstr (root->object.members[0].key, ==, "a");
  g_assert_cmpstr (root->object.members[3].key, ==, "a");

  a = root->object.members[0].value;
  g_assert_cmpint (a->type, ==, SW_JSON_ARRAY);
  g_assert_cmpuint (a->array.n, ==, 8);
  g_assert_true (a->array.items[0]->number.is_int);
  g_assert_cmpint (a->array.items[0]->number.int_value, ==, 1);
  g_assert_false (a->array.items[1]->number.is_int);
  g_assert_cmpfloat (a->array.items[1]->number.value, ==, -2500.0);
  g_assert_true (a->array.items[2]->boolean);
  g_assert_false (a->array.items[3]->boolean);
  g_assert_cmpint (a->array.items[4]->type, ==, SW_JSON_NULL);
  g_assert_cmpstr (a->array.items[5]->string.data, ==, "x");
  g_assert_cmpuint (a->array.items[6]->object.n, ==, 0);
  g_assert_cmpuint (a->array.items[7]->array.n, ==, 0);

  g_assert_true (root->object.members[1].value->number.is_int);
  g_assert_cmpint (root->object.members[1].value->number.int_value, ==, G_MAXINT64);
  /* out of int64 range: still a number, but not an exact integer */
  g_assert_false (root->object.members[2].value->number.is_int);
  g_assert_cmpfloat (root->object.members[2].value->number.value, ==, 9223372036854775808.0);
}

static void
test_json_escapes (void)
{
  g_autoptr(SwJson) simple = parse_ok ("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"");
  g_autoptr(SwJson) bmp = parse_ok ("\"caf\\u00e9 \\u20AC\"");
  g_autoptr(SwJson) pair = parse_ok ("\"\\ud83d\\ude00\"");
  g_autoptr(SwJson) nul = parse_ok ("\"a\\u0000b\"");
  g_autoptr(SwJson) raw = parse_ok ("\"é😀\"");

  g_assert_cmpstr (simple->string.data, ==, "q\" b\\ s/ \b\f\n\r\t");
  g_assert_cmpstr (bmp->string.data, ==, "café €");
  g_assert_cmpstr (pair->string.data, ==, "😀");
  g_assert_cmpstr (raw->string.data, ==, "é😀");
  g_assert_cmpuint (nul->string.len, ==, 3);
  g_assert_cmpmem (nul->string.data, 3, "a\0b", 3);

  assert_json_error ("\"\\ud83d\"", 8, "at byte 1", "not followed by a low surrogate");
  assert_json_error ("\"\\ud83d\\u0041\"", 14, "at byte 1", "not a low surrogate");
  assert_json_error ("\"\\ude00\"", 8, "at byte 1", "lone low surrogate");
  assert_json_error ("\"\\u12g4\"", 8, "at byte 5", "four hex digits");
  assert_json_error ("\"\\x\"", 4, "at byte 2", "an escape");
  assert_json_error ("\"tab\there\"", 10, "at byte 4", "control character 0x09");
  assert_json_error ("\"abc", 4, "at byte 0", "unterminated string");
  assert_json_error ("\"a\xc3\"", 4, "at byte 2", "invalid UTF-8");
  assert_json_error ("\"\xed\xa0\x80\"", 5, "at byte 1", "invalid UTF-8");  /* encoded surrogate */
}

static void
test_json_bad_numbers (void)
{
  static const struct { const char *text, *part; } cases[] = {
    { "01", "leading zeros" },
    { "-012", "leading zeros" },
    { "1.", "a digit after the decimal point" },
    { "1.e5", "a digit after the decimal point" },
    { ".5", "expected a JSON value" },
    { "-", "expected a digit" },
    { "-x", "expected a digit" },
    { "+1", "expected a JSON value" },
    { "1e", "a digit in the exponent" },
    { "1e+", "a digit in the exponent" },
    { "NaN", "expected a JSON value" },
    { "Infinity", "expected a JSON value" },
    { "0x10", "nothing after the JSON value" },
    { "--1", "expected a digit" },
    { "1 2", "nothing after the JSON value" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_json_error (cases[i].text, strlen (cases[i].text), "at byte", cases[i].part);

  {
    g_autoptr(SwJson) ok = parse_ok ("[0, -0, 0.5, 1E3, 1e-3, 12.5e+2, -1]");
    g_assert_cmpfloat (ok->array.items[3]->number.value, ==, 1000.0);
    g_assert_cmpfloat (ok->array.items[5]->number.value, ==, 1250.0);
    g_assert_cmpint (ok->array.items[6]->number.int_value, ==, -1);
  }
}

static void
test_json_depth (void)
{
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *huge = g_strnfill (1000000, '[');
  g_autoptr(SwJson) root = NULL;

  for (int i = 0; i < SW_JSON_MAX_DEPTH; i++)
    g_string_append (ok, i % 2 ? "{\"k\":" : "[");
  g_string_append (ok, "0");
  for (int i = SW_JSON_MAX_DEPTH - 1; i >= 0; i--)
    g_string_append (ok, i % 2 ? "}" : "]");
  root = parse_ok (ok->str);

  g_string_append (deep, "[");
  g_string_append (deep, ok->str);
  g_string_append (deep, "]");
  assert_json_error (deep->str, deep->len, "nested deeper than 64 levels", NULL);
  /* must fail fast, not overflow the stack */
  assert_json_error (huge, strlen (huge), "at byte 64:", "nested deeper");
}

static void
test_json_errors (void)
{
  g_autoptr(SwJson) bounded = NULL;

  assert_json_error ("", 0, "at byte 0", "unexpected end of input");
  assert_json_error ("  ", 2, "at byte 2", "unexpected end of input");
  assert_json_error ("{\"a\" 1}", 7, "at byte 5", "‘:’ after an object key");
  assert_json_error ("{\"a\":1,}", 8, "at byte 7", "a string key");
  assert_json_error ("{a:1}", 5, "at byte 1", "a string key");
  assert_json_error ("[1,]", 4, "at byte 3", "a JSON value");
  assert_json_error ("[1 2]", 5, "at byte 3", "‘,’ or ‘]’");
  assert_json_error ("{\"a\":1 \"b\":2}", 13, "at byte 7", "‘,’ or ‘}’");
  assert_json_error ("{} x", 4, "at byte 3", "nothing after the JSON value");
  assert_json_error ("tru", 3, "at byte 0", "a JSON value");
  assert_json_error ("nul", 3, "at byte 0", "a JSON value");
  assert_json_error ("[\xff]", 3, "at byte 1", "unexpected byte 0xFF");
  assert_json_error ("[1]\0", 4, "at byte 3", "unexpected byte 0x00");

  /* nothing past LEN is read */
  bounded = sw_json_parse ("[1]garbage", 3, NULL);
  g_assert_nonnull (bounded);
}

static void
test_json_write_string (void)
{
  const char *original = "quote\" back\\ nl\n cr\r tab\t bell\x07 é 😀";
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(SwJson) back = NULL;

  sw_json_append_string (out, original);
  g_assert_null (strchr (out->str, '\n'));
  back = parse_ok (out->str);
  g_assert_cmpstr (back->string.data, ==, original);
}

/* Half precision */

static void
test_f16_conversion (void)
{
  static const struct { float f; guint16 h; } cases[] = {
    { 0.0f, 0x0000 },
    { -0.0f, 0x8000 },
    { 1.0f, 0x3c00 },
    { -2.0f, 0xc000 },
    { 65504.0f, 0x7bff },                 /* largest finite half */
    { 65519.99f, 0x7bff },
    { 65520.0f, 0x7c00 },                 /* tie goes to even: infinity */
    { 1e10f, 0x7c00 },
    { 1.0f + 0x1p-11f, 0x3c00 },          /* tie between 0x3c00, 0x3c01: even */
    { 1.0f + 3 * 0x1p-11f, 0x3c02 },      /* tie between 0x3c01, 0x3c02: even */
    { 1.0f + 0x1p-11f + 0x1p-20f, 0x3c01 },
    { 0x1p-14f, 0x0400 },                 /* smallest normal */
    { 0x1p-14f - 0x1p-25f, 0x0400 },      /* tie from subnormal into normal */
    { 0x1p-24f, 0x0001 },                 /* smallest subnormal */
    { 0x1p-25f, 0x0000 },                 /* tie: even is zero */
    { 0x1p-25f + 0x1p-40f, 0x0001 },
    { 3 * 0x1p-25f, 0x0002 },             /* tie between 1 and 2: even */
    { -0x1p-26f, 0x8000 },
    { FLT_TRUE_MIN, 0x0000 },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    if (sw_f32_to_f16 (cases[i].f) != cases[i].h)
      g_error ("%a became 0x%04x, expected 0x%04x",
               (double) cases[i].f, sw_f32_to_f16 (cases[i].f), cases[i].h);
  g_assert_cmphex (sw_f32_to_f16 (INFINITY), ==, 0x7c00);
  g_assert_cmphex (sw_f32_to_f16 (-INFINITY), ==, 0xfc00);
  g_assert_true (isnan (sw_f16_to_f32 (sw_f32_to_f16 (NAN))));

  /* Every half survives half -> float -> half exactly. */
  for (guint32 h = 0; h <= 0xffff; h++)
    {
      float f = sw_f16_to_f32 ((guint16) h);
      if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0)
        {
          g_assert_true (isnan (f));
          g_assert_cmphex (sw_f32_to_f16 (f) & 0x7fff, >, 0x7c00);
        }
      else
        g_assert_cmphex (sw_f32_to_f16 (f), ==, h);
    }

  /* Random floats in range round to a nearest half. */
  for (int i = 0; i < 200000; i++)
    {
      float f = bits_float (g_test_rand_int ());
      guint16 h;
      float r, down, up;

      if (!isfinite (f) || fabsf (f) >= 65504.0f)
        continue;
      h = sw_f32_to_f16 (f);
      r = sw_f16_to_f32 (h);
      g_assert_true (signbit (r) == signbit (f));
      down = (h & 0x7fff) > 0 ? sw_f16_to_f32 (h - 1) : r;
      up = sw_f16_to_f32 (h + 1);
      g_assert_cmpfloat (fabs ((double) r - f), <=, fabs ((double) down - f));
      g_assert_cmpfloat (fabs ((double) r - f), <=, fabs ((double) up - f));
    }

  g_assert_cmpfloat (sw_bf16_to_f32 (0x3f80), ==, 1.0f);
  g_assert_cmpfloat (sw_bf16_to_f32 (0xc000), ==, -2.0f);
}

/* Round trips */

static SwStFile *
open_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  SwStFile *file = sw_safetensors_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);
  return file;
}

static void
save_ok (const char *path, const SwStTensorIn *t, size_t n, const char * const *meta,
         SwDtype dtype)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (sw_safetensors_save (path, t, n, meta, dtype, &error));
  g_assert_no_error (error);
}

/* Checks the layout other readers rely on: 8-aligned data section, header
 * starting with '{', offsets contiguous from 0 to the end of the file. */
static void
assert_canonical_layout (const char *path, const SwStFile *file)
{
  g_autofree char *bytes = NULL;
  gsize len;
  guint64 header_len = 0, expect = 0;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  for (int i = 7; i >= 0; i--)
    header_len = (header_len << 8) | (guint8) bytes[i];
  g_assert_cmpuint (header_len % 8, ==, 0);
  g_assert_cmpint (bytes[8], ==, '{');
  for (size_t i = 0; i < sw_safetensors_n_tensors (file); i++)
    {
      const SwStEntry *e = sw_safetensors_entry (file, i);
      g_assert_cmpuint (e->begin, ==, expect);
      expect = e->end;
    }
  g_assert_cmpuint (8 + header_len + expect, ==, len);
}

static void
test_f32_round_trip (void)
{
  static const float specials[] = {
    0.0f, -0.0f, 1.0f, -1.5f, 3.14159265f, 1.0f / 3.0f,
    FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1e-40f, -3e-39f,  /* denormals */
    FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN, -NAN,
  };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  const size_t n_big = 64 * 3 * 3 * 33;  /* bigger than the writer's buffer */
  g_autofree float *big = g_new (float, n_big);
  g_autofree float *back = g_new (float, n_big);
  g_autoptr(SwStFile) file = NULL;
  g_autoptr(GError) error = NULL;
  SwStTensorIn tensors[] = {
    { "specials", 1, { G_N_ELEMENTS (specials) }, specials },
    { "down1.conv.weight", 4, { 64, 3, 3, 33 }, big },
  };
  const SwStEntry *e;

  for (size_t i = 0; i < n_big; i++)
    big[i] = bits_float (g_test_rand_int ());
  save_ok (path, tensors, G_N_ELEMENTS (tensors), NULL, SW_DTYPE_F32);
  file = open_ok (path);
  assert_canonical_layout (path, file);

  g_assert_cmpuint (sw_safetensors_n_tensors (file), ==, 2);
  e = sw_safetensors_entry (file, 1);
  g_assert_cmpstr (e->name, ==, "down1.conv.weight");
  g_assert_cmpint (e->dtype, ==, SW_DTYPE_F32);
  g_assert_cmpint (e->ndim, ==, 4);
  g_assert_cmpint (e->shape[3], ==, 33);
  g_assert_true (sw_safetensors_find (file, "specials") == sw_safetensors_entry (file, 0));
  g_assert_null (sw_safetensors_find (file, "nothing"));
  g_assert_null (sw_safetensors_meta (file, "anything"));

  g_assert_true (sw_safetensors_read_f32 (file, "specials", 1, tensors[0].shape, back, &error));
  g_assert_no_error (error);
  for (size_t i = 0; i < G_N_ELEMENTS (specials); i++)
    g_assert_cmphex (float_bits (back[i]), ==, float_bits (specials[i]));
  g_assert_true (sw_safetensors_read_f32 (file, "down1.conv.weight", 4, tensors[1].shape,
                                          back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, n_big * sizeof (float), big, n_big * sizeof (float));

  remove_dir (dir);
}

static void
test_f16_round_trip (void)
{
  static const float exact[] = {
    0.0f, -0.0f, 1.0f, -2.0f, 0.5f, 65504.0f, -65504.0f, 0x1p-14f, 0x1p-24f, 1.5f,
    1024.0f, 0.099975586f, INFINITY, -INFINITY,
  };
  float inexact[100];
  float back[100];
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "half.safetensors", NULL);
  g_autoptr(SwStFile) file = NULL;
  g_autoptr(GError) error = NULL;
  SwStTensorIn tensors[] = {
    { "exact", 2, { 2, G_N_ELEMENTS (exact) / 2 }, exact },
    { "inexact", 1, { G_N_ELEMENTS (inexact) }, inexact },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (inexact); i++)
    inexact[i] = (float) g_test_rand_double_range (-1000.0, 1000.0);
  save_ok (path, tensors, G_N_ELEMENTS (tensors), NULL, SW_DTYPE_F16);
  file = open_ok (path);
  assert_canonical_layout (path, file);
  g_assert_cmpint (sw_safetensors_entry (file, 0)->dtype, ==, SW_DTYPE_F16);
  g_assert_cmpuint (sw_safetensors_entry (file, 0)->end, ==, 2 * G_N_ELEMENTS (exact));

  g_assert_true (sw_safetensors_read_f32 (file, "exact", 2, tensors[0].shape, back, &error));
  g_assert_no_error (error);
  for (size_t i = 0; i < G_N_ELEMENTS (exact); i++)
    g_assert_cmphex (float_bits (back[i]), ==, float_bits (exact[i]));

  g_assert_true (sw_safetensors_read_f32 (file, "inexact", 1, tensors[1].shape, back, &error));
  g_assert_no_error (error);
  for (size_t i = 0; i < G_N_ELEMENTS (inexact); i++)
    g_assert_cmpfloat_with_epsilon (back[i], inexact[i], fabsf (inexact[i]) * 0x1p-11f + 0x1p-25f);

  remove_dir (dir);
}

static void
test_bf16_read (void)
{
  static const guint16 bf16[] = { 0x3f80, 0xc000, 0x4049, 0x7f80, 0x0001, 0x8000 };
  g_autoptr(GByteArray) bytes =
    build_file ("{'w':{'dtype':'BF16','shape':[2,3],'data_offsets':[0,12]}}", 0, 12);
  guint8 *data = bytes->data + bytes->len - 12;
  const int64_t shape[] = { 2, 3 };
  float out[6];
  g_autoptr(GError) error = NULL;
  g_autoptr(SwStFile) file = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (bf16); i++)
    {
      data[2 * i] = bf16[i] & 0xff;       /* little-endian, written by hand */
      data[2 * i + 1] = bf16[i] >> 8;
    }
  file = sw_safetensors_open_bytes (bytes->data, bytes->len, "bf16", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_safetensors_find (file, "w")->dtype, ==, SW_DTYPE_BF16);
  g_assert_true (sw_safetensors_read_f32 (file, "w", 2, shape, out, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (out[0], ==, 1.0f);
  g_assert_cmpfloat (out[1], ==, -2.0f);
  g_assert_cmpfloat (out[2], ==, 3.140625f);
  g_assert_cmpfloat (out[3], ==, INFINITY);
  g_assert_cmphex (float_bits (out[4]), ==, 0x00010000);
  g_assert_cmphex (float_bits (out[5]), ==, 0x80000000);
}

static void
test_metadata (void)
{
  static const char * const meta[] = {
    "epoch", "12",
    "note", "tab\there \"quoted\" back\\slash é 😀",
    "empty", "",
    NULL,
  };
  static const float one = 1.0f;
  SwStTensorIn t = { "scalar", 0, { 0 }, &one };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "meta.safetensors", NULL);
  g_autoptr(SwStFile) file = NULL;

  save_ok (path, &t, 1, meta, SW_DTYPE_F32);
  file = open_ok (path);
  for (size_t i = 0; meta[i] != NULL; i += 2)
    g_assert_cmpstr (sw_safetensors_meta (file, meta[i]), ==, meta[i + 1]);
  g_assert_null (sw_safetensors_meta (file, "missing"));
  {
    g_auto(GStrv) keys = sw_safetensors_meta_keys (file);
    const char *expect[] = { "epoch", "note", "empty", NULL };
    g_assert_cmpstrv (keys, expect);
  }
  g_assert_cmpint (sw_safetensors_find (file, "scalar")->ndim, ==, 0);
  g_clear_pointer (&file, sw_safetensors_close);

  /* no tensors at all, metadata only */
  save_ok (path, NULL, 0, meta, SW_DTYPE_F32);
  file = open_ok (path);
  g_assert_cmpuint (sw_safetensors_n_tensors (file), ==, 0);
  g_assert_cmpstr (sw_safetensors_meta (file, "epoch"), ==, "12");

  remove_dir (dir);
}

static void
test_empty_tensors (void)
{
  static const float value = 42.0f;
  SwStTensorIn tensors[] = {
    { "scalar", 0, { 0 }, &value },
    { "empty", 2, { 0, 3 }, NULL },
    { "after", 1, { 1 }, &value },
  };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "e.safetensors", NULL);
  g_autoptr(SwStFile) file = NULL;
  g_autoptr(GError) error = NULL;
  float out = 0.0f;

  save_ok (path, tensors, G_N_ELEMENTS (tensors), NULL, SW_DTYPE_F32);
  file = open_ok (path);
  assert_canonical_layout (path, file);
  g_assert_true (sw_safetensors_read_f32 (file, "scalar", 0, NULL, &out, &error));
  g_assert_cmpfloat (out, ==, 42.0f);
  g_assert_true (sw_safetensors_read_f32 (file, "empty", 2, tensors[1].shape, NULL, &error));
  g_assert_no_error (error);

  remove_dir (dir);
}

static void
test_atomic_save (void)
{
  static const float a[] = { 1, 2, 3, 4 };
  static const float b[] = { 5, 6 };
  SwStTensorIn ta = { "w", 1, { 4 }, a };
  SwStTensorIn tb = { "w", 1, { 2 }, b };
  SwStTensorIn twice[] = { ta, tb };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "m.safetensors", NULL);
  g_autofree char *under_file = g_build_filename (path, "m.safetensors", NULL);
  g_autofree char *subdir = g_build_filename (dir, "sub", NULL);
  g_autofree char *onto_dir = g_build_filename (subdir, "taken", NULL);
  g_autoptr(SwStFile) file = NULL;
  g_autoptr(GError) error = NULL;
  float out[2];

  save_ok (path, &ta, 1, NULL, SW_DTYPE_F32);
  assert_dir_holds (dir, "model.safetensors");
  /* replacing an existing file */
  save_ok (path, &tb, 1, NULL, SW_DTYPE_F32);
  assert_dir_holds (dir, "model.safetensors");
  file = open_ok (path);
  g_assert_true (sw_safetensors_read_f32 (file, "w", 1, tb.shape, out, &error));
  g_assert_cmpfloat (out[1], ==, 6.0f);

  /* Invalid input fails before anything is written. */
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  g_assert_false (sw_safetensors_save (path, &ta, 1, NULL, SW_DTYPE_BF16, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  assert_message_has (error, (const char *[]) { "BF16", "F32 and F16", NULL });
  g_clear_error (&error);
  g_assert_false (sw_safetensors_save (path, twice, 2, NULL, SW_DTYPE_F32, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  assert_message_has (error, (const char *[]) { "tensor “w” is given twice", NULL });
  g_clear_error (&error);
  g_assert_false (sw_safetensors_save (path, &ta, 1, (const char *[]) { "key", NULL },
                                       SW_DTYPE_F32, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  assert_message_has (error, (const char *[]) { "metadata key “key” has no value", NULL });
  g_clear_error (&error);
  {
    SwStTensorIn bad_dims = { "w", 9, { 1 }, a };
    SwStTensorIn negative = { "w", 2, { 2, -2 }, a };
    g_assert_false (sw_safetensors_save (path, &bad_dims, 1, NULL, SW_DTYPE_F32, &error));
    g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
    assert_message_has (error, (const char *[]) { "tensor “w”: 9 dimensions", NULL });
    g_clear_error (&error);
    g_assert_false (sw_safetensors_save (path, &negative, 1, NULL, SW_DTYPE_F32, &error));
    g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
    assert_message_has (error, (const char *[]) { "tensor “w”: shape [2, -2]", NULL });
    g_clear_error (&error);
  }
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  assert_dir_holds (dir, "model.safetensors");

  /* Unwritable places give errors, not crashes. */
  g_assert_false (sw_safetensors_save (missing, &ta, 1, NULL, SW_DTYPE_F32, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_IO);
  assert_message_has (error, (const char *[]) { "no-such-dir", "temporary file", NULL });
  g_clear_error (&error);
  g_assert_false (sw_safetensors_save (under_file, &ta, 1, NULL, SW_DTYPE_F32, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_IO);
  g_clear_error (&error);

  /* A directory is refused before anything is written (output-file.h),
   * leaving no temporary file. */
  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (onto_dir, 0755), ==, 0);
  g_assert_false (sw_safetensors_save (onto_dir, &ta, 1, NULL, SW_DTYPE_F32, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_IO);
  assert_message_has (error, (const char *[]) { "is not a regular file", NULL });
  g_clear_error (&error);
  assert_dir_holds (subdir, "taken");

  /* Root may write anywhere, so only other users can test permissions. */
  if (geteuid () != 0)
    {
      g_autofree char *locked = g_build_filename (subdir, "m.safetensors", NULL);
      g_assert_cmpint (g_chmod (subdir, 0555), ==, 0);
      g_assert_false (sw_safetensors_save (locked, &ta, 1, NULL, SW_DTYPE_F32, &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_IO);
      g_clear_error (&error);
      g_assert_cmpint (g_chmod (subdir, 0755), ==, 0);
      assert_dir_holds (subdir, "taken");
    }

  remove_dir (dir);
}

static void
test_read_errors (void)
{
  g_autoptr(GByteArray) bytes =
    build_file ("{'w':{'dtype':'F32','shape':[2,3],'data_offsets':[0,24]}}", 0, 24);
  g_autoptr(GError) error = NULL;
  g_autoptr(SwStFile) file = sw_safetensors_open_bytes (bytes->data, bytes->len, "m.st", &error);
  const int64_t wrong[] = { 3, 2 }, flat[] = { 6 }, nine[9] = { 0 };
  float out[6];

  g_assert_no_error (error);
  g_assert_false (sw_safetensors_read_f32 (file, "nope", 2, wrong, out, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_SHAPE);
  assert_message_has (error, (const char *[]) { "“m.st”", "tensor “nope” is missing", NULL });
  g_clear_error (&error);

  g_assert_false (sw_safetensors_read_f32 (file, "w", 2, wrong, out, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_SHAPE);
  assert_message_has (error, (const char *[]) { "tensor “w”", "expected shape [3, 2], found [2, 3]", NULL });
  g_clear_error (&error);

  g_assert_false (sw_safetensors_read_f32 (file, "w", 1, flat, out, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_SHAPE);
  assert_message_has (error, (const char *[]) { "expected shape [6], found [2, 3]", NULL });
  g_clear_error (&error);

  g_assert_false (sw_safetensors_read_f32 (file, "w", 9, nine, out, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (sw_safetensors_open ("/nonexistent/stepwise.safetensors", &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_IO);
  assert_message_has (error, (const char *[]) { "stepwise.safetensors", NULL });
}

/* Files written by PyTorch for the engine's reference tests, found like
 * test-unet.c finds them: $STEPWISE_TEST_DATA/reference. */
static void
test_reference_files (void)
{
  static const char * const names[] = {
    "unet-class-28.safetensors", "unet-time-add-28.safetensors",
    "unet-time-mul-32.safetensors", "unet-uncond-28.safetensors",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *data_dir = g_getenv ("STEPWISE_TEST_DATA");
      g_autofree char *path = g_build_filename (data_dir ? data_dir : ".", "reference",
                                                names[i], NULL);
      g_autoptr(SwStFile) file = NULL;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_test_skip ("reference files not found; set STEPWISE_TEST_DATA to tests/");
          return;
        }
      file = open_ok (path);
      g_assert_nonnull (sw_safetensors_meta (file, "param_count"));
      g_assert_cmpuint (sw_safetensors_n_tensors (file), >, 10);
      for (size_t j = 0; j < sw_safetensors_n_tensors (file); j++)
        {
          const SwStEntry *e = sw_safetensors_entry (file, j);
          g_autofree float *buf = g_new (float, (e->end - e->begin) / 4 + 1);
          g_autoptr(GError) error = NULL;

          g_assert_cmpint (e->dtype, ==, SW_DTYPE_F32);
          g_assert_true (sw_safetensors_read_f32 (file, e->name, e->ndim, e->shape, buf, &error));
          g_assert_no_error (error);
        }
    }
}

/* The malformed corpus */

typedef struct {
  const char *test;        /* test path component */
  const char *header;      /* see build_file(); NULL: use RAW */
  guint64     size_field;  /* 0: the header's length */
  size_t      data_size;
  const char *raw;         /* the whole file, when HEADER is NULL */
  size_t      raw_len;
  const char *expect[4];   /* substrings of the message */
} Malformed;

#define ENTRY(dtype, shape, offsets) \
  "{'dtype':'" dtype "','shape':" shape ",'data_offsets':" offsets "}"

static const Malformed malformed[] = {
  { "empty-file", NULL, 0, 0, "", 0,
    { "file is empty", "8-byte header size" } },
  { "five-bytes", NULL, 0, 0, "\x01\x02\x03\x04\x05", 5,
    { "only 5 bytes", "too short for the 8-byte header size" } },
  { "header-beyond-file", "{}", 64, 0, NULL, 0,
    { "header size of 64 bytes extends beyond the end of the 10-byte file" } },
  { "header-size-huge", "{}", G_GUINT64_CONSTANT (0xffffffffffffff00), 0, NULL, 0,
    { "header size of 18446744073709551360 bytes is over the limit of 100000000" } },
  { "header-size-just-over-limit", "{}", 100000001, 0, NULL, 0,
    { "100000001 bytes is over the limit" } },
  { "truncated-json", "{'w':{'dtype':'F32','shape':[1],", 0, 4, NULL, 0,
    { "header is not valid JSON", "unexpected end of input" } },
  { "json-not-object", "[1,2]", 0, 0, NULL, 0,
    { "header must be a JSON object", "found an array" } },
  { "trailing-garbage", "{}x", 0, 0, NULL, 0,
    { "not valid JSON", "at byte 2", "nothing after the JSON value" } },
  { "non-utf8-header", "{'w\xff':" ENTRY ("F32", "[1]", "[0,4]") "}", 0, 4, NULL, 0,
    { "not valid JSON", "at byte 3", "invalid UTF-8" } },
  { "entry-not-object", "{'w':[1]}", 0, 0, NULL, 0,
    { "tensor “w”: entry must be an object", "found an array" } },
  { "missing-dtype", "{'w':{'shape':[1],'data_offsets':[0,4]}}", 0, 4, NULL, 0,
    { "tensor “w”: missing “dtype”", "accepted dtypes are F32, F16 and BF16" } },
  { "dtype-f64", "{'w':" ENTRY ("F64", "[1]", "[0,8]") "}", 0, 8, NULL, 0,
    { "tensor “w”: dtype “F64” is not supported", "accepted dtypes are F32, F16 and BF16" } },
  { "dtype-i8", "{'w':" ENTRY ("I8", "[1]", "[0,1]") "}", 0, 1, NULL, 0,
    { "tensor “w”: dtype “I8” is not supported", "accepted dtypes are F32, F16 and BF16" } },
  { "dtype-not-string", "{'w':{'dtype':32,'shape':[1],'data_offsets':[0,4]}}", 0, 4, NULL, 0,
    { "tensor “w”: dtype 32 is not supported" } },
  { "shape-not-array", "{'w':" ENTRY ("F32", "4", "[0,16]") "}", 0, 16, NULL, 0,
    { "tensor “w”: shape must be an array of non-negative integers, found 4" } },
  { "shape-negative", "{'w':" ENTRY ("F32", "[2,-3]", "[0,24]") "}", 0, 24, NULL, 0,
    { "tensor “w”: shape dimension 1 is -3", "must be non-negative integers" } },
  { "shape-fraction", "{'w':" ENTRY ("F32", "[2.5]", "[0,8]") "}", 0, 8, NULL, 0,
    { "tensor “w”: shape dimension 0 is 2.5" } },
  { "shape-string-dim", "{'w':" ENTRY ("F32", "['2']", "[0,8]") "}", 0, 8, NULL, 0,
    { "tensor “w”: shape dimension 0 is “2”" } },
  { "shape-too-many-dims", "{'w':" ENTRY ("F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}", 0, 4, NULL, 0,
    { "tensor “w”: shape has 9 dimensions; at most 8 are accepted" } },
  { "shape-overflow", "{'w':" ENTRY ("F32", "[4294967296,4294967296,4294967296]", "[0,0]") "}",
    0, 0, NULL, 0,
    { "tensor “w”: shape [4294967296, 4294967296, 4294967296] has too many elements" } },
  { "shape-deeply-nested", "{'w':{'dtype':'F32','shape':"
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 0, 0, NULL, 0,
    { "not valid JSON", "nested deeper than 64 levels" } },
  { "offsets-missing", "{'w':{'dtype':'F32','shape':[1]}}", 0, 4, NULL, 0,
    { "tensor “w”: missing “data_offsets”" } },
  { "offsets-wrong-length", "{'w':" ENTRY ("F32", "[1]", "[0,4,8]") "}", 0, 8, NULL, 0,
    { "tensor “w”: data_offsets must be two non-negative integers", "found an array of 3 elements" } },
  { "offsets-not-array", "{'w':" ENTRY ("F32", "[1]", "'0-4'") "}", 0, 4, NULL, 0,
    { "tensor “w”: data_offsets must be two", "found “0-4”" } },
  { "offsets-negative", "{'w':" ENTRY ("F32", "[1]", "[-4,0]") "}", 0, 4, NULL, 0,
    { "tensor “w”: data_offsets begin is -4", "non-negative integers" } },
  { "offsets-beyond-int64", "{'w':" ENTRY ("F32", "[1]", "[0,99999999999999999999]") "}", 0, 4, NULL, 0,
    { "tensor “w”: data_offsets end is 1e+20" } },
  { "begin-after-end", "{'w':" ENTRY ("F32", "[1]", "[8,4]") "}", 0, 8, NULL, 0,
    { "tensor “w”: data_offsets [8, 4] are reversed" } },
  { "end-beyond-data", "{'down1.conv.weight':" ENTRY ("F32", "[1024]", "[0,4096]") "}", 0, 2048, NULL, 0,
    { "tensor “down1.conv.weight”: data_offsets [0, 4096] extend beyond the 2048-byte data section" } },
  { "size-mismatch", "{'w':" ENTRY ("F32", "[2,2]", "[0,12]") "}", 0, 16, NULL, 0,
    { "tensor “w”: data_offsets [0, 12] hold 12 bytes but F32 shape [2, 2] needs 16" } },
  { "size-mismatch-f16", "{'h':" ENTRY ("F16", "[3]", "[0,12]") "}", 0, 12, NULL, 0,
    { "tensor “h”:", "hold 12 bytes but F16 shape [3] needs 6" } },
  { "overlapping-tensors",
    "{'a':" ENTRY ("F32", "[4]", "[0,16]") ",'b':" ENTRY ("F32", "[4]", "[8,24]") "}", 0, 24, NULL, 0,
    { "tensors “a” [0, 16] and “b” [8, 24] overlap" } },
  { "overlapping-unsorted",
    "{'c':" ENTRY ("F32", "[1]", "[40,44]") ",'b':" ENTRY ("F32", "[2]", "[36,44]") ","
    "'a':" ENTRY ("F32", "[10]", "[0,40]") "}", 0, 44, NULL, 0,
    { "tensors “a” [0, 40] and “b” [36, 44] overlap" } },
  { "duplicate-names",
    "{'w':" ENTRY ("F32", "[1]", "[0,4]") ",'w':" ENTRY ("F32", "[1]", "[4,8]") "}", 0, 8, NULL, 0,
    { "tensor “w” appears twice in the header" } },
  { "duplicate-field", "{'w':{'dtype':'F32','dtype':'F16','shape':[1],'data_offsets':[0,4]}}",
    0, 4, NULL, 0,
    { "tensor “w”: “dtype” appears twice" } },
  { "nul-in-name", "{'w\\u0000x':" ENTRY ("F32", "[1]", "[0,4]") "}", 0, 4, NULL, 0,
    { "tensor name containing a NUL character" } },
  { "metadata-not-object", "{'__metadata__':['a']}", 0, 0, NULL, 0,
    { "“__metadata__” must be an object of string values, found an array" } },
  { "metadata-value-not-string", "{'__metadata__':{'name':'x','epoch':3}}", 0, 0, NULL, 0,
    { "“__metadata__” value for “epoch” is 3; metadata values must be strings" } },
  { "metadata-duplicate-key", "{'__metadata__':{'epoch':'1','epoch':'2'}}", 0, 0, NULL, 0,
    { "“__metadata__” has the key “epoch” twice" } },
  { "metadata-twice", "{'__metadata__':{},'__metadata__':{}}", 0, 0, NULL, 0,
    { "“__metadata__” appears twice" } },
};

static void
test_malformed (gconstpointer data)
{
  const Malformed *m = data;
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SwStFile) file = NULL;

  if (m->header != NULL)
    bytes = build_file (m->header, m->size_field, m->data_size);
  else
    bytes = g_byte_array_append (g_byte_array_new (), (const guint8 *) m->raw, (guint) m->raw_len);

  file = sw_safetensors_open_bytes (bytes->data, bytes->len, "bad.safetensors", &error);
  g_assert_null (file);
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "“bad.safetensors”: "));
  assert_message_has (error, m->expect);
}

/* The same check through a real file, as the app loads them. */
static void
test_malformed_on_disk (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.safetensors", NULL);
  g_autoptr(GByteArray) bytes =
    build_file ("{'w':" ENTRY ("F32", "[2,2]", "[0,12]") "}", 0, 16);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  g_assert_null (sw_safetensors_open (path, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  assert_message_has (error, (const char *[]) { path, "hold 12 bytes", NULL });
  remove_dir (dir);
}

/* Only regular files are read: a pipe without a writer and a device are
 * refused at once, not waited on or read without end; a 3 GB (sparse)
 * file with a bad header fails on its header without its data being read;
 * a good one's declared data is read, trailing bytes not needed. */
static void
test_not_regular (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "fifo.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  const char *paths[] = { fifo, "/dev/zero", dir };
  for (size_t i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_assert_null (sw_safetensors_open (paths[i], &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_IO);
      assert_message_has (error, (const char *[]) { "is not a regular file", NULL });
      g_clear_error (&error);
    }

  g_autofree char *big = g_build_filename (dir, "big.safetensors", NULL);
  g_assert_true (g_file_set_contents (big, "\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10, NULL));
  g_assert_cmpint (truncate (big, (off_t) 3 << 30), ==, 0);
  const gint64 t0 = g_get_monotonic_time ();
  g_assert_null (sw_safetensors_open (big, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  assert_message_has (error, (const char *[]) { "over the limit", NULL });
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
  g_clear_error (&error);

  g_autofree char *trailing = g_build_filename (dir, "trailing.safetensors", NULL);
  g_autoptr(GByteArray) bytes = build_file ("{'w':" ENTRY ("F32", "[2]", "[0,8]") "}", 0, 8);
  const float w[2] = { 1.5f, -2.0f };
  memcpy (bytes->data + bytes->len - 8, w, sizeof w);
  g_byte_array_append (bytes, (const guint8 *) "junk", 4);
  g_assert_true (g_file_set_contents (trailing, (const char *) bytes->data, bytes->len, NULL));
  g_autoptr(SwStFile) file = sw_safetensors_open (trailing, &error);
  g_assert_no_error (error);
  float back[2];
  g_assert_true (sw_safetensors_read_f32 (file, "w", 1, (const int64_t[]) { 2 }, back, &error));
  g_assert_cmpmem (back, sizeof back, w, sizeof w);
  remove_dir (dir);
}

/* An output path: a link is written through and stays a link (also a
 * dangling one, whose target is created), a device, folder or pipe is
 * refused and left alone, a loop of links is an error (output-file.h). */
static void
test_output_target (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *real = g_build_filename (dir, "real.safetensors", NULL);
  g_autofree char *link = g_build_filename (dir, "link.safetensors", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling.png", NULL);
  g_autofree char *loop = g_build_filename (dir, "loop", NULL);
  g_autoptr(GError) error = NULL;
  static const float one = 1.0f;
  SwStTensorIn t = { "w", 1, { 1 }, &one };
  g_assert_true (g_file_set_contents (real, "old", -1, NULL));
  g_assert_cmpint (symlink ("real.safetensors", link), ==, 0);
  g_assert_true (sw_safetensors_save (link, &t, 1, NULL, SW_DTYPE_F32, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_autoptr(SwStFile) file = open_ok (real);

  g_assert_cmpint (symlink ("made.png", dangling), ==, 0);
  g_assert_true (sw_output_write (dangling, "png", 3, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dangling, G_FILE_TEST_IS_SYMLINK));
  g_autofree char *made = g_build_filename (dir, "made.png", NULL);
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));

  const char *refused[] = { "/dev/null", dir };
  for (size_t i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (sw_output_write (refused[i], "png", 3, &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_IO);
      assert_message_has (error, (const char *[]) { "is not a regular file", "accepted: a regular file", NULL });
      g_clear_error (&error);
      g_assert_false (sw_safetensors_save (refused[i], &t, 1, NULL, SW_DTYPE_F32, &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_IO);
      g_clear_error (&error);
    }
  g_assert_true (g_file_test ("/dev/null", G_FILE_TEST_EXISTS)
                 && !g_file_test ("/dev/null", G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (symlink ("loop", loop), ==, 0);
  g_assert_false (sw_output_write (loop, "png", 3, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_IO);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/values", test_json_values);
  g_test_add_func ("/json/escapes", test_json_escapes);
  g_test_add_func ("/json/bad-numbers", test_json_bad_numbers);
  g_test_add_func ("/json/depth", test_json_depth);
  g_test_add_func ("/json/errors", test_json_errors);
  g_test_add_func ("/json/write-string", test_json_write_string);

  g_test_add_func ("/safetensors/f16-conversion", test_f16_conversion);
  g_test_add_func ("/safetensors/f32-round-trip", test_f32_round_trip);
  g_test_add_func ("/safetensors/f16-round-trip", test_f16_round_trip);
  g_test_add_func ("/safetensors/bf16-read", test_bf16_read);
  g_test_add_func ("/safetensors/metadata", test_metadata);
  g_test_add_func ("/safetensors/empty-tensors", test_empty_tensors);
  g_test_add_func ("/safetensors/atomic-save", test_atomic_save);
  g_test_add_func ("/safetensors/read-errors", test_read_errors);
  g_test_add_func ("/safetensors/reference-files", test_reference_files);
  g_test_add_func ("/safetensors/malformed-on-disk", test_malformed_on_disk);
  g_test_add_func ("/safetensors/not-regular", test_not_regular);
  g_test_add_func ("/safetensors/output-target", test_output_target);
  for (size_t i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *name = g_strconcat ("/safetensors/malformed/", malformed[i].test, NULL);
      g_test_add_data_func (name, &malformed[i], test_malformed);
    }

  return g_test_run ();
}
