/*
 * ct_simd.c: run-time choice of the CT sample path (contract in ct_simd.h).
 */
#include "ct_simd.h"

/* -1 until first asked; one thread (see ct_simd.h). */
static int best_path = -1;
static int chosen_path = -1;

static ct_simd_t probe(void) {
#if CT_SIMD_X86
    /* The library's probe also checks that the OS saves the wide registers (XCR0), so a
     * supported answer means the instructions can actually run here. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
        return CT_SIMD_AVX2;
    }
#endif
    return CT_SIMD_PORTABLE;
}

ct_simd_t ct_simd_best(void) {
    if (best_path < 0) {
        best_path = (int)probe();
    }
    return (ct_simd_t)best_path;
}

ct_simd_t ct_simd_path(void) {
    if (chosen_path < 0) {
        chosen_path = (int)ct_simd_best();
    }
    return (ct_simd_t)chosen_path;
}

ct_simd_t ct_simd_select(ct_simd_t want) {
    ct_simd_t best = ct_simd_best();
    chosen_path = (int)(want < best ? want : best);
    return (ct_simd_t)chosen_path;
}
