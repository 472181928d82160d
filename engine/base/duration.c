#include "base/duration.h"

char *
sw_format_duration (double seconds)
{
  long s = (long) (seconds + 0.5);
  if (s >= 3600)
    return g_strdup_printf ("%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%ld:%02ld", s / 60, s % 60);
}
