/* test-cli-util.h: running stepwise-cli (STEPWISE_CLI, set by meson) as a
 * user would, for the CLI tests. */
#pragma once

#include <gio/gio.h>
#include <string.h>

typedef struct {
  int status;
  char *out, *err;
} Run;

static inline void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* stepwise-cli ARGS... TAIL... (TAIL may be NULL) */
static inline Run
run_cli_with (const char * const *args, const char * const *tail)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) STEPWISE_CLI);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  for (; tail && *tail; tail++)
    g_ptr_array_add (argv, (gpointer) *tail);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv ((const char * const *) argv->pdata,
                                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  Run r = { 0 };
  g_subprocess_communicate_utf8 (p, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));   /* a crash is a failure, not a status */
  r.status = g_subprocess_get_exit_status (p);
  return r;
}

/* a failing run: non-zero status, nothing on stdout, one line on stderr
 * that contains SAYS */
static inline void
expect_error_with (const char * const *args, const char * const *tail, const char *says)
{
  g_auto (Run) r = run_cli_with (args, tail);
  g_test_message ("%s → %d: %s", args[0], r.status, r.err);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpstr (r.out, ==, "");
  if (!strstr (r.err, says))
    g_error ("%s: “%s” does not say “%s”", args[0], r.err, says);
  const char *nl = strchr (r.err, '\n');
  g_assert_true (nl && nl[1] == '\0');
}

/* the figures report in OUT: every figure its index.html shows is there,
 * and there are at least AT_LEAST; returns the HTML */
static inline char *
expect_figures_report (const char *out, int at_least)
{
  g_autofree char *index = g_build_filename (out, "index.html", NULL);
  char *html = NULL;
  g_assert_true (g_file_get_contents (index, &html, NULL, NULL));
  int shown = 0;
  for (const char *p = html; (p = strstr (p, "<img src=\"")); shown++)
    {
      p += strlen ("<img src=\"");
      g_autofree char *name = g_strndup (p, strcspn (p, "\""));
      g_autofree char *file = g_build_filename (out, name, NULL);
      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        g_error ("index.html shows %s, which is not there", name);
    }
  g_assert_cmpint (shown, >=, at_least);
  return html;
}
