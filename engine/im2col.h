/* im2col.h: unfolding (C, N, H, W) images into GEMM columns and back.
 *
 * For images n0 .. n0+nb of a (C, N, H, W) tensor, col is (C*k*k, nb*Ho*Wo):
 * row (c, ki, kj), column (n, oy, ox) holds img[c, n, oy*s - p + ki, ox*s - p + kj]
 * (0 outside the image).  col2im adds the columns back (the adjoint). */
#pragma once

typedef struct {
  int C, N, H, W;   /* the image tensor */
  int k, stride, pad;
  int Ho, Wo;       /* the column grid */
} SwIm2col;

void sw_im2col (const SwIm2col *g, int n0, int nb, const float *img, float *col);
void sw_col2im_add (const SwIm2col *g, int n0, int nb, const float *col, float *img);
/* how many images to unfold at once so col stays near a cache-friendly size */
int  sw_im2col_chunk (const SwIm2col *g);
