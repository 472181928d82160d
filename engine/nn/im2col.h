/* im2col.h: unfolding (C, N, H, W) images into GEMM columns and back.
 *
 * The column grid is N x Ho x Wo; a "row" r = n*Ho + oy is one line of Wo
 * columns.  For channels [c0, c1) and rows [r0, r1), col is
 * ((c1-c0)*k*k, (r1-r0)*Wo) and row (c-c0, ki, kj), column (r, ox) holds
 * img[c, n, oy*s - p + ki, ox*s - p + kj] (0 outside the image).
 * col2im adds columns back (the adjoint), zeroing on the way the values of
 * col that read outside the image. */
#pragma once

#include <stddef.h>

typedef struct {
  int C, N, H, W;   /* the image tensor */
  int k, stride, pad;
  int Ho, Wo;       /* the column grid */
} SwIm2col;

void sw_im2col (const SwIm2col *g, int c0, int c1, size_t r0, size_t r1,
                const float *img, float *col);
void sw_col2im_add (const SwIm2col *g, int c0, int c1, size_t r0, size_t r1,
                    float *col, float *img);
/* floats of one thread's column buffer: a chunk of rows of all g->C
 * channels, near a cache-friendly size (at least one row) */
size_t sw_im2col_chunk_floats (const SwIm2col *g);
/* rows to unfold at once for `channels` <= g->C channels: as many as fit
 * in sw_im2col_chunk_floats (at least 1), so that a thread unfolding a
 * subset of the channels stays inside its own buffer */
size_t sw_im2col_rows_per_chunk (const SwIm2col *g, int channels);
