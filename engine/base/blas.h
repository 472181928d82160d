/* blas.h: choosing OpenBLAS's kernels before it starts.
 *
 * Debian's OpenBLAS 0.3.21 names some current CPUs (AVX-512, virtualised)
 * "Prescott" and runs SSE3 kernels at half speed.  It reads
 * OPENBLAS_CORETYPE only while it loads, before main(), so when the user has
 * not set it and the detected core is weaker than the CPU, sw_blas_setup()
 * sets it and re-executes the program once.  The new process checks a small
 * GEMM against a plain loop and goes back to the detected core if they
 * disagree.  A value the user set is never overridden. */
#pragma once

#include <glib.h>

/* Call first in main(), before any thread exists; may not return (exec).
 * Also tells OpenBLAS to run each call on its caller's thread: the engine
 * splits work over the cores itself (parallel.h); and, unless the user set
 * OMP_WAIT_POLICY, restarts once with it passive, so idle OpenMP threads
 * sleep instead of spinning on cores another process needs. */
void        sw_blas_setup (char **argv);
/* the OpenMP wait policy in effect and who chose it, one phrase */
const char *sw_wait_policy_note (void);
/* the core OpenBLAS runs, e.g. "SkylakeX" */
const char *sw_blas_core_name (void);
/* how that core was chosen, one sentence */
const char *sw_blas_core_note (void);

/* The core to ask for when OpenBLAS detected DETECTED on a CPU with these
 * features, or NULL to keep its choice: only a generic (pre-AVX2) core is
 * replaced, by SkylakeX with AVX-512 F/BW/DQ/VL, else Haswell with AVX2+FMA. */
const char *sw_blas_better_core (const char *detected, gboolean avx512, gboolean avx2_fma);
