/* parallel.h: how the engine uses the cores.
 *
 * The engine runs its own loops on OpenMP threads and calls OpenBLAS with
 * one thread from each of them: a layer's work is split into independent
 * pieces (rows of the output, or channels) that each do their own unfolding
 * and their own GEMM, so the copies and the elementwise layers run on every
 * core too, and no BLAS thread spins while the engine copies.  Reductions
 * (weight gradients) go through per-thread buffers summed in thread order,
 * so a result depends on the thread count but never on timing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Waking a sleeping team costs about 23 us on the 2-core VM we measure
 * on (OMP_WAIT_POLICY=passive, which sw_blas_setup asks for), a barrier
 * half that: the 16x16 resunet's forward at batch 2 (one CFG step) ran
 * 196 teams, and on one thread it took 0.21 s a generation against 0.35 s
 * on two.  An op smaller than these runs on its caller's thread alone.
 * The choice depends on the shapes only, so a result never depends on
 * timing.  The FLOP bound keeps that forward's 3x3 convolutions (9.4
 * MFLOP) on one thread: with another process on the second core, as on a
 * shared machine, a team of two was slower than one. */
#define SW_PARALLEL_MIN 32768               /* values an elementwise op reads */
#define SW_PARALLEL_MIN_FLOPS 16777216.0    /* GEMM-based ops */

/* whether a GEMM-based op of FLOPS pays for a team */
static inline bool
sw_parallel_pays (double flops)
{
  return flops >= SW_PARALLEL_MIN_FLOPS;
}

/* whether an elementwise op reading VALUES pays for a team */
static inline bool
sw_parallel_pays_values (size_t values)
{
  return values >= SW_PARALLEL_MIN;
}

/* threads the engine uses (OMP_NUM_THREADS, else the cores) */
int  sw_num_threads (void);

/* inside a parallel region: this thread's number and the team's size */
static inline int
sw_team_member (void)
{
#ifdef _OPENMP
  return omp_get_thread_num ();
#else
  return 0;
#endif
}

static inline int
sw_team_size (void)
{
#ifdef _OPENMP
  return omp_get_num_threads ();
#else
  return 1;
#endif
}

/* the slice [*begin, *end) of n items that thread `part` of `parts` takes */
static inline void
sw_split (size_t n, int part, int parts, size_t *begin, size_t *end)
{
  *begin = n * (size_t) part / (size_t) parts;
  *end = n * (size_t) (part + 1) / (size_t) parts;
}

/* Called by every thread of a team after its private buffers are complete:
 * out[i] += sum over threads t of first[t * stride + i], i in [0, n), summed
 * in thread order so the result never depends on timing. */
static inline void
sw_reduce_private (float *out, const float *first, size_t stride, int threads, size_t n)
{
#pragma omp barrier
#pragma omp for
  for (size_t i = 0; i < n; i++)
    {
      float s = 0.0f;
      for (int t = 0; t < threads; t++)
        s += first[t * stride + i];
      out[i] += s;
    }
}
