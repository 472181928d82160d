/* caption-terms.h: what training draws from a caption (issue 6).
 *
 * A caption is "name: keyword, keyword, ..." — the CLDR name, a colon, the
 * keywords; the name may hold colons of its own ("flag: Germany: flag"),
 * so the text after the last colon is the keywords.  Its terms are the
 * name's words one by one and each keyword whole (a keyword of two words
 * stays together), without repeats: "dog face: dog, face, pet" has the
 * terms dog, face and pet.
 *
 * Each time an image is drawn it is conditioned on a random non-empty
 * subset of its terms: a size k uniform in 1..n, then k terms at random.
 * A uniform size, rather than each term kept with probability 1/2, trains
 * the one-word prompts people type ("dog") as often as the longer ones.
 *
 * That gives a word alone to a caption with few terms more often than to
 * one with many ("dog: pet" 1/4 of its draws, "dog face: dog, face, pet"
 * 1/9), and guidance turns such a ratio into one picture: it weighs an
 * image by how likely the prompt is given that image, raised to the
 * guidance scale.  The balanced draw gives each term alone the same share
 * of every caption's draws, 1/12 (less only beyond 4 terms, where the
 * singles would pass a third), so a word's images keep equal weight; a
 * name of two or more words whole a third of the time, so "old man"
 * reads as its two words together; else k uniform in 2..n terms. */
#pragma once

#include <glib.h>

#include "models/prompt-encoder.h"
#include "base/rng.h"

G_BEGIN_DECLS

typedef struct _SwCaptionTerms SwCaptionTerms;

/* CAPTION's name, what comes before its last colon ("dog face" of "dog
 * face: dog, face, pet", "flag: Germany" of "flag: Germany: flag"); the
 * whole caption when it has none.  Free it with g_free. */
char           *sw_caption_name (const char *caption);

/* The terms of N captions, as ENC's word indices; a caption word ENC does
 * not know is an error naming it. */
SwCaptionTerms *sw_caption_terms_new (const SwPromptEncoder *enc, const char * const *captions,
                                      int n, GError **error);
void            sw_caption_terms_free (SwCaptionTerms *terms);

/* how many terms caption I has, and term J's words (N_WORDS of them) */
int             sw_caption_terms_count (const SwCaptionTerms *terms, int i);
const int      *sw_caption_terms_term (const SwCaptionTerms *terms, int i, int j, int *n_words);

typedef enum {
  SW_PROMPT_DRAW_SUBSET,     /* k uniform in 1..n, then k terms */
  SW_PROMPT_DRAW_BALANCED,   /* each term alone equally often on every caption */
} SwPromptDraw;

/* BAG (V floats, written whole): the bag of words (sw_prompt_bag) of a
 * random non-empty subset of caption I's terms drawn as DRAW says, from
 * RNG; all-zero for a caption without terms */
void            sw_caption_terms_draw (SwCaptionTerms *terms, int i, SwPromptDraw draw, SwRng *rng,
                                       float *bag);

/* Repeat-factor sampling (Gupta et al., LVIS, 2019) for a long tail of
 * words: caption I is drawn round(max(1, sqrt(THRESHOLD / f))) times an
 * epoch, f the share of the captions that have its rarest word.  On the
 * emoji, half the images are skin-tone variants whose words all recur,
 * while most objects have a word of their own ("strawberry" is in one
 * caption of 3,655): at THRESHOLD 0.003 those are drawn 3 times an epoch,
 * the variants once.  Returns the N counts and their sum in *TOTAL;
 * THRESHOLD 0 gives 1 each. */
int            *sw_caption_terms_repeats (const SwCaptionTerms *terms, double threshold, int *total);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwCaptionTerms, sw_caption_terms_free)

G_END_DECLS
