/* stepwise-cli as a user meets it: exit status 0 on success, non-zero
 * with one clear message on any error. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  int status;
  char *out, *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static Run
run_cli (const char * const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) STEPWISE_CLI);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv ((const char * const *) argv->pdata,
                                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  Run r = { 0 };
  g_subprocess_communicate_utf8 (p, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (p);
  return r;
}

/* a failing run: non-zero status, nothing on stdout, one line on stderr
 * that contains SAYS */
static void
expect_error (const char * const *args, const char *says)
{
  g_auto (Run) r = run_cli (args);
  g_test_message ("%s → %d: %s", args[0], r.status, r.err);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, says));
  const char *nl = strchr (r.err, '\n');
  g_assert_true (nl && nl[1] == '\0');
}

static void
test_help (void)
{
  const char *top[] = { "--help", NULL };
  g_auto (Run) r = run_cli (top);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "bench"));
  const char *cmds[] = { "info", "inspect", "bench" };
  for (size_t i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      const char *args[] = { cmds[i], "--help", NULL };
      g_auto (Run) h = run_cli (args);
      g_assert_cmpint (h.status, ==, 0);
      g_assert_nonnull (strstr (h.out, "Usage:"));
    }
}

static void
test_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stepwise-cli-XXXXXX", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.safetensors", NULL);
  g_assert_true (g_file_set_contents (junk, "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":", 14, NULL));

  const char *unknown[] = { "paint", NULL };
  expect_error (unknown, "unknown command “paint”");
  const char *no_file[] = { "inspect", NULL };
  expect_error (no_file, "give exactly one model file");
  const char *missing[] = { "inspect", "/nonexistent/model.safetensors", NULL };
  expect_error (missing, "/nonexistent/model.safetensors");
  const char *bad[] = { "inspect", junk, NULL };
  expect_error (bad, "junk.safetensors");
  const char *seconds[] = { "bench", "--seconds", "-1", NULL };
  expect_error (seconds, "--seconds -1 is out of range; accepted");
  const char *option[] = { "bench", "--fast", NULL };
  expect_error (option, "--fast");

  g_unlink (junk);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/errors", test_errors);
  return g_test_run ();
}
