/* sampler.h: drawing images from a Part B model (docs/math.md 2.5-2.6).
 *
 * Flow matching: Euler steps x += u/T from x ~ N(0, I) at t = 0 to t = 1.
 * DDPM: the ancestral sampler of Algorithm B.2 with all T steps and noise
 * sqrt(beta_t).  With a class-conditioned model and guidance g, each step
 * uses u = u_uncond + g (u_cond - u_uncond) (classifier-free guidance; the
 * unconditional pass has an all-zero class vector).  Guidance may start
 * part of the way (guide_after): the steps before use the conditional pass
 * alone, which keeps the variety that guidance at high noise collapses
 * (Kynkäänniemi et al. 2024, "Applying guidance in a limited interval
 * improves sample and distribution quality in diffusion models").
 * eps-cosine (ddpm-prompt): a generation job (job.h) with STEPS strided
 * updates; the step callback then sees pixels in [-1, 1], the result is
 * mapped to [0, 1] like every other recipe's.
 *
 * Image i's randomness comes from its own stream (seed, i), so an image
 * does not change when it is drawn in a different batch or count (beyond
 * the rounding of GEMMs of another shape). */
#pragma once

#include <glib.h>

#include "models/model-config.h"
#include "models/unet.h"

G_BEGIN_DECLS

/* After every step: X and the model's current estimate of the final image
 * (x1 for flow, x0 for DDPM), both (n, C, H, W) for images first..first+n.
 * Return FALSE to stop. */
typedef gboolean (*SwSampleStep) (int step, int steps, int first, int n,
                                  const float *x, const float *estimate, gpointer user_data);

typedef struct {
  int      steps;      /* flow: any >= 1; DDPM: must equal the recipe's T;
                        * eps-cosine: strided updates, 1..T-1 */
  float    guidance;   /* 1 = conditional alone, 0 = unconditional alone
                        * (one pass per step); otherwise two passes */
  float    guide_after; /* flow and DDPM: guide only the steps s with s/steps
                         * >= this, 0 (all) to < 1 */
  uint64_t seed;
  int      batch;      /* images per forward pass, default 64 */
} SwSampleOptions;

/* CLASSES: N class indices (-1 = no class), or NULL for a model without
 * classes.  OUT: (N, C, H, W). */
gboolean sw_sample (SwUnet *net, const SwModelConfig *model, int N, const int *classes,
                    const SwSampleOptions *opts, float *out,
                    SwSampleStep step, gpointer user_data, GError **error);

G_END_DECLS
