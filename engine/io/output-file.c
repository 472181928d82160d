#include "io/output-file.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "base/error.h"

/* as the kernel's own limit on links followed in one lookup */
#define MAX_LINKS 40

char *
sw_output_target (const char *path, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *target = g_strdup (path);
  for (int links = 0; links <= MAX_LINKS; links++)
    {
      GStatBuf st;
      if (g_lstat (target, &st) != 0)
        {
          const int saved = errno;
          if (saved == ENOENT)
            return g_steal_pointer (&target);
          g_set_error (error, SW_ERROR, SW_ERROR_IO, "cannot write “%s”: %s", display, g_strerror (saved));
          return NULL;
        }
      if (S_ISREG (st.st_mode))
        return g_steal_pointer (&target);
      if (!S_ISLNK (st.st_mode))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_IO,
                       "cannot write “%s”: it is not a regular file (a folder, device or pipe); "
                       "accepted: a regular file, a link to one, or a new path", display);
          return NULL;
        }
      g_autofree char *link = g_file_read_link (target, error);
      if (!link)
        return NULL;
      g_autofree char *dir = g_path_get_dirname (target);
      g_free (target);
      target = g_path_is_absolute (link) ? g_steal_pointer (&link) : g_build_filename (dir, link, NULL);
    }
  g_set_error (error, SW_ERROR, SW_ERROR_IO, "cannot write “%s”: %s", display, g_strerror (ELOOP));
  return NULL;
}

gboolean
sw_output_write (const char *path, const void *data, size_t len, GError **error)
{
  g_autofree char *target = sw_output_target (path, error);
  return target && g_file_set_contents_full (target, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT,
                                             0666, error);
}
