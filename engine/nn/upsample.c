/* Nearest-neighbour 2x upsampling, ADM's Upsample before its 3x3 conv:
 * every pixel becomes a 2x2 block.  Each (channel, sample) plane is
 * independent, so CN planes of H x W. */
#include "nn/layers-adm.h"
#include "base/parallel.h"

void
sw_upsample2x_forward (int CN, int H, int W, const float *inp, float *out)
{
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values ((size_t) CN * H * W))
  for (int p = 0; p < CN; p++)
    {
      const float *x = inp + (size_t) p * H * W;
      float *y = out + (size_t) p * 4 * H * W;
      for (int i = 0; i < 2 * H; i++)
        for (int j = 0; j < 2 * W; j++)
          y[(size_t) i * 2 * W + j] = x[(size_t) (i / 2) * W + j / 2];
    }
}

void
sw_upsample2x_backward (int CN, int H, int W, const float *dout, float *dinp)
{
#pragma omp parallel for schedule(static) if (sw_parallel_pays_values ((size_t) CN * H * W))
  for (int p = 0; p < CN; p++)
    {
      const float *dy = dout + (size_t) p * 4 * H * W;
      float *dx = dinp + (size_t) p * H * W;
      for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
          {
            const float *d = dy + (size_t) 2 * i * 2 * W + 2 * j;
            dx[(size_t) i * W + j] += d[0] + d[1] + d[2 * W] + d[2 * W + 1];
          }
    }
}
