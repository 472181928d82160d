/* emoji-captions.h: captions for emoji from CLDR's English annotations
 * (Debian's unicode-cldr-core: /usr/share/unicode/cldr/common/annotations/
 * en.xml and annotationsDerived/en.xml).
 *
 * CLDR gives each emoji two <annotation cp="🐶"> elements: the one with
 * type="tts" holds its short name ("dog face"), the other its keywords
 * separated by '|' ("dog | face | pet").  A caption is the name, a colon,
 * then the keywords that differ from the name: "dog face: dog, face, pet".
 *
 * CLDR writes its cp attributes without U+FE0F (the emoji presentation
 * selector) while emoji-test.txt's fully-qualified sequences carry it, so
 * keys and lookups both drop U+FE0F: "❤️" and "❤" find the same caption. */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

#define SW_CLDR_ANNOTATIONS_EN "/usr/share/unicode/cldr/common/annotations/en.xml"
#define SW_CLDR_ANNOTATIONS_DERIVED_EN "/usr/share/unicode/cldr/common/annotationsDerived/en.xml"

typedef struct _SwEmojiCaptions SwEmojiCaptions;

SwEmojiCaptions *sw_emoji_captions_new (void);
void             sw_emoji_captions_free (SwEmojiCaptions *c);

/* Adds the annotations of the CLDR file PATH.  What an earlier file gave
 * an emoji is kept: load en.xml before annotationsDerived/en.xml.  A file
 * that is not well-formed XML, or an <annotation> without a cp attribute,
 * is an error naming the file and the line; nothing of that file is kept
 * then. */
gboolean         sw_emoji_captions_load (SwEmojiCaptions  *c,
                                         const char       *path,
                                         GError          **error);

/* The number of emoji (cp values) with a name. */
guint            sw_emoji_captions_count (const SwEmojiCaptions *c);

/* "dog face: dog, face, pet" for EMOJI (UTF-8, with or without U+FE0F);
 * just the name when it has no other keywords; NULL when CLDR gives it no
 * name.  Free with g_free. */
char            *sw_emoji_captions_lookup (const SwEmojiCaptions *c, const char *emoji);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwEmojiCaptions, sw_emoji_captions_free)

G_END_DECLS
