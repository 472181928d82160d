/* cascade.h: the cascade (issue 24, docs/design.md "The cascade"), as
 * DeepFloyd IF runs its stages: a prompt goes through stage I, a model
 * that draws small images from noise (16 px), and, when there is one,
 * stage II, a super-resolution model (eps-model.h's cond_channels) that
 * draws the big image (64 px) from noise beside the small one.
 *
 * One job, one progress, one cancel: stage I runs the SwJob it is given
 * (every Part A algorithm) through sw_job_run; its images, clamped to
 * [-1, 1], noised at sr_level (noise-augment.h, docs/math.md 3.2) and
 * nearest-upsampled (sr-pairs.h), condition stage II, which sw_job_run
 * runs too (the same update, the model reading the image beside x).
 * Stage II starts from those images upsampled (not noised at sr_level),
 * noised to its update nearest timestep sr_from (sw_cascade_sr_i_start),
 * as SDEdit starts: from pure noise, the ε-predicting emoji-stage2 sets
 * wrong colours in its noisiest steps and never mends them (docs/math.md
 * 3.3, docs/models/emoji-stage2.md).
 *
 *   SDEdit, img2img   stage I starts from the input area-downsampled, at
 *                     i_start; stage II super-resolves its result
 *   inpainting        the mask's block maxima for stage I; stage II starts
 *                     from the input outside the mask and blends it back
 *                     there after every update and at the end, so the
 *                     pixels the mask leaves are the input's exactly
 *   anagram, hybrid   composed at stage I only: the view or the filter is
 *                     in stage I's image, and stage II super-resolves it
 *
 * Stage II reads the prompt only when the job gives sr_cond (its own
 * vector: sw_cascade_stage2_reads_prompt); without it it runs one pass a
 * step and sr_guidance does nothing.
 *
 * Image i's stage I noise is its SwJob stream (seed, i); stage II's and
 * its augmentation noise come from streams of their own, (seed + K, i)
 * and (seed + 2K, i), K = SW_CASCADE_SEED_STEP, so the same seed and job
 * give the same bytes, whatever the count or batch. */
#pragma once

#include <gio/gio.h>

#include "diffusion/job.h"
#include "models/eps-model.h"

G_BEGIN_DECLS

/* 2^64 / the golden ratio: any constant apart from 0 keeps stage II's
 * streams away from stage I's */
#define SW_CASCADE_SEED_STEP UINT64_C (0x9E3779B97F4A7C15)

typedef struct {
  SwEpsModel *stage1;   /* draws from noise */
  SwEpsModel *stage2;   /* NULL, or super-resolution at stage1's side x its sr_factor */
} SwCascade;

/* Takes STAGE1 and STAGE2 (may be NULL), freeing both when they do not
 * fit together: STAGE1 must draw from noise, STAGE2 be a super-resolution
 * model of STAGE1's channels at its side x sr_factor on the same T. */
SwCascade *sw_cascade_new (SwEpsModel *stage1, SwEpsModel *stage2, GError **error);
/* the model files: STAGE1_PATH (sw_eps_model_load) and, unless NULL,
 * STAGE2_PATH (sw_eps_model_load_stage2), each refusing the other's kind */
SwCascade *sw_cascade_load (const char *stage1_path, const char *stage2_path, GError **error);
void       sw_cascade_free (SwCascade *cascade);
/* the stage II file that goes with the stage I file STAGE1_PATH when none
 * is named: NAME-stage2.safetensors beside NAME-stage1.safetensors (the
 * shipped emoji-stage1 and emoji-stage2), where that is a regular file;
 * else NULL.  stepwise-cli's default and the window's model list both
 * pair files by it. */
char      *sw_cascade_stage2_beside (const char *stage1_path);
/* whether stage II reads the prompt (has a vocabulary), so that a job
 * gives it sr_cond, encoded by stage II's own encode */
gboolean   sw_cascade_stage2_reads_prompt (const SwCascade *cascade);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwCascade, sw_cascade_free)

/* the defaults: stage II's steps are its recipe's (emoji-stage2: 20, for
 * issue 24's budget of a second for both stages), its guidance IF's 4,
 * its level and start as measured on emoji-stage2 (docs/models/
 * emoji-stage2.md) */
#define SW_CASCADE_SR_STEPS    20
#define SW_CASCADE_SR_GUIDANCE 4.0f
#define SW_CASCADE_SR_LEVEL    50
#define SW_CASCADE_SR_FROM     750

typedef struct {
  /* stage I's job, every field as sw_job_run takes it, but IMAGE (C, H, W)
   * and MASK (H, W) are at the output's side (sw_cascade_output): stage I
   * reads them area-downsampled */
  SwJob        job;
  gboolean     stage1_only;   /* stop after stage I (so does a cascade without stage II) */
  int          sr_steps;      /* stage II's strided updates, 1..T-1 */
  float        sr_guidance;   /* stage II's CFG scale, 0..100, with sr_cond */
  int          sr_level;      /* stage I's image's noise level, 0..T-1 */
  int          sr_from;       /* stage II starts from stage I's image noised to about this
                               * timestep, 0..T-1 (sw_cascade_sr_i_start) */
  const float *sr_cond;       /* stage II's prompt vector(s) as job.cond, or NULL */
} SwCascadeJob;

/* sw_job_init's stage I and the SW_CASCADE_SR_* defaults */
void        sw_cascade_job_init (SwCascadeJob *job);
/* the model whose images JOB gives: stage II's unless it stops after stage I */
SwEpsModel *sw_cascade_output (const SwCascade *cascade, const SwCascadeJob *job);
/* stage II's first update: the one whose timestep is nearest sr_from */
int         sw_cascade_sr_i_start (const SwCascade *cascade, const SwCascadeJob *job);
/* the updates the job makes for all its images, both stages (for progress) */
int         sw_cascade_total_steps (const SwCascade *cascade, const SwCascadeJob *job);
/* every field in range for CASCADE, or an error naming the field */
gboolean    sw_cascade_job_validate (const SwCascade *cascade, const SwCascadeJob *job,
                                     GError **error);
/* OUT (count, C, H, W) at the output's side, in [-1, 1] (not clamped).
 * STEP sees stage I's frames (stage 1), then stage II's (stage 2), each
 * stage's ending with its result; returning FALSE or CANCEL stop the job
 * within one step with SW_ERROR_CANCELLED. */
gboolean    sw_cascade_run (SwCascade *cascade, const SwCascadeJob *job, float *out, SwJobStep step,
                            gpointer user_data, GCancellable *cancel, GError **error);

/* Stage II alone on given low-res images, exactly as sw_cascade_run runs
 * it on stage I's from noise without a prompt (the same streams, so the
 * same bytes for the same images and seed): LOW (count, C, s, s), s =
 * STAGE2's side / sr_factor, in [-1, 1] (clamped), noised at LEVEL, read
 * by STEPS strided updates from the one nearest timestep FROM into OUT
 * (count, C, S, S) in [-1, 1] (not clamped).  STEP sees its frames as
 * stage 2.  For measuring stage II against real images (stepwise-cli
 * eval-sr). */
gboolean    sw_cascade_super_resolve (SwEpsModel *stage2, const float *low, int count, int steps,
                                      int level, int from, uint64_t seed, float *out, SwJobStep step,
                                      gpointer user_data, GCancellable *cancel, GError **error);

G_END_DECLS
