/* The weights' side of winograd.c's F(4x4, 3x3): the kernels to their
 * transforms and, for the weight gradient, back (winograd-weights.h). */
#include "nn/winograd-weights.h"
#include "base/simd.h"

/* G, 6x3, takes a kernel's row (or column) to the transformed space */
static const float G[6][3] = {
  { 1.0f / 4, 0.0f, 0.0f },
  { -1.0f / 6, -1.0f / 6, -1.0f / 6 },
  { -1.0f / 6, 1.0f / 6, -1.0f / 6 },
  { 1.0f / 24, 1.0f / 12, 1.0f / 6 },
  { 1.0f / 24, -1.0f / 12, 1.0f / 6 },
  { 0.0f, 0.0f, 1.0f },
};

/* U[k][o][i] = (G g G^T)[k] for the kernels g that take each input channel
 * i to output channel o: one row of U's planes.  Every call transforms the
 * weights again; as a scalar loop over (o, i) that was most of the 6% of a
 * batch-2 stage I forward spent in the Winograd call's own code.  Here a
 * block of input channels goes at once, each step a loop along i over
 * adjacent values, which vectorises: the kernels' 9 values gathered (the
 * kernels are 9 floats apart, or cout * 9 for the adjoint's flipped and
 * transposed ones), then G g, then (G g) G^T. */
#define ROW_BLOCK 64

SW_VECTOR_CLONES void
sw_winograd_transform_weight_row (int cin, int cout, const float *restrict weight, bool adjoint,
                                  int o, float *restrict U)
{
  const size_t plane = (size_t) cout * cin + SKEW, stride = adjoint ? (size_t) cout * 9 : 9;
  const float *restrict w = weight + (adjoint ? (size_t) o * 9 : (size_t) o * cin * 9);
  float *restrict u = U + (size_t) o * cin;
  int at[9];  /* where g[a][b] is in a kernel */
  for (int r = 0; r < 9; r++)
    at[r] = adjoint ? 8 - r : r;
  for (int i0 = 0; i0 < cin; i0 += ROW_BLOCK)
    {
      const int n = cin - i0 < ROW_BLOCK ? cin - i0 : ROW_BLOCK;
      float g[9][ROW_BLOCK], t[6][3][ROW_BLOCK];
      for (int r = 0; r < 9; r++)
        for (int i = 0; i < n; i++)
          g[r][i] = w[(size_t) (i0 + i) * stride + at[r]];
      for (int a = 0; a < 6; a++)
        for (int c = 0; c < 3; c++)
          for (int i = 0; i < n; i++)
            t[a][c][i] = G[a][0] * g[c][i] + G[a][1] * g[3 + c][i] + G[a][2] * g[6 + c][i];
      for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++)
          {
            float *dst = u + (size_t) (a * 6 + b) * plane + i0;
            for (int i = 0; i < n; i++)
              dst[i] = t[a][0][i] * G[b][0] + t[a][1][i] * G[b][1] + t[a][2][i] * G[b][2];
          }
    }
}

/* The adjoint of sw_winograd_transform_weight_row (not ADJOINT): dweight[o][i] +=
 * G^T dU[.][o][i] G, the gradient of the 3x3 kernels of row o from those
 * of their transforms.  Vectorised the same way, along i over a block of
 * input channels (a scalar loop over (o, i), it took about 2% of a batch-32
 * stage I training step); only the last add goes 9 floats apart. */
SW_VECTOR_CLONES void
sw_winograd_weight_gradient_row (int cin, int cout, const float *restrict dU, int o,
                                 float *restrict dweight)
{
  const size_t plane = (size_t) cout * cin + SKEW;
  for (int i0 = 0; i0 < cin; i0 += ROW_BLOCK)
    {
      const int n = cin - i0 < ROW_BLOCK ? cin - i0 : ROW_BLOCK;
      const float *restrict u = dU + (size_t) o * cin + i0;
      float t[3][6][ROW_BLOCK], g[9][ROW_BLOCK];
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 6; b++)
          for (int i = 0; i < n; i++)
            {
              float sum = 0.0f;
              for (int c = 0; c < 6; c++)
                sum += G[c][a] * u[(size_t) (c * 6 + b) * plane + i];
              t[a][b][i] = sum;
            }
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          for (int i = 0; i < n; i++)
            {
              float sum = 0.0f;
              for (int c = 0; c < 6; c++)
                sum += t[a][c][i] * G[c][b];
              g[a * 3 + b][i] = sum;
            }
      float *restrict dw = dweight + ((size_t) o * cin + i0) * 9;
      for (int i = 0; i < n; i++)
        for (int r = 0; r < 9; r++)
          dw[i * 9 + r] += g[r][i];
    }
}
