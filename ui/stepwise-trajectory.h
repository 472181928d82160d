/* stepwise-trajectory.h: the frames of one job — for each step its index,
 * timestep, noisy x_t and predicted x0 — at the job's image geometry.
 * The scrubber shows one; each result keeps its own, so the scrubber can
 * show a result's steps again (issue 23). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_TRAJECTORY (stepwise_trajectory_get_type ())
typedef struct _StepwiseTrajectory StepwiseTrajectory;

GType               stepwise_trajectory_get_type     (void) G_GNUC_CONST;
/* a job of STEPS updates (STEPS + 1 frames at most) on (C, H, W) images */
StepwiseTrajectory *stepwise_trajectory_new          (int steps, int channels, int height, int width);
StepwiseTrajectory *stepwise_trajectory_ref          (StepwiseTrajectory *self);
void                stepwise_trajectory_unref        (StepwiseTrajectory *self);
/* X_T and X0 (referenced) are (C, H, W) floats */
void                stepwise_trajectory_add          (StepwiseTrajectory *self, int index, int t,
                                                      GBytes *x_t, GBytes *x0);
guint               stepwise_trajectory_get_n_frames (StepwiseTrajectory *self);
int                 stepwise_trajectory_get_steps    (StepwiseTrajectory *self);
void                stepwise_trajectory_get_geometry (StepwiseTrajectory *self, int *channels, int *height,
                                                      int *width);
/* frame K (0-based, in arrival order): FALSE when there is none; the
 * bytes are not referenced */
gboolean            stepwise_trajectory_get_frame    (StepwiseTrajectory *self, guint k, int *index, int *t,
                                                      GBytes **x_t, GBytes **x0);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StepwiseTrajectory, stepwise_trajectory_unref)

G_END_DECLS
