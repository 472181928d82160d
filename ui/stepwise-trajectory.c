/* stepwise-trajectory.c: a reference-counted array of frames.  Only the
 * main loop touches it: the job runner hands frames over there. */
#include "stepwise-trajectory.h"

typedef struct {
  int     index, t;
  GBytes *x_t, *x0;
} Frame;

struct _StepwiseTrajectory
{
  gatomicrefcount ref;
  int             steps, channels, height, width;
  GArray         *frames;   /* Frame */
};

G_DEFINE_BOXED_TYPE (StepwiseTrajectory, stepwise_trajectory, stepwise_trajectory_ref, stepwise_trajectory_unref)

static void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->x_t, g_bytes_unref);
  g_clear_pointer (&f->x0, g_bytes_unref);
}

StepwiseTrajectory *
stepwise_trajectory_new (int steps, int channels, int height, int width)
{
  StepwiseTrajectory *self = g_new0 (StepwiseTrajectory, 1);
  g_atomic_ref_count_init (&self->ref);
  self->steps = MAX (steps, 1);
  self->channels = channels;
  self->height = height;
  self->width = width;
  self->frames = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (self->frames, (GDestroyNotify) frame_clear);
  return self;
}

StepwiseTrajectory *
stepwise_trajectory_ref (StepwiseTrajectory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
stepwise_trajectory_unref (StepwiseTrajectory *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->frames);
  g_free (self);
}

void
stepwise_trajectory_add (StepwiseTrajectory *self, int index, int t, GBytes *x_t, GBytes *x0)
{
  g_return_if_fail (self != NULL);
  Frame f = { index, t, g_bytes_ref (x_t), g_bytes_ref (x0) };
  g_array_append_val (self->frames, f);
}

guint
stepwise_trajectory_get_n_frames (StepwiseTrajectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->frames->len;
}

int
stepwise_trajectory_get_steps (StepwiseTrajectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->steps;
}

void
stepwise_trajectory_get_geometry (StepwiseTrajectory *self, int *channels, int *height, int *width)
{
  g_return_if_fail (self != NULL);
  *channels = self->channels;
  *height = self->height;
  *width = self->width;
}

gboolean
stepwise_trajectory_get_frame (StepwiseTrajectory *self, guint k, int *index, int *t, GBytes **x_t, GBytes **x0)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (k >= self->frames->len)
    return FALSE;
  const Frame *f = &g_array_index (self->frames, Frame, k);
  if (index)
    *index = f->index;
  if (t)
    *t = f->t;
  if (x_t)
    *x_t = f->x_t;
  if (x0)
    *x0 = f->x0;
  return TRUE;
}
