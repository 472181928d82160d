/* emoji-dataset.c: writes the emoji dataset's files (sw_emoji_dataset_save
 * in dataset.h); dataset.c reads them back. */
#include "data/dataset.h"

#include <errno.h>
#include <string.h>

#include "data/idx.h"

/* LINES[0..N) joined, each ending in '\n'; FALSE if one has a line break,
 * which would shift every later line onto the wrong image */
static gboolean
join_lines (const char * const *lines, int n, const char *what, GString **out, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      if (lines[i] == NULL || strpbrk (lines[i], "\r\n") != NULL)
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "%s %d (counting from 0) is %s; each must be one line of text", what, i,
                       lines[i] ? "more than one line" : "missing");
          return FALSE;
        }
      g_string_append (s, lines[i]);
      g_string_append_c (s, '\n');
    }
  *out = g_steal_pointer (&s);
  return TRUE;
}

static gboolean
save_text (const char *dir, const char *name, const char *text, gssize len, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, text, len, &local))
    {
      g_set_error_literal (error, SW_ERROR, SW_ERROR_IO, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
sw_emoji_dataset_save (const char *dir, int n, int size, const guint8 *pixels,
                       const char * const *captions, const char * const *codepoints,
                       const char *licenses, GError **error)
{
  g_return_val_if_fail (dir != NULL && n > 0 && size > 0 && pixels != NULL, FALSE);
  g_return_val_if_fail (captions != NULL && codepoints != NULL && licenses != NULL, FALSE);

  g_autoptr (GString) caption_text = NULL, codepoint_text = NULL;
  if (!join_lines (captions, n, "caption", &caption_text, error)
      || !join_lines (codepoints, n, "code point line", &codepoint_text, error))
    return FALSE;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *file = g_filename_display_name (dir);
      return sw_file_error (error, SW_ERROR_IO, file, "cannot create the folder: %s",
                            g_strerror (saved));
    }
  g_autofree char *images = g_build_filename (dir, SW_EMOJI_IMAGES_FILE, NULL);
  const int dims[4] = { n, 3, size, size };
  return save_text (dir, SW_EMOJI_CAPTIONS_FILE, caption_text->str, (gssize) caption_text->len,
                    error)
         && save_text (dir, SW_EMOJI_CODEPOINTS_FILE, codepoint_text->str,
                       (gssize) codepoint_text->len, error)
         && save_text (dir, SW_EMOJI_LICENSES_FILE, licenses, -1, error)
         && sw_idx_save (images, 4, dims, pixels, error);
}
