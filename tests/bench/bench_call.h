/*
 * bench_call.h: baseline 3, a direct call against a call through the plugin boundary.
 */
#ifndef BENCH_CALL_H
#define BENCH_CALL_H

#include "bench.h"

/** plugin_call: needs fw_benchcallee.so on the plugin path. */
void bench_call(const bench_opts_t *o, const void *param, bench_result_t *r);

extern const bench_group_t bench_call_group;

#endif
