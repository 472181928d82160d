#include "winograd.h"
#include "parallel.h"
#include "simd.h"

#include <cblas.h>
#include <string.h>

/* Each thread transforms at most this many floats of tiles at once (its V
 * and M): the 16 GEMMs then read them from cache. */
#define SW_WINOGRAD_BUDGET_FLOATS (1u << 18)

bool
sw_winograd_pays (const SwConvGeom *g, int N, int H, int W, bool adjoint)
{
  const size_t tiles = (size_t) N * ((H + 1) / 2) * ((W + 1) / 2);
  return g->k == 3 && g->stride == 1 && g->pad == 1
         && (adjoint ? g->cout : g->cin) >= 8 && tiles >= 128;
}

/* The 16 transformed planes (of U, V, M) are 16 streams read or written
 * side by side; a whole number of pages apart (64 channels x 128 tiles
 * is 32 KiB) they would all fall in the same L1 sets and evict each other,
 * which made the forward of two 28x28 images twice as slow.  Each plane
 * starts this many floats (a cache line) further along. */
#define SKEW 16

/* floats of 16 planes of PLANE floats each, skewed */
static size_t
planes (size_t plane)
{
  return 16 * (plane + SKEW);
}

static size_t
tiles_per_chunk (int cin, int cout)
{
  size_t per_tile = 16 * (size_t) (cin + cout);
  size_t tiles = SW_WINOGRAD_BUDGET_FLOATS / per_tile;
  return tiles < 16 ? 16 : tiles;
}

/* floats of one thread's row scratch: four padded input rows, or two
 * output rows */
static size_t
row_scratch_floats (int W)
{
  return 4 * (size_t) (W + 3);
}

/* U (or the weight gradient's dU), then per thread V, M, a row's scratch
 * and a private dU */
size_t
sw_winograd_work_floats (int cin, int cout, int W)
{
  const size_t chunk = tiles_per_chunk (cin, cout), weights = planes ((size_t) cin * cout);
  size_t per_thread = planes (cin * chunk) + planes (cout * chunk) + row_scratch_floats (W)
                      + weights;
  return weights + (size_t) sw_num_threads () * per_thread;
}

/* U[k][o][i] = (G g G^T)[k] for the kernel g that takes input channel i
 * to output channel o; G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1] */
static void
transform_weights (int cin, int cout, const float *weight, bool adjoint, float *U)
{
  const size_t plane = (size_t) cout * cin;
#pragma omp for
  for (size_t oi = 0; oi < plane; oi++)
    {
      const int o = (int) (oi / cin), i = (int) (oi % cin);
      float g[3][3];
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          g[a][b] = adjoint ? weight[(((size_t) i * cout + o) * 3 + 2 - a) * 3 + 2 - b]
                            : weight[(((size_t) o * cin + i) * 3 + a) * 3 + b];
      float t[4][3];
      for (int b = 0; b < 3; b++)
        {
          t[0][b] = g[0][b];
          t[1][b] = 0.5f * (g[0][b] + g[1][b] + g[2][b]);
          t[2][b] = 0.5f * (g[0][b] - g[1][b] + g[2][b]);
          t[3][b] = g[2][b];
        }
      for (int a = 0; a < 4; a++)
        {
          float u[4] = {
            t[a][0], 0.5f * (t[a][0] + t[a][1] + t[a][2]),
            0.5f * (t[a][0] - t[a][1] + t[a][2]), t[a][2],
          };
          for (int b = 0; b < 4; b++)
            U[(size_t) (a * 4 + b) * (plane + SKEW) + oi] = u[b];
        }
    }
}

typedef struct {
  int N, H, W;
  int th, tw;  /* tiles down and across one image */
} Tiling;

/* The tiles tx0..tx1-1 of tile row ty, one channel of one image (src,
 * H x W): V[k][i] = (B^T d B)[k] for the 4x4 input block d of tile tx0+i
 * (zero outside the image), V[k] at dst + k*plane.
 * B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], down the rows, then
 * across, every tile of the run at once. */
SW_VECTOR_CLONES static void
input_row (const Tiling *t, const float *restrict src, int ty, int tx0, int tx1,
           float *restrict dst, size_t plane, float *restrict scratch)
{
  const int Wp = 2 * t->tw + 2;  /* x = -1 .. 2*tw */
  float *d = scratch;
  for (int a = 0; a < 4; a++)
    {
      float *row = d + a * Wp;
      const int y = 2 * ty - 1 + a;
      /* the test outside the loop: inside, GCC made it a masked load,
       * a third of the time on AMD's cores */
      row[0] = 0.0f;
      if (y >= 0 && y < t->H)
        memcpy (row + 1, src + (size_t) y * t->W, sizeof (float) * t->W);
      else
        memset (row + 1, 0, sizeof (float) * t->W);
      for (int x = t->W + 1; x < Wp; x++)
        row[x] = 0.0f;
    }
  /* row a of B^T d is u + s w for two of the four rows: d0 - d2,
   * d1 + d2, d2 - d1, d1 - d3; computed where it is read, so the loop
   * has one source and four destinations and GCC vectorises it */
  const float *u[4] = { d, d + Wp, d + 2 * Wp, d + Wp };
  const float *w[4] = { d + 2 * Wp, d + 2 * Wp, d + Wp, d + 3 * Wp };
  static const float sign[4] = { -1.0f, 1.0f, -1.0f, -1.0f };
  const int n = tx1 - tx0;
  for (int a = 0; a < 4; a++)
    {
      const float *ua = u[a] + 2 * tx0, *wa = w[a] + 2 * tx0, sa = sign[a];
      float *v0 = dst + (size_t) (a * 4) * plane, *v1 = v0 + plane;
      float *v2 = v1 + plane, *v3 = v2 + plane;
      for (int i = 0; i < n; i++)
        {
          const float m0 = ua[2 * i] + sa * wa[2 * i], m1 = ua[2 * i + 1] + sa * wa[2 * i + 1];
          const float m2 = ua[2 * i + 2] + sa * wa[2 * i + 2];
          const float m3 = ua[2 * i + 3] + sa * wa[2 * i + 3];
          v0[i] = m0 - m2;
          v1[i] = m1 + m2;
          v2[i] = m2 - m1;
          v3[i] = m1 - m3;
        }
    }
}

/* The output of tiles tx0..tx1-1 of tile row ty, one channel of one image
 * (dst, H x W): the 2x2 block A^T M A + bias of each, cut to the image,
 * written or added.  M[k][i] at src + k*plane; A^T = [1 1 1 0; 0 1 -1 -1]. */
SW_VECTOR_CLONES static void
output_row (const Tiling *t, const float *restrict src, size_t plane, float bias,
            bool accumulate, int ty, int tx0, int tx1, float *restrict dst,
            float *restrict scratch)
{
  const int n = tx1 - tx0;
  float *y0 = scratch, *y1 = scratch + 2 * n;
  const float *m[16];
  for (int k = 0; k < 16; k++)
    m[k] = src + (size_t) k * plane;
  for (int i = 0; i < n; i++)
    {
      float r0[4], r1[4];
      for (int b = 0; b < 4; b++)
        {
          r0[b] = m[b][i] + m[4 + b][i] + m[8 + b][i];
          r1[b] = m[4 + b][i] - m[8 + b][i] - m[12 + b][i];
        }
      y0[2 * i] = r0[0] + r0[1] + r0[2] + bias;
      y0[2 * i + 1] = r0[1] - r0[2] - r0[3] + bias;
      y1[2 * i] = r1[0] + r1[1] + r1[2] + bias;
      y1[2 * i + 1] = r1[1] - r1[2] - r1[3] + bias;
    }
  const int x0 = 2 * tx0, width = 2 * n < t->W - x0 ? 2 * n : t->W - x0;
  for (int a = 0; a < 2 && 2 * ty + a < t->H; a++)
    {
      const float *y = a ? y1 : y0;
      float *o = dst + (size_t) (2 * ty + a) * t->W + x0;
      if (accumulate)
        for (int x = 0; x < width; x++)
          o[x] += y[x];
      else
        for (int x = 0; x < width; x++)
          o[x] = y[x];
    }
}

/* The adjoint of output_row: for tiles tx0..tx1-1 of tile row ty, the
 * 2x2 blocks dy of one channel's output gradient (src, H x W; zero outside
 * the image) taken back to dM = A dy A^T, dM[k][i] to dst + k*plane. */
SW_VECTOR_CLONES static void
gradient_row (const Tiling *t, const float *restrict src, int ty, int tx0, int tx1,
              float *restrict dst, size_t plane, float *restrict scratch)
{
  const int n = tx1 - tx0, x0 = 2 * tx0;
  const int width = 2 * n < t->W - x0 ? 2 * n : t->W - x0;
  float *rows[2] = { scratch, scratch + 2 * n };
  for (int a = 0; a < 2; a++)
    {
      const int y = 2 * ty + a;
      if (y < t->H)
        memcpy (rows[a], src + (size_t) y * t->W + x0, sizeof (float) * width);
      else
        memset (rows[a], 0, sizeof (float) * width);
      for (int x = width; x < 2 * n; x++)
        rows[a][x] = 0.0f;
    }
  /* A = [1 0; 1 1; 1 -1; 0 -1]: row a of A dy is p[a] dy0 + q[a] dy1,
   * then across: A c^T.  A row of dM at a time, four output streams, so
   * that GCC vectorises the loop (it gives up on sixteen). */
  static const float p[4] = { 1.0f, 1.0f, 1.0f, 0.0f }, q[4] = { 0.0f, 1.0f, -1.0f, -1.0f };
  const float *r0 = rows[0], *r1 = rows[1];
  for (int a = 0; a < 4; a++)
    {
      float *m0 = dst + (size_t) (a * 4) * plane, *m1 = m0 + plane;
      float *m2 = m1 + plane, *m3 = m2 + plane;
      const float pa = p[a], qa = q[a];
      for (int i = 0; i < n; i++)
        {
          const float c0 = pa * r0[2 * i] + qa * r1[2 * i];
          const float c1 = pa * r0[2 * i + 1] + qa * r1[2 * i + 1];
          m0[i] = c0;
          m1[i] = c0 + c1;
          m2[i] = c0 - c1;
          m3[i] = -c1;
        }
    }
}

/* The adjoint of transform_weights (not ADJOINT): weight[o][i] +=
 * G^T dU[.][o][i] G, the gradient of the 3x3 kernel from that of its
 * transform. */
static void
weight_gradient (int cin, int cout, const float *dU, float *dweight)
{
  const size_t plane = (size_t) cout * cin;
#pragma omp for
  for (size_t oi = 0; oi < plane; oi++)
    {
      float u[4][4], t[3][4];
      for (int k = 0; k < 16; k++)
        u[k / 4][k % 4] = dU[k * (plane + SKEW) + oi];
      for (int b = 0; b < 4; b++)
        {
          t[0][b] = u[0][b] + 0.5f * (u[1][b] + u[2][b]);
          t[1][b] = 0.5f * (u[1][b] - u[2][b]);
          t[2][b] = 0.5f * (u[1][b] + u[2][b]) + u[3][b];
        }
      float *g = dweight + oi * 9;
      for (int a = 0; a < 3; a++)
        {
          g[a * 3 + 0] += t[a][0] + 0.5f * (t[a][1] + t[a][2]);
          g[a * 3 + 1] += 0.5f * (t[a][1] - t[a][2]);
          g[a * 3 + 2] += 0.5f * (t[a][1] + t[a][2]) + t[a][3];
        }
    }
}

/* The run of tiles from tile p to the end of its tile row or to p1,
 * whichever is first (tile p: image p / (th*tw), then row, then column). */
typedef struct {
  int n, ty, tx0, tx1;
} Run;

static Run
run_at (const Tiling *t, size_t p, size_t p1)
{
  const size_t per_image = (size_t) t->th * t->tw;
  Run r = { (int) (p / per_image), (int) (p % per_image / t->tw), (int) (p % t->tw), t->tw };
  if (p1 - p < (size_t) (r.tx1 - r.tx0))
    r.tx1 = r.tx0 + (int) (p1 - p);
  return r;
}

/* The 16 skewed planes (C, p1 - p0) of the tiles [p0, p1) of images
 * (C, N, H, W): their input transform, or with GRADIENT the adjoint of the
 * output transform (the images then being an output's gradient). */
static void
transform_tiles (const Tiling *t, int C, const float *img, size_t p0, size_t p1,
                 bool gradient, float *planes_out, float *scratch)
{
  const size_t np = p1 - p0, plane = C * np + SKEW, image = (size_t) t->H * t->W;
  for (size_t p = p0; p < p1;)
    {
      const Run r = run_at (t, p, p1);
      for (int c = 0; c < C; c++)
        {
          const float *src = img + ((size_t) c * t->N + r.n) * image;
          float *dst = planes_out + (size_t) c * np + (p - p0);
          if (gradient)
            gradient_row (t, src, r.ty, r.tx0, r.tx1, dst, plane, scratch);
          else
            input_row (t, src, r.ty, r.tx0, r.tx1, dst, plane, scratch);
        }
      p += (size_t) (r.tx1 - r.tx0);
    }
}

void
sw_winograd_conv3x3 (int cin, int cout, int N, int H, int W,
                     const float *inp, const float *weight, bool adjoint,
                     const float *bias, bool accumulate, float *out, float *work)
{
  /* inp (Cin, N, H, W), out (Cout, N, H, W); U (16, Cout, Cin), per
   * thread V (16, Cin, tiles), M (16, Cout, tiles) and a row's scratch */
  const Tiling t = { N, H, W, (H + 1) / 2, (W + 1) / 2 };
  const size_t tiles = (size_t) N * t.th * t.tw, chunk = tiles_per_chunk (cin, cout);
  const size_t image = (size_t) H * W;
  float *U = work;
  const size_t stride = planes (cin * chunk) + planes (cout * chunk) + row_scratch_floats (W);
  const size_t plane_u = (size_t) cout * cin + SKEW;

#pragma omp parallel
  {
    transform_weights (cin, cout, weight, adjoint, U);  /* ends in a barrier */
    const int T = sw_team_size (), tid = sw_team_member ();
    float *V = work + planes ((size_t) cin * cout) + tid * stride;
    float *M = V + planes (cin * chunk);
    float *scratch = M + planes (cout * chunk);
    size_t begin, end;
    sw_split (tiles, tid, T, &begin, &end);
    for (size_t p0 = begin; p0 < end; p0 += chunk)
      {
        const size_t p1 = p0 + chunk < end ? p0 + chunk : end, np = p1 - p0;
        const size_t plane_v = cin * np + SKEW, plane_m = cout * np + SKEW;
        transform_tiles (&t, cin, inp, p0, p1, false, V, scratch);
        for (int k = 0; k < 16; k++)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                       cout, (int) np, cin, 1.0f, U + k * plane_u, cin,
                       V + k * plane_v, (int) np, 0.0f, M + k * plane_m, (int) np);
        for (size_t p = p0; p < p1;)
          {
            const Run r = run_at (&t, p, p1);
            for (int c = 0; c < cout; c++)
              output_row (&t, M + (size_t) c * np + (p - p0), plane_m,
                          bias ? bias[c] : 0.0f, accumulate, r.ty, r.tx0, r.tx1,
                          out + ((size_t) c * N + r.n) * image, scratch);
            p += (size_t) (r.tx1 - r.tx0);
          }
      }
  }
}

void
sw_winograd_conv3x3_weight_grad (int cin, int cout, int N, int H, int W,
                                 const float *inp, const float *dout, float *dweight,
                                 float *work)
{
  /* inp (Cin, N, H, W), dout (Cout, N, H, W), dweight (Cout, Cin, 3, 3);
   * dU (16, Cout, Cin) summed over the threads' private ones, and per
   * thread V (16, Cin, tiles), dM (16, Cout, tiles), a row's scratch and
   * its dU: dU[k] += dM[k] V[k]^T, k = 0..15 */
  const Tiling t = { N, H, W, (H + 1) / 2, (W + 1) / 2 };
  const size_t tiles = (size_t) N * t.th * t.tw, chunk = tiles_per_chunk (cin, cout);
  const size_t dU_floats = planes ((size_t) cin * cout);
  const size_t plane_u = (size_t) cout * cin + SKEW;
  float *dU = work;
  const size_t stride = planes (cin * chunk) + planes (cout * chunk) + row_scratch_floats (W)
                        + dU_floats;

#pragma omp parallel
  {
    const int T = sw_team_size (), tid = sw_team_member ();
    float *V = work + dU_floats + tid * stride;
    float *dM = V + planes (cin * chunk);
    float *scratch = dM + planes (cout * chunk);
    float *mine = scratch + row_scratch_floats (W);
    memset (mine, 0, sizeof (float) * dU_floats);
#pragma omp for
    for (size_t i = 0; i < dU_floats; i++)
      dU[i] = 0.0f;
    size_t begin, end;
    sw_split (tiles, tid, T, &begin, &end);
    for (size_t p0 = begin; p0 < end; p0 += chunk)
      {
        const size_t p1 = p0 + chunk < end ? p0 + chunk : end, np = p1 - p0;
        const size_t plane_v = cin * np + SKEW, plane_m = cout * np + SKEW;
        transform_tiles (&t, cin, inp, p0, p1, false, V, scratch);
        transform_tiles (&t, cout, dout, p0, p1, true, dM, scratch);
        for (int k = 0; k < 16; k++)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                       cout, cin, (int) np, 1.0f, dM + k * plane_m, (int) np,
                       V + k * plane_v, (int) np, 1.0f, mine + k * plane_u, cin);
      }
    sw_reduce_private (dU, work + dU_floats + (mine - V), stride, T, dU_floats);
    weight_gradient (cin, cout, dU, dweight);
  }
}
