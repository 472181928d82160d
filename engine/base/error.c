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
