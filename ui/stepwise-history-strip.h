/* stepwise-history-strip.h: a row of thumbnails of the results in a
 * StepwiseHistory, newest first; clicking one emits "activate" with it. */
#pragma once

#include <gtk/gtk.h>

#include "stepwise-history.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_HISTORY_STRIP (stepwise_history_strip_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseHistoryStrip, stepwise_history_strip, STEPWISE, HISTORY_STRIP, GtkWidget)

void        stepwise_history_strip_set_model (StepwiseHistoryStrip *self, GListModel *model);
GListModel *stepwise_history_strip_get_model (StepwiseHistoryStrip *self);
/* as a click on thumbnail POSITION */
void        stepwise_history_strip_activate  (StepwiseHistoryStrip *self, guint position);
/* the sideways scrolling, 0 at the newest result */
GtkAdjustment *stepwise_history_strip_get_hadjustment (StepwiseHistoryStrip *self);
/* as the mouse wheel: DY wheel steps, a thumbnail each, to the right */
void        stepwise_history_strip_scroll    (StepwiseHistoryStrip *self, double dy);

G_END_DECLS
