/*
 * sim_bridge_pacer.h: real-time pacing, the mapping from virtual time to host time.
 *
 * A pacer says when, on the host's monotonic clock, virtual time t may be reached: it anchors a
 * pair (host_ns, virt_ns) and advances host time at virt / factor. The run loop waits until then
 * before running the kernel up to t. Pacing only ever delays; it never changes what the kernel
 * computes, so a paced run and an unpaced run of the same scenario give the same traces.
 *
 *   host  ──anchor──────────────────────▶ due(t) = host_anchor + (t - virt_anchor) / factor
 *   virt  ──anchor───────t────────────▶
 *
 * The pacer is pure arithmetic: host times come in as arguments (the host clock itself lives in
 * sim_bridge_host.c), so tests drive it with made-up times. When the simulation falls more than
 * max_lag_ns behind (a slow host, a debugger stop), the pacer re-anchors instead of racing to
 * catch up, and counts it; sim_pacer_rebase does the same after a pause.
 *
 * Factors are fixed-point thousandths: 1000 is real time, 2500 two and a half times faster,
 * 0 unpaced (as fast as possible). Valid paced factors are 1 .. 1000000 (0.001x .. 1000x).
 */
#ifndef SIM_BRIDGE_PACER_H
#define SIM_BRIDGE_PACER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_types.h"

#define SIM_PACER_FACTOR_MAX_MILLI 1000000u

typedef struct {
    uint32_t factor_milli; /* 1000 = real time; 0 = unpaced */
    int64_t max_lag_ns;    /* re-anchor when this far behind (default 250 ms) */
    bool anchored;
    uint64_t host_anchor_ns; /* host monotonic time of the anchor */
    sim_time_ns_t virt_anchor_ns;
    uint64_t rebases; /* re-anchors after falling behind or pausing */
} sim_pacer_t;

/** Unanchored pacer with the given factor (0: unpaced). Asserts factor <= the maximum. */
void sim_pacer_init(sim_pacer_t *p, uint32_t factor_milli);

/** Anchors (or re-anchors) virtual time virt_ns at host time host_ns, e.g. after a pause. */
void sim_pacer_rebase(sim_pacer_t *p, uint64_t host_ns, sim_time_ns_t virt_ns);

/**
 * Host nanoseconds to wait, from host_now_ns, before virtual time virt_ns is due; 0 when it is
 * due already or the pacer is unpaced. The first call anchors (virt_ns at host_now_ns). When the
 * host is more than max_lag_ns late, it re-anchors at (host_now_ns, virt_ns) and returns 0.
 */
int64_t sim_pacer_wait_ns(sim_pacer_t *p, uint64_t host_now_ns, sim_time_ns_t virt_ns);

/**
 * Parses a --realtime factor: a positive decimal number with at most three decimals
 * ("1", "2.5", "0.25", "10"), at most 1000. 0 or -SIM_EINVAL.
 */
int sim_pacer_parse_factor(const char *text, uint32_t *factor_milli);

#endif
