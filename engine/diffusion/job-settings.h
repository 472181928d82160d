/* job-settings.h: the settings that make a generation job's image again —
 * mode, model, prompts, seed, steps, guidance, i_start — and the text
 * pairs a PNG carries them in (io/png.h).  The window and stepwise-cli
 * write the same keys, the window reads them back, and the keys are the
 * ones the window has always written, so every saved picture still opens. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "diffusion/job.h"

G_BEGIN_DECLS

#define SW_JOB_KEY_SOFTWARE "Software"
#define SW_JOB_KEY_MODEL    "stepwise.model"      /* the model's file name */
#define SW_JOB_KEY_MODE     "stepwise.mode"       /* sw_job_mode_names () */
#define SW_JOB_KEY_PROMPT   "stepwise.prompt"
#define SW_JOB_KEY_PROMPT2  "stepwise.prompt2"    /* anagram and hybrid */
#define SW_JOB_KEY_VIEW     "stepwise.view"       /* the anagram's: sw_view_names () */
#define SW_JOB_KEY_SEED     "stepwise.seed"
#define SW_JOB_KEY_STEPS    "stepwise.steps"
#define SW_JOB_KEY_GUIDANCE "stepwise.guidance"
#define SW_JOB_KEY_I_START  "stepwise.i_start"
#define SW_JOB_KEY_CHANNELS "stepwise.channels"
#define SW_JOB_KEY_CREATED  "stepwise.created"    /* ISO 8601 */
#define SW_JOB_KEY_SCALE    "stepwise.scale"      /* a saved image's pixels per model pixel, when over 1 */
/* the cascade's stage II (cascade.h), only for an image it made */
#define SW_JOB_KEY_SR_MODEL    "stepwise.sr-model"     /* its file name */
#define SW_JOB_KEY_SR_STEPS    "stepwise.sr-steps"
#define SW_JOB_KEY_SR_GUIDANCE "stepwise.sr-guidance"
#define SW_JOB_KEY_SR_NOISE    "stepwise.sr-noise"     /* the level s of stage I's image */
#define SW_JOB_KEY_SR_FROM     "stepwise.sr-from"      /* the timestep stage II starts from */

/* what the job does with its inputs, as the window's mode chooser names it */
typedef enum {
  SW_JOB_MODE_GENERATE,
  SW_JOB_MODE_SDEDIT,
  SW_JOB_MODE_INPAINT,
  SW_JOB_MODE_ANAGRAM,
  SW_JOB_MODE_HYBRID,
  SW_JOB_MODE_DENOISE_LAB,
} SwJobMode;

/* The strings are borrowed: from the caller, or from the table that
 * sw_job_settings_from_text read them from. */
typedef struct {
  SwJobMode   mode;
  const char *model;      /* the model's file (the text keeps its base name), or NULL */
  const char *prompt;     /* NULL = the empty prompt */
  const char *prompt2;    /* anagram and hybrid */
  SwView      view;       /* anagram */
  uint64_t    seed;
  int         steps;
  float       guidance;
  int         i_start;
  int         channels;   /* of the model's images, 1 or 3 */
  /* the cascade's stage II: its file (NULL: the image is stage I's), steps,
   * guidance, the noise level of stage I's image and the timestep stage II
   * starts from */
  const char *sr_model;
  int         sr_steps;
  float       sr_guidance;
  int         sr_level;
  int         sr_from;
} SwJobSettings;

/* the names in the text, in enum order, NULL-terminated */
const char * const *sw_job_mode_names (void);
const char * const *sw_view_names     (void);

/* MODE's settings from JOB (seed, steps, guidance, i_start, view), for a
 * model of CHANNELS channels in the file MODEL_PATH (may be NULL); the
 * prompts are NULL. */
void        sw_job_settings_init      (SwJobSettings *settings, SwJobMode mode, const SwJob *job,
                                       const char *model_path, int channels);
/* the pairs to store (key -> newly allocated value): every setting, the
 * second prompt only for anagram and hybrid, the view only for anagram,
 * stage II's only with sr_model, SOFTWARE, and CREATED when not NULL (without it the same settings give
 * the same bytes) */
GHashTable *sw_job_settings_to_text   (const SwJobSettings *settings, const char *software,
                                       GDateTime *created);
/* Reads the keys TEXT holds into SETTINGS and leaves the fields of the
 * others as they were; TEXT must name a mode.  A value that is not valid
 * (an unknown mode, steps that are not a number from 1 to 999...) is an
 * SW_ERROR_FORMAT naming its key, and SETTINGS is left as it was. */
gboolean    sw_job_settings_from_text (GHashTable *text, SwJobSettings *settings, GError **error);

G_END_DECLS
