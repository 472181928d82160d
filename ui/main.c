/* main.c: stepwise, the window. */
#include "config.h"

#include <glib/gi18n.h>

#include "blas.h"
#include "stepwise-application.h"

int
main (int argc, char *argv[])
{
  sw_blas_setup (argv);   /* first: it may re-execute the program */
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_autoptr (StepwiseApplication) app = stepwise_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
