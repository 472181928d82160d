/* stepwise-window.c: the window builds a job from its controls, hands it to
 * its StepwiseJobRunner and shows what comes back: every frame goes to the
 * scrubber, the scrubber's chosen frame to the result view.  Models load on
 * a worker; nothing here waits on the engine. */
#include "config.h"

#include "stepwise-window.h"

#include <glib/gi18n.h>

#include "diffusion/cosine-schedule.h"
#include "diffusion/gaussian-blur.h"
#include "diffusion/job-settings.h"
#include "stepwise-canvas.h"
#include "stepwise-export.h"
#include "stepwise-history-strip.h"
#include "stepwise-image-view.h"
#include "stepwise-train-page.h"

#define DEFAULT_MODEL "ddpm-prompt-fashion"

struct _StepwiseWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwViewSwitcherTitle *window_title;
  AdwViewStack        *view_stack;
  StepwiseTrainPage   *train_page;
  AdwToastOverlay     *toast_overlay;
  GtkStack            *input_stack;
  StepwiseImageView   *input_view;
  GtkLabel            *input_caption;
  StepwiseCanvas      *canvas;
  GtkWidget           *preview_box;
  StepwiseImageView   *noised_view;
  GtkLabel            *noised_label;
  GtkStack            *result_stack;
  StepwiseImageView   *result_view;
  StepwiseImageView   *lab_noisy;
  StepwiseImageView   *lab_blur;
  StepwiseImageView   *lab_onestep;
  StepwiseImageView   *lab_iterative;
  GtkLabel            *lab_noisy_label;
  AdwPreferencesGroup *second_prompt_group;
  AdwEntryRow         *prompt2_entry;
  AdwComboRow         *view_row;
  AdwPreferencesGroup *start_group;
  GtkLabel            *start_label;
  GtkAdjustment       *start_adjustment;
  AdwStatusPage       *empty_page;
  GtkProgressBar      *progress_bar;
  StepwiseScrubber    *scrubber;
  AdwComboRow         *model_row;
  AdwComboRow         *mode_row;
  GtkLabel            *mode_description;
  GtkEntry            *prompt_entry;
  GtkMenuButton       *prompt_menu_button;
  GtkSpinButton       *guidance_spin;
  GtkSpinButton       *steps_spin;
  GtkSpinButton       *seed_spin;
  StepwiseHistoryStrip *history_strip;

  GSettings           *settings;
  GListStore          *models;        /* StepwiseModel */
  StepwiseJobRunner   *runner;
  GCancellable        *cancellable;   /* model loading */
  char                *model_dir;
  GtkListStore        *completion_store;
  GtkListBox          *prompt_list;

  /* the job being shown */
  StepwiseModel       *job_model;
  StepwiseMode         job_mode;
  GBytes              *last_result;   /* image 0 of the last finished job */
  gint64               job_start_us;
  int                  job_steps;
  int                  job_done;
  GHashTable          *job_meta;      /* the settings of the job shown */

  /* results */
  StepwiseHistory     *history;
  StepwiseResult      *shown;         /* the result in the result view */
};

G_DEFINE_FINAL_TYPE (StepwiseWindow, stepwise_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_MODEL_DIR, PROP_MODEL, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
toast (StepwiseWindow *self, const char *text)
{
  AdwToast *t = adw_toast_new (text);
  adw_toast_set_timeout (t, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static StepwiseMode
get_mode (StepwiseWindow *self)
{
  return (StepwiseMode) adw_combo_row_get_selected (self->mode_row);
}

static gboolean
uses_canvas (StepwiseMode mode)
{
  return mode == STEPWISE_MODE_SDEDIT || mode == STEPWISE_MODE_INPAINT || mode == STEPWISE_MODE_DENOISE_LAB;
}

static gboolean
uses_start (StepwiseMode mode)
{
  return mode == STEPWISE_MODE_SDEDIT || mode == STEPWISE_MODE_DENOISE_LAB;
}

/* The i_start label, and the input noised to t = ts[i_start] exactly as a
 * job with this seed starts from it. */
static void
update_preview (StepwiseWindow *self)
{
  StepwiseModel *model = stepwise_window_get_model (self);
  const int steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  if (gtk_adjustment_get_upper (self->start_adjustment) != MAX (steps - 1, 0))
    gtk_adjustment_set_upper (self->start_adjustment, MAX (steps - 1, 0));
  const int i = (int) gtk_adjustment_get_value (self->start_adjustment);
  if (!model)
    return;
  SwEpsModel *eps = stepwise_model_get_eps (model);
  g_autofree int *ts = g_new (int, steps + 1);
  sw_strided_timesteps (eps->T, steps, ts);
  const int t = ts[MIN (i, steps)];
  /* Translators: the first denoising step of a job from an image, of how
   * many, and its timestep */
  g_autofree char *label = g_strdup_printf (_("i_start %d of %d · t = %d"), i, steps, t);
  gtk_label_set_text (self->start_label, label);
  if (!uses_start (get_mode (self)) || stepwise_canvas_get_size (self->canvas) != eps->height
      || stepwise_canvas_get_channels (self->canvas) != eps->channels)
    return;
  const size_t n = (size_t) eps->channels * eps->height * eps->width;
  g_autoptr (GBytes) input = stepwise_canvas_get_composite (self->canvas);
  SwJob job;
  sw_job_init (&job);
  job.steps = steps;
  job.i_start = MIN (i, steps - 1);
  job.seed = (uint64_t) gtk_spin_button_get_value (self->seed_spin);
  job.image = g_bytes_get_data (input, NULL);
  float *noisy = g_new (float, n);
  sw_job_start (eps, &job, 0, NULL, noisy);
  g_autoptr (GBytes) pixels = g_bytes_new_take (noisy, sizeof (float) * n);
  stepwise_image_view_set_pixels (self->noised_view, pixels, eps->channels, eps->height, eps->width);
  g_autofree char *caption = g_strdup_printf (_("The input noised to t = %d: where the job starts."), t);
  gtk_label_set_text (self->noised_label, caption);
  if (get_mode (self) == STEPWISE_MODE_DENOISE_LAB && !stepwise_job_runner_get_running (self->runner))
    {
      stepwise_image_view_set_pixels (self->lab_noisy, pixels, eps->channels, eps->height, eps->width);
      g_autofree char *text = g_strdup_printf (_("Forward: noised to t = %d"), t);
      gtk_label_set_text (self->lab_noisy_label, text);
    }
}

static void
update_actions (StepwiseWindow *self)
{
  const gboolean running = stepwise_job_runner_get_running (self->runner);
  const gboolean have_frames = stepwise_scrubber_get_n_frames (self->scrubber) > 0;
  GActionMap *map = G_ACTION_MAP (self);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "generate")),
                               stepwise_window_get_model (self) != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "use-result")),
                               self->last_result != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "cancel")), running);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "play")), have_frames);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "show-x0")), have_frames);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "save")), self->shown != NULL);
  const gboolean can_export = have_frames && !running && self->job_model && self->job_meta;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "export-strip")), can_export);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "export-animation")), can_export);
}

/* ---- models ---- */

StepwiseModel *
stepwise_window_get_model (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return adw_combo_row_get_selected_item (self->model_row);
}

static void
fill_prompts (StepwiseWindow *self, StepwiseModel *model)
{
  gtk_list_store_clear (self->completion_store);
  for (GtkWidget *row; (row = gtk_widget_get_first_child (GTK_WIDGET (self->prompt_list)));)
    gtk_list_box_remove (self->prompt_list, row);
  if (!model)
    return;
  for (const char * const *p = stepwise_model_get_prompts (model); *p; p++)
    {
      gtk_list_store_insert_with_values (self->completion_store, NULL, -1, 0, *p, -1);
      GtkWidget *label = gtk_label_new (*p);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 4);
      gtk_widget_set_margin_bottom (label, 4);
      gtk_list_box_append (self->prompt_list, label);
    }
}

static void
on_model_selected (StepwiseWindow *self)
{
  StepwiseModel *model = stepwise_window_get_model (self);
  if (model)
    {
      SwEpsModel *eps = stepwise_model_get_eps (model);
      /* Translators: a model's name, then its image size and channels */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %d×%d %s"), stepwise_model_get_name (model),
                                                   eps->width, eps->height,
                                                   eps->channels == 1 ? _("grey") : _("colour"));
      adw_view_switcher_title_set_subtitle (self->window_title, subtitle);
      g_settings_set_string (self->settings, "last-model", stepwise_model_get_path (model));
      stepwise_canvas_set_geometry (self->canvas, eps->channels, eps->height);
    }
  else
    adw_view_switcher_title_set_subtitle (self->window_title, _("No model"));
  fill_prompts (self, model);
  update_preview (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

static gboolean
find_model (StepwiseWindow *self, const char *path, guint *position)
{
  const guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (StepwiseModel) m = g_list_model_get_item (G_LIST_MODEL (self->models), i);
      if (g_strcmp0 (stepwise_model_get_path (m), path) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
select_model (StepwiseWindow *self, guint position)
{
  if (adw_combo_row_get_selected (self->model_row) == position)
    on_model_selected (self);   /* the same row: no notify comes */
  else
    adw_combo_row_set_selected (self->model_row, position);
}

static void
model_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StepwiseModel) model = stepwise_model_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the window is gone */
  StepwiseWindow *self = user_data;
  if (!model)
    {
      g_autofree char *text = g_strdup_printf (_("Could not open the model: %s"), error->message);
      toast (self, text);
      return;
    }
  guint position;
  if (!find_model (self, stepwise_model_get_path (model), &position))
    {
      g_list_store_append (self->models, model);
      position = g_list_model_get_n_items (G_LIST_MODEL (self->models)) - 1;
    }
  select_model (self, position);
}

void
stepwise_window_open_model (StepwiseWindow *self, const char *path)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  stepwise_model_load_async (path, self->cancellable, model_loaded, self);
}

static void
models_scanned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = stepwise_model_scan_finish (result, &error);
  if (!found)
    return;   /* cancelled: the window is gone */
  StepwiseWindow *self = user_data;
  /* a model opened meanwhile stays where it is */
  const gboolean had_selection = stepwise_window_get_model (self) != NULL;
  for (guint i = 0; i < found->len; i++)
    {
      guint position;
      if (!find_model (self, stepwise_model_get_path (found->pdata[i]), &position))
        g_list_store_append (self->models, found->pdata[i]);
    }
  if (had_selection)
    return;
  g_autofree char *last = g_settings_get_string (self->settings, "last-model");
  guint position = 0;
  if (*last && find_model (self, last, &position))
    select_model (self, position);
  else if (*last && g_file_test (last, G_FILE_TEST_IS_REGULAR))
    stepwise_window_open_model (self, last);
  else
    {
      const guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (StepwiseModel) m = g_list_model_get_item (G_LIST_MODEL (self->models), i);
          if (g_strcmp0 (stepwise_model_get_name (m), DEFAULT_MODEL) == 0)
            position = i;
        }
      if (n > 0)
        select_model (self, position);
      else
        {
          adw_view_switcher_title_set_subtitle (self->window_title, _("No model"));
          toast (self, _("No models found: open one with Ctrl+O"));
        }
    }
}

static void
on_open_model_response (GtkNativeDialog *dialog, int response, StepwiseWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        stepwise_window_open_model (self, path);
    }
  g_object_unref (dialog);
}

static void
open_model_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open Model"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Stepwise models (safetensors)"));
  gtk_file_filter_add_pattern (filter, "*.safetensors");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  if (self->model_dir)
    {
      g_autoptr (GFile) dir = g_file_new_for_path (self->model_dir);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), dir, NULL);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_model_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- jobs ---- */

static char *
format_duration (double seconds)
{
  if (seconds < 60)
    return g_strdup_printf (_("%.0f s"), MAX (seconds, 1.0));
  return g_strdup_printf (_("%d min %02d s"), (int) seconds / 60, (int) seconds % 60);
}

static void
on_frame (StepwiseJobRunner *runner, int index, int t, int steps, GBytes *x_t, GBytes *x0,
          StepwiseWindow *self)
{
  SwEpsModel *eps = stepwise_model_get_eps (self->job_model);
  const int C = eps->channels, H = eps->height, W = eps->width;
  if (stepwise_scrubber_get_n_frames (self->scrubber) == 0 && !uses_canvas (self->job_mode))
    {
      /* what the job starts from: pure noise */
      stepwise_image_view_set_pixels (self->input_view, x_t, C, H, W);
      gtk_label_set_text (self->input_caption, _("The pure noise this job starts from (step 0)."));
    }
  if (self->job_mode == STEPWISE_MODE_DENOISE_LAB)
    {
      if (stepwise_scrubber_get_n_frames (self->scrubber) == 0)
        {
          /* the first frame is the input noised to ts[i_start], and the
           * model's one-step estimate of x0 from it */
          float *blurred = g_new (float, (size_t) C * H * W);
          sw_lab_blur (C, H, W, g_bytes_get_data (x_t, NULL), blurred);
          g_autoptr (GBytes) blur = g_bytes_new_take (blurred, sizeof (float) * C * H * W);
          stepwise_image_view_set_pixels (self->lab_noisy, x_t, C, H, W);
          stepwise_image_view_set_pixels (self->lab_blur, blur, C, H, W);
          stepwise_image_view_set_pixels (self->lab_onestep, x0, C, H, W);
          g_autofree char *text = g_strdup_printf (_("Forward: noised to t = %d"), t);
          gtk_label_set_text (self->lab_noisy_label, text);
        }
      else
        stepwise_image_view_set_pixels (self->lab_iterative, x0, C, H, W);
    }
  stepwise_scrubber_add_frame (self->scrubber, index, t, x_t, x0);
  self->job_done = index;
  const double elapsed = (g_get_monotonic_time () - self->job_start_us) / 1e6;
  gtk_progress_bar_set_fraction (self->progress_bar, (double) index / MAX (steps, 1));
  g_autofree char *text = NULL;
  if (index > 0 && index < steps)
    {
      g_autofree char *left = format_duration (elapsed / index * (steps - index));
      /* Translators: progress of a job, then the time it still needs */
      text = g_strdup_printf (_("Step %d of %d · about %s left"), index, steps, left);
    }
  else if (index < steps)
    text = g_strdup_printf (_("Step %d of %d"), index, steps);
  if (text)
    gtk_progress_bar_set_text (self->progress_bar, text);
  update_actions (self);
}

static void
on_finished (StepwiseJobRunner *runner, GBytes *result, GError *error, StepwiseWindow *self)
{
  g_autofree char *text = NULL;
  if (error && g_error_matches (error, SW_ERROR, SW_ERROR_CANCELLED))
    text = g_strdup_printf (_("Cancelled at step %d of %d"), self->job_done, self->job_steps);
  else if (error)
    {
      text = g_strdup_printf (_("Failed: %s"), error->message);
      toast (self, text);
    }
  else
    {
      SwEpsModel *eps = stepwise_model_get_eps (self->job_model);
      const gsize image = sizeof (float) * eps->channels * eps->height * eps->width;
      g_clear_pointer (&self->last_result, g_bytes_unref);
      self->last_result = g_bytes_new_from_bytes (result, 0, image);
      g_autoptr (StepwiseResult) r = stepwise_result_new (self->last_result, eps->channels, eps->height,
                                                          eps->width, self->job_meta);
      g_set_object (&self->shown, r);
      stepwise_history_add (self->history, r);
      g_autofree char *took = format_duration ((g_get_monotonic_time () - self->job_start_us) / 1e6);
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      text = g_strdup_printf (_("Done: %d steps in %s"), self->job_steps, took);
    }
  gtk_progress_bar_set_text (self->progress_bar, text);
  update_actions (self);
}

static void
on_running_changed (StepwiseWindow *self)
{
  update_actions (self);
}

static gboolean
encode (SwEpsModel *eps, GtkEditable *entry, float *cond, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  return eps->encode (eps, stripped, cond, error);
}

/* the settings that make the job again, as a PNG carries them */
static GHashTable *
job_meta (StepwiseWindow *self, StepwiseModel *model, StepwiseMode mode, const SwJob *job)
{
  g_autofree char *prompt = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->prompt_entry))));
  g_autofree char *prompt2 = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->prompt2_entry))));
  SwJobSettings settings;
  sw_job_settings_init (&settings, (SwJobMode) mode, job, stepwise_model_get_path (model),
                        stepwise_model_get_eps (model)->channels);
  settings.prompt = prompt;
  settings.prompt2 = prompt2;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return sw_job_settings_to_text (&settings, "Stepwise " PACKAGE_VERSION, now);
}

static void
generate_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  StepwiseModel *model = stepwise_window_get_model (self);
  if (!model)
    return;
  const StepwiseMode mode = get_mode (self);
  SwEpsModel *eps = stepwise_model_get_eps (model);
  g_autoptr (GError) error = NULL;
  g_autofree float *cond = g_new (float, eps->cond_dim);
  g_autofree float *cond2 = g_new (float, eps->cond_dim);
  g_autoptr (GBytes) image = NULL, mask = NULL;
  SwJob job;
  sw_job_init (&job);
  job.count = 1;
  job.steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  job.guidance = (float) gtk_spin_button_get_value (self->guidance_spin);
  job.seed = (uint64_t) gtk_spin_button_get_value (self->seed_spin);
  job.cond = cond;
  if (!encode (eps, GTK_EDITABLE (self->prompt_entry), cond, &error))
    {
      toast (self, error->message);
      return;
    }
  if (uses_canvas (mode))
    {
      if (stepwise_canvas_get_size (self->canvas) != eps->height)
        return;
      image = stepwise_canvas_get_composite (self->canvas);
      job.image = g_bytes_get_data (image, NULL);
    }
  if (uses_start (mode))
    job.i_start = (int) gtk_adjustment_get_value (self->start_adjustment);
  if (mode == STEPWISE_MODE_INPAINT)
    {
      if (!stepwise_canvas_has_mask (self->canvas))
        {
          toast (self, _("Paint what to regenerate with the Mask tool first"));
          return;
        }
      mask = stepwise_canvas_get_mask (self->canvas);
      job.mask = g_bytes_get_data (mask, NULL);
    }
  if (mode == STEPWISE_MODE_ANAGRAM || mode == STEPWISE_MODE_HYBRID)
    {
      if (!encode (eps, GTK_EDITABLE (self->prompt2_entry), cond2, &error))
        {
          toast (self, error->message);
          return;
        }
      job.cond2 = cond2;
      job.compose = mode == STEPWISE_MODE_ANAGRAM ? SW_COMPOSE_ANAGRAM : SW_COMPOSE_HYBRID;
      job.view = (SwView) adw_combo_row_get_selected (self->view_row);
    }
  if (!sw_job_validate (&job, eps, &error))
    {
      toast (self, error->message);
      return;
    }
  g_set_object (&self->job_model, model);
  g_clear_pointer (&self->job_meta, g_hash_table_unref);
  self->job_meta = job_meta (self, model, mode, &job);
  self->job_mode = mode;
  self->job_steps = job.steps;
  self->job_done = job.i_start;
  self->job_start_us = g_get_monotonic_time ();
  stepwise_scrubber_reset (self->scrubber, job.steps);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  if (mode == STEPWISE_MODE_DENOISE_LAB)
    {
      stepwise_image_view_set_pixels (self->lab_blur, NULL, 0, 0, 0);
      stepwise_image_view_set_pixels (self->lab_onestep, NULL, 0, 0, 0);
      stepwise_image_view_set_pixels (self->lab_iterative, NULL, 0, 0, 0);
    }
  if (stepwise_job_runner_start (self->runner, model, &job))
    toast (self, _("Previous job cancelled"));
  update_actions (self);
}

static void
use_result_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  if (!self->last_result)
    return;
  if (g_bytes_get_size (self->last_result) != sizeof (float) * stepwise_canvas_get_channels (self->canvas)
                                              * stepwise_canvas_get_size (self->canvas)
                                              * stepwise_canvas_get_size (self->canvas))
    {
      toast (self, _("The result is not the size of this model’s input"));
      return;
    }
  stepwise_canvas_set_image (self->canvas, self->last_result);
  if (!uses_canvas (get_mode (self)))
    stepwise_window_set_mode (self, STEPWISE_MODE_SDEDIT);
}

static void
show_error_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  toast (user_data, g_variant_get_string (param, NULL));
}

static void
cancel_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  stepwise_job_runner_cancel (self->runner);
}

static void
randomize_seed_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  gtk_spin_button_set_value (self->seed_spin, g_random_int_range (0, G_MAXINT32));
}

static void
play_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  stepwise_scrubber_set_playing (self->scrubber, !stepwise_scrubber_get_playing (self->scrubber));
}

static void
show_x0_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  stepwise_scrubber_set_show_x0 (self->scrubber, !stepwise_scrubber_get_show_x0 (self->scrubber));
}

static void
set_prompt_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  stepwise_window_set_prompt (user_data, g_variant_get_string (param, NULL));
}

/* ---- results: history, PNG files with the job's settings ---- */

/* the model whose file is called NAME, selected; FALSE (with a toast)
 * when the window has none */
static gboolean
select_model_named (StepwiseWindow *self, const char *name)
{
  const guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (StepwiseModel) m = g_list_model_get_item (G_LIST_MODEL (self->models), i);
      g_autofree char *base = g_path_get_basename (stepwise_model_get_path (m));
      if (g_str_equal (base, name))
        {
          if (stepwise_window_get_model (self) != m)
            select_model (self, i);
          return TRUE;
        }
    }
  g_autofree char *text = g_strdup_printf (_("The model %s is not open: open it to make this image again"),
                                           name);
  toast (self, text);
  return FALSE;
}

/* puts the settings of META back into the controls (those it lacks keep
 * their values); FALSE (with a toast) when its model is not one the
 * window has or a setting is not valid */
static gboolean
restore_settings (StepwiseWindow *self, GHashTable *meta)
{
  g_autoptr (GError) error = NULL;
  SwJobSettings s = {
    .mode = (SwJobMode) get_mode (self),
    .prompt = gtk_editable_get_text (GTK_EDITABLE (self->prompt_entry)),
    .prompt2 = gtk_editable_get_text (GTK_EDITABLE (self->prompt2_entry)),
    .view = (SwView) adw_combo_row_get_selected (self->view_row),
    .seed = (uint64_t) gtk_spin_button_get_value (self->seed_spin),
    .steps = gtk_spin_button_get_value_as_int (self->steps_spin),
    .guidance = (float) gtk_spin_button_get_value (self->guidance_spin),
    .i_start = (int) gtk_adjustment_get_value (self->start_adjustment),
  };
  if (!sw_job_settings_from_text (meta, &s, &error))
    {
      toast (self, error->message);
      return FALSE;
    }
  /* the entries' texts are borrowed: copy them before setting them */
  g_autofree char *prompt = g_strdup (s.prompt), *prompt2 = g_strdup (s.prompt2);
  const gboolean model_found = !s.model || select_model_named (self, s.model);
  stepwise_window_set_mode (self, (StepwiseMode) s.mode);
  stepwise_window_set_prompt (self, prompt);
  stepwise_window_set_prompt2 (self, prompt2);
  adw_combo_row_set_selected (self->view_row, s.view);
  gtk_spin_button_set_value (self->seed_spin, (double) s.seed);
  gtk_spin_button_set_value (self->guidance_spin, s.guidance);
  /* steps first: they bound i_start */
  gtk_spin_button_set_value (self->steps_spin, s.steps);
  update_preview (self);
  if (g_hash_table_contains (meta, SW_JOB_KEY_I_START) && uses_start (get_mode (self)))
    stepwise_window_set_i_start (self, s.i_start);
  return model_found;
}

void
stepwise_window_show_result (StepwiseWindow *self, StepwiseResult *result)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  g_return_if_fail (STEPWISE_IS_RESULT (result));
  restore_settings (self, stepwise_result_get_meta (result));
  g_set_object (&self->shown, result);
  g_clear_pointer (&self->last_result, g_bytes_unref);
  self->last_result = g_bytes_ref (stepwise_result_get_pixels (result));
  GBytes *pixels = stepwise_result_get_pixels (result);
  const int C = stepwise_result_get_channels (result), H = stepwise_result_get_height (result),
            W = stepwise_result_get_width (result);
  if (get_mode (self) == STEPWISE_MODE_DENOISE_LAB)
    stepwise_image_view_set_pixels (self->lab_iterative, pixels, C, H, W);
  stepwise_image_view_set_pixels (self->result_view, pixels, C, H, W);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), FALSE);
  g_autofree char *text = stepwise_result_describe (result);
  gtk_progress_bar_set_text (self->progress_bar, text);
  update_actions (self);
}

StepwiseHistoryStrip *
stepwise_window_get_history_strip (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->history_strip;
}

StepwiseTrainPage *
stepwise_window_get_train_page (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->train_page;
}

void
stepwise_window_show_page (StepwiseWindow *self, const char *name)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

StepwiseResult *
stepwise_window_get_shown_result (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->shown;
}

StepwiseHistory *
stepwise_window_get_history (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->history;
}

gboolean
stepwise_window_restore_png (StepwiseWindow *self, const guint8 *data, gsize len, const char *name,
                             GError **error)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), FALSE);
  g_autoptr (StepwiseResult) result = stepwise_result_new_from_png (data, len, name, error);
  if (!result)
    return FALSE;
  stepwise_window_show_result (self, result);
  return TRUE;
}

static void
on_history_activate (StepwiseHistoryStrip *strip, StepwiseResult *result, StepwiseWindow *self)
{
  stepwise_window_show_result (self, result);
}

static GBytes *
build_png (StepwiseWindow *self, StepwiseExport what, GError **error)
{
  if (what == STEPWISE_EXPORT_RESULT)
    {
      if (!self->shown)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no result to save yet"));
          return NULL;
        }
      return stepwise_result_to_png (self->shown, error);
    }
  if (!self->job_model || !self->job_meta || stepwise_scrubber_get_n_frames (self->scrubber) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no trajectory to export yet"));
      return NULL;
    }
  SwEpsModel *eps = stepwise_model_get_eps (self->job_model);
  if (what == STEPWISE_EXPORT_STRIP)
    return stepwise_export_strip (self->scrubber, eps->channels, eps->height, eps->width, self->job_meta, error);
  return stepwise_export_animation (self->scrubber, eps->channels, eps->height, eps->width, self->job_meta, error);
}

gboolean
stepwise_window_export (StepwiseWindow *self, StepwiseExport what, const char *path, GError **error)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), FALSE);
  g_autoptr (GBytes) png = build_png (self, what, error);
  if (!png)
    return FALSE;
  return g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
}

static void
file_written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (StepwiseWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *text = NULL;
  if (!g_file_replace_contents_finish (G_FILE (source), res, NULL, &error))
    text = g_strdup_printf (_("Could not save %s: %s"), name, error->message);
  else
    text = g_strdup_printf (_("Saved %s"), name);
  toast (self, text);
}

static void
on_export_response (GtkNativeDialog *dialog, int response, StepwiseWindow *self)
{
  const StepwiseExport what = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "what"));
  g_autoptr (GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_object_unref (dialog);
  if (!file)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = build_png (self, what, &error);
  if (!png)
    {
      toast (self, error->message);
      return;
    }
  /* written on GIO's workers: a temporary file renamed over the old one */
  g_file_replace_contents_bytes_async (file, png, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                       file_written, g_object_ref (self));
}

static void
export_with_dialog (StepwiseWindow *self, StepwiseExport what)
{
  static const char *titles[] = { N_("Save Image"), N_("Export Trajectory Strip"),
                                  N_("Export Trajectory Animation") };
  static const char *suffixes[] = { "", "-strip", "-animation" };
  GHashTable *meta = what == STEPWISE_EXPORT_RESULT ? (self->shown ? stepwise_result_get_meta (self->shown) : NULL)
                                                    : self->job_meta;
  if (!meta)
    return;
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_(titles[what]), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                 _("_Save"), _("_Cancel"));
  const char *mode = g_hash_table_lookup (meta, SW_JOB_KEY_MODE);
  const char *seed = g_hash_table_lookup (meta, SW_JOB_KEY_SEED);
  g_autofree char *name = g_strdup_printf ("stepwise-%s-%s%s.png", mode ? mode : "result", seed ? seed : "0",
                                           suffixes[what]);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_object_set_data (G_OBJECT (dialog), "what", GINT_TO_POINTER (what));
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
save_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_with_dialog (user_data, STEPWISE_EXPORT_RESULT);
}

static void
export_strip_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_with_dialog (user_data, STEPWISE_EXPORT_STRIP);
}

static void
export_animation_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_with_dialog (user_data, STEPWISE_EXPORT_ANIMATION);
}

static void
result_file_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (StepwiseWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  if (!g_file_load_contents_finish (G_FILE (source), res, &contents, &len, NULL, &error)
      || !stepwise_window_restore_png (self, (const guint8 *) contents, len, name, &error))
    toast (self, error->message);
}

void
stepwise_window_open_result (StepwiseWindow *self, GFile *file)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  g_file_load_contents_async (file, NULL, result_file_loaded, g_object_ref (self));
}

static void
on_open_result_response (GtkNativeDialog *dialog, int response, StepwiseWindow *self)
{
  g_autoptr (GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_object_unref (dialog);
  if (file)
    stepwise_window_open_result (self, file);
}

static void
open_result_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open Result"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_result_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* a PNG dropped on the window (the canvas takes drops on itself) */
static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, StepwiseWindow *self)
{
  GFile *file = NULL;
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      file = files ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);
  if (!file)
    return FALSE;
  stepwise_window_open_result (self, file);
  return TRUE;
}

static const GActionEntry win_entries[] = {
  { "save", save_action },
  { "export-strip", export_strip_action },
  { "export-animation", export_animation_action },
  { "open-result", open_result_action },
  { "generate", generate_action },
  { "cancel", cancel_action },
  { "randomize-seed", randomize_seed_action },
  { "open-model", open_model_action },
  { "play", play_action },
  { "show-x0", show_x0_action },
  { "set-prompt", set_prompt_action, "s" },
  { "use-result", use_result_action },
  { "show-error", show_error_action, "s" },
};

/* ---- views ---- */

static void
on_scrubber_image_changed (StepwiseWindow *self)
{
  GBytes *image = stepwise_scrubber_get_image (self->scrubber);
  if (image && self->job_model)
    {
      SwEpsModel *eps = stepwise_model_get_eps (self->job_model);
      stepwise_image_view_set_pixels (self->result_view, image, eps->channels, eps->height, eps->width);
    }
  else
    stepwise_image_view_set_pixels (self->result_view, NULL, 0, 0, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), image == NULL);
}

static void
on_mode_selected (StepwiseWindow *self)
{
  static const char *subtitles[] = {
    N_("From pure noise to the prompt"),
    N_("Sketch, and the model finishes it from the noised sketch"),
    N_("Paint a mask; the model refills it and keeps the rest"),
    N_("One image, two prompts: upright and in the second view"),
    N_("The first prompt from afar, the second up close"),
    N_("Forward noise, blur, one step and iterative, side by side"),
  };
  const StepwiseMode mode = get_mode (self);
  gtk_label_set_text (self->mode_description, _(subtitles[MIN (mode, G_N_ELEMENTS (subtitles) - 1)]));
  gtk_stack_set_visible_child_name (self->input_stack, uses_canvas (mode) ? "canvas" : "noise");
  gtk_stack_set_visible_child_name (self->result_stack, mode == STEPWISE_MODE_DENOISE_LAB ? "lab" : "single");
  gtk_widget_set_visible (self->preview_box, mode == STEPWISE_MODE_SDEDIT);
  g_object_set (self->canvas, "show-mask", mode == STEPWISE_MODE_INPAINT, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->start_group), uses_start (mode));
  gtk_widget_set_visible (GTK_WIDGET (self->second_prompt_group),
                          mode == STEPWISE_MODE_ANAGRAM || mode == STEPWISE_MODE_HYBRID);
  gtk_widget_set_visible (GTK_WIDGET (self->view_row), mode == STEPWISE_MODE_ANAGRAM);
  /* the tool that fits the mode */
  const StepwiseCanvasTool tool = stepwise_canvas_get_tool (self->canvas);
  const gboolean mask_tool = tool == STEPWISE_CANVAS_TOOL_MASK || tool == STEPWISE_CANVAS_TOOL_MASK_ERASE;
  if (mode == STEPWISE_MODE_INPAINT && !mask_tool)
    stepwise_canvas_set_tool (self->canvas, STEPWISE_CANVAS_TOOL_MASK);
  else if (mode != STEPWISE_MODE_INPAINT && mask_tool)
    stepwise_canvas_set_tool (self->canvas, STEPWISE_CANVAS_TOOL_BRUSH);
  if (mode == STEPWISE_MODE_ANAGRAM || mode == STEPWISE_MODE_HYBRID)
    gtk_label_set_text (self->input_caption, _("Both prompts start from the same pure noise."));
  else if (mode == STEPWISE_MODE_GENERATE)
    gtk_label_set_text (self->input_caption, _("Generate starts from pure noise."));
  update_preview (self);
  update_actions (self);
}

StepwiseCanvas *
stepwise_window_get_canvas (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->canvas;
}

void
stepwise_window_set_prompt2 (StepwiseWindow *self, const char *prompt)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->prompt2_entry), prompt ? prompt : "");
}

void
stepwise_window_set_i_start (StepwiseWindow *self, int i_start)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  gtk_adjustment_set_value (self->start_adjustment, i_start);
}

static void
on_prompt_row_activated (GtkListBox *list, GtkListBoxRow *row, StepwiseWindow *self)
{
  GtkWidget *label = gtk_list_box_row_get_child (row);
  stepwise_window_set_prompt (self, gtk_label_get_text (GTK_LABEL (label)));
  gtk_menu_button_popdown (self->prompt_menu_button);
}

void
stepwise_window_set_prompt (StepwiseWindow *self, const char *prompt)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->prompt_entry), prompt ? prompt : "");
}

void
stepwise_window_set_mode (StepwiseWindow *self, StepwiseMode mode)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  adw_combo_row_set_selected (self->mode_row, mode);
}

StepwiseScrubber *
stepwise_window_get_scrubber (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->scrubber;
}

StepwiseJobRunner *
stepwise_window_get_runner (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->runner;
}

gboolean
stepwise_window_save_screenshot (StepwiseWindow *self, const char *path, GError **error)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (!node || !renderer)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the window is not shown");
      return FALSE;
    }
  g_autoptr (GdkTexture) texture =
    gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }
  return TRUE;
}

/* ---- the window ---- */

static gboolean
stepwise_window_close_request (GtkWindow *window)
{
  StepwiseWindow *self = STEPWISE_WINDOW (window);
  int width, height;
  gtk_window_get_default_size (window, &width, &height);
  const gboolean maximized = gtk_window_is_maximized (window);
  if (!maximized && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  stepwise_job_runner_cancel (self->runner);
  return GTK_WINDOW_CLASS (stepwise_window_parent_class)->close_request (window);
}

static void
stepwise_window_constructed (GObject *object)
{
  StepwiseWindow *self = STEPWISE_WINDOW (object);
  G_OBJECT_CLASS (stepwise_window_parent_class)->constructed (object);
  if (self->model_dir)
    stepwise_model_scan_async (self->model_dir, self->cancellable, models_scanned, self);
}

static void
stepwise_window_dispose (GObject *object)
{
  StepwiseWindow *self = STEPWISE_WINDOW (object);
  g_cancellable_cancel (self->cancellable);
  if (self->runner)
    {
      g_signal_handlers_disconnect_by_data (self->runner, self);
      stepwise_job_runner_cancel (self->runner);
    }
  g_clear_object (&self->runner);
  gtk_widget_dispose_template (GTK_WIDGET (self), STEPWISE_TYPE_WINDOW);
  G_OBJECT_CLASS (stepwise_window_parent_class)->dispose (object);
}

static void
stepwise_window_finalize (GObject *object)
{
  StepwiseWindow *self = STEPWISE_WINDOW (object);
  g_clear_object (&self->settings);
  g_clear_object (&self->models);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job_model);
  g_clear_pointer (&self->job_meta, g_hash_table_unref);
  g_clear_object (&self->shown);
  g_clear_object (&self->history);
  g_clear_pointer (&self->last_result, g_bytes_unref);
  g_clear_object (&self->completion_store);
  g_free (self->model_dir);
  G_OBJECT_CLASS (stepwise_window_parent_class)->finalize (object);
}

static void
stepwise_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StepwiseWindow *self = STEPWISE_WINDOW (object);
  switch (prop_id)
    {
    case PROP_MODEL_DIR:
      g_value_set_string (value, self->model_dir);
      break;
    case PROP_MODEL:
      g_value_set_object (value, stepwise_window_get_model (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_window_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  StepwiseWindow *self = STEPWISE_WINDOW (object);
  switch (prop_id)
    {
    case PROP_MODEL_DIR:
      self->model_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_window_class_init (StepwiseWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = stepwise_window_constructed;
  object_class->dispose = stepwise_window_dispose;
  object_class->finalize = stepwise_window_finalize;
  object_class->get_property = stepwise_window_get_property;
  object_class->set_property = stepwise_window_set_property;
  window_class->close_request = stepwise_window_close_request;

  properties[PROP_MODEL_DIR] =
    g_param_spec_string ("model-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, STEPWISE_TYPE_MODEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (STEPWISE_TYPE_IMAGE_VIEW);
  g_type_ensure (STEPWISE_TYPE_SCRUBBER);
  g_type_ensure (STEPWISE_TYPE_CANVAS);
  g_type_ensure (STEPWISE_TYPE_HISTORY_STRIP);
  g_type_ensure (STEPWISE_TYPE_TRAIN_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, input_stack);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, input_view);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, preview_box);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, noised_view);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, noised_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, result_stack);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, lab_noisy);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, lab_blur);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, lab_onestep);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, lab_iterative);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, lab_noisy_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, second_prompt_group);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, prompt2_entry);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, view_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, start_group);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, start_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, start_adjustment);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, input_caption);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, result_view);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, scrubber);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, model_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, mode_description);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, prompt_entry);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, prompt_menu_button);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, guidance_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, steps_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, history_strip);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, train_page);
}

static void
stepwise_window_init (StepwiseWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new ("io.github.stepwise.Stepwise");
  self->runner = stepwise_job_runner_new ();
  g_signal_connect (self->runner, "frame", G_CALLBACK (on_frame), self);
  g_signal_connect (self->runner, "finished", G_CALLBACK (on_finished), self);
  g_signal_connect_swapped (self->runner, "notify::running", G_CALLBACK (on_running_changed), self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries), self);

  /* the model chooser shows each model's name */
  self->models = g_list_store_new (STEPWISE_TYPE_MODEL);
  adw_combo_row_set_expression (self->model_row,
                                gtk_property_expression_new (STEPWISE_TYPE_MODEL, NULL, "name"));
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (self->models));
  g_signal_connect_swapped (self->model_row, "notify::selected", G_CALLBACK (on_model_selected), self);
  g_signal_connect_swapped (self->mode_row, "notify::selected", G_CALLBACK (on_mode_selected), self);
  g_signal_connect_swapped (self->scrubber, "image-changed", G_CALLBACK (on_scrubber_image_changed), self);
  g_signal_connect_swapped (self->scrubber, "image-changed", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->canvas, "changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->start_adjustment, "value-changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->steps_spin, "value-changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->seed_spin, "value-changed", G_CALLBACK (update_preview), self);

  /* prompts: completion while typing, and a list in a popover */
  self->completion_store = gtk_list_store_new (1, G_TYPE_STRING);
  GtkEntryCompletion *completion = gtk_entry_completion_new ();
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->completion_store));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_minimum_key_length (completion, 1);
  gtk_entry_completion_set_inline_completion (completion, FALSE);
  gtk_entry_set_completion (self->prompt_entry, completion);
  g_object_unref (completion);

  self->prompt_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_activate_on_single_click (self->prompt_list, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->prompt_list), "navigation-sidebar");
  g_signal_connect (self->prompt_list, "row-activated", G_CALLBACK (on_prompt_row_activated), self);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->prompt_list));
  GtkWidget *popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), scrolled);
  gtk_menu_button_set_popover (self->prompt_menu_button, popover);

  /* what the user expects remembered */
  g_settings_bind (self->settings, "guidance", gtk_spin_button_get_adjustment (self->guidance_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "steps", gtk_spin_button_get_adjustment (self->steps_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "prompt", self->prompt_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "prompt2", self->prompt2_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "brush-size", self->canvas, "brush-size", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "i-start", self->start_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* results since the app started, kept across restarts */
  self->history = stepwise_history_dup_default ();
  stepwise_history_strip_set_model (self->history_strip, G_LIST_MODEL (self->history));
  g_signal_connect (self->history_strip, "activate", G_CALLBACK (on_history_activate), self);
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  adw_view_switcher_title_set_subtitle (self->window_title, _("Loading models…"));
  on_mode_selected (self);
}

StepwiseWindow *
stepwise_window_new (GtkApplication *application, const char *model_dir)
{
  return g_object_new (STEPWISE_TYPE_WINDOW, "application", application, "model-dir", model_dir, NULL);
}
