/* test-squares.h: the images the short training runs learn to clean up. */
#pragma once

#include <glib.h>
#include <string.h>

#include "base/rng.h"
#include "nn/adam.h"
#include "nn/layers.h"

/* N grey H x H images x: a bright square of side H/4 to H/2 at a random
 * place on a dark field; z = x + 0.5 eps, the write-up's one-step
 * denoiser objective */
static inline void
sw_test_squares (SwRng *rng, int N, int H, float *x, float *z)
{
  for (int n = 0; n < N; n++)
    {
      int s = H / 4 + (int) sw_rng_below (rng, H / 4 + 1);
      int y0 = (int) sw_rng_below (rng, H - s), x0 = (int) sw_rng_below (rng, H - s);
      for (int i = 0; i < H; i++)
        for (int j = 0; j < H; j++)
          {
            float v = (i >= y0 && i < y0 + s && j >= x0 && j < x0 + s) ? 1.0f : 0.0f;
            x[(size_t) n * H * H + i * H + j] = v;
            z[(size_t) n * H * H + i * H + j] = v + 0.5f * sw_rng_normal (rng);
          }
    }
}

/* A net as a short run drives it: OUT = net(Z) in training mode, then the
 * gradient DOUT of the loss back into the parameter gradients, zeroed
 * first; its parameters and gradients for Adam. */
typedef struct {
  void (*forward) (void *net, int N, const float *z, float *out);
  void (*backward) (void *net, const float *dout);
  float *params, *grads;
  size_t n_params;
  void *net;
} SwTestNet;

/* STEPS Adam steps (rate 3e-3) of N denoised H x H squares, MSE against
 * the clean images; returns how many times smaller the mean loss of the
 * last 10 steps is than that of the first 10 */
static inline double
sw_test_squares_run (const SwTestNet *t, int N, int H, int steps)
{
  SwAdam opt;
  sw_adam_init (&opt, t->n_params, 3e-3f);
  SwRng rng;
  sw_rng_init (&rng, 11, 0);
  const size_t n = (size_t) N * H * H;
  g_autofree float *x = g_new (float, n), *z = g_new (float, n);
  g_autofree float *out = g_new (float, n), *dout = g_new (float, n);
  double first = 0.0, last = 0.0;
  for (int step = 0; step < steps; step++)
    {
      sw_test_squares (&rng, N, H, x, z);
      t->forward (t->net, N, z, out);
      float loss = sw_mse_forward (n, out, x);
      memset (dout, 0, sizeof (float) * n);
      sw_mse_backward (n, out, x, 1.0f, dout);
      memset (t->grads, 0, sizeof (float) * t->n_params);
      t->backward (t->net, dout);
      sw_adam_step (&opt, t->params, t->grads);
      if (step < 10)
        first += loss / 10.0;
      if (step >= steps - 10)
        last += loss / 10.0;
    }
  g_test_message ("denoising squares: mean loss of the first 10 steps %.4f, last 10 %.4f (%.1fx)",
                  first, last, first / last);
  sw_adam_clear (&opt);
  return first / last;
}
