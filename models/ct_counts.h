/*
 * ct_counts.h: the CT front end's count rule, and a pass of counts made in one sweep with AVX2.
 *
 * A sample's count is its value h = base + acc (base = bias + offset + 0.5) truncated, where
 * 1 <= h < 4095; below that it is 0 and from 4095 on it is 4095, and such a sample is counted
 * as clipped. ct_sensor.c converts a pass in groups of four with SSE2 (clamping to [0, 4095]
 * before the truncation, the same counts for every number) and its last 1 to 3 samples one
 * by one with ct_counts_one().
 *
 * ct_counts_wave_avx2() fuses, for a pass on the tabled waveform, the two sweeps the portable
 * code makes over it (add the wave to the noise, then convert):
 *     acc[k] = noise[k] + (a_sin * cos_j[k] + a_cos * sin_j[k]),  out[k] = count(base + acc[k])
 * with the same operations in the same order (nothing fused into a multiply-add), the same
 * grouping in fours and the same rule for the last 1 to 3 samples, so that its counts and its
 * clipped total are those of ct_wave_add() followed by the portable conversion, bit for bit.
 */
#ifndef CT_COUNTS_H
#define CT_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "ct_sensor.h"

/** The count of one sample of value h (base included); *clipped += 1 when it clips. */
static inline uint16_t ct_counts_one(double h, uint64_t *clipped) {
    if (h >= 1.0 && h < (double)CT_SENSOR_ADC_MAX) {
        return (uint16_t)(int32_t)h;
    }
    ++*clipped;
    return h < 1.0 ? 0 : CT_SENSOR_ADC_MAX;
}

/** out[0..m) from the noise and the table rows cos_j[0..m), sin_j[0..m) as above; adds the
 *  clipped samples to *clipped. Call only when ct_simd_best() offers AVX2. */
void ct_counts_wave_avx2(const double *noise, const double *cos_j, const double *sin_j,
                         double a_sin, double a_cos, double base, size_t m, uint16_t *out,
                         uint64_t *clipped);

#endif
