#include "base/error.h"

#include <stdarg.h>

G_DEFINE_QUARK (stepwise-error-quark, sw_error)

gboolean
sw_file_error (GError **error, SwErrorCode code, const char *file, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, SW_ERROR, code, "“%s”: %s", file, msg);
  return FALSE;
}

char *
sw_error_quote (const char *text)
{
  const char *end = text;
  for (int n = 0; *end && n < SW_ERROR_QUOTE_MAX; n++)
    {
      /* one character: a whole UTF-8 sequence, or one stray byte */
      const char *next = g_utf8_find_next_char (end, NULL);
      end = next && g_utf8_get_char_validated (end, next - end) < 0x110000 ? next : end + 1;
    }
  if (*end == '\0')
    return g_strdup (text);
  g_autofree char *start = g_strndup (text, end - text);
  return g_strconcat (start, "…", NULL);
}
