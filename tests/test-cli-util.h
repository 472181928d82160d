/* test-cli-util.h: running stepwise-cli (STEPWISE_CLI, set by meson) as a
 * user would, for the CLI tests. */
#pragma once

#include <gio/gio.h>
#include <string.h>

#include "io/json.h"
#include "io/png.h"

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

/* a run of ARGS then TAIL (may be NULL) that succeeds and prints one
 * line, the PNG OUT it wrote; returns the PNG's bytes, its size in *WIDTH
 * and *HEIGHT (either may be NULL) */
static inline GBytes *
expect_png_with (const char * const *args, const char * const *tail, const char *out,
                 int *width, int *height)
{
  g_auto (Run) r = run_cli_with (args, tail);
  g_test_message ("%s → %d: %s", args[0], r.status, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *line = g_strdup_printf ("%s\n", out);
  g_assert_cmpstr (r.out, ==, line);
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (out, &data, &len, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) data, len, width, height, NULL, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* a 64 x 64 PPM at PATH: a red disc on white, as a rough drawing */
static inline void
write_disc_drawing (const char *path)
{
  GString *ppm = g_string_new ("P6\n64 64\n255\n");
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      {
        gboolean ink = (x - 32) * (x - 32) + (y - 32) * (y - 32) < 20 * 20;
        g_string_append_c (ppm, (char) 255);
        g_string_append_c (ppm, (char) (ink ? 0 : 255));
        g_string_append_c (ppm, (char) (ink ? 0 : 255));
      }
  g_assert_true (g_file_set_contents (path, ppm->str, (gssize) ppm->len, NULL));
  g_string_free (ppm, TRUE);
}

/* a SIZE x SIZE PGM mask at PATH, white (regenerate) in its top half */
static inline void
write_top_mask_file (const char *path, int size)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "P5\n%d %d\n255\n", size, size);
  for (int i = 0; i < size * size; i++)
    g_string_append_c (m, (char) (i < size * size / 2 ? 255 : 0));
  g_assert_true (g_file_set_contents (path, m->str, (gssize) m->len, NULL));
  g_string_free (m, TRUE);
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

/* the value of KEY in the JSON object O */
static inline const SwJson *
json_member (const SwJson *o, const char *key)
{
  g_assert_cmpint (o->type, ==, SW_JSON_OBJECT);
  for (size_t i = 0; i < o->object.n; i++)
    if (strcmp (o->object.members[i].key, key) == 0)
      return o->object.members[i].value;
  g_error ("no “%s” in the JSON object", key);
}
