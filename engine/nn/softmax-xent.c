/* Softmax cross-entropy, the classifier's loss. */
#include "nn/layers.h"

#include <math.h>

float
sw_softmax_xent_forward (int N, int K, const float *logits, const uint8_t *labels,
                         float *probs)
{
  double loss = 0.0;
  for (int n = 0; n < N; n++)
    {
      const float *z = logits + (size_t) n * K;
      float *p = probs + (size_t) n * K;
      /* shifting by the largest logit keeps every exp() in (0, 1] */
      float max = z[0];
      for (int k = 1; k < K; k++)
        max = z[k] > max ? z[k] : max;
      double sum = 0.0;
      for (int k = 0; k < K; k++)
        {
          p[k] = expf (z[k] - max);
          sum += p[k];
        }
      for (int k = 0; k < K; k++)
        p[k] = (float) (p[k] / sum);
      /* -log p = log(sum) - (z - max), finite even where p underflows to 0 */
      loss += log (sum) - ((double) z[labels[n]] - max);
    }
  return (float) (loss / N);
}

void
sw_softmax_xent_backward (int N, int K, const float *probs, const uint8_t *labels,
                          float *dlogits)
{
  const float inv_n = 1.0f / N;
  for (int n = 0; n < N; n++)
    {
      const float *p = probs + (size_t) n * K;
      float *d = dlogits + (size_t) n * K;
      for (int k = 0; k < K; k++)
        d[k] += (p[k] - (k == labels[n] ? 1.0f : 0.0f)) * inv_n;
    }
}
