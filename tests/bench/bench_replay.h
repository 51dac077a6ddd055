/*
 * bench_replay.h: baseline 2, the firmware alone: the efficiency E (efficiency_E), and the
 * firmware's own scaling from 4 packs to 126 (firmware_scaling).
 */
#ifndef BENCH_REPLAY_H
#define BENCH_REPLAY_H

#include "bench.h"

/** E on scale_4. Needs fw_alfaspark.so and fw_alfaspark_rec.so on the plugin path. */
void bench_replay(const bench_opts_t *o, const void *param, bench_result_t *r);

extern const bench_group_t bench_replay_group;

#endif
