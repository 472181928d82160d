/* The canvas (issue 5): strokes through the canvas API change the mask
 * and the sketch, undo restores the layers byte for byte and redo applies
 * them again; the canvas's actions work; a window destroyed without saving
 * leaves an autosave that a new canvas restores, and the autosave is
 * written (atomically) without the window closing; SDEdit and Inpaint jobs
 * started from the window complete, SDEdit starts from the canvas noised
 * to ts[i_start], and inpainting keeps the unmasked pixels.  With
 * STEPWISE_SCREENSHOT_DIR set it also saves a PNG of each mode there.
 * Runs under Xvfb (see tests/meson.build). */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "models/checkpoint.h"
#include "models/cosine-schedule.h"
#include "models/prompt-classes.h"
#include "train/recipe.h"
#include "base/rng.h"
#include "stepwise-image-view.h"
#include "stepwise-window.h"
#include "test-model-util.h"
#include "test-ui-util.h"

static char *dir, *model_path;

static StepwiseWindow *
new_window (void)
{
  return ui_window_new (dir);
}

static void
screenshot (StepwiseWindow *window, const char *name)
{
  const char *out = g_getenv ("STEPWISE_SCREENSHOT_DIR");
  if (!out)
    return;
  iterate_for (600);
  g_autofree char *path = g_build_filename (out, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (stepwise_window_save_screenshot (window, path, &error));
  g_assert_no_error (error);
  g_test_message ("screenshot %s", path);
}

static gboolean
bytes_differ (GBytes *a, GBytes *b)
{
  return !g_bytes_equal (a, b);
}

static void
line (StepwiseCanvas *canvas, StepwiseCanvasTool tool, double x0, double y0, double x1, double y1)
{
  stepwise_canvas_begin_stroke (canvas, tool, x0, y0, 1.0);
  for (int k = 1; k <= 8; k++)
    stepwise_canvas_stroke_to (canvas, x0 + (x1 - x0) * k / 8, y0 + (y1 - y0) * k / 8, 1.0);
  stepwise_canvas_end_stroke (canvas);
}

/* ---- the canvas alone ---- */

static void
test_strokes_undo (void)
{
  StepwiseCanvas *canvas = g_object_ref_sink (STEPWISE_CANVAS (stepwise_canvas_new ()));
  stepwise_canvas_set_geometry (canvas, 3, 16);   /* a geometry no other test uses */
  /* a 16 px colour model draws on a 64 px grid (issue 24); jobs get 16 px */
  g_assert_cmpint (stepwise_canvas_get_size (canvas), ==, 64);
  g_assert_cmpint (stepwise_canvas_get_model_size (canvas), ==, 16);
  g_assert_false (stepwise_canvas_can_undo (canvas));
  g_assert_false (stepwise_canvas_has_mask (canvas));
  g_autoptr (GBytes) layers0 = stepwise_canvas_get_layers (canvas);
  g_autoptr (GBytes) comp0 = stepwise_canvas_get_composite (canvas);
  g_autoptr (GBytes) mask0 = stepwise_canvas_get_mask (canvas);
  g_assert_cmpuint (g_bytes_get_size (comp0), ==, sizeof (float) * 3 * 16 * 16);
  g_assert_cmpuint (g_bytes_get_size (mask0), ==, sizeof (float) * 16 * 16);
  /* colour paper is white, as the emoji's backgrounds are, and the
   * brush, white on a new canvas, turns black to show on it */
  for (int i = 0; i < 3 * 16 * 16; i++)
    g_assert_cmpfloat (((const float *) g_bytes_get_data (comp0, NULL))[i], ==, 1.0f);
  GdkRGBA brush;
  stepwise_canvas_get_color (canvas, &brush);
  g_assert_true (gdk_rgba_equal (&brush, &(GdkRGBA) { 0, 0, 0, 1 }));

  /* a red sketch stroke (2 model pixels wide) changes the composite, not
   * the mask; strokes are in grid pixels */
  stepwise_canvas_set_color (canvas, &(GdkRGBA) { 1, 0, 0, 1 });
  stepwise_canvas_set_brush_size (canvas, 8);
  line (canvas, STEPWISE_CANVAS_TOOL_BRUSH, 8, 8, 48, 48);
  g_autoptr (GBytes) layers1 = stepwise_canvas_get_layers (canvas);
  g_autoptr (GBytes) comp1 = stepwise_canvas_get_composite (canvas);
  g_autoptr (GBytes) mask1 = stepwise_canvas_get_mask (canvas);
  g_assert_true (bytes_differ (comp1, comp0));
  g_assert_true (g_bytes_equal (mask1, mask0));
  const float *c = g_bytes_get_data (comp1, NULL);
  const int p = 7 * 16 + 7;   /* on the diagonal: red, not green */
  g_assert_cmpfloat (c[p], >, 0.5f);
  g_assert_cmpfloat (c[256 + p], <, -0.5f);
  g_assert_cmpfloat (c[0 * 256 + 15 * 16], ==, 1.0f);   /* far from it: untouched */

  /* a mask stroke changes the mask, not the composite */
  line (canvas, STEPWISE_CANVAS_TOOL_MASK, 32, 8, 32, 52);
  g_autoptr (GBytes) layers2 = stepwise_canvas_get_layers (canvas);
  g_autoptr (GBytes) mask2 = stepwise_canvas_get_mask (canvas);
  g_autoptr (GBytes) comp2 = stepwise_canvas_get_composite (canvas);
  g_assert_true (bytes_differ (mask2, mask1));
  g_assert_true (g_bytes_equal (comp2, comp1));
  g_assert_true (stepwise_canvas_has_mask (canvas));
  const float *m = g_bytes_get_data (mask2, NULL);
  g_assert_cmpfloat (m[7 * 16 + 8], >, 0.4f);
  g_assert_cmpfloat (m[7 * 16 + 1], ==, 0.0f);
  stepwise_canvas_set_brush_size (canvas, 2.0);

  /* undo restores every byte, step by step; redo re-applies */
  g_assert_true (stepwise_canvas_can_undo (canvas));
  stepwise_canvas_undo (canvas);
  g_autoptr (GBytes) u1 = stepwise_canvas_get_layers (canvas);
  g_assert_true (g_bytes_equal (u1, layers1));
  stepwise_canvas_undo (canvas);
  g_autoptr (GBytes) u0 = stepwise_canvas_get_layers (canvas);
  g_assert_true (g_bytes_equal (u0, layers0));
  g_assert_false (stepwise_canvas_can_undo (canvas));
  g_assert_true (stepwise_canvas_can_redo (canvas));
  stepwise_canvas_redo (canvas);
  stepwise_canvas_redo (canvas);
  g_autoptr (GBytes) r2 = stepwise_canvas_get_layers (canvas);
  g_assert_true (g_bytes_equal (r2, layers2));
  g_assert_false (stepwise_canvas_can_redo (canvas));

  /* the commands are actions, each one undo step; inverting is exact on
   * the grid */
  GtkWidget *w = GTK_WIDGET (canvas);
  g_autoptr (GBytes) grid_mask = stepwise_canvas_get_mask_at (canvas, 64);
  const float *gm = g_bytes_get_data (grid_mask, NULL);
  g_assert_true (gtk_widget_activate_action (w, "canvas.invert-mask", NULL));
  g_autoptr (GBytes) inverted = stepwise_canvas_get_mask_at (canvas, 64);
  const float *inv = g_bytes_get_data (inverted, NULL);
  for (int i = 0; i < 64 * 64; i++)
    g_assert_cmpfloat (fabsf (inv[i] - (1.0f - gm[i])), <, 1e-5f);
  g_assert_true (gtk_widget_activate_action (w, "canvas.undo", NULL));
  g_autoptr (GBytes) after_undo = stepwise_canvas_get_layers (canvas);
  g_assert_true (g_bytes_equal (after_undo, layers2));
  g_assert_true (gtk_widget_activate_action (w, "canvas.clear-mask", NULL));
  g_assert_false (stepwise_canvas_has_mask (canvas));
  g_assert_true (gtk_widget_activate_action (w, "canvas.redo", NULL) || TRUE);
  g_assert_true (gtk_widget_activate_action (w, "canvas.undo", NULL));
  g_assert_true (stepwise_canvas_has_mask (canvas));
  /* a new stroke after an undo drops the redo */
  g_assert_true (gtk_widget_activate_action (w, "canvas.undo", NULL));
  stepwise_canvas_set_brush_size (canvas, 8);
  line (canvas, STEPWISE_CANVAS_TOOL_ERASER, 8, 8, 48, 48);
  stepwise_canvas_set_brush_size (canvas, 2.0);
  g_assert_false (stepwise_canvas_can_redo (canvas));
  g_autoptr (GBytes) erased = stepwise_canvas_get_composite (canvas);
  g_assert_cmpfloat (((const float *) g_bytes_get_data (erased, NULL))[p], ==, 1.0f);

  /* brush size on [ and ] (actions), clamped */
  const double size = stepwise_canvas_get_brush_size (canvas);
  g_assert_true (gtk_widget_activate_action (w, "canvas.brush-bigger", NULL));
  g_assert_cmpfloat (stepwise_canvas_get_brush_size (canvas), >, size);
  g_assert_true (gtk_widget_activate_action (w, "canvas.brush-smaller", NULL));
  g_assert_cmpfloat (fabs (stepwise_canvas_get_brush_size (canvas) - size), <, 1e-9);
  for (int i = 0; i < 40; i++)
    gtk_widget_activate_action (w, "canvas.brush-bigger", NULL);
  g_assert_cmpfloat (stepwise_canvas_get_brush_size (canvas), ==, STEPWISE_CANVAS_BRUSH_MAX);
  stepwise_canvas_set_brush_size (canvas, 2.0);

  /* the tool is a stateful action */
  g_assert_true (gtk_widget_activate_action (w, "canvas.tool", "s", "mask"));
  g_assert_cmpint (stepwise_canvas_get_tool (canvas), ==, STEPWISE_CANVAS_TOOL_MASK);

  /* pressure: a light stroke covers less than a firm one */
  gtk_widget_activate_action (w, "canvas.clear-mask", NULL);
  stepwise_canvas_begin_stroke (canvas, STEPWISE_CANVAS_TOOL_MASK, 16, 16, 0.2);
  stepwise_canvas_stroke_to (canvas, 16, 48, 0.2);
  stepwise_canvas_end_stroke (canvas);
  stepwise_canvas_begin_stroke (canvas, STEPWISE_CANVAS_TOOL_MASK, 48, 16, 1.0);
  stepwise_canvas_stroke_to (canvas, 48, 48, 1.0);
  stepwise_canvas_end_stroke (canvas);
  g_autoptr (GBytes) pm = stepwise_canvas_get_mask_at (canvas, 64);
  const float *pmv = g_bytes_get_data (pm, NULL);
  double light = 0, firm = 0;
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      *(x < 32 ? &light : &firm) += pmv[y * 64 + x];
  g_assert_cmpfloat (light, <, firm * 0.5);

  /* feathering softens the mask's edge */
  g_autoptr (GBytes) sharp = stepwise_canvas_get_mask (canvas);
  g_object_set (canvas, "feather", TRUE, NULL);
  g_autoptr (GBytes) feathered = stepwise_canvas_get_mask (canvas);
  g_assert_true (bytes_differ (feathered, sharp));
  g_object_set (canvas, "feather", FALSE, NULL);

  g_object_run_dispose (G_OBJECT (canvas));
  g_object_unref (canvas);
}

/* ---- issue 24: the 64 px colour grid and the palette ---- */

static float
level (int x, int y, int c)
{
  /* eighths in [-1, 7/8]: any 16 of them sum and average exactly */
  return (float) ((x * 7 + y * 3 + c * 5) % 16) / 8.0f - 1.0f;
}

static void
test_grid (void)
{
  /* the grids: 64 for the colour models whose side divides 64 */
  g_assert_cmpint (stepwise_canvas_grid_size (3, 16), ==, 64);
  g_assert_cmpint (stepwise_canvas_grid_size (3, 32), ==, 64);
  g_assert_cmpint (stepwise_canvas_grid_size (3, 64), ==, 64);
  g_assert_cmpint (stepwise_canvas_grid_size (3, 48), ==, 48);
  g_assert_cmpint (stepwise_canvas_grid_size (1, 28), ==, 28);
  g_assert_cmpint (stepwise_canvas_grid_size (1, 32), ==, 32);

  StepwiseCanvas *canvas = g_object_ref_sink (STEPWISE_CANVAS (stepwise_canvas_new ()));
  stepwise_canvas_set_geometry (canvas, 3, 16);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-sketch", NULL);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-mask", NULL);

  /* a known 64 px pattern shrinks to 16 px by each 4 x 4 block's mean,
   * exactly */
  float *x = g_new (float, 3 * 64 * 64);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 64; y++)
      for (int i = 0; i < 64; i++)
        x[(c * 64 + y) * 64 + i] = level (i, y, c);
  g_autoptr (GBytes) pattern = g_bytes_new_take (x, sizeof (float) * 3 * 64 * 64);
  stepwise_canvas_set_image (canvas, pattern);
  g_autoptr (GBytes) grid = stepwise_canvas_get_composite_at (canvas, 64);
  g_assert_true (g_bytes_equal (grid, pattern));
  g_autoptr (GBytes) small = stepwise_canvas_get_composite (canvas);
  g_assert_cmpuint (g_bytes_get_size (small), ==, sizeof (float) * 3 * 16 * 16);
  const float *sm = g_bytes_get_data (small, NULL);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 16; y++)
      for (int i = 0; i < 16; i++)
        {
          double sum = 0;
          for (int v = 0; v < 4; v++)
            for (int u = 0; u < 4; u++)
              sum += level (4 * i + u, 4 * y + v, c);
          g_assert_cmpfloat (sm[(c * 16 + y) * 16 + i], ==, (float) (sum / 16));
        }
  /* at 32 px, by 2 x 2 blocks */
  g_autoptr (GBytes) half = stepwise_canvas_get_composite_at (canvas, 32);
  const float *hf = g_bytes_get_data (half, NULL);
  g_assert_cmpfloat (hf[0], ==, (level (0, 0, 0) + level (1, 0, 0) + level (0, 1, 0) + level (1, 1, 0)) / 4);

  /* a 16 px picture (a result used as input) goes on as 4 x 4 blocks and
   * comes back to a job exactly */
  g_autoptr (GBytes) back = g_bytes_new (sm, sizeof (float) * 3 * 16 * 16);
  stepwise_canvas_replace_image (canvas, back);
  g_autoptr (GBytes) image = stepwise_canvas_get_image (canvas);
  g_assert_cmpuint (g_bytes_get_size (image), ==, sizeof (float) * 3 * 64 * 64);
  g_assert_cmpfloat (((const float *) g_bytes_get_data (image, NULL))[5 * 64 + 7], ==, sm[1 * 16 + 1]);
  g_autoptr (GBytes) again = stepwise_canvas_get_composite (canvas);
  g_assert_true (g_bytes_equal (again, back));

  /* the mask: a stroke one grid pixel wide (column 10) masks the whole
   * 16 px column it lies in (its blocks' largest value, not their mean
   * of 1/4) */
  stepwise_canvas_set_brush_size (canvas, 1);
  line (canvas, STEPWISE_CANVAS_TOOL_MASK, 10.5, -2, 10.5, 66);
  g_autoptr (GBytes) gm = stepwise_canvas_get_mask_at (canvas, 64);
  const float *g = g_bytes_get_data (gm, NULL);
  for (int y = 0; y < 64; y++)
    {
      g_assert_cmpfloat (g[y * 64 + 10], ==, 1.0f);
      g_assert_cmpfloat (g[y * 64 + 9], ==, 0.0f);
      g_assert_cmpfloat (g[y * 64 + 11], ==, 0.0f);
    }
  g_autoptr (GBytes) mask = stepwise_canvas_get_mask (canvas);
  g_assert_cmpuint (g_bytes_get_size (mask), ==, sizeof (float) * 16 * 16);
  const float *mk = g_bytes_get_data (mask, NULL);
  for (int y = 0; y < 16; y++)
    for (int i = 0; i < 16; i++)
      g_assert_cmpfloat (mk[y * 16 + i], ==, i == 2 ? 1.0f : 0.0f);
  stepwise_canvas_set_brush_size (canvas, 2);

  /* a 32 px colour model shares the grid and keeps the drawing; a grey
   * one draws at its own size */
  g_autoptr (GBytes) layers = stepwise_canvas_get_layers (canvas);
  stepwise_canvas_set_geometry (canvas, 3, 32);
  g_assert_cmpint (stepwise_canvas_get_size (canvas), ==, 64);
  g_assert_cmpint (stepwise_canvas_get_model_size (canvas), ==, 32);
  g_autoptr (GBytes) kept = stepwise_canvas_get_layers (canvas);
  g_assert_true (g_bytes_equal (kept, layers));
  g_autoptr (GBytes) mask32 = stepwise_canvas_get_mask (canvas);
  g_assert_cmpuint (g_bytes_get_size (mask32), ==, sizeof (float) * 32 * 32);
  stepwise_canvas_set_geometry (canvas, 1, 28);
  g_assert_cmpint (stepwise_canvas_get_size (canvas), ==, 28);
  g_assert_cmpint (stepwise_canvas_get_model_size (canvas), ==, 28);
  g_assert_true (stepwise_palette_get_monochrome (stepwise_canvas_get_palette (canvas)));
  stepwise_canvas_set_geometry (canvas, 3, 16);
  g_assert_false (stepwise_palette_get_monochrome (stepwise_canvas_get_palette (canvas)));
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-mask", NULL);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-image", NULL);
  g_object_run_dispose (G_OBJECT (canvas));
  g_object_unref (canvas);
}

/* the byte of a [-1, 1] value */
static int
to_byte (float v)
{
  return (int) lrintf ((0.5f * v + 0.5f) * 255.0f);
}

static void
test_palette (void)
{
  StepwiseCanvas *canvas = g_object_ref_sink (STEPWISE_CANVAS (stepwise_canvas_new ()));
  stepwise_canvas_set_geometry (canvas, 3, 16);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-sketch", NULL);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-image", NULL);
  StepwisePalette *palette = stepwise_canvas_get_palette (canvas);
  g_auto (GStrv) swatches = stepwise_palette_get_swatches (palette);
  g_assert_cmpuint (g_strv_length (swatches), >=, 12);
  g_assert_true (g_strv_contains ((const char * const *) swatches, "#000000"));
  g_assert_true (g_strv_contains ((const char * const *) swatches, "#ffffff"));

  /* a swatch chosen by its action is the brush's colour */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (palette), "palette.color", "s", "#e53935"));
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#e53935");
  g_autofree char *prop = NULL;
  g_object_get (canvas, "color", &prop, NULL);
  g_assert_cmpstr (prop, ==, "#e53935");
  GdkRGBA rgba;
  stepwise_canvas_get_color (canvas, &rgba);
  g_assert_cmpint (lrint (rgba.red * 255), ==, 0xe5);

  /* and reaches the pixels: a thick stroke's middle is that colour on
   * the grid, and on the 16 px the job gets */
  stepwise_canvas_set_brush_size (canvas, 12);
  line (canvas, STEPWISE_CANVAS_TOOL_BRUSH, 8, 32, 56, 32);
  g_autoptr (GBytes) grid = stepwise_canvas_get_composite_at (canvas, 64);
  g_autoptr (GBytes) small = stepwise_canvas_get_composite (canvas);
  const float *gp = g_bytes_get_data (grid, NULL), *sp = g_bytes_get_data (small, NULL);
  const int want[3] = { 0xe5, 0x39, 0x35 };
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpint (to_byte (gp[(c * 64 + 32) * 64 + 30]), ==, want[c]);
      g_assert_cmpint (to_byte (sp[(c * 16 + 8) * 16 + 7]), ==, want[c]);
      g_assert_cmpfloat (sp[(c * 16 + 0) * 16 + 0], ==, 1.0f);   /* the paper */
    }
  stepwise_canvas_set_brush_size (canvas, 2);

  /* "." and "," step through the swatches, round */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (palette), "palette.next", NULL));
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#fb8c00");
  gtk_widget_activate_action (GTK_WIDGET (palette), "palette.previous", NULL);
  gtk_widget_activate_action (GTK_WIDGET (palette), "palette.previous", NULL);
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#f4c8a0");
  stepwise_palette_set_color (palette, swatches[0]);
  gtk_widget_activate_action (GTK_WIDGET (palette), "palette.previous", NULL);
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, swatches[g_strv_length (swatches) - 1]);
  /* any other colour (the chooser's), and nothing for a bad string */
  stepwise_canvas_set_color (canvas, &(GdkRGBA) { 0.2, 0.4, 0.6, 0.5 });
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#336699");
  g_object_set (canvas, "color", "not a colour", NULL);
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#336699");
  /* a grey model is shown the greys alone */
  stepwise_palette_set_monochrome (palette, TRUE);
  g_auto (GStrv) greys = stepwise_palette_get_swatches (palette);
  for (guint i = 0; greys[i]; i++)
    g_assert_true (greys[i][1] == greys[i][3] && greys[i][3] == greys[i][5]);
  stepwise_palette_set_monochrome (palette, FALSE);

  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-sketch", NULL);
  g_object_run_dispose (G_OBJECT (canvas));
  g_object_unref (canvas);
}

/* the brush colour is the brush-color setting, both ways, and a new
 * window starts with it */
static void
test_palette_settings (void)
{
  g_autoptr (GSettings) s = g_settings_new ("io.github.stepwise.Stepwise");
  StepwiseWindow *window = new_window ();
  StepwisePalette *palette = stepwise_canvas_get_palette (stepwise_window_get_canvas (window));
  gtk_widget_activate_action (GTK_WIDGET (palette), "palette.color", "s", "#43a047");
  g_autofree char *saved = g_settings_get_string (s, "brush-color");
  g_assert_cmpstr (saved, ==, "#43a047");
  g_settings_set_string (s, "brush-color", "#8e24aa");
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#8e24aa");
  ui_window_close (window);
  window = new_window ();
  palette = stepwise_canvas_get_palette (stepwise_window_get_canvas (window));
  g_assert_cmpstr (stepwise_palette_get_color (palette), ==, "#8e24aa");
  ui_window_close (window);
  g_settings_reset (s, "brush-color");
}

/* ---- the autosave ---- */

static void
test_autosave (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  g_assert_cmpint (stepwise_canvas_get_size (canvas), ==, 28);
  g_autofree char *path = g_strdup (stepwise_canvas_get_autosave_path (canvas));
  g_assert_true (g_str_has_prefix (path, g_get_user_state_dir ()));
  line (canvas, STEPWISE_CANVAS_TOOL_BRUSH, 5, 5, 20, 9);
  line (canvas, STEPWISE_CANVAS_TOOL_MASK, 14, 4, 14, 24);
  g_autoptr (GBytes) drawn = stepwise_canvas_get_layers (canvas);
  ui_window_close (window);   /* within the debounce: nothing was saved by hand */

  StepwiseCanvas *again = g_object_ref_sink (STEPWISE_CANVAS (stepwise_canvas_new ()));
  stepwise_canvas_set_geometry (again, 1, 28);
  g_autoptr (GBytes) restored = stepwise_canvas_get_layers (again);
  g_assert_true (g_bytes_equal (restored, drawn));

  /* the autosave comes by itself soon after a stroke: a crash then loses
   * nothing (the canvas is not disposed before the file is read) */
  line (again, STEPWISE_CANVAS_TOOL_MASK_ERASE, 14, 4, 14, 24);
  g_autoptr (GBytes) erased = stepwise_canvas_get_layers (again);
  const gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      g_file_get_contents (path, &contents, &len, NULL);
      if (contents && len == g_bytes_get_size (erased) && memcmp (contents, g_bytes_get_data (erased, NULL), len) == 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      iterate_for (20);
    }
  /* no temporary file is left beside it */
  g_autofree char *state_dir = g_path_get_dirname (path);
  g_autoptr (GDir) d = g_dir_open (state_dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (d));)
    g_assert_true (g_str_has_prefix (name, "layers-") && g_str_has_suffix (name, ".bin"));
  g_object_run_dispose (G_OBJECT (again));
  g_object_unref (again);
}

/* ---- jobs from the window ---- */

typedef struct {
  int      frames;
  int      first_index;
  GBytes  *first_x_t;
  GBytes  *result;
  GError  *error;
  gboolean finished;
} Watch;

static void
on_frame (StepwiseJobRunner *runner, int index, int t, int steps, int stage, GBytes *x_t, GBytes *x0,
          Watch *w)
{
  if (w->frames++ == 0)
    {
      w->first_index = index;
      w->first_x_t = g_bytes_ref (x_t);
    }
}

static void
on_finished (StepwiseJobRunner *runner, GBytes *result, GError *error, Watch *w)
{
  w->finished = TRUE;
  w->error = error ? g_error_copy (error) : NULL;
  w->result = result ? g_bytes_ref (result) : NULL;
}

static gboolean
is_finished (gpointer data)
{
  return ((Watch *) data)->finished;
}

static void
run_job (StepwiseWindow *window, Watch *w)
{
  StepwiseJobRunner *runner = stepwise_window_get_runner (window);
  g_signal_connect (runner, "frame", G_CALLBACK (on_frame), w);
  g_signal_connect (runner, "finished", G_CALLBACK (on_finished), w);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "generate"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "generate", NULL);
  g_assert_true (stepwise_job_runner_get_running (runner));
  iterate_until (is_finished, w, 120);
  g_signal_handlers_disconnect_by_data (runner, w);
  g_assert_no_error (w->error);
  g_assert_nonnull (w->result);
}

static void
watch_clear (Watch *w)
{
  g_clear_pointer (&w->first_x_t, g_bytes_unref);
  g_clear_pointer (&w->result, g_bytes_unref);
  g_clear_error (&w->error);
}

/* stepwise IMAGE and the canvas's Open: a file read in the background
 * becomes the image layer, resized to the model's size, as one undo step,
 * and the strokes drawn over the old image go with it (undo brings both
 * back) */
static gboolean
image_changed (gpointer data)
{
  StepwiseCanvas *canvas = data;
  g_autoptr (GBytes) now = stepwise_canvas_get_image (canvas);
  const float *x = g_bytes_get_data (now, NULL);
  return x[14 * 28 + 14] > 0.9f;
}

static void
test_open_file (void)
{
  StepwiseCanvas *canvas = g_object_ref_sink (STEPWISE_CANVAS (stepwise_canvas_new ()));
  stepwise_canvas_set_geometry (canvas, 1, 28);
  g_autoptr (GBytes) before = stepwise_canvas_get_image (canvas);
  line (canvas, STEPWISE_CANVAS_TOOL_BRUSH, 20, 200, 200, 200);
  g_autoptr (GBytes) sketched = stepwise_canvas_get_composite (canvas);
  g_assert_false (g_bytes_equal (sketched, before));
  /* 112 x 112: black with a white square over the middle half */
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 112, 112);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 28, 28, 56, 56);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_autofree char *path = g_build_filename (dir, "square.png", NULL);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  g_autoptr (GFile) file = g_file_new_for_path (path);
  stepwise_canvas_open_file (canvas, file);
  iterate_until (image_changed, canvas, 10);
  g_autoptr (GBytes) after = stepwise_canvas_get_image (canvas);
  const float *x = g_bytes_get_data (after, NULL);
  g_assert_cmpfloat (x[0], ==, -1.0f);            /* a corner: black */
  g_assert_cmpfloat (x[14 * 28 + 14], ==, 1.0f);  /* the middle: white */
  g_autoptr (GBytes) shown = stepwise_canvas_get_composite (canvas);
  g_assert_true (g_bytes_equal (shown, after));   /* no stroke on top */
  stepwise_canvas_undo (canvas);
  g_autoptr (GBytes) undone = stepwise_canvas_get_image (canvas);
  g_assert_true (g_bytes_equal (undone, before));
  g_autoptr (GBytes) strokes_back = stepwise_canvas_get_composite (canvas);
  g_assert_true (g_bytes_equal (strokes_back, sketched));
  g_object_unref (canvas);
}

/* a soft picture to start from: a bright disc on black */
static GBytes *
disc (void)
{
  float *x = g_new (float, 28 * 28);
  for (int y = 0; y < 28; y++)
    for (int i = 0; i < 28; i++)
      x[y * 28 + i] = hypot (y - 13.5, i - 13.5) < 9 ? 0.8f : -1.0f;
  return g_bytes_new_take (x, sizeof (float) * 28 * 28);
}

static void
test_sdedit (void)
{
  g_autoptr (GSettings) s = g_settings_new ("io.github.stepwise.Stepwise");
  g_settings_set_int (s, "steps", 8);
  StepwiseWindow *window = new_window ();
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  g_autoptr (GBytes) image = disc ();
  stepwise_canvas_set_image (canvas, image);
  stepwise_canvas_set_color (canvas, &(GdkRGBA) { 1, 1, 1, 1 });
  line (canvas, STEPWISE_CANVAS_TOOL_BRUSH, 3, 24, 24, 24);
  stepwise_window_set_mode (window, STEPWISE_MODE_SDEDIT);
  stepwise_window_set_prompt (window, "a sneaker");
  stepwise_window_set_i_start (window, 3);
  screenshot (window, "mode-1-sdedit-before.png");
  Watch w = { 0 };
  run_job (window, &w);
  /* frames for updates 3..8 and the result */
  g_assert_cmpint (w.first_index, ==, 3);
  g_assert_cmpint (w.frames, ==, 8 - 3 + 1);
  /* it started from the composite noised to ts[3] with image 0's noise */
  g_autoptr (GBytes) comp = stepwise_canvas_get_composite (canvas);
  SwEpsModel *eps = stepwise_model_get_eps (stepwise_window_get_model (window));
  int ts[9];
  sw_strided_timesteps (eps->T, 8, ts);
  float noise[28 * 28], expect[28 * 28];
  SwRng rng;
  sw_rng_init (&rng, 0, 0);
  sw_rng_fill_normal (&rng, noise, 28 * 28);
  sw_forward_noise (eps, ts[3], 28 * 28, g_bytes_get_data (comp, NULL), noise, expect);
  const float *got = g_bytes_get_data (w.first_x_t, NULL);
  for (int i = 0; i < 28 * 28; i++)
    g_assert_cmpfloat (fabsf (got[i] - expect[i]), <, 1e-5f);
  screenshot (window, "mode-1-sdedit.png");

  /* "use result as input" puts it on the canvas, one undo step */
  g_action_group_activate_action (G_ACTION_GROUP (window), "use-result", NULL);
  g_autoptr (GBytes) now = stepwise_canvas_get_image (canvas);
  g_assert_true (g_bytes_equal (now, w.result));
  /* without the old strokes on top (issue 23) */
  g_autoptr (GBytes) drawn = stepwise_canvas_get_composite (canvas);
  g_assert_true (g_bytes_equal (drawn, w.result));
  stepwise_canvas_undo (canvas);
  g_autoptr (GBytes) back = stepwise_canvas_get_image (canvas);
  g_assert_true (g_bytes_equal (back, image));
  g_autoptr (GBytes) strokes_back = stepwise_canvas_get_composite (canvas);
  g_assert_true (g_bytes_equal (strokes_back, comp));

  /* the denoising lab runs the same kind of job */
  stepwise_window_set_mode (window, STEPWISE_MODE_DENOISE_LAB);
  Watch lab = { 0 };
  run_job (window, &lab);
  g_assert_cmpint (lab.frames, ==, 8 - 3 + 1);
  screenshot (window, "mode-5-denoise-lab.png");

  /* i_start keeps its timestep when the step count changes (issue 23):
   * 3 of 8 is t = 620, then 12 of 33 (t = 630), 184 of 500 (t = 631, the
   * higher of two as near), and back to 3 of 8 */
  const int kept[][2] = { { 33, 12 }, { 500, 184 }, { 8, 3 } };
  for (size_t k = 0; k < G_N_ELEMENTS (kept); k++)
    {
      g_settings_set_int (s, "steps", kept[k][0]);
      g_assert_cmpfloat (g_settings_get_double (s, "i-start"), ==, kept[k][1]);
    }
  watch_clear (&lab);
  watch_clear (&w);
  ui_window_close (window);
}

/* issue 23: the canvas zooms (about the centre, by its actions) and the
 * pointer paints the model pixel under it at every zoom */
static void
test_zoom (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  stepwise_window_set_mode (window, STEPWISE_MODE_SDEDIT);
  iterate_for (200);
  double ax, ay, bx, by;
  g_assert_true (stepwise_canvas_to_model (canvas, 100, 100, &ax, &ay));
  g_assert_true (stepwise_canvas_to_model (canvas, 140, 100, &bx, &by));
  const double unzoomed = bx - ax;
  g_assert_cmpfloat (unzoomed, >, 0);
  stepwise_canvas_set_zoom (canvas, 4);
  g_assert_cmpfloat (stepwise_canvas_get_zoom (canvas), ==, 4);
  g_assert_true (stepwise_canvas_to_model (canvas, 100, 100, &ax, &ay));
  g_assert_true (stepwise_canvas_to_model (canvas, 140, 100, &bx, &by));
  g_test_message ("40 px: %.3f model pixels, %.3f at zoom 4", unzoomed, bx - ax);
  g_assert_cmpfloat (unzoomed / (bx - ax), >, 3.5);
  g_assert_cmpfloat (unzoomed / (bx - ax), <, 4.5);
  screenshot (window, "canvas-zoom-4.png");
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.zoom-in", NULL);
  g_assert_cmpfloat (stepwise_canvas_get_zoom (canvas), ==, 5);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.zoom-out", NULL);
  g_assert_cmpfloat (stepwise_canvas_get_zoom (canvas), ==, 4);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.zoom-reset", NULL);
  g_assert_cmpfloat (stepwise_canvas_get_zoom (canvas), ==, 1);
  g_assert_true (stepwise_canvas_to_model (canvas, 140, 100, &bx, &by));
  g_assert_true (stepwise_canvas_to_model (canvas, 100, 100, &ax, &ay));
  g_assert_cmpfloat (bx - ax, ==, unzoomed);
  /* it never zooms out past the whole image */
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.zoom-out", NULL);
  g_assert_cmpfloat (stepwise_canvas_get_zoom (canvas), ==, 1);
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  ui_window_close (window);
}

static void
test_inpaint (void)
{
  g_autoptr (GSettings) s = g_settings_new ("io.github.stepwise.Stepwise");
  g_settings_set_int (s, "steps", 6);
  StepwiseWindow *window = new_window ();
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-mask", NULL);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-sketch", NULL);
  g_autoptr (GBytes) image = disc ();
  stepwise_canvas_set_image (canvas, image);
  stepwise_window_set_mode (window, STEPWISE_MODE_INPAINT);
  g_assert_cmpint (stepwise_canvas_get_tool (canvas), ==, STEPWISE_CANVAS_TOOL_MASK);

  /* no mask: nothing to inpaint, nothing starts */
  g_action_group_activate_action (G_ACTION_GROUP (window), "generate", NULL);
  g_assert_false (stepwise_job_runner_get_running (stepwise_window_get_runner (window)));

  stepwise_canvas_set_brush_size (canvas, 6);
  line (canvas, STEPWISE_CANVAS_TOOL_MASK, 6, 14, 22, 14);
  stepwise_window_set_prompt (window, "a bag");
  Watch w = { 0 };
  run_job (window, &w);
  g_assert_cmpint (w.frames, ==, 6 + 1);
  g_autoptr (GBytes) mask = stepwise_canvas_get_mask (canvas);
  g_autoptr (GBytes) comp = stepwise_canvas_get_composite (canvas);
  const float *m = g_bytes_get_data (mask, NULL), *x = g_bytes_get_data (comp, NULL);
  const float *r = g_bytes_get_data (w.result, NULL);
  int kept = 0, masked = 0, changed = 0;
  for (int i = 0; i < 28 * 28; i++)
    if (m[i] == 0.0f)
      {
        g_assert_cmpfloat (r[i], ==, x[i]);   /* kept exactly */
        kept++;
      }
    else if (m[i] == 1.0f)
      {
        masked++;
        changed += r[i] != x[i];
      }
  g_test_message ("kept %d pixels; %d fully masked, %d of them changed", kept, masked, changed);
  g_assert_cmpint (kept, >, 28 * 28 / 2);
  g_assert_cmpint (masked, >, 20);
  g_assert_cmpint (changed, >, 0);
  stepwise_canvas_set_brush_size (canvas, 2);
  screenshot (window, "mode-2-inpaint.png");
  watch_clear (&w);
  ui_window_close (window);
}

/* an anagram and a hybrid of the prompt and PROMPT2, STEPS steps each:
 * both complete, and differ; screenshots SHOT_A and SHOT_H */
static void
anagram_then_hybrid (StepwiseWindow *window, const char *prompt2, int steps, const char *shot_a,
                     const char *shot_h)
{
  stepwise_window_set_prompt2 (window, prompt2);
  stepwise_window_set_mode (window, STEPWISE_MODE_ANAGRAM);
  Watch a = { 0 };
  run_job (window, &a);
  g_assert_cmpint (a.frames, ==, steps + 1);
  screenshot (window, shot_a);
  stepwise_window_set_mode (window, STEPWISE_MODE_HYBRID);
  Watch h = { 0 };
  run_job (window, &h);
  g_assert_true (bytes_differ (a.result, h.result));
  screenshot (window, shot_h);
  watch_clear (&a);
  watch_clear (&h);
}

static void
test_anagram_hybrid (void)
{
  g_autoptr (GSettings) s = g_settings_new ("io.github.stepwise.Stepwise");
  g_settings_set_int (s, "steps", 5);
  StepwiseWindow *window = new_window ();
  stepwise_window_set_prompt (window, "a sneaker");
  anagram_then_hybrid (window, "a bag", 5, "mode-3-anagram.png", "mode-4-hybrid.png");
  ui_window_close (window);
}

/* issue 22's stage I: a 16x16 colour residual attention UNet found in the
 * window's folder is selected, the canvas takes its geometry (white
 * paper, a black brush, a 64 px grid handed to jobs at 16 px), and every
 * Part A mode runs on it at 16 px:
 * generate, SDEdit of a red sketch, inpainting that keeps the unmasked
 * pixels, anagram, hybrid; the trajectory scrubs back to step 0 and its
 * strip exports */
static const char * const stage1_captions[] = {
  "dog face: dog, face", "old man: adult, man, old", "fire: flame", "smiling face: face, smile",
  "strawberry: berry, fruit", NULL,
};

static void
test_stage1 (void)
{
  g_autoptr (GSettings) s = g_settings_new ("io.github.stepwise.Stepwise");
  g_settings_set_int (s, "steps", 5);
  g_settings_set_string (s, "last-model", "");
  g_autofree char *folder = g_build_filename (dir, "stage1", NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_autofree char *path = g_build_filename (folder, "emoji-stage1.safetensors", NULL);
  sw_test_write_tiny_stage1 (path, stage1_captions);
  StepwiseWindow *window = stepwise_window_new (NULL, folder);
  gtk_window_present (GTK_WINDOW (window));
  iterate_until (ui_window_has_model, window, 30);
  iterate_for (300);
  g_assert_cmpstr (stepwise_model_get_path (stepwise_window_get_model (window)), ==, path);
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  g_assert_cmpint (stepwise_canvas_get_channels (canvas), ==, 3);
  /* drawn on 64 px (issue 24), handed to the jobs at 16 */
  g_assert_cmpint (stepwise_canvas_get_size (canvas), ==, 64);
  g_assert_cmpint (stepwise_canvas_get_model_size (canvas), ==, 16);
  const size_t img = 3 * 16 * 16;
  /* strokes-undo's layers of this geometry come back from its autosave */
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-mask", NULL);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-sketch", NULL);
  gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.clear-image", NULL);

  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);   /* the mode is remembered */
  stepwise_window_set_prompt (window, "dog");
  Watch g = { 0 };
  run_job (window, &g);
  g_assert_cmpint (g.frames, ==, 5 + 1);
  g_assert_cmpuint (g_bytes_get_size (g.result), ==, sizeof (float) * img);
  StepwiseResult *shown = stepwise_window_get_shown_result (window);
  g_assert_cmpint (stepwise_result_get_width (shown), ==, 16);
  g_assert_cmpint (stepwise_result_get_channels (shown), ==, 3);
  screenshot (window, "stage1-generate.png");
  /* saved at 8x (128 px), it opens as the 16 px picture it was */
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = stepwise_result_to_png (shown, 8, &error);
  g_assert_no_error (error);
  g_assert_true (stepwise_window_restore_png (window, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                              "dog.png", &error));
  g_assert_no_error (error);
  StepwiseResult *back = stepwise_window_get_shown_result (window);
  g_assert_cmpint (stepwise_result_get_width (back), ==, 16);
  g_assert_cmpint (stepwise_result_get_channels (back), ==, 3);
  const float *saved = g_bytes_get_data (stepwise_result_get_pixels (back), NULL);
  const float *made = g_bytes_get_data (g.result, NULL);
  for (size_t i = 0; i < img; i++)
    g_assert_cmpfloat (fabsf (saved[i] - CLAMP (made[i], -1.0f, 1.0f)), <=, 1.01f / 255);   /* 8 bits */
  stepwise_window_show_result (window, shown);

  /* the trajectory: scrubbed back to the noise, forward to the result */
  StepwiseScrubber *scrubber = stepwise_window_get_scrubber (window);
  g_assert_cmpuint (stepwise_scrubber_get_n_frames (scrubber), ==, 5 + 1);
  stepwise_scrubber_set_position (scrubber, 0);
  GBytes *start = stepwise_scrubber_get_image (scrubber);   /* the scrubber's */
  g_assert_cmpuint (g_bytes_get_size (start), ==, sizeof (float) * img);
  g_assert_false (g_bytes_equal (start, g.result));
  screenshot (window, "stage1-trajectory-0.png");
  stepwise_scrubber_set_position (scrubber, 5);
  g_assert_true (g_bytes_equal (stepwise_scrubber_get_image (scrubber), g.result));
  g_autofree char *strip = g_build_filename (dir, "strip.png", NULL);
  g_assert_true (stepwise_window_export (window, STEPWISE_EXPORT_STRIP, strip, &error));
  g_assert_no_error (error);
  g_unlink (strip);

  /* a red sketch on the white paper, SDEdit from i_start 2 */
  stepwise_canvas_set_color (canvas, &(GdkRGBA) { 0.9, 0.1, 0.1, 1 });
  stepwise_canvas_set_brush_size (canvas, 12);
  line (canvas, STEPWISE_CANVAS_TOOL_BRUSH, 16, 32, 48, 32);
  g_autoptr (GBytes) comp = stepwise_canvas_get_composite (canvas);
  const float *c = g_bytes_get_data (comp, NULL);
  g_assert_cmpfloat (c[8 * 16 + 8], >, 0.5f);            /* red */
  g_assert_cmpfloat (c[256 + 8 * 16 + 8], <, -0.5f);
  g_assert_cmpfloat (c[256 + 0], ==, 1.0f);               /* white paper */
  stepwise_window_set_mode (window, STEPWISE_MODE_SDEDIT);
  stepwise_window_set_i_start (window, 2);
  Watch e = { 0 };
  run_job (window, &e);
  g_assert_cmpint (e.first_index, ==, 2);
  g_assert_cmpint (e.frames, ==, 5 - 2 + 1);
  g_assert_cmpuint (g_bytes_get_size (e.result), ==, sizeof (float) * img);
  screenshot (window, "stage1-sdedit.png");

  /* inpainting the top half keeps the bottom half exactly */
  stepwise_window_set_mode (window, STEPWISE_MODE_INPAINT);
  stepwise_canvas_set_brush_size (canvas, 16);
  line (canvas, STEPWISE_CANVAS_TOOL_MASK, 0, 12, 64, 12);
  Watch m = { 0 };
  run_job (window, &m);
  g_autoptr (GBytes) mask = stepwise_canvas_get_mask (canvas);
  const float *mk = g_bytes_get_data (mask, NULL), *r = g_bytes_get_data (m.result, NULL);
  int kept = 0;
  for (int i = 0; i < 256; i++)
    if (mk[i] == 0.0f)
      {
        for (int ch = 0; ch < 3; ch++)
          g_assert_cmpfloat (r[ch * 256 + i], ==, c[ch * 256 + i]);
        kept++;
      }
  g_assert_cmpint (kept, >=, 7 * 16);   /* the rows below the stroke */
  screenshot (window, "stage1-inpaint.png");
  stepwise_canvas_set_brush_size (canvas, 2);

  anagram_then_hybrid (window, "fire", 5, "stage1-anagram.png", "stage1-hybrid.png");
  watch_clear (&g);
  watch_clear (&e);
  watch_clear (&m);
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  ui_window_close (window);
  g_settings_set_string (s, "last-model", "");
}

/* the views a result is shown in (result, history, lab) scale a 16 px
 * picture up by nearest neighbour: rendered at 200 x 150, a red and blue
 * checkerboard is whole squares of red and blue, never a blend */
static void
test_stage1_crisp (void)
{
  GtkWidget *win = gtk_window_new ();
  GtkWidget *view = stepwise_image_view_new ();
  gtk_widget_set_size_request (view, 200, 150);
  gtk_window_set_child (GTK_WINDOW (win), view);
  gtk_window_present (GTK_WINDOW (win));
  float *x = g_new (float, 3 * 16 * 16);
  for (int y = 0; y < 16; y++)
    for (int i = 0; i < 16; i++)
      {
        const gboolean red = (y + i) % 2 == 0;
        x[y * 16 + i] = red ? 1.0f : -1.0f;
        x[256 + y * 16 + i] = -1.0f;
        x[512 + y * 16 + i] = red ? -1.0f : 1.0f;
      }
  g_autoptr (GBytes) pixels = g_bytes_new_take (x, sizeof (float) * 3 * 16 * 16);
  stepwise_image_view_set_pixels (STEPWISE_IMAGE_VIEW (view), pixels, 3, 16, 16);
  iterate_for (300);
  const int w = gtk_widget_get_width (view), h = gtk_widget_get_height (view);
  g_assert_cmpint (w, >=, 200);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (view);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  GskRenderNode *node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  const int stride = cairo_image_surface_get_stride (surface);
  long red = 0, blue = 0, other = 0;
  for (int y = 0; y < h; y++)
    for (int i = 0; i < w; i++)
      {
        const guint32 p = *(const guint32 *) (const void *) (data + (size_t) y * stride + 4 * (size_t) i);
        if (p >> 24 == 0)
          continue;   /* around the picture: nothing drawn */
        if (p == 0xffff0000u)
          red++;
        else if (p == 0xff0000ffu)
          blue++;
        else
          other++;
      }
  g_test_message ("%ld red, %ld blue, %ld other pixels", red, blue, other);
  g_assert_cmpint (other, ==, 0);
  g_assert_cmpint (red, ==, blue);
  g_assert_cmpint (red, ==, 128 * 7 * 7);   /* 7 times: 150 px less a 12 px pad each side */
  cairo_surface_destroy (surface);
  gsk_render_node_unref (node);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  dir = ui_test_init (&argc, &argv, "stepwise-ui-canvas-XXXXXX");
  {
    /* the jobs here start from seed 0, as their expected pixels do */
    g_autoptr (GSettings) s = g_settings_new ("io.github.stepwise.Stepwise");
    g_settings_set_boolean (s, "new-seed", FALSE);
  }
  model_path = g_build_filename (dir, "tiny.safetensors", NULL);
  sw_test_write_tiny_model (model_path);
  g_test_add_func ("/ui/canvas/strokes-undo", test_strokes_undo);
  g_test_add_func ("/ui/canvas/grid", test_grid);
  g_test_add_func ("/ui/canvas/palette", test_palette);
  g_test_add_func ("/ui/canvas/palette-settings", test_palette_settings);
  g_test_add_func ("/ui/canvas/autosave", test_autosave);
  g_test_add_func ("/ui/canvas/open-file", test_open_file);
  g_test_add_func ("/ui/canvas/sdedit", test_sdedit);
  g_test_add_func ("/ui/canvas/zoom", test_zoom);
  g_test_add_func ("/ui/canvas/inpaint", test_inpaint);
  g_test_add_func ("/ui/canvas/anagram-hybrid", test_anagram_hybrid);
  g_test_add_func ("/ui/canvas/stage1", test_stage1);
  g_test_add_func ("/ui/canvas/stage1-crisp", test_stage1_crisp);
  int status = g_test_run ();
  remove_tree (dir);
  g_free (model_path);
  g_free (dir);
  return status;
}
