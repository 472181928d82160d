/* stepwise-window.h: the main window — input, result with its trajectory,
 * and the controls that build a generation job. */
#pragma once

#include <adwaita.h>

#include "stepwise-canvas.h"
#include "stepwise-job-runner.h"
#include "stepwise-model.h"
#include "stepwise-scrubber.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_WINDOW (stepwise_window_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseWindow, stepwise_window, STEPWISE, WINDOW, AdwApplicationWindow)

/* The modes of the mode chooser, in its order */
typedef enum {
  STEPWISE_MODE_GENERATE,
  STEPWISE_MODE_SDEDIT,
  STEPWISE_MODE_INPAINT,
  STEPWISE_MODE_ANAGRAM,
  STEPWISE_MODE_HYBRID,
  STEPWISE_MODE_DENOISE_LAB,
} StepwiseMode;

/* shows the models of MODEL_DIR (NULL: the shipped ones) */
StepwiseWindow    *stepwise_window_new            (GtkApplication *application, const char *model_dir);
/* loads the model file PATH on a worker, adds it to the chooser and selects it */
void               stepwise_window_open_model     (StepwiseWindow *self, const char *path);
/* the selected model; NULL while none is loaded (see notify::model) */
StepwiseModel     *stepwise_window_get_model      (StepwiseWindow *self);
void               stepwise_window_set_mode       (StepwiseWindow *self, StepwiseMode mode);
void               stepwise_window_set_prompt     (StepwiseWindow *self, const char *prompt);
/* the anagram's or hybrid's second prompt */
void               stepwise_window_set_prompt2    (StepwiseWindow *self, const char *prompt);
/* SDEdit's and the denoising lab's first step, 0..steps-1 */
void               stepwise_window_set_i_start    (StepwiseWindow *self, int i_start);
StepwiseScrubber  *stepwise_window_get_scrubber   (StepwiseWindow *self);
StepwiseCanvas    *stepwise_window_get_canvas     (StepwiseWindow *self);
StepwiseJobRunner *stepwise_window_get_runner     (StepwiseWindow *self);
/* renders the window as it is now into a PNG */
gboolean           stepwise_window_save_screenshot (StepwiseWindow *self, const char *path,
                                                    GError **error);

G_END_DECLS
