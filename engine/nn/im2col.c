#include "nn/im2col.h"
#include "base/simd.h"

#include <stdbool.h>
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

/* Stride 1 with the grid the image's size (a "same" convolution): the rows
 * of one image that read inside it are one run of the image, shifted by
 * off along it.  Such a run goes as one long loop, which vectorises, and
 * the columns that read across a row's edge are fixed after: a loop a row
 * of Wo values (8 at 8x8) mostly ran its scalar remainder. */
static bool
same_grid (const SwIm2col *g)
{
  return g->stride == 1 && g->Ho == g->H && g->Wo == g->W;
}

/* Where rows [r, r1) of the grid run inside image n = r / Ho: its rows oy
 * in [oy0, oy1), of which [a, b) read image rows a + dy .. b - 1 + dy. */
typedef struct {
  size_t n;
  int oy0, oy1, a, b;
} Segment;

static Segment
segment_at (const SwIm2col *g, size_t r, size_t r1, int dy)
{
  Segment s = { r / g->Ho, (int) (r % g->Ho), 0, 0, 0 };
  s.oy1 = r1 - r < (size_t) (g->Ho - s.oy0) ? s.oy0 + (int) (r1 - r) : g->Ho;
  s.a = s.oy0 > -dy ? s.oy0 : -dy;
  s.b = s.oy1 < g->H - dy ? s.oy1 : g->H - dy;
  if (s.b < s.a)
    s.b = s.a = s.oy0;
  return s;
}

/* zeroes the columns outside [lo, hi) of ROWS rows of W */
static void
zero_edges (float *d, int rows, int W, int lo, int hi)
{
  for (int y = 0; y < rows; y++, d += W)
    {
      for (int x = 0; x < lo; x++)
        d[x] = 0.0f;
      for (int x = hi; x < W; x++)
        d[x] = 0.0f;
    }
}

SW_VECTOR_CLONES static void
unfold_same (const SwIm2col *g, const float *plane, int ki, int kj, size_t r0, size_t r1,
             float *restrict dst)
{
  const int W = g->W, off = kj - g->pad, dy = ki - g->pad;
  int lo, hi;
  valid_columns (g, off, &lo, &hi);
  for (size_t r = r0; r < r1;)
    {
      const Segment s = segment_at (g, r, r1, dy);
      float *d = dst + (r - r0) * W;
      memset (d, 0, sizeof (float) * (size_t) (s.a - s.oy0) * W);
      float *restrict run = d + (size_t) (s.a - s.oy0) * W;
      const size_t len = (size_t) (s.b - s.a) * W;
      if (len > 0)
        {
          /* run[i] = src[i] but where that reads before or past the run */
          const float *restrict src = plane + (s.n * g->H + s.a + dy) * W + off;
          const size_t i0 = off < 0 ? (size_t) -off : 0, i1 = off > 0 ? len - off : len;
          for (size_t i = i0; i < i1; i++)
            run[i] = src[i];
          zero_edges (run, s.b - s.a, W, lo, hi);
        }
      memset (run + len, 0, sizeof (float) * (size_t) (s.oy1 - s.b) * W);
      r += (size_t) (s.oy1 - s.oy0);
    }
}

/* unfold_same's adjoint; zeroes the columns of col that read across an
 * edge, so that the run adds them as 0 */
SW_VECTOR_CLONES static void
fold_same (const SwIm2col *g, float *restrict col, int ki, int kj, size_t r0, size_t r1,
           float *plane)
{
  const int W = g->W, off = kj - g->pad, dy = ki - g->pad;
  int lo, hi;
  valid_columns (g, off, &lo, &hi);
  for (size_t r = r0; r < r1;)
    {
      const Segment s = segment_at (g, r, r1, dy);
      const size_t len = (size_t) (s.b - s.a) * W;
      if (len > 0)
        {
          float *restrict run = col + (r - r0 + (size_t) (s.a - s.oy0)) * W;
          float *restrict dst = plane + (s.n * g->H + s.a + dy) * W + off;
          const size_t i0 = off < 0 ? (size_t) -off : 0, i1 = off > 0 ? len - off : len;
          zero_edges (run, s.b - s.a, W, lo, hi);
          for (size_t i = i0; i < i1; i++)
            dst[i] += run[i];
        }
      r += (size_t) (s.oy1 - s.oy0);
    }
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
          if (same_grid (g))
            {
              unfold_same (g, img + (size_t) c * g->N * g->H * g->W, ki, kj, r0, r1, dst);
              continue;
            }
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
               float *col, float *img)
{
  const size_t cols = (r1 - r0) * g->Wo;
  for (int c = c0; c < c1; c++)
    for (int ki = 0; ki < g->k; ki++)
      for (int kj = 0; kj < g->k; kj++)
        {
          float *src = col + ((size_t) ((c - c0) * g->k + ki) * g->k + kj) * cols;
          if (same_grid (g))
            {
              fold_same (g, src, ki, kj, r0, r1, img + (size_t) c * g->N * g->H * g->W);
              continue;
            }
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
