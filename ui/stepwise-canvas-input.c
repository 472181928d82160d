/* stepwise-canvas-input.c: pointer strokes (with pressure and the
 * stylus's eraser end, as GTK's paint demo reads them), the brush outline,
 * images dropped as files or textures, pasted from the clipboard, or
 * opened with the file chooser.  Every image goes through the engine's
 * decoder (sw_image_decode), which trusts nothing it reads. */
#include "stepwise-canvas-private.h"

#include <glib/gi18n.h>

static void
report (StepwiseCanvas *self, const char *what, const GError *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);
  /* the window shows it (a toast); "canvas.error" is not an action, so a
   * bare canvas just warns */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", text))
    g_warning ("%s", text);
}

gboolean
stepwise_canvas_to_model (StepwiseCanvas *self, double wx, double wy, double *mx, double *my)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), FALSE);
  double x0, y0, scale;
  if (!_stepwise_canvas_layout (self, &x0, &y0, &scale))
    return FALSE;
  *mx = (wx - x0) / scale;
  *my = (wy - y0) / scale;
  return TRUE;
}

/* pressure and the tool for the event now being handled */
static void
event_pressure (StepwiseCanvas *self, GtkGesture *gesture, double *pressure, StepwiseCanvasTool *tool)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));
  *pressure = 1.0;
  if (tool)
    *tool = self->tool;
  if (!event)
    return;
  double p;
  if (gdk_event_get_axis (event, GDK_AXIS_PRESSURE, &p) && p > 0)
    *pressure = p;
  GdkDeviceTool *device_tool = gdk_event_get_device_tool (event);
  if (tool && device_tool && gdk_device_tool_get_tool_type (device_tool) == GDK_DEVICE_TOOL_TYPE_ERASER)
    *tool = (self->tool == STEPWISE_CANVAS_TOOL_MASK || self->tool == STEPWISE_CANVAS_TOOL_MASK_ERASE)
            ? STEPWISE_CANVAS_TOOL_MASK_ERASE : STEPWISE_CANVAS_TOOL_ERASER;
}

static void
drag_begin (GtkGestureDrag *gesture, double x, double y, StepwiseCanvas *self)
{
  double mx, my, pressure;
  StepwiseCanvasTool tool;
  gtk_widget_grab_focus (GTK_WIDGET (self->area));
  /* the middle button pans */
  if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) == GDK_BUTTON_MIDDLE)
    {
      self->panning = TRUE;
      self->pan_start_x = self->pan_x;
      self->pan_start_y = self->pan_y;
      return;
    }
  if (!stepwise_canvas_to_model (self, x, y, &mx, &my))
    return;
  event_pressure (self, GTK_GESTURE (gesture), &pressure, &tool);
  /* the secondary button erases what the primary paints */
  if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) == GDK_BUTTON_SECONDARY)
    tool = tool == STEPWISE_CANVAS_TOOL_MASK ? STEPWISE_CANVAS_TOOL_MASK_ERASE
         : tool == STEPWISE_CANVAS_TOOL_BRUSH ? STEPWISE_CANVAS_TOOL_ERASER : tool;
  stepwise_canvas_begin_stroke (self, tool, mx, my, pressure);
}

static void
drag_update (GtkGestureDrag *gesture, double dx, double dy, StepwiseCanvas *self)
{
  double sx, sy, mx, my, pressure;
  if (self->panning)
    {
      _stepwise_canvas_pan_by (self, self->pan_start_x + dx - self->pan_x, self->pan_start_y + dy - self->pan_y);
      return;
    }
  if (!gtk_gesture_drag_get_start_point (gesture, &sx, &sy)
      || !stepwise_canvas_to_model (self, sx + dx, sy + dy, &mx, &my))
    return;
  event_pressure (self, GTK_GESTURE (gesture), &pressure, NULL);
  self->pointer_x = sx + dx;
  self->pointer_y = sy + dy;
  stepwise_canvas_stroke_to (self, mx, my, pressure);
}

static void
drag_end (GtkGestureDrag *gesture, double dx, double dy, StepwiseCanvas *self)
{
  self->panning = FALSE;
  stepwise_canvas_end_stroke (self);
}

static void
drag_cancel (GtkGesture *gesture, GdkEventSequence *sequence, StepwiseCanvas *self)
{
  self->panning = FALSE;
  stepwise_canvas_end_stroke (self);
}

static void
motion (GtkEventControllerMotion *controller, double x, double y, StepwiseCanvas *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static void
leave (GtkEventControllerMotion *controller, StepwiseCanvas *self)
{
  self->pointer_x = self->pointer_y = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

/* ---- images in ---- */

static void
load_texture (StepwiseCanvas *self, GdkTexture *texture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = gdk_texture_save_to_png_bytes (texture);
  if (!stepwise_canvas_load_image_data (self, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                        _("the pasted image"), &error))
    report (self, _("Could not use the image"), error);
}

/* CONTENTS of FILE become the image, or an error is shown */
static gboolean
contents_loaded (StepwiseCanvas *self, GFile *file, char *contents, gsize len, const GError *load_error)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  if (load_error || !stepwise_canvas_load_image_data (self, (const guint8 *) contents, len, name, &error))
    {
      report (self, _("Could not open the image"), load_error ? load_error : error);
      g_free (contents);
      return FALSE;
    }
  g_autoptr (GBytes) bytes = g_bytes_new_take (contents, len);
  g_autofree char *basename = g_file_get_basename (file);
  _stepwise_canvas_file_opened (self, bytes, basename);
  return TRUE;
}

static void
file_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StepwiseCanvas) self = user_data;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;
  g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error);
  contents_loaded (self, G_FILE (source), contents, len, error);
}

void
stepwise_canvas_open_file (StepwiseCanvas *self, GFile *file)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  g_file_load_contents_async (file, NULL, file_loaded, g_object_ref (self));
}

gboolean
stepwise_canvas_open_file_now (StepwiseCanvas *self, GFile *file)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), FALSE);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;
  g_file_load_contents (file, NULL, &contents, &len, NULL, &error);
  return contents_loaded (self, file, contents, len, error);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, StepwiseCanvas *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      if (!files)
        return FALSE;
      stepwise_canvas_open_file (self, files->data);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      stepwise_canvas_open_file (self, g_value_get_object (value));
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      load_texture (self, g_value_get_object (value));
      return TRUE;
    }
  return FALSE;
}

static void
texture_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StepwiseCanvas) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  if (!texture)
    report (self, _("Could not paste an image"), error);
  else
    load_texture (self, texture);
}

void
_stepwise_canvas_paste_image (StepwiseCanvas *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  gdk_clipboard_read_texture_async (clipboard, NULL, texture_read, g_object_ref (self));
}

static void
on_open_response (GtkNativeDialog *dialog, int response, StepwiseCanvas *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file)
        stepwise_canvas_open_file (self, file);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

void
_stepwise_canvas_open_image (StepwiseCanvas *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open Image"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
_stepwise_canvas_init_input (StepwiseCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self->area);
  /* one drag gesture for mouse, touch and stylus: the stylus's pressure
   * and eraser come with its events (gdk_event_get_axis) */
  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (drag_cancel), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));

  GtkEventController *motion_controller = gtk_event_controller_motion_new ();
  g_signal_connect (motion_controller, "motion", G_CALLBACK (motion), self);
  g_signal_connect (motion_controller, "leave", G_CALLBACK (leave), self);
  gtk_widget_add_controller (widget, motion_controller);

  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE, GDK_TYPE_TEXTURE };
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drop));
}
