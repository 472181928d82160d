/* stepwise-scrubber.h: a trajectory — the running job's or a result's —
 * as a slider with a mark per step that fills as frames arrive (a
 * cascade's stage I, then stage II, its label saying which), a toggle
 * between the noisy x_t and the predicted x0, and play/pause.  Without a
 * trajectory (a result from a file or an earlier run) it says so and is
 * insensitive. */
#pragma once

#include <gtk/gtk.h>

#include "stepwise-trajectory.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_SCRUBBER (stepwise_scrubber_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseScrubber, stepwise_scrubber, STEPWISE, SCRUBBER, GtkWidget)

GtkWidget *stepwise_scrubber_new          (void);
/* shows TRAJECTORY (referenced) at its last frame, or none (NULL) */
void       stepwise_scrubber_set_trajectory (StepwiseScrubber *self, StepwiseTrajectory *trajectory);
StepwiseTrajectory *stepwise_scrubber_get_trajectory (StepwiseScrubber *self);
/* adds a frame of the job (see StepwiseJobRunner::frame and
 * stepwise_trajectory_add) to the trajectory shown; while the slider is
 * at the newest frame it follows the new one */
void       stepwise_scrubber_add_frame    (StepwiseScrubber *self, int stage, int index, int steps, int t,
                                           int size, GBytes *x_t, GBytes *x0);
guint      stepwise_scrubber_get_n_frames (StepwiseScrubber *self);
/* frame K (0-based among the frames): its step index, timestep, x_t and
 * predicted x0 (not referenced); FALSE when there is no frame K */
gboolean   stepwise_scrubber_get_frame    (StepwiseScrubber *self, guint k, int *index, int *t,
                                           GBytes **x_t, GBytes **x0);
/* the frame shown (0-based among the frames), -1 when none */
int        stepwise_scrubber_get_position (StepwiseScrubber *self);
void       stepwise_scrubber_set_position (StepwiseScrubber *self, int position);
/* the image of the frame shown (x_t or x0 as chosen), or NULL */
GBytes    *stepwise_scrubber_get_image    (StepwiseScrubber *self);
gboolean   stepwise_scrubber_get_show_x0  (StepwiseScrubber *self);
void       stepwise_scrubber_set_show_x0  (StepwiseScrubber *self, gboolean show_x0);
gboolean   stepwise_scrubber_get_playing  (StepwiseScrubber *self);
void       stepwise_scrubber_set_playing  (StepwiseScrubber *self, gboolean playing);

G_END_DECLS
