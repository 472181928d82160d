/* test-util.h: what several test programs share. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Removes a flat temporary folder and the files in it. */
static inline void
sw_test_remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}
