/* loss-log.h: a training run's loss logs, shared by stepwise-cli train and
 * the window's training page so either can resume the other's run.
 *
 * In a run's folder, beside checkpoint.safetensors:
 *   loss-batch.csv   epoch,step,loss                          (one row a batch)
 *   loss-epoch.csv   epoch,loss,lr,seconds,images_per_s       (one row an epoch)
 * Epochs and steps count from 1.  Opening the logs of a resumed run drops
 * the rows of epochs the checkpoint has not finished (a run stopped
 * mid-epoch) and keeps the losses of the others for the curves. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SW_LOSS_LOG_BATCH "loss-batch.csv"
#define SW_LOSS_LOG_EPOCH "loss-epoch.csv"

typedef struct _SwLossLog SwLossLog;

/* Opens DIR's logs for a run that has finished EPOCHS_DONE epochs; with
 * FRESH (a new run) the logs start over.  Errors name the file. */
SwLossLog    *sw_loss_log_open    (const char *dir, int epochs_done, gboolean fresh, GError **error);
/* closes the files (flushing them) */
void          sw_loss_log_close   (SwLossLog *log);

/* every batch loss and epoch mean so far, resumed ones included (float) */
const GArray *sw_loss_log_batches (const SwLossLog *log);
const GArray *sw_loss_log_epochs  (const SwLossLog *log);

/* EPOCH and STEP from 1 */
void          sw_loss_log_batch   (SwLossLog *log, int epoch, int step, float loss);
/* an epoch's row; flushes both logs so a stop loses at most this epoch */
gboolean      sw_loss_log_epoch   (SwLossLog *log, int epoch, float loss, float lr, double seconds,
                                   double images_per_s, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwLossLog, sw_loss_log_close)

G_END_DECLS
