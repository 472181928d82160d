/* exp-neg.h: what the elementwise layers (GELU, SiLU) share: exp of a
 * non-positive argument as a branch-free polynomial, so their loops
 * vectorise (libm's scalar expf does not). */
#pragma once

#include <stdint.h>
#include <string.h>

/* exp(x) for x <= 0: 2^k e^r with k = round(x / ln 2) and r = x - k ln 2
 * (ln 2 in two parts, Cody-Waite, so r is exact enough), |r| <= ln2/2, and
 * the Taylor series of e^r to r^7 (relative error ~1e-7).  Below -87 it
 * returns e^-87 instead of a denormal; the callers multiply it away. */
static inline float
exp_neg_fast (float x)
{
  x = x < -87.0f ? -87.0f : x;
  const float k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  /* round */
  const float r = (x - k * 0.693145751953125f) - k * 1.4286068202862268e-06f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = ((int32_t) k + 127) << 23;
  float scale;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}
