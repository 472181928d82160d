/* stepwise-history.h: the results since the app started, newest first,
 * kept across restarts.
 *
 * A GListModel of StepwiseResult.  Each result is a PNG with its settings
 * (stepwise_result_to_png) in the history folder, and the folder's "index"
 * lists the file names, newest first; both are written atomically, in
 * order, on a worker thread.  At most STEPWISE_HISTORY_MAX results are
 * kept: adding one more deletes the oldest. */
#pragma once

#include <gio/gio.h>

#include "stepwise-result.h"

G_BEGIN_DECLS

#define STEPWISE_HISTORY_MAX 100

#define STEPWISE_TYPE_HISTORY (stepwise_history_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseHistory, stepwise_history, STEPWISE, HISTORY, GObject)

/* the history in g_get_user_data_dir()/stepwise/history, shared by every
 * window while one holds it */
StepwiseHistory *stepwise_history_dup_default (void);
/* the history in DIR, read on a worker (see notify::loaded) */
StepwiseHistory *stepwise_history_new         (const char *dir);
gboolean         stepwise_history_get_loaded  (StepwiseHistory *self);
const char      *stepwise_history_get_dir     (StepwiseHistory *self);
/* puts RESULT first and writes it */
void             stepwise_history_add         (StepwiseHistory *self, StepwiseResult *result);
/* blocks until every write asked for so far is on disk */
void             stepwise_history_flush       (StepwiseHistory *self);

G_END_DECLS
