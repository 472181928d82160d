/* figures-canvas.c: what every figure is drawn with: cairo's image surface
 * and its toy text API (one font, no shaping: enough for labels and
 * numbers, and no dependency beyond cairo), and the PNG files, written
 * atomically and their size read back. */
#include "figures-canvas.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/output-file.h"

#define FONT "sans-serif"

/* Text */

void
sw_figure_set_font (cairo_t *cr, double px, gboolean bold)
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

double
sw_figure_text_width (cairo_t *cr, const char *text)
{
  g_autofree char *valid = valid_text (text);
  cairo_text_extents_t ext;
  cairo_text_extents (cr, valid, &ext);
  return MAX (ext.x_advance, ext.x_bearing + ext.width);
}

double
sw_figure_text_height (cairo_t *cr)
{
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  return fe.ascent + fe.descent;
}

void
sw_figure_draw_text (cairo_t *cr, const char *text, double x, double y, double xalign, double yalign)
{
  g_autofree char *valid = valid_text (text);
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  cairo_move_to (cr, x - xalign * sw_figure_text_width (cr, valid),
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

gboolean
sw_figure_save_png (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *target = sw_output_target (path, error);
  if (!target)
    return FALSE;
  g_autofree char *tmp = g_strconcat (target, ".tmp-XXXXXX", NULL);
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
  if (ok && g_rename (tmp, target) != 0)
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

cairo_surface_t *
sw_figure_new_canvas (int width, int height, GError **error)
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

gboolean
sw_figure_check_size (gint64 width, gint64 height, const char *advice, GError **error)
{
  if (width <= SW_FIGURE_MAX_SIDE && height <= SW_FIGURE_MAX_SIDE)
    return TRUE;
  g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
               "the figure would be %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
               " pixels; at most %d are accepted on a side: %s",
               width, height, SW_FIGURE_MAX_SIDE, advice);
  return FALSE;
}

cairo_t *
sw_figure_new_measuring_context (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t *cr = cairo_create (surface);
  cairo_surface_destroy (surface);
  return cr;
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

