/* stepwise-canvas-private.h: what canvas.c, canvas-input.c,
 * canvas-render.c and canvas-history.c share. */
#pragma once

#include "stepwise-canvas.h"
#include "stepwise-palette.h"

G_BEGIN_DECLS

struct _StepwiseCanvas
{
  GtkWidget           parent_instance;

  /* template children */
  GtkDrawingArea     *area;
  GtkLabel           *size_label;
  StepwisePalette    *palette;

  int                 channels, size;    /* the grid; size 0 = none yet */
  int                 model_size;        /* the model's side, which divides size */
  float              *image;             /* (C, S, S) in [-1, 1], S the grid */
  cairo_surface_t    *sketch;            /* ARGB32, (S * SCALE)^2 */
  cairo_surface_t    *mask;              /* A8, (S * SCALE)^2 */

  /* tools */
  StepwiseCanvasTool  tool;
  double              brush_size;        /* grid pixels, diameter */
  GdkRGBA             color;             /* the palette's */
  gboolean            show_grid;
  gboolean            show_mask;
  gboolean            feather;

  /* the stroke being drawn */
  gboolean            stroking;
  StepwiseCanvasTool  stroke_tool;
  double              last_x, last_y, last_pressure;

  /* pointer, for the brush outline; -1 when outside */
  double              pointer_x, pointer_y;

  /* the view: 1 = the layers fit the area; the pan in area pixels, and
   * where a middle-button drag started it */
  double              zoom, pan_x, pan_y;
  gboolean            panning;
  double              pan_start_x, pan_start_y;

  /* render cache */
  cairo_surface_t    *image_surface;     /* RGB24, S x S */

  /* history: serialized layers (GBytes) */
  GPtrArray          *undo_stack;
  GPtrArray          *redo_stack;

  /* autosave */
  char               *autosave_path;
  guint               autosave_source;
};

/* canvas.c */
void     _stepwise_canvas_changed         (StepwiseCanvas *self, gboolean image_changed);
/* emits ::file-opened */
void     _stepwise_canvas_file_opened     (StepwiseCanvas *self, GBytes *contents, const char *name);
/* the square the layers are drawn in, in the drawing area's coordinates */
gboolean _stepwise_canvas_layout          (StepwiseCanvas *self, double *x0, double *y0,
                                           double *scale);

/* canvas-history.c */
GBytes  *_stepwise_canvas_serialize       (StepwiseCanvas *self);
gboolean _stepwise_canvas_restore         (StepwiseCanvas *self, GBytes *bytes);
void     _stepwise_canvas_push_undo       (StepwiseCanvas *self);
void     _stepwise_canvas_history_clear   (StepwiseCanvas *self);

/* canvas-render.c */
void     _stepwise_canvas_draw            (GtkDrawingArea *area, cairo_t *cr, int width, int height,
                                           gpointer data);
void     _stepwise_canvas_invalidate_image (StepwiseCanvas *self);

/* canvas-view.c */
void     _stepwise_canvas_pan_by          (StepwiseCanvas *self, double dx, double dy);
void     _stepwise_canvas_class_init_view (GtkWidgetClass *widget_class);
void     _stepwise_canvas_init_view       (StepwiseCanvas *self);

/* canvas-input.c */
void     _stepwise_canvas_init_input      (StepwiseCanvas *self);
void     _stepwise_canvas_open_image      (StepwiseCanvas *self);
void     _stepwise_canvas_paste_image     (StepwiseCanvas *self);

G_END_DECLS
