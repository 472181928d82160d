/* cli-common.h: what every stepwise-cli command shares: option parsing
 * that reports one clear line, progress on a terminal, loading a model
 * with its recipe. */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "data/dataset.h"
#include "models/model-config.h"
#include "models/unet.h"

/* Parses ARGV with ENTRIES; on error prints "stepwise-cli CMD: message"
 * and returns FALSE.  PARAMS is the usage line after the command name. */
gboolean sw_cli_parse (const char *cmd, const char *params, const char *summary,
                       const GOptionEntry *entries, int *argc, char ***argv);
/* prints "stepwise-cli CMD: message" and returns exit status 1 */
int      sw_cli_fail (const char *cmd, const GError *error);
int      sw_cli_failf (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* A model file with the configuration it was trained with and its class names
 * (NULL-terminated; empty for a model without classes). */
typedef struct {
  SwUnet   *net;
  SwModelConfig config;
  char    **class_names;
  gboolean  words;   /* the class vector is a bag of words (prompt-encoder.h) */
  int       epoch;
} SwCliModel;

gboolean sw_cli_model_load (const char *path, SwCliModel *model, GError **error);
void     sw_cli_model_clear (SwCliModel *model);

/* The shipped model NAME.safetensors (e.g. classifier-digits): in
 * $STEPWISE_MODEL_DIR if set, else the installed models folder if it has
 * it, else the source tree's resources/models. */
char    *sw_cli_shipped_model_file (const char *name);
/* the same for KIND-DATASET.safetensors */
char    *sw_cli_shipped_model_path (const char *kind, const char *dataset);

/* "0,0.2,0.5" -> noise levels in [0, 10], 1 to 16 of them */
gboolean sw_cli_parse_sigmas (const char *text, GArray **out, GError **error);
/* The write-up's denoiser figures: COUNT held-out images noised at each
 * sigma, rows noisy / denoised; and 8 outputs for pure noise beside the
 * mean training image (DISTANCE: their mean absolute difference). */
gboolean sw_cli_denoise_figure (SwUnet *net, const SwModelConfig *config, int epoch,
                                const SwDataset *test, int count, GArray *sigmas,
                                uint64_t seed, const char *path, GError **error);
gboolean sw_cli_pure_noise_figure (SwUnet *net, const SwModelConfig *config, int epoch,
                                   const SwDataset *train, uint64_t seed, const char *path,
                                   double *distance, GError **error);

/* "1,5,10" -> sorted unique positive ints; error names the bad item */
gboolean sw_cli_parse_int_list (const char *text, const char *what, GArray **out, GError **error);

/* a one-line progress bar with ETA when stderr is a terminal */
typedef struct {
  gboolean tty;
  gint64   start;
  char     label[64];
} SwProgress;

void sw_progress_init (SwProgress *p, const char *label);
void sw_progress_update (SwProgress *p, double done, double total, const char *extra);
void sw_progress_end (SwProgress *p);
/* a progress bar over a sampler's steps, for N images (sampler.h's
 * SwSampleStep) */
typedef struct {
  SwProgress progress;
  int        total;
} SwSampleProgress;

gboolean sw_sample_progress_step (int step, int steps, int first, int n, const float *x,
                                  const float *estimate, gpointer user_data);
/* a progress bar (SwProgress) over a grid's sampling (sample-grid.h's
 * SwGridProgress) */
gboolean sw_cli_grid_progress (double done, double total, gpointer progress);
