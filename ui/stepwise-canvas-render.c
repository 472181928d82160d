/* stepwise-canvas-render.c: the layers drawn scaled up — the image as
 * crisp grid pixels, the sketch from its finer layer, the mask as a
 * translucent tint, then the model's pixel grid and the brush outline. */
#include "stepwise-canvas-private.h"

#include <math.h>

#define PAD 8

static guint8
to_byte (float x)
{
  float v = 0.5f * x + 0.5f;
  v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
  return (guint8) lrintf (v * 255.0f);
}

void
_stepwise_canvas_invalidate_image (StepwiseCanvas *self)
{
  g_clear_pointer (&self->image_surface, cairo_surface_destroy);
}

static cairo_surface_t *
image_surface (StepwiseCanvas *self)
{
  if (self->image_surface)
    return self->image_surface;
  const int S = self->size, C = self->channels;
  const size_t plane = (size_t) S * S;
  self->image_surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, S, S);
  cairo_surface_flush (self->image_surface);
  guint8 *data = cairo_image_surface_get_data (self->image_surface);
  const int stride = cairo_image_surface_get_stride (self->image_surface);
  for (int y = 0; y < S; y++)
    {
      guint32 *row = (guint32 *) (data + (size_t) y * stride);
      for (int x = 0; x < S; x++)
        {
          const size_t p = (size_t) y * S + x;
          const guint32 r = to_byte (self->image[p]);
          const guint32 g = C == 3 ? to_byte (self->image[plane + p]) : r;
          const guint32 b = C == 3 ? to_byte (self->image[2 * plane + p]) : r;
          row[x] = (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (self->image_surface);
  return self->image_surface;
}

gboolean
_stepwise_canvas_layout (StepwiseCanvas *self, double *x0, double *y0, double *scale)
{
  GtkWidget *widget = GTK_WIDGET (self->area);
  const int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  if (self->size <= 0 || w <= 2 * PAD || h <= 2 * PAD)
    return FALSE;
  double s = MIN ((double) (w - 2 * PAD), (double) (h - 2 * PAD)) / self->size * self->zoom;
  if (s >= 1.0)
    s = floor (s);   /* every grid pixel the same size on screen */
  *scale = s;
  *x0 = floor ((w - s * self->size) / 2 + self->pan_x);
  *y0 = floor ((h - s * self->size) / 2 + self->pan_y);
  return TRUE;
}

void
_stepwise_canvas_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  StepwiseCanvas *self = data;
  double x0, y0, scale;
  if (!_stepwise_canvas_layout (self, &x0, &y0, &scale))
    return;
  const int S = self->size;
  const double side = S * scale;
  cairo_translate (cr, x0, y0);

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, image_surface (self), 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);

  cairo_save (cr);
  cairo_scale (cr, scale / STEPWISE_CANVAS_SCALE, scale / STEPWISE_CANVAS_SCALE);
  cairo_set_source_surface (cr, self->sketch, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  /* the mask: a translucent red, the colour GNOME uses for destructive */
  if (self->show_mask)
    {
      cairo_set_source_rgba (cr, 0.88, 0.11, 0.14, 0.5);
      cairo_mask_surface (cr, self->mask, 0, 0);
    }
  cairo_restore (cr);

  /* the model's pixels: a 16 px model's on a 64 px grid are 4 x 4 */
  const int block = self->model_size > 0 ? S / self->model_size : 1;
  if (self->show_grid && scale * block >= 4)
    {
      cairo_set_line_width (cr, 1);
      cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.45);
      for (int i = block; i < S; i += block)
        {
          const double p = floor (i * scale) + 0.5;
          cairo_move_to (cr, p, 0);
          cairo_line_to (cr, p, side);
          cairo_move_to (cr, 0, p);
          cairo_line_to (cr, side, p);
        }
      cairo_stroke (cr);
    }

  /* the brush outline where the pointer is */
  const double px = self->pointer_x - x0, py = self->pointer_y - y0;
  if (self->pointer_x >= 0 && px >= 0 && py >= 0 && px <= side && py <= side)
    {
      /* a white ring in a dark one: it shows on black, white and the
       * greys between, where a thin ring vanished */
      const double r = MAX (self->brush_size * scale / 2, 2.5);
      cairo_arc (cr, px, py, r, 0, 2 * G_PI);
      cairo_set_line_width (cr, 3.5);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.85);
      cairo_stroke_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      cairo_set_source_rgba (cr, 1, 1, 1, 1);
      cairo_stroke (cr);
    }
}
