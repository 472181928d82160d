/* PSNR and the gradient energy behind the sharpness ratio (sr-metrics.h). */
#include "eval/sr-metrics.h"

#include <math.h>

double
sw_mse (size_t n, const float *a, const float *b)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
  return n ? sum / (double) n : 0.0;
}

double
sw_psnr (double mse)
{
  /* 10^-10 is SW_PSNR_MAX's MSE */
  return mse <= 1e-10 ? SW_PSNR_MAX : -10.0 * log10 (mse);
}

double
sw_gradient_energy (int C, int H, int W, const float *img)
{
  if (H < 2 || W < 2)
    return 0.0;
  double dx = 0.0, dy = 0.0;
  for (int c = 0; c < C; c++)
    {
      const float *p = img + (size_t) c * H * W;
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          {
            const double v = p[y * W + x];
            if (x + 1 < W)
              dx += (p[y * W + x + 1] - v) * (p[y * W + x + 1] - v);
            if (y + 1 < H)
              dy += (p[(y + 1) * W + x] - v) * (p[(y + 1) * W + x] - v);
          }
    }
  return dx / ((double) C * H * (W - 1)) + dy / ((double) C * (H - 1) * W);
}
