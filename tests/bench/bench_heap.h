/*
 * bench_heap.h: the baseline event queue the kernel is measured against: a plain binary min-heap
 * on the kernel's own key (time, priority, sequence), with the same callback signature, so a
 * workload that runs on both dispatches the same events in the same order.
 *
 * It is written to be a strong baseline, not a straw man: heap entries are 24 bytes (the key and
 * a payload index), callback data sits in a side table, sifting moves a hole instead of swapping,
 * and removal of the root is "bottom-up" (the hole goes down to a leaf along the smaller child,
 * one comparison per level, and the last entry is sifted up from there), which saves about half
 * the comparisons of the textbook sift-down. It has no cancellation and no handles, so it does
 * strictly less work per event than the kernel. Single-threaded; memory grows geometrically.
 */
#ifndef BENCH_HEAP_H
#define BENCH_HEAP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_types.h"

typedef struct bench_heap bench_heap_t;

/** The callback, called with the heap in place of the kernel. */
typedef void (*bench_heap_fn)(bench_heap_t *h, void *ctx, uint64_t arg);

/** An empty heap at time 0, or NULL when out of memory. */
bench_heap_t *bench_heap_create(void);
void bench_heap_destroy(bench_heap_t *h);

/** Schedules fn(h, ctx, arg) at t_ns >= now. 0, or -SIM_ENOMEM, or -SIM_EINVAL (t_ns < now). */
int bench_heap_schedule(bench_heap_t *h, sim_time_ns_t t_ns, int32_t prio, bench_heap_fn fn,
                        void *ctx, uint64_t arg);

/** The time of the event being dispatched (or of the last one). */
sim_time_ns_t bench_heap_now(const bench_heap_t *h);

/**
 * Runs events in (time, prio, seq) order while their time is <= t_end_ns, or until a callback
 * calls bench_heap_stop. Returns how many ran.
 */
uint64_t bench_heap_run_until(bench_heap_t *h, sim_time_ns_t t_end_ns);

/** Asks run_until to return after the current callback (as sim_kernel_stop). */
void bench_heap_stop(bench_heap_t *h);

/** Events waiting. */
uint32_t bench_heap_len(const bench_heap_t *h);

#endif
