/* Embedding bag: a weighted sum of embedding rows, PyTorch EmbeddingBag's
 * weight layout (V, E).  A prompt's bag has a few words of thousands, so
 * only the bag's non-zero entries are visited: a lookup, not a matmul. */
#include "nn/layers.h"

#include <string.h>

void
sw_embedding_bag_forward (int N, int V, int E, const float *bag, const float *weight, float *out)
{
  /* out[n, :] = sum_v bag[n, v] * weight[v, :] */
  memset (out, 0, sizeof (float) * (size_t) N * E);
  for (int n = 0; n < N; n++)
    {
      const float *b = bag + (size_t) n * V;
      float *o = out + (size_t) n * E;
      for (int v = 0; v < V; v++)
        if (b[v] != 0.0f)
          {
            const float *w = weight + (size_t) v * E;
            for (int e = 0; e < E; e++)
              o[e] += b[v] * w[e];
          }
    }
}

void
sw_embedding_bag_backward (int N, int V, int E, const float *bag, const float *dout, float *dweight)
{
  /* dweight[v, :] += sum_n bag[n, v] * dout[n, :] */
  for (int n = 0; n < N; n++)
    {
      const float *b = bag + (size_t) n * V;
      const float *d = dout + (size_t) n * E;
      for (int v = 0; v < V; v++)
        if (b[v] != 0.0f)
          {
            float *dw = dweight + (size_t) v * E;
            for (int e = 0; e < E; e++)
              dw[e] += b[v] * d[e];
          }
    }
}
