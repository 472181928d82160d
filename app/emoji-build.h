/* emoji-build.h: the emoji dataset from a list of emoji: each one drawn
 * (emoji-render.h) and captioned (emoji-captions.h), the ones the font
 * cannot draw as one glyph left out and counted.  stepwise-cli
 * emoji-dataset runs it on all of emoji-test.txt; tests on a few. */
#pragma once

#include <glib.h>

#include "data/emoji-captions.h"
#include "emoji-render.h"

G_BEGIN_DECLS

/* An image is counted grey when no pixel's channels differ by more than
 * this: black-and-white emoji such as ⚫ or ✔ (anti-aliasing on white
 * keeps them grey, and no coloured emoji is that pale). */
#define SW_EMOJI_GREY_SPREAD 24

typedef struct {
  int      n;              /* images drawn */
  int      size;           /* their side in pixels */
  guint8  *pixels;         /* (n, 3, size, size) */
  char   **captions;       /* n captions, NULL-terminated */
  char   **codepoints;     /* n lines such as "1F436", NULL-terminated */
  int      n_missing;      /* left out: the font lacks a code point */
  int      n_multi;        /* left out: more than one glyph */
  int      n_blank;        /* left out: one glyph without ink */
  int      n_grey;         /* drawn, without colour (SW_EMOJI_GREY_SPREAD) */
  int      n_unannotated;  /* captioned with emoji-test's name alone: CLDR
                              has nothing on them (emoji newer than it) */
} SwEmojiSet;

/* Draws EMOJI (an array of SwEmoji, emoji-list.h) in order, SIZE x SIZE
 * (emoji-render.h).  A caption is CAPTIONS' one, else the emoji's name in
 * emoji-test.txt.  An error only when the font fails to load a glyph. */
SwEmojiSet *sw_emoji_set_build (SwEmojiRenderer        *renderer,
                                const SwEmojiCaptions  *captions,
                                const GArray           *emoji,
                                int                     size,
                                GError                **error);
void        sw_emoji_set_free (SwEmojiSet *set);

/* Shrinks SET's images FACTOR times (FACTOR divides set->size) by exact
 * area averaging: each output pixel is the mean of a FACTOR x FACTOR block,
 * rounded to the nearest byte, and n_grey is counted again.  The mean is
 * of the sRGB bytes themselves, not of linear light: that is how cairo
 * scaled the 32 px set and how the models read pixels, and it keeps thin
 * dark outlines and eyes dark (a 1 px black line in a 4 x 4 block of
 * white gives 191 in sRGB, 225 through linear light), which is what keeps
 * a 16 px emoji readable. */
void        sw_emoji_set_downsample (SwEmojiSet *set, int factor);

/* The dataset's LICENSES.txt: what it is made from and under which terms,
 * then the Debian copyright files of the font and of Unicode's data and
 * the Apache License text, copied verbatim.  SCALED says how the glyphs
 * were scaled: "32 x 32" completes "scaled down to".  An error if one of
 * the files is missing. */
char       *sw_emoji_licenses (const char *scaled, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwEmojiSet, sw_emoji_set_free)

G_END_DECLS
