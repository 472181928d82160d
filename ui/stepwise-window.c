/* stepwise-window.c: the window builds a job from its controls, hands it to
 * its StepwiseJobRunner and shows what comes back: every frame goes to the
 * scrubber, the scrubber's chosen frame to the result view.  Models load on
 * a worker; nothing here waits on the engine.
 *
 * This file holds the class, its actions and properties, the controls and
 * the views that follow the mode; the models, the jobs and the results are
 * in stepwise-window-models.c, -jobs.c and -results.c
 * (stepwise-window-private.h). */
#include "config.h"

#include "stepwise-window-private.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (StepwiseWindow, stepwise_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_MODEL_DIR, PROP_MODEL, N_PROPS };
static GParamSpec *properties[N_PROPS];

void
_stepwise_window_toast (StepwiseWindow *self, const char *text)
{
  AdwToast *t = adw_toast_new (text);
  adw_toast_set_timeout (t, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

StepwiseMode
_stepwise_window_get_mode (StepwiseWindow *self)
{
  return (StepwiseMode) adw_combo_row_get_selected (self->mode_row);
}

gboolean
_stepwise_window_uses_canvas (StepwiseMode mode)
{
  return mode == STEPWISE_MODE_SDEDIT || mode == STEPWISE_MODE_INPAINT || mode == STEPWISE_MODE_DENOISE_LAB;
}

gboolean
_stepwise_window_uses_start (StepwiseMode mode)
{
  return mode == STEPWISE_MODE_SDEDIT || mode == STEPWISE_MODE_DENOISE_LAB;
}

void
_stepwise_window_update_actions (StepwiseWindow *self)
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

static void
show_error_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  _stepwise_window_toast (user_data, g_variant_get_string (param, NULL));
}

static void
randomize_seed_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  gtk_spin_button_set_value (self->seed_spin, g_random_int_range (0, G_MAXINT32));
}

static void
set_prompt_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  stepwise_window_set_prompt (user_data, g_variant_get_string (param, NULL));
}

static const GActionEntry win_entries[] = {
  { "save", _stepwise_window_save_action },
  { "export-strip", _stepwise_window_export_strip_action },
  { "export-animation", _stepwise_window_export_animation_action },
  { "open-result", _stepwise_window_open_result_action },
  { "generate", _stepwise_window_generate_action },
  { "cancel", _stepwise_window_cancel_action },
  { "randomize-seed", randomize_seed_action },
  { "open-model", _stepwise_window_open_model_action },
  { "play", _stepwise_window_play_action },
  { "show-x0", _stepwise_window_show_x0_action },
  { "set-prompt", set_prompt_action, "s" },
  { "use-result", _stepwise_window_use_result_action },
  { "show-error", show_error_action, "s" },
};

/* ---- views ---- */

/* the scrubber's frame; with none, the result shown (a result without
 * its steps, or the last one until a new job's first frame) */
static void
on_scrubber_image_changed (StepwiseWindow *self)
{
  GBytes *image = stepwise_scrubber_get_image (self->scrubber);
  int C, H, W;
  if (image)
    stepwise_trajectory_get_geometry (stepwise_scrubber_get_trajectory (self->scrubber), &C, &H, &W);
  else if (self->shown)
    {
      image = stepwise_result_get_pixels (self->shown);
      C = stepwise_result_get_channels (self->shown);
      H = stepwise_result_get_height (self->shown);
      W = stepwise_result_get_width (self->shown);
    }
  if (image)
    stepwise_image_view_set_pixels (self->result_view, image, C, H, W);
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
  const StepwiseMode mode = _stepwise_window_get_mode (self);
  gtk_label_set_text (self->mode_description, _(subtitles[MIN (mode, G_N_ELEMENTS (subtitles) - 1)]));
  gtk_stack_set_visible_child_name (self->input_stack, _stepwise_window_uses_canvas (mode) ? "canvas" : "noise");
  gtk_stack_set_visible_child_name (self->result_stack, mode == STEPWISE_MODE_DENOISE_LAB ? "lab" : "single");
  gtk_widget_set_visible (self->preview_box, mode == STEPWISE_MODE_SDEDIT);
  g_object_set (self->canvas, "show-mask", mode == STEPWISE_MODE_INPAINT, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->start_group), _stepwise_window_uses_start (mode));
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
  _stepwise_window_update_preview (self);
  _stepwise_window_update_actions (self);
}

StepwiseCanvas *
stepwise_window_get_canvas (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->canvas;
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

const char *
stepwise_window_get_page (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
stepwise_window_set_prompt2 (StepwiseWindow *self, const char *prompt)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->prompt2_entry), prompt ? prompt : "");
}

void
stepwise_window_set_seed (StepwiseWindow *self, guint64 seed)
{
  g_return_if_fail (STEPWISE_IS_WINDOW (self));
  gtk_spin_button_set_value (self->seed_spin, (double) seed);
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

StepwisePromptSuggestions *
stepwise_window_get_prompt_suggestions (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->prompt_suggestions;
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
    _stepwise_window_scan_models (self);
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
  /* the settings' action follows the settings: it must not outlive the
   * widgets that watch it */
  g_action_map_remove_action (G_ACTION_MAP (self), "new-seed");
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
  g_clear_pointer (&self->job_trajectory, stepwise_trajectory_unref);
  g_clear_object (&self->shown);
  g_clear_object (&self->history);
  g_clear_pointer (&self->last_result, g_bytes_unref);
  g_free (self->model_dir);
  g_strfreev (self->unlisted);
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
  g_type_ensure (STEPWISE_TYPE_PROMPT_SUGGESTIONS);
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
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, unlisted_button);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, unlisted_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, model_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, mode_description);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, prompt_entry);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, prompt_menu_button);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, prompt_suggestions);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, guidance_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, steps_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, sr_steps_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, sr_steps_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, sr_from_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, sr_from_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseWindow, batch_spin);
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
  _stepwise_window_jobs_init (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries), self);

  _stepwise_window_models_init (self);
  g_signal_connect_swapped (self->mode_row, "notify::selected", G_CALLBACK (on_mode_selected), self);
  g_signal_connect_swapped (self->scrubber, "image-changed", G_CALLBACK (on_scrubber_image_changed), self);
  g_signal_connect_swapped (self->scrubber, "image-changed", G_CALLBACK (_stepwise_window_update_actions), self);

  /* prompts: suggestions while typing (the template's), and a list in a popover */
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
  g_settings_bind (self->settings, "sr-steps", gtk_spin_button_get_adjustment (self->sr_steps_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sr-from", gtk_spin_button_get_adjustment (self->sr_from_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  /* the mode too: a sketch that comes back from the autosave shows */
  g_settings_bind (self->settings, "mode", self->mode_row, "selected", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "batch-count", gtk_spin_button_get_adjustment (self->batch_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_autoptr (GAction) new_seed = g_settings_create_action (self->settings, "new-seed");
  g_action_map_add_action (G_ACTION_MAP (self), new_seed);
  g_settings_bind (self->settings, "prompt", self->prompt_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "prompt2", self->prompt2_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "brush-size", self->canvas, "brush-size", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "brush-color", self->canvas, "color", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "i-start", self->start_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  _stepwise_window_results_init (self);

  adw_view_switcher_title_set_subtitle (self->window_title, _("Loading models…"));
  on_mode_selected (self);
}

StepwiseWindow *
stepwise_window_new (GtkApplication *application, const char *model_dir)
{
  return g_object_new (STEPWISE_TYPE_WINDOW, "application", application, "model-dir", model_dir, NULL);
}
