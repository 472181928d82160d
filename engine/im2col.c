#include "im2col.h"

#include <string.h>

/* Columns are unfolded in chunks of whole images: big enough that the GEMM
 * that follows runs near peak, small enough to stay out of swap for D=128,
 * batch 256 (16 MiB of floats). */
#define SW_COL_BUDGET_FLOATS (4u << 20)

int
sw_im2col_chunk (const SwIm2col *g)
{
  size_t per_image = (size_t) g->C * g->k * g->k * g->Ho * g->Wo;
  size_t nb = per_image ? SW_COL_BUDGET_FLOATS / per_image : (size_t) g->N;
  if (nb < 1)
    nb = 1;
  if (nb > (size_t) g->N)
    nb = (size_t) g->N;
  return (int) nb;
}

void
sw_im2col (const SwIm2col *g, int n0, int nb, const float *img, float *col)
{
  const int HoWo = g->Ho * g->Wo;
  const size_t cols = (size_t) nb * HoWo;
  for (int c = 0; c < g->C; c++)
    for (int ki = 0; ki < g->k; ki++)
      for (int kj = 0; kj < g->k; kj++)
        {
          float *row = col + ((size_t) (c * g->k + ki) * g->k + kj) * cols;
          for (int n = 0; n < nb; n++)
            {
              const float *src = img + ((size_t) c * g->N + n0 + n) * g->H * g->W;
              for (int oy = 0; oy < g->Ho; oy++)
                {
                  float *dst = row + (size_t) n * HoWo + (size_t) oy * g->Wo;
                  int iy = oy * g->stride - g->pad + ki;
                  if (iy < 0 || iy >= g->H)
                    {
                      memset (dst, 0, sizeof (float) * g->Wo);
                      continue;
                    }
                  const float *srow = src + (size_t) iy * g->W;
                  for (int ox = 0; ox < g->Wo; ox++)
                    {
                      int ix = ox * g->stride - g->pad + kj;
                      dst[ox] = (ix >= 0 && ix < g->W) ? srow[ix] : 0.0f;
                    }
                }
            }
        }
}

void
sw_col2im_add (const SwIm2col *g, int n0, int nb, const float *col, float *img)
{
  const int HoWo = g->Ho * g->Wo;
  const size_t cols = (size_t) nb * HoWo;
  for (int c = 0; c < g->C; c++)
    for (int ki = 0; ki < g->k; ki++)
      for (int kj = 0; kj < g->k; kj++)
        {
          const float *row = col + ((size_t) (c * g->k + ki) * g->k + kj) * cols;
          for (int n = 0; n < nb; n++)
            {
              float *dst = img + ((size_t) c * g->N + n0 + n) * g->H * g->W;
              for (int oy = 0; oy < g->Ho; oy++)
                {
                  int iy = oy * g->stride - g->pad + ki;
                  if (iy < 0 || iy >= g->H)
                    continue;
                  const float *src = row + (size_t) n * HoWo + (size_t) oy * g->Wo;
                  float *drow = dst + (size_t) iy * g->W;
                  for (int ox = 0; ox < g->Wo; ox++)
                    {
                      int ix = ox * g->stride - g->pad + kj;
                      if (ix >= 0 && ix < g->W)
                        drow[ix] += src[ox];
                    }
                }
            }
        }
}
