/* stepwise-prompt-suggestions.h: the prompts a model knows that match
 * what is typed in an entry, listed under it in the window's own layout.
 *
 * It replaces GtkEntryCompletion, whose popup grabbed the pointer and the
 * keyboard until a suggestion was clicked (issue 23).  The list is an
 * ordinary child of the controls, never a popup: it takes no grab and no
 * focus, so every other control keeps working while it shows.  Keys typed
 * in the entry drive it: Down and Up pick a suggestion, Return takes the
 * one picked, Escape hides the list. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_PROMPT_SUGGESTIONS (stepwise_prompt_suggestions_get_type ())
G_DECLARE_FINAL_TYPE (StepwisePromptSuggestions, stepwise_prompt_suggestions, STEPWISE, PROMPT_SUGGESTIONS,
                      GtkWidget)

/* at most this many suggestions show */
#define STEPWISE_PROMPT_SUGGESTIONS_MAX 6

/* the entry whose text is matched and set (the "entry" property) */
void        stepwise_prompt_suggestions_set_entry    (StepwisePromptSuggestions *self, GtkEditable *entry);
/* the prompts to suggest from (copied); NULL for none */
void        stepwise_prompt_suggestions_set_prompts  (StepwisePromptSuggestions *self,
                                                      const char * const *prompts);
/* how many suggestions show now (0 when the list is hidden) */
guint       stepwise_prompt_suggestions_get_n_shown  (StepwisePromptSuggestions *self);
/* suggestion I among those shown, or NULL */
const char *stepwise_prompt_suggestions_get_shown    (StepwisePromptSuggestions *self, guint i);
/* puts suggestion I into the entry and hides the list, as a click does */
void        stepwise_prompt_suggestions_accept       (StepwisePromptSuggestions *self, guint i);

G_END_DECLS
