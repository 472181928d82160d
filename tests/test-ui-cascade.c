/* The window runs the cascade (issue 24, part 4): with a tiny stage I and
 * a tiny stage II beside it (emoji-stage1 and emoji-stage2, untrained) in
 * its models folder, the model list shows the cascade and selects it; a
 * Generate job gives a 64 x 64 image through both stages, one progress
 * over both, and a scrubber whose frames are stage I's (16 px, kept as
 * 4 x 4 blocks) then stage II's, labelled with their stage; Cancel stops
 * it during stage II within one step; SDEdit reads the canvas at 64 px
 * (stage I its block means; stage II starts from stage I's result, from
 * the update nearest sr_from, as after Generate); inpainting keeps the
 * unmasked 64 px pixels exactly; anagram, hybrid and the denoising lab
 * end in 64 px too; and after an SDEdit the scrubber's handle sits at
 * its end when its label says the last step.  With
 * STEPWISE_SCREENSHOT_DIR set, the window showing a cascade result is
 * saved there as cascade-window.png (ImageMagick's import).  Runs under
 * Xvfb (see tests/meson.build). */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "data/sr-pairs.h"
#include "diffusion/cascade.h"
#include "diffusion/job-settings.h"
#include "models/cosine-schedule.h"
#include "stepwise-application.h"
#include "stepwise-window.h"
#include "test-model-util.h"
#include "test-ui-util.h"

static char *dir, *models, *stage1_path, *stage2_path;

static const char * const captions[] = { "strawberry: berry, fruit", "smiling face: face, smile", NULL };

static GSettings *
settings (void)
{
  return g_settings_new ("io.github.stepwise.Stepwise");
}

static StepwiseWindow *
new_window (void)
{
  return ui_window_new (models);
}

/* the first widget of TYPE under WIDGET, depth first */
static GtkWidget *
find_widget (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);
      if (found)
        return found;
    }
  return NULL;
}

static const char *
scrubber_label (StepwiseScrubber *scrubber)
{
  return gtk_label_get_text (GTK_LABEL (find_widget (GTK_WIDGET (scrubber), GTK_TYPE_LABEL)));
}

static GtkAdjustment *
scrubber_adjustment (StepwiseScrubber *scrubber)
{
  return gtk_range_get_adjustment (GTK_RANGE (find_widget (GTK_WIDGET (scrubber), GTK_TYPE_SCALE)));
}

/* ---- a job as the tests watch it ---- */

typedef struct {
  int     stage, index, steps;
  gsize   floats;
  double  fraction;   /* the progress bar's, after the window's handler */
  GBytes *x_t;
} Seen;

typedef struct {
  StepwiseWindow *window;
  GArray         *seen;           /* Seen */
  gboolean        finished;
  GError         *error;
  GBytes         *result;
  int             cancel_stage2_at;   /* cancel at this frame of stage II, -1: never */
  gboolean        cancelled;
  int             done_at_cancel;     /* the engine's frames after the cancel */
} Watch;

static void
seen_clear (Seen *s)
{
  g_bytes_unref (s->x_t);
}

static void
on_frame (StepwiseJobRunner *runner, int index, int t, int steps, int stage, GBytes *x_t, GBytes *x0,
          Watch *w)
{
  GtkProgressBar *bar = GTK_PROGRESS_BAR (find_widget (GTK_WIDGET (w->window), GTK_TYPE_PROGRESS_BAR));
  Seen s = { stage, index, steps, g_bytes_get_size (x_t) / sizeof (float),
             gtk_progress_bar_get_fraction (bar), g_bytes_ref (x_t) };
  g_array_append_val (w->seen, s);
  if (stage == 2 && w->cancel_stage2_at-- == 0)
    {
      w->cancelled = TRUE;
      w->done_at_cancel = stepwise_job_runner_get_steps_done (runner);
      g_action_group_activate_action (G_ACTION_GROUP (w->window), "cancel", NULL);
    }
}

static void
on_finished (StepwiseJobRunner *runner, GBytes *result, GError *error, Watch *w)
{
  w->finished = TRUE;
  w->error = error ? g_error_copy (error) : NULL;
  w->result = result ? g_bytes_ref (result) : NULL;
  if (w->cancelled)
    w->done_at_cancel = stepwise_job_runner_get_steps_done (runner) - w->done_at_cancel;
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
  w->window = window;
  w->seen = g_array_new (FALSE, TRUE, sizeof (Seen));
  g_array_set_clear_func (w->seen, (GDestroyNotify) seen_clear);
  gulong f = g_signal_connect (runner, "frame", G_CALLBACK (on_frame), w);
  gulong d = g_signal_connect (runner, "finished", G_CALLBACK (on_finished), w);
  g_action_group_activate_action (G_ACTION_GROUP (window), "generate", NULL);
  g_assert_true (stepwise_job_runner_get_running (runner));
  iterate_until (is_finished, w, 120);
  g_signal_handler_disconnect (runner, f);
  g_signal_handler_disconnect (runner, d);
  iterate_for (50);
}

static void
watch_clear (Watch *w)
{
  g_clear_error (&w->error);
  g_clear_pointer (&w->result, g_bytes_unref);
  g_clear_pointer (&w->seen, g_array_unref);
}

#define IMG1 (3 * 16 * 16)
#define IMG2 (3 * 64 * 64)

/* with STEPWISE_SCREENSHOT_DIR set, the screen as NAME there */
static void
screenshot (const char *name)
{
  const char *shots = g_getenv ("STEPWISE_SCREENSHOT_DIR");
  if (!shots || !*shots)
    return;
  iterate_for (500);
  g_autofree char *path = g_build_filename (shots, name, NULL);
  const char *argv[] = { "import", "-window", "root", path, NULL };
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* ---- tests ---- */

static void
test_model_list (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_string (s, "last-model", "");
  StepwiseWindow *window = new_window ();
  GListModel *list = stepwise_window_get_models (window);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_autoptr (StepwiseModel) first = g_list_model_get_item (list, 0);
  g_autoptr (StepwiseModel) second = g_list_model_get_item (list, 1);
  /* the cascade, then stage I alone */
  g_assert_cmpstr (stepwise_model_get_name (first), ==, "Emoji, 16 → 64 (cascade)");
  g_assert_cmpstr (stepwise_model_get_path (first), ==, stage1_path);
  g_assert_cmpstr (stepwise_model_get_sr_path (first), ==, stage2_path);
  g_assert_cmpint (stepwise_model_get_output (first)->height, ==, 64);
  g_assert_cmpstr (stepwise_model_get_name (second), ==, "emoji-stage1");
  g_assert_null (stepwise_model_get_sr_path (second));
  g_assert_cmpint (stepwise_model_get_output (second)->height, ==, 16);
  /* the default is the cascade, remembered as both files */
  g_assert_true (stepwise_window_get_model (window) == first);
  g_autofree char *last = g_settings_get_string (s, "last-model");
  g_assert_cmpstr (last, ==, stepwise_model_get_id (first));
  g_assert_cmpstr (last, !=, stepwise_model_get_id (second));
  /* the stage II file is the cascade's, not a file left out */
  g_assert_null (*stepwise_window_get_unlisted_models (window));
  /* stage II's steps default to the cascade's; the brush suits 64 px */
  g_assert_cmpint (g_settings_get_int (s, "sr-steps"), ==, SW_CASCADE_SR_STEPS);
  g_assert_cmpint (g_settings_get_int (s, "sr-from"), ==, SW_CASCADE_SR_FROM);
  g_assert_cmpfloat (stepwise_canvas_get_brush_size (stepwise_window_get_canvas (window)), ==, 4.0);
  g_assert_cmpint (stepwise_canvas_get_size (stepwise_window_get_canvas (window)), ==, 64);
  ui_window_close (window);
  /* a new window comes back to the cascade, and so does one on another
   * folder: the last model used loads there */
  window = new_window ();
  g_assert_nonnull (stepwise_model_get_sr_path (stepwise_window_get_model (window)));
  ui_window_close (window);
  g_autofree char *elsewhere = g_build_filename (dir, "elsewhere", NULL);
  g_assert_cmpint (g_mkdir (elsewhere, 0755), ==, 0);
  window = ui_window_new (elsewhere);
  g_assert_cmpstr (stepwise_model_get_id (stepwise_window_get_model (window)), ==, last);
  g_assert_cmpstr (stepwise_model_get_sr_path (stepwise_window_get_model (window)), ==, stage2_path);
  ui_window_close (window);
  g_rmdir (elsewhere);
}

/* the frames of a cascade job from noise: stage I's, then stage II's
 * from its update I2 (sw_cascade_sr_i_start) */
static void
check_frames (Watch *w, int n1, int n2, int i2)
{
  g_assert_cmpuint (w->seen->len, ==, (guint) (n1 + 1 + n2 - i2 + 1));
  for (guint k = 0; k < w->seen->len; k++)
    {
      const Seen *s = &g_array_index (w->seen, Seen, k);
      const gboolean one = k <= (guint) n1;
      g_assert_cmpint (s->stage, ==, one ? 1 : 2);
      g_assert_cmpint (s->index, ==, one ? (int) k : (int) k - n1 - 1 + i2);
      g_assert_cmpint (s->steps, ==, one ? n1 : n2);
      g_assert_cmpuint (s->floats, ==, one ? IMG1 : IMG2);
      /* one progress over both stages */
      const int done = one ? s->index : n1 + s->index - i2;
      g_assert_cmpfloat (fabs (s->fraction - (double) done / (n1 + n2 - i2)), <, 1e-9);
    }
}

static void
test_generate (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_string (s, "last-model", "");
  g_settings_set_int (s, "steps", 5);
  g_settings_set_int (s, "sr-steps", 4);
  g_settings_set_int (s, "sr-from", SW_CASCADE_SR_FROM);
  g_settings_set_boolean (s, "new-seed", FALSE);
  g_settings_set_uint (s, "mode", 0);
  StepwiseWindow *window = new_window ();
  stepwise_window_set_prompt (window, "strawberry");
  Watch w = { .cancel_stage2_at = -1 };
  run_job (window, &w);
  g_assert_no_error (w.error);
  g_assert_cmpuint (g_bytes_get_size (w.result), ==, sizeof (float) * IMG2);
  /* stage II's 4 steps are t = 996, 747, 498, 249: it starts at 747 */
  const int i2 = sw_strided_index (SW_COSINE_T, 4, SW_CASCADE_SR_FROM), frames = 6 + 4 - i2 + 1;
  g_assert_cmpint (i2, ==, 1);
  check_frames (&w, 5, 4, i2);

  /* the scrubber: stage I's frames kept as 4 x 4 blocks, then stage II's */
  StepwiseScrubber *scrubber = stepwise_window_get_scrubber (window);
  StepwiseTrajectory *traj = stepwise_scrubber_get_trajectory (scrubber);
  g_assert_cmpuint (stepwise_scrubber_get_n_frames (scrubber), ==, frames);
  g_assert_cmpint (stepwise_trajectory_get_stages (traj), ==, 2);
  for (guint k = 0; k < (guint) frames; k++)
    {
      int stage, steps, size, index;
      GBytes *x_t;
      g_assert_true (stepwise_trajectory_get_frame_stage (traj, k, &stage, &steps, &size));
      g_assert_true (stepwise_scrubber_get_frame (scrubber, k, &index, NULL, &x_t, NULL));
      g_assert_cmpint (stage, ==, k < 6 ? 1 : 2);
      g_assert_cmpint (size, ==, k < 6 ? 16 : 64);
      g_assert_cmpuint (g_bytes_get_size (x_t), ==, sizeof (float) * IMG2);
      const Seen *seen = &g_array_index (w.seen, Seen, k);
      g_assert_cmpint (index, ==, seen->index);
      g_autofree float *want = g_new (float, IMG2);
      if (size == 16)
        sw_sr_upsample (3, 16, 4, g_bytes_get_data (seen->x_t, NULL), want);
      else
        memcpy (want, g_bytes_get_data (seen->x_t, NULL), sizeof (float) * IMG2);
      g_assert_cmpmem (g_bytes_get_data (x_t, NULL), sizeof (float) * IMG2, want, sizeof (float) * IMG2);
    }
  /* it shows the result, at the end of its track, and says so */
  g_assert_cmpint (stepwise_scrubber_get_position (scrubber), ==, frames - 1);
  g_assert_true (g_bytes_equal (stepwise_scrubber_get_image (scrubber), w.result));
  GtkAdjustment *adj = scrubber_adjustment (scrubber);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, gtk_adjustment_get_upper (adj));
  g_assert_cmpstr (scrubber_label (scrubber), ==, "Stage II · step 4 of 4 · t = 0");
  stepwise_scrubber_set_position (scrubber, 0);
  g_assert_true (g_str_has_prefix (scrubber_label (scrubber), "Stage I · step 0 of 5 · t = "));
  stepwise_scrubber_set_position (scrubber, 5);
  g_assert_cmpstr (scrubber_label (scrubber), ==, "Stage I · step 5 of 5 · t = 0");
  screenshot ("cascade-stage1-frame.png");

  /* the result carries stage II's settings */
  StepwiseResult *r = stepwise_window_get_shown_result (window);
  g_assert_cmpint (stepwise_result_get_height (r), ==, 64);
  g_assert_cmpstr (stepwise_result_lookup (r, SW_JOB_KEY_MODEL), ==, "emoji-stage1.safetensors");
  g_assert_cmpstr (stepwise_result_lookup (r, SW_JOB_KEY_SR_MODEL), ==, "emoji-stage2.safetensors");
  g_assert_cmpstr (stepwise_result_lookup (r, SW_JOB_KEY_SR_STEPS), ==, "4");
  g_assert_cmpstr (stepwise_result_lookup (r, SW_JOB_KEY_SR_NOISE), ==, "50");
  g_assert_cmpstr (stepwise_result_lookup (r, SW_JOB_KEY_SR_FROM), ==, "750");

  /* the same seed, the same bytes */
  Watch again = { .cancel_stage2_at = -1 };
  run_job (window, &again);
  g_assert_true (g_bytes_equal (again.result, w.result));
  watch_clear (&again);

  stepwise_scrubber_set_position (scrubber, 10);
  screenshot ("cascade-window.png");
  watch_clear (&w);
  ui_window_close (window);
}

static void
test_cancel_stage2 (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_string (s, "last-model", "");
  g_settings_set_int (s, "steps", 3);
  g_settings_set_int (s, "sr-steps", 999);
  g_settings_set_uint (s, "mode", 0);
  StepwiseWindow *window = new_window ();
  Watch w = { .cancel_stage2_at = 2 };
  run_job (window, &w);
  g_assert_error (w.error, SW_ERROR, SW_ERROR_CANCELLED);
  g_assert_null (w.result);
  g_test_message ("frames shown %u; engine steps after the cancel %d", w.seen->len, w.done_at_cancel);
  g_assert_cmpint (w.done_at_cancel, <=, 1);
  g_assert_cmpuint (w.seen->len, ==, 3 + 1 + 3);
  /* the scrubber keeps both stages' frames up to the cancel */
  StepwiseScrubber *scrubber = stepwise_window_get_scrubber (window);
  g_assert_cmpuint (stepwise_scrubber_get_n_frames (scrubber), ==, 3 + 1 + 3);
  watch_clear (&w);
  g_settings_set_int (s, "sr-steps", SW_CASCADE_SR_STEPS);
  ui_window_close (window);
}

/* a picture on the 64 px canvas: a disc on white, coloured by position */
static GBytes *
drawing (void)
{
  float *px = g_new (float, IMG2);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 64; y++)
      for (int x = 0; x < 64; x++)
        {
          const double r = hypot (x - 31.5, y - 29.5);
          px[(c * 64 + y) * 64 + x] = r < 20 ? (float) (0.9 * sin (0.2 * (x + 2 * y) + c)) : 1.0f;
        }
  return g_bytes_new_take (px, sizeof (float) * IMG2);
}

static gboolean
is_alone (gpointer window)
{
  return stepwise_model_get_sr_path (stepwise_window_get_model (window)) == NULL;
}

/* SDEdit from the 64 px canvas: stage I starts from its block means,
 * stage II from stage I's result upsampled, each noised as the engine
 * starts them (stage II at the Stage II Start setting, 500: its update at
 * t = 498, where the default 750 starts at 830); the scrubber's handle and
 * label agree at the end */
static void
test_sdedit (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_string (s, "last-model", "");
  g_settings_set_int (s, "steps", 12);
  g_settings_set_int (s, "sr-steps", 6);
  g_settings_set_int (s, "sr-from", 500);
  g_settings_set_boolean (s, "new-seed", FALSE);
  StepwiseWindow *window = new_window ();
  stepwise_window_set_mode (window, STEPWISE_MODE_SDEDIT);
  stepwise_window_set_seed (window, 7);
  stepwise_window_set_i_start (window, 4);
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  g_autoptr (GBytes) picture = drawing ();
  stepwise_canvas_replace_image (canvas, picture);
  g_autoptr (GBytes) at64 = stepwise_canvas_get_composite_at (canvas, 64);
  g_autoptr (GBytes) at16 = stepwise_canvas_get_composite_at (canvas, 16);
  Watch w = { .cancel_stage2_at = -1 };
  run_job (window, &w);
  g_assert_no_error (w.error);
  g_assert_cmpuint (g_bytes_get_size (w.result), ==, sizeof (float) * IMG2);

  /* where each stage starts: the engine's own start from the canvas */
  SwCascade *cascade = stepwise_model_get_cascade (stepwise_window_get_model (window));
  SwCascadeJob job;
  sw_cascade_job_init (&job);
  job.job.steps = 12;
  job.job.i_start = 4;
  job.job.seed = 7;
  job.job.image = g_bytes_get_data (at64, NULL);
  job.sr_steps = 6;
  job.sr_from = 500;
  const int i2 = sw_cascade_sr_i_start (cascade, &job);
  g_assert_cmpint (i2, ==, 3);
  g_assert_cmpuint (w.seen->len, ==, (guint) ((12 - 4 + 1) + (6 - i2 + 1)));
  const Seen *first1 = &g_array_index (w.seen, Seen, 0), *first2 = &g_array_index (w.seen, Seen, 12 - 4 + 1);
  g_assert_cmpint (first1->stage, ==, 1);
  g_assert_cmpint (first1->index, ==, 4);
  g_assert_cmpint (first2->stage, ==, 2);
  g_assert_cmpint (first2->index, ==, i2);
  SwJob j1 = job.job;
  j1.image = g_bytes_get_data (at16, NULL);
  float want1[IMG1];
  sw_job_start (cascade->stage1, &j1, 0, NULL, want1);
  const float *got1 = g_bytes_get_data (first1->x_t, NULL);
  for (int k = 0; k < IMG1; k++)
    g_assert_cmpfloat (fabsf (got1[k] - want1[k]), <, 1e-5f);
  SwJob j2;
  sw_job_init (&j2);
  j2.steps = 6;
  j2.i_start = i2;
  j2.seed = 7 + SW_CASCADE_SEED_STEP;
  /* stage I's result (its last frame), clamped and nearest-upsampled */
  const float *result1 = g_bytes_get_data (g_array_index (w.seen, Seen, 12 - 4).x_t, NULL);
  float clamped[IMG1];
  for (int k = 0; k < IMG1; k++)
    clamped[k] = CLAMP (result1[k], -1.0f, 1.0f);
  g_autofree float *up = g_new (float, IMG2);
  sw_sr_upsample (3, 16, 4, clamped, up);
  j2.image = up;
  g_autofree float *want2 = g_new (float, IMG2);
  sw_job_start (cascade->stage2, &j2, 0, NULL, want2);
  const float *got2 = g_bytes_get_data (first2->x_t, NULL);
  for (int k = 0; k < IMG2; k++)
    g_assert_cmpfloat (fabsf (got2[k] - want2[k]), <, 1e-5f);

  /* the handle at the end of the track where the label says the last step */
  StepwiseScrubber *scrubber = stepwise_window_get_scrubber (window);
  GtkAdjustment *adj = scrubber_adjustment (scrubber);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, gtk_adjustment_get_upper (adj));
  g_assert_cmpstr (scrubber_label (scrubber), ==, "Stage II · step 6 of 6 · t = 0");
  screenshot ("cascade-sdedit.png");
  /* the result puts its start back into the control */
  g_settings_reset (s, "sr-from");
  stepwise_window_show_result (window, stepwise_window_get_shown_result (window));
  g_assert_cmpint (g_settings_get_int (s, "sr-from"), ==, 500);
  watch_clear (&w);

  /* the same with stage I alone, from i_start 10 of 33 (the defect: "Step
   * 33 of 33 · t = 0" with the handle at 70% of the track) */
  g_settings_set_int (s, "steps", 33);
  stepwise_window_set_i_start (window, 10);
  GListModel *list = stepwise_window_get_models (window);
  g_autoptr (StepwiseModel) alone = g_list_model_get_item (list, 1);
  g_assert_null (stepwise_model_get_sr_path (alone));
  /* stage I's file opened by hand is the model alone, already listed */
  stepwise_window_open_model (window, stage1_path);
  iterate_until (is_alone, window, 30);
  g_assert_true (stepwise_window_get_model (window) == alone);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  stepwise_window_set_i_start (window, 10);
  Watch single = { .cancel_stage2_at = -1 };
  run_job (window, &single);
  g_assert_no_error (single.error);
  g_assert_cmpuint (single.seen->len, ==, 33 - 10 + 1);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, gtk_adjustment_get_upper (adj));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), ==, 33 - 10);
  g_assert_cmpstr (scrubber_label (scrubber), ==, "Step 33 of 33 · t = 0");
  stepwise_scrubber_set_position (scrubber, 0);
  g_assert_cmpstr (scrubber_label (scrubber), ==, "Step 10 of 33 · t = 690");
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, 0);
  watch_clear (&single);
  g_settings_set_string (s, "last-model", "");
  g_settings_reset (s, "sr-from");
  ui_window_close (window);
}

/* inpainting through the cascade keeps the unmasked 64 px pixels */
static void
test_inpaint (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_string (s, "last-model", "");
  g_settings_set_int (s, "steps", 6);
  g_settings_set_int (s, "sr-steps", 5);
  StepwiseWindow *window = new_window ();
  g_assert_nonnull (stepwise_model_get_sr_path (stepwise_window_get_model (window)));
  stepwise_window_set_mode (window, STEPWISE_MODE_INPAINT);
  StepwiseCanvas *canvas = stepwise_window_get_canvas (window);
  g_autoptr (GBytes) picture = drawing ();
  stepwise_canvas_replace_image (canvas, picture);
  stepwise_canvas_clear_mask (canvas);
  stepwise_canvas_begin_stroke (canvas, STEPWISE_CANVAS_TOOL_MASK, 10, 30, 1);
  stepwise_canvas_stroke_to (canvas, 50, 34, 1);
  stepwise_canvas_end_stroke (canvas);
  g_autoptr (GBytes) input = stepwise_canvas_get_composite_at (canvas, 64);
  g_autoptr (GBytes) mask = stepwise_canvas_get_mask_at (canvas, 64);
  Watch w = { .cancel_stage2_at = -1 };
  run_job (window, &w);
  g_assert_no_error (w.error);
  const float *out = g_bytes_get_data (w.result, NULL), *in = g_bytes_get_data (input, NULL);
  const float *m = g_bytes_get_data (mask, NULL);
  int kept = 0, changed = 0;
  for (int c = 0; c < 3; c++)
    for (int p = 0; p < 64 * 64; p++)
      if (m[p] == 0.0f)
        {
          g_assert_cmpfloat (out[c * 4096 + p], ==, in[c * 4096 + p]);
          kept++;
        }
      else
        changed += out[c * 4096 + p] != in[c * 4096 + p];
  g_assert_cmpint (kept, >, 3 * 64 * 48);
  g_assert_cmpint (changed, >, 0);
  watch_clear (&w);
  stepwise_canvas_clear_mask (canvas);
  ui_window_close (window);
}

/* the other modes through the cascade: anagram and hybrid composed at
 * stage I, and the denoising lab from the canvas, each ending in 64 px
 * after stage I's frames */
static void
test_other_modes (void)
{
  g_autoptr (GSettings) s = settings ();
  g_settings_set_string (s, "last-model", "");
  g_settings_set_int (s, "steps", 4);
  g_settings_set_int (s, "sr-steps", 3);
  StepwiseWindow *window = new_window ();
  stepwise_window_set_prompt (window, "strawberry");
  stepwise_window_set_prompt2 (window, "smiling face");
  g_autoptr (GBytes) picture = drawing ();
  stepwise_canvas_replace_image (stepwise_window_get_canvas (window), picture);
  const StepwiseMode modes[] = { STEPWISE_MODE_ANAGRAM, STEPWISE_MODE_HYBRID, STEPWISE_MODE_DENOISE_LAB };
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      stepwise_window_set_mode (window, modes[m]);
      stepwise_window_set_i_start (window, modes[m] == STEPWISE_MODE_DENOISE_LAB ? 2 : 0);
      Watch w = { .cancel_stage2_at = -1 };
      run_job (window, &w);
      g_assert_no_error (w.error);
      g_assert_cmpuint (g_bytes_get_size (w.result), ==, sizeof (float) * IMG2);
      const Seen *first = &g_array_index (w.seen, Seen, 0), *last = &g_array_index (w.seen, Seen, w.seen->len - 1);
      g_assert_cmpint (first->stage, ==, 1);
      g_assert_cmpuint (first->floats, ==, IMG1);
      g_assert_cmpint (last->stage, ==, 2);
      g_assert_cmpint (last->index, ==, 3);
      g_assert_cmpuint (last->floats, ==, IMG2);
      watch_clear (&w);
    }
  stepwise_window_set_mode (window, STEPWISE_MODE_GENERATE);
  stepwise_window_set_prompt2 (window, "");
  ui_window_close (window);
}

int
main (int argc, char **argv)
{
  dir = ui_test_init (&argc, &argv, "stepwise-ui-cascade-XXXXXX");
  models = g_build_filename (dir, "models", NULL);
  g_assert_cmpint (g_mkdir (models, 0755), ==, 0);
  stage1_path = g_build_filename (models, "emoji-stage1.safetensors", NULL);
  stage2_path = g_build_filename (models, "emoji-stage2.safetensors", NULL);
  sw_test_write_tiny_stage1 (stage1_path, captions);
  sw_test_write_tiny_stage2 (stage2_path, NULL);
  g_test_add_func ("/ui/cascade/model-list", test_model_list);
  g_test_add_func ("/ui/cascade/generate", test_generate);
  g_test_add_func ("/ui/cascade/cancel-stage2", test_cancel_stage2);
  g_test_add_func ("/ui/cascade/sdedit", test_sdedit);
  g_test_add_func ("/ui/cascade/inpaint", test_inpaint);
  g_test_add_func ("/ui/cascade/other-modes", test_other_modes);
  int status = g_test_run ();
  remove_tree (dir);
  g_free (stage1_path);
  g_free (stage2_path);
  g_free (models);
  g_free (dir);
  return status;
}
