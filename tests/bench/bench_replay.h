/*
 * bench_replay.h: baseline 2, the firmware alone, and the efficiency E (efficiency_E).
 */
#ifndef BENCH_REPLAY_H
#define BENCH_REPLAY_H

#include "bench.h"

/** Needs fw_alfaspark.so and fw_alfaspark_rec.so on the plugin path. */
void bench_replay(const bench_opts_t *o, const void *param, bench_result_t *r);

extern const bench_group_t bench_replay_group;

#endif
