/*
 * ct_noise_avx.c: the ziggurat's rectangle test, 4 samples (two draws) a step with AVX2.
 *
 * Contract in ct_noise_int.h. Each lane does what take() in ct_noise.c does, operation for
 * operation: z = (double)(h >> 9) * w[i] with w[i] = x[i] * 2^-23, accepted when
 * z < x[i + 1], then out = (sd * z) * (+1 or -1 from bit 8), a multiply rather than a sign flip
 * so that even a NaN (sd infinite, z = 0) comes out the same. There is no add, so a fused
 * multiply-add cannot change a rounding.
 *
 * The strips are fetched with one 16-byte load per sample from the indices in general
 * registers: on the EPYC hosts measured, vgatherdpd cost more than the rest of the loop, and
 * the loop is now bounded by the generator's own instructions (about 12 per draw).
 *
 * Compiled for AVX2 per function, so the rest of alfasim keeps the baseline target;
 * ct_noise.c calls this only when ct_simd_best() says the host has AVX2.
 */
#include "ct_noise_int.h"
#include "ct_simd.h"

#if CT_SIMD_X86
#include <immintrin.h>

#define AVX2_FN __attribute__((target("avx2")))

/* Lanes {w, x_next} of the strips of samples a (low 128 bits) and b. */
AVX2_FN static inline __m256d strips_of(const ct_noise_strip_t *s, uint64_t a, uint64_t b) {
    __m128d lo = _mm_loadu_pd(&s[a & 0xffu].w);
    return _mm256_insertf128_pd(_mm256_castpd128_pd256(lo), _mm_loadu_pd(&s[b & 0xffu].w), 1);
}

AVX2_FN size_t ct_noise_take_avx2(sim_prng_t *p, const ct_noise_strip_t *strips, size_t n,
                                  double sd_counts, double *out, ct_noise_misses_t *misses) {
    const __m256d sd = _mm256_set1_pd(sd_counts);
    const __m256d plus = _mm256_set1_pd(1.0), minus = _mm256_set1_pd(-1.0);
    sim_prng_t s = *p; /* a local copy keeps the state in registers */
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        uint64_t u0 = sim_prng_next(&s), u1 = sim_prng_next(&s);
        /* Samples k..k+3 are the low and high halves of u0, then of u1. Even samples go to
         * a's 128-bit lanes and odd ones to b's, so that unpacking gives lane order k..k+3. */
        __m256d a = strips_of(strips, u0, u1), b = strips_of(strips, u0 >> 32, u1 >> 32);
        __m256d w = _mm256_unpacklo_pd(a, b), x_next = _mm256_unpackhi_pd(a, b);
        __m128i h = _mm_set_epi64x((long long)u1, (long long)u0);
        __m256d z = _mm256_mul_pd(_mm256_cvtepi32_pd(_mm_srli_epi32(h, 9)), w);
        unsigned hit = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(z, x_next, _CMP_LT_OQ));
        /* Bit 8 shifted to bit 31, widened with its sign to bit 63: blendv's selector. */
        __m256i neg = _mm256_cvtepi32_epi64(_mm_slli_epi32(h, 23));
        __m256d sign = _mm256_blendv_pd(plus, minus, _mm256_castsi256_pd(neg));
        _mm256_storeu_pd(out + k, _mm256_mul_pd(_mm256_mul_pd(sd, z), sign));
        for (unsigned miss = ~hit & 0xfu; miss != 0; miss &= miss - 1) {
            unsigned lane = (unsigned)__builtin_ctz(miss);
            misses->h[misses->n] = (uint32_t)((lane < 2 ? u0 : u1) >> (32u * (lane & 1u)));
            misses->k[misses->n++] = (uint16_t)(k + lane);
        }
    }
    *p = s;
    return k;
}

#else
/* Other hosts run the portable path only (ct_simd_best() never offers AVX2 there). */
typedef int ct_noise_avx_none_t;
#endif
