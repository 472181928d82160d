/* prompt-classes.h: prompts for a class-conditioned model (issue 4's
 * ddpm-prompt): each class answers to a few phrases ("a sneaker",
 * "a trainer"), the empty prompt is the unconditional model, and any other
 * prompt is an error that lists the known ones.
 *
 * Matching ignores case, punctuation, a leading "a photo of" / "a picture
 * of" / "an image of" and a leading article, so "A Sneaker." and
 * "sneaker" both select the sneaker class.  The table travels in a model
 * file's metadata as "prompt.classes": phrases joined by '|' within a
 * class and classes joined by ';', in class order. */
#pragma once

#include <glib.h>

#include "base/error.h"

G_BEGIN_DECLS

typedef struct _SwPromptClasses SwPromptClasses;

/* The built-in phrases for a dataset of Stepwise ("digits", "fashion"). */
SwPromptClasses *sw_prompt_classes_for_dataset (const char *dataset, GError **error);
/* From the metadata value; a malformed one is an error that says why. */
SwPromptClasses *sw_prompt_classes_parse (const char *meta, int n_classes, GError **error);
char            *sw_prompt_classes_to_meta (const SwPromptClasses *pc);
void             sw_prompt_classes_free (SwPromptClasses *pc);

int              sw_prompt_classes_count (const SwPromptClasses *pc);
/* the first phrase of class K, e.g. "a sneaker" */
const char      *sw_prompt_classes_name (const SwPromptClasses *pc, int k);
/* every phrase, in class order, NULL-terminated (for completion) */
char           **sw_prompt_classes_phrases (const SwPromptClasses *pc);

/* The class PROMPT selects, -1 for the empty prompt (unconditional), or
 * -2 with an error naming the prompt and listing the known ones. */
int              sw_prompt_classes_lookup (const SwPromptClasses *pc, const char *prompt,
                                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwPromptClasses, sw_prompt_classes_free)

G_END_DECLS
