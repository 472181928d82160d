#include "train/run-folder.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/error.h"
#include "train/loss-log.h"
#include "train/train-run.h"

int
sw_run_folder_lock (const char *folder, GError **error)
{
  g_autofree char *display = g_filename_display_name (folder);
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      const int saved = errno;
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "cannot create the folder “%s”: %s", display,
                   g_strerror (saved));
      return -1;
    }
  const int fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      const int saved = errno;
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "cannot open the folder “%s”: %s", display,
                   g_strerror (saved));
      return -1;
    }
  /* flock locks belong to the open file, so a second run in this same
   * process is refused too */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      const int saved = errno;
      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, SW_ERROR, SW_ERROR_IO,
                     "the folder “%s” is in use by another training run; wait for it to end, "
                     "or choose another folder", display);
      else
        g_set_error (error, SW_ERROR, SW_ERROR_IO, "cannot lock the folder “%s”: %s", display,
                     g_strerror (saved));
      return -1;
    }
  return fd;
}

void
sw_run_folder_unlock (int lock)
{
  if (lock >= 0)
    close (lock);   /* releases the flock */
}

gboolean
sw_run_folder_holds_run (const char *folder)
{
  static const char *const files[] = {
    SW_TRAIN_RUN_CHECKPOINT, SW_TRAIN_RUN_MODEL, SW_LOSS_LOG_BATCH, SW_LOSS_LOG_EPOCH,
  };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (folder, files[i], NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

char *
sw_run_folder_move_aside (const char *folder, GError **error)
{
  const int lock = sw_run_folder_lock (folder, error);
  if (lock < 0)
    return NULL;
  g_autofree char *trimmed = g_strdup (folder);
  for (size_t n = strlen (trimmed); n > 1 && trimmed[n - 1] == G_DIR_SEPARATOR; n--)
    trimmed[n - 1] = '\0';
  char *aside = NULL;
  int saved = EEXIST;
  for (int k = 1; k <= 1000 && !aside; k++)
    {
      g_autofree char *path = k == 1 ? g_strconcat (trimmed, ".old", NULL)
                                     : g_strdup_printf ("%s.old-%d", trimmed, k);
      /* rename() replaces an empty folder: test first, so that none is */
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (trimmed, path) == 0)
        aside = g_steal_pointer (&path);
      else if ((saved = errno) != EEXIST && saved != ENOTEMPTY)
        break;
    }
  sw_run_folder_unlock (lock);
  if (!aside)
    {
      g_autofree char *display = g_filename_display_name (folder);
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "cannot move the run in “%s” aside: %s", display,
                   g_strerror (saved));
    }
  return aside;
}

/* NAME followed by "." and the six characters g_mkstemp puts there */
static gboolean
is_leftover (const char *file, const char *name)
{
  const size_t n = strlen (name);
  if (strncmp (file, name, n) != 0 || file[n] != '.' || strlen (file + n + 1) != 6)
    return FALSE;
  for (const char *c = file + n + 1; *c; c++)
    if (!g_ascii_isalnum (*c))
      return FALSE;
  return TRUE;
}

void
sw_run_folder_remove_leftovers (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  if (!dir)
    return;
  const char *file;
  while ((file = g_dir_read_name (dir)))
    if (is_leftover (file, SW_TRAIN_RUN_CHECKPOINT) || is_leftover (file, SW_TRAIN_RUN_MODEL))
      {
        g_autofree char *path = g_build_filename (folder, file, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          g_unlink (path);
      }
}
