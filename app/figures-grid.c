/* figures-grid.c: images as PNG: grids and tables of them, labelled, and
 * one alone at its own size. */
#include "figures-canvas.h"

#include <math.h>

/* The white space between the images of a grid, and around it. */
#define GAP 2

typedef struct {
  int                  rows, cols;
  int                  C, H, W, scale;
  const char * const  *row_labels;
  const char * const  *col_labels;
  const char          *title;
} GridSpec;

static gboolean
check_image_shape (int C, int H, int W, int scale, GError **error)
{
  if (C != 1 && C != 3)
    g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                 "images with %d channels cannot be drawn; accepted are 1 (grey) and 3 (RGB)", C);
  else if (H < 1 || W < 1 || H > SW_FIGURE_MAX_SIDE || W > SW_FIGURE_MAX_SIDE)
    g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                 "an image of %d x %d pixels cannot be drawn; accepted are 1 to %d on a side",
                 W, H, SW_FIGURE_MAX_SIDE);
  else if (scale < 1 || scale > 64)
    g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                 "scale %d is out of range; accepted are 1 to 64", scale);
  else
    return TRUE;
  return FALSE;
}

/* NaN, say from a diverged model, shows black rather than garbage. */
static guint32
to_byte (float v)
{
  if (!(v > 0))
    return 0;
  return v < 1 ? (guint32) (v * 255.0f + 0.5f) : 255;
}

/* Writes IMAGE scaled up SCALE times with its top-left corner at (X0, Y0)
 * straight into the surface's pixels: nearest neighbour, no smoothing. */
static void
paint_image (cairo_surface_t *surface, int x0, int y0, const float *image, const GridSpec *g)
{
  guint32 *pixels = (guint32 *) (void *) cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface) / 4;
  size_t plane = (size_t) g->H * g->W;
  for (int y = 0; y < g->H; y++)
    for (int x = 0; x < g->W; x++)
      {
        const float *at = image + (size_t) y * g->W + x;
        guint32 rgb = g->C == 1 ? to_byte (at[0]) * 0x010101
                                : to_byte (at[0]) << 16 | to_byte (at[plane]) << 8 | to_byte (at[2 * plane]);
        for (int dy = 0; dy < g->scale; dy++)
          {
            guint32 *row = pixels + (size_t) (y0 + y * g->scale + dy) * stride + x0 + x * g->scale;
            for (int dx = 0; dx < g->scale; dx++)
              row[dx] = 0xff000000 | rgb;
          }
      }
}

static double
widest_label (cairo_t *cr, const char * const *labels, int n)
{
  double widest = 0;
  for (int i = 0; labels && i < n; i++)
    if (labels[i])
      widest = MAX (widest, sw_figure_text_width (cr, labels[i]));
  return widest;
}

/* The grid of N images described by G: images in cells of equal size, a
 * GAP between cells and around them, row labels to the left, column
 * labels and the title above.  N is at most G's rows times columns, which
 * the first size check keeps small. */
static gboolean
draw_grid (const char *path, const float *images, gint64 n, const GridSpec *g, GError **error)
{
  gint64 tile_w = (gint64) g->W * g->scale, tile_h = (gint64) g->H * g->scale;
  if (!sw_figure_check_size (g->cols * (tile_w + GAP) + GAP, g->rows * (tile_h + GAP) + GAP,
                          "use a smaller scale or fewer images", error))
    return FALSE;

  /* Text grows with the images so it stays in proportion, within what
   * reads well. */
  double label_px = CLAMP (tile_h * 0.16, 12, 24), title_px = label_px * 1.25;
  double pad = round (label_px * 0.75);
  cairo_t *measure = sw_figure_new_measuring_context ();
  sw_figure_set_font (measure, title_px, TRUE);
  double title_w = g->title ? sw_figure_text_width (measure, g->title) : 0, title_h = sw_figure_text_height (measure);
  sw_figure_set_font (measure, label_px, FALSE);
  double label_h = sw_figure_text_height (measure);
  double row_label_w = widest_label (measure, g->row_labels, g->rows);
  double col_label_w = widest_label (measure, g->col_labels, g->cols);
  cairo_destroy (measure);

  /* A cell is widened (or heightened) when its label would not fit by the
   * image, which stays centred in it. */
  gint64 cell_w = MAX (tile_w, g->col_labels ? (gint64) ceil (col_label_w + pad) : 0);
  gint64 cell_h = MAX (tile_h, g->row_labels ? (gint64) ceil (label_h) : 0);
  gint64 grid_w = g->cols * (cell_w + GAP) + GAP, grid_h = g->rows * (cell_h + GAP) + GAP;

  gboolean any_text = g->title || g->row_labels || g->col_labels;
  /* Text gets some white space around the figure; a bare grid is just
   * the images. */
  gint64 margin = any_text ? (gint64) pad : 0;
  gint64 left = g->row_labels ? (gint64) ceil (pad + row_label_w + pad / 2) : margin;
  double title_y = pad, col_label_y = g->title ? pad + title_h + pad / 2 : pad;
  gint64 top = (gint64) ceil ((g->col_labels ? col_label_y + label_h : g->title ? title_y + title_h : 0)
                              + (any_text ? pad / 2 : 0));
  gint64 width = MAX (left + grid_w + margin, g->title ? (gint64) ceil (title_w + 2 * pad) : 0);
  gint64 height = top + grid_h + margin;
  if (!sw_figure_check_size (width, height, "use a smaller scale, fewer images per row or shorter labels",
                          error))
    return FALSE;

  cairo_surface_t *surface = sw_figure_new_canvas ((int) width, (int) height, error);
  if (surface == NULL)
    return FALSE;
  /* Centred when a long title makes the figure wider than the grid. */
  gint64 grid_x = left + (width - (left + grid_w + margin)) / 2, grid_y = top;

  cairo_surface_flush (surface);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 x = grid_x + GAP + (i % g->cols) * (cell_w + GAP) + (cell_w - tile_w) / 2;
      gint64 y = grid_y + GAP + (i / g->cols) * (cell_h + GAP) + (cell_h - tile_h) / 2;
      paint_image (surface, (int) x, (int) y, images + (size_t) i * g->C * g->H * g->W, g);
    }
  cairo_surface_mark_dirty (surface);

  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, INK);
  sw_figure_set_font (cr, label_px, FALSE);
  for (int r = 0; g->row_labels && r < g->rows; r++)
    if (g->row_labels[r])
      sw_figure_draw_text (cr, g->row_labels[r], grid_x - pad / 2,
                 grid_y + GAP + r * (cell_h + GAP) + cell_h / 2.0, 1, 0.5);
  for (int c = 0; g->col_labels && c < g->cols; c++)
    if (g->col_labels[c])
      sw_figure_draw_text (cr, g->col_labels[c], grid_x + GAP + c * (cell_w + GAP) + cell_w / 2.0,
                 col_label_y, 0.5, 0);
  if (g->title)
    {
      /* Over the grid, or as near as the figure's edges allow. */
      double x = CLAMP (grid_x + grid_w / 2.0, pad + title_w / 2, width - pad - title_w / 2);
      sw_figure_set_font (cr, title_px, TRUE);
      sw_figure_draw_text (cr, g->title, x, title_y, 0.5, 0);
    }
  cairo_destroy (cr);

  gboolean ok = sw_figure_save_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}

gboolean
sw_figure_image_grid (const char          *path,
                      const float         *images,
                      int                  n,
                      int                  C,
                      int                  H,
                      int                  W,
                      int                  cols,
                      int                  scale,
                      const char * const  *row_labels,
                      const char          *title,
                      GError             **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (images != NULL || n <= 0, FALSE);

  if (n <= 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a grid needs at least one image; %d were given", n);
      return FALSE;
    }
  if (cols <= 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a grid needs at least one column; %d were asked for", cols);
      return FALSE;
    }
  if (!check_image_shape (C, H, W, scale, error))
    return FALSE;
  GridSpec g = { .rows = n / cols + (n % cols != 0), .cols = cols, .C = C, .H = H, .W = W,
                 .scale = scale, .row_labels = row_labels, .title = title };
  return draw_grid (path, images, n, &g, error);
}

gboolean
sw_figure_image_table (const char          *path,
                       const float         *images,
                       int                  rows,
                       int                  cols,
                       int                  C,
                       int                  H,
                       int                  W,
                       int                  scale,
                       const char * const  *row_labels,
                       const char * const  *col_labels,
                       const char          *title,
                       GError             **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (images != NULL || rows <= 0 || cols <= 0, FALSE);

  if (rows <= 0 || cols <= 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a table of %d x %d images cannot be drawn; it needs at least one row and "
                   "one column", rows, cols);
      return FALSE;
    }
  if (!check_image_shape (C, H, W, scale, error))
    return FALSE;
  GridSpec g = { .rows = rows, .cols = cols, .C = C, .H = H, .W = W, .scale = scale,
                 .row_labels = row_labels, .col_labels = col_labels, .title = title };
  return draw_grid (path, images, (gint64) rows * cols, &g, error);
}

gboolean
sw_figure_image (const char *path, const float *image, int C, int H, int W, GError **error)
{
  const GridSpec g = { .rows = 1, .cols = 1, .C = C, .H = H, .W = W, .scale = 1 };
  if (!check_image_shape (C, H, W, 1, error))
    return FALSE;
  cairo_surface_t *surface = sw_figure_new_canvas (W, H, error);
  if (!surface)
    return FALSE;
  cairo_surface_flush (surface);
  paint_image (surface, 0, 0, image, &g);
  cairo_surface_mark_dirty (surface);
  gboolean ok = sw_figure_save_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}
