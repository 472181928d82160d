/* job.h: a generation job (docs/design.md, "A generation job") — every Part A
 * sampling algorithm of docs/math.md 1.2 as one struct whose parts compose:
 *
 *   sampling from noise     image NULL, i_start 0
 *   CFG                     guidance != 1 (the empty prompt is the
 *                           unconditional estimate; 1 = conditional alone)
 *   SDEdit / image-to-image image, i_start > 0: start at forward(image, ts[i_start])
 *   inpainting (RePaint)    image + mask: after each update, where mask is 0
 *                           put back forward(image, t'), and at the end the
 *                           image itself
 *   visual anagram          compose ANAGRAM: (e1 + V^-1 e2(V x)) / 2
 *   hybrid image            compose HYBRID: lowpass(e1) + highpass(e2)
 *
 * so text-conditioned inpainting is a mask plus a prompt plus CFG.
 *
 * The update is docs/math.md 1.2.5 on the strided timesteps ts of
 * sw_strided_timesteps; its noise v_sigma is the model's learned-range
 * variance when it predicts one (docs/math.md 1.2.6), else the posterior
 * variance (1 - ab_t') / (1 - ab_t) beta_t, or none (deterministic).
 * Image i draws every random number from its own stream (seed, i): the
 * same seed and job give the same bytes, whatever the batch. */
#pragma once

#include <gio/gio.h>
#include <stdint.h>

#include "base/rng.h"
#include "models/eps-model.h"

G_BEGIN_DECLS

typedef enum {
  SW_COMPOSE_PLAIN,
  SW_COMPOSE_ANAGRAM,
  SW_COMPOSE_HYBRID,
} SwCompose;

/* an anagram's second view; each is its own inverse */
typedef enum {
  SW_VIEW_FLIP,       /* upside down: flip along the height axis */
  SW_VIEW_ROTATE180,
  SW_VIEW_NEGATE,     /* colour negation, x -> -x */
} SwView;

/* IN (C, H, W) seen through view V -> OUT (C, H, W); IN != OUT */
void sw_view_apply (SwView v, int C, int H, int W, const float *in, float *out);

typedef enum {
  SW_VARIANCE_AUTO,       /* learned when the model predicts it, else posterior */
  SW_VARIANCE_POSTERIOR,
  SW_VARIANCE_NONE,
} SwVarianceMode;

typedef struct {
  int             count;          /* images, 1..1000 */
  int             steps;          /* strided updates, 1..T-1 (33: 990, 960, ..., 0) */
  int             i_start;        /* first update, 0..steps-1 */
  uint64_t        seed;
  float           guidance;       /* CFG scale, 0..100 */
  const float    *cond;           /* (cond_dim), or (count, cond_dim) when
                                   * cond_per_image; NULL = the empty prompt */
  const float    *cond2;          /* the same for the anagram's / hybrid's second prompt */
  gboolean        cond_per_image;
  const float    *image;          /* (C, H, W) in [-1, 1], or (count, C, H, W) when
                                   * image_per_image; or NULL */
  gboolean        image_per_image;
  const float    *mask;           /* (H, W) in [0, 1], 1 = regenerate; needs image */
  SwCompose       compose;
  SwView          view;
  int             hybrid_kernel;  /* 0: sw_hybrid_kernel_for_size */
  float           hybrid_sigma;
  SwVarianceMode  variance;
  gboolean        clip_x0;        /* clamp the predicted x0 to [-1, 1] */
  int             batch;          /* images per pass, 0 = 16 */
  /* A super-resolution model's conditioning (the cascade's stage II,
   * cascade.h), which it needs and every other model refuses: per image
   * the low-res image it upsamples, already noised at LEVEL and brought
   * to the model's grid, (count, model cond_channels, H, W); viewed with
   * x where the composition views x.  LEVEL is its noise level, 0..T-1. */
  const float    *cond_image;
  int             cond_level;
} SwJob;

/* What a step hands back: the images first..first+n-1 at index I (t =
 * ts[i]) before its update, and the model's prediction of x0 there.  After
 * the last update it comes once more with i = steps, t = 0 and x_t = x0 =
 * the result.  Return FALSE to stop. */
typedef struct {
  int          i, steps, t;
  int          first, n;
  const float *x_t;   /* (n, C, H, W) */
  const float *x0;    /* (n, C, H, W) */
  /* the frame's stage: 1 for a job of one model and a cascade's stage I,
   * 2 for its stage II (cascade.h); C, H, W the images' geometry, which
   * differs between the stages */
  int          stage;
  int          channels, height, width;
} SwJobFrame;

typedef gboolean (*SwJobStep) (const SwJobFrame *frame, gpointer user_data);

/* 1 image, 33 steps, i_start 0, seed 0, guidance 7, posterior... the
 * defaults of docs/math.md 1.2 */
void     sw_job_init (SwJob *job);
/* every field in range for MODEL, or an error naming the field and its range */
gboolean sw_job_validate (const SwJob *job, const SwEpsModel *model, GError **error);
/* OUT (count, C, H, W) in [-1, 1] (not clamped).  CANCEL may be NULL; a
 * cancelled job or a step that returned FALSE ends with SW_ERROR_CANCELLED
 * within one step. */
gboolean sw_job_run (SwEpsModel *model, const SwJob *job, float *out, SwJobStep step,
                     gpointer user_data, GCancellable *cancel, GError **error);

/* Where image INDEX of JOB starts, OUT (C, H, W): the noise of its stream
 * (seed, INDEX), carried forward from JOB's image to t = ts[i_start] when
 * it has one — what sw_job_run denoises, for showing before it runs.
 * Returns that t.  RNG (may be NULL) is left where the job goes on
 * drawing that image's noise. */
int      sw_job_start (const SwEpsModel *model, const SwJob *job, int index, SwRng *rng, float *out);

/* docs/math.md 1.2.1: OUT = sqrt(ab_t) X0 + sqrt(1 - ab_t) EPS, N floats */
void     sw_forward_noise (const SwEpsModel *model, int t, size_t n, const float *x0,
                           const float *eps, float *out);
/* docs/math.md 1.2.3: the one-step estimate of x0 from X_T at timestep T with
 * COND (cond_dim or NULL = empty prompt) and guidance G; X0 (C, H, W) */
void     sw_one_step (SwEpsModel *model, int t, const float *x_t, const float *cond, float g,
                      float *x0);

G_END_DECLS
