/* stepwise-canvas-history.c: undo and redo, and the layers as bytes.
 *
 * The layers serialize to one byte string (what the autosave file holds
 * too): an 8-byte magic, channels, size and scale as 32-bit integers in
 * the machine's order, the image floats, then the sketch (ARGB32) and the
 * mask (A8) rows without their stride padding.  Before each stroke the
 * whole string goes on the undo stack; undo swaps it back, so it restores
 * every byte, and strokes never need to be replayed. */
#include "stepwise-canvas-private.h"

#include <string.h>

#define MAGIC "SWCANV01"
#define HEADER (8 + 3 * 4)
#define MAX_UNDO 64

static gsize
layers_size (int channels, int size)
{
  const gsize hi = (gsize) size * STEPWISE_CANVAS_SCALE;
  return HEADER + sizeof (float) * channels * size * size + hi * hi * 4 + hi * hi;
}

GBytes *
_stepwise_canvas_serialize (StepwiseCanvas *self)
{
  g_return_val_if_fail (self->size > 0, NULL);
  const gsize total = layers_size (self->channels, self->size);
  guint8 *data = g_malloc (total), *p = data;
  const gint32 head[3] = { self->channels, self->size, STEPWISE_CANVAS_SCALE };
  memcpy (p, MAGIC, 8);
  memcpy (p + 8, head, sizeof head);
  p += HEADER;
  const gsize img = sizeof (float) * self->channels * self->size * self->size;
  memcpy (p, self->image, img);
  p += img;
  const int hi = self->size * STEPWISE_CANVAS_SCALE;
  cairo_surface_flush (self->sketch);
  cairo_surface_flush (self->mask);
  const guint8 *s = cairo_image_surface_get_data (self->sketch);
  const int ss = cairo_image_surface_get_stride (self->sketch);
  for (int y = 0; y < hi; y++, p += hi * 4)
    memcpy (p, s + (gsize) y * ss, (gsize) hi * 4);
  const guint8 *m = cairo_image_surface_get_data (self->mask);
  const int ms = cairo_image_surface_get_stride (self->mask);
  for (int y = 0; y < hi; y++, p += hi)
    memcpy (p, m + (gsize) y * ms, hi);
  g_assert ((gsize) (p - data) == total);
  return g_bytes_new_take (data, total);
}

/* FALSE (and nothing changed) when BYTES are not layers of this geometry */
gboolean
_stepwise_canvas_restore (StepwiseCanvas *self, GBytes *bytes)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  if (self->size <= 0 || len != layers_size (self->channels, self->size) || memcmp (p, MAGIC, 8) != 0)
    return FALSE;
  gint32 head[3];
  memcpy (head, p + 8, sizeof head);
  if (head[0] != self->channels || head[1] != self->size || head[2] != STEPWISE_CANVAS_SCALE)
    return FALSE;
  p += HEADER;
  const gsize img = sizeof (float) * self->channels * self->size * self->size;
  memcpy (self->image, p, img);
  p += img;
  const int hi = self->size * STEPWISE_CANVAS_SCALE;
  cairo_surface_flush (self->sketch);
  cairo_surface_flush (self->mask);
  guint8 *s = cairo_image_surface_get_data (self->sketch);
  const int ss = cairo_image_surface_get_stride (self->sketch);
  for (int y = 0; y < hi; y++, p += hi * 4)
    memcpy (s + (gsize) y * ss, p, (gsize) hi * 4);
  guint8 *m = cairo_image_surface_get_data (self->mask);
  const int ms = cairo_image_surface_get_stride (self->mask);
  for (int y = 0; y < hi; y++, p += hi)
    memcpy (m + (gsize) y * ms, p, hi);
  cairo_surface_mark_dirty (self->sketch);
  cairo_surface_mark_dirty (self->mask);
  return TRUE;
}

/* before a change: the layers as they are become the next undo */
void
_stepwise_canvas_push_undo (StepwiseCanvas *self)
{
  g_ptr_array_add (self->undo_stack, _stepwise_canvas_serialize (self));
  if (self->undo_stack->len > MAX_UNDO)
    g_ptr_array_remove_index (self->undo_stack, 0);
  g_ptr_array_set_size (self->redo_stack, 0);
}

void
_stepwise_canvas_history_clear (StepwiseCanvas *self)
{
  g_ptr_array_set_size (self->undo_stack, 0);
  g_ptr_array_set_size (self->redo_stack, 0);
}

static void
swap (StepwiseCanvas *self, GPtrArray *from, GPtrArray *to)
{
  if (from->len == 0 || self->stroking)
    return;
  g_autoptr (GBytes) state = g_ptr_array_steal_index (from, from->len - 1);
  g_ptr_array_add (to, _stepwise_canvas_serialize (self));
  if (!_stepwise_canvas_restore (self, state))
    g_warn_if_reached ();
  _stepwise_canvas_changed (self, TRUE);
}

gboolean
stepwise_canvas_can_undo (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), FALSE);
  return self->undo_stack->len > 0;
}

gboolean
stepwise_canvas_can_redo (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), FALSE);
  return self->redo_stack->len > 0;
}

void
stepwise_canvas_undo (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  swap (self, self->undo_stack, self->redo_stack);
}

void
stepwise_canvas_redo (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  swap (self, self->redo_stack, self->undo_stack);
}
