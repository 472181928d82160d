/* stepwise-trajectory.c: a reference-counted array of frames.  Only the
 * main loop touches it: the job runner hands frames over there. */
#include "stepwise-trajectory.h"

#include "data/sr-pairs.h"

typedef struct {
  int     stage, index, steps, t, size;
  GBytes *x_t, *x0;
} Frame;

struct _StepwiseTrajectory
{
  gatomicrefcount ref;
  int             max_frames, stages, channels, height, width;
  GArray         *frames;   /* Frame, each at the side it was made at */
  /* the last smaller frame asked for, upsampled: a cascade's stage I
   * frames stay at 16 px (3 KB, not 48 KB, each), as the history keeps
   * every result's trajectory */
  int             up_k;     /* its index, -1: none */
  GBytes         *up_x_t, *up_x0;
};

G_DEFINE_BOXED_TYPE (StepwiseTrajectory, stepwise_trajectory, stepwise_trajectory_ref, stepwise_trajectory_unref)

static void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->x_t, g_bytes_unref);
  g_clear_pointer (&f->x0, g_bytes_unref);
}

StepwiseTrajectory *
stepwise_trajectory_new (int n_frames, int stages, int channels, int height, int width)
{
  StepwiseTrajectory *self = g_new0 (StepwiseTrajectory, 1);
  g_atomic_ref_count_init (&self->ref);
  self->max_frames = MAX (n_frames, 1);
  self->stages = CLAMP (stages, 1, 2);
  self->channels = channels;
  self->height = height;
  self->width = width;
  self->up_k = -1;
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
  g_clear_pointer (&self->up_x_t, g_bytes_unref);
  g_clear_pointer (&self->up_x0, g_bytes_unref);
  g_free (self);
}

/* IMAGE (C, SIZE, SIZE) at the trajectory's side, each pixel a block */
static GBytes *
at_side (StepwiseTrajectory *self, int size, GBytes *image)
{
  const int factor = self->height / size;
  const size_t n = (size_t) self->channels * self->height * self->width;
  float *up = g_new (float, n);
  sw_sr_upsample ((size_t) self->channels, size, factor, g_bytes_get_data (image, NULL), up);
  return g_bytes_new_take (up, sizeof (float) * n);
}

void
stepwise_trajectory_add (StepwiseTrajectory *self, int stage, int index, int steps, int t, int size,
                         GBytes *x_t, GBytes *x0)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (size > 0 && self->height % size == 0 && self->height == self->width);
  g_return_if_fail (g_bytes_get_size (x_t) == sizeof (float) * self->channels * size * size);
  Frame f = { stage, index, steps, t, size, g_bytes_ref (x_t), g_bytes_ref (x0) };
  g_array_append_val (self->frames, f);
}

guint
stepwise_trajectory_get_n_frames (StepwiseTrajectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->frames->len;
}

int
stepwise_trajectory_get_max_frames (StepwiseTrajectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_frames;
}

int
stepwise_trajectory_get_stages (StepwiseTrajectory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->stages;
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
  GBytes *frame_x_t = f->x_t, *frame_x0 = f->x0;
  if (f->size != self->height && (x_t || x0))
    {
      if (self->up_k != (int) k)
        {
          g_clear_pointer (&self->up_x_t, g_bytes_unref);
          g_clear_pointer (&self->up_x0, g_bytes_unref);
          self->up_x_t = at_side (self, f->size, f->x_t);
          self->up_x0 = at_side (self, f->size, f->x0);
          self->up_k = (int) k;
        }
      frame_x_t = self->up_x_t;
      frame_x0 = self->up_x0;
    }
  if (x_t)
    *x_t = frame_x_t;
  if (x0)
    *x0 = frame_x0;
  return TRUE;
}

gboolean
stepwise_trajectory_get_frame_stage (StepwiseTrajectory *self, guint k, int *stage, int *steps, int *size)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (k >= self->frames->len)
    return FALSE;
  const Frame *f = &g_array_index (self->frames, Frame, k);
  if (stage)
    *stage = f->stage;
  if (steps)
    *steps = f->steps;
  if (size)
    *size = f->size;
  return TRUE;
}
