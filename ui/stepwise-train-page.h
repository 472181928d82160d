/* stepwise-train-page.h: the Train page — a dataset, a recipe (the CLI's),
 * epochs and an output folder; start, stop and resume; a live loss plot,
 * a grid of samples after each epoch, and an ETA.
 *
 * Training runs in a GTask thread, an epoch at a time
 * (sw_trainer_run_epoch); losses reach the main loop in batches a few times
 * a second, and Stop ends the epoch at the next batch.  After every epoch
 * the resumable checkpoint OUTDIR/checkpoint.safetensors is written
 * (atomically) and samples are drawn from it; Resume continues from it. */
#pragma once

#include <adwaita.h>

#include "stepwise-loss-plot.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_TRAIN_PAGE (stepwise_train_page_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseTrainPage, stepwise_train_page, STEPWISE, TRAIN_PAGE, GtkWidget)

gboolean          stepwise_train_page_get_running   (StepwiseTrainPage *self);
void              stepwise_train_page_set_dataset   (StepwiseTrainPage *self, const char *name);
void              stepwise_train_page_set_recipe    (StepwiseTrainPage *self, const char *name);
void              stepwise_train_page_set_epochs    (StepwiseTrainPage *self, int epochs);
void              stepwise_train_page_set_folder    (StepwiseTrainPage *self, const char *path);
const char       *stepwise_train_page_get_folder    (StepwiseTrainPage *self);
/* a quick run: train on the first LIMIT images only (0: all) with hidden
 * width D (0: the recipe's) */
void              stepwise_train_page_set_quick     (StepwiseTrainPage *self, int limit, int D);
StepwiseLossPlot *stepwise_train_page_get_loss_plot (StepwiseTrainPage *self);
/* the last epoch's sample grid */
struct _StepwiseImageView *stepwise_train_page_get_sample_view (StepwiseTrainPage *self);
/* epochs finished in this run (samples shown) */
int               stepwise_train_page_get_epochs_done (StepwiseTrainPage *self);
/* the last error shown, or NULL */
const char       *stepwise_train_page_get_error     (StepwiseTrainPage *self);
/* Start on a folder that holds a run asks first (issue 23): the question
 * while it is open, else NULL; and its answers, "resume", "over" (start
 * over, the earlier run moved to FOLDER.old, run-folder.h) or "cancel",
 * as the dialog gives them */
AdwMessageDialog *stepwise_train_page_get_question  (StepwiseTrainPage *self);
void              stepwise_train_page_answer        (StepwiseTrainPage *self, const char *response);

/* stops every training run and waits for their threads: at exit, so
 * that none is still inside the engine when the process ends */
void              stepwise_train_page_stop_all      (void);

G_END_DECLS
