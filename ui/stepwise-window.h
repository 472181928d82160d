/* stepwise-window.h: the main window — input, result with its trajectory,
 * and the controls that build a generation job. */
#pragma once

#include <adwaita.h>

#include "diffusion/job-settings.h"
#include "stepwise-canvas.h"
#include "stepwise-history.h"
#include "stepwise-job-runner.h"
#include "stepwise-model.h"
#include "stepwise-prompt-suggestions.h"
#include "stepwise-scrubber.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_WINDOW (stepwise_window_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseWindow, stepwise_window, STEPWISE, WINDOW, AdwApplicationWindow)

/* The modes of the mode chooser, in its order: the engine's, whose names
 * a saved picture's settings hold */
typedef enum {
  STEPWISE_MODE_GENERATE = SW_JOB_MODE_GENERATE,
  STEPWISE_MODE_SDEDIT = SW_JOB_MODE_SDEDIT,
  STEPWISE_MODE_INPAINT = SW_JOB_MODE_INPAINT,
  STEPWISE_MODE_ANAGRAM = SW_JOB_MODE_ANAGRAM,
  STEPWISE_MODE_HYBRID = SW_JOB_MODE_HYBRID,
  STEPWISE_MODE_DENOISE_LAB = SW_JOB_MODE_DENOISE_LAB,
} StepwiseMode;

/* what win.save, win.export-strip and win.export-animation write */
typedef enum {
  STEPWISE_EXPORT_RESULT,      /* the result shown, with its settings */
  STEPWISE_EXPORT_STRIP,       /* the last trajectory: x_t and x0 rows */
  STEPWISE_EXPORT_ANIMATION,   /* the last trajectory as an animated PNG */
} StepwiseExport;

/* shows the models of MODEL_DIR (NULL: the shipped ones) */
StepwiseWindow    *stepwise_window_new            (GtkApplication *application, const char *model_dir);
/* loads the model file PATH on a worker, adds it to the chooser and selects it */
void               stepwise_window_open_model     (StepwiseWindow *self, const char *path);
/* the models the chooser lists (StepwiseModel), in its order */
GListModel        *stepwise_window_get_models     (StepwiseWindow *self);
/* the files of the model folder that the chooser does not list, as
 * "name: why the window cannot run it" (listed by an information
 * button beside the chooser's title); NULL-terminated, empty before the scan */
const char * const *stepwise_window_get_unlisted_models (StepwiseWindow *self);
/* the selected model; NULL while none is loaded (see notify::model) */
StepwiseModel     *stepwise_window_get_model      (StepwiseWindow *self);
void               stepwise_window_set_mode       (StepwiseWindow *self, StepwiseMode mode);
void               stepwise_window_set_prompt     (StepwiseWindow *self, const char *prompt);
/* the anagram's or hybrid's second prompt */
void               stepwise_window_set_prompt2    (StepwiseWindow *self, const char *prompt);
/* the seed of the next job (with New Seed Each Time off) */
void               stepwise_window_set_seed       (StepwiseWindow *self, guint64 seed);
/* SDEdit's and the denoising lab's first step, 0..steps-1 */
void               stepwise_window_set_i_start    (StepwiseWindow *self, int i_start);
/* the suggestions under the prompt entry */
StepwisePromptSuggestions *stepwise_window_get_prompt_suggestions (StepwiseWindow *self);
StepwiseScrubber  *stepwise_window_get_scrubber   (StepwiseWindow *self);
StepwiseCanvas    *stepwise_window_get_canvas     (StepwiseWindow *self);
StepwiseJobRunner *stepwise_window_get_runner     (StepwiseWindow *self);
/* the results of this and earlier runs (shared by every window) */
StepwiseHistory   *stepwise_window_get_history    (StepwiseWindow *self);
/* the Train page */
struct _StepwiseTrainPage *stepwise_window_get_train_page (StepwiseWindow *self);
/* shows page NAME: "create" or "train" */
void               stepwise_window_show_page      (StepwiseWindow *self, const char *name);
const char        *stepwise_window_get_page       (StepwiseWindow *self);
/* the strip of thumbnails under the scrubber */
struct _StepwiseHistoryStrip *stepwise_window_get_history_strip (StepwiseWindow *self);
/* the result in the result view (the last job's, or one from the
 * history or a file), or NULL */
StepwiseResult    *stepwise_window_get_shown_result (StepwiseWindow *self);
/* shows RESULT and puts its settings back into the controls */
void               stepwise_window_show_result    (StepwiseWindow *self, StepwiseResult *result);
/* the same for a PNG Stepwise saved (DATA), or an error; for a table of
 * images stepwise-cli wrote, only its first image's settings (a toast says
 * so) */
gboolean           stepwise_window_restore_png    (StepwiseWindow *self, const guint8 *data, gsize len,
                                                   const char *name, GError **error);
/* reads FILE on a worker, then as stepwise_window_restore_png (a toast on error) */
void               stepwise_window_open_result    (StepwiseWindow *self, GFile *file);
/* writes WHAT to PATH atomically, as the actions do after their dialog */
gboolean           stepwise_window_export         (StepwiseWindow *self, StepwiseExport what,
                                                   const char *path, GError **error);
/* renders the window as it is now into a PNG */
gboolean           stepwise_window_save_screenshot (StepwiseWindow *self, const char *path,
                                                    GError **error);

G_END_DECLS
