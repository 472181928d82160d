#include "diffusion/gaussian-blur.h"

#include <math.h>
#include <string.h>

gboolean
sw_gaussian_blur_check (int kernel, float sigma, GError **error)
{
  if (kernel < 1 || kernel > 255 || kernel % 2 == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "blur kernel %d is out of range; accepted: an odd number from 1 to 255", kernel);
      return FALSE;
    }
  if (!(sigma > 0.0f && sigma <= 100.0f))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "blur sigma %g is out of range; accepted: more than 0, at most 100", sigma);
      return FALSE;
    }
  return TRUE;
}

/* reflect without repeating the edge (PyTorch's "reflect"), folded again
 * for kernels wider than the image */
static int
reflect (int i, int n)
{
  if (n == 1)
    return 0;
  int period = 2 * (n - 1);
  i %= period;
  if (i < 0)
    i += period;
  return i < n ? i : period - i;
}

void
sw_gaussian_blur (int C, int H, int W, int kernel, float sigma, const float *in, float *out)
{
  const int half = kernel / 2;
  float *k = g_new (float, kernel), *tmp = g_new (float, (size_t) H * W);
  double sum = 0.0;
  for (int i = 0; i < kernel; i++)
    {
      double x = (i - half) / (double) sigma;
      k[i] = (float) exp (-0.5 * x * x);
      sum += k[i];
    }
  for (int i = 0; i < kernel; i++)
    k[i] = (float) (k[i] / sum);

  for (int c = 0; c < C; c++)
    {
      const float *src = in + (size_t) c * H * W;
      float *dst = out + (size_t) c * H * W;
      for (int y = 0; y < H; y++)            /* horizontal pass into tmp */
        for (int x = 0; x < W; x++)
          {
            float acc = 0.0f;
            for (int j = 0; j < kernel; j++)
              acc += k[j] * src[y * W + reflect (x + j - half, W)];
            tmp[y * W + x] = acc;
          }
      for (int y = 0; y < H; y++)            /* vertical pass into dst */
        for (int x = 0; x < W; x++)
          {
            float acc = 0.0f;
            for (int j = 0; j < kernel; j++)
              acc += k[j] * tmp[reflect (y + j - half, H) * W + x];
            dst[y * W + x] = acc;
          }
    }
  g_free (k);
  g_free (tmp);
}

void
sw_lab_blur (int C, int H, int W, const float *in, float *out)
{
  sw_gaussian_blur (C, H, W, SW_LAB_BLUR_KERNEL, SW_LAB_BLUR_SIGMA, in, out);
}

void
sw_hybrid_kernel_for_size (int size, int *kernel, float *sigma)
{
  int k = (int) lround (33.0 * size / 64.0);
  if (k % 2 == 0)
    k += 1;
  *kernel = MAX (k, 1);
  *sigma = 2.0f * size / 64.0f;
}
