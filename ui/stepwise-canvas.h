/* stepwise-canvas.h: the input canvas (issue 5) — three layers on a
 * pixel grid, drawn scaled up:
 *
 *   image   (C, S, S) floats in [-1, 1]: opened, dropped, pasted, or a result
 *   sketch  strokes (colour, brush size, eraser) rasterised with cairo at
 *           STEPWISE_CANVAS_SCALE times the grid's resolution, area-averaged
 *           onto the grid
 *   mask    painted and erased the same way, 1 = regenerate; drawn
 *           translucent over the image
 *
 * The grid is the model's size, except for a colour model whose side
 * divides STEPWISE_CANVAS_COLOUR_SIZE (the emoji at 16, 32 or 64 px):
 * then it is 64 x 64 (issue 24), as the cascade's pictures are, and a
 * job is handed the layers shrunk to the model's size (the composite by
 * each block's mean, the mask by each block's largest value).
 * The brush's colour comes from a palette (stepwise-palette.h).
 *
 * Every stroke (and every clear, invert or new image) is one undo step;
 * undo restores the layers byte for byte.  After each change the layers
 * are written, debounced and atomically, to the autosave file of their
 * geometry, and a canvas given that geometry reads them back.
 *
 * Commands are actions of the "canvas" group (canvas.undo, canvas.redo,
 * canvas.clear-mask, canvas.invert-mask, canvas.clear-sketch,
 * canvas.clear-image, canvas.brush-bigger, canvas.brush-smaller,
 * canvas.open-image, canvas.paste-image, canvas.tool, canvas.show-grid,
 * canvas.feather, canvas.zoom-in, canvas.zoom-out, canvas.zoom-reset) with
 * window-wide shortcuts. */
#pragma once

#include <gtk/gtk.h>

#include "stepwise-palette.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_CANVAS (stepwise_canvas_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseCanvas, stepwise_canvas, STEPWISE, CANVAS, GtkWidget)

/* hi-res sketch and mask pixels per grid pixel, per side */
#define STEPWISE_CANVAS_SCALE 8
/* the grid of a colour model's canvas */
#define STEPWISE_CANVAS_COLOUR_SIZE 64

typedef enum {
  STEPWISE_CANVAS_TOOL_BRUSH,
  STEPWISE_CANVAS_TOOL_ERASER,       /* erases the sketch */
  STEPWISE_CANVAS_TOOL_MASK,
  STEPWISE_CANVAS_TOOL_MASK_ERASE,
} StepwiseCanvasTool;

#define STEPWISE_CANVAS_BRUSH_MIN 0.5
#define STEPWISE_CANVAS_BRUSH_MAX 16.0
/* a line a 64 px colour grid reads at 16 px: one pixel of the cascade's
 * stage I (also the brush-size setting's default) */
#define STEPWISE_CANVAS_BRUSH_DEFAULT 4.0
#define STEPWISE_CANVAS_ZOOM_MAX 16.0

GtkWidget  *stepwise_canvas_new            (void);

/* the grid side of a model of CHANNELS x SIZE x SIZE: 64 for a colour
 * model whose SIZE divides 64, else SIZE */
int         stepwise_canvas_grid_size      (int channels, int size);

/* CHANNELS (1 or 3) x SIZE x SIZE, the model's.  The grid's layers
 * come back from its autosave, else start blank (no strokes, no mask,
 * and an image black for a grey model, white for a colour one, as their
 * training pictures' backgrounds are; a brush of the paper's colour
 * turns to the other, black or white); a model on the same grid as the
 * last keeps the drawing.  Changing nothing is a no-op. */
void        stepwise_canvas_set_geometry   (StepwiseCanvas *self, int channels, int size);
int         stepwise_canvas_get_channels   (StepwiseCanvas *self);
/* the grid's side S (the image's, the strokes' coordinates) */
int         stepwise_canvas_get_size       (StepwiseCanvas *self);
/* the model's side, what get_composite and get_mask give */
int         stepwise_canvas_get_model_size (StepwiseCanvas *self);

/* PIXELS (C, S, S) floats in [-1, 1] on the grid, or at the model's size
 * (each pixel then a block of the grid, so the composite gives it back
 * exactly); one undo step */
void        stepwise_canvas_set_image      (StepwiseCanvas *self, GBytes *pixels);
/* the same, and the sketch's strokes cleared (the mask stays): a new
 * picture to draw on, such as a result used as input */
void        stepwise_canvas_replace_image  (StepwiseCanvas *self, GBytes *pixels);
/* decodes an image file's contents (any format the engine reads) */
gboolean    stepwise_canvas_load_image_data (StepwiseCanvas *self, const guint8 *data, gsize len,
                                             const char *name, GError **error);
/* the input image alone, (C, S, S) */
GBytes     *stepwise_canvas_get_image      (StepwiseCanvas *self);
/* reads FILE in the background into the image layer (as an undo step),
 * then emits ::file-opened (GBytes *contents, const char *name); an
 * unreadable file is reported in the window */
void        stepwise_canvas_open_file      (StepwiseCanvas *self, GFile *file);
/* the same before returning (a file given on the command line, which the
 * command's other options act on); FALSE when it could not be opened */
gboolean    stepwise_canvas_open_file_now  (StepwiseCanvas *self, GFile *file);
/* the image with the sketch over it, area-averaged, at the model's size:
 * (C, s, s) in [-1, 1]; _at gives it at SIZE, a divisor of the grid's
 * side (the grid itself included), each pixel its block's mean */
GBytes     *stepwise_canvas_get_composite  (StepwiseCanvas *self);
GBytes     *stepwise_canvas_get_composite_at (StepwiseCanvas *self, int size);
/* the mask at the model's size, (s, s) in [0, 1], feathered when chosen;
 * _at gives it at SIZE, each pixel its block's largest value, so a block
 * any of which is masked is regenerated whole */
GBytes     *stepwise_canvas_get_mask       (StepwiseCanvas *self);
GBytes     *stepwise_canvas_get_mask_at    (StepwiseCanvas *self, int size);
gboolean    stepwise_canvas_has_mask       (StepwiseCanvas *self);
/* every layer as bytes (what undo and the autosave keep) */
GBytes     *stepwise_canvas_get_layers     (StepwiseCanvas *self);

/* strokes, in grid pixels (0..S on each axis); PRESSURE in (0, 1], 1
 * without a pressure axis.  A stroke is one undo step. */
void        stepwise_canvas_begin_stroke   (StepwiseCanvas *self, StepwiseCanvasTool tool,
                                            double x, double y, double pressure);
void        stepwise_canvas_stroke_to      (StepwiseCanvas *self, double x, double y, double pressure);
void        stepwise_canvas_end_stroke     (StepwiseCanvas *self);

StepwiseCanvasTool stepwise_canvas_get_tool (StepwiseCanvas *self);
void        stepwise_canvas_set_tool       (StepwiseCanvas *self, StepwiseCanvasTool tool);
double      stepwise_canvas_get_brush_size (StepwiseCanvas *self);
void        stepwise_canvas_set_brush_size (StepwiseCanvas *self, double size);
/* the palette the brush's colour comes from */
StepwisePalette *stepwise_canvas_get_palette (StepwiseCanvas *self);
/* the brush colour (its alpha ignored): the palette's, rounded to bytes;
 * also the "color" property, a "#rrggbb" string */
void        stepwise_canvas_set_color      (StepwiseCanvas *self, const GdkRGBA *color);
void        stepwise_canvas_get_color      (StepwiseCanvas *self, GdkRGBA *color);

/* the view's magnification about the area's centre: 1 shows the whole
 * image, up to STEPWISE_CANVAS_ZOOM_MAX (canvas.zoom-in, canvas.zoom-out,
 * canvas.zoom-reset; Ctrl+wheel about the pointer; the wheel and a
 * middle-button drag pan) */
void        stepwise_canvas_set_zoom       (StepwiseCanvas *self, double zoom);
double      stepwise_canvas_get_zoom       (StepwiseCanvas *self);
/* the grid pixel (0..S on each axis) under the drawing area's point
 * (X, Y), as a pointer there paints; FALSE before the canvas is laid out */
gboolean    stepwise_canvas_to_model       (StepwiseCanvas *self, double x, double y, double *mx, double *my);

gboolean    stepwise_canvas_can_undo       (StepwiseCanvas *self);
gboolean    stepwise_canvas_can_redo       (StepwiseCanvas *self);
void        stepwise_canvas_undo           (StepwiseCanvas *self);
void        stepwise_canvas_redo           (StepwiseCanvas *self);
void        stepwise_canvas_clear_mask     (StepwiseCanvas *self);
void        stepwise_canvas_invert_mask    (StepwiseCanvas *self);
void        stepwise_canvas_clear_sketch   (StepwiseCanvas *self);

/* the autosave file of the current geometry, under
 * g_get_user_state_dir()/stepwise/canvas */
const char *stepwise_canvas_get_autosave_path (StepwiseCanvas *self);
/* writes the autosave now if a change waits for it (blocking) */
void        stepwise_canvas_save_now       (StepwiseCanvas *self);

G_END_DECLS
