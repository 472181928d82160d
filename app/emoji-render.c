/* emoji-render.c: HarfBuzz shapes, FreeType loads the colour bitmap, cairo
 * scales it onto white (emoji-render.h). */
#include "emoji-render.h"

#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>
#include <string.h>

struct _SwEmojiRenderer {
  FT_Library   library;
  FT_Face      face;
  hb_font_t   *font;
  hb_buffer_t *buffer;
  char        *file;    /* the font's path, for messages */
};

static const char *
ft_message (FT_Error e)
{
  const char *s = FT_Error_String (e);
  return s ? s : "FreeType error";
}

SwEmojiRenderer *
sw_emoji_renderer_new (const char *font_path, GError **error)
{
  g_return_val_if_fail (font_path != NULL, NULL);

  g_autoptr (SwEmojiRenderer) r = g_new0 (SwEmojiRenderer, 1);
  r->file = g_filename_display_name (font_path);
  FT_Error e = FT_Init_FreeType (&r->library);
  if (e != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_IO, "FreeType does not start: %s (%d)",
                   ft_message (e), e);
      return NULL;
    }
  e = FT_New_Face (r->library, font_path, 0, &r->face);
  if (e != 0)
    {
      sw_file_error (error, e == FT_Err_Cannot_Open_Resource ? SW_ERROR_IO : SW_ERROR_FORMAT,
                     r->file, "cannot open it as a font: %s (FreeType error %d)",
                     ft_message (e), e);
      return NULL;
    }
  if (!FT_HAS_COLOR (r->face) || r->face->num_fixed_sizes < 1)
    {
      sw_file_error (error, SW_ERROR_FORMAT, r->file,
                     "has no colour bitmaps; expected a colour bitmap font such as Noto Color "
                     "Emoji (Debian's fonts-noto-color-emoji)");
      return NULL;
    }
  /* the largest strike has the most detail to scale down from */
  int best = 0;
  for (int i = 1; i < r->face->num_fixed_sizes; i++)
    if (r->face->available_sizes[i].y_ppem > r->face->available_sizes[best].y_ppem)
      best = i;
  e = FT_Select_Size (r->face, best);
  if (e != 0)
    {
      sw_file_error (error, SW_ERROR_FORMAT, r->file, "its bitmap size %d cannot be selected: %s",
                     best, ft_message (e));
      return NULL;
    }
  r->font = hb_ft_font_create_referenced (r->face);
  r->buffer = hb_buffer_create ();
  /* U+FE0F and U+200D left over from a sequence would come out as extra
   * (empty) glyphs; a sequence the font draws as one is one glyph */
  hb_buffer_set_flags (r->buffer, HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES);
  return g_steal_pointer (&r);
}

void
sw_emoji_renderer_free (SwEmojiRenderer *r)
{
  if (r == NULL)
    return;
  if (r->buffer)
    hb_buffer_destroy (r->buffer);
  if (r->font)
    hb_font_destroy (r->font);
  if (r->face)
    FT_Done_Face (r->face);
  if (r->library)
    FT_Done_FreeType (r->library);
  g_free (r->file);
  g_free (r);
}

/* The font's glyph for TEXT, or 0 with the reason in *OUTCOME */
static hb_codepoint_t
shape (SwEmojiRenderer *r, const char *text, SwEmojiOutcome *outcome)
{
  hb_buffer_clear_contents (r->buffer);
  hb_buffer_add_utf8 (r->buffer, text, -1, 0, -1);
  hb_buffer_guess_segment_properties (r->buffer);
  hb_shape (r->font, r->buffer, NULL, 0);
  unsigned n;
  const hb_glyph_info_t *glyphs = hb_buffer_get_glyph_infos (r->buffer, &n);
  for (unsigned i = 0; i < n; i++)
    if (glyphs[i].codepoint == 0)
      {
        *outcome = SW_EMOJI_MISSING_GLYPH;
        return 0;
      }
  *outcome = n == 1 ? SW_EMOJI_DRAWN : n == 0 ? SW_EMOJI_BLANK : SW_EMOJI_MULTI_GLYPH;
  return n == 1 ? glyphs[0].codepoint : 0;
}

/* The loaded glyph's BGRA bitmap as a cairo surface (both premultiplied;
 * FreeType's byte order is fixed, cairo's is the machine's), and its ink
 * box: columns X0..X1, rows Y0..Y1 holding any alpha.  NULL when no pixel
 * has any. */
static cairo_surface_t *
glyph_surface (const FT_Bitmap *bm, int *x0, int *y0, int *x1, int *y1)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) bm->width,
                                                   (int) bm->rows);
  guint8 *data = cairo_image_surface_get_data (s);
  const int stride = cairo_image_surface_get_stride (s);
  *x0 = *y0 = G_MAXINT;
  *x1 = *y1 = -1;
  for (int y = 0; y < (int) bm->rows; y++)
    {
      const guint8 *src = bm->buffer + (ptrdiff_t) y * bm->pitch;
      guint32 *dst = (guint32 *) (data + (size_t) y * stride);
      for (int x = 0; x < (int) bm->width; x++, src += 4)
        {
          dst[x] = (guint32) src[3] << 24 | (guint32) src[2] << 16 | (guint32) src[1] << 8 | src[0];
          if (src[3] == 0)
            continue;
          *x0 = MIN (*x0, x);
          *x1 = MAX (*x1, x);
          *y0 = MIN (*y0, y);
          *y1 = MAX (*y1, y);
        }
    }
  cairo_surface_mark_dirty (s);
  if (*x1 < 0)
    {
      cairo_surface_destroy (s);
      return NULL;
    }
  return s;
}

/* Draws GLYPH's ink box, its long side sw_emoji_ink (S) pixels, centred on
 * a white square of S; RGB gets its planes */
static void
draw_centred (cairo_surface_t *glyph, int x0, int y0, int x1, int y1, int S, guint8 *rgb)
{
  const double w = x1 - x0 + 1, h = y1 - y0 + 1, scale = sw_emoji_ink (S) / MAX (w, h);
  cairo_surface_t *out = cairo_image_surface_create (CAIRO_FORMAT_RGB24, S, S);
  cairo_t *cr = cairo_create (out);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, S / 2.0, S / 2.0);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -(x0 + w / 2), -(y0 + h / 2));
  cairo_set_source_surface (cr, glyph, 0, 0);
  /* GOOD averages over the source pixels when shrinking, rather than
   * sampling one in four */
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (out);

  const guint8 *data = cairo_image_surface_get_data (out);
  const int stride = cairo_image_surface_get_stride (out);
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      {
        guint32 p = ((const guint32 *) (data + (size_t) y * stride))[x];
        rgb[0 * S * S + y * S + x] = (guint8) (p >> 16);
        rgb[1 * S * S + y * S + x] = (guint8) (p >> 8);
        rgb[2 * S * S + y * S + x] = (guint8) p;
      }
  cairo_surface_destroy (out);
}

gboolean
sw_emoji_render (SwEmojiRenderer *r, const char *text, int size, guint8 *rgb,
                 SwEmojiOutcome *outcome, GError **error)
{
  g_return_val_if_fail (r != NULL && text != NULL && rgb != NULL && outcome != NULL, FALSE);
  g_return_val_if_fail (size >= SW_EMOJI_MIN_SIZE && size <= SW_EMOJI_MAX_SIZE, FALSE);

  memset (rgb, 255, (size_t) 3 * size * size);
  hb_codepoint_t glyph = shape (r, text, outcome);
  if (*outcome != SW_EMOJI_DRAWN)
    return TRUE;

  FT_Error e = FT_Load_Glyph (r->face, glyph, FT_LOAD_COLOR);
  if (e != 0)
    return sw_file_error (error, SW_ERROR_FORMAT, r->file, "glyph %u does not load: %s",
                          glyph, ft_message (e));
  const FT_Bitmap *bm = &r->face->glyph->bitmap;
  if (bm->pixel_mode != FT_PIXEL_MODE_BGRA)
    return sw_file_error (error, SW_ERROR_FORMAT, r->file,
                          "glyph %u is not a colour bitmap (FreeType pixel mode %d)", glyph,
                          bm->pixel_mode);
  int x0, y0, x1, y1;
  cairo_surface_t *s = glyph_surface (bm, &x0, &y0, &x1, &y1);
  if (s == NULL)
    {
      *outcome = SW_EMOJI_BLANK;
      return TRUE;
    }
  draw_centred (s, x0, y0, x1, y1, size, rgb);
  cairo_surface_destroy (s);
  return TRUE;
}
