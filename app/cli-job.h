/* cli-job.h: what the Part A commands (generate, sdedit, inpaint, ...)
 * share: the model option (default: SW_CLI_DEFAULT_MODEL), the
 * job options every command takes, reading input images and masks, and
 * writing [-1, 1] images as labelled PNG rows or, with --plain, the first
 * image alone; either PNG carries the job's settings
 * (diffusion/job-settings.h), and the plain one opens in the window. */
#pragma once

#include <glib.h>

#include "cli-common.h"
#include "models/eps-model.h"
#include "diffusion/cascade.h"
#include "diffusion/job.h"
#include "diffusion/job-settings.h"

/* The shipped model the Part A commands and figures run without --model:
 * the one place that names it (the window's is DEFAULT_MODEL in
 * ui/stepwise-window-models.c) */
#define SW_CLI_DEFAULT_MODEL "emoji-stage1"
/* --model's help, naming it */
#define SW_CLI_MODEL_HELP "Model file (default: the shipped " SW_CLI_DEFAULT_MODEL ")"
/* the cascade's stage II the commands take without --model or --sr, when
 * it is shipped beside SW_CLI_DEFAULT_MODEL */
#define SW_CLI_DEFAULT_SR_MODEL "emoji-stage2"
/* --model's and --sr's help in the commands that run the cascade */
#define SW_CLI_CASCADE_MODEL_HELP \
  "Model file, or the cascade's stage I when --sr gives its stage II (default: the shipped " \
  SW_CLI_DEFAULT_MODEL ")"
#define SW_CLI_SR_HELP \
  "Stage II of the cascade: a super-resolution model file that makes the stage I images " \
  "bigger (default without --model: the shipped " SW_CLI_DEFAULT_SR_MODEL ", where there is one)"

/* Stage II's options, --sr-steps, --sr-guidance, --sr-noise and
 * --sr-from: the same in the job commands and eval-prompts */
typedef struct {
  int    steps;     /* 0 unless given */
  double guidance;  /* -1 unless given */
  int    noise;     /* -1 unless given */
  int    from;      /* -1 unless given */
} SwCliSrOptions;
#define SW_CLI_SR_OPTIONS_UNSET ((SwCliSrOptions) { 0, -1.0, -1, -1 })
#define SW_CLI_SR_N_ENTRIES 4
/* the four entries into OUT, after setting O unset */
void     sw_cli_sr_entries (SwCliSrOptions *o, GOptionEntry out[SW_CLI_SR_N_ENTRIES]);
/* an error naming the four when any was given (they set a stage II that
 * does not run); HOW says what to do instead */
gboolean sw_cli_sr_options_unused (const SwCliSrOptions *o, const char *how, GError **error);
/* the given ones into JOB, then the job's ranges checked against C */
gboolean sw_cli_sr_options_apply (const SwCliSrOptions *o, const SwCascade *c, SwCascadeJob *job,
                                  GError **error);

/* so that --plain can make one image where a command makes several */
#define SW_CLI_JOB_COUNT_UNSET G_MININT

typedef struct {
  char    *model;      /* --model; after sw_cli_job_setup, the file loaded */
  gint64   seed;
  int      steps;
  double   guidance;
  int      count;      /* --count, SW_CLI_JOB_COUNT_UNSET when not given */
  int      count_default;
  char    *variance;   /* auto, posterior, none */
  gboolean no_clip;
  gboolean plain;      /* --plain: the first image alone, at the model's size */
  char    *out;
  /* set before sw_cli_job_entries by the commands that run the cascade
   * (sw_cli_cascade_setup), which take these options too */
  gboolean cascade;
  char    *sr;         /* --sr: stage II's file; after setup, the file loaded or NULL */
  int      stage;      /* --stage: 1 stops after stage I; 0 as far as the models go */
  SwCliSrOptions stage2;
} SwCliJobOptions;

/* the shared entries, appended after EXTRA's (both end with { NULL });
 * free the result with g_free.  COUNT_DEFAULT is shown in --help. */
GOptionEntry *sw_cli_job_entries (SwCliJobOptions *o, const GOptionEntry *extra,
                                  int count_default);
/* loads the model and fills JOB from the options, checking every range
 * (--plain makes one image unless --count says otherwise, and refuses
 * more) */
gboolean      sw_cli_job_setup (SwCliJobOptions *o, SwEpsModel **model, SwJob *job,
                                GError **error);
void          sw_cli_job_options_clear (SwCliJobOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SwCliJobOptions, sw_cli_job_options_clear)
/* sw_cli_job_setup for the cascade: stage I from --model (default
 * SW_CLI_DEFAULT_MODEL; a stage II file there is refused, pointing to
 * --sr), stage II from --sr (default SW_CLI_DEFAULT_SR_MODEL when shipped
 * and --model is not given) unless --stage 1, and JOB with the stage II
 * options, every range checked */
gboolean      sw_cli_cascade_setup (SwCliJobOptions *o, SwCascade **cascade, SwCascadeJob *job,
                                    GError **error);
/* PROMPT's vectors for JOB: *COND for stage I (job.cond) and, when stage
 * II reads prompts, *SR_COND (sr_cond), else NULL */
gboolean      sw_cli_cascade_encode (SwCascade *c, SwCascadeJob *job, const char *prompt,
                                     float **cond, float **sr_cond, GError **error);
/* the path of SW_CLI_DEFAULT_MODEL (sw_cli_shipped_model_file) */
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

/* the settings that make JOB's first image again, in MODE with the
 * prompts given (either may be NULL), as a PNG carries them: stage II's
 * too when it made the image */
GHashTable   *sw_cli_job_text (const SwCliJobOptions *o, const SwCascade *c, const SwCascadeJob *job,
                               SwJobMode mode, const char *prompt, const char *prompt2);
/* writes the job's PNG with its settings TEXT as text chunks: with
 * --plain the image FIRST alone, else the table of sw_cli_write_table */
gboolean      sw_cli_write_job (const SwCliJobOptions *o, const char *path, SwEpsModel *m,
                                const float *first, const float *images, int rows, int cols,
                                const char * const *row_labels, const char * const *col_labels,
                                const char *title, GHashTable *text, GError **error);

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
/* the same through the cascade, one progress bar over both stages; OUT at
 * the output's side (sw_cascade_output) */
gboolean      sw_cli_run_cascade (SwCascade *c, const SwCascadeJob *job, float *out, GError **error);
/* "a sneaker" -> "“a sneaker”", "" -> "no prompt" */
char         *sw_cli_prompt_label (const char *prompt);
/* a job command's ending: prints PATH, or fails with ERROR (may be NULL);
 * frees the model M; returns the exit status */
int           sw_cli_job_finish (const char *cmd, SwEpsModel *m, const GError *error,
                                 const char *path);
/* the same, freeing the cascade C */
int           sw_cli_cascade_finish (const char *cmd, SwCascade *c, const GError *error,
                                     const char *path);
