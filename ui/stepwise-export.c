/* stepwise-export.c: frames scaled up with nearest neighbour (pixels stay
 * squares, as in the window) onto a white page, then io/png.c. */
#include "stepwise-export.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "io/png.h"

#define GAP 2
#define ANIMATION_DELAY_MS 80
#define ANIMATION_HOLD_MS 1500   /* the result stays a while before the loop */

/* copies IMAGE (C, H, W in [-1, 1]) scaled SCALE times to (X, Y) of PAGE,
 * PAGE_W pixels wide with C interleaved channels */
static void
blit (guint8 *page, int page_w, int x, int y, GBytes *image, int C, int H, int W, int scale)
{
  g_autofree guint8 *px = sw_png_pixels_from_image (g_bytes_get_data (image, NULL), C, H, W, scale);
  const size_t row = (size_t) W * scale * C;
  for (int r = 0; r < H * scale; r++)
    memcpy (page + ((size_t) (y + r) * page_w + x) * C, px + r * row, row);
}

static gboolean
check (StepwiseScrubber *scrubber, int C, int H, int W, GError **error)
{
  GBytes *x_t = NULL;
  if (!stepwise_scrubber_get_frame (scrubber, 0, NULL, NULL, &x_t, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no trajectory to export yet"));
      return FALSE;
    }
  g_return_val_if_fail (g_bytes_get_size (x_t) == sizeof (float) * C * H * W, FALSE);
  return TRUE;
}

GBytes *
stepwise_export_strip (StepwiseScrubber *scrubber, int C, int H, int W, GHashTable *meta, GError **error)
{
  if (!check (scrubber, C, H, W, error))
    return NULL;
  const int n = (int) stepwise_scrubber_get_n_frames (scrubber);
  const int cols = MIN (n, STEPWISE_EXPORT_MAX_COLUMNS);
  const int scale = MAX (1, 56 / MAX (H, 1));
  const int cw = W * scale + GAP, ch = H * scale + GAP;
  const int page_w = cols * cw + GAP, page_h = 2 * ch + GAP;
  g_autofree guint8 *page = g_malloc ((size_t) page_w * page_h * C);
  memset (page, 255, (size_t) page_w * page_h * C);
  for (int c = 0; c < cols; c++)
    {
      const int k = cols == 1 ? 0 : (int) ((gint64) c * (n - 1) / (cols - 1));
      GBytes *x_t, *x0;
      stepwise_scrubber_get_frame (scrubber, k, NULL, NULL, &x_t, &x0);
      blit (page, page_w, GAP + c * cw, GAP, x_t, C, H, W, scale);
      blit (page, page_w, GAP + c * cw, GAP + ch, x0, C, H, W, scale);
    }
  return sw_png_encode (page, page_w, page_h, C, meta, error);
}

GBytes *
stepwise_export_animation (StepwiseScrubber *scrubber, int C, int H, int W, GHashTable *meta,
                           GError **error)
{
  if (!check (scrubber, C, H, W, error))
    return NULL;
  const int n = (int) stepwise_scrubber_get_n_frames (scrubber);
  const int scale = MAX (1, 112 / MAX (H, 1));
  const int page_w = 2 * W * scale + 3 * GAP, page_h = H * scale + 2 * GAP;
  g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint *delays = g_new (guint, n);
  for (int k = 0; k < n; k++)
    {
      guint8 *page = g_malloc ((size_t) page_w * page_h * C);
      memset (page, 255, (size_t) page_w * page_h * C);
      GBytes *x_t, *x0;
      stepwise_scrubber_get_frame (scrubber, k, NULL, NULL, &x_t, &x0);
      blit (page, page_w, GAP, GAP, x_t, C, H, W, scale);
      blit (page, page_w, 2 * GAP + W * scale, GAP, x0, C, H, W, scale);
      g_ptr_array_add (frames, page);
      delays[k] = k == n - 1 ? ANIMATION_HOLD_MS : ANIMATION_DELAY_MS;
    }
  return sw_png_encode_animation ((const guint8 * const *) frames->pdata, n, delays, page_w, page_h,
                                        C, meta, error);
}
