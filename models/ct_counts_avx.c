/*
 * ct_counts_avx.c: waveform plus noise to counts in one AVX2 sweep (contract in ct_counts.h).
 *
 * Four samples a step, lane for lane the portable code's operations: two products and their
 * sum (the wave), the noise added to it, the base added to that, then the clamp and the
 * truncation of the SSE2 conversion (vmaxpd and vminpd order their operands as maxpd and
 * minpd do, so even a NaN converts alike). Compiled for AVX2 per function, so the rest of
 * alfasim keeps the baseline target.
 */
#include "ct_counts.h"
#include "ct_simd.h"

#if CT_SIMD_X86
#include <immintrin.h>

__attribute__((target("avx2"))) void ct_counts_wave_avx2(const double *noise, const double *cos_j,
                                                         const double *sin_j, double a_sin,
                                                         double a_cos, double base, size_t m,
                                                         uint16_t *out, uint64_t *clipped) {
    const __m256d vs = _mm256_set1_pd(a_sin), vc = _mm256_set1_pd(a_cos);
    const __m256d vbase = _mm256_set1_pd(base), one = _mm256_set1_pd(1.0);
    const __m256d zero = _mm256_setzero_pd(), top = _mm256_set1_pd((double)CT_SENSOR_ADC_MAX);
    __m256i clip_lanes = _mm256_setzero_si256(); /* a clipping lane's mask is -1: subtract it */
    uint64_t clips = 0;
    size_t k = 0;
    for (; k + 4 <= m; k += 4) {
        __m256d wave = _mm256_add_pd(_mm256_mul_pd(vs, _mm256_loadu_pd(cos_j + k)),
                                     _mm256_mul_pd(vc, _mm256_loadu_pd(sin_j + k)));
        __m256d h = _mm256_add_pd(vbase, _mm256_add_pd(_mm256_loadu_pd(noise + k), wave));
        __m256d clip =
            _mm256_or_pd(_mm256_cmp_pd(h, one, _CMP_LT_OS), _mm256_cmp_pd(h, top, _CMP_GE_OS));
        clip_lanes = _mm256_sub_epi64(clip_lanes, _mm256_castpd_si256(clip));
        __m128i c = _mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(h, zero), top));
        _mm_storel_epi64((__m128i *)(void *)(out + k), _mm_packs_epi32(c, c));
    }
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)(void *)lanes, clip_lanes);
    clips = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; k < m; k++) {
        double acc = noise[k] + (a_sin * cos_j[k] + a_cos * sin_j[k]);
        out[k] = ct_counts_one(base + acc, &clips);
    }
    *clipped += clips;
}

#else
/* Other hosts run the portable path only (ct_simd_best() never offers AVX2 there). */
typedef int ct_counts_avx_none_t;
#endif
