/*
 * SHA-256 as specified in FIPS 180-4: §4.1.2 functions, §4.2.2 constants, §5.1.1 padding,
 * §5.3.3 initial value, §6.2.2 the hash computation. The portable compression is written for
 * clarity; on x86-64 hosts with the SHA extensions the same compression runs on them instead (a
 * long run hashes tens of megabytes of traces, which the portable version spends about as long
 * on as the firmware takes to run). Both give the same digest; the choice is made once, from
 * the CPU's feature bits.
 */
#include "sim_sha256.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "sim_types.h"

/* §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n) {
    return (x >> n) | (x << (32u - n));
}

/* §4.1.2 (4.2)-(4.7). */
static uint32_t ch(uint32_t x, uint32_t y, uint32_t z) {
    return (x & y) ^ (~x & z);
}
static uint32_t maj(uint32_t x, uint32_t y, uint32_t z) {
    return (x & y) ^ (x & z) ^ (y & z);
}
static uint32_t big_sigma0(uint32_t x) {
    return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
}
static uint32_t big_sigma1(uint32_t x) {
    return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
}
static uint32_t small_sigma0(uint32_t x) {
    return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
}
static uint32_t small_sigma1(uint32_t x) {
    return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10);
}

/* §6.2.2: one 512-bit block. Words are big-endian (§3.1). */
static void compress_portable(uint32_t h[8], const uint8_t block[64]) {
    uint32_t w[64];
    for (unsigned t = 0; t < 16; t++) {
        w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
               (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    }
    for (unsigned t = 16; t < 64; t++) {
        w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (unsigned t = 0; t < 64; t++) {
        uint32_t t1 = hh + big_sigma1(e) + ch(e, f, g) + K[t] + w[t];
        uint32_t t2 = big_sigma0(a) + maj(a, b, c);
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* Four rounds on the message words in `msg` (already big-endian), with K[4i..4i+3]. The state
 * lives in the layout the instructions use: abef = (f, e, b, a), cdgh = (h, g, d, c). */
SHA_TARGET static inline void rounds4(__m128i *abef, __m128i *cdgh, __m128i msg, unsigned i) {
    __m128i kw = _mm_add_epi32(msg, _mm_loadu_si128((const __m128i *)(const void *)&K[4 * i]));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, kw);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(kw, 0x0E));
}

/* §6.2.2 with the SHA extensions: the message schedule (W[t] for t >= 16) four words at a time
 * from the previous sixteen, then the same 64 rounds. */
SHA_TARGET static void compress_shani(uint32_t h[8], const uint8_t block[64]) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
    __m128i badc = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xF0);
    __m128i abef0 = abef, cdgh0 = cdgh;
    __m128i m[4];
    for (unsigned i = 0; i < 4; i++) {
        m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(block + 16 * i)),
                                bswap);
        rounds4(&abef, &cdgh, m[i], i);
    }
    for (unsigned i = 4; i < 16; i++) {
        /* W[t..t+3] from m[i-4] (W[t-16..]), m[i-3], m[i-2] and m[i-1] (W[t-4..t-1]). */
        __m128i w0 = m[i % 4], w1 = m[(i + 1) % 4], w2 = m[(i + 2) % 4], w3 = m[(i + 3) % 4];
        __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8(w3, w2, 4));
        m[i % 4] = _mm_sha256msg2_epu32(t, w3);
        rounds4(&abef, &cdgh, m[i % 4], i);
    }
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)(void *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)(void *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* SHA (CPUID leaf 7, EBX bit 29) and SSE4.1 (leaf 1, ECX bit 19), read from CPUID directly:
 * not every compiler we build with knows "sha" as a __builtin_cpu_supports feature. */
static bool cpu_has_sha(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19))) {
        return false;
    }
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}

static void compress(uint32_t h[8], const uint8_t block[64]) {
    /* Read once; threads that race here compute and store the same answer (atomic, relaxed: a
     * plain load on x86). */
    static _Atomic int has_sha = -1;
    int known = atomic_load_explicit(&has_sha, memory_order_relaxed);
    if (known < 0) {
        known = cpu_has_sha() ? 1 : 0;
        atomic_store_explicit(&has_sha, known, memory_order_relaxed);
    }
    if (known) {
        compress_shani(h, block);
    } else {
        compress_portable(h, block);
    }
}
#else
static void compress(uint32_t h[8], const uint8_t block[64]) {
    compress_portable(h, block);
}
#endif

void sim_sha256_init(sim_sha256_t *c) {
    /* §5.3.3: the fractional parts of the square roots of the first 8 primes. */
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    SIM_ASSERT(c != NULL);
    memcpy(c->h, h0, sizeof h0);
    c->len_bytes = 0;
    c->block_len = 0;
}

void sim_sha256_update(sim_sha256_t *c, const void *data, size_t len) {
    SIM_ASSERT(c != NULL && (data != NULL || len == 0));
    const uint8_t *p = data;
    c->len_bytes += len;
    while (len > 0) {
        size_t take = 64 - c->block_len;
        if (take > len) {
            take = len;
        }
        memcpy(c->block + c->block_len, p, take);
        c->block_len += take;
        p += take;
        len -= take;
        if (c->block_len == 64) {
            compress(c->h, c->block);
            c->block_len = 0;
        }
    }
}

void sim_sha256_final(sim_sha256_t *c, uint8_t out[SIM_SHA256_LEN]) {
    SIM_ASSERT(c != NULL && out != NULL);
    uint64_t len_bits = c->len_bytes * 8u;
    /* §5.1.1: a 1 bit, zeros up to 448 mod 512, then the 64-bit big-endian length. */
    c->block[c->block_len++] = 0x80;
    if (c->block_len > 56) {
        memset(c->block + c->block_len, 0, 64 - c->block_len);
        compress(c->h, c->block);
        c->block_len = 0;
    }
    memset(c->block + c->block_len, 0, 56 - c->block_len);
    for (unsigned i = 0; i < 8; i++) {
        c->block[56 + i] = (uint8_t)(len_bits >> (56 - 8 * i));
    }
    compress(c->h, c->block);
    c->block_len = 0;
    for (unsigned i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void sim_sha256_hex(const uint8_t digest[SIM_SHA256_LEN], char out[SIM_SHA256_HEX_LEN]) {
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < SIM_SHA256_LEN; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0f];
    }
    out[2 * SIM_SHA256_LEN] = '\0';
}

void sim_sha256_hex_of(const void *data, size_t len, char out[SIM_SHA256_HEX_LEN]) {
    sim_sha256_t c;
    uint8_t d[SIM_SHA256_LEN];
    sim_sha256_init(&c);
    sim_sha256_update(&c, data, len);
    sim_sha256_final(&c, d);
    sim_sha256_hex(d, out);
}
