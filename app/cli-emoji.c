/* stepwise-cli emoji-dataset: render one of the emoji datasets from
 * Debian's packages (emoji-build.h) and write it where sw_dataset_load
 * finds it: emoji at 32 px, emoji64 at 64 px, or emoji16, the 64 px render
 * area-averaged to 16 px. */
#include <glib.h>
#include <stdio.h>

#include "cli-common.h"
#include "cli.h"
#include "data/dataset.h"
#include "emoji-build.h"
#include "data/emoji-list.h"
#include "figures.h"

/* The emoji datasets this command builds: the side they are drawn at,
 * how many times that is shrunk by area averaging, and how LICENSES.txt
 * says so */
typedef struct {
  const char *name;
  int         render, shrink;
  const char *scaled;
} Variant;

static const Variant variants[] = {
  { "emoji", SW_EMOJI_SIZE, 1, "32 x 32" },
  { "emoji64", 64, 1, "64 x 64" },
  { "emoji16", 64, 4, "64 x 64 (then to 16 x 16, each pixel the\nmean of a 4 x 4 block)" },
};

/* a contact sheet about 2,200 px wide: 64 columns of 32 px (34 with the
 * gap), 32 of 64 px, 128 of 16 px */
#define SHEET_WIDTH 2048

static gboolean
contact_sheet (const SwEmojiSet *set, const char *name, const char *path, GError **error)
{
  const int S = set->size;
  const size_t count = (size_t) set->n * 3 * S * S;
  g_autofree float *images = g_new (float, count);
  for (size_t i = 0; i < count; i++)
    images[i] = set->pixels[i] / 255.0f;
  g_autofree char *title = g_strdup_printf ("The %s dataset: %d images of %d x %d, in the "
                                            "order of emoji-test.txt", name, set->n, S, S);
  return sw_figure_image_grid (path, images, set->n, 3, S, S, SHEET_WIDTH / S, 1, NULL, title,
                               error);
}

/* The whole build of V: read the lists, draw, write; the set for the
 * report */
static SwEmojiSet *
build (const Variant *v, const char *out_dir, const char *sheet, GError **error)
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
  g_autoptr (SwEmojiSet) set = sw_emoji_set_build (renderer, captions, emoji, v->render, error);
  if (set == NULL)
    return NULL;
  if (set->n == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "the font draws none of the %u emoji as one glyph", emoji->len);
      return NULL;
    }
  sw_emoji_set_downsample (set, v->shrink);
  g_autofree char *licenses = sw_emoji_licenses (v->scaled, error);
  if (licenses == NULL
      || !sw_emoji_dataset_save (out_dir, set->n, set->size, set->pixels,
                                 (const char * const *) set->captions,
                                 (const char * const *) set->codepoints, licenses, error)
      || !contact_sheet (set, v->name, sheet, error))
    return NULL;
  return g_steal_pointer (&set);
}

int
sw_cli_emoji_dataset (int argc, char **argv)
{
  const char *cmd = "emoji-dataset";
  g_autofree char *out = NULL, *sheet = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &name,
      "emoji (32 x 32), emoji64 (64 x 64) or emoji16 (the 64 x 64 render area-averaged to "
      "16 x 16) (default: emoji)", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "Write the dataset into DIR (default: NAME in Stepwise's dataset folder)", "DIR" },
    { "contact-sheet", 0, 0, G_OPTION_ARG_FILENAME, &sheet,
      "Write every image in one PNG here (default: DIR/contact-sheet.png)", "PNG" },
    G_OPTION_ENTRY_NULL
  };
  if (!sw_cli_parse (cmd, "— render the emoji dataset from Debian's packages",
                     "Every fully-qualified emoji of " SW_EMOJI_TEST_FILE "\n"
                     "(unicode-data) is drawn from Noto Color Emoji (fonts-noto-color-emoji),\n"
                     "centred on white at 32 x 32 (emoji), 64 x 64 (emoji64) or 64 x 64 then\n"
                     "averaged over 4 x 4 blocks (emoji16), and captioned with its CLDR name and\n"
                     "keywords (unicode-cldr-core). An emoji the font lacks, or draws as several glyphs,\n"
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

  const Variant *v = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS (variants); i++)
    if (g_strcmp0 (name ? name : "emoji", variants[i].name) == 0)
      v = &variants[i];
  if (v == NULL)
    return sw_cli_failf (cmd, "--dataset “%s” is not an emoji dataset; accepted: emoji, emoji64, "
                         "emoji16", name);

  g_autofree char *out_dir = out ? g_strdup (out) : sw_dataset_location (v->name);
  g_autofree char *sheet_path = sheet ? g_strdup (sheet)
                                      : g_build_filename (out_dir, "contact-sheet.png", NULL);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (SwEmojiSet) set = build (v, out_dir, sheet_path, &error);
  if (set == NULL)
    return sw_cli_fail (cmd, error);

  g_autofree char *shown_dir = g_filename_display_name (out_dir);
  g_autofree char *shown_sheet = g_filename_display_name (sheet_path);
  printf ("Drew %d emoji into %s (%d of them grey)\n", set->n, shown_dir, set->n_grey);
  printf ("Each %d x %d%s\n", set->size, set->size,
          v->shrink > 1 ? ", the mean of a block of the 64 x 64 render" : "");
  printf ("Left out: %d the font lacks, %d it draws as several glyphs, %d blank\n",
          set->n_missing, set->n_multi, set->n_blank);
  printf ("Captions: %d from CLDR, %d with emoji-test.txt's name only (CLDR lacks them)\n",
          set->n - set->n_unannotated, set->n_unannotated);
  printf ("Contact sheet: %s\n", shown_sheet);
  printf ("Took %.1f s\n", (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
