/* stepwise-window-models.c: the window's model chooser — the models
 * found in its folder (scanned on a worker), those opened by hand (loaded
 * on a worker), the one last used, and the prompts each model knows. */
#include "config.h"

#include "stepwise-window-private.h"

#include <glib/gi18n.h>

/* the model selected when none was used before: the one place the window
 * names it (the CLI's is SW_CLI_DEFAULT_MODEL in app/cli-job.h) */
#define DEFAULT_MODEL "emoji-stage1"

StepwiseModel *
stepwise_window_get_model (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return adw_combo_row_get_selected_item (self->model_row);
}

static void
fill_prompts (StepwiseWindow *self, StepwiseModel *model)
{
  stepwise_prompt_suggestions_set_prompts (self->prompt_suggestions,
                                           model ? stepwise_model_get_prompts (model) : NULL);
  for (GtkWidget *row; (row = gtk_widget_get_first_child (GTK_WIDGET (self->prompt_list)));)
    gtk_list_box_remove (self->prompt_list, row);
  if (!model)
    return;
  for (const char * const *p = stepwise_model_get_prompts (model); *p; p++)
    {
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
      SwEpsModel *eps = stepwise_model_get_eps (model), *out = stepwise_model_get_output (model);
      /* Translators: a model's name, then its image size and channels */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %d×%d %s"), stepwise_model_get_name (model),
                                                   out->width, out->height,
                                                   out->channels == 1 ? _("grey") : _("colour"));
      adw_view_switcher_title_set_subtitle (self->window_title, subtitle);
      g_settings_set_string (self->settings, "last-model", stepwise_model_get_id (model));
      /* the canvas follows stage I; a cascade reads it at its output's side */
      stepwise_canvas_set_geometry (self->canvas, eps->channels, eps->height);
      gtk_widget_set_visible (GTK_WIDGET (self->sr_steps_row), out != eps);
      gtk_widget_set_visible (GTK_WIDGET (self->sr_from_row), out != eps);
    }
  else
    adw_view_switcher_title_set_subtitle (self->window_title, _("No model"));
  fill_prompts (self, model);
  _stepwise_window_update_preview (self);
  _stepwise_window_update_actions (self);
  g_object_notify (G_OBJECT (self), "model");
}

/* the model of ID (stepwise_model_get_id) */
static gboolean
find_model (StepwiseWindow *self, const char *id, guint *position)
{
  const guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (StepwiseModel) m = g_list_model_get_item (G_LIST_MODEL (self->models), i);
      if (g_strcmp0 (stepwise_model_get_id (m), id) == 0)
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

/* whether PATH's file is called NAME; no file and no name match too */
static gboolean
named (const char *path, const char *name)
{
  g_autofree char *base = path ? g_path_get_basename (path) : NULL;
  return g_strcmp0 (base, name) == 0;
}

/* the model whose file is called NAME, with stage II's called SR_NAME
 * (NULL: the model alone), selected; FALSE (with a toast) when the
 * window has none */
gboolean
_stepwise_window_select_model_named (StepwiseWindow *self, const char *name, const char *sr_name)
{
  const guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (StepwiseModel) m = g_list_model_get_item (G_LIST_MODEL (self->models), i);
      if (named (stepwise_model_get_path (m), name) && named (stepwise_model_get_sr_path (m), sr_name))
        {
          if (stepwise_window_get_model (self) != m)
            select_model (self, i);
          return TRUE;
        }
    }
  g_autofree char *text = g_strdup_printf (_("The model %s is not open: open it to make this image again"),
                                           name);
  _stepwise_window_toast (self, text);
  return FALSE;
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
      _stepwise_window_toast (self, text);
      return;
    }
  guint position;
  if (!find_model (self, stepwise_model_get_id (model), &position))
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

GListModel *
stepwise_window_get_models (StepwiseWindow *self)
{
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->models);
}

const char * const *
stepwise_window_get_unlisted_models (StepwiseWindow *self)
{
  static const char * const none[] = { NULL };
  g_return_val_if_fail (STEPWISE_IS_WINDOW (self), NULL);
  return self->unlisted ? (const char * const *) self->unlisted : none;
}

/* the folder's files the chooser leaves out, so no model seems lost: an
 * information button beside the chooser's title (its tooltip counts
 * them) whose popover gives each one's name and reason */
static void
show_unlisted (StepwiseWindow *self, GStrv unlisted)
{
  g_strfreev (self->unlisted);
  self->unlisted = unlisted;
  const guint n = g_strv_length (unlisted);
  gtk_widget_set_visible (GTK_WIDGET (self->unlisted_button), n > 0);
  if (n == 0)
    return;
  /* Translators: how many files of the model folder are not generation
   * models (classifiers, Part B models); a click lists them */
  g_autofree char *count = g_strdup_printf (ngettext ("%u other file here cannot run in the window",
                                                      "%u other files here cannot run in the window", n),
                                            n);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unlisted_button), count);
  g_autofree char *reasons = g_strjoinv ("\n\n", unlisted);
  g_autofree char *text = g_strdup_printf ("%s:\n\n%s", count, reasons);
  gtk_label_set_text (self->unlisted_label, text);
}

static void
models_scanned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GStrv unlisted = NULL;
  g_autoptr (GPtrArray) found = stepwise_model_scan_finish (result, &unlisted, &error);
  if (!found)
    return;   /* cancelled: the window is gone */
  StepwiseWindow *self = user_data;
  show_unlisted (self, unlisted);
  /* a model opened meanwhile stays where it is */
  const gboolean had_selection = stepwise_window_get_model (self) != NULL;
  /* the chooser selects the first model added by itself; only the choice
   * below counts, so that the window never starts on a model it then
   * leaves (and never records it as the last used) */
  g_signal_handlers_block_by_func (self->model_row, on_model_selected, self);
  for (guint i = 0; i < found->len; i++)
    {
      guint position;
      if (!find_model (self, stepwise_model_get_id (found->pdata[i]), &position))
        g_list_store_append (self->models, found->pdata[i]);
    }
  g_signal_handlers_unblock_by_func (self->model_row, on_model_selected, self);
  if (had_selection)
    return;
  g_autofree char *last = g_settings_get_string (self->settings, "last-model");
  guint position = 0;
  if (*last && find_model (self, last, &position))
    {
      select_model (self, position);
      return;
    }
  /* DEFAULT_MODEL's cascade when it has a stage II beside it (the scan
   * lists it first), else DEFAULT_MODEL alone */
  const guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  for (guint i = n; i-- > 0;)
    {
      g_autoptr (StepwiseModel) m = g_list_model_get_item (G_LIST_MODEL (self->models), i);
      if (named (stepwise_model_get_path (m), DEFAULT_MODEL ".safetensors"))
        position = i;
    }
  if (n > 0)
    select_model (self, position);
  /* the last model used, from another folder (a cascade: its two files):
   * the default until it loads */
  g_auto (GStrv) files = g_strsplit (last, "\n", 2);
  if (*last && g_file_test (files[0], G_FILE_TEST_IS_REGULAR)
      && (!files[1] || g_file_test (files[1], G_FILE_TEST_IS_REGULAR)))
    stepwise_model_load_cascade_async (files[0], files[1], self->cancellable, model_loaded, self);
  else if (n == 0)
    {
      adw_view_switcher_title_set_subtitle (self->window_title, _("No model"));
      _stepwise_window_toast (self, _("No models found: open one with Ctrl+O"));
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

void
_stepwise_window_open_model_action (GSimpleAction *action, GVariant *param, gpointer user_data)
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

void
_stepwise_window_scan_models (StepwiseWindow *self)
{
  stepwise_model_scan_async (self->model_dir, self->cancellable, models_scanned, self);
}

void
_stepwise_window_models_init (StepwiseWindow *self)
{
  /* the model chooser shows each model's name */
  self->models = g_list_store_new (STEPWISE_TYPE_MODEL);
  adw_combo_row_set_expression (self->model_row,
                                gtk_property_expression_new (STEPWISE_TYPE_MODEL, NULL, "name"));
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (self->models));
  g_signal_connect_swapped (self->model_row, "notify::selected", G_CALLBACK (on_model_selected), self);
}
