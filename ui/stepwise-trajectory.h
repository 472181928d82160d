/* stepwise-trajectory.h: the frames of one job — for each its stage, step
 * index, step count, timestep, noisy x_t and predicted x0 — at the job's
 * output geometry.  A cascade's stage I frames (16 px) are kept at the
 * side they had and given out nearest-upsampled to its output's side
 * (64 px), each pixel a square block as the window draws it.  The scrubber
 * shows one; each result keeps its own, so the scrubber can show a
 * result's steps again (issue 23). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_TRAJECTORY (stepwise_trajectory_get_type ())
typedef struct _StepwiseTrajectory StepwiseTrajectory;

GType               stepwise_trajectory_get_type     (void) G_GNUC_CONST;
/* a job of N_FRAMES frames at most (each stage's updates from its first,
 * and its result) over STAGES stages (1, or 2 for a cascade) giving
 * (C, H, W) images */
StepwiseTrajectory *stepwise_trajectory_new          (int n_frames, int stages, int channels, int height,
                                                      int width);
StepwiseTrajectory *stepwise_trajectory_ref          (StepwiseTrajectory *self);
void                stepwise_trajectory_unref        (StepwiseTrajectory *self);
/* the frame of STAGE before update INDEX of its STEPS at timestep T (INDEX
 * = STEPS: the stage's result); X_T and X0 are (C, SIZE, SIZE) floats,
 * SIZE the trajectory's side or a divisor of it; both are referenced */
void                stepwise_trajectory_add          (StepwiseTrajectory *self, int stage, int index,
                                                      int steps, int t, int size, GBytes *x_t, GBytes *x0);
guint               stepwise_trajectory_get_n_frames (StepwiseTrajectory *self);
/* the frames the job makes when it runs to its end */
int                 stepwise_trajectory_get_max_frames (StepwiseTrajectory *self);
int                 stepwise_trajectory_get_stages   (StepwiseTrajectory *self);
void                stepwise_trajectory_get_geometry (StepwiseTrajectory *self, int *channels, int *height,
                                                      int *width);
/* frame K (0-based, in arrival order): FALSE when there is none; X_T and
 * X0 at the trajectory's geometry, not referenced: a smaller frame's
 * upsampled copies last until another smaller frame is asked for */
gboolean            stepwise_trajectory_get_frame    (StepwiseTrajectory *self, guint k, int *index, int *t,
                                                      GBytes **x_t, GBytes **x0);
/* frame K's stage, its stage's step count and the side it was made at */
gboolean            stepwise_trajectory_get_frame_stage (StepwiseTrajectory *self, guint k, int *stage,
                                                         int *steps, int *size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StepwiseTrajectory, stepwise_trajectory_unref)

G_END_DECLS
