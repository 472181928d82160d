/* Aligned high-res and low-res crops, and nearest upsampling. */
#include "data/sr-pairs.h"

#include <glib.h>
#include <math.h>
#include <string.h>

void
sw_sr_block_means (size_t planes, int S, int factor, const float *hi, float *lo)
{
  const int s = S / factor, area = factor * factor;
  for (size_t p = 0; p < planes; p++)
    for (int y = 0; y < s; y++)
      for (int x = 0; x < s; x++)
        {
          int sum = 0;
          for (int dy = 0; dy < factor; dy++)
            for (int dx = 0; dx < factor; dx++)
              sum += (int) lrintf (hi[(p * S + y * factor + dy) * S + x * factor + dx] * 255.0f);
          /* in bytes, halves rounded up, as app/emoji-build.c shrinks */
          lo[(p * s + y) * s + x] = (float) ((sum + area / 2) / area) / 255.0f;
        }
}

void
sw_sr_area_downsample (size_t planes, int S, int factor, const float *hi, float *lo)
{
  const int s = S / factor;
  const float area = (float) (factor * factor);
  for (size_t p = 0; p < planes; p++)
    for (int y = 0; y < s; y++)
      for (int x = 0; x < s; x++)
        {
          float sum = 0.0f;
          for (int dy = 0; dy < factor; dy++)
            for (int dx = 0; dx < factor; dx++)
              sum += hi[(p * S + y * factor + dy) * S + x * factor + dx];
          lo[(p * s + y) * s + x] = sum / area;
        }
}

void
sw_sr_block_max (size_t planes, int S, int factor, const float *hi, float *lo)
{
  const int s = S / factor;
  for (size_t p = 0; p < planes; p++)
    for (int y = 0; y < s; y++)
      for (int x = 0; x < s; x++)
        {
          float top = hi[(p * S + y * factor) * S + x * factor];
          for (int dy = 0; dy < factor; dy++)
            for (int dx = 0; dx < factor; dx++)
              top = fmaxf (top, hi[(p * S + y * factor + dy) * S + x * factor + dx]);
          lo[(p * s + y) * s + x] = top;
        }
}

/* the WxW window at (Y0, X0) of each of C planes of side S */
static void
window (const float *src, int C, int S, int y0, int x0, int W, float *dst)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < W; y++)
      memcpy (dst + ((size_t) c * W + y) * W, src + ((size_t) c * S + y0 + y) * S + x0,
              sizeof (float) * W);
}

void
sw_sr_draw_crops (const float *hi, const float *lo, int C, int S, int factor, int crop,
                  int N, const int *idx, SwRng *rng, float *hi_crop, float *lo_crop)
{
  g_return_if_fail (factor >= 1 && S % factor == 0 && crop % factor == 0 && crop <= S);
  const int s = S / factor, c = crop / factor, places = (S - crop) / factor + 1;
  const size_t hi_img = (size_t) C * S * S, lo_img = (size_t) C * s * s;
  for (int i = 0; i < N; i++)
    {
      /* in low-res pixels, so that both windows start on the same block */
      const int by = places > 1 ? (int) sw_rng_below (rng, places) : 0;
      const int bx = places > 1 ? (int) sw_rng_below (rng, places) : 0;
      window (hi + idx[i] * hi_img, C, S, by * factor, bx * factor, crop,
              hi_crop + (size_t) i * C * crop * crop);
      window (lo + idx[i] * lo_img, C, s, by, bx, c, lo_crop + (size_t) i * C * c * c);
    }
}

void
sw_sr_upsample (size_t planes, int s, int factor, const float *lo, float *up)
{
  const int S = s * factor;
  for (size_t p = 0; p < planes; p++)
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++)
        up[(p * S + y) * S + x] = lo[(p * s + y / factor) * s + x / factor];
}
