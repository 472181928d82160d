/* test-fd.h: random tensors and the central-difference check of a
 * layer's backward pass, shared by the layer tests. */
#pragma once

#include <glib.h>
#include <math.h>

#include "base/rng.h"
#include "nn/tensor-table.h"

static SwRng rng G_GNUC_UNUSED;

static inline float *
randn (size_t n, float scale)
{
  float *p = g_new (float, n);
  sw_rng_fill_normal (&rng, p, n);
  for (size_t i = 0; i < n; i++)
    p[i] *= scale;
  return p;
}

/* ------------------------------------------------ finite differences */

/* A layer under test: run() computes the forward output for the current
 * inputs into out; the loss is sum(out * R) for a fixed random R, so dout = R. */
typedef struct {
  void (*run) (void *ctx, float *out);
  void *ctx;
  size_t n_out;
  const float *R;
} Probe;

static inline double
probe_loss (const Probe *p)
{
  g_autofree float *out = g_new (float, p->n_out);
  p->run (p->ctx, out);
  double s = 0.0;
  for (size_t i = 0; i < p->n_out; i++)
    s += (double) out[i] * p->R[i];
  return s;
}

/* Compares ANALYTIC with central differences of LOSS (CTX) w.r.t. X[0..n),
 * step H, at up to POINTS coordinates spread over the tensor; fails
 * beyond 1e-3 relative. */
static inline void
check_fd_loss (const char *what, double (*loss) (void *), void *ctx, float *x, size_t n,
               const float *analytic, float h, size_t points)
{
  size_t step = n > points ? n / points : 1;
  double worst = 0.0;
  for (size_t i = 0; i < n; i += step)
    {
      float keep = x[i];
      x[i] = keep + h;
      double lp = loss (ctx);
      x[i] = keep - h;
      double lm = loss (ctx);
      x[i] = keep;
      double num = (lp - lm) / (2.0 * h);
      double err = fabs (num - analytic[i]) / (1.0 + fabs (num));
      worst = MAX (worst, err);
      if (err > 1e-3)
        g_error ("%s: d/dx[%zu]: analytic %.6g, numeric %.6g", what, i, analytic[i], num);
    }
  g_test_message ("%s: worst relative gradient error %.2e", what, worst);
}

static inline double
probe_loss_cb (void *p)
{
  return probe_loss (p);
}

/* A layer's gradient w.r.t. X[0..n) against the Probe's loss, step 1e-2,
 * at up to 40 coordinates. */
static inline void
check_fd (const char *what, const Probe *p, float *x, size_t n, const float *analytic)
{
  check_fd_loss (what, probe_loss_cb, (void *) p, x, n, analytic, 1e-2f, 40);
}

/* A whole net's gradient of INFO's tensor (at P, its analytic gradient at
 * GRADS) at 4 places spread over it, against central differences of
 * LOSS (CTX) with step H; fails beyond 1e-2 and returns the worst error. */
static inline double
check_fd_tensor (const SwTensorInfo *info, float *P, const float *grads,
                 double (*loss) (void *ctx), void *ctx, float h)
{
  double worst = 0.0;
  const size_t step = info->numel > 4 ? info->numel / 4 : 1;
  for (size_t j = 0; j < info->numel; j += step)
    {
      float *p = P + info->offset + j, keep = *p;
      *p = keep + h;
      double lp = loss (ctx);
      *p = keep - h;
      double lm = loss (ctx);
      *p = keep;
      double num = (lp - lm) / (2.0 * h), ana = grads[info->offset + j];
      double err = fabs (num - ana) / (1.0 + fabs (num));
      worst = MAX (worst, err);
      if (err > 1e-2)
        g_error ("%s[%zu]: analytic %.6g, numeric %.6g", info->name, j, ana, num);
    }
  return worst;
}
