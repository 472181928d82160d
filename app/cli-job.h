/* cli-job.h: what the Part A commands (generate, sdedit, inpaint, ...)
 * share: the model option (default: the shipped ddpm-prompt model), the
 * job options every command takes, reading input images and masks, and
 * writing [-1, 1] images as labelled PNG rows. */
#pragma once

#include <glib.h>

#include "cli-common.h"
#include "models/eps-model.h"
#include "diffusion/job.h"

typedef struct {
  char    *model;      /* --model, NULL = the shipped default */
  gint64   seed;
  int      steps;
  double   guidance;
  int      count;
  char    *variance;   /* auto, posterior, none */
  gboolean no_clip;
  char    *out;
} SwCliJobOptions;

/* the shared entries, appended after EXTRA's (both end with { NULL });
 * free the result with g_free.  COUNT_DEFAULT is shown in --help. */
GOptionEntry *sw_cli_job_entries (SwCliJobOptions *o, const GOptionEntry *extra,
                                  int count_default);
/* loads the model and fills JOB from the options, checking every range */
gboolean      sw_cli_job_setup (SwCliJobOptions *o, SwEpsModel **model, SwJob *job,
                                GError **error);
void          sw_cli_job_options_clear (SwCliJobOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SwCliJobOptions, sw_cli_job_options_clear)
char         *sw_cli_default_model_path (void);

/* an image file as the model's input: centre-cropped, resized, converted;
 * (C, H, W) in [-1, 1] */
float        *sw_cli_read_image (SwEpsModel *m, const char *path, GError **error);
/* a mask file thresholded to 0/1 at the model's size; warns on stderr
 * when it had to be resized */
float        *sw_cli_read_mask (const char *cmd, SwEpsModel *m, const char *path, GError **error);

/* ROWS x COLS images (C, H, W) in [-1, 1] as a labelled table PNG, each
 * pixel drawn 4x4 */
gboolean      sw_cli_write_table (const char *path, SwEpsModel *m, const float *images,
                                  int rows, int cols, const char * const *row_labels,
                                  const char * const *col_labels, const char *title,
                                  GError **error);

/* a progress bar over a job's steps (SwJobStep) */
typedef struct {
  SwProgress *progress;
  int         total_steps;   /* of all images together */
  int         done;
} SwCliJobProgress;
gboolean      sw_cli_job_progress (const SwJobFrame *frame, gpointer user_data);

/* the prompt's conditioning vector (cond_dim floats), or NULL with an error */
float        *sw_cli_encode (SwEpsModel *m, const char *prompt, GError **error);

/* runs JOB with a progress bar into OUT (count, C, H, W) */
gboolean      sw_cli_run_job (SwEpsModel *m, const SwJob *job, float *out, GError **error);
/* "a sneaker" -> "“a sneaker”", "" -> "no prompt" */
char         *sw_cli_prompt_label (const char *prompt);
/* a job command's ending: prints PATH, or fails with ERROR (may be NULL);
 * frees the model M; returns the exit status */
int           sw_cli_job_finish (const char *cmd, SwEpsModel *m, const GError *error,
                                 const char *path);
