/* stepwise-canvas-view.c: zoom and pan.  At zoom 1 the layers fit the
 * area; zoomed in, Ctrl+wheel zooms about the pointer, the wheel and a
 * middle-button drag pan, and canvas.zoom-in, canvas.zoom-out and
 * canvas.zoom-reset zoom about the centre.  The pan is in area pixels and
 * never moves the image's centre out of the area. */
#include "stepwise-canvas-private.h"

#define ZOOM_STEP 1.25
#define WHEEL_PAN 32.0   /* area pixels per wheel step */

static void
clamp_pan (StepwiseCanvas *self)
{
  double x0, y0, scale;
  if (self->zoom <= 1.0 || !_stepwise_canvas_layout (self, &x0, &y0, &scale))
    {
      self->pan_x = self->pan_y = 0;
      return;
    }
  const double half = scale * self->size / 2;
  self->pan_x = CLAMP (self->pan_x, -half, half);
  self->pan_y = CLAMP (self->pan_y, -half, half);
}

void
_stepwise_canvas_pan_by (StepwiseCanvas *self, double dx, double dy)
{
  self->pan_x += dx;
  self->pan_y += dy;
  clamp_pan (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

/* zooms by FACTOR keeping the model point under (WX, WY) where it is */
static void
zoom_at (StepwiseCanvas *self, double factor, double wx, double wy)
{
  double mx, my;
  const gboolean anchored = stepwise_canvas_to_model (self, wx, wy, &mx, &my);
  self->zoom = CLAMP (self->zoom * factor, 1.0, STEPWISE_CANVAS_ZOOM_MAX);
  self->pan_x = self->pan_y = 0;
  double x0, y0, scale;
  if (anchored && self->zoom > 1.0 && _stepwise_canvas_layout (self, &x0, &y0, &scale))
    {
      self->pan_x = wx - mx * scale - x0;
      self->pan_y = wy - my * scale - y0;
    }
  clamp_pan (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

static void
zoom_at_centre (StepwiseCanvas *self, double factor)
{
  GtkWidget *area = GTK_WIDGET (self->area);
  zoom_at (self, factor, gtk_widget_get_width (area) / 2.0, gtk_widget_get_height (area) / 2.0);
}

void
stepwise_canvas_set_zoom (StepwiseCanvas *self, double zoom)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  zoom_at_centre (self, zoom / self->zoom);
}

double
stepwise_canvas_get_zoom (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), 1.0);
  return self->zoom;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, StepwiseCanvas *self)
{
  const GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  if (state & GDK_CONTROL_MASK)
    {
      if (dy != 0)
        zoom_at (self, dy < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, self->pointer_x, self->pointer_y);
      return TRUE;
    }
  if (self->zoom <= 1.0)
    return FALSE;   /* nothing to pan: the page scrolls */
  if (state & GDK_SHIFT_MASK)
    _stepwise_canvas_pan_by (self, -dy * WHEEL_PAN, -dx * WHEEL_PAN);
  else
    _stepwise_canvas_pan_by (self, -dx * WHEEL_PAN, -dy * WHEEL_PAN);
  return TRUE;
}

static void
action_zoom_in (GtkWidget *widget, const char *name, GVariant *param)
{
  zoom_at_centre (STEPWISE_CANVAS (widget), ZOOM_STEP);
}

static void
action_zoom_out (GtkWidget *widget, const char *name, GVariant *param)
{
  zoom_at_centre (STEPWISE_CANVAS (widget), 1 / ZOOM_STEP);
}

static void
action_zoom_reset (GtkWidget *widget, const char *name, GVariant *param)
{
  stepwise_canvas_set_zoom (STEPWISE_CANVAS (widget), 1.0);
}

void
_stepwise_canvas_class_init_view (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "canvas.zoom-in", NULL, action_zoom_in);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-out", NULL, action_zoom_out);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-reset", NULL, action_zoom_reset);
}

void
_stepwise_canvas_init_view (StepwiseCanvas *self)
{
  self->zoom = 1.0;
  /* what is drawn past the area (zoomed in) stays inside it */
  gtk_widget_set_overflow (GTK_WIDGET (self->area), GTK_OVERFLOW_HIDDEN);
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES
                                                                | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self->area), scroll);
}
