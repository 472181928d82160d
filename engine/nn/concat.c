/* Channel concatenation.  In (C, N, H, W) layout the channels of each input
 * are one contiguous block, so concat is two copies. */
#include "nn/layers.h"

#include <string.h>

void
sw_concat_forward (int ca, int cb, int NHW, const float *a, const float *b, float *out)
{
  memcpy (out, a, sizeof (float) * ca * NHW);
  memcpy (out + (size_t) ca * NHW, b, sizeof (float) * cb * NHW);
}

void
sw_concat_backward (int ca, int cb, int NHW, const float *dout, float *da, float *db)
{
  size_t na = (size_t) ca * NHW, nb = (size_t) cb * NHW;
  for (size_t i = 0; i < na; i++)
    da[i] += dout[i];
  for (size_t i = 0; i < nb; i++)
    db[i] += dout[na + i];
}
