/* prompt-encoder.h: prompts as bags of words, for a model trained on
 * captions (issue 6's emoji, "dog face: dog, face, pet").
 *
 * Words.  Text is lower-cased and split into runs of letters and digits
 * (digits count: "keycap: 1", "100"); a one-letter piece after an
 * apostrophe ("man’s", "don’t") is dropped, and so are stop words, which
 * say nothing about what an image shows: articles, a few prepositions and
 * conjunctions, and "photo", "picture", "image", "drawing", "painting",
 * "lithograph", ... ("a lithograph of a skull" is "skull").
 *
 * Vocabulary.  Every word of the training captions, sorted.  It travels in
 * a model file's metadata as "prompt.vocabulary": the words in index order
 * joined by single spaces.
 *
 * Encoding.  The conditioning vector has one entry per vocabulary word:
 * 1/k on each of the prompt's k distinct words, 0 elsewhere, so the empty
 * prompt (or one of stop words only) is the all-zero, unconditional vector
 * of classifier-free guidance.  It goes where the class vector of the
 * UNet's class FCBlocks goes (unet.h): each class FCBlock's first Linear
 * (V -> F) is then exactly a learned F-wide embedding per word, averaged
 * over the prompt; with the UNet's optional word embedding (embed_dim E) it
 * instead picks out and averages one shared E-vector per word.
 *
 * A prompt word not in the vocabulary is read as the plural of a known word
 * ("dogs", "strawberries", "tomatoes"), else looked up in a small alias
 * table for words the captions lack (campfire -> fire, camping); anything
 * else is an error naming the word and the nearest known words by edit
 * distance. */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

typedef struct _SwPromptEncoder SwPromptEncoder;

/* TEXT's words in order (repeats kept), stop words dropped; NULL-terminated.
 * Invalid UTF-8 is read with replacement characters, which split words. */
char           **sw_prompt_words (const char *text);
gboolean         sw_prompt_is_stop_word (const char *word);

/* The vocabulary of the N CAPTIONS.  An error when they hold no word at
 * all. */
SwPromptEncoder *sw_prompt_encoder_new (const char * const *captions, int n, GError **error);
/* From a "prompt.vocabulary" value for a model whose class vector is SIZE
 * wide; a malformed one is an error that says why. */
SwPromptEncoder *sw_prompt_encoder_parse (const char *meta, int size, GError **error);
char            *sw_prompt_encoder_to_meta (const SwPromptEncoder *enc);

/* issue 6's quality prompts, which the training grids and eval-prompts
 * draw: dog, old man, fire, skull, strawberry, pencil, hamburger, rocket,
 * tree, sunset, milk, tower (NULL-terminated) */
extern const char * const sw_quality_prompts[];
void             sw_prompt_encoder_free (SwPromptEncoder *enc);

int              sw_prompt_encoder_size (const SwPromptEncoder *enc);   /* V */
const char      *sw_prompt_encoder_word (const SwPromptEncoder *enc, int i);
/* the index of WORD (as sw_prompt_words gives it), -1 when unknown */
int              sw_prompt_encoder_index (const SwPromptEncoder *enc, const char *word);
/* the vocabulary and the alias words that resolve in it, sorted,
 * NULL-terminated (for completion) */
char           **sw_prompt_encoder_prompts (const SwPromptEncoder *enc);

/* What PROMPT stands for: one GArray of int per prompt word (in order),
 * the vocabulary words it means — itself, its singular or its alias's
 * targets.  Empty for the empty prompt; NULL with an error naming the
 * first unknown word and suggesting the nearest known ones. */
GPtrArray       *sw_prompt_encoder_resolve (const SwPromptEncoder *enc, const char *prompt,
                                            GError **error);
/* The bag of words of the N vocabulary indices WORDS (a repeat counts
 * once): COND (V floats) is 1/k on each of the k distinct words, else 0 */
void             sw_prompt_bag (int V, const int *words, int n, float *cond);
/* PROMPT -> COND (V floats): the bag of the words it stands for */
gboolean         sw_prompt_encoder_encode (const SwPromptEncoder *enc, const char *prompt,
                                           float *cond, GError **error);
/* Whether CAPTION has, for every group of GROUPS (from resolve), one of
 * the group's words: "old man" matches "old man: adult, man, old" but not
 * "man: adult". */
gboolean         sw_prompt_encoder_caption_matches (const SwPromptEncoder *enc,
                                                    const GPtrArray *groups, const char *caption);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwPromptEncoder, sw_prompt_encoder_free)

G_END_DECLS
