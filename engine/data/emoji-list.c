/* emoji-list.c: emoji-test.txt → the fully-qualified emoji (emoji-list.h). */
#include "data/emoji-list.h"

#include <string.h>

static void
emoji_clear (gpointer p)
{
  SwEmoji *e = p;
  g_free (e->codepoints);
  g_free (e->text);
  g_free (e->name);
}

/* "1F441 FE0F" → UTF-8 text, and the code points as written with single
 * spaces; FALSE with an error for anything but hex scalar values */
static gboolean
parse_codepoints (const char *field, const char *file, int line, char **codepoints,
                  char **text, GError **error)
{
  g_auto (GStrv) tokens = g_strsplit_set (field, " \t", -1);
  g_autoptr (GString) utf8 = g_string_new (NULL), canonical = g_string_new (NULL);

  for (char **t = tokens; *t; t++)
    {
      if (**t == '\0')
        continue;
      guint64 v;
      if (strlen (*t) > 6 || !g_ascii_string_to_unsigned (*t, 16, 0, 0x10FFFF, &v, NULL)
          || !g_unichar_validate ((gunichar) v))
        return sw_file_error (error, SW_ERROR_FORMAT, file,
                              "line %d: “%s” is not a code point; expected hex such as 1F436 "
                              "(at most 10FFFF, not a surrogate)", line, *t);
      g_string_append_unichar (utf8, (gunichar) v);
      g_string_append_printf (canonical, "%s%s", canonical->len ? " " : "", *t);
    }
  if (utf8->len == 0)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                          "line %d: no code points before the “;”", line);
  *text = g_string_free (g_steal_pointer (&utf8), FALSE);
  *codepoints = g_string_free (g_steal_pointer (&canonical), FALSE);
  return TRUE;
}

/* "🐶 E0.6 dog face" → "dog face" (static in COMMENT), or NULL */
static const char *
name_in_comment (const char *comment)
{
  const char *p = comment + strspn (comment, " ");
  p += strcspn (p, " ");                  /* the emoji itself */
  p += strspn (p, " ");
  if (p[0] != 'E' || !g_ascii_isdigit (p[1]))
    return NULL;
  p += strcspn (p, " ");                  /* E<version> */
  p += strspn (p, " ");
  return *p ? p : NULL;
}

gboolean
sw_emoji_list_load (const char *path, GArray **emoji, GError **error)
{
  g_return_val_if_fail (path != NULL && emoji != NULL, FALSE);

  g_autofree char *file = g_filename_display_name (path);
  g_autofree char *contents = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &contents, NULL, &local))
    return sw_file_error (error, SW_ERROR_IO, file, "cannot read it: %s", local->message);
  if (!g_utf8_validate (contents, -1, NULL))
    return sw_file_error (error, SW_ERROR_FORMAT, file, "not UTF-8 text");

  g_autoptr (GArray) list = g_array_new (FALSE, TRUE, sizeof (SwEmoji));
  g_array_set_clear_func (list, emoji_clear);
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      const int line = i + 1;
      g_strchomp (lines[i]);
      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      char *semi = strchr (lines[i], ';'), *hash = semi ? strchr (semi, '#') : NULL;
      if (hash == NULL)
        return sw_file_error (error, SW_ERROR_FORMAT, file,
                              "line %d: expected “CODE POINTS ; STATUS # EMOJI E<version> NAME”",
                              line);
      *semi = *hash = '\0';
      if (strcmp (g_strstrip (semi + 1), "fully-qualified") != 0)
        continue;

      SwEmoji e = { 0 };
      const char *name = name_in_comment (hash + 1);
      if (name == NULL)
        return sw_file_error (error, SW_ERROR_FORMAT, file,
                              "line %d: the comment lacks a name; expected “# EMOJI E<version> "
                              "NAME”", line);
      if (!parse_codepoints (lines[i], file, line, &e.codepoints, &e.text, error))
        return FALSE;
      e.name = g_strdup (name);
      g_array_append_val (list, e);
    }
  if (list->len == 0)
    return sw_file_error (error, SW_ERROR_FORMAT, file,
                          "lists no fully-qualified emoji; expected Unicode's emoji-test.txt");
  *emoji = g_steal_pointer (&list);
  return TRUE;
}
