/*
 * ct_wave.h: the unit sine of the CT waveform at exact phases, a few ns per sample.
 *
 * A phase is a 64-bit binary fraction of a turn (2^64 = one cycle), so phases add modulo 2^64
 * exactly and whole turns drop out. ct_wave_sin() evaluates sin(2 pi phase / 2^64) to within a few
 * units in the last place with no libm call: the quadrant comes exactly from the top bits and the
 * rest is a short polynomial. A step table holds cos and sin of j * step for j < CT_WAVE_TABLE, so
 * that the samples of a burst at a fixed sampling interval cost one multiply-add pair each:
 * sin(p0 + j step) = sin p0 cos(j step) + cos p0 sin(j step), with p0 evaluated exactly at the
 * start of every CT_WAVE_TABLE samples (no error builds up over a long burst). The table is the
 * caller's (one per channel); it is rebuilt only when the step changes.
 */
#ifndef CT_WAVE_H
#define CT_WAVE_H

#include <stddef.h>
#include <stdint.h>

#define CT_WAVE_TABLE   256
#define CT_WAVE_QUARTER (UINT64_C(1) << 62)

typedef struct {
    uint64_t step;                   /* phase per sample the table was built for */
    int valid;                       /* 0 until the first build */
    double cos_j[CT_WAVE_TABLE + 1]; /* one spare entry: ct_wave_add works in pairs */
    double sin_j[CT_WAVE_TABLE + 1];
} ct_wave_table_t;

/** sin(2 pi phase / 2^64). */
double ct_wave_sin(uint64_t phase);

/** Makes `w` the table of `step` (rebuilt only when the step differs from the last build). */
void ct_wave_table_use(ct_wave_table_t *w, uint64_t step);

/** The two weights of the table: amp * sin(p0) and amp * cos(p0), so that
 *  amp * sin(p0 + j step) = a_sin * cos_j[j] + a_cos * sin_j[j]. */
void ct_wave_weights(uint64_t p0, double amp, double *a_sin, double *a_cos);

/** acc[k] += amp * sin(p0 + (j0 + k) * step) for k < m; j0 + m <= CT_WAVE_TABLE. Works on
 *  pairs so that the compiler's vectoriser takes the loop: when m is odd, acc[m] is written too
 *  (it must exist). */
void ct_wave_add(const ct_wave_table_t *w, uint64_t p0, double amp, size_t j0, size_t m,
                 double *restrict acc);

#endif
