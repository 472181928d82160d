/* stepwise-window-results.c: the window's results — the one shown and
 * the settings it puts back into the controls, the history strip, Save
 * and the trajectory exports, and PNGs opened or dropped on the window. */
#include "config.h"

#include "stepwise-window-private.h"

#include <glib/gi18n.h>

#include "diffusion/job-settings.h"
#include "io/output-file.h"
#include "io/png.h"
#include "stepwise-export.h"

/* puts the settings of META back into the controls (those it lacks keep
 * their values); FALSE (with a toast) when its model is not one the
 * window has or a setting is not valid */
static gboolean
restore_settings (StepwiseWindow *self, GHashTable *meta)
{
  g_autoptr (GError) error = NULL;
  SwJobSettings s = {
    .mode = (SwJobMode) _stepwise_window_get_mode (self),
    .prompt = gtk_editable_get_text (GTK_EDITABLE (self->prompt_entry)),
    .prompt2 = gtk_editable_get_text (GTK_EDITABLE (self->prompt2_entry)),
    .view = (SwView) adw_combo_row_get_selected (self->view_row),
    .seed = (uint64_t) gtk_spin_button_get_value (self->seed_spin),
    .steps = gtk_spin_button_get_value_as_int (self->steps_spin),
    .guidance = (float) gtk_spin_button_get_value (self->guidance_spin),
    .i_start = (int) gtk_adjustment_get_value (self->start_adjustment),
    .sr_steps = gtk_spin_button_get_value_as_int (self->sr_steps_spin),
    .sr_from = gtk_spin_button_get_value_as_int (self->sr_from_spin),
  };
  if (!sw_job_settings_from_text (meta, &s, &error))
    {
      _stepwise_window_toast (self, error->message);
      return FALSE;
    }
  /* the entries' texts are borrowed: copy them before setting them */
  g_autofree char *prompt = g_strdup (s.prompt), *prompt2 = g_strdup (s.prompt2);
  /* a picture stage II made names its cascade */
  const gboolean model_found = !s.model || _stepwise_window_select_model_named (self, s.model, s.sr_model);
  stepwise_window_set_mode (self, (StepwiseMode) s.mode);
  stepwise_window_set_prompt (self, prompt);
  stepwise_window_set_prompt2 (self, prompt2);
  adw_combo_row_set_selected (self->view_row, s.view);
  gtk_spin_button_set_value (self->seed_spin, (double) s.seed);
  /* as "send to" in the usual diffusion GUIs: Generate now makes this
   * image again, until New Seed Each Time is switched back on */
  g_settings_set_boolean (self->settings, "new-seed", FALSE);
  gtk_spin_button_set_value (self->guidance_spin, s.guidance);
  /* steps first: they bound i_start */
  gtk_spin_button_set_value (self->steps_spin, s.steps);
  gtk_spin_button_set_value (self->sr_steps_spin, s.sr_steps);
  gtk_spin_button_set_value (self->sr_from_spin, s.sr_from);
  _stepwise_window_update_preview (self);
  if (g_hash_table_contains (meta, SW_JOB_KEY_I_START)
      && _stepwise_window_uses_start (_stepwise_window_get_mode (self)))
    stepwise_window_set_i_start (self, s.i_start);
  return model_found;
}

void
stepwise_window_show_result (StepwiseWindow *self, StepwiseResult *result)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  g_return_if_fail (STEPWISE_IS_RESULT (result));
  stepwise_window_show_page (self, "create");
  restore_settings (self, stepwise_result_get_meta (result));
  g_set_object (&self->shown, result);
  g_clear_pointer (&self->last_result, g_bytes_unref);
  self->last_result = g_bytes_ref (stepwise_result_get_pixels (result));
  /* its own steps, or a scrubber that says there are none */
  stepwise_scrubber_set_trajectory (self->scrubber, stepwise_result_get_trajectory (result));
  GBytes *pixels = stepwise_result_get_pixels (result);
  const int C = stepwise_result_get_channels (result), H = stepwise_result_get_height (result),
            W = stepwise_result_get_width (result);
  if (_stepwise_window_get_mode (self) == STEPWISE_MODE_DENOISE_LAB)
    stepwise_image_view_set_pixels (self->lab_iterative, pixels, C, H, W);
  stepwise_image_view_set_pixels (self->result_view, pixels, C, H, W);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), FALSE);
  g_autofree char *text = stepwise_result_describe (result);
  gtk_progress_bar_set_text (self->progress_bar, text);
  _stepwise_window_update_actions (self);
}

StepwiseHistoryStrip *
stepwise_window_get_history_strip (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->history_strip;
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
  g_autoptr (GError) local = NULL;
  g_autoptr (StepwiseResult) result = stepwise_result_new_from_png (data, len, name, &local);
  if (result)
    {
      stepwise_window_show_result (self, result);
      return TRUE;
    }
  if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* a table stepwise-cli wrote carries its first image's settings: they
   * draw that image again */
  g_autoptr (GHashTable) meta = sw_png_read_text (data, len, NULL, NULL, NULL, error);
  if (!meta)
    return FALSE;
  stepwise_window_show_page (self, "create");
  if (restore_settings (self, meta))
    {
      g_autofree char *text = g_strdup_printf (_("Settings restored from %s, a table of images: "
                                                 "Generate draws its first image again"), name);
      _stepwise_window_toast (self, text);
    }
  return TRUE;
}

/* an image opened onto the canvas (Open Image, a drop, stepwise FILE)
 * shows, in a mode that uses the canvas; a PNG Stepwise or stepwise-cli
 * wrote brings its settings too */
static void
on_canvas_file_opened (StepwiseCanvas *canvas, GBytes *contents, const char *name, StepwiseWindow *self)
{
  g_autoptr (GHashTable) meta = sw_png_read_text (g_bytes_get_data (contents, NULL), g_bytes_get_size (contents),
                                                  NULL, NULL, NULL, NULL);
  const gboolean restored = meta && g_hash_table_contains (meta, SW_JOB_KEY_MODE) && restore_settings (self, meta);
  if (!_stepwise_window_uses_canvas (_stepwise_window_get_mode (self)))
    stepwise_window_set_mode (self, STEPWISE_MODE_SDEDIT);
  stepwise_window_show_page (self, "create");
  if (restored)
    {
      g_autofree char *text = g_strdup_printf (_("Settings restored from %s"), name);
      _stepwise_window_toast (self, text);
    }
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
      return stepwise_result_to_png (self->shown, g_settings_get_int (self->settings, "save-scale"), error);
    }
  StepwiseTrajectory *trajectory = stepwise_scrubber_get_trajectory (self->scrubber);
  /* the trajectory shown: the shown result's, or a cancelled job's */
  GHashTable *meta = self->shown && stepwise_result_get_trajectory (self->shown) == trajectory
                     ? stepwise_result_get_meta (self->shown) : self->job_meta;
  if (!meta || stepwise_scrubber_get_n_frames (self->scrubber) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no trajectory to export yet"));
      return NULL;
    }
  int C, H, W;
  stepwise_trajectory_get_geometry (trajectory, &C, &H, &W);
  if (what == STEPWISE_EXPORT_STRIP)
    return stepwise_export_strip (self->scrubber, C, H, W, meta, error);
  return stepwise_export_animation (self->scrubber, C, H, W, meta, error);
}

gboolean
stepwise_window_export (StepwiseWindow *self, StepwiseExport what, const char *path, GError **error)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), FALSE);
  g_autoptr (GBytes) png = build_png (self, what, error);
  if (!png)
    return FALSE;
  return sw_output_write (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
}

/* on a worker: the PNG (task data) to the file's target, as the CLI
 * writes its files (through links, never over a device; io/output-file.h) */
static void
write_file (GTask *task, gpointer source, gpointer png, GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (G_FILE (source));
  GError *error = NULL;
  if (!path)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Only local files can be saved"));
  if (error || !sw_output_write (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
file_written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (StepwiseWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *text = NULL;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    text = g_strdup_printf (_("Could not save %s: %s"), name, error->message);
  else
    text = g_strdup_printf (_("Saved %s"), name);
  _stepwise_window_toast (self, text);
}

static void
on_export_response (GtkNativeDialog *dialog, int response, StepwiseWindow *self)
{
  const StepwiseExport what = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "what"));
  g_autoptr (GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  const char *scale = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "scale");
  if (file && scale)
    g_settings_set_int (self->settings, "save-scale", (int) g_ascii_strtoll (scale, NULL, 10));
  g_object_unref (dialog);
  if (!file)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = build_png (self, what, &error);
  if (!png)
    {
      _stepwise_window_toast (self, error->message);
      return;
    }
  g_autoptr (GTask) task = g_task_new (file, NULL, file_written, g_object_ref (self));
  g_task_set_task_data (task, g_bytes_ref (png), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, write_file);
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
  /* in Pictures, not wherever the app was started */
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  g_autoptr (GFile) folder = g_file_new_for_path (pictures ? pictures : g_get_home_dir ());
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  if (what == STEPWISE_EXPORT_RESULT)
    {
      /* the model's pixels as squares, for a picture to look at */
      static const char *scales[] = { "1", "4", "8", "16", NULL };
      const char *labels[] = { _("Model size"), _("4× (nearest neighbour)"), _("8× (nearest neighbour)"),
                               _("16× (nearest neighbour)"), NULL };
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "scale", _("Size"), scales, labels);
      g_autofree char *scale = g_strdup_printf ("%d", g_settings_get_int (self->settings, "save-scale"));
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "scale", scale);
    }
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_object_set_data (G_OBJECT (dialog), "what", GINT_TO_POINTER (what));
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
_stepwise_window_save_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_with_dialog (user_data, STEPWISE_EXPORT_RESULT);
}

void
_stepwise_window_export_strip_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_with_dialog (user_data, STEPWISE_EXPORT_STRIP);
}

void
_stepwise_window_export_animation_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_with_dialog (user_data, STEPWISE_EXPORT_ANIMATION);
}

void
_stepwise_window_use_result_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  if (!self->last_result)
    return;
  /* the canvas takes a picture at the model's size or its grid's */
  const gsize side = stepwise_canvas_get_model_size (self->canvas), grid = stepwise_canvas_get_size (self->canvas);
  const gsize n = g_bytes_get_size (self->last_result) / sizeof (float);
  if (n != stepwise_canvas_get_channels (self->canvas) * side * side
      && n != stepwise_canvas_get_channels (self->canvas) * grid * grid)
    {
      _stepwise_window_toast (self, _("The result is not the size of this model’s input"));
      return;
    }
  stepwise_canvas_replace_image (self->canvas, self->last_result);
  if (!_stepwise_window_uses_canvas (_stepwise_window_get_mode (self)))
    stepwise_window_set_mode (self, STEPWISE_MODE_SDEDIT);
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
    _stepwise_window_toast (self, error->message);
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

void
_stepwise_window_open_result_action (GSimpleAction *action, GVariant *param, gpointer user_data)
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

void
_stepwise_window_results_init (StepwiseWindow *self)
{
  /* results since the app started, kept across restarts */
  self->history = stepwise_history_dup_default ();
  stepwise_history_strip_set_model (self->history_strip, G_LIST_MODEL (self->history));
  g_signal_connect (self->history_strip, "activate", G_CALLBACK (on_history_activate), self);
  g_signal_connect (self->canvas, "file-opened", G_CALLBACK (on_canvas_file_opened), self);
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
