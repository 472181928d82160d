/* stepwise-cli emoji-dataset: render the emoji dataset from Debian's
 * packages (emoji-build.h) and write it where sw_dataset_load finds it. */
#include <glib.h>
#include <stdio.h>

#include "cli-common.h"
#include "cli.h"
#include "data/dataset.h"
#include "emoji-build.h"
#include "data/emoji-list.h"
#include "figures.h"

/* columns of the contact sheet: 64 x 34 px is about 2,200 px wide */
#define SHEET_COLUMNS 64

static gboolean
contact_sheet (const SwEmojiSet *set, const char *path, GError **error)
{
  const size_t count = (size_t) set->n * 3 * SW_EMOJI_SIZE * SW_EMOJI_SIZE;
  g_autofree float *images = g_new (float, count);
  for (size_t i = 0; i < count; i++)
    images[i] = set->pixels[i] / 255.0f;
  g_autofree char *title = g_strdup_printf ("The emoji dataset: %d images of %d x %d, in the "
                                            "order of emoji-test.txt", set->n, SW_EMOJI_SIZE,
                                            SW_EMOJI_SIZE);
  return sw_figure_image_grid (path, images, set->n, 3, SW_EMOJI_SIZE, SW_EMOJI_SIZE,
                               SHEET_COLUMNS, 1, NULL, title, error);
}

/* The whole build: read the lists, draw, write; the set for the report */
static SwEmojiSet *
build (const char *out_dir, const char *sheet, GError **error)
{
  g_autoptr (GArray) emoji = NULL;
  g_autoptr (SwEmojiCaptions) captions = sw_emoji_captions_new ();
  if (!sw_emoji_list_load (SW_EMOJI_TEST_FILE, &emoji, error)
      || !sw_emoji_captions_load (captions, SW_CLDR_ANNOTATIONS_EN, error)
      || !sw_emoji_captions_load (captions, SW_CLDR_ANNOTATIONS_DERIVED_EN, error))
    return NULL;
  g_autoptr (SwEmojiRenderer) renderer = sw_emoji_renderer_new (SW_EMOJI_FONT, error);
  if (renderer == NULL)
    return NULL;
  g_autoptr (SwEmojiSet) set = sw_emoji_set_build (renderer, captions, emoji, error);
  if (set == NULL)
    return NULL;
  if (set->n == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "the font draws none of the %u emoji as one glyph", emoji->len);
      return NULL;
    }
  g_autofree char *licenses = sw_emoji_licenses (error);
  if (licenses == NULL
      || !sw_emoji_dataset_save (out_dir, set->n, SW_EMOJI_SIZE, set->pixels,
                                 (const char * const *) set->captions,
                                 (const char * const *) set->codepoints, licenses, error)
      || !contact_sheet (set, sheet, error))
    return NULL;
  return g_steal_pointer (&set);
}

int
sw_cli_emoji_dataset (int argc, char **argv)
{
  const char *cmd = "emoji-dataset";
  g_autofree char *out = NULL, *sheet = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "Write the dataset into DIR (default: emoji in Stepwise's dataset folder)", "DIR" },
    { "contact-sheet", 0, 0, G_OPTION_ARG_FILENAME, &sheet,
      "Write every image in one PNG here (default: DIR/contact-sheet.png)", "PNG" },
    G_OPTION_ENTRY_NULL
  };
  if (!sw_cli_parse (cmd, "— render the emoji dataset from Debian's packages",
                     "Every fully-qualified emoji of " SW_EMOJI_TEST_FILE "\n"
                     "(unicode-data) is drawn from Noto Color Emoji (fonts-noto-color-emoji),\n"
                     "centred on white at 32 x 32, and captioned with its CLDR name and keywords\n"
                     "(unicode-cldr-core). An emoji the font lacks, or draws as several glyphs,\n"
                     "is left out and counted. Writes " SW_EMOJI_IMAGES_FILE ", "
                     SW_EMOJI_CAPTIONS_FILE ",\n" SW_EMOJI_CODEPOINTS_FILE " and "
                     SW_EMOJI_LICENSES_FILE ".",
                     entries, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      sw_cli_failf (cmd, "takes no arguments, got “%s”", argv[1]);
      return 2;
    }

  g_autofree char *out_dir = out ? g_strdup (out) : sw_dataset_location ("emoji");
  g_autofree char *sheet_path = sheet ? g_strdup (sheet)
                                      : g_build_filename (out_dir, "contact-sheet.png", NULL);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (SwEmojiSet) set = build (out_dir, sheet_path, &error);
  if (set == NULL)
    return sw_cli_fail (cmd, error);

  g_autofree char *shown_dir = g_filename_display_name (out_dir);
  g_autofree char *shown_sheet = g_filename_display_name (sheet_path);
  printf ("Drew %d emoji into %s (%d of them grey)\n", set->n, shown_dir, set->n_grey);
  printf ("Left out: %d the font lacks, %d it draws as several glyphs, %d blank\n",
          set->n_missing, set->n_multi, set->n_blank);
  printf ("Captions: %d from CLDR, %d with emoji-test.txt's name only (CLDR lacks them)\n",
          set->n - set->n_unannotated, set->n_unannotated);
  printf ("Contact sheet: %s\n", shown_sheet);
  printf ("Took %.1f s\n", (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
