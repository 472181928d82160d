#include "nn/im2col.h"

#include <string.h>

/* Each thread unfolds at most this many floats at once: big enough that
 * the GEMM that follows runs near peak, small enough to stay in L2/L3. */
#define SW_COL_BUDGET_FLOATS (1u << 20)

/* The columns ox in [lo, hi) read inside the image: 0 <= ox*s + off < W. */
static void
valid_columns (const SwIm2col *g, int off, int *lo, int *hi)
{
  *lo = off < 0 ? (-off + g->stride - 1) / g->stride : 0;
  *hi = g->W - 1 - off >= 0 ? (g->W - 1 - off) / g->stride + 1 : 0;
  if (*hi > g->Wo)
    *hi = g->Wo;
  if (*lo > *hi)
    *lo = *hi;
}

size_t
sw_im2col_chunk_floats (const SwIm2col *g)
{
  size_t per_row = (size_t) g->C * g->k * g->k * g->Wo;
  size_t rows = per_row ? SW_COL_BUDGET_FLOATS / per_row : 1;
  return per_row * (rows < 1 ? 1 : rows);
}

size_t
sw_im2col_rows_per_chunk (const SwIm2col *g, int channels)
{
  /* from the buffer's size, not from the budget: for fewer channels than
   * g->C, budget / (channels * k*k * Wo) rows can be more floats than
   * the buffer holds (with 32 of 64 channels, Wo 16, k 3: 227 rows of
   * 4,608 floats against 113 of 9,216), and the excess would run into the
   * next thread's columns */
  size_t per_row = (size_t) channels * g->k * g->k * g->Wo;
  size_t rows = per_row ? sw_im2col_chunk_floats (g) / per_row : 1;
  return rows < 1 ? 1 : rows;
}

void
sw_im2col (const SwIm2col *g, int c0, int c1, size_t r0, size_t r1,
           const float *img, float *col)
{
  const size_t cols = (r1 - r0) * g->Wo;
  for (int c = c0; c < c1; c++)
    for (int ki = 0; ki < g->k; ki++)
      for (int kj = 0; kj < g->k; kj++)
        {
          float *dst = col + ((size_t) ((c - c0) * g->k + ki) * g->k + kj) * cols;
          /* the valid ox range, where 0 <= ox*s - p + kj < W */
          const int off = kj - g->pad;
          int lo, hi;
          valid_columns (g, off, &lo, &hi);
          for (size_t r = r0; r < r1; r++, dst += g->Wo)
            {
              size_t n = r / g->Ho;
              int oy = (int) (r % g->Ho);
              int iy = oy * g->stride - g->pad + ki;
              if (iy < 0 || iy >= g->H)
                {
                  memset (dst, 0, sizeof (float) * g->Wo);
                  continue;
                }
              const float *src = img + (((size_t) c * g->N + n) * g->H + iy) * g->W;
              for (int ox = 0; ox < lo; ox++)
                dst[ox] = 0.0f;
              /* a loop, not memcpy: rows are a few dozen floats and the
               * call cost more than the copy (17% of a 32x32 forward) */
              if (g->stride == 1)
                for (int ox = lo; ox < hi; ox++)
                  dst[ox] = src[ox + off];
              else
                for (int ox = lo; ox < hi; ox++)
                  dst[ox] = src[ox * g->stride + off];
              for (int ox = hi; ox < g->Wo; ox++)
                dst[ox] = 0.0f;
            }
        }
}

void
sw_col2im_add (const SwIm2col *g, int c0, int c1, size_t r0, size_t r1,
               const float *col, float *img)
{
  const size_t cols = (r1 - r0) * g->Wo;
  for (int c = c0; c < c1; c++)
    for (int ki = 0; ki < g->k; ki++)
      for (int kj = 0; kj < g->k; kj++)
        {
          const float *src = col + ((size_t) ((c - c0) * g->k + ki) * g->k + kj) * cols;
          const int off = kj - g->pad;
          int lo, hi;
          valid_columns (g, off, &lo, &hi);
          for (size_t r = r0; r < r1; r++, src += g->Wo)
            {
              size_t n = r / g->Ho;
              int oy = (int) (r % g->Ho);
              int iy = oy * g->stride - g->pad + ki;
              if (iy < 0 || iy >= g->H)
                continue;
              float *dst = img + (((size_t) c * g->N + n) * g->H + iy) * g->W;
              for (int ox = lo; ox < hi; ox++)
                dst[ox * g->stride + off] += src[ox];
            }
        }
}
