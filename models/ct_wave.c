/*
 * ct_wave.c: sine of a binary-fraction phase and the per-step table (contract in ct_wave.h).
 */
#include "ct_wave.h"

#include "sim_types.h"

static const double TWO_PI = 6.283185307179586;

/* sin and cos of the reduced angle x, and the quadrant. */
typedef struct {
    double s, c;
    uint64_t quadrant;
} reduced_t;

/*
 * The nearest quadrant leaves an angle x in [-pi/4, pi/4], where the Taylor series of sin to x^15
 * and of cos to x^16 are accurate to a few units in the last place (the first omitted terms are
 * below 5e-17 and 3e-18).
 */
static reduced_t reduce(uint64_t phase) {
    uint64_t quadrant = (phase + (CT_WAVE_QUARTER >> 1)) >> 62;
    /* phase - quadrant/4 turn, offset by 1/8 turn so that it is unsigned: [0, 2^62). */
    uint64_t rest = phase - (quadrant << 62) + (CT_WAVE_QUARTER >> 1);
    double x = ((double)(int64_t)rest - 0x1.0p61) * (TWO_PI * 0x1.0p-64);
    double x2 = x * x;
    /* Horner from the highest term; the coefficients are 1/n! with alternating signs. */
    double s = -1.0 / 1307674368000.0;
    s = s * x2 + 1.0 / 6227020800.0;
    s = s * x2 - 1.0 / 39916800.0;
    s = s * x2 + 1.0 / 362880.0;
    s = s * x2 - 1.0 / 5040.0;
    s = s * x2 + 1.0 / 120.0;
    s = s * x2 - 1.0 / 6.0;
    s = x + x * x2 * s;
    double c = 1.0 / 20922789888000.0;
    c = c * x2 - 1.0 / 87178291200.0;
    c = c * x2 + 1.0 / 479001600.0;
    c = c * x2 - 1.0 / 3628800.0;
    c = c * x2 + 1.0 / 40320.0;
    c = c * x2 - 1.0 / 720.0;
    c = c * x2 + 1.0 / 24.0;
    c = c * x2 - 0.5;
    c = 1.0 + x2 * c;
    return (reduced_t){s, c, quadrant};
}

/* The sine at quadrant q of the reduced angle (q + 1 gives the cosine). */
static double quadrant_sin(const reduced_t *r, uint64_t q) {
    double v = (q & 1u) ? r->c : r->s;
    return (q & 2u) ? -v : v;
}

double ct_wave_sin(uint64_t phase) {
    reduced_t r = reduce(phase);
    return quadrant_sin(&r, r.quadrant);
}

void ct_wave_table_use(ct_wave_table_t *w, uint64_t step) {
    if (w->valid && w->step == step) {
        return;
    }
    for (uint64_t j = 0; j <= CT_WAVE_TABLE; j++) {
        /* j * step modulo 2^64: every entry exact, none accumulated from the previous one. */
        w->sin_j[j] = ct_wave_sin(j * step);
        w->cos_j[j] = ct_wave_sin(j * step + CT_WAVE_QUARTER);
    }
    w->step = step;
    w->valid = 1;
}

/* p0 and p0 + a quarter turn reduce to the same angle, one quadrant apart, so one reduction
 * gives both: exactly ct_wave_sin(p0) and ct_wave_sin(p0 + CT_WAVE_QUARTER). */
void ct_wave_weights(uint64_t p0, double amp, double *a_sin, double *a_cos) {
    reduced_t r = reduce(p0);
    *a_sin = amp * quadrant_sin(&r, r.quadrant);
    *a_cos = amp * quadrant_sin(&r, r.quadrant + 1);
}

void ct_wave_add(const ct_wave_table_t *w, uint64_t p0, double amp, size_t j0, size_t m,
                 double *restrict acc) {
    SIM_ASSERT(w->valid && j0 + m <= CT_WAVE_TABLE);
    double a_sin, a_cos;
    ct_wave_weights(p0, amp, &a_sin, &a_cos);
    const double *restrict cj = w->cos_j + j0, *restrict sj = w->sin_j + j0;
    size_t pairs = (m + 1) & ~(size_t)1; /* a multiple of two, known to the compiler */
    for (size_t k = 0; k < pairs; k++) {
        acc[k] += a_sin * cj[k] + a_cos * sj[k];
    }
}
