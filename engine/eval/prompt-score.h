/* prompt-score.h: how often a model that reads prompts as words draws
 * what its prompt names, judged by the nearest training image (issue 6's
 * stepwise-cli eval-prompts, and issue 22's broad --names score).
 *
 * Each sample's nearest training image is the one at the least L2
 * distance on pixels after a Gaussian blur of sigma 2 px of both, so that
 * a sample a pixel off or a little noisy still finds the emoji it looks
 * like.  A sample counts when that image's caption has the prompt's words
 * (every one of them, for "old man"; a plural or an alias counts as the
 * words it stands for: sw_prompt_encoder_caption_matches).
 *
 * The --names prompts are the captions' one-word names: a caption is
 * "name: keyword, keyword, ..." (caption-terms.h), and a name of one word
 * ("banana", "ghost", "frog") is the prompt, so the score asks whether
 * the model draws each emoji a user can call by one word. */
#pragma once

#include <glib.h>

#include "base/error.h"
#include "data/dataset.h"
#include "models/prompt-encoder.h"

G_BEGIN_DECLS

#define SW_PROMPT_SCORE_BLUR_SIGMA 2.0f

typedef struct {
  int        n_prompts, per;
  char     **prompts;    /* n_prompts, NULL-terminated */
  GPtrArray *groups;     /* per prompt, what it stands for (sw_prompt_encoder_resolve) */
  int       *nearest;    /* (n_prompts * per): each sample's nearest training image */
  int       *matched;    /* (n_prompts): samples whose nearest image's caption has the words */
  int       *distinct;   /* (n_prompts): distinct nearest images among its samples */
  int       *named;      /* (n_prompts): training images whose caption has the words */
  int        total;      /* the sum of matched */
} SwPromptScore;

/* A score of PER samples each of PROMPTS (NULL-terminated) under VOCAB's
 * words, before any sample is drawn: a prompt with a word VOCAB does not
 * know is resolve's error, one of stop words only an error saying it has
 * no word to look for. */
SwPromptScore *sw_prompt_score_new (const SwPromptEncoder  *vocab,
                                    const char * const     *prompts,
                                    int                     per,
                                    GError                **error);
void           sw_prompt_score_free (SwPromptScore *s);

/* Scores SAMPLES (n_prompts * per images, prompt after prompt, laid out
 * as TRAIN's, values in [0, 1]) against TRAIN, a captioned dataset:
 * fills nearest, matched, distinct, named and total.  An error when TRAIN
 * has no captions or images of another shape than SAMPLES' (C, H, W). */
gboolean       sw_prompt_score_run (SwPromptScore          *s,
                                    const SwPromptEncoder  *vocab,
                                    const SwDataset        *train,
                                    const float            *samples,
                                    int                     C,
                                    int                     H,
                                    int                     W,
                                    GError                **error);

/* The distinct one-word names of the N CAPTIONS, lower-cased, in sorted
 * order, that VOCAB can encode (NULL-terminated; free with g_strfreev);
 * *N_SKIPPED gets how many it cannot (a word it lacks, or a stop word). */
char         **sw_name_prompts (const SwPromptEncoder  *vocab,
                                const char * const     *captions,
                                int                     n,
                                int                    *n_skipped);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwPromptScore, sw_prompt_score_free)

G_END_DECLS
