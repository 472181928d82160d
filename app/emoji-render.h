/* emoji-render.h: one emoji → a small RGB image, drawn from a colour
 * bitmap font (Debian's fonts-noto-color-emoji).
 *
 * The text is shaped with HarfBuzz, which turns a sequence such as
 * 1F468 200D 1F373 (man cook) into the font's one ligature glyph when the
 * font has it.  FreeType loads that glyph's colour bitmap (the font's
 * CBDT strike, 136 x 128 pixels in Noto), the ink box (the pixels that are
 * not fully transparent) is found, and cairo scales it so that its long
 * side is sw_emoji_ink (size) pixels and draws it centred on a white
 * square of SIZE pixels: SW_EMOJI_SIZE (32) for the emoji dataset, 64 for
 * emoji64 and emoji16 (dataset.h). */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

#define SW_EMOJI_FONT "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
#define SW_EMOJI_SIZE 32
#define SW_EMOJI_INK 30
/* the squares drawn: 32 (emoji) and 64 (emoji64, and emoji16 from it) */
#define SW_EMOJI_MIN_SIZE 16
#define SW_EMOJI_MAX_SIZE 128

/* The ink box's long side on a square of SIZE: SW_EMOJI_INK / SW_EMOJI_SIZE
 * of it (15/16), a margin of 1/32 each side, the same at every size */
static inline int
sw_emoji_ink (int size)
{
  return size * SW_EMOJI_INK / SW_EMOJI_SIZE;
}

typedef enum {
  SW_EMOJI_DRAWN,          /* the image holds the emoji */
  SW_EMOJI_MISSING_GLYPH,  /* the font lacks it: it shapes to glyph 0 */
  SW_EMOJI_MULTI_GLYPH,    /* the font has no ligature for the sequence:
                              it shapes to several glyphs */
  SW_EMOJI_BLANK,          /* one glyph without any ink */
} SwEmojiOutcome;

typedef struct _SwEmojiRenderer SwEmojiRenderer;

/* Opens FONT_PATH; an error unless it is a font with colour bitmaps. */
SwEmojiRenderer *sw_emoji_renderer_new (const char *font_path, GError **error);
void             sw_emoji_renderer_free (SwEmojiRenderer *r);

/* Draws TEXT (UTF-8) into RGB, (3, SIZE, SIZE) bytes (SIZE from
 * SW_EMOJI_MIN_SIZE to SW_EMOJI_MAX_SIZE), plane by plane, and says in *OUTCOME whether it is there; RGB is left
 * white unless *OUTCOME is SW_EMOJI_DRAWN.  FALSE with an error only when
 * the font itself fails (a glyph that will not load). */
gboolean         sw_emoji_render (SwEmojiRenderer  *r,
                                  const char       *text,
                                  int               size,
                                  guint8           *rgb,
                                  SwEmojiOutcome   *outcome,
                                  GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwEmojiRenderer, sw_emoji_renderer_free)

G_END_DECLS
