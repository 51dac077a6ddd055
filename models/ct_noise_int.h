/*
 * ct_noise_int.h: what the ziggurat's vector fast path shares with ct_noise.c. Not for models.
 *
 * A fast path takes samples [0, k) of a pass from the stream as the portable loop does (sample
 * k uses the low half of a 64-bit draw when k is even, the high half when odd) and writes
 * out[k] = sd * z * (+1 or -1) for every draw that lands in its rectangle, with exactly the
 * operations of ct_noise.c. It notes the other draws in `misses`, in increasing k; ct_noise.c
 * resolves them after the pass, in that order, with later draws. What a fast path writes at a
 * missed k is overwritten then.
 */
#ifndef CT_NOISE_INT_H
#define CT_NOISE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ct_noise.h"
#include "sim_prng.h"

/* Deviates per pass: the misses of one pass are resolved after it. */
#define CT_NOISE_PASS 256

/** Strip edges x[0..256] (ct_noise_layer_x()). */
extern const double ct_noise_zig_x[CT_NOISE_LAYERS + 1];

/** Strip i's two numbers side by side, so one 16-byte load fetches both: x[i] * 2^-23 (exact,
 *  a power-of-two scaling, so j * w equals (j * 2^-23) * x[i] bit for bit) and x[i + 1]. */
typedef struct {
    double w;
    double x_next;
} ct_noise_strip_t;

typedef struct {
    uint32_t h[CT_NOISE_PASS];
    uint16_t k[CT_NOISE_PASS];
    size_t n;
} ct_noise_misses_t;

/** The wedge test of strip i (1 <= i < CT_NOISE_LAYERS) at abscissa z in [x[i+1], x[i]):
 *  y < exp(-z^2 / 2), decided as the generator decides it (bounds first, exp when they do not
 *  settle it). For tests, which check it against exp itself. */
int ct_noise_wedge_accepts(unsigned i, double z, double y);

/** Samples [0, 4 * floor(n / 4)) of a pass (n <= CT_NOISE_PASS) with AVX2, from `p`; returns
 *  how many. `strips` has CT_NOISE_LAYERS entries. Call only when ct_simd_best() allows. */
size_t ct_noise_take_avx2(sim_prng_t *p, const ct_noise_strip_t *strips, size_t n, double sd_counts,
                          double *out, ct_noise_misses_t *misses);

#endif
