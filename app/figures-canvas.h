/* figures-canvas.h: what the figures of figures.h share, private to
 * app/figures-*.c: text in one font, a white canvas, and writing it as a
 * PNG file. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "figures.h"

/* The colour of all text */
#define INK 0.12, 0.12, 0.12

/* Text */

/* Selects the figures' font at PX pixels, bold or regular. */
void     sw_figure_set_font (cairo_t *cr, double px, gboolean bold);
/* TEXT's width in the current font. */
double   sw_figure_text_width (cairo_t *cr, const char *text);
/* The height of a line of text in the current font. */
double   sw_figure_text_height (cairo_t *cr);
/* Draws TEXT with its box (advance width by ascent + descent) placed so
 * that the point at fractions (XALIGN, YALIGN) of the box lands on (X, Y).
 * Aligning on the font's box rather than the ink keeps labels in a row on
 * one baseline. */
void     sw_figure_draw_text (cairo_t *cr, const char *text, double x, double y,
                              double xalign, double yalign);
/* A context for measuring text before the canvas size is known. */
cairo_t *sw_figure_new_measuring_context (void);

/* Canvas and PNG */

/* FALSE, with an error that gives ADVICE, when a WIDTH x HEIGHT figure
 * would be larger than SW_FIGURE_MAX_SIDE on a side. */
gboolean sw_figure_check_size (gint64 width, gint64 height, const char *advice,
                               GError **error);
/* A white canvas.  The size was checked against SW_FIGURE_MAX_SIDE, but
 * even that may not fit in memory. */
cairo_surface_t *sw_figure_new_canvas (int width, int height, GError **error);
/* Writes SURFACE to PATH.tmp-XXXXXX beside PATH, flushes it to disk and
 * renames it over PATH, so PATH is either the old file or the whole new
 * one, even after a crash or power cut. */
gboolean sw_figure_save_png (cairo_surface_t *surface, const char *path, GError **error);
