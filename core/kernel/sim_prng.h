/*
 * sim_prng.h: the only source of randomness in alfasim.
 *
 * xoshiro256** seeded through splitmix64 from (seed, stream id). Every model owns its stream,
 * derived from the run seed and a stable name (sim_prng_stream_id), so streams are independent of
 * each other's use and adding a model leaves the others unchanged. Probabilities are integer
 * ratios (TigerBeetle's Ratio): no floating point decides a branch. Doubles are offered only for
 * physical noise that models add to measured quantities.
 */
#ifndef SIM_PRNG_H
#define SIM_PRNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} sim_prng_t;

/** Stable 64-bit id of a stream name (FNV-1a); the same on every host and build. */
uint64_t sim_prng_stream_id(const char *name);

/** Seeds a stream from (seed, stream_id). */
void sim_prng_init(sim_prng_t *p, uint64_t seed, uint64_t stream_id);

/** Next 64 random bits (xoshiro256**). Inline: sensor noise draws millions per simulated hour. */
static inline uint64_t sim_prng_next(sim_prng_t *p) {
    uint64_t *s = p->s;
    uint64_t x = s[1] * 5U;
    uint64_t result = ((x << 7) | (x >> 57)) * 9U;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/** Uniform integer in [0, bound), unbiased; bound 0 returns 0. */
uint64_t sim_prng_below(sim_prng_t *p, uint64_t bound);

/** Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int64_t sim_prng_range(sim_prng_t *p, int64_t lo, int64_t hi);

/** True with probability num/den (den > 0; num >= den is always true, num == 0 never). */
bool sim_prng_chance(sim_prng_t *p, uint64_t num, uint64_t den);

/** Uniform double in [0, 1) with 53 random bits. For physical noise only. */
double sim_prng_unit(sim_prng_t *p);

/** Standard normal deviate (mean 0, sd 1), for sensor noise. */
double sim_prng_gauss(sim_prng_t *p);

#endif
