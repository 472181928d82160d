/* simd.h: loops worth compiling for each vector width.
 *
 * A function marked SW_VECTOR_CLONES is compiled for AVX-512, AVX2 and the
 * baseline, and the dynamic loader picks one for the CPU (GCC function
 * multi-versioning): Debian builds for the baseline, where the loops would
 * run four floats at a time on cores that can do sixteen. */
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SW_VECTOR_CLONES __attribute__ ((target_clones ("avx512f", "avx2,fma", "default")))
#else
#define SW_VECTOR_CLONES
#endif
