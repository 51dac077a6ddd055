/*
 * ct_noise.h: standard normal deviates for the CT front end, a few ns each.
 *
 * A 256-layer ziggurat over a sim_prng stream: the normal density is covered by 256 strips of
 * equal area (255 rectangles and a base strip that includes the tail beyond R = 3.6541...). A
 * deviate takes 32 bits, half a 64-bit draw (8 bits pick the strip, 1 bit the sign, 23 bits the
 * abscissa, a resolution of 4e-7 sd), and is accepted when it lies inside the strip's rectangle
 * under the curve, which happens for about 99 % of draws. The others are resolved after each pass
 * of 256 deviates, in order, by the exact wedge test against exp(-x^2/2) or, in the base strip,
 * the exact sampler of the tail, with draws of their own. The output is N(0, 1) without
 * truncation, and deterministic for a given stream state: the stream is the only state, so the
 * same calls in the same order give the same values.
 *
 * ct_noise_layer_x() exposes the strip edges so that a test can check them against their
 * defining recurrence.
 */
#ifndef CT_NOISE_H
#define CT_NOISE_H

#include <stddef.h>

#include "sim_prng.h"

#define CT_NOISE_LAYERS 256

/** out[0..n) = sd_counts * N(0, 1), drawn from `p` in order (a batch: the CT front end asks for
 *  a burst's worth at once). */
void ct_noise_fill(sim_prng_t *p, double sd_counts, double *out, size_t n);

/** Right edge x[i] of strip i, 0 <= i <= CT_NOISE_LAYERS (x[1] = R, x[256] = 0; x[0] = V / f(R),
 *  the base strip's width that makes its area V with the tail). */
double ct_noise_layer_x(unsigned i);

#endif
