/*
 * sim_prng.c: xoshiro256** streams seeded through splitmix64, with exact integer helpers.
 *
 * Everything here is integer arithmetic on uint64_t with wrap-around, so a stream gives the same
 * values on every host, compiler and word size (a 32-bit build included: the 64x64->128 product
 * is done by hand rather than with a compiler extension). Doubles appear only in unit() and
 * gauss(), which feed physical noise, never a branch decision.
 */
#include "sim_prng.h"

#include <math.h>
#include <stddef.h>

#include "sim_types.h"

/* splitmix64: a bijective 64-bit finaliser; every input bit affects every output bit. */
static uint64_t splitmix64_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *state) {
    *state += 0x9e3779b97f4a7c15ULL;
    return splitmix64_mix(*state);
}

static uint64_t rotl64(uint64_t x, unsigned k) {
    return (x << k) | (x >> (64U - k));
}

uint64_t sim_prng_stream_id(const char *name) {
    SIM_ASSERT(name != NULL);
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
    for (const unsigned char *c = (const unsigned char *)name; *c != 0; c++) {
        h ^= *c;
        h *= 0x100000001b3ULL; /* FNV-1a 64 prime */
    }
    return h;
}

void sim_prng_init(sim_prng_t *p, uint64_t seed, uint64_t stream_id) {
    SIM_ASSERT(p != NULL);
    /*
     * Seeds and stream ids are small, nearby numbers in practice (seed 1, 2, 3; names that differ
     * in one letter). Each is pushed through the finaliser separately, with different offsets so
     * that (a, b) and (b, a) differ, before they are combined; the combination then seeds the
     * splitmix64 sequence that fills the xoshiro state. The four words come from consecutive
     * states of a bijection, so at most one of them can be zero and the state is never all-zero.
     */
    uint64_t mixed_seed = splitmix64_mix(seed + 0x6a09e667f3bcc909ULL);
    uint64_t mixed_stream = splitmix64_mix(stream_id ^ 0xbb67ae8584caa73bULL);
    uint64_t state = splitmix64_mix(mixed_seed ^ rotl64(mixed_stream, 17));
    for (int i = 0; i < 4; i++) {
        p->s[i] = splitmix64_next(&state);
    }
}

/* sim_prng_next is inline in the header. */

/*
 * Full 128-bit product of two 64-bit words, as (hi, lo). The product is exact either way, so the
 * native 128-bit type (where the compiler has one) and the portable 32-bit-halves version give
 * identical streams; the native one is just several times faster.
 */
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128_t;

static inline void mul_64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
    u128_t p = (u128_t)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
}
#else
static void mul_64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
    uint64_t a_lo = a & 0xffffffffU, a_hi = a >> 32;
    uint64_t b_lo = b & 0xffffffffU, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo;
    uint64_t lh = a_lo * b_hi;
    uint64_t hl = a_hi * b_lo;
    uint64_t hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffU) + (hl & 0xffffffffU);
    *lo = (mid << 32) | (ll & 0xffffffffU);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}
#endif

uint64_t sim_prng_below(sim_prng_t *p, uint64_t bound) {
    if (bound == 0) {
        return 0;
    }
    /*
     * Lemire's multiply-and-reject: the high word of x * bound is uniform over [0, bound) once
     * the low words that fall in the short first 2^64 mod bound values are rejected. The modulo
     * is only computed on the rare path where a rejection is possible.
     */
    uint64_t hi, lo;
    mul_64x64(sim_prng_next(p), bound, &hi, &lo);
    if (lo < bound) {
        uint64_t threshold = (0U - bound) % bound;
        while (lo < threshold) {
            mul_64x64(sim_prng_next(p), bound, &hi, &lo);
        }
    }
    return hi;
}

/* Two's-complement reinterpretation without implementation-defined conversions. */
static int64_t u64_to_i64(uint64_t u) {
    if (u <= (uint64_t)INT64_MAX) {
        return (int64_t)u;
    }
    return -(int64_t)(~u) - 1;
}

int64_t sim_prng_range(sim_prng_t *p, int64_t lo, int64_t hi) {
    SIM_ASSERT(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo; /* modular: exact for any lo <= hi */
    uint64_t offset = span == UINT64_MAX ? sim_prng_next(p) : sim_prng_below(p, span + 1U);
    return u64_to_i64((uint64_t)lo + offset);
}

bool sim_prng_chance(sim_prng_t *p, uint64_t num, uint64_t den) {
    SIM_ASSERT(den > 0);
    /*
     * Always draw, even for the certain cases: a stream then advances the same way whatever the
     * ratio is, so tuning one fault probability (say from 0 to 1/100) does not shift every later
     * draw of the same stream.
     */
    uint64_t draw = sim_prng_below(p, den);
    return draw < num;
}

double sim_prng_unit(sim_prng_t *p) {
    return (double)(sim_prng_next(p) >> 11) * 0x1.0p-53;
}

double sim_prng_gauss(sim_prng_t *p) {
    /*
     * Marsaglia's polar method. It makes two deviates per accepted pair; the second is dropped
     * so the stream keeps all its state in sim_prng_t (no hidden cache to copy or reset).
     */
    for (;;) {
        double u = 2.0 * sim_prng_unit(p) - 1.0;
        double v = 2.0 * sim_prng_unit(p) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0) {
            return u * sqrt(-2.0 * log(s) / s);
        }
    }
}
