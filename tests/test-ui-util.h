/* test-ui-util.h: what the window tests share: running the main loop
 * until a condition holds or for a while, and removing a temporary tree. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

typedef gboolean (*Condition) (gpointer data);

/* removes PATH and everything under it */
static inline void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

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
