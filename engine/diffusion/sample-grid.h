/* sample-grid.h: the samples of a model's grid, drawn one way for every
 * front end: the figure after a training epoch (stepwise-cli train, the
 * window's Train page) and stepwise-cli eval-prompts.  Laying them out in a
 * picture stays with each front end, which draws with its own code.
 *
 * Images come in the datasets' [0, 1], clamped, sampled with SEED (image
 * i from its stream (SEED, i), sampler.h and job.h). */
#pragma once

#include <glib.h>

#include "diffusion/cascade.h"
#include "models/eps-model.h"
#include "models/model-config.h"
#include "models/unet.h"

G_BEGIN_DECLS

/* After every sampling step: DONE of TOTAL image-steps.  Return FALSE to
 * stop; the sampling then ends with SW_ERROR_CANCELLED. */
typedef gboolean (*SwGridProgress) (double done, double total, gpointer user_data);

/* OUT (ROWS * COLS, C, H, W), row after row, with MODEL's default steps
 * (all T for DDPM) and guidance: for a net with classes, row r holds COLS
 * samples of class r (ROWS at most its classes); for one without, ROWS *
 * COLS unconditional samples.  PROGRESS may be NULL. */
gboolean sw_sample_class_grid (SwUnet *net, const SwModelConfig *model, int rows, int cols,
                               uint64_t seed, float *out, SwGridProgress progress,
                               gpointer user_data, GError **error);

/* The prompts of a training grid for a model that reads prompts as
 * words: the quality prompts (prompt-encoder.h) it knows, at most MAX; or
 * when it knows none (a vocabulary of a few images), its first MAX words.
 * NULL-terminated (free the array with g_free; the strings are the
 * model's and the table's). */
const char **sw_grid_prompts (SwEpsModel *m, int max);

/* OUT (n_prompts * PER, C, H, W): PER images of each of PROMPTS
 * (NULL-terminated), prompt after prompt, sampled with STEPS strided
 * updates and GUIDANCE.  An unknown prompt is an error naming it.
 * PROGRESS may be NULL. */
gboolean sw_sample_prompts (SwEpsModel *m, const char * const *prompts, int per, int steps,
                            float guidance, uint64_t seed, float *out, SwGridProgress progress,
                            gpointer user_data, GError **error);

/* The same through cascade C: stage I as sw_sample_prompts, stage II
 * (when C has one and SR does not stop after stage I) with SR's sr_steps,
 * sr_level and sr_guidance (its other fields are ignored), reading the
 * prompts when it has a vocabulary; OUT at the output's side. */
gboolean sw_sample_prompts_cascade (SwCascade *c, const char * const *prompts, int per, int steps,
                                    float guidance, const SwCascadeJob *sr, uint64_t seed,
                                    float *out, SwGridProgress progress, gpointer user_data,
                                    GError **error);

G_END_DECLS
