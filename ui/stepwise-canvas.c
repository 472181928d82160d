/* stepwise-canvas.c: the canvas object — its layers, strokes, the
 * commands as actions, and the autosave.  Input is in canvas-input.c,
 * drawing in canvas-render.c, undo in canvas-history.c. */
#include "stepwise-canvas-private.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "data/sr-pairs.h"
#include "diffusion/gaussian-blur.h"
#include "io/image-io.h"

#define AUTOSAVE_DELAY_MS 400
#define FEATHER_KERNEL 5
#define FEATHER_SIGMA 1.0f

G_DEFINE_FINAL_TYPE (StepwiseCanvas, stepwise_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TOOL,
  PROP_BRUSH_SIZE,
  PROP_SHOW_GRID,
  PROP_SHOW_MASK,
  PROP_FEATHER,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_COLOR,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, SIGNAL_FILE_OPENED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const tool_names[] = { "brush", "eraser", "mask", "mask-erase" };

/* ---- autosave ---- */

/* Writes from any thread go through one lock and carry a sequence number,
 * so an older save that finishes late never replaces a newer one. */
static GMutex save_lock;
static guint64 save_seq_issued, save_seq_written;

typedef struct {
  char    *path;
  GBytes  *bytes;
  guint64  seq;
} SaveData;

static void
save_data_free (SaveData *d)
{
  g_free (d->path);
  g_bytes_unref (d->bytes);
  g_free (d);
}

static void
write_layers (SaveData *d)
{
  g_mutex_lock (&save_lock);
  if (d->seq > save_seq_written)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *dir = g_path_get_dirname (d->path);
      gsize len;
      const char *data = g_bytes_get_data (d->bytes, &len);
      /* a temporary file renamed over the old one: never half written */
      if (g_mkdir_with_parents (dir, 0700) != 0
          || !g_file_set_contents_full (d->path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        g_warning ("Could not autosave the canvas to %s: %s", d->path,
                   error ? error->message : g_strerror (errno));
      else
        save_seq_written = d->seq;
    }
  g_mutex_unlock (&save_lock);
}

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  write_layers (task_data);
  g_task_return_boolean (task, TRUE);
}

static SaveData *
save_data_new (StepwiseCanvas *self)
{
  SaveData *d = g_new0 (SaveData, 1);
  d->path = g_strdup (self->autosave_path);
  d->bytes = _stepwise_canvas_serialize (self);
  g_mutex_lock (&save_lock);
  d->seq = ++save_seq_issued;
  g_mutex_unlock (&save_lock);
  return d;
}

static gboolean
autosave_timeout (gpointer data)
{
  StepwiseCanvas *self = data;
  self->autosave_source = 0;
  if (self->stroking)
    {
      self->autosave_source = g_timeout_add (AUTOSAVE_DELAY_MS, autosave_timeout, self);
      return G_SOURCE_REMOVE;
    }
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, save_data_new (self), (GDestroyNotify) save_data_free);
  g_task_set_name (task, "[stepwise] canvas autosave");
  g_task_run_in_thread (task, save_thread);
  return G_SOURCE_REMOVE;
}

void
stepwise_canvas_save_now (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  if (!self->autosave_source || self->size <= 0)
    return;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  SaveData *d = save_data_new (self);
  write_layers (d);
  save_data_free (d);
}

const char *
stepwise_canvas_get_autosave_path (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  return self->autosave_path;
}

/* ---- layers ---- */

static void
update_history_actions (StepwiseCanvas *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  gtk_widget_action_set_enabled (w, "canvas.undo", stepwise_canvas_can_undo (self));
  gtk_widget_action_set_enabled (w, "canvas.redo", stepwise_canvas_can_redo (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

/* after any change of the layers: redraw, tell, and autosave soon */
void
_stepwise_canvas_changed (StepwiseCanvas *self, gboolean image_changed)
{
  if (image_changed)
    _stepwise_canvas_invalidate_image (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  update_history_actions (self);
  if (self->autosave_path)
    {
      g_clear_handle_id (&self->autosave_source, g_source_remove);
      self->autosave_source = g_timeout_add (AUTOSAVE_DELAY_MS, autosave_timeout, self);
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* the blank image's value: black where the model's pictures are drawn on
 * black (digits and clothes, grey), white where they are drawn on white
 * (the emoji, colour) */
static float
blank_value (StepwiseCanvas *self)
{
  return self->channels == 3 ? 1.0f : -1.0f;
}

static void
free_layers (StepwiseCanvas *self)
{
  g_clear_pointer (&self->image, g_free);
  g_clear_pointer (&self->sketch, cairo_surface_destroy);
  g_clear_pointer (&self->mask, cairo_surface_destroy);
  _stepwise_canvas_invalidate_image (self);
}

int
stepwise_canvas_grid_size (int channels, int size)
{
  if (channels == 3 && size <= STEPWISE_CANVAS_COLOUR_SIZE && STEPWISE_CANVAS_COLOUR_SIZE % size == 0)
    return STEPWISE_CANVAS_COLOUR_SIZE;
  return size;
}

void
stepwise_canvas_set_geometry (StepwiseCanvas *self, int channels, int size)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  g_return_if_fail (channels == 1 || channels == 3);
  g_return_if_fail (size >= 1 && size <= 256);
  if (channels == self->channels && size == self->model_size)
    return;
  const int grid = stepwise_canvas_grid_size (channels, size);
  self->model_size = size;
  stepwise_palette_set_monochrome (self->palette, channels == 1);
  if (channels == self->channels && grid == self->size)
    {
      /* another model on the same grid: the drawing stays, only what a
       * job is handed changes */
      gtk_widget_queue_draw (GTK_WIDGET (self->area));
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      return;
    }
  stepwise_canvas_save_now (self);   /* the old geometry keeps its drawing */
  free_layers (self);
  _stepwise_canvas_history_clear (self);
  self->channels = channels;
  self->size = size = grid;
  const size_t n = (size_t) channels * size * size;
  self->image = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    self->image[i] = blank_value (self);
  /* a brush the colour of the paper would draw nothing to be seen */
  const GdkRGBA paper = { channels == 3, channels == 3, channels == 3, 1 };
  if (gdk_rgba_equal (&self->color, &paper))
    stepwise_canvas_set_color (self, &(GdkRGBA) { 1 - paper.red, 1 - paper.green, 1 - paper.blue, 1 });
  const int hi = size * STEPWISE_CANVAS_SCALE;
  self->sketch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, hi, hi);
  self->mask = cairo_image_surface_create (CAIRO_FORMAT_A8, hi, hi);

  g_free (self->autosave_path);
  g_autofree char *name = g_strdup_printf ("layers-%dx%dx%d.bin", channels, size, size);
  self->autosave_path = g_build_filename (g_get_user_state_dir (), "stepwise", "canvas", name, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  if (g_file_get_contents (self->autosave_path, &contents, &len, NULL))
    {
      g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
      if (!_stepwise_canvas_restore (self, bytes))
        g_warning ("Ignoring the canvas autosave %s: not the layers of a %d×%d×%d canvas",
                   self->autosave_path, channels, size, size);
    }
  _stepwise_canvas_invalidate_image (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  update_history_actions (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

int
stepwise_canvas_get_channels (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), 0);
  return self->channels;
}

int
stepwise_canvas_get_size (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), 0);
  return self->size;
}

int
stepwise_canvas_get_model_size (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), 0);
  return self->model_size;
}

static void
clear_surface (cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);
  cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
set_image (StepwiseCanvas *self, GBytes *pixels, gboolean clear_sketch)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  g_return_if_fail (self->size > 0);
  const int G = self->size, S = self->model_size;
  const gsize n = sizeof (float) * self->channels * G * G;
  const gsize at_model = sizeof (float) * self->channels * S * S;
  g_return_if_fail (g_bytes_get_size (pixels) == n || g_bytes_get_size (pixels) == at_model);
  _stepwise_canvas_push_undo (self);
  if (g_bytes_get_size (pixels) == n)
    memcpy (self->image, g_bytes_get_data (pixels, NULL), n);
  else   /* each model pixel a block of the grid: it downsamples back exactly */
    sw_sr_upsample (self->channels, S, G / S, g_bytes_get_data (pixels, NULL), self->image);
  if (clear_sketch)
    clear_surface (self->sketch);
  _stepwise_canvas_changed (self, TRUE);
}

void
stepwise_canvas_set_image (StepwiseCanvas *self, GBytes *pixels)
{
  set_image (self, pixels, FALSE);
}

void
stepwise_canvas_replace_image (StepwiseCanvas *self, GBytes *pixels)
{
  set_image (self, pixels, TRUE);
}

gboolean
stepwise_canvas_load_image_data (StepwiseCanvas *self, const guint8 *data, gsize len,
                                 const char *name, GError **error)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), FALSE);
  if (self->size <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No model is loaded yet"));
      return FALSE;
    }
  float *pixels = sw_image_decode (data, len, self->channels, self->size, name, error);
  if (!pixels)
    return FALSE;
  const gsize n = sizeof (float) * self->channels * self->size * self->size;
  g_autoptr (GBytes) bytes = g_bytes_new_take (pixels, n);
  /* strokes drawn over the old image mean nothing over a new one */
  stepwise_canvas_replace_image (self, bytes);
  return TRUE;
}

void
_stepwise_canvas_file_opened (StepwiseCanvas *self, GBytes *contents, const char *name)
{
  g_signal_emit (self, signals[SIGNAL_FILE_OPENED], 0, contents, name);
}

GBytes *
stepwise_canvas_get_image (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  g_return_val_if_fail (self->size > 0, NULL);
  return g_bytes_new (self->image, sizeof (float) * self->channels * self->size * self->size);
}

/* the image with the sketch over it on the grid, (C, G, G) */
static float *
composite_on_grid (StepwiseCanvas *self)
{
  const int S = self->size, K = STEPWISE_CANVAS_SCALE, C = self->channels;
  const size_t plane = (size_t) S * S;
  float *out = g_memdup2 (self->image, sizeof (float) * C * plane);
  cairo_surface_flush (self->sketch);
  const guint8 *data = cairo_image_surface_get_data (self->sketch);
  const int stride = cairo_image_surface_get_stride (self->sketch);
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      {
        /* area average of premultiplied ARGB over the K x K block */
        double a = 0, r = 0, g = 0, b = 0;
        for (int v = 0; v < K; v++)
          {
            const guint32 *row = (const guint32 *) (data + (size_t) (y * K + v) * stride);
            for (int u = 0; u < K; u++)
              {
                const guint32 px = row[x * K + u];
                a += px >> 24;
                r += (px >> 16) & 0xff;
                g += (px >> 8) & 0xff;
                b += px & 0xff;
              }
          }
        const double norm = 255.0 * K * K;
        a /= norm, r /= norm, g /= norm, b /= norm;
        if (a <= 0)
          continue;
        const size_t p = (size_t) y * S + x;
        const double rgb[3] = { r, g, b };
        for (int c = 0; c < C; c++)
          {
            const double ink = C == 3 ? rgb[c] : 0.299 * r + 0.587 * g + 0.114 * b;
            const double under = 0.5 * out[c * plane + p] + 0.5;   /* [0, 1] */
            out[c * plane + p] = (float) (2.0 * (under * (1.0 - a) + ink) - 1.0);
          }
      }
  return out;
}

GBytes *
stepwise_canvas_get_composite_at (StepwiseCanvas *self, int size)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  g_return_val_if_fail (self->size > 0, NULL);
  g_return_val_if_fail (size >= 1 && self->size % size == 0, NULL);
  const int C = self->channels;
  float *grid = composite_on_grid (self);
  if (size == self->size)
    return g_bytes_new_take (grid, sizeof (float) * C * size * size);
  float *out = g_new (float, (size_t) C * size * size);
  sw_sr_area_downsample (C, self->size, self->size / size, grid, out);
  g_free (grid);
  return g_bytes_new_take (out, sizeof (float) * C * size * size);
}

GBytes *
stepwise_canvas_get_composite (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  return stepwise_canvas_get_composite_at (self, self->model_size);
}

static float *
mask_on_grid (StepwiseCanvas *self, gboolean *any)
{
  const int S = self->size, K = STEPWISE_CANVAS_SCALE;
  float *out = g_new0 (float, (size_t) S * S);
  cairo_surface_flush (self->mask);
  const guint8 *data = cairo_image_surface_get_data (self->mask);
  const int stride = cairo_image_surface_get_stride (self->mask);
  *any = FALSE;
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      {
        guint sum = 0;
        for (int v = 0; v < K; v++)
          for (int u = 0; u < K; u++)
            sum += data[(size_t) (y * K + v) * stride + x * K + u];
        out[y * S + x] = (float) sum / (255.0f * K * K);
        *any |= sum > 0;
      }
  return out;
}

GBytes *
stepwise_canvas_get_mask_at (StepwiseCanvas *self, int size)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  g_return_val_if_fail (self->size > 0, NULL);
  g_return_val_if_fail (size >= 1 && self->size % size == 0, NULL);
  const int S = size;
  gboolean any;
  float *out = mask_on_grid (self, &any);
  if (size != self->size)
    {
      /* a block any part of which is masked is regenerated whole, as
       * the cascade's stage I reads it (sr-pairs.h) */
      float *grid = out;
      out = g_new (float, (size_t) S * S);
      sw_sr_block_max (1, self->size, self->size / S, grid, out);
      g_free (grid);
    }
  if (self->feather && any)
    {
      sw_gaussian_blur (1, S, S, FEATHER_KERNEL, FEATHER_SIGMA, out, out);
      for (int i = 0; i < S * S; i++)
        out[i] = CLAMP (out[i], 0.0f, 1.0f);
    }
  return g_bytes_new_take (out, sizeof (float) * S * S);
}

GBytes *
stepwise_canvas_get_mask (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  return stepwise_canvas_get_mask_at (self, self->model_size);
}

gboolean
stepwise_canvas_has_mask (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), FALSE);
  if (self->size <= 0)
    return FALSE;
  gboolean any;
  g_free (mask_on_grid (self, &any));
  return any;
}

GBytes *
stepwise_canvas_get_layers (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  g_return_val_if_fail (self->size > 0, NULL);
  return _stepwise_canvas_serialize (self);
}

/* ---- strokes ---- */

static gboolean
is_mask_tool (StepwiseCanvasTool tool)
{
  return tool == STEPWISE_CANVAS_TOOL_MASK || tool == STEPWISE_CANVAS_TOOL_MASK_ERASE;
}

/* one segment of the stroke, in grid pixels, on its layer */
static void
draw_segment (StepwiseCanvas *self, double x0, double y0, double p0, double x1, double y1, double p1)
{
  const StepwiseCanvasTool tool = self->stroke_tool;
  cairo_t *cr = cairo_create (is_mask_tool (tool) ? self->mask : self->sketch);
  cairo_scale (cr, STEPWISE_CANVAS_SCALE, STEPWISE_CANVAS_SCALE);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, MAX (self->brush_size * 0.5 * (p0 + p1), 1.0 / STEPWISE_CANVAS_SCALE));
  /* Only the sketch's ink is antialiased: the mask and every eraser cover
   * whole fine pixels, so erasing what was painted leaves no faint fringe
   * (and the grid average still gives soft edges). */
  if (tool != STEPWISE_CANVAS_TOOL_BRUSH)
    cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  switch (tool)
    {
    case STEPWISE_CANVAS_TOOL_BRUSH:
      gdk_cairo_set_source_rgba (cr, &self->color);
      break;
    case STEPWISE_CANVAS_TOOL_MASK:
      cairo_set_source_rgba (cr, 0, 0, 0, 1);
      break;
    case STEPWISE_CANVAS_TOOL_ERASER:
    case STEPWISE_CANVAS_TOOL_MASK_ERASE:
    default:
      cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
      break;
    }
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

void
stepwise_canvas_begin_stroke (StepwiseCanvas *self, StepwiseCanvasTool tool, double x, double y,
                              double pressure)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  if (self->size <= 0)
    return;
  if (self->stroking)
    stepwise_canvas_end_stroke (self);
  _stepwise_canvas_push_undo (self);
  self->stroking = TRUE;
  self->stroke_tool = tool;
  pressure = pressure > 0 ? MIN (pressure, 1.0) : 1.0;
  self->last_x = x;
  self->last_y = y;
  self->last_pressure = pressure;
  draw_segment (self, x, y, pressure, x, y, pressure);   /* a dot */
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

void
stepwise_canvas_stroke_to (StepwiseCanvas *self, double x, double y, double pressure)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  if (!self->stroking)
    return;
  pressure = pressure > 0 ? MIN (pressure, 1.0) : 1.0;
  draw_segment (self, self->last_x, self->last_y, self->last_pressure, x, y, pressure);
  self->last_x = x;
  self->last_y = y;
  self->last_pressure = pressure;
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
}

void
stepwise_canvas_end_stroke (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  if (!self->stroking)
    return;
  self->stroking = FALSE;
  _stepwise_canvas_changed (self, FALSE);
}

/* a whole-layer command: one undo step */
static void
mask_op (StepwiseCanvas *self, gboolean invert)
{
  if (self->size <= 0 || self->stroking)
    return;
  _stepwise_canvas_push_undo (self);
  cairo_surface_flush (self->mask);
  guint8 *data = cairo_image_surface_get_data (self->mask);
  const int stride = cairo_image_surface_get_stride (self->mask);
  const int hi = self->size * STEPWISE_CANVAS_SCALE;
  for (int y = 0; y < hi; y++)
    for (int x = 0; x < hi; x++)
      data[(size_t) y * stride + x] = invert ? 255 - data[(size_t) y * stride + x] : 0;
  cairo_surface_mark_dirty (self->mask);
  _stepwise_canvas_changed (self, FALSE);
}

void
stepwise_canvas_clear_mask (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  mask_op (self, FALSE);
}

void
stepwise_canvas_invert_mask (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  mask_op (self, TRUE);
}

void
stepwise_canvas_clear_sketch (StepwiseCanvas *self)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  if (self->size <= 0 || self->stroking)
    return;
  _stepwise_canvas_push_undo (self);
  clear_surface (self->sketch);
  _stepwise_canvas_changed (self, FALSE);
}

static void
clear_image (StepwiseCanvas *self)
{
  if (self->size <= 0 || self->stroking)
    return;
  const size_t n = (size_t) self->channels * self->size * self->size;
  g_autofree float *blank = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    blank[i] = blank_value (self);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&blank), sizeof (float) * n);
  stepwise_canvas_set_image (self, bytes);
}

/* ---- tools ---- */

static void
update_size_label (StepwiseCanvas *self)
{
  /* Translators: the brush diameter in canvas pixels */
  g_autofree char *text = g_strdup_printf (_("%.1f px"), self->brush_size);
  gtk_label_set_text (self->size_label, text);
}

static void
on_palette_color (StepwiseCanvas *self)
{
  stepwise_palette_get_rgba (self->palette, &self->color);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR]);
}

StepwiseCanvasTool
stepwise_canvas_get_tool (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), STEPWISE_CANVAS_TOOL_BRUSH);
  return self->tool;
}

void
stepwise_canvas_set_tool (StepwiseCanvas *self, StepwiseCanvasTool tool)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  g_return_if_fail (tool <= STEPWISE_CANVAS_TOOL_MASK_ERASE);
  if (self->tool == tool)
    return;
  self->tool = tool;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

double
stepwise_canvas_get_brush_size (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), 0);
  return self->brush_size;
}

void
stepwise_canvas_set_brush_size (StepwiseCanvas *self, double size)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  size = CLAMP (size, STEPWISE_CANVAS_BRUSH_MIN, STEPWISE_CANVAS_BRUSH_MAX);
  if (self->brush_size == size)
    return;
  self->brush_size = size;
  update_size_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->area));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BRUSH_SIZE]);
}

void
stepwise_canvas_set_color (StepwiseCanvas *self, const GdkRGBA *color)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  /* the palette keeps it, as "#rrggbb", and tells back */
  stepwise_palette_set_rgba (self->palette, color);
}

StepwisePalette *
stepwise_canvas_get_palette (StepwiseCanvas *self)
{
  g_return_val_if_fail (STEPWISE_IS_CANVAS (self), NULL);
  return self->palette;
}

void
stepwise_canvas_get_color (StepwiseCanvas *self, GdkRGBA *color)
{
  g_return_if_fail (STEPWISE_IS_CANVAS (self));
  *color = self->color;
}

/* ---- actions ---- */

static void
action_undo (GtkWidget *widget, const char *name, GVariant *param)
{
  stepwise_canvas_undo (STEPWISE_CANVAS (widget));
}

static void
action_redo (GtkWidget *widget, const char *name, GVariant *param)
{
  stepwise_canvas_redo (STEPWISE_CANVAS (widget));
}

static void
action_clear_mask (GtkWidget *widget, const char *name, GVariant *param)
{
  stepwise_canvas_clear_mask (STEPWISE_CANVAS (widget));
}

static void
action_invert_mask (GtkWidget *widget, const char *name, GVariant *param)
{
  stepwise_canvas_invert_mask (STEPWISE_CANVAS (widget));
}

static void
action_clear_sketch (GtkWidget *widget, const char *name, GVariant *param)
{
  stepwise_canvas_clear_sketch (STEPWISE_CANVAS (widget));
}

static void
action_clear_image (GtkWidget *widget, const char *name, GVariant *param)
{
  clear_image (STEPWISE_CANVAS (widget));
}

/* brush sizes step by a quarter, so [ and ] feel the same at every size */
static void
action_brush_bigger (GtkWidget *widget, const char *name, GVariant *param)
{
  StepwiseCanvas *self = STEPWISE_CANVAS (widget);
  stepwise_canvas_set_brush_size (self, self->brush_size * 1.25);
}

static void
action_brush_smaller (GtkWidget *widget, const char *name, GVariant *param)
{
  StepwiseCanvas *self = STEPWISE_CANVAS (widget);
  stepwise_canvas_set_brush_size (self, self->brush_size / 1.25);
}

static void
action_open_image (GtkWidget *widget, const char *name, GVariant *param)
{
  _stepwise_canvas_open_image (STEPWISE_CANVAS (widget));
}

static void
action_paste_image (GtkWidget *widget, const char *name, GVariant *param)
{
  _stepwise_canvas_paste_image (STEPWISE_CANVAS (widget));
}

/* ---- object ---- */

static void
stepwise_canvas_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StepwiseCanvas *self = STEPWISE_CANVAS (object);
  switch (prop_id)
    {
    case PROP_TOOL:
      g_value_set_string (value, tool_names[self->tool]);
      break;
    case PROP_BRUSH_SIZE:
      g_value_set_double (value, self->brush_size);
      break;
    case PROP_SHOW_GRID:
      g_value_set_boolean (value, self->show_grid);
      break;
    case PROP_SHOW_MASK:
      g_value_set_boolean (value, self->show_mask);
      break;
    case PROP_FEATHER:
      g_value_set_boolean (value, self->feather);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, stepwise_canvas_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, stepwise_canvas_can_redo (self));
      break;
    case PROP_COLOR:
      g_value_set_string (value, stepwise_palette_get_color (self->palette));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_canvas_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StepwiseCanvas *self = STEPWISE_CANVAS (object);
  switch (prop_id)
    {
    case PROP_TOOL:
      for (guint i = 0; i < G_N_ELEMENTS (tool_names); i++)
        if (g_strcmp0 (g_value_get_string (value), tool_names[i]) == 0)
          stepwise_canvas_set_tool (self, (StepwiseCanvasTool) i);
      break;
    case PROP_BRUSH_SIZE:
      stepwise_canvas_set_brush_size (self, g_value_get_double (value));
      break;
    case PROP_SHOW_GRID:
      if (self->show_grid != g_value_get_boolean (value))
        {
          self->show_grid = g_value_get_boolean (value);
          gtk_widget_queue_draw (GTK_WIDGET (self->area));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SHOW_MASK:
      if (self->show_mask != g_value_get_boolean (value))
        {
          self->show_mask = g_value_get_boolean (value);
          gtk_widget_queue_draw (GTK_WIDGET (self->area));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_COLOR:
      stepwise_palette_set_color (self->palette, g_value_get_string (value));
      break;
    case PROP_FEATHER:
      if (self->feather != g_value_get_boolean (value))
        {
          self->feather = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_canvas_dispose (GObject *object)
{
  StepwiseCanvas *self = STEPWISE_CANVAS (object);
  if (self->stroking)
    stepwise_canvas_end_stroke (self);
  stepwise_canvas_save_now (self);   /* a window closed mid-debounce loses nothing */
  gtk_widget_dispose_template (GTK_WIDGET (self), STEPWISE_TYPE_CANVAS);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (stepwise_canvas_parent_class)->dispose (object);
}

static void
stepwise_canvas_finalize (GObject *object)
{
  StepwiseCanvas *self = STEPWISE_CANVAS (object);
  free_layers (self);
  g_ptr_array_unref (self->undo_stack);
  g_ptr_array_unref (self->redo_stack);
  g_free (self->autosave_path);
  G_OBJECT_CLASS (stepwise_canvas_parent_class)->finalize (object);
}

static void
stepwise_canvas_class_init (StepwiseCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stepwise_canvas_dispose;
  object_class->finalize = stepwise_canvas_finalize;
  object_class->get_property = stepwise_canvas_get_property;
  object_class->set_property = stepwise_canvas_set_property;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-canvas.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwiseCanvas, area);
  gtk_widget_class_bind_template_child (widget_class, StepwiseCanvas, size_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseCanvas, palette);
  gtk_widget_class_bind_template_callback (widget_class, on_palette_color);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  properties[PROP_TOOL] =
    g_param_spec_string ("tool", NULL, NULL, "brush",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BRUSH_SIZE] =
    g_param_spec_double ("brush-size", NULL, NULL, STEPWISE_CANVAS_BRUSH_MIN, STEPWISE_CANVAS_BRUSH_MAX,
                         STEPWISE_CANVAS_BRUSH_DEFAULT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_GRID] =
    g_param_spec_boolean ("show-grid", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* whether the mask is drawn (it is kept either way) */
  properties[PROP_SHOW_MASK] =
    g_param_spec_boolean ("show-mask", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEATHER] =
    g_param_spec_boolean ("feather", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* the brush colour, "#rrggbb": the palette's, as GSettings keeps it */
  properties[PROP_COLOR] =
    g_param_spec_string ("color", NULL, NULL, "#ffffff",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::changed: a layer changed (a stroke ended, undo, a new image...) */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* ::file-opened: a file became the image (opened, dropped, given on
   * the command line), with its bytes and name, so the window can read
   * the settings a Stepwise PNG carries */
  signals[SIGNAL_FILE_OPENED] = g_signal_new ("file-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BYTES,
                                              G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "canvas.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "canvas.redo", NULL, action_redo);
  gtk_widget_class_install_action (widget_class, "canvas.clear-mask", NULL, action_clear_mask);
  gtk_widget_class_install_action (widget_class, "canvas.invert-mask", NULL, action_invert_mask);
  gtk_widget_class_install_action (widget_class, "canvas.clear-sketch", NULL, action_clear_sketch);
  gtk_widget_class_install_action (widget_class, "canvas.clear-image", NULL, action_clear_image);
  gtk_widget_class_install_action (widget_class, "canvas.brush-bigger", NULL, action_brush_bigger);
  gtk_widget_class_install_action (widget_class, "canvas.brush-smaller", NULL, action_brush_smaller);
  gtk_widget_class_install_action (widget_class, "canvas.open-image", NULL, action_open_image);
  gtk_widget_class_install_action (widget_class, "canvas.paste-image", NULL, action_paste_image);
  gtk_widget_class_install_property_action (widget_class, "canvas.tool", "tool");
  gtk_widget_class_install_property_action (widget_class, "canvas.show-grid", "show-grid");
  gtk_widget_class_install_property_action (widget_class, "canvas.feather", "feather");
  _stepwise_canvas_class_init_view (widget_class);

  gtk_widget_class_set_css_name (widget_class, "stepwise-canvas");
}

/* the canvas's shortcuts work anywhere in its window (a focused text
 * entry still gets its own Ctrl+Z and typed brackets first) */
static void
add_shortcuts (StepwiseCanvas *self)
{
  static const struct { const char *trigger, *action, *target; } shortcuts[] = {
    { "<Control>z", "canvas.undo", NULL },
    { "<Control><Shift>z", "canvas.redo", NULL },
    { "<Control>y", "canvas.redo", NULL },
    { "bracketright", "canvas.brush-bigger", NULL },
    { "bracketleft", "canvas.brush-smaller", NULL },
    { "<Control>i", "canvas.invert-mask", NULL },
    { "<Control>Delete", "canvas.clear-mask", NULL },
    { "<Control><Shift>Delete", "canvas.clear-sketch", NULL },
    { "<Control><Shift>o", "canvas.open-image", NULL },
    { "<Control><Shift>v", "canvas.paste-image", NULL },
    { "<Control>g", "canvas.show-grid", NULL },
    { "<Control><Shift>f", "canvas.feather", NULL },
    { "<Control>plus", "canvas.zoom-in", NULL },
    { "<Control>equal", "canvas.zoom-in", NULL },
    { "<Control>KP_Add", "canvas.zoom-in", NULL },
    { "<Control>minus", "canvas.zoom-out", NULL },
    { "<Control>KP_Subtract", "canvas.zoom-out", NULL },
    { "<Control>0", "canvas.zoom-reset", NULL },
    { "<Alt>b", "canvas.tool", "brush" },
    { "<Alt>e", "canvas.tool", "eraser" },
    { "<Alt>m", "canvas.tool", "mask" },
    { "<Alt>n", "canvas.tool", "mask-erase" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (shortcuts[i].trigger),
                                                gtk_named_action_new (shortcuts[i].action));
      if (shortcuts[i].target)
        gtk_shortcut_set_arguments (shortcut, g_variant_new_string (shortcuts[i].target));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
stepwise_canvas_init (StepwiseCanvas *self)
{
  self->brush_size = STEPWISE_CANVAS_BRUSH_DEFAULT;
  self->show_mask = TRUE;
  g_type_ensure (STEPWISE_TYPE_PALETTE);
  self->pointer_x = self->pointer_y = -1;
  self->undo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->redo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->area, _stepwise_canvas_draw, self, NULL);
  _stepwise_canvas_init_view (self);
  stepwise_canvas_set_color (self, &(GdkRGBA) { 1, 1, 1, 1 });
  on_palette_color (self);
  update_size_label (self);
  add_shortcuts (self);
  _stepwise_canvas_init_input (self);
  update_history_actions (self);
}

GtkWidget *
stepwise_canvas_new (void)
{
  return g_object_new (STEPWISE_TYPE_CANVAS, NULL);
}
