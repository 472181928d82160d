/* figures.c: loss curves and image grids as PNG, drawn with cairo's image
 * surface and its toy text API (one font, no shaping: enough for labels
 * and numbers, and no dependency beyond cairo). */
#include "figures.h"

#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FONT "sans-serif"

/* The white space between the images of a grid, and around it. */
#define GAP 2

/* The loss curve: its size, font sizes (px) and tick lengths. */
#define CURVE_W 800
#define CURVE_H 500
#define TITLE_PX 17
#define AXIS_LABEL_PX 14
#define TICK_LABEL_PX 12
#define MAJOR_TICK 6
#define MINOR_TICK 3

/* Tick labels closer than this many label heights would touch. */
#define LABEL_SPACING 1.6

/* Colours */
#define INK 0.12, 0.12, 0.12
#define FRAME 0.25, 0.25, 0.25
#define GRID_LINE 0.89, 0.89, 0.89
#define SERIES 0.12, 0.31, 0.62
#define SERIES_LIGHT 0.66, 0.76, 0.90

/* Text */

static void
set_font (cairo_t *cr, double px, gboolean bold)
{
  cairo_select_font_face (cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, px);
}

/* The toy text API puts the context in an error state on invalid UTF-8,
 * after which nothing more is drawn; labels come from the user. */
static char *
valid_text (const char *text)
{
  return g_utf8_make_valid (text, -1);
}

static double
text_width (cairo_t *cr, const char *text)
{
  g_autofree char *valid = valid_text (text);
  cairo_text_extents_t ext;
  cairo_text_extents (cr, valid, &ext);
  return MAX (ext.x_advance, ext.x_bearing + ext.width);
}

/* The height of a line of text in the current font. */
static double
text_height (cairo_t *cr)
{
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  return fe.ascent + fe.descent;
}

/* Draws TEXT with its box (advance width by ascent + descent) placed so
 * that the point at fractions (XALIGN, YALIGN) of the box lands on (X, Y).
 * Aligning on the font's box rather than the ink keeps labels in a row on
 * one baseline. */
static void
draw_text (cairo_t *cr, const char *text, double x, double y, double xalign, double yalign)
{
  g_autofree char *valid = valid_text (text);
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  cairo_move_to (cr, x - xalign * text_width (cr, valid),
                 y - yalign * (fe.ascent + fe.descent) + fe.ascent);
  cairo_show_text (cr, valid);
}

/* Writing */

typedef struct {
  int fd;
  int saved_errno;
} PngSink;

static cairo_status_t
write_all (void *closure, const unsigned char *data, unsigned int length)
{
  PngSink *sink = closure;
  while (length > 0)
    {
      ssize_t written = write (sink->fd, data, length);
      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          sink->saved_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += written;
      length -= (unsigned int) written;
    }
  return CAIRO_STATUS_SUCCESS;
}

/* Writes SURFACE to PATH.tmp-XXXXXX beside PATH, flushes it to disk and
 * renames it over PATH, so PATH is either the old file or the whole new
 * one, even after a crash or power cut. */
static gboolean
save_png (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  /* 0666 less the umask, like any file the user saves, rather than the
   * 0600 of g_mkstemp(). */
  PngSink sink = { g_mkstemp_full (tmp, O_WRONLY, 0666), 0 };
  if (sink.fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "could not write the figure “%s”: %s",
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  cairo_status_t status = cairo_surface_write_to_png_stream (surface, write_all, &sink);
  gboolean ok = status == CAIRO_STATUS_SUCCESS;
  if (ok && fsync (sink.fd) != 0)
    {
      ok = FALSE;
      sink.saved_errno = errno;
    }
  if (close (sink.fd) != 0 && ok)
    {
      ok = FALSE;
      sink.saved_errno = errno;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      ok = FALSE;
      sink.saved_errno = errno;
    }
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "could not write the figure “%s”: %s", display,
                   sink.saved_errno != 0 ? g_strerror (sink.saved_errno)
                                         : cairo_status_to_string (status));
    }
  return ok;
}

/* A white canvas.  The size was checked against SW_FIGURE_MAX_SIDE, but
 * even that may not fit in memory. */
static cairo_surface_t *
new_canvas (int width, int height, GError **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "cannot make a %d x %d pixel figure: %s",
                   width, height, cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_destroy (cr);
  return surface;
}

static gboolean
check_figure_size (gint64 width, gint64 height, const char *advice, GError **error)
{
  if (width <= SW_FIGURE_MAX_SIDE && height <= SW_FIGURE_MAX_SIDE)
    return TRUE;
  g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
               "the figure would be %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
               " pixels; at most %d are accepted on a side: %s",
               width, height, SW_FIGURE_MAX_SIDE, advice);
  return FALSE;
}

/* A context for measuring text before the canvas size is known. */
static cairo_t *
new_measuring_context (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t *cr = cairo_create (surface);
  cairo_surface_destroy (surface);
  return cr;
}

/* Loss curve */

/* A tick of the log axis, at M * 10^E. */
typedef struct {
  gint64 m;
  int    e;
} Tick;

/* Its label: TEXT, then EXPONENT (or NULL) as a superscript. */
typedef struct {
  char *text;
  char *exponent;
} TickLabel;

static const int DECADES[] = { 1 };
static const int ONE_TWO_FIVE[] = { 1, 2, 5 };
static const int EVERY_DIGIT[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static double
tick_position (Tick t)
{
  return log10 ((double) t.m) + t.e;
}

/* The ticks M * 10^E inside [LO, HI] (in decades) with M one of MANTISSAS
 * and E a multiple of STRIDE. */
static GArray *
digit_ticks (double lo, double hi, const int *mantissas, int n_mantissas, int stride)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (Tick));
  for (int e = (int) floor (lo); e <= (int) ceil (hi); e++)
    for (int j = 0; j < n_mantissas && e % stride == 0; j++)
      {
        Tick t = { mantissas[j], e };
        if (tick_position (t) >= lo - 1e-9 && tick_position (t) <= hi + 1e-9)
          g_array_append_val (ticks, t);
      }
  return ticks;
}

/* The multiples of Q * 10^E inside [LO, HI] decades. */
static GArray *
linear_ticks (double lo, double hi, int q, int e)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (Tick));
  double step = q * pow (10, e);
  for (gint64 i = (gint64) ceil (pow (10, lo) / step); i * step <= pow (10, hi); i++)
    {
      Tick t = { i * q, e };
      g_array_append_val (ticks, t);
    }
  return ticks;
}

/* On an axis spanning well under a decade the digits are too sparse, and
 * evenly spaced values read best.  Finds the smallest step Q * 10^E (Q 1,
 * 2 or 5) whose multiples inside [LO, HI] decades stand at least GAP px
 * apart; they are closest at the top.  FALSE if no such step leaves two
 * multiples inside. */
static gboolean
linear_step (double lo, double hi, double px_per_decade, double gap, int *q, int *e)
{
  double bottom = pow (10, lo), top = pow (10, hi);
  for (int k = (int) floor (hi) - 3;; k++)
    for (size_t j = 0; j < G_N_ELEMENTS (ONE_TWO_FIVE); j++)
      {
        double step = ONE_TWO_FIVE[j] * pow (10, k), highest = floor (top / step) * step;
        if (highest - step < bottom)
          return FALSE;
        if (log10 (highest / (highest - step)) * px_per_decade >= gap)
          {
            *q = ONE_TWO_FIVE[j];
            *e = k;
            return TRUE;
          }
      }
}

/* Drops each tick nearer than MIN_GAP px to the one kept before it. */
static void
thin_ticks (GArray *ticks, double px_per_decade, double min_gap)
{
  guint kept = 0;
  for (guint i = 0; i < ticks->len; i++)
    {
      Tick t = g_array_index (ticks, Tick, i);
      if (kept > 0
          && (tick_position (t) - tick_position (g_array_index (ticks, Tick, kept - 1))) * px_per_decade
             < min_gap)
        continue;
      g_array_index (ticks, Tick, kept++) = t;
    }
  g_array_set_size (ticks, kept);
}

/* The labelled ticks of a log axis spanning [LO, HI] decades over AXIS_PX
 * pixels: the decades, with 2x and 5x where they fit, or every few decades
 * on a long axis; on a short one, every digit or evenly spaced values,
 * whichever gives more labels.  None is nearer than MIN_GAP px to the
 * next. */
static GArray *
choose_log_ticks (double lo, double hi, double axis_px, double min_gap)
{
  double px_per_decade = axis_px / (hi - lo);
  GArray *ticks;
  if (log10 (2.0) * px_per_decade < min_gap)
    {
      int stride = (int) ceil (min_gap / px_per_decade);
      ticks = digit_ticks (lo, hi, DECADES, G_N_ELEMENTS (DECADES), stride);
    }
  else
    {
      ticks = digit_ticks (lo, hi, ONE_TWO_FIVE, G_N_ELEMENTS (ONE_TWO_FIVE), 1);
      int q, e;
      if (ticks->len < 3)
        {
          g_array_free (ticks, TRUE);
          ticks = digit_ticks (lo, hi, EVERY_DIGIT, G_N_ELEMENTS (EVERY_DIGIT), 1);
          thin_ticks (ticks, px_per_decade, min_gap);
          /* Not crowded: no more than about eight labels. */
          if (linear_step (lo, hi, px_per_decade, MAX (min_gap, axis_px / 8), &q, &e))
            {
              GArray *even = linear_ticks (lo, hi, q, e);
              if (even->len >= ticks->len)
                {
                  g_array_free (ticks, TRUE);
                  ticks = even;
                }
              else
                g_array_free (even, TRUE);
            }
        }
    }
  thin_ticks (ticks, px_per_decade, min_gap);
  return ticks;
}

static void
clear_tick_label (gpointer data)
{
  TickLabel *label = data;
  g_free (label->text);
  g_free (label->exponent);
}

/* T's significant digits and the power of ten of the first. */
static char *
tick_digits (Tick t, int *power)
{
  while (t.m % 10 == 0)
    {
      t.m /= 10;
      t.e++;
    }
  char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, t.m);
  *power = t.e + (int) strlen (digits) - 1;
  return digits;
}

/* Plain decimals ("0.005") read best; far from 1 they get long, and the
 * whole axis switches to powers of ten ("5×10⁻⁶") so its labels stay
 * alike. */
static GArray *
format_log_ticks (GArray *ticks)
{
  GArray *labels = g_array_sized_new (FALSE, TRUE, sizeof (TickLabel), ticks->len);
  g_array_set_clear_func (labels, clear_tick_label);
  gboolean scientific = FALSE;
  for (guint i = 0; i < ticks->len; i++)
    {
      int power;
      g_free (tick_digits (g_array_index (ticks, Tick, i), &power));
      scientific |= power < -4 || power > 5;
    }
  for (guint i = 0; i < ticks->len; i++)
    {
      Tick t = g_array_index (ticks, Tick, i);
      TickLabel label = { NULL, NULL };
      if (!scientific)
        label.text = g_strdup_printf ("%.*f", MAX (0, -t.e), t.m * pow (10, t.e));
      else
        {
          int power;
          g_autofree char *digits = tick_digits (t, &power);
          /* "10", "2×10", "1.5×10", with the power as a superscript */
          if (strcmp (digits, "1") == 0)
            label.text = g_strdup ("10");
          else
            label.text = g_strdup_printf ("%c%s%s×10", digits[0], digits[1] ? "." : "", digits + 1);
          label.exponent = g_strdup_printf ("%s%d", power < 0 ? "−" : "", ABS (power));
        }
      g_array_append_val (labels, label);
    }
  return labels;
}

/* Superscripts are this much of the font size, raised this much. */
#define SUPERSCRIPT_SCALE 0.7
#define SUPERSCRIPT_RISE 0.45

static double
tick_label_width (cairo_t *cr, const TickLabel *label)
{
  double width = text_width (cr, label->text);
  if (label->exponent)
    {
      cairo_save (cr);
      cairo_set_font_size (cr, TICK_LABEL_PX * SUPERSCRIPT_SCALE);
      width += text_width (cr, label->exponent);
      cairo_restore (cr);
    }
  return width;
}

/* Draws LABEL right-aligned at X, centred on Y. */
static void
draw_tick_label (cairo_t *cr, const TickLabel *label, double x, double y)
{
  double left = x - tick_label_width (cr, label);
  draw_text (cr, label->text, left, y, 0, 0.5);
  if (label->exponent)
    {
      double base_w = text_width (cr, label->text);
      cairo_save (cr);
      cairo_set_font_size (cr, TICK_LABEL_PX * SUPERSCRIPT_SCALE);
      draw_text (cr, label->exponent, left + base_w, y - TICK_LABEL_PX * SUPERSCRIPT_RISE, 0, 0.5);
      cairo_restore (cr);
    }
}

/* The smallest step of 1, 2 or 5 times a power of ten (at least 1: the
 * points are numbered) at which x labels WIDEST px wide do not crowd. */
static double
x_tick_step (double px_per_unit, double widest)
{
  for (double decade = 1;; decade *= 10)
    for (size_t j = 0; j < G_N_ELEMENTS (ONE_TWO_FIVE); j++)
      if (ONE_TWO_FIVE[j] * decade * px_per_unit >= widest + 3 * TICK_LABEL_PX)
        return ONE_TWO_FIVE[j] * decade;
}

static gboolean
drawable (float v)
{
  return isfinite (v) && v > 0;
}

/* Widens [*LO, *HI] (decades) to take in the drawable values of V;
 * returns how many there are. */
static size_t
extend_log_range (const float *v, size_t n, double *lo, double *hi)
{
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (drawable (v[i]))
      {
        *lo = MIN (*lo, log10 (v[i]));
        *hi = MAX (*hi, log10 (v[i]));
        count++;
      }
  return count;
}

/* The plot area in pixels and the data range it shows. */
typedef struct {
  double x, y, w, h;
  double x_lo, x_hi;    /* point numbers */
  double y_lo, y_hi;    /* decades */
} Plot;

static double
plot_x (const Plot *p, double x)
{
  return p->x + (x - p->x_lo) / (p->x_hi - p->x_lo) * p->w;
}

static double
plot_y (const Plot *p, double decades)
{
  return p->y + p->h - (decades - p->y_lo) / (p->y_hi - p->y_lo) * p->h;
}

/* 1 px lines are crisp only through pixel centres. */
static double
crisp (double at)
{
  return floor (at) + 0.5;
}

/* Strokes V, point I at x = X0 + I * DX, breaking the line at values a log
 * axis cannot show.  Each run starts with a zero-length segment, which the
 * round caps draw as a dot, so a lone point between gaps still shows. */
static void
stroke_series (cairo_t *cr, const Plot *p, const float *v, size_t n, double x0, double dx)
{
  gboolean pen_down = FALSE;
  for (size_t i = 0; i < n; i++)
    {
      if (!drawable (v[i]))
        {
          pen_down = FALSE;
          continue;
        }
      double px = plot_x (p, x0 + i * dx), py = plot_y (p, log10 (v[i]));
      if (!pen_down)
        cairo_move_to (cr, px, py);
      cairo_line_to (cr, px, py);
      pen_down = TRUE;
    }
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
}

static void
mark_points (cairo_t *cr, const Plot *p, const float *v, size_t n, double x0, double dx)
{
  for (size_t i = 0; i < n; i++)
    if (drawable (v[i]))
      {
        cairo_new_sub_path (cr);
        cairo_arc (cr, plot_x (p, x0 + i * dx), plot_y (p, log10 (v[i])), 3.5, 0, 2 * G_PI);
      }
  cairo_fill (cr);
}

/* Curves with few points get a marker on each, as a per-epoch curve
 * should: a bare polyline hides where the measurements are. */
#define MARKED_POINTS_MAX 60

gboolean
sw_figure_loss_curve (const char   *path,
                      const char   *title,
                      const char   *xlabel,
                      const char   *ylabel,
                      const float  *values,
                      size_t        n,
                      const float  *background,
                      size_t        n_background,
                      GError      **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (values != NULL || n == 0, FALSE);

  if (n == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a loss curve needs at least one value; none were given");
      return FALSE;
    }
  if (background == NULL)
    n_background = 0;

  double lo = INFINITY, hi = -INFINITY;
  size_t n_drawable = extend_log_range (values, n, &lo, &hi)
                      + extend_log_range (background, n_background, &lo, &hi);
  if (n_drawable == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "none of the %zu loss values is finite and positive, and a log axis "
                   "can only show values above 0", n + n_background);
      return FALSE;
    }
  /* A little room above and below so the line does not run along the
   * frame; a flat curve gets a tenth of a decade. */
  double centre = (lo + hi) / 2, span = MAX (hi - lo, 0.1);
  Plot p = { .y_lo = centre - 0.54 * span, .y_hi = centre + 0.54 * span };

  /* The x axis counts the background's points when there is one, and the
   * values spread over it, each in the middle of its share. */
  size_t n_x = n_background > 0 ? n_background : n;
  double dx = (double) n_x / n, x0 = (dx + 1) / 2;
  double x_pad = n_x > 1 ? 0.03 * (n_x - 1) : 0.5;
  p.x_lo = 1 - x_pad;
  p.x_hi = n_x + x_pad;

  cairo_surface_t *surface = new_canvas (CURVE_W, CURVE_H, error);
  if (surface == NULL)
    return FALSE;
  cairo_t *cr = cairo_create (surface);

  set_font (cr, TITLE_PX, TRUE);
  double title_h = text_height (cr);
  set_font (cr, AXIS_LABEL_PX, FALSE);
  double label_h = text_height (cr);
  set_font (cr, TICK_LABEL_PX, FALSE);
  double tick_h = text_height (cr);

  double top = title ? ceil (14 + title_h + 12) : 24;
  double bottom = ceil (MAJOR_TICK + 4 + tick_h + (xlabel ? 8 + label_h : 0) + 14);
  p.y = top;
  p.h = CURVE_H - top - bottom;

  g_autoptr (GArray) y_ticks = choose_log_ticks (p.y_lo, p.y_hi, p.h, LABEL_SPACING * tick_h);
  g_autoptr (GArray) y_labels = format_log_ticks (y_ticks);
  double widest = 0;
  for (guint i = 0; i < y_labels->len; i++)
    widest = MAX (widest, tick_label_width (cr, &g_array_index (y_labels, TickLabel, i)));
  p.x = ceil (14 + (ylabel ? label_h + 10 : 0) + widest + 5 + MAJOR_TICK);
  p.w = CURVE_W - p.x - 32;

  /* The widest x label is the one with the most digits. */
  g_autofree char *x_widest = g_strdup_printf ("%.0f", floor (p.x_hi));
  double x_step = x_tick_step (p.w / (p.x_hi - p.x_lo), text_width (cr, x_widest));
  gint64 x_first = (gint64) ceil (p.x_lo / x_step), x_last = (gint64) floor (p.x_hi / x_step);

  /* Grid lines under everything */
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgb (cr, GRID_LINE);
  for (guint i = 0; i < y_ticks->len; i++)
    {
      double y = crisp (plot_y (&p, tick_position (g_array_index (y_ticks, Tick, i))));
      cairo_move_to (cr, p.x, y);
      cairo_line_to (cr, p.x + p.w, y);
    }
  for (gint64 i = x_first; i <= x_last; i++)
    {
      double x = crisp (plot_x (&p, i * x_step));
      cairo_move_to (cr, x, p.y);
      cairo_line_to (cr, x, p.y + p.h);
    }
  cairo_stroke (cr);

  /* The series, clipped to the plot */
  cairo_save (cr);
  cairo_rectangle (cr, p.x, p.y, p.w, p.h);
  cairo_clip (cr);
  if (n_background > 0)
    {
      cairo_set_source_rgb (cr, SERIES_LIGHT);
      cairo_set_line_width (cr, 1);
      stroke_series (cr, &p, background, n_background, 1, 1);
    }
  cairo_set_source_rgb (cr, SERIES);
  cairo_set_line_width (cr, n_background > 0 || n <= MARKED_POINTS_MAX ? 2 : 1.25);
  stroke_series (cr, &p, values, n, x0, dx);
  if (n <= MARKED_POINTS_MAX)
    mark_points (cr, &p, values, n, x0, dx);
  cairo_restore (cr);

  /* Frame and ticks */
  cairo_set_source_rgb (cr, FRAME);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, crisp (p.x), crisp (p.y), p.w, p.h);
  for (guint i = 0; i < y_ticks->len; i++)
    {
      double y = crisp (plot_y (&p, tick_position (g_array_index (y_ticks, Tick, i))));
      cairo_move_to (cr, p.x, y);
      cairo_line_to (cr, p.x - MAJOR_TICK, y);
    }
  /* Unlabelled ticks at every digit while they stay apart */
  if (log10 (10.0 / 9) * p.h / (p.y_hi - p.y_lo) >= 3)
    {
      g_autoptr (GArray) minor = digit_ticks (p.y_lo, p.y_hi, EVERY_DIGIT, G_N_ELEMENTS (EVERY_DIGIT), 1);
      for (guint i = 0; i < minor->len; i++)
        {
          double y = crisp (plot_y (&p, tick_position (g_array_index (minor, Tick, i))));
          cairo_move_to (cr, p.x, y);
          cairo_line_to (cr, p.x - MINOR_TICK, y);
        }
    }
  for (gint64 i = x_first; i <= x_last; i++)
    {
      double x = crisp (plot_x (&p, i * x_step));
      cairo_move_to (cr, x, p.y + p.h);
      cairo_line_to (cr, x, p.y + p.h + MAJOR_TICK);
    }
  cairo_stroke (cr);

  /* Text */
  cairo_set_source_rgb (cr, INK);
  for (guint i = 0; i < y_ticks->len; i++)
    draw_tick_label (cr, &g_array_index (y_labels, TickLabel, i), p.x - MAJOR_TICK - 5,
                     plot_y (&p, tick_position (g_array_index (y_ticks, Tick, i))));
  for (gint64 i = x_first; i <= x_last; i++)
    {
      g_autofree char *label = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) (i * x_step));
      draw_text (cr, label, plot_x (&p, i * x_step), p.y + p.h + MAJOR_TICK + 4, 0.5, 0);
    }
  set_font (cr, AXIS_LABEL_PX, FALSE);
  if (xlabel)
    draw_text (cr, xlabel, p.x + p.w / 2, CURVE_H - 14, 0.5, 1);
  if (ylabel)
    {
      cairo_save (cr);
      cairo_translate (cr, 14, p.y + p.h / 2);
      cairo_rotate (cr, -G_PI / 2);
      draw_text (cr, ylabel, 0, 0, 0.5, 0);
      cairo_restore (cr);
    }
  if (title)
    {
      set_font (cr, TITLE_PX, TRUE);
      draw_text (cr, title, p.x + p.w / 2, 14, 0.5, 0);
    }

  cairo_destroy (cr);
  gboolean ok = save_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}

/* Image grids */

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
      widest = MAX (widest, text_width (cr, labels[i]));
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
  if (!check_figure_size (g->cols * (tile_w + GAP) + GAP, g->rows * (tile_h + GAP) + GAP,
                          "use a smaller scale or fewer images", error))
    return FALSE;

  /* Text grows with the images so it stays in proportion, within what
   * reads well. */
  double label_px = CLAMP (tile_h * 0.16, 12, 24), title_px = label_px * 1.25;
  double pad = round (label_px * 0.75);
  cairo_t *measure = new_measuring_context ();
  set_font (measure, title_px, TRUE);
  double title_w = g->title ? text_width (measure, g->title) : 0, title_h = text_height (measure);
  set_font (measure, label_px, FALSE);
  double label_h = text_height (measure);
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
  if (!check_figure_size (width, height, "use a smaller scale, fewer images per row or shorter labels",
                          error))
    return FALSE;

  cairo_surface_t *surface = new_canvas ((int) width, (int) height, error);
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
  set_font (cr, label_px, FALSE);
  for (int r = 0; g->row_labels && r < g->rows; r++)
    if (g->row_labels[r])
      draw_text (cr, g->row_labels[r], grid_x - pad / 2,
                 grid_y + GAP + r * (cell_h + GAP) + cell_h / 2.0, 1, 0.5);
  for (int c = 0; g->col_labels && c < g->cols; c++)
    if (g->col_labels[c])
      draw_text (cr, g->col_labels[c], grid_x + GAP + c * (cell_w + GAP) + cell_w / 2.0,
                 col_label_y, 0.5, 0);
  if (g->title)
    {
      /* Over the grid, or as near as the figure's edges allow. */
      double x = CLAMP (grid_x + grid_w / 2.0, pad + title_w / 2, width - pad - title_w / 2);
      set_font (cr, title_px, TRUE);
      draw_text (cr, g->title, x, title_y, 0.5, 0);
    }
  cairo_destroy (cr);

  gboolean ok = save_png (surface, path, error);
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

/* Reading */

gboolean
sw_figure_png_size (const char *path, int *width, int *height, GError **error)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree char *display = NULL;
  guint8 head[24];

  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  FILE *fp = g_fopen (path, "rb");
  if (fp == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "could not read “%s”: %s", display,
                   g_strerror (saved_errno));
      return FALSE;
    }
  size_t got = fread (head, 1, sizeof head, fp);
  int saved_errno = ferror (fp) ? errno : 0;
  fclose (fp);
  if (saved_errno != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "could not read “%s”: %s", display,
                   g_strerror (saved_errno));
      return FALSE;
    }
  /* The signature, then the IHDR chunk: length, type, width, height. */
  if (got < sizeof head || memcmp (head, signature, 8) != 0 || memcmp (head + 12, "IHDR", 4) != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "“%s” is not a PNG file: it does not start with the PNG signature and header",
                   display);
      return FALSE;
    }
  guint32 w = (guint32) head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
  guint32 h = (guint32) head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
  if (w == 0 || h == 0 || w > G_MAXINT || h > G_MAXINT)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "“%s”: the PNG header gives a size of %u x %u pixels; PNG allows 1 to 2^31 - 1 "
                   "on a side", display, w, h);
      return FALSE;
    }
  if (width)
    *width = (int) w;
  if (height)
    *height = (int) h;
  return TRUE;
}

gboolean
sw_figure_image (const char *path, const float *image, int C, int H, int W, GError **error)
{
  const GridSpec g = { .rows = 1, .cols = 1, .C = C, .H = H, .W = W, .scale = 1 };
  if (!check_image_shape (C, H, W, 1, error))
    return FALSE;
  cairo_surface_t *surface = new_canvas (W, H, error);
  if (!surface)
    return FALSE;
  cairo_surface_flush (surface);
  paint_image (surface, 0, 0, image, &g);
  cairo_surface_mark_dirty (surface);
  gboolean ok = save_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}
