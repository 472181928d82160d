/* Bicubic upsampling by Keys' cubic convolution (bicubic.h). */
#include "data/bicubic.h"

#include <glib.h>
#include <math.h>

#define KEYS_A (-0.5)

double
sw_bicubic_weight (double x)
{
  x = fabs (x);
  if (x <= 1.0)
    return ((KEYS_A + 2.0) * x - (KEYS_A + 3.0)) * x * x + 1.0;
  if (x < 2.0)
    return ((KEYS_A * x - 5.0 * KEYS_A) * x + 8.0 * KEYS_A) * x - 4.0 * KEYS_A;
  return 0.0;
}

/* Output pixel X's four taps: FIRST[X] the index of the first (before
 * clamping) and W (S, 4) their weights.  With an integer factor they
 * repeat every FACTOR pixels, but computing all S keeps this plain. */
static void
taps (int S, int factor, int *first, float *w)
{
  for (int X = 0; X < S; X++)
    {
      const double u = (X + 0.5) / factor - 0.5, i0 = floor (u), t = u - i0;
      first[X] = (int) i0 - 1;
      for (int k = 0; k < 4; k++)
        w[X * 4 + k] = (float) sw_bicubic_weight (t + 1.0 - k);
    }
}

/* OUT (n) the taps applied to IN (s), read STRIDE apart, written OUT_STRIDE apart */
static void
resample_line (int s, int S, const int *first, const float *w, const float *in,
               size_t stride, float *out, size_t out_stride)
{
  for (int X = 0; X < S; X++)
    {
      float v = 0.0f;
      for (int k = 0; k < 4; k++)
        v += w[X * 4 + k] * in[(size_t) CLAMP (first[X] + k, 0, s - 1) * stride];
      out[(size_t) X * out_stride] = v;
    }
}

void
sw_bicubic_upsample (size_t planes, int s, int factor, const float *lo, float *up)
{
  const int S = s * factor;
  g_autofree int *first = g_new (int, S);
  g_autofree float *w = g_new (float, (size_t) S * 4);
  g_autofree float *rows = g_new (float, (size_t) s * S);   /* (s, S): rows widened */
  taps (S, factor, first, w);
  for (size_t p = 0; p < planes; p++)
    {
      const float *in = lo + p * s * s;
      float *out = up + p * S * S;
      for (int y = 0; y < s; y++)
        resample_line (s, S, first, w, in + (size_t) y * s, 1, rows + (size_t) y * S, 1);
      for (int X = 0; X < S; X++)
        resample_line (s, S, first, w, rows + X, S, out + X, S);
    }
}
