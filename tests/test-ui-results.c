/* Results (issue 5, "Results"): a PNG saved from the window carries the
 * job's settings in text chunks and restores them, and so does one that
 * stepwise-cli generate --plain wrote (issue 21); the history strip's
 * results survive a restart and stop at STEPWISE_HISTORY_MAX; the
 * trajectory exports as a strip and as an APNG with a frame per step.
 * Runs under Xvfb (see tests/meson.build). */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"
#include "test-cli-util.h"
#include "models/checkpoint.h"
#include "models/prompt-classes.h"
#include "train/recipe.h"
#include "stepwise-history-strip.h"
#include "io/png.h"
#include "stepwise-window.h"
#include "test-model-util.h"
#include "test-ui-util.h"

static char *dir, *model_path;

static gboolean
window_ready (gpointer window)
{
  return stepwise_window_get_model (window) != NULL
         && stepwise_history_get_loaded (stepwise_window_get_history (window));
}

static StepwiseWindow *
new_window (void)
{
  StepwiseWindow *window = stepwise_window_new (NULL, dir);
  gtk_window_present (GTK_WINDOW (window));
  iterate_until (window_ready, window, 30);
  iterate_for (200);
  return window;
}

static void
close_window (StepwiseWindow *window)
{
  gtk_window_close (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
job_done (gpointer window)
{
  return !stepwise_job_runner_get_running (stepwise_window_get_runner (window))
         && stepwise_window_get_shown_result (window) != NULL;
}

static void
generate (StepwiseWindow *window)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), "generate", NULL);
  g_assert_true (stepwise_job_runner_get_running (stepwise_window_get_runner (window)));
  iterate_until (job_done, window, 120);
}

static GSettings *
settings (void)
{
  return g_settings_new ("io.github.stepwise.Stepwise");
}

static GHashTable *
read_text (const char *path, int *width, int *height)
{
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_autoptr (GError) error = NULL;
  GHashTable *text = sw_png_read_text ((const guint8 *) data, len, width, height, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* the writer and reader alone: ASCII in tEXt, other text in iTXt, every
 * pair back as it went in; damage is refused */
static void
test_png_chunks (void)
{
  guint8 pixels[4 * 3 * 3];
  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = (guint8) (i * 7);
  g_autoptr (GHashTable) text = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (text, "stepwise.prompt", "a sneaker");
  g_hash_table_insert (text, "stepwise.prompt2", "une chaussure à talon 👠");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = sw_png_encode (pixels, 4, 3, 3, text, &error);
  g_assert_no_error (error);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  g_assert_nonnull (memmem (data, len, "tEXtstepwise.prompt", 19));
  g_assert_nonnull (memmem (data, len, "iTXtstepwise.prompt2", 20));
  int w, h, c;
  g_autoptr (GHashTable) back = sw_png_read_text (data, len, &w, &h, &c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (w, ==, 4);
  g_assert_cmpint (h, ==, 3);
  g_assert_cmpint (c, ==, 3);
  g_assert_cmpuint (g_hash_table_size (back), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (back, "stepwise.prompt"), ==, "a sneaker");
  g_assert_cmpstr (g_hash_table_lookup (back, "stepwise.prompt2"), ==, "une chaussure à talon 👠");
  /* GdkTexture (libpng underneath) decodes the same pixels */
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (png, &error);
  g_assert_no_error (error);
  guint8 rgba[4 * 3 * 4];
  gdk_texture_download (texture, rgba, 4 * 4);
  for (int i = 0; i < 4 * 3; i++)
    for (int k = 0; k < 3; k++)
      g_assert_cmpint (rgba[i * 4 + (G_BYTE_ORDER == G_LITTLE_ENDIAN ? 2 - k : k + 1)], ==, pixels[i * 3 + k]);
  /* a flipped bit fails the CRC; a cut file is refused */
  g_autofree guint8 *bad = g_memdup2 (data, len);
  bad[len / 2] ^= 1;
  g_autoptr (GHashTable) none = sw_png_read_text (bad, len, NULL, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_cmpint (sw_png_count_frames (data, len - 13, &error), ==, -1);
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_cmpint (sw_png_count_frames (data, len, &error), ==, 1);
}

static void
test_save_and_restore (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_int (s, "steps", 6);
  StepwiseWindow *window = new_window ();
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "save"));
  stepwise_window_set_mode (window, STEPWISE_MODE_ANAGRAM);
  stepwise_window_set_prompt (window, "a sneaker");
  stepwise_window_set_prompt2 (window, "a bag");
  g_settings_set_double (s, "guidance", 2.5);
  generate (window);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "save"));
  StepwiseResult *shown = stepwise_window_get_shown_result (window);
  g_autoptr (GBytes) pixels = g_bytes_ref (stepwise_result_get_pixels (shown));

  g_autofree char *path = g_build_filename (dir, "saved.png", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_RESULT, path, &error));
  g_assert_no_error (error);
  int w, h;
  g_autoptr (GHashTable) text = read_text (path, &w, &h);
  g_assert_cmpint (w, ==, 28);
  g_assert_cmpint (h, ==, 28);
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.model"), ==, "tiny.safetensors");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.mode"), ==, "anagram");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.prompt"), ==, "a sneaker");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.prompt2"), ==, "a bag");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.view"), ==, "flip");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.steps"), ==, "6");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.guidance"), ==, "2.5");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.i_start"), ==, "0");
  g_assert_nonnull (g_hash_table_lookup (text, "stepwise.seed"));
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (text, "Software"), "Stepwise"));

  /* Save can write the image bigger, each pixel a square (issue 23) */
  g_settings_set_int (s, "save-scale", 8);
  g_autofree char *big = g_build_filename (dir, "saved-8x.png", NULL);
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_RESULT, big, &error));
  g_settings_reset (s, "save-scale");
  g_autoptr (GHashTable) big_text = read_text (big, &w, &h);
  g_assert_cmpint (w, ==, 28 * 8);
  g_assert_cmpint (h, ==, 28 * 8);
  g_assert_cmpstr (g_hash_table_lookup (big_text, "stepwise.prompt"), ==, "a sneaker");
  g_assert_cmpstr (g_hash_table_lookup (big_text, "stepwise.scale"), ==, "8");
  /* and it opens at the model's size, with the saved pixels */
  g_autofree char *big_data = NULL;
  gsize big_len;
  g_assert_true (g_file_get_contents (big, &big_data, &big_len, NULL));
  g_autoptr (StepwiseResult) reopened = stepwise_result_new_from_png ((const guint8 *) big_data, big_len,
                                                                      "saved-8x.png", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stepwise_result_get_width (reopened), ==, 28);
  g_assert_cmpstr (stepwise_result_lookup (reopened, "stepwise.scale"), ==, "");
  const float *was = g_bytes_get_data (pixels, NULL);
  const float *again = g_bytes_get_data (stepwise_result_get_pixels (reopened), NULL);
  for (int i = 0; i < 28 * 28; i++)
    g_assert_cmpfloat (fabsf (CLAMP (was[i], -1.f, 1.f) - again[i]), <=, 1.0f / 255 + 1e-5f);

  /* Save writes through a link and keeps it (as the CLI does, D6) */
  g_autofree char *target = g_build_filename (dir, "target.png", NULL);
  g_autofree char *link = g_build_filename (dir, "link.png", NULL);
  g_assert_true (g_file_set_contents (target, "old", 3, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_RESULT, link, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_autoptr (GHashTable) through = read_text (target, &w, &h);
  g_assert_cmpint (w, ==, 28);

  /* change everything, then restore from the file */
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  stepwise_window_set_prompt (window, "a shirt");
  stepwise_window_set_prompt2 (window, "");
  g_settings_set_int (s, "steps", 20);
  g_settings_set_double (s, "guidance", 7);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (stepwise_window_restore_png (window, (const guint8 *) data, len, "saved.png", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_settings_get_int (s, "steps"), ==, 6);
  g_assert_cmpfloat (g_settings_get_double (s, "guidance"), ==, 2.5);
  g_assert_cmpstr (g_settings_get_string (s, "prompt"), ==, "a sneaker");
  g_assert_cmpstr (g_settings_get_string (s, "prompt2"), ==, "a bag");
  /* the image shown is the file's, pixel for pixel at 8 bits */
  StepwiseResult *restored = stepwise_window_get_shown_result (window);
  GBytes *back = stepwise_result_get_pixels (restored);
  const float *a = g_bytes_get_data (pixels, NULL), *b = g_bytes_get_data (back, NULL);
  for (int i = 0; i < 28 * 28; i++)
    g_assert_cmpfloat (fabsf (CLAMP (a[i], -1.f, 1.f) - b[i]), <=, 1.0f / 255 + 1e-5f);
  /* and running it again gives the same picture */
  generate (window);
  g_assert_true (g_bytes_equal (stepwise_result_get_pixels (stepwise_window_get_shown_result (window)), pixels));

  /* a PNG without settings is refused with a message */
  guint8 grey[16] = { 0 };
  g_autoptr (GBytes) plain = sw_png_encode (grey, 4, 4, 1, NULL, &error);
  g_assert_false (stepwise_window_restore_png (window, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                                               "plain.png", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  close_window (window);
}

static gboolean
steps_are_4 (gpointer data)
{
  return g_settings_get_int (data, "steps") == 4;
}

static gboolean
shows_create_page (gpointer window)
{
  return g_str_equal (stepwise_window_get_page (window), "create");
}

/* issue 23, item 6: the mode comes back with the window; a Stepwise PNG
 * opened onto the canvas (Open Image, a drop on the canvas, stepwise
 * FILE) brings its settings, in a mode that uses the canvas; Open Result
 * (and a drop on the window) from the Train page shows the Create page */
static void
test_keeping_work (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_uint (s, "mode", STEPWISE_MODE_INPAINT);
  StepwiseWindow *window = new_window ();
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  gboolean show_mask;
  g_object_get (canvas, "show-mask", &show_mask, NULL);
  g_assert_true (show_mask);
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  close_window (window);
  g_assert_cmpuint (g_settings_get_uint (s, "mode"), ==, STEPWISE_MODE_GENERATE);

  window = new_window ();
  canvas = stepwise_window_get_canvas (window);
  g_settings_set_int (s, "steps", 4);
  stepwise_window_set_prompt (window, "a sneaker");
  generate (window);
  g_autoptr (GBytes) pixels = g_bytes_ref (stepwise_result_get_pixels (stepwise_window_get_shown_result (window)));
  g_autofree char *path = g_build_filename (dir, "keep.png", NULL);
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_RESULT, path, NULL));
  g_settings_set_int (s, "steps", 9);
  stepwise_window_set_prompt (window, "a bag");

  /* any image opened onto the canvas shows, in a mode that uses it */
  guint8 grey[28 * 28];
  memset (grey, 128, sizeof grey);
  g_autoptr (GBytes) plain = sw_png_encode (grey, 28, 28, 1, NULL, NULL);
  g_autofree char *plain_path = g_build_filename (dir, "plain.png", NULL);
  g_assert_true (g_file_set_contents (plain_path, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), NULL));
  g_autoptr (GFile) plain_file = g_file_new_for_path (plain_path);
  stepwise_window_show_page (window, "train");
  stepwise_canvas_open_file (canvas, plain_file);
  iterate_until (shows_create_page, window, 30);
  g_assert_cmpuint (g_settings_get_uint (s, "mode"), ==, STEPWISE_MODE_SDEDIT);
  g_assert_cmpint (g_settings_get_int (s, "steps"), ==, 9);
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);

  /* a Stepwise PNG brings its settings */
  g_autoptr (GFile) file = g_file_new_for_path (path);
  stepwise_canvas_open_file (canvas, file);
  iterate_until (steps_are_4, s, 30);
  g_assert_cmpstr (g_settings_get_string (s, "prompt"), ==, "a sneaker");
  g_assert_cmpuint (g_settings_get_uint (s, "mode"), ==, STEPWISE_MODE_SDEDIT);
  g_autoptr (GBytes) image = stepwise_canvas_get_image (canvas);
  const float *a = g_bytes_get_data (pixels, NULL), *b = g_bytes_get_data (image, NULL);
  for (int i = 0; i < 28 * 28; i++)
    g_assert_cmpfloat (fabsf (CLAMP (a[i], -1.f, 1.f) - b[i]), <=, 1.0f / 255 + 1e-5f);

  stepwise_window_show_page (window, "train");
  g_settings_set_int (s, "steps", 9);
  stepwise_window_open_result (window, file);
  iterate_until (shows_create_page, window, 30);
  g_assert_cmpint (g_settings_get_int (s, "steps"), ==, 4);
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  close_window (window);
}

static gboolean
shows_seed_1234 (gpointer window)
{
  StepwiseResult *shown = stepwise_window_get_shown_result (window);
  return shown && g_str_equal (stepwise_result_lookup (shown, "stepwise.seed"), "1234");
}

/* a PNG that stepwise-cli generate --plain wrote opens through Open Result
 * with every setting back in the controls: the window's own job then makes
 * the same picture */
static void
test_open_cli_png (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_int (s, "steps", 20);
  g_settings_set_double (s, "guidance", 7);
  StepwiseWindow *window = new_window ();
  stepwise_window_set_mode (window, STEPWISE_MODE_SDEDIT);
  stepwise_window_set_prompt (window, "a shirt");
  g_autofree char *path = g_build_filename (dir, "cli.png", NULL);
  const char *args[] = { "generate", "--plain", "--model", model_path, "-p", "a sneaker", "--seed", "1234",
                         "--steps", "5", "-g", "3.5", "-o", path, NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_assert_cmpint (r.status, ==, 0);

  g_autoptr (GFile) file = g_file_new_for_path (path);
  stepwise_window_open_result (window, file);
  iterate_until (shows_seed_1234, window, 30);
  g_assert_cmpstr (g_settings_get_string (s, "prompt"), ==, "a sneaker");
  g_assert_cmpint (g_settings_get_int (s, "steps"), ==, 5);
  g_assert_cmpfloat (g_settings_get_double (s, "guidance"), ==, 3.5);
  g_assert_cmpstr (g_settings_get_string (s, "last-model"), ==, model_path);
  g_autoptr (GBytes) opened = g_bytes_ref (stepwise_result_get_pixels (stepwise_window_get_shown_result (window)));

  /* mode, seed and all: generating again gives the file's picture */
  generate (window);
  StepwiseResult *made = stepwise_window_get_shown_result (window);
  g_assert_cmpstr (stepwise_result_lookup (made, "stepwise.mode"), ==, "generate");
  g_assert_cmpstr (stepwise_result_lookup (made, "stepwise.seed"), ==, "1234");
  const float *a = g_bytes_get_data (opened, NULL), *b = g_bytes_get_data (stepwise_result_get_pixels (made), NULL);
  for (int i = 0; i < 28 * 28; i++)
    g_assert_cmpfloat (fabsf (a[i] - CLAMP (b[i], -1.f, 1.f)), <=, 1.0f / 255 + 1e-5f);

  /* a table (no --plain) is not a result, but its first image's settings
   * come back, and the result shown stays */
  const char *table_args[] = { "generate", "--model", model_path, "-p", "a bag", "-n", "2",
                               "--steps", "4", "-g", "2", "-o", path, NULL };
  g_auto (Run) t = run_cli_with (table_args, NULL);
  g_assert_cmpint (t.status, ==, 0);
  g_autofree char *table = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &table, &len, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_true (stepwise_window_restore_png (window, (const guint8 *) table, len, "table.png", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_settings_get_string (s, "prompt"), ==, "a bag");
  g_assert_cmpint (g_settings_get_int (s, "steps"), ==, 4);
  g_assert_cmpfloat (g_settings_get_double (s, "guidance"), ==, 2);
  g_assert_true (stepwise_window_get_shown_result (window) == made);
  close_window (window);
}

static gboolean
is_loaded (gpointer history)
{
  return stepwise_history_get_loaded (history);
}

static void
test_history_restart (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_int (s, "steps", 3);
  StepwiseWindow *window = new_window ();
  GListModel *history = G_LIST_MODEL (stepwise_window_get_history (window));
  const guint before = g_list_model_get_n_items (history);
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  stepwise_window_set_prompt (window, "a dress");
  generate (window);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, before + 1);
  g_autoptr (StepwiseResult) first = g_list_model_get_item (history, 0);
  g_assert_true (first == stepwise_window_get_shown_result (window));
  g_autoptr (GBytes) pixels = g_bytes_ref (stepwise_result_get_pixels (first));
  g_clear_object (&first);
  close_window (window);   /* the last window: the history is written and freed */

  window = new_window ();
  history = G_LIST_MODEL (stepwise_window_get_history (window));
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, before + 1);
  g_autoptr (StepwiseResult) again = g_list_model_get_item (history, 0);
  g_assert_cmpstr (stepwise_result_lookup (again, "stepwise.prompt"), ==, "a dress");
  g_assert_cmpstr (stepwise_result_lookup (again, "stepwise.steps"), ==, "3");
  g_assert_cmpuint (g_bytes_get_size (stepwise_result_get_pixels (again)), ==, g_bytes_get_size (pixels));
  /* clicking it shows it and its settings */
  stepwise_window_set_prompt (window, "a bag");
  g_settings_set_int (s, "steps", 9);
  stepwise_history_strip_activate (stepwise_window_get_history_strip (window), 0);
  g_assert_true (stepwise_window_get_shown_result (window) == again);
  g_assert_cmpstr (g_settings_get_string (s, "prompt"), ==, "a dress");
  g_assert_cmpint (g_settings_get_int (s, "steps"), ==, 3);
  close_window (window);
}

/* the cap: the oldest go, from the list and from the disk */
static void
test_history_cap (void)
{
  g_autofree char *hdir = g_build_filename (dir, "capped", NULL);
  StepwiseHistory *h = stepwise_history_new (hdir);
  iterate_until (is_loaded, h, 10);
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (meta, "stepwise.mode", "generate");
  float px[16];
  for (int i = 0; i < STEPWISE_HISTORY_MAX + 5; i++)
    {
      for (int k = 0; k < 16; k++)
        px[k] = (float) ((i + k) % 9) / 4.0f - 1.0f;
      g_autoptr (GBytes) bytes = g_bytes_new (px, sizeof px);
      g_autofree char *seed = g_strdup_printf ("%d", i);
      g_hash_table_insert (meta, "stepwise.seed", seed);
      g_autoptr (StepwiseResult) r = stepwise_result_new (bytes, 1, 4, 4, meta);
      stepwise_history_add (h, r);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (h)), ==, STEPWISE_HISTORY_MAX);
  g_object_unref (h);   /* waits for the writes */
  guint files = 0;
  g_autoptr (GDir) d = g_dir_open (hdir, 0, NULL);
  while (g_dir_read_name (d))
    files++;
  g_assert_cmpuint (files, ==, STEPWISE_HISTORY_MAX + 1);   /* and the index */
  h = stepwise_history_new (hdir);
  iterate_until (is_loaded, h, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (h)), ==, STEPWISE_HISTORY_MAX);
  g_autoptr (StepwiseResult) newest = g_list_model_get_item (G_LIST_MODEL (h), 0);
  g_autoptr (StepwiseResult) oldest = g_list_model_get_item (G_LIST_MODEL (h), STEPWISE_HISTORY_MAX - 1);
  g_assert_cmpstr (stepwise_result_lookup (newest, "stepwise.seed"), ==, "104");
  g_assert_cmpstr (stepwise_result_lookup (oldest, "stepwise.seed"), ==, "5");
  g_object_unref (h);
}

/* issue 23, item 4: the strip starts at the newest result, scrolls with
 * the mouse wheel, and a new result scrolls it back into view */
static void
test_history_strip_scrolls (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseHistory *history = stepwise_window_get_history (window);
  StepwiseHistoryStrip *strip = stepwise_window_get_history_strip (window);
  GtkAdjustment *adjustment = stepwise_history_strip_get_hadjustment (strip);
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (meta, "stepwise.mode", "generate");
  float px[28 * 28];
  for (int i = 0; i < 30; i++)
    {
      for (int k = 0; k < 28 * 28; k++)
        px[k] = (float) ((i + k) % 9) / 4.0f - 1.0f;
      g_autoptr (GBytes) bytes = g_bytes_new (px, sizeof px);
      g_autoptr (StepwiseResult) r = stepwise_result_new (bytes, 1, 28, 28, meta);
      stepwise_history_add (history, r);
    }
  iterate_for (300);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  stepwise_history_strip_scroll (strip, 3);
  iterate_for (100);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 100);
  stepwise_history_strip_scroll (strip, -1);
  iterate_for (100);
  const double back = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (back, >, 0);
  g_autoptr (GBytes) bytes = g_bytes_new (px, sizeof px);
  g_autoptr (StepwiseResult) newest = stepwise_result_new (bytes, 1, 28, 28, meta);
  stepwise_history_add (history, newest);
  iterate_for (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  close_window (window);
}

/* acTL's frame count, and that there are as many fcTL chunks */
static void
test_export_trajectory (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_int (s, "steps", 5);
  StepwiseWindow *window = new_window ();
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  generate (window);
  const guint n = stepwise_scrubber_get_n_frames (stepwise_window_get_scrubber (window));
  g_assert_cmpuint (n, ==, 5 + 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *anim = g_build_filename (dir, "anim.png", NULL);
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_ANIMATION, anim, &error));
  g_assert_no_error (error);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (anim, &data, &len, NULL));
  g_assert_cmpint (sw_png_count_frames ((const guint8 *) data, len, &error), ==, (int) n);
  int fctl = 0;
  for (const char *p = data; (p = memmem (p, len - (p - data), "fcTL", 4)); p += 4)
    fctl++;
  g_assert_cmpint (fctl, ==, (int) n);
  /* viewers without APNG see the first frame: it decodes */
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_autoptr (GHashTable) text = read_text (anim, NULL, NULL);
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.steps"), ==, "5");

  /* the strip: two rows of 28 px images at 2x, one column per frame */
  g_autofree char *strip = g_build_filename (dir, "strip.png", NULL);
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_STRIP, strip, &error));
  g_assert_no_error (error);
  int w, h;
  g_autoptr (GHashTable) strip_text = read_text (strip, &w, &h);
  g_assert_cmpint (w, ==, (int) n * (56 + 2) + 2);
  g_assert_cmpint (h, ==, 2 * (56 + 2) + 2);
  g_assert_cmpstr (g_hash_table_lookup (strip_text, "stepwise.mode"), ==, "generate");
  /* STEPWISE_SCREENSHOT_DIR keeps both files, to look at */
  const char *keep = g_getenv ("STEPWISE_SCREENSHOT_DIR");
  if (keep && *keep)
    {
      g_autofree char *a = g_build_filename (keep, "trajectory-animation.png", NULL);
      g_autofree char *b = g_build_filename (keep, "trajectory-strip.png", NULL);
      g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_ANIMATION, a, NULL));
      g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_STRIP, b, NULL));
    }
  close_window (window);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  dir = g_dir_make_tmp ("stepwise-results-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);   /* the history */
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  model_path = g_build_filename (dir, "tiny.safetensors", NULL);
  sw_test_write_tiny_model (model_path);
  g_test_add_func ("/ui/results/png-chunks", test_png_chunks);
  g_test_add_func ("/ui/results/save-and-restore", test_save_and_restore);
  g_test_add_func ("/ui/results/open-cli-png", test_open_cli_png);
  g_test_add_func ("/ui/results/history-restart", test_history_restart);
  g_test_add_func ("/ui/results/history-cap", test_history_cap);
  g_test_add_func ("/ui/results/export-trajectory", test_export_trajectory);
  g_test_add_func ("/ui/results/history-strip-scrolls", test_history_strip_scrolls);
  g_test_add_func ("/ui/results/keeping-work", test_keeping_work);
  int status = g_test_run ();
  remove_tree (dir);
  g_free (model_path);
  g_free (dir);
  return status;
}
