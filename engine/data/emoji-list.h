/* emoji-list.h: the emoji Unicode lists in emoji-test.txt (Debian's
 * unicode-data: /usr/share/unicode/emoji/emoji-test.txt).
 *
 * Each data line there reads
 *   1F436                  ; fully-qualified     # 🐶 E0.6 dog face
 * code points in hex, the status, then a comment with the emoji, the
 * Emoji version that added it and its name.  Stepwise takes the
 * fully-qualified ones, the form a keyboard sends and a font draws; the
 * other statuses (minimally-qualified, unqualified, component) repeat
 * them without U+FE0F or are skin-tone swatches. */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

#define SW_EMOJI_TEST_FILE "/usr/share/unicode/emoji/emoji-test.txt"

typedef struct {
  char *codepoints;   /* as the file writes them: "1F441 FE0F 200D 1F5E8 FE0F" */
  char *text;         /* the same in UTF-8 */
  char *name;         /* emoji-test's name: "dog face" */
} SwEmoji;

/* Reads the fully-qualified emoji of the emoji-test.txt file PATH, in file
 * order, into *EMOJI (an array of SwEmoji that frees its elements).  A
 * line that is not "CODE POINTS ; STATUS # EMOJI E<version> NAME", a code
 * point that is not hex or not a Unicode scalar value, or a file without
 * any fully-qualified emoji is an error naming the file and line. */
gboolean sw_emoji_list_load (const char   *path,
                             GArray      **emoji,
                             GError      **error);

G_END_DECLS
