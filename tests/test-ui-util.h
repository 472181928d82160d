/* test-ui-util.h: what the window tests share: running the main loop
 * until a condition holds or for a while, a window on a models folder
 * (and test-util.h's helpers). */
#pragma once

#include <adwaita.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "stepwise-window.h"
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

/* whether WINDOW has a model selected (a Condition) */
static inline gboolean
ui_window_has_model (gpointer window)
{
  return stepwise_window_get_model (window) != NULL;
}

/* a window on the models of MODEL_DIR, shown, with its model selected
 * and drawn once */
static inline StepwiseWindow *
ui_window_new (const char *model_dir)
{
  StepwiseWindow *window = stepwise_window_new (NULL, model_dir);
  gtk_window_present (GTK_WINDOW (window));
  iterate_until (ui_window_has_model, window, 30);
  iterate_for (300);
  return window;
}

/* closes WINDOW, which destroys it (it is not hidden on close) */
static inline void
ui_window_close (StepwiseWindow *window)
{
  gtk_window_close (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* a window test program's start: settings in memory, and a temporary
 * folder (TEMPLATE as g_dir_make_tmp takes it), returned, that holds the
 * canvas's autosave (XDG_STATE_HOME, its "state") and the results'
 * history (XDG_DATA_HOME, its "data"), set before GLib reads them; then
 * GTK and libadwaita */
static inline char *
ui_test_init (int *argc, char ***argv, const char *template)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  char *dir = g_dir_make_tmp (template, NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  return dir;
}
