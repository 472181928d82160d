/* test-reference.h: reading the PyTorch reference's fixtures
 * (tests/reference/) and comparing against them. */
#pragma once

#include <glib.h>
#include <math.h>

#include "io/safetensors.h"

static inline char *
data_path (const char *name)
{
  const char *dir = g_getenv ("STEPWISE_TEST_DATA");
  return g_build_filename (dir ? dir : ".", "reference", name, NULL);
}

static inline float *
read_whole (SwStFile *f, const char *name, size_t *n_out)
{
  const SwStEntry *e = sw_safetensors_find (f, name);
  g_assert_nonnull (e);
  size_t n = 1;
  for (int i = 0; i < e->ndim; i++)
    n *= (size_t) e->shape[i];
  float *p = g_new (float, n);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_safetensors_read_f32 (f, name, e->ndim, e->shape, p, &error));
  g_assert_no_error (error);
  if (n_out)
    *n_out = n;
  return p;
}

/* Error relative to the tensor's largest magnitude: gradients of tiny
 * entries carry float32 summation noise that an elementwise relative test
 * would magnify.  The floor of 1e-3 is for the conv biases that feed a
 * BatchNorm: their true gradient is exactly 0 and both sides hold ~1e-8 of
 * rounding noise. */
static inline double
compare (const char *what, const float *got, const float *want, size_t n, double tol)
{
  double scale = 1e-3;
  for (size_t i = 0; i < n; i++)
    scale = MAX (scale, fabs (want[i]));
  double worst = 0.0;
  size_t worst_i = 0;
  for (size_t i = 0; i < n; i++)
    {
      double err = fabs ((double) got[i] - want[i]) / scale;
      if (err > worst)
        {
          worst = err;
          worst_i = i;
        }
    }
  if (worst > tol)
    g_error ("%s: element %zu is %.7g, PyTorch says %.7g (error %.2e of max |%.3g|, tolerance %.0e)",
             what, worst_i, got[worst_i], want[worst_i], worst, scale, tol);
  return worst;
}
