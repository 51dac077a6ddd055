/*
 * bench_hold.h: the hold-model benchmarks (baseline 1), kernel against bench_heap.
 */
#ifndef BENCH_HOLD_H
#define BENCH_HOLD_H

#include <stdint.h>

#include "bench.h"

/*
 * Increment distributions. EXP is the classic hold model and the one the targets are set on;
 * the others exist to drive the kernel's less travelled paths against the heap:
 *   TIES     exp(1 ms) rounded up to whole milliseconds: many events share an instant, and
 *            their order rests on priority and scheduling order
 *   BIMODAL  9 in 10 within 10 us, 1 in 10 around 100 ms: events land between now and the
 *            kernel's base as well as far out
 */
typedef enum { HOLD_EXP = 0, HOLD_TIES, HOLD_BIMODAL } bench_hold_dist_t;

typedef struct {
    uint32_t pending; /* queue size held constant */
    bench_hold_dist_t dist;
} bench_hold_param_t;

/** One size; param is a bench_hold_param_t. */
void bench_hold(const bench_opts_t *o, const void *param, bench_result_t *r);

/** hold_16 ... hold_65536. */
extern const bench_group_t bench_hold_group;

#endif
