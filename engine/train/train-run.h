/* train-run.h: one training run, the loop stepwise-cli train and the
 * window's Train page both drive (issue 21), in the manner of
 * stable-diffusion.cpp's API: a params struct that _init fills with
 * defaults, callbacks, and a cancellable.
 *
 * A run trains a recipe from scratch, or goes on from the checkpoint in
 * its folder, over the epochs left.  In the folder it keeps
 *   checkpoint.safetensors   the resumable state after every epoch (F32,
 *                            written atomically, with "train.loss")
 *   loss-batch.csv, loss-epoch.csv   the loss logs (loss-log.h)
 *   model.safetensors        the sampling net's weights in F16 once the
 *                            last epoch is done ("train.loss", "train.seconds")
 * so a run either program started, the other resumes.  A run holds the
 * folder's lock (run-folder.h) throughout, removes what an interrupted
 * save left, and starts afresh only in a folder that holds no run. */
#pragma once

#include <gio/gio.h>

#include "data/dataset.h"
#include "train/loss-log.h"
#include "train/recipe.h"
#include "train/trainer.h"

G_BEGIN_DECLS

#define SW_TRAIN_RUN_CHECKPOINT "checkpoint.safetensors"
#define SW_TRAIN_RUN_MODEL      "model.safetensors"

/* What an epoch's end reports; its checkpoint and log rows are written. */
typedef struct {
  int              epoch;         /* epochs done, from 1 */
  float            loss;          /* the epoch's mean */
  float            lr;            /* the rate it trained at */
  double           seconds;
  double           images_per_s;
  const SwLossLog *log;           /* every loss so far, for curves */
} SwTrainEpochReport;

/* Once the trainer is ready and LOG opened (a resumed run's losses so
 * far in it), before the first epoch. */
typedef void     (*SwTrainRunStart) (SwTrainer *trainer, const SwLossLog *log, gpointer user_data);
/* After every batch: EPOCH and STEP of STEPS from 0, and its loss. */
typedef void     (*SwTrainRunStep)  (int epoch, int step, int steps, float loss, gpointer user_data);
/* After every epoch: TRAINER's sampling net (sw_trainer_sampling_net)
 * draws the front end's figures.  FALSE with ERROR ends the run. */
typedef gboolean (*SwTrainRunEpoch) (SwTrainer *trainer, const SwTrainEpochReport *report,
                                     gpointer user_data, GError **error);

typedef struct {
  const SwRecipe  *recipe;        /* a new run's recipe; ignored with resume */
  gboolean         resume;        /* go on from FOLDER's checkpoint instead */
  SwResumeChanges  changes;       /* what a resume changes (trainer.h); zero: nothing */
  const SwDataset *data;          /* the training images (a quick run may cut its n) */
  const char      *folder;        /* created if missing */
  gboolean         export_model;  /* write model.safetensors at the end (default TRUE) */
  SwTrainRunStart  on_start;      /* each may be NULL */
  SwTrainRunStep   on_step;
  SwTrainRunEpoch  on_epoch;
  gpointer         user_data;
  GCancellable    *cancellable;   /* may be NULL; checked every step */
  double           minutes;       /* > 0: a wall-time budget: the run ends, checkpointed and
                                   * exported, after the epoch that passes it (pilots compare
                                   * recipes at equal time) */
} SwTrainRunParams;

/* What a finished run did. */
typedef struct {
  double seconds;
  double images;         /* images trained on by this run */
} SwTrainRunSummary;

/* the defaults: no recipe, a fresh run, export_model, no callbacks */
void     sw_train_run_params_init (SwTrainRunParams *params);

/* Runs PARAMS to the recipe's last epoch, or its budget; SUMMARY may be NULL.  A
 * cancelled run ends with SW_ERROR_CANCELLED and leaves the checkpoint of
 * its last complete epoch; an error names the file or setting at fault. */
gboolean sw_train_run (const SwTrainRunParams *params, SwTrainRunSummary *summary, GError **error);

G_END_DECLS
