/*
 * bench_scenario.h: reference workloads, scenarios run in this process exactly as `alfasim run`
 * runs them (traces, pcap and assertions included), timed around the run loop.
 *
 * Timing uses the run's progress callback, which fires after each simulated second: CPU time is
 * read at the first call (t = 1 s) and at the last (t = duration). The run loop is what lies in
 * between; loading the scenario, building the world, loading every plugin copy and the first
 * simulated second (boot) count as loading, committing the traces after the loop as neither.
 * Event counts are the run's (report.json's events_run), of which the first second holds a few
 * hundred per node.
 */
#ifndef BENCH_SCENARIO_H
#define BENCH_SCENARIO_H

#include <stdint.h>

#include "bench.h"
#include "sim_types.h"

typedef struct {
    const char *file;       /* relative to <src>/tests/bench/scenarios */
    uint32_t packs;         /* Energy-Packs in it (the per-node unit of the scaling series) */
    double target_x;        /* real-time factor to meet (0: none) */
    double aim_x;           /* real-time factor aimed for (0: none) */
    sim_time_ns_t quick_ns; /* duration under --quick */
} bench_scenario_param_t;

/** What one measured run gave (or the best of several: bench_scenario_best). */
typedef struct {
    double load_cpu_s, run_cpu_s, sim_s;
    uint64_t events;
    char digest[65];
    bool passed;     /* the scenario's assertions held */
    unsigned rounds; /* runs the times are the best of */
} bench_run_t;

/* Runs whose loop takes less CPU than this are repeated, BENCH_BEST_OF runs in all, and the
 * least CPU time of each part is kept: on a shared machine a run only ever comes out slower
 * than the code is, never faster, so the minimum is the estimate that noise disturbs least
 * (single runs of the same build moved by up to 15 %). Longer runs are run once. */
#define BENCH_BEST_OF    3
#define BENCH_BEST_MAX_S 30.0

/**
 * Loads <src>/tests/bench/scenarios/<file> and runs it for duration_ns (0: the scenario's),
 * with its folder under the work directory, removed afterwards. `plugin` (NULL: the scenario's)
 * replaces every firmware node's plugin path. 0, or -1 with the reason in r->note (failed).
 */
int bench_scenario_run(const bench_opts_t *o, const char *file, sim_time_ns_t duration_ns,
                       const char *plugin, bench_run_t *out, bench_result_t *r);

/**
 * bench_scenario_run, repeated as BENCH_BEST_OF says (not under --quick): every run must give
 * the first run's digest, or the benchmark fails (a workload that does not repeat itself
 * measures nothing). The times are each the least seen, out->rounds the runs made.
 */
int bench_scenario_best(const bench_opts_t *o, const char *file, sim_time_ns_t duration_ns,
                        const char *plugin, bench_run_t *out, bench_result_t *r);

/** A reference workload; param is a bench_scenario_param_t. */
void bench_scenario(const bench_opts_t *o, const void *param, bench_result_t *r);

/** s4, s127 and the scaling series scale_1 ... scale_127. */
extern const bench_group_t bench_scenario_group;

#endif
