/* stepwise-loss-plot.h: a live training loss curve on a log10 y axis —
 * every batch's loss as a light line, each epoch's mean as a dark one
 * over the batches it averages.  Drawn with cairo. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_LOSS_PLOT (stepwise_loss_plot_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseLossPlot, stepwise_loss_plot, STEPWISE, LOSS_PLOT, GtkWidget)

GtkWidget *stepwise_loss_plot_new            (void);
void       stepwise_loss_plot_clear          (StepwiseLossPlot *self);
/* appends N batch losses */
void       stepwise_loss_plot_add_batches    (StepwiseLossPlot *self, const float *losses, guint n);
/* the mean of an epoch that ended after the batches added so far and
 * began after the previous epoch's */
void       stepwise_loss_plot_add_epoch      (StepwiseLossPlot *self, float mean);
guint      stepwise_loss_plot_get_n_batches  (StepwiseLossPlot *self);
guint      stepwise_loss_plot_get_n_epochs   (StepwiseLossPlot *self);

G_END_DECLS
