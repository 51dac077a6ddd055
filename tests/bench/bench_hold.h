/*
 * bench_hold.h: the hold-model benchmarks (baseline 1), kernel against bench_heap.
 */
#ifndef BENCH_HOLD_H
#define BENCH_HOLD_H

#include <stdint.h>

#include "bench.h"

typedef struct {
    uint32_t pending; /* queue size held constant */
} bench_hold_param_t;

/** One size; param is a bench_hold_param_t. */
void bench_hold(const bench_opts_t *o, const void *param, bench_result_t *r);

/** hold_16 ... hold_65536. */
extern const bench_group_t bench_hold_group;

#endif
