/* stepwise-window-private.h: what the files of StepwiseWindow share — the
 * instance struct and the internals each concern offers the others:
 * stepwise-window.c (class, actions, controls, views),
 * stepwise-window-models.c (the model list, scanning, loading),
 * stepwise-window-jobs.c (generate, cancel, frames, the i_start preview),
 * stepwise-window-results.c (show, export, open, drop, history). */
#pragma once

#include "stepwise-window.h"

#include "stepwise-history-strip.h"
#include "stepwise-image-view.h"
#include "stepwise-train-page.h"

G_BEGIN_DECLS

struct _StepwiseWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwViewSwitcherTitle *window_title;
  AdwViewStack        *view_stack;
  StepwiseTrainPage   *train_page;
  AdwToastOverlay     *toast_overlay;
  GtkStack            *input_stack;
  StepwiseImageView   *input_view;
  GtkLabel            *input_caption;
  StepwiseCanvas      *canvas;
  GtkWidget           *preview_box;
  StepwiseImageView   *noised_view;
  GtkLabel            *noised_label;
  GtkStack            *result_stack;
  StepwiseImageView   *result_view;
  StepwiseImageView   *lab_noisy;
  StepwiseImageView   *lab_blur;
  StepwiseImageView   *lab_onestep;
  StepwiseImageView   *lab_iterative;
  GtkLabel            *lab_noisy_label;
  AdwPreferencesGroup *second_prompt_group;
  AdwEntryRow         *prompt2_entry;
  AdwComboRow         *view_row;
  AdwPreferencesGroup *start_group;
  GtkLabel            *start_label;
  GtkAdjustment       *start_adjustment;
  AdwStatusPage       *empty_page;
  GtkProgressBar      *progress_bar;
  StepwiseScrubber    *scrubber;
  GtkMenuButton       *unlisted_button;
  GtkLabel            *unlisted_label;
  AdwComboRow         *model_row;
  AdwComboRow         *mode_row;
  GtkLabel            *mode_description;
  GtkEntry            *prompt_entry;
  GtkMenuButton       *prompt_menu_button;
  StepwisePromptSuggestions *prompt_suggestions;
  GtkSpinButton       *guidance_spin;
  GtkSpinButton       *steps_spin;
  AdwActionRow        *sr_steps_row;
  GtkSpinButton       *sr_steps_spin;
  AdwActionRow        *sr_from_row;
  GtkSpinButton       *sr_from_spin;
  GtkSpinButton       *seed_spin;
  GtkSpinButton       *batch_spin;
  StepwiseHistoryStrip *history_strip;

  GSettings           *settings;
  GListStore          *models;        /* StepwiseModel */
  GStrv                unlisted;      /* the folder's other files: "name: why" */
  StepwiseJobRunner   *runner;
  GCancellable        *cancellable;   /* model loading */
  char                *model_dir;
  GtkListBox          *prompt_list;

  int                  start_steps;   /* the step count i_start was set for, 0: none yet */

  /* the job being shown */
  StepwiseModel       *job_model;
  StepwiseMode         job_mode;
  GBytes              *last_result;   /* image 0 of the last finished job */
  gint64               job_start_us;
  int                  job_steps;     /* the updates of both stages */
  int                  job_done;      /* of them */
  int                  job_stage;     /* of the last frame, 0 before the first */
  int                  job_stage_first; /* its stage's first step index */
  int                  job_stage_base;  /* the updates before its stage */
  int                  batch_left;    /* jobs Generate still starts, seed + 1 each */
  int                  batch_count;   /* the jobs of this Generate */
  GHashTable          *job_meta;      /* the settings of the job shown */
  StepwiseTrajectory  *job_trajectory; /* the last job's frames, shown or not */

  /* results */
  StepwiseHistory     *history;
  StepwiseResult      *shown;         /* the result in the result view */
};

/* stepwise-window.c */
void         _stepwise_window_toast                   (StepwiseWindow *self, const char *text);
StepwiseMode _stepwise_window_get_mode                (StepwiseWindow *self);
gboolean     _stepwise_window_uses_canvas             (StepwiseMode mode);
gboolean     _stepwise_window_uses_start              (StepwiseMode mode);
void         _stepwise_window_update_actions          (StepwiseWindow *self);

/* stepwise-window-models.c */
void         _stepwise_window_models_init             (StepwiseWindow *self);
void         _stepwise_window_scan_models             (StepwiseWindow *self);
gboolean     _stepwise_window_select_model_named      (StepwiseWindow *self, const char *name,
                                                       const char *sr_name);
void         _stepwise_window_open_model_action       (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);

/* stepwise-window-jobs.c */
void         _stepwise_window_jobs_init               (StepwiseWindow *self);
void         _stepwise_window_update_preview          (StepwiseWindow *self);
void         _stepwise_window_generate_action         (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_cancel_action           (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_play_action             (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_show_x0_action          (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);

/* stepwise-window-results.c */
void         _stepwise_window_results_init            (StepwiseWindow *self);
void         _stepwise_window_save_action             (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_export_strip_action     (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_export_animation_action (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_open_result_action      (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);
void         _stepwise_window_use_result_action       (GSimpleAction *action, GVariant *param,
                                                       gpointer user_data);

G_END_DECLS
