/* emoji-build.c: a list of emoji → images, captions and counts
 * (emoji-build.h). */
#include "emoji-build.h"

#include "data/emoji-list.h"

#include <string.h>

/* Whether no pixel of RGB (3 planes of P pixels) has channels further
 * apart than SW_EMOJI_GREY_SPREAD */
static gboolean
is_grey (const guint8 *rgb, int P)
{
  for (int i = 0; i < P; i++)
    {
      int r = rgb[i], g = rgb[P + i], b = rgb[2 * P + i];
      if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > SW_EMOJI_GREY_SPREAD)
        return FALSE;
    }
  return TRUE;
}

SwEmojiSet *
sw_emoji_set_build (SwEmojiRenderer *renderer, const SwEmojiCaptions *captions,
                    const GArray *emoji, int size, GError **error)
{
  g_return_val_if_fail (renderer != NULL && captions != NULL && emoji != NULL, NULL);
  g_return_val_if_fail (size >= SW_EMOJI_MIN_SIZE && size <= SW_EMOJI_MAX_SIZE, NULL);

  const guint image_bytes = 3u * size * size;
  g_autoptr (SwEmojiSet) set = g_new0 (SwEmojiSet, 1);
  set->size = size;
  g_autoptr (GByteArray) pixels = g_byte_array_sized_new (emoji->len * image_bytes);
  g_autoptr (GPtrArray) caption_list = g_ptr_array_new_null_terminated (emoji->len, g_free, TRUE);
  g_autoptr (GPtrArray) codepoint_list = g_ptr_array_new_null_terminated (emoji->len, g_free, TRUE);
  g_autofree guint8 *rgb = g_new (guint8, image_bytes);

  for (guint i = 0; i < emoji->len; i++)
    {
      const SwEmoji *e = &g_array_index (emoji, SwEmoji, i);
      SwEmojiOutcome outcome;
      if (!sw_emoji_render (renderer, e->text, size, rgb, &outcome, error))
        return NULL;
      switch (outcome)
        {
        case SW_EMOJI_MISSING_GLYPH: set->n_missing++; continue;
        case SW_EMOJI_MULTI_GLYPH:   set->n_multi++;   continue;
        case SW_EMOJI_BLANK:         set->n_blank++;   continue;
        case SW_EMOJI_DRAWN:         break;
        }
      g_byte_array_append (pixels, rgb, image_bytes);
      set->n_grey += is_grey (rgb, size * size);
      char *caption = sw_emoji_captions_lookup (captions, e->text);
      if (caption == NULL)
        {
          set->n_unannotated++;
          caption = g_strdup (e->name);
        }
      g_ptr_array_add (caption_list, caption);
      g_ptr_array_add (codepoint_list, g_strdup (e->codepoints));
    }
  set->n = (int) caption_list->len;
  set->pixels = g_byte_array_free (g_steal_pointer (&pixels), FALSE);
  set->captions = (char **) g_ptr_array_free (g_steal_pointer (&caption_list), FALSE);
  set->codepoints = (char **) g_ptr_array_free (g_steal_pointer (&codepoint_list), FALSE);
  return g_steal_pointer (&set);
}

void
sw_emoji_set_downsample (SwEmojiSet *set, int factor)
{
  g_return_if_fail (set != NULL && factor >= 1 && set->size % factor == 0);

  const int S = set->size, s = S / factor, area = factor * factor;
  guint8 *out = g_new (guint8, (size_t) set->n * 3 * s * s);
  set->n_grey = 0;
  for (int i = 0; i < set->n; i++)
    {
      guint8 *dst = out + (size_t) i * 3 * s * s;
      for (int c = 0; c < 3; c++)
        {
          const guint8 *plane = set->pixels + ((size_t) i * 3 + c) * S * S;
          for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++)
              {
                int sum = 0;
                for (int dy = 0; dy < factor; dy++)
                  for (int dx = 0; dx < factor; dx++)
                    sum += plane[(y * factor + dy) * S + x * factor + dx];
                /* the mean, halves rounded up */
                dst[(c * s + y) * s + x] = (guint8) ((sum + area / 2) / area);
              }
        }
      set->n_grey += is_grey (dst, s * s);
    }
  g_free (set->pixels);
  set->pixels = out;
  set->size = s;
}

void
sw_emoji_set_free (SwEmojiSet *set)
{
  if (set == NULL)
    return;
  g_free (set->pixels);
  g_strfreev (set->captions);
  g_strfreev (set->codepoints);
  g_free (set);
}

/* Where each licence comes from: the Debian package's copyright file (or
 * the common licence text it points to), and what it covers */
static const struct {
  const char *path;
  const char *covers;
} licence_files[] = {
  { "/usr/share/doc/fonts-noto-color-emoji/copyright",
    "Noto Color Emoji: the glyph art (Apache-2.0) and the font (SIL OFL 1.1)" },
  { "/usr/share/common-licenses/Apache-2.0",
    "the Apache License 2.0, which the copyright file above refers to" },
  { "/usr/share/doc/unicode-data/copyright",
    "emoji-test.txt: the list of emoji and their code points (Unicode licence)" },
  { "/usr/share/doc/unicode-cldr-core/copyright",
    "CLDR annotations: the names and keywords in the captions (Unicode-DFS-2016)" },
};

char *
sw_emoji_licenses (const char *scaled, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_string_printf (text,
    "Stepwise's emoji dataset\n"
    "\n"
    "The images are Noto Color Emoji's glyphs (Google Inc., Debian package\n"
    "fonts-noto-color-emoji), shaped with HarfBuzz, scaled down to %s and\n"
    "drawn on white by “stepwise-cli emoji-dataset”. The glyph art is licensed\n"
    "under the Apache License 2.0 and the font under the SIL Open Font License 1.1.\n"
    "The emoji list (emoji-test.txt, Debian package unicode-data) and the names and\n"
    "keywords in captions.txt (CLDR annotations en.xml and annotationsDerived/en.xml,\n"
    "Debian package unicode-cldr-core) are Unicode, Inc.'s data, used under the\n"
    "Unicode licence. Images and captions are modified from these sources.\n"
    "\n"
    "Below, verbatim, the files that state these terms:\n", scaled);

  for (size_t i = 0; i < G_N_ELEMENTS (licence_files); i++)
    {
      g_autofree char *contents = NULL;
      g_autoptr (GError) local = NULL;
      if (!g_file_get_contents (licence_files[i].path, &contents, NULL, &local))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_IO,
                       "the licence of %s must ship beside the dataset: %s",
                       licence_files[i].covers, local->message);
          return NULL;
        }
      g_string_append_printf (text, "\n\n==== %s\n==== %s\n\n%s", licence_files[i].path,
                              licence_files[i].covers, contents);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
