/* Dropout (inverted): the kept values are scaled by 1/(1 - p) in training
 * so that evaluation, which skips the layer, sees the same expectation.
 * The mask is drawn serially from one stream: the same seed gives the same
 * mask whatever the thread count. */
#include "nn/layers-adm.h"

void
sw_dropout_forward (size_t n, float p, SwRng *rng, const float *inp, float *mask, float *out)
{
  const float keep = 1.0f / (1.0f - p);
  for (size_t i = 0; i < n; i++)
    {
      mask[i] = sw_rng_uniform (rng) < p ? 0.0f : keep;
      out[i] = inp[i] * mask[i];
    }
}

void
sw_dropout_backward (size_t n, const float *mask, const float *dout, float *dinp)
{
  for (size_t i = 0; i < n; i++)
    dinp[i] += dout[i] * mask[i];
}
