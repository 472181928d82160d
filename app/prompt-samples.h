/* prompt-samples.h: samples for a list of prompts from a model that reads
 * prompts as words (emoji-ddpm), a row of PER for each prompt: what the
 * training grids and stepwise-cli eval-prompts draw. */
#pragma once

#include <glib.h>

#include "models/eps-model.h"
#include "models/prompt-encoder.h"

/* OUT (n_prompts * PER, C, H, W), in [-1, 1]: PER images of each of
 * PROMPTS (NULL-terminated), prompt after prompt, sampled with STEPS
 * strided updates, GUIDANCE and SEED, with a progress bar on a terminal.
 * An unknown prompt is an error naming it. */
gboolean sw_prompt_samples (SwEpsModel *m, const char * const *prompts, int per, int steps,
                            float guidance, uint64_t seed, float *out, GError **error);
