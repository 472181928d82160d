/* main.c: stepwise, the window. */
#include "config.h"

#include <glib/gi18n.h>

#include "base/blas.h"
#include "stepwise-application.h"

int
main (int argc, char *argv[])
{
  sw_blas_setup (argv);   /* first: it may re-execute the program */
  /* run uninstalled (build-aux/dev start), the translations are the
   * build tree's, as the settings schema is */
  const char *localedir = g_getenv ("STEPWISE_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  stepwise_application_keep_settings_without_bus (g_get_user_runtime_dir ());
  g_autoptr (StepwiseApplication) app = stepwise_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
