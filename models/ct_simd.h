/*
 * ct_simd.h: which instruction set the CT sample path runs on this host.
 *
 * The noise and ADC-count loops of the CT channels have a portable path and an x86 AVX2 path
 * (4 doubles a step), chosen once at run time from what the processor and the operating system
 * support, so one binary runs everywhere. (AVX-512 was measured and not kept: on the EPYC hosts
 * alfasim is benchmarked on, its gathers and its 8-wide table loads were slower than AVX2.) Every
 * path gives bit-identical samples and takes the same draws from the noise stream: the vector loops
 * do the same IEEE operations in the same order (a multiply and an add are never fused) and hand
 * the rare draws that need a second look back to the portable code in the original order. The
 * choice is therefore invisible in traces and digests; it only changes the cost.
 *
 * ct_simd_select() exists for tests and measurements that run the paths side by side. The
 * selection is process-wide and not synchronised: alfasim runs a simulation on one thread.
 */
#ifndef CT_SIMD_H
#define CT_SIMD_H

/* 1 where the x86 vector paths are compiled in (GCC or Clang on x86-64), else 0. */
#if defined(__x86_64__) && defined(__GNUC__)
#define CT_SIMD_X86 1
#else
#define CT_SIMD_X86 0
#endif

typedef enum {
    CT_SIMD_PORTABLE = 0, /* C, with SSE2 where the compiler targets it */
    CT_SIMD_AVX2 = 1,
} ct_simd_t;

/** The widest path this host can run (probed once). */
ct_simd_t ct_simd_best(void);

/** The path in use: ct_simd_best() unless ct_simd_select() chose another. */
ct_simd_t ct_simd_path(void);

/** Uses `want`, or the best this host has if it has less; returns the path now in use. */
ct_simd_t ct_simd_select(ct_simd_t want);

#endif
