/* test-ui-util.h: what the window tests share: running the main loop
 * until a condition holds or for a while (and test-util.h's helpers). */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

#include "test-util.h"

typedef gboolean (*Condition) (gpointer data);

/* runs the main loop until COND holds; fails after TIMEOUT_S */
static inline void
iterate_until (Condition cond, gpointer data, double timeout_s)
{
  const gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  while (!cond (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

/* runs the main loop for MS milliseconds */
static inline void
iterate_for (int ms)
{
  const gint64 end = g_get_monotonic_time () + ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}
