#include "nn/winograd.h"
#include "nn/winograd-weights.h"
#include "base/parallel.h"
#include "base/simd.h"

#include <cblas.h>
#include <string.h>

/* Each thread transforms at most this many floats of tiles at once (its V
 * and M): the 36 GEMMs then read them from cache.  The tiles of a chunk,
 * the GEMMs' long side, are a multiple of 16: with 37 (128 channels into
 * 64) or 28 (128 into 128) the GEMMs took 1.5x as long as with 32 or 16. */
#define SW_WINOGRAD_BUDGET_FLOATS (1u << 18)

bool
sw_winograd_pays (const SwConvGeom *g, int N, int H, int W, bool adjoint)
{
  const size_t tiles = (size_t) N * ((H + 3) / 4) * ((W + 3) / 4);
  const int channels = adjoint ? g->cout : g->cin;
  return g->k == 3 && g->stride == 1 && g->pad == 1
         && channels >= 8 && tiles >= 32
         && (W > 8 || W == 4 || channels >= 128 || tiles >= 128);
}

/* floats of the 36 planes of PLANE floats each, skewed */
static size_t
planes (size_t plane)
{
  return NK * (plane + SKEW);
}

static size_t
tiles_per_chunk (int cin, int cout)
{
  size_t per_tile = NK * (size_t) (cin + cout);
  size_t tiles = SW_WINOGRAD_BUDGET_FLOATS / per_tile / 16 * 16;
  return tiles < 16 ? 16 : tiles;
}

/* floats of one thread's row scratch: the most any of input_row (6 padded
 * rows, then 2 x 6 rows of phases), output_row or gradient_row (40 floats
 * a tile) takes */
static size_t
row_scratch_floats (int W)
{
  return 24 * ((size_t) W + 8);
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
 * to output channel o (winograd-weights.c, a row o at a time) */
static void
transform_weights (int cin, int cout, const float *weight, bool adjoint, float *U)
{
#pragma omp for
  for (int o = 0; o < cout; o++)
    sw_winograd_transform_weight_row (cin, cout, weight, adjoint, o, U);
}

/* The adjoint of transform_weights (not ADJOINT): dweight[o][i] +=
 * G^T dU[.][o][i] G */
static void
weight_gradient (int cin, int cout, const float *dU, float *dweight)
{
#pragma omp for
  for (int o = 0; o < cout; o++)
    sw_winograd_weight_gradient_row (cin, cout, dU, o, dweight);
}

typedef struct {
  int N, H, W;
  int th, tw;  /* tiles down and across one image */
} Tiling;

/* B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
 *        0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 * applied to six values d (a column or row of an input tile) */
static inline void
apply_bt (float d0, float d1, float d2, float d3, float d4, float d5, float r[6])
{
  r[0] = 4.0f * d0 - 5.0f * d2 + d4;
  r[1] = (d3 + d4) - 4.0f * (d1 + d2);
  r[2] = (d4 - d3) + 4.0f * (d1 - d2);
  r[3] = (d4 - d2) + 2.0f * (d3 - d1);
  r[4] = (d4 - d2) - 2.0f * (d3 - d1);
  r[5] = 4.0f * d1 - 5.0f * d3 + d5;
}

/* A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * applied to six values m (a column or row of a tile's M) */
static inline void
apply_at (float m0, float m1, float m2, float m3, float m4, float m5, float r[4])
{
  const float p = m1 + m2, q = m1 - m2, s = m3 + m4, d = m3 - m4;
  r[0] = m0 + p + s;
  r[1] = q + 2.0f * d;
  r[2] = p + 4.0f * s;
  r[3] = q + 8.0f * d + m5;
}

/* A = (A^T)^T applied to four values c (a column or row of an output
 * tile's gradient) */
static inline void
apply_a (float c0, float c1, float c2, float c3, float r[6])
{
  const float p = c0 + c2, q = c1 + c3;
  r[0] = c0;
  r[1] = p + q;
  r[2] = p - q;
  r[3] = c0 + 4.0f * c2 + 2.0f * (c1 + 4.0f * c3);
  r[4] = c0 + 4.0f * c2 - 2.0f * (c1 + 4.0f * c3);
  r[5] = c3;
}

/* The tiles tx0..tx1-1 of tile row ty, one channel of one image (src,
 * H x W): V[k][i] = (B^T d B)[k] for the 6x6 input block d of tile tx0+i
 * (zero outside the image), V[k] at dst + k*plane.  Down the rows first,
 * then across; across, tile i reads x = 4i .. 4i+5, so each row is split
 * into its four phases (x mod 4) first and every loop reads and writes
 * whole runs, which GCC vectorises.  The transforms' loops read and write
 * disjoint rows of one scratch or plane block; GCC cannot see that (it
 * would need more than 10 run-time alias checks), hence "ivdep". */
static inline __attribute__ ((always_inline)) void
input_row_at (const Tiling *t, const float *restrict src, int ty, int tx0, int tx1,
              float *restrict dst, size_t plane, float *restrict scratch)
{
  const int Wp = 4 * t->tw + 4;  /* x = -1 .. 4*tw + 2 */
  const int n = tx1 - tx0, m = n + 1;
  const size_t L = 4 * (size_t) m;  /* a row's four phases, m each */
  float *d = scratch, *R = d + 6 * Wp, *E = R + 6 * L;
  for (int a = 0; a < 6; a++)
    {
      float *row = d + a * Wp;
      const int y = 4 * ty - 1 + a;
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
  for (int a = 0; a < 6; a++)
    {
      const float *row = d + a * Wp + 4 * tx0;
      float *p0 = R + a * L, *p1 = p0 + m, *p2 = p1 + m, *p3 = p2 + m;
      for (int i = 0; i < m; i++)
        {
          p0[i] = row[4 * i];
          p1[i] = row[4 * i + 1];
          p2[i] = row[4 * i + 2];
          p3[i] = row[4 * i + 3];
        }
    }
  /* down: E[a] = sum over j of B^T[a][j] R[j], every phase at once */
  {
    float *e0 = E, *e1 = e0 + L, *e2 = e1 + L, *e3 = e2 + L, *e4 = e3 + L, *e5 = e4 + L;
    #pragma GCC ivdep
    for (size_t x = 0; x < L; x++)
      {
        float r[6];
        apply_bt (R[x], R[L + x], R[2 * L + x], R[3 * L + x], R[4 * L + x], R[5 * L + x], r);
        e0[x] = r[0], e1[x] = r[1], e2[x] = r[2], e3[x] = r[3], e4[x] = r[4], e5[x] = r[5];
      }
  }
  /* across: tile i's six values are phases 0-3 at i, then 0-1 at i+1 */
  for (int a = 0; a < 6; a++)
    {
      const float *p0 = E + a * L, *p1 = p0 + m, *p2 = p1 + m, *p3 = p2 + m;
      float *v0 = dst + (size_t) (a * 6) * plane, *v1 = v0 + plane, *v2 = v1 + plane;
      float *v3 = v2 + plane, *v4 = v3 + plane, *v5 = v4 + plane;
      #pragma GCC ivdep
      for (int i = 0; i < n; i++)
        {
          float r[6];
          apply_bt (p0[i], p1[i], p2[i], p3[i], p0[i + 1], p1[i + 1], r);
          v0[i] = r[0], v1[i] = r[1], v2[i] = r[2], v3[i] = r[3], v4[i] = r[4], v5[i] = r[5];
        }
    }
}

/* The output of tiles tx0..tx1-1 of tile row ty, one channel of one image
 * (dst, H x W): the 4x4 block A^T M A + bias of each, cut to the image,
 * written or added.  M[k][i] at src + k*plane. */
static inline __attribute__ ((always_inline)) void
output_row_at (const Tiling *t, const float *restrict src, size_t plane, float bias,
               bool accumulate, int ty, int tx0, int tx1, float *restrict dst,
               float *restrict scratch)
{
  const int n = tx1 - tx0;
  float *S = scratch, *Y = S + 24 * n;  /* S (4, 6, n): down; Y (4, 4n): the rows */
  for (int b = 0; b < 6; b++)
    {
      const float *m = src + (size_t) b * plane;
      for (int i = 0; i < n; i++)
        {
          float r[4];
          apply_at (m[i], m[6 * plane + i], m[12 * plane + i], m[18 * plane + i],
                    m[24 * plane + i], m[30 * plane + i], r);
          for (int a = 0; a < 4; a++)
            S[(a * 6 + b) * n + i] = r[a];
        }
    }
  for (int a = 0; a < 4; a++)
    {
      const float *s = S + a * 6 * n;
      float *y = Y + a * 4 * n;
      for (int i = 0; i < n; i++)
        {
          float r[4];
          apply_at (s[i], s[n + i], s[2 * n + i], s[3 * n + i], s[4 * n + i], s[5 * n + i], r);
          for (int c = 0; c < 4; c++)
            y[4 * i + c] = r[c] + bias;
        }
    }
  const int x0 = 4 * tx0, width = 4 * n < t->W - x0 ? 4 * n : t->W - x0;
  for (int a = 0; a < 4 && 4 * ty + a < t->H; a++)
    {
      const float *y = Y + a * 4 * n;
      float *o = dst + (size_t) (4 * ty + a) * t->W + x0;
      if (accumulate)
        for (int x = 0; x < width; x++)
          o[x] += y[x];
      else
        for (int x = 0; x < width; x++)
          o[x] = y[x];
    }
}

/* The adjoint of output_row: for tiles tx0..tx1-1 of tile row ty, the
 * 4x4 blocks dy of one channel's output gradient (src, H x W; zero outside
 * the image) taken back to dM = A dy A^T, dM[k][i] to dst + k*plane. */
static inline __attribute__ ((always_inline)) void
gradient_row_at (const Tiling *t, const float *restrict src, int ty, int tx0, int tx1,
                 float *restrict dst, size_t plane, float *restrict scratch)
{
  const int n = tx1 - tx0, x0 = 4 * tx0, L = 4 * n;
  const int width = L < t->W - x0 ? L : t->W - x0;
  float *D = scratch, *C = D + 4 * L;  /* D (4, 4n): the rows; C (6, 4n): down */
  for (int a = 0; a < 4; a++)
    {
      float *row = D + a * L;
      const int y = 4 * ty + a;
      if (y < t->H)
        memcpy (row, src + (size_t) y * t->W + x0, sizeof (float) * width);
      else
        memset (row, 0, sizeof (float) * width);
      for (int x = width; x < L; x++)
        row[x] = 0.0f;
    }
  {
    float *c0 = C, *c1 = c0 + L, *c2 = c1 + L, *c3 = c2 + L, *c4 = c3 + L, *c5 = c4 + L;
    #pragma GCC ivdep
    for (int x = 0; x < L; x++)
      {
        float r[6];
        apply_a (D[x], D[L + x], D[2 * L + x], D[3 * L + x], r);
        c0[x] = r[0], c1[x] = r[1], c2[x] = r[2], c3[x] = r[3], c4[x] = r[4], c5[x] = r[5];
      }
  }
  for (int a = 0; a < 6; a++)
    {
      const float *c = C + a * L;
      float *m0 = dst + (size_t) (a * 6) * plane, *m1 = m0 + plane, *m2 = m1 + plane;
      float *m3 = m2 + plane, *m4 = m3 + plane, *m5 = m4 + plane;
      #pragma GCC ivdep
      for (int i = 0; i < n; i++)
        {
          float r[6];
          apply_a (c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3], r);
          m0[i] = r[0], m1[i] = r[1], m2[i] = r[2], m3[i] = r[3], m4[i] = r[4], m5[i] = r[5];
        }
    }
}

/* Whole tile rows of images 4, 8 or 16 pixels wide (the stage I net's
 * maps) go through copies of the transforms made with their sizes constant:
 * GCC then unrolls the loops over 1, 2 or 4 tiles into straight code, where
 * the general copy spent them in loop control and scalar remainders (the
 * three were a quarter of a batch-32 training step).  NARROW runs CALL,
 * which reads the tiling T_, the run TX0_ .. TX1_ and the rest by name. */
#define NARROW(t, tx0, tx1, CALL)                                              \
  do                                                                           \
    {                                                                          \
      const bool whole_ = (tx0) == 0 && (tx1) == (t)->tw && (t)->W == 4 * (t)->tw; \
      if (whole_ && (t)->W == 4)                                               \
        NARROW_AT (t, 4, CALL)                                                 \
      else if (whole_ && (t)->W == 8)                                          \
        NARROW_AT (t, 8, CALL)                                                 \
      else if (whole_ && (t)->W == 16)                                         \
        NARROW_AT (t, 16, CALL)                                                \
      else                                                                     \
        {                                                                      \
          const Tiling *T_ = (t);                                              \
          const int TX0_ = (tx0), TX1_ = (tx1);                                \
          CALL;                                                                \
        }                                                                      \
    }                                                                          \
  while (0)
/* CALL on a whole tile row of T's images, their width the constant W */
#define NARROW_AT(t, w, CALL)                                                  \
  {                                                                            \
    const Tiling k_ = { (t)->N, (t)->H, (w), (t)->th, (w) / 4 }, *T_ = &k_;    \
    const int TX0_ = 0, TX1_ = (w) / 4;                                        \
    CALL;                                                                      \
  }

SW_VECTOR_CLONES static void
input_row (const Tiling *t, const float *restrict src, int ty, int tx0, int tx1,
           float *restrict dst, size_t plane, float *restrict scratch)
{
  NARROW (t, tx0, tx1, input_row_at (T_, src, ty, TX0_, TX1_, dst, plane, scratch));
}

SW_VECTOR_CLONES static void
output_row (const Tiling *t, const float *restrict src, size_t plane, float bias,
            bool accumulate, int ty, int tx0, int tx1, float *restrict dst,
            float *restrict scratch)
{
  NARROW (t, tx0, tx1, output_row_at (T_, src, plane, bias, accumulate, ty, TX0_, TX1_, dst,
                                      scratch));
}

SW_VECTOR_CLONES static void
gradient_row (const Tiling *t, const float *restrict src, int ty, int tx0, int tx1,
              float *restrict dst, size_t plane, float *restrict scratch)
{
  NARROW (t, tx0, tx1, gradient_row_at (T_, src, ty, TX0_, TX1_, dst, plane, scratch));
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

/* The 36 skewed planes (C, p1 - p0) of the tiles [p0, p1) of images
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

static Tiling
tiling (int N, int H, int W)
{
  return (Tiling) { N, H, W, (H + 3) / 4, (W + 3) / 4 };
}

void
sw_winograd_conv3x3 (int cin, int cout, int N, int H, int W,
                     const float *inp, const float *weight, bool adjoint,
                     const float *bias, bool accumulate, float *out, float *work)
{
  /* inp (Cin, N, H, W), out (Cout, N, H, W); U (36, Cout, Cin), per
   * thread V (36, Cin, tiles), M (36, Cout, tiles) and a row's scratch */
  const Tiling t = tiling (N, H, W);
  const size_t tiles = (size_t) N * t.th * t.tw, chunk = tiles_per_chunk (cin, cout);
  const size_t image = (size_t) H * W;
  float *U = work;
  const size_t stride = planes (cin * chunk) + planes (cout * chunk) + row_scratch_floats (W);
  const size_t plane_u = (size_t) cout * cin + SKEW;

#pragma omp parallel if (sw_parallel_pays (18.0 * cin * cout * (double) N * H * W))
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
        for (int k = 0; k < NK; k++)
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
   * dU (36, Cout, Cin) summed over the threads' private ones, and per
   * thread V (36, Cin, tiles), dM (36, Cout, tiles), a row's scratch and
   * its dU: dU[k] += dM[k] V[k]^T, k = 0..35 */
  const Tiling t = tiling (N, H, W);
  const size_t tiles = (size_t) N * t.th * t.tw, chunk = tiles_per_chunk (cin, cout);
  const size_t dU_floats = planes ((size_t) cin * cout);
  const size_t plane_u = (size_t) cout * cin + SKEW;
  float *dU = work;
  const size_t stride = planes (cin * chunk) + planes (cout * chunk) + row_scratch_floats (W)
                        + dU_floats;

#pragma omp parallel if (sw_parallel_pays (18.0 * cin * cout * (double) N * H * W))
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
        for (int k = 0; k < NK; k++)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                       cout, cin, (int) np, 1.0f, dM + k * plane_m, (int) np,
                       V + k * plane_v, (int) np, 1.0f, mine + k * plane_u, cin);
      }
    sw_reduce_private (dU, work + dU_floats + (mine - V), stride, T, dU_floats);
    weight_gradient (cin, cout, dU, dweight);
  }
}
