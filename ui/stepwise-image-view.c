/* stepwise-image-view.c: the pixels become a cairo image surface once per
 * update; drawing scales it with CAIRO_FILTER_NEAREST, so a 28 x 28 image
 * shows its true pixel grid at any size. */
#include "stepwise-image-view.h"

#include <math.h>

struct _StepwiseImageView
{
  GtkWidget        parent_instance;
  cairo_surface_t *surface;   /* W x H, RGB24 */
  int              width, height;
};

G_DEFINE_FINAL_TYPE (StepwiseImageView, stepwise_image_view, GTK_TYPE_WIDGET)

static guint8
to_byte (float x)
{
  float v = 0.5f * x + 0.5f;   /* [-1, 1] -> [0, 1] */
  v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
  return (guint8) lrintf (v * 255.0f);
}

void
stepwise_image_view_set_pixels (StepwiseImageView *self, GBytes *pixels, int channels,
                                int height, int width)
{
  g_return_if_fail (STEPWISE_IS_IMAGE_VIEW (self));
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  self->width = self->height = 0;
  if (pixels)
    {
      gsize size;
      const float *x = g_bytes_get_data (pixels, &size);
      g_return_if_fail (channels == 1 || channels == 3);
      g_return_if_fail (size == sizeof (float) * channels * height * width);
      self->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
      cairo_surface_flush (self->surface);
      guint8 *data = cairo_image_surface_get_data (self->surface);
      const int stride = cairo_image_surface_get_stride (self->surface);
      const size_t plane = (size_t) height * width;
      for (int y = 0; y < height; y++)
        {
          guint32 *row = (guint32 *) (data + (size_t) y * stride);
          for (int i = 0; i < width; i++)
            {
              size_t p = (size_t) y * width + i;
              guint32 r = to_byte (x[p]);
              guint32 g = channels == 3 ? to_byte (x[plane + p]) : r;
              guint32 b = channels == 3 ? to_byte (x[2 * plane + p]) : r;
              row[i] = (r << 16) | (g << 8) | b;
            }
        }
      cairo_surface_mark_dirty (self->surface);
      self->width = width;
      self->height = height;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
stepwise_image_view_has_image (StepwiseImageView *self)
{
  g_return_val_if_fail (STEPWISE_IS_IMAGE_VIEW (self), FALSE);
  return self->surface != NULL;
}

gboolean
stepwise_image_view_get_size (StepwiseImageView *self, int *width, int *height)
{
  g_return_val_if_fail (STEPWISE_IS_IMAGE_VIEW (self), FALSE);
  *width = self->surface ? self->width : 0;
  *height = self->surface ? self->height : 0;
  return self->surface != NULL;
}

static void
stepwise_image_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StepwiseImageView *self = STEPWISE_IMAGE_VIEW (widget);
  const int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  if (!self->surface || w <= 0 || h <= 0)
    return;
  /* the largest scale that fits, whole pixels when the image is smaller
   * than the widget so every model pixel is the same size on screen */
  const int pad = 12;
  double scale = MIN ((double) (w - 2 * pad) / self->width, (double) (h - 2 * pad) / self->height);
  if (scale >= 1.0)
    scale = floor (scale);
  if (scale <= 0.0)
    return;
  const double dw = self->width * scale, dh = self->height * scale;
  const double x0 = floor ((w - dw) / 2), y0 = floor ((h - dh) / 2);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x0, y0, dw, dh));
  cairo_translate (cr, x0, y0);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
stepwise_image_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                             int *minimum, int *natural, int *minimum_baseline,
                             int *natural_baseline)
{
  int width, height;
  gtk_widget_get_size_request (widget, &width, &height);
  const int request = orientation == GTK_ORIENTATION_HORIZONTAL ? width : height;
  *minimum = 64;
  *natural = request > 0 ? request : 256;   /* a requested size is also the natural one */
}

static void
stepwise_image_view_finalize (GObject *object)
{
  StepwiseImageView *self = STEPWISE_IMAGE_VIEW (object);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  G_OBJECT_CLASS (stepwise_image_view_parent_class)->finalize (object);
}

static void
stepwise_image_view_class_init (StepwiseImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->finalize = stepwise_image_view_finalize;
  widget_class->snapshot = stepwise_image_view_snapshot;
  widget_class->measure = stepwise_image_view_measure;
  gtk_widget_class_set_css_name (widget_class, "stepwise-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
stepwise_image_view_init (StepwiseImageView *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
stepwise_image_view_new (void)
{
  return g_object_new (STEPWISE_TYPE_IMAGE_VIEW, NULL);
}
