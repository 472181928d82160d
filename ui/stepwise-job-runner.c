/* stepwise-job-runner.c: one GTask per job, run by sw_cascade_run (a
 * model alone is a cascade without stage II).  The worker copies each frame
 * into a queue shared with the main loop and schedules one idle to drain
 * it; the task's own completion drains what is left before "finished", so
 * frames always come before the end.  A generation number tells a current
 * job from a superseded one. */
#include "stepwise-job-runner.h"

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The engine fills every core; the interface must still get its share.
 * The worker (and the OpenMP team it starts, which inherits this) runs
 * below the main thread's priority. */
#define WORKER_NICE 10

typedef struct {
  int     index, t, steps, stage;
  GBytes *x_t, *x0;
} Frame;

typedef struct {
  StepwiseJobRunner *runner;    /* strong: lives until the job ends */
  guint              generation;
  StepwiseModel     *model;
  SwCascadeJob       job;
  float             *cond, *cond2, *sr_cond;
  float             *image, *mask;
  GMainContext      *context;
  GMutex             lock;      /* guards frames, drain_pending */
  GQueue             frames;
  gboolean           drain_pending;
  int                steps_done;  /* atomic: frames the worker produced */
  gboolean           ended;       /* main loop: the worker returned */
  gboolean           reported;    /* main loop: finish() ran */
} JobData;

#define DRAIN_BUDGET_US 8000   /* of frame handling per main-loop iteration */

struct _StepwiseJobRunner
{
  GObject       parent_instance;
  guint         generation;   /* of the newest job */
  GCancellable *cancellable;  /* of the newest job while it runs */
  GTask        *task;         /* of the newest job while it runs */
  int           last_steps_done;
  gboolean      running;
};

G_DEFINE_FINAL_TYPE (StepwiseJobRunner, stepwise_job_runner, G_TYPE_OBJECT)

enum { PROP_0, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_FRAME, SIGNAL_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
frame_free (Frame *f)
{
  g_bytes_unref (f->x_t);
  g_bytes_unref (f->x0);
  g_free (f);
}

static void
job_data_free (JobData *d)
{
  g_queue_clear_full (&d->frames, (GDestroyNotify) frame_free);
  g_mutex_clear (&d->lock);
  g_main_context_unref (d->context);
  g_free (d->cond);
  g_free (d->cond2);
  g_free (d->sr_cond);
  g_free (d->image);
  g_free (d->mask);
  g_object_unref (d->model);
  g_object_unref (d->runner);
  g_free (d);
}

static void finish (GTask *task);

/* Main loop: emit the frames that arrived, unless the job was cancelled or
 * superseded, for at most DRAIN_BUDGET_US (the worker may be far ahead:
 * the rest waits for the next iteration); once the queue is empty and the
 * worker has ended, the end.  TRUE while frames remain. */
static gboolean
drain (GTask *task)
{
  JobData *d = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  const gint64 until = g_get_monotonic_time () + DRAIN_BUDGET_US;
  for (;;)
    {
      g_mutex_lock (&d->lock);
      Frame *f = g_queue_pop_head (&d->frames);
      if (!f)
        d->drain_pending = FALSE;
      g_mutex_unlock (&d->lock);
      if (!f)
        break;
      if (d->generation == d->runner->generation && !g_cancellable_is_cancelled (cancellable))
        g_signal_emit (d->runner, signals[SIGNAL_FRAME], 0, f->index, f->t, f->steps, f->stage, f->x_t, f->x0);
      frame_free (f);
      if (g_get_monotonic_time () >= until)
        return TRUE;
    }
  if (d->ended && !d->reported)
    finish (task);
  return FALSE;
}

static gboolean
drain_idle (gpointer data)
{
  return drain (G_TASK (data)) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
drain_done (gpointer data)
{
  /* the idle held a task reference so JobData outlives it */
  g_object_unref (G_TASK (data));
}

/* any thread; call with d->lock held after setting drain_pending */
static void
schedule_drain (GTask *task)
{
  JobData *d = g_task_get_task_data (task);
  GSource *idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT_IDLE);   /* after input and redraws */
  g_source_set_callback (idle, drain_idle, g_object_ref (task), drain_done);
  g_source_set_static_name (idle, "[stepwise] job frames");
  g_source_attach (idle, d->context);
  g_source_unref (idle);
}

/* worker: copy image 0 of the frame and hand it over */
static gboolean
on_step (const SwJobFrame *frame, gpointer user_data)
{
  GTask *task = user_data;
  JobData *d = g_task_get_task_data (task);
  if (g_task_return_error_if_cancelled (task))
    return FALSE;
  if (frame->first == 0)
    g_atomic_int_inc (&d->steps_done);
  if (frame->first == 0)
    {
      const size_t floats = (size_t) frame->channels * frame->height * frame->width;
      Frame *f = g_new0 (Frame, 1);
      f->index = frame->i;
      f->t = frame->t;
      f->steps = frame->steps;
      f->stage = frame->stage;
      f->x_t = g_bytes_new (frame->x_t, sizeof (float) * floats);
      f->x0 = g_bytes_new (frame->x0, sizeof (float) * floats);
      g_mutex_lock (&d->lock);
      g_queue_push_tail (&d->frames, f);
      if (!d->drain_pending)
        {
          d->drain_pending = TRUE;
          schedule_drain (task);
        }
      g_mutex_unlock (&d->lock);
    }
  return TRUE;
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JobData *d = task_data;
  SwEpsModel *out_model = sw_cascade_output (stepwise_model_get_cascade (d->model), &d->job);
#ifdef __linux__
  /* per thread on Linux; only ever lowered, which needs no privilege */
  const id_t tid = (id_t) gettid ();
  if (getpriority (PRIO_PROCESS, tid) < WORKER_NICE)
    setpriority (PRIO_PROCESS, tid, WORKER_NICE);
#endif
  GMutex *lock = stepwise_model_get_lock (d->model);
  g_mutex_lock (lock);   /* a superseded job ends within one step */
  if (g_task_return_error_if_cancelled (task))
    {
      g_mutex_unlock (lock);
      return;
    }
  GError *error = NULL;
  const size_t n = (size_t) d->job.job.count * out_model->channels * out_model->height * out_model->width;
  float *out = g_new (float, n);
  gboolean ok = sw_cascade_run (stepwise_model_get_cascade (d->model), &d->job, out, on_step, task,
                                cancellable, &error);
  g_mutex_unlock (lock);
  if (g_task_had_error (task))    /* on_step already returned "cancelled" */
    {
      g_clear_error (&error);
      g_free (out);
    }
  else if (ok)
    g_task_return_pointer (task, g_bytes_new_take (out, sizeof (float) * n),
                           (GDestroyNotify) g_bytes_unref);
  else
    {
      g_free (out);
      g_task_return_error (task, error);
    }
}

/* main loop: the job's end, after its last frame */
static void
finish (GTask *task)
{
  JobData *d = g_task_get_task_data (task);
  StepwiseJobRunner *self = d->runner;
  d->reported = TRUE;
  if (d->generation != self->generation)
    return;   /* superseded: the newer job reports */
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = g_task_propagate_pointer (task, &error);
  if (error && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      g_set_error_literal (&error, SW_ERROR, SW_ERROR_CANCELLED, "the job was cancelled");
    }
  self->last_steps_done = g_atomic_int_get (&d->steps_done);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->task);
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, out, error);
}

/* main loop: the worker has ended; frames may still wait in the queue */
static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = G_TASK (result);
  JobData *d = g_task_get_task_data (task);
  d->ended = TRUE;
  g_mutex_lock (&d->lock);
  const gboolean pending = d->drain_pending;
  g_mutex_unlock (&d->lock);
  if (!pending)
    finish (task);   /* else the drain finishes after the last frame */
}

gboolean
stepwise_job_runner_start (StepwiseJobRunner *self, StepwiseModel *model, const SwCascadeJob *job)
{
  g_return_val_if_fail (STEPWISE_IS_JOB_RUNNER (self), FALSE);
  g_return_val_if_fail (STEPWISE_IS_MODEL (model), FALSE);

  const gboolean cancelled_old = self->running;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;
  self->cancellable = g_cancellable_new ();
  self->last_steps_done = 0;

  SwCascade *cascade = stepwise_model_get_cascade (model);
  SwEpsModel *eps = cascade->stage1, *out = sw_cascade_output (cascade, job);
  JobData *d = g_new0 (JobData, 1);
  d->runner = g_object_ref (self);
  d->generation = self->generation;
  d->model = g_object_ref (model);
  d->job = *job;
  const SwJob *j = &job->job;
  const size_t rows = j->cond_per_image ? (size_t) j->count : 1;
  if (j->cond)
    d->cond = g_memdup2 (j->cond, sizeof (float) * eps->cond_dim * rows);
  if (j->cond2)
    d->cond2 = g_memdup2 (j->cond2, sizeof (float) * eps->cond_dim * rows);
  if (job->sr_cond && cascade->stage2)
    d->sr_cond = g_memdup2 (job->sr_cond, sizeof (float) * cascade->stage2->cond_dim * rows);
  d->job.job.cond = d->cond;
  d->job.job.cond2 = d->cond2;
  d->job.sr_cond = d->sr_cond;
  const size_t pixels = (size_t) out->height * out->width;
  if (j->image)
    d->image = g_memdup2 (j->image, sizeof (float) * out->channels * pixels);
  if (j->mask)
    d->mask = g_memdup2 (j->mask, sizeof (float) * pixels);
  d->job.job.image = d->image;
  d->job.job.mask = d->mask;
  d->context = g_main_context_ref_thread_default ();
  g_mutex_init (&d->lock);
  g_queue_init (&d->frames);

  g_autoptr (GTask) task = g_task_new (self, self->cancellable, job_done, NULL);
  g_task_set_source_tag (task, stepwise_job_runner_start);
  g_task_set_name (task, "[stepwise] generation job");
  g_task_set_task_data (task, d, (GDestroyNotify) job_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_set_object (&self->task, task);
  g_task_run_in_thread (task, job_thread);

  if (!self->running)
    {
      self->running = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  return cancelled_old;
}

void
stepwise_job_runner_cancel (StepwiseJobRunner *self)
{
  g_return_if_fail (STEPWISE_IS_JOB_RUNNER (self));
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

int
stepwise_job_runner_get_steps_done (StepwiseJobRunner *self)
{
  g_return_val_if_fail (STEPWISE_IS_JOB_RUNNER (self), 0);
  if (!self->task)
    return self->last_steps_done;
  JobData *d = g_task_get_task_data (self->task);
  return g_atomic_int_get (&d->steps_done);
}

gboolean
stepwise_job_runner_get_running (StepwiseJobRunner *self)
{
  g_return_val_if_fail (STEPWISE_IS_JOB_RUNNER (self), FALSE);
  return self->running;
}

static void
stepwise_job_runner_dispose (GObject *object)
{
  StepwiseJobRunner *self = STEPWISE_JOB_RUNNER (object);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->task);
  G_OBJECT_CLASS (stepwise_job_runner_parent_class)->dispose (object);
}

static void
stepwise_job_runner_get_property (GObject *object, guint prop_id, GValue *value,
                                  GParamSpec *pspec)
{
  StepwiseJobRunner *self = STEPWISE_JOB_RUNNER (object);
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_job_runner_class_init (StepwiseJobRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = stepwise_job_runner_dispose;
  object_class->get_property = stepwise_job_runner_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::frame (index, t, steps, stage, x_t, x0): image 0 before update
   * INDEX of STEPS at timestep T, and the model's x0 there; (C, H, W)
   * floats in [-1, 1] at the stage's geometry (STAGE 1, or 2 for a
   * cascade's stage II, whose frames come after stage I's).  Each
   * stage's last frame has index = steps, t = 0, x_t = x0 = its result. */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 6, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT, G_TYPE_BYTES,
                  G_TYPE_BYTES);
  /* ::finished (result, error): RESULT (count, C, H, W) or NULL with ERROR */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BYTES, G_TYPE_ERROR);
}

static void
stepwise_job_runner_init (StepwiseJobRunner *self)
{
}

StepwiseJobRunner *
stepwise_job_runner_new (void)
{
  return g_object_new (STEPWISE_TYPE_JOB_RUNNER, NULL);
}
