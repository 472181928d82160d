/* stepwise-job-runner.h: runs engine generation jobs (sw_cascade_run:
 * a model alone, or a cascade's two stages as one job) on a worker
 * thread and reports on the main loop.
 *
 * Each step's x_t and predicted x0 of image 0 are copied on the worker and
 * arrive, in order, as the "frame" signal; then "finished" comes once with
 * the result or the error (SW_ERROR_CANCELLED when cancelled; no frame
 * comes after stepwise_job_runner_cancel).  Frames are handled for a few
 * milliseconds per main-loop iteration, so a fast engine never stalls the
 * interface: the display catches up instead.  Starting a
 * job while one runs cancels the old one: its frames and its end are
 * dropped, and the new job waits (at most one step) for the model. */
#pragma once

#include <gio/gio.h>

#include "diffusion/cascade.h"
#include "stepwise-model.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_JOB_RUNNER (stepwise_job_runner_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseJobRunner, stepwise_job_runner, STEPWISE, JOB_RUNNER, GObject)

StepwiseJobRunner *stepwise_job_runner_new         (void);
/* Runs JOB (copied; its cond and cond2 must be stage I's cond_dim
 * floats, sr_cond stage II's, its image (C, H, W) and mask (H, W) of the
 * output's size, sw_cascade_output: all copied too) on MODEL's cascade.
 * Returns TRUE when it cancelled a job that was running. */
gboolean           stepwise_job_runner_start       (StepwiseJobRunner *self, StepwiseModel *model,
                                                    const SwCascadeJob *job);
/* asks the running job to stop; "finished" follows within one step */
void               stepwise_job_runner_cancel      (StepwiseJobRunner *self);
gboolean           stepwise_job_runner_get_running (StepwiseJobRunner *self);
/* frames the running (else the last) job's worker produced: how far the
 * engine got, which may be ahead of the frames delivered */
int                stepwise_job_runner_get_steps_done (StepwiseJobRunner *self);

G_END_DECLS
