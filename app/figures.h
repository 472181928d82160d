/* figures.h: the PNG figures stepwise-cli writes (loss curves, sample grids,
 * denoising tables), drawn with cairo.
 *
 * Every function writes PATH atomically: the PNG goes to PATH.tmp-XXXXXX in
 * the same folder and is renamed over PATH once complete, so a crash never
 * leaves half a figure.  Bad arguments fail with SW_ERROR_INVALID, files
 * that cannot be written with SW_ERROR_IO naming the path. */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "base/error.h"

G_BEGIN_DECLS

/* Largest figure, in pixels on a side. */
#define SW_FIGURE_MAX_SIDE 16384

/* An 800x500 line plot of VALUES (N points) on a log10 y axis, white
 * background, with a title, axis labels, ticks at round numbers and
 * labels at the decades (and at 2x and 5x where they fit).
 *
 * Without BACKGROUND the points sit at x = 1..N.  BACKGROUND, when not
 * NULL, is a second series drawn lighter behind VALUES (per-batch losses
 * behind per-epoch means): the x axis then counts its N_BACKGROUND points
 * and VALUES' N points are spread evenly over it, each in the middle of
 * its share, so an epoch's mean sits over the batches it averages.
 *
 * A log axis cannot show values that are not finite and positive; those
 * points are skipped (the line breaks there), and if no point of either
 * series is left the call fails.  TITLE, XLABEL and YLABEL may be NULL. */
gboolean sw_figure_loss_curve (const char   *path,
                               const char   *title,
                               const char   *xlabel,
                               const char   *ylabel,
                               const float  *values,
                               size_t        n,
                               const float  *background,
                               size_t        n_background,
                               GError      **error);

/* N images laid out (N, C, H, W), floats in [0, 1] (clamped; NaN shows
 * black), C = 1 grey or 3 RGB, in a grid of COLS per row.  Each image is
 * scaled up SCALE times (1..64) with nearest neighbour so its pixels stay
 * crisp, with a 2 px white gap between images and around the grid.
 * ROW_LABELS, when not NULL, holds one label per row (ceil (N / COLS) of
 * them; a NULL entry leaves that row unlabelled), drawn at the left.
 * TITLE, when not NULL, is drawn above.  With neither, the PNG is exactly
 * COLS * (W * SCALE + 2) + 2 by ROWS * (H * SCALE + 2) + 2 pixels and
 * image I's top-left pixel is at (2 + (I % COLS) * (W * SCALE + 2),
 * 2 + (I / COLS) * (H * SCALE + 2)). */
gboolean sw_figure_image_grid (const char          *path,
                               const float         *images,
                               int                  n,
                               int                  C,
                               int                  H,
                               int                  W,
                               int                  cols,
                               int                  scale,
                               const char * const  *row_labels,
                               const char *         title,
                               GError             **error);

/* The layout of sw_figure_image_grid() for ROWS x COLS images (row-major)
 * with both rows and columns labelled: COL_LABELS (COLS of them, or NULL)
 * above the columns, e.g. test images down and noise levels across.  A
 * column is widened, with its image centred, when its label would not fit
 * over the image. */
gboolean sw_figure_image_table (const char          *path,
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
                                GError             **error);

/* One image (C, H, W) in [0, 1] as a PNG of exactly W x H pixels: an
 * input file other commands can read back. */
gboolean sw_figure_image (const char   *path,
                          const float  *image,
                          int           C,
                          int           H,
                          int           W,
                          GError      **error);

/* Reads the width and height from a PNG file's header. */
gboolean sw_figure_png_size (const char  *path,
                             int         *width,
                             int         *height,
                             GError     **error);

G_END_DECLS
