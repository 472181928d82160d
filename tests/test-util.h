/* test-util.h: what several test programs share. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "base/error.h"

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

/* ERROR is the engine's CODE, one line that contains SAYS (the message is
 * logged, to read when SAYS is not in it) */
static inline void
sw_test_assert_error (const GError *error, SwErrorCode code, const char *says)
{
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == SW_ERROR);
  g_assert_cmpint (error->code, ==, code);
  if (strstr (error->message, says) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, says);
  g_assert_null (strchr (error->message, '\n'));
}

/* registers FUNC once for each entry of the array CASES (each with a
 * .name), as the test PREFIX/name with the entry as its data */
#define SW_TEST_ADD_CASES(prefix, cases, func)                                          \
  for (size_t sw_case_ = 0; sw_case_ < G_N_ELEMENTS (cases); sw_case_++)                \
    {                                                                                   \
      g_autofree char *sw_path_ = g_strdup_printf ("%s/%s", prefix, (cases)[sw_case_].name); \
      g_test_add_data_func (sw_path_, &(cases)[sw_case_], func);                       \
    }
