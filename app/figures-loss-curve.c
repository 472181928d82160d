/* figures-loss-curve.c: sw_figure_loss_curve(), a line plot on a log10 y
 * axis with its ticks at round numbers, as many as fit. */
#include "figures-canvas.h"

#include <math.h>
#include <string.h>

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

/* Colours, beside the text's INK */
#define FRAME 0.25, 0.25, 0.25
#define GRID_LINE 0.89, 0.89, 0.89
#define SERIES 0.12, 0.31, 0.62
#define SERIES_LIGHT 0.66, 0.76, 0.90

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
  double width = sw_figure_text_width (cr, label->text);
  if (label->exponent)
    {
      cairo_save (cr);
      cairo_set_font_size (cr, TICK_LABEL_PX * SUPERSCRIPT_SCALE);
      width += sw_figure_text_width (cr, label->exponent);
      cairo_restore (cr);
    }
  return width;
}

/* Draws LABEL right-aligned at X, centred on Y. */
static void
draw_tick_label (cairo_t *cr, const TickLabel *label, double x, double y)
{
  double left = x - tick_label_width (cr, label);
  sw_figure_draw_text (cr, label->text, left, y, 0, 0.5);
  if (label->exponent)
    {
      double base_w = sw_figure_text_width (cr, label->text);
      cairo_save (cr);
      cairo_set_font_size (cr, TICK_LABEL_PX * SUPERSCRIPT_SCALE);
      sw_figure_draw_text (cr, label->exponent, left + base_w, y - TICK_LABEL_PX * SUPERSCRIPT_RISE, 0, 0.5);
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

  cairo_surface_t *surface = sw_figure_new_canvas (CURVE_W, CURVE_H, error);
  if (surface == NULL)
    return FALSE;
  cairo_t *cr = cairo_create (surface);

  sw_figure_set_font (cr, TITLE_PX, TRUE);
  double title_h = sw_figure_text_height (cr);
  sw_figure_set_font (cr, AXIS_LABEL_PX, FALSE);
  double label_h = sw_figure_text_height (cr);
  sw_figure_set_font (cr, TICK_LABEL_PX, FALSE);
  double tick_h = sw_figure_text_height (cr);

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
  double x_step = x_tick_step (p.w / (p.x_hi - p.x_lo), sw_figure_text_width (cr, x_widest));
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
      sw_figure_draw_text (cr, label, plot_x (&p, i * x_step), p.y + p.h + MAJOR_TICK + 4, 0.5, 0);
    }
  sw_figure_set_font (cr, AXIS_LABEL_PX, FALSE);
  if (xlabel)
    sw_figure_draw_text (cr, xlabel, p.x + p.w / 2, CURVE_H - 14, 0.5, 1);
  if (ylabel)
    {
      cairo_save (cr);
      cairo_translate (cr, 14, p.y + p.h / 2);
      cairo_rotate (cr, -G_PI / 2);
      sw_figure_draw_text (cr, ylabel, 0, 0, 0.5, 0);
      cairo_restore (cr);
    }
  if (title)
    {
      sw_figure_set_font (cr, TITLE_PX, TRUE);
      sw_figure_draw_text (cr, title, p.x + p.w / 2, 14, 0.5, 0);
    }

  cairo_destroy (cr);
  gboolean ok = sw_figure_save_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}
