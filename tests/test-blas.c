/* OpenBLAS kernel choice: only a generic core is replaced, never a value
 * the user set; the program runs on whatever core it ends up with. */
#include <cblas.h>
#include <gio/gio.h>
#include <string.h>

#include "base/blas.h"

static void
test_better_core (void)
{
  g_assert_cmpstr (sw_blas_better_core ("Prescott", TRUE, TRUE), ==, "SkylakeX");
  g_assert_cmpstr (sw_blas_better_core ("Prescott", FALSE, TRUE), ==, "Haswell");
  g_assert_null (sw_blas_better_core ("Prescott", FALSE, FALSE));
  g_assert_cmpstr (sw_blas_better_core ("Core2", TRUE, TRUE), ==, "SkylakeX");
  g_assert_cmpstr (sw_blas_better_core ("Nehalem", FALSE, TRUE), ==, "Haswell");
  /* a modern detection is kept */
  g_assert_null (sw_blas_better_core ("Haswell", TRUE, TRUE));
  g_assert_null (sw_blas_better_core ("Zen", TRUE, TRUE));
  g_assert_null (sw_blas_better_core ("SkylakeX", TRUE, TRUE));
  g_assert_null (sw_blas_better_core ("Cooperlake", TRUE, TRUE));
}

/* run a fresh process, so OpenBLAS and libgomp load with VAR = VALUE
 * (unset when VALUE is NULL) */
static char *
cli_info (const char *var, const char *value)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (value)
    g_subprocess_launcher_setenv (l, var, value, TRUE);
  else
    g_subprocess_launcher_unsetenv (l, var);
  g_subprocess_launcher_unsetenv (l, "STEPWISE_WAIT_SET");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawn (l, &error, STEPWISE_CLI, "info", NULL);
  g_assert_no_error (error);
  char *out = NULL;
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (p));
  return out;
}

static void
test_user_choice_kept (void)
{
  g_autofree char *out = cli_info ("OPENBLAS_CORETYPE", "Prescott");
  g_assert_nonnull (strstr (out, "OpenBLAS core: Prescott (set by the user (OPENBLAS_CORETYPE=Prescott))"));
}

static void
test_own_choice (void)
{
  g_autofree char *out = cli_info ("OPENBLAS_CORETYPE", NULL);
  g_test_message ("%s", out);
  /* either OpenBLAS chose well or Stepwise chose for it; never a generic
   * core on a CPU with AVX2 */
  g_assert_true (strstr (out, "(detected by OpenBLAS)") || strstr (out, "chosen by Stepwise"));
  if (__builtin_cpu_supports ("avx2"))
    g_assert_null (strstr (out, "OpenBLAS core: Prescott"));
}

/* OMP_WAIT_POLICY: passive unless the user chose, and the choice reaches
 * the restarted process (libgomp reads it only while it loads) */
static void
test_wait_policy (void)
{
  g_autofree char *ours = cli_info ("OMP_WAIT_POLICY", NULL);
  g_assert_nonnull (strstr (ours, "OpenMP wait policy: passive (set by Stepwise)"));
  g_autofree char *user = cli_info ("OMP_WAIT_POLICY", "active");
  g_assert_nonnull (strstr (user, "OpenMP wait policy: active (set by the user)"));
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blas/better-core", test_better_core);
  g_test_add_func ("/blas/user-choice-kept", test_user_choice_kept);
  g_test_add_func ("/blas/own-choice", test_own_choice);
  g_test_add_func ("/blas/wait-policy", test_wait_policy);
  return g_test_run ();
}
