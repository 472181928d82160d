/* trainer.h: runs a recipe over a dataset, an epoch at a time.
 *
 * Every epoch draws its randomness (shuffle, noise, t, class dropout) from
 * its own stream, seeded by (recipe seed, epoch), and a checkpoint holds
 * the weights, BatchNorm statistics, Adam moments and the epoch count: a
 * run stopped after any epoch and resumed gives the same numbers as one
 * that was never stopped. */
#pragma once

#include <glib.h>

#include "nn/adam.h"
#include "models/eps-model.h"
#include "models/prompt-encoder.h"
#include "data/dataset.h"
#include "io/safetensors.h"
#include "train/recipe.h"
#include "models/unet.h"
#include "train/train-net.h"

G_BEGIN_DECLS

typedef struct _SwTrainer SwTrainer;

/* Called after every batch; return FALSE to stop (the epoch is then not
 * counted as done). */
typedef gboolean (*SwTrainStep) (int epoch, int step, int steps, float loss, gpointer user_data);

/* The net is built from the recipe (a fresh initialisation from its seed). */
SwTrainer   *sw_trainer_new (const SwRecipe *recipe, const SwDataset *train, GError **error);
/* What a resume may change; zero fields keep the checkpoint's. */
typedef struct {
  int   epochs;   /* > 0: the run's length (it may grow) */
  float gamma;    /* > 0: the rate goes on from where it is, times GAMMA each
                   * epoch, so a long run can hold its rate with 1 instead of
                   * decaying on to nothing */
  float ema;      /* > 0: average the weights with this decay per step (from
                   * the current weights if the run had no average) */
  float lr;       /* > 0: the rate from here on (then times the schedule's
                   * factor each epoch, GAMMA's if set) */
  float word_lr;  /* > 0: the word weights' rate multiplier from here on (recipe.h) */
  float repeat_rare; /* > 0: repeat-factor sampling with this threshold from the
                      * next epoch on; < 0: each image once from there on */
  float word_noise;  /* > 0: the word noise its model samples with (eps-model.h) */
} SwResumeChanges;

/* Continues from a checkpoint written by sw_trainer_save: the recipe stored
 * in it wins over RECIPE except for CHANGES (may be NULL). */
SwTrainer   *sw_trainer_resume (const char *checkpoint, const SwDataset *train,
                                const SwResumeChanges *changes, GError **error);
void         sw_trainer_free (SwTrainer *trainer);

const SwRecipe *sw_trainer_recipe (const SwTrainer *trainer);
/* the trained net; sw_trainer_net: the course UNet's, NULL for a resunet */
const SwTrainNet *sw_trainer_train_net (const SwTrainer *trainer);
SwUnet      *sw_trainer_net (SwTrainer *trainer);
/* the net to sample from and to ship: the weights' moving average when the
 * recipe keeps one (a copy, refreshed by each call, its BatchNorm statistics
 * recomputed for those weights over 1,024 training images: a few forward
 * passes; a resunet has no BatchNorm), else the trained net; sw_trainer_sampling_net:
 * the course UNet's, NULL for a resunet */
const SwTrainNet *sw_trainer_sampling_train_net (SwTrainer *trainer);
SwUnet      *sw_trainer_sampling_net (SwTrainer *trainer);
/* for a model of prompt words (sw_trainer_vocabulary): the sampling net
 * as an eps-model of that vocabulary, borrowing the net (either architecture) */
SwEpsModel  *sw_trainer_sampling_model (SwTrainer *trainer, GError **error);
int          sw_trainer_epoch (const SwTrainer *trainer);     /* epochs done */
int          sw_trainer_steps_per_epoch (const SwTrainer *trainer);
/* images drawn an epoch: the dataset's, or more under repeat-factor sampling */
int          sw_trainer_draws_per_epoch (const SwTrainer *trainer);
/* the images it trains on (after the recipe's limit and base-emoji choice) */
int          sw_trainer_n_images (const SwTrainer *trainer);
/* the vocabulary of a class model trained on captions, else NULL */
const SwPromptEncoder *sw_trainer_vocabulary (const SwTrainer *trainer);
/* the class vectors the last batch was trained on, (*N, *WIDTH); NULL for
 * a model without classes (to check what training draws) */
const float *sw_trainer_last_conditioning (const SwTrainer *trainer, int *n, int *width);

/* One epoch; returns its mean loss through MEAN_LOSS.  FALSE with
 * SW_ERROR_CANCELLED when STEP asked to stop. */
gboolean     sw_trainer_run_epoch (SwTrainer *trainer, SwTrainStep step, gpointer user_data,
                                   float *mean_loss, GError **error);

/* WITH_OPTIMIZER: a resumable F32 checkpoint; without: the sampling net's
 * weights alone in DTYPE (what the app ships).  EXTRA: NULL-terminated key/value pairs. */
gboolean     sw_trainer_save (SwTrainer *trainer, const char *path, gboolean with_optimizer,
                              SwDtype dtype, const char * const *extra, GError **error);

/* Min-SNR-gamma's weight of an image at ALPHA_BAR (Hang et al. 2023,
 * docs/math.md): with SNR = ab / (1 - ab), min(SNR, GAMMA) / SNR for
 * eps-cosine, min(SNR, GAMMA) / (SNR + 1) for v-cosine; 1 when GAMMA is 0 */
float        sw_min_snr_weight (double alpha_bar, float gamma, SwObjective objective);
/* AdamW's decoupled decay, before the Adam step: every parameter times
 * 1 - rate * WEIGHT_DECAY, the rate its group's (lr * scale) */
void         sw_adamw_decay (const SwAdam *opt, float *params, float weight_decay);

G_END_DECLS
