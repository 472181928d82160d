/* stepwise-loss-plot.c: the data are two arrays; snapshot() draws them
 * with cairo at the widget's size, decades of the y axis as grid lines. */
#include "stepwise-loss-plot.h"

#include <glib/gi18n.h>
#include <math.h>

typedef struct {
  float x;      /* batch position (the middle of the epoch for means) */
  float loss;
} EpochPoint;

struct _StepwiseLossPlot
{
  GtkWidget  parent_instance;
  GArray    *batches;   /* float */
  GArray    *epochs;    /* EpochPoint */
  guint      epoch_start;
};

G_DEFINE_FINAL_TYPE (StepwiseLossPlot, stepwise_loss_plot, GTK_TYPE_WIDGET)

#define MARGIN_LEFT 48
#define MARGIN_RIGHT 12
#define MARGIN_TOP 12
#define MARGIN_BOTTOM 28

static gboolean
plottable (float v)
{
  return isfinite (v) && v > 0;
}

static void
draw (StepwiseLossPlot *self, cairo_t *cr, int width, int height)
{
  GdkRGBA fg;
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  const double pw = width - MARGIN_LEFT - MARGIN_RIGHT, ph = height - MARGIN_TOP - MARGIN_BOTTOM;
  if (pw < 10 || ph < 10)
    return;
  /* the y range: whole decades around every plottable point */
  float lo = INFINITY, hi = -INFINITY;
  for (guint i = 0; i < self->batches->len; i++)
    {
      const float v = g_array_index (self->batches, float, i);
      if (plottable (v))
        lo = MIN (lo, v), hi = MAX (hi, v);
    }
  cairo_set_font_size (cr, 11);
  cairo_set_line_width (cr, 1);
  if (!(lo <= hi))
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.5);
      const char *text = _("The loss of every batch appears here");
      cairo_text_extents_t ext;
      cairo_text_extents (cr, text, &ext);
      cairo_move_to (cr, (width - ext.width) / 2, height / 2.0);
      cairo_show_text (cr, text);
      return;
    }
  double dlo = floor (log10 (lo)), dhi = ceil (log10 (hi));
  if (dhi <= dlo)
    dhi = dlo + 1;
  const guint n = MAX (self->batches->len, 2u);
#define X(i) (MARGIN_LEFT + pw * (double) (i) / (n - 1))
#define Y(v) (MARGIN_TOP + ph * (1.0 - (log10 (v) - dlo) / (dhi - dlo)))
  /* decades: grid lines and labels */
  for (double d = dlo; d <= dhi; d++)
    {
      const double y = MARGIN_TOP + ph * (1.0 - (d - dlo) / (dhi - dlo));
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
      cairo_move_to (cr, MARGIN_LEFT, y + 0.5);
      cairo_line_to (cr, MARGIN_LEFT + pw, y + 0.5);
      cairo_stroke (cr);
      char label[32];
      g_snprintf (label, sizeof label, "%g", pow (10, d));
      cairo_text_extents_t ext;
      cairo_text_extents (cr, label, &ext);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
      cairo_move_to (cr, MARGIN_LEFT - 6 - ext.width, y + ext.height / 2);
      cairo_show_text (cr, label);
    }
  /* the x axis: batches */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
  g_autofree char *xlabel = g_strdup_printf (_("%u batches"), self->batches->len);
  cairo_text_extents_t ext;
  cairo_text_extents (cr, xlabel, &ext);
  cairo_move_to (cr, MARGIN_LEFT + pw - ext.width, height - 8);
  cairo_show_text (cr, xlabel);
  cairo_move_to (cr, MARGIN_LEFT, height - 8);
  cairo_show_text (cr, _("loss (log scale)"));

  /* every batch, light */
  GdkRGBA accent = { 0.21, 0.52, 0.89, 1 };
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.35);
  gboolean pen = FALSE;
  for (guint i = 0; i < self->batches->len; i++)
    {
      const float v = g_array_index (self->batches, float, i);
      if (!plottable (v))
        {
          pen = FALSE;
          continue;
        }
      if (pen)
        cairo_line_to (cr, X (i), Y (v));
      else
        cairo_move_to (cr, X (i), Y (v));
      pen = TRUE;
    }
  cairo_stroke (cr);
  /* each epoch's mean, dark, with a dot per epoch */
  cairo_set_source_rgba (cr, accent.red * 0.5, accent.green * 0.5, accent.blue * 0.6, 1);
  cairo_set_line_width (cr, 2.5);
  pen = FALSE;
  for (guint i = 0; i < self->epochs->len; i++)
    {
      const EpochPoint *p = &g_array_index (self->epochs, EpochPoint, i);
      if (!plottable (p->loss))
        continue;
      if (pen)
        cairo_line_to (cr, X (p->x), Y (p->loss));
      else
        cairo_move_to (cr, X (p->x), Y (p->loss));
      pen = TRUE;
    }
  cairo_stroke (cr);
  for (guint i = 0; i < self->epochs->len; i++)
    {
      const EpochPoint *p = &g_array_index (self->epochs, EpochPoint, i);
      if (!plottable (p->loss))
        continue;
      cairo_arc (cr, X (p->x), Y (p->loss), 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
#undef X
#undef Y
}

static void
stepwise_loss_plot_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  const int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw (STEPWISE_LOSS_PLOT (widget), cr, w, h);
  cairo_destroy (cr);
}

GtkWidget *
stepwise_loss_plot_new (void)
{
  return g_object_new (STEPWISE_TYPE_LOSS_PLOT, NULL);
}

void
stepwise_loss_plot_clear (StepwiseLossPlot *self)
{
  g_return_if_fail (STEPWISE_IS_LOSS_PLOT (self));
  g_array_set_size (self->batches, 0);
  g_array_set_size (self->epochs, 0);
  self->epoch_start = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
stepwise_loss_plot_add_batches (StepwiseLossPlot *self, const float *losses, guint n)
{
  g_return_if_fail (STEPWISE_IS_LOSS_PLOT (self));
  g_array_append_vals (self->batches, losses, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
stepwise_loss_plot_add_epoch (StepwiseLossPlot *self, float mean)
{
  g_return_if_fail (STEPWISE_IS_LOSS_PLOT (self));
  const guint end = self->batches->len;
  EpochPoint p = { (self->epoch_start + (float) MAX (end, 1u) - 1) / 2.0f, mean };
  g_array_append_val (self->epochs, p);
  self->epoch_start = end;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
stepwise_loss_plot_get_n_batches (StepwiseLossPlot *self)
{
  g_return_val_if_fail (STEPWISE_IS_LOSS_PLOT (self), 0);
  return self->batches->len;
}

guint
stepwise_loss_plot_get_n_epochs (StepwiseLossPlot *self)
{
  g_return_val_if_fail (STEPWISE_IS_LOSS_PLOT (self), 0);
  return self->epochs->len;
}

static void
stepwise_loss_plot_finalize (GObject *object)
{
  StepwiseLossPlot *self = STEPWISE_LOSS_PLOT (object);
  g_array_unref (self->batches);
  g_array_unref (self->epochs);
  G_OBJECT_CLASS (stepwise_loss_plot_parent_class)->finalize (object);
}

static void
stepwise_loss_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                            int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 240;
}

static void
stepwise_loss_plot_class_init (StepwiseLossPlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stepwise_loss_plot_finalize;
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  widget_class->snapshot = stepwise_loss_plot_snapshot;
  widget_class->measure = stepwise_loss_plot_measure;
  gtk_widget_class_set_css_name (widget_class, "lossplot");
}

static void
stepwise_loss_plot_init (StepwiseLossPlot *self)
{
  self->batches = g_array_new (FALSE, FALSE, sizeof (float));
  self->epochs = g_array_new (FALSE, FALSE, sizeof (EpochPoint));
}
