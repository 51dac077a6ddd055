/*
 * sim_kernel.h: the discrete-event kernel, the only owner of virtual time.
 *
 * A simulation is a value: everything hangs off a sim_kernel_t, and several kernels can live in
 * one process (tests build many). The kernel is single-threaded and not re-entrant across
 * threads; callbacks may schedule and cancel freely.
 *
 * Ordering. Events are totally ordered by (time, priority, sequence):
 *   - time      absolute virtual time in ns;
 *   - priority  lower runs first among events at the same time (SIM_PRIO_*);
 *   - sequence  a kernel counter assigned when the event is scheduled, so same-time,
 *               same-priority events run in scheduling order (libuv's start_id).
 * Events are popped one at a time, so an event scheduled during dispatch for the current time
 * runs in its place in that order (after everything already queued at the same time and
 * priority). Cancelling an event that is due but has not run yet (e.g. another event at the
 * current instant) stops it from firing.
 *
 * Time moves only when the kernel pops the next event; it jumps, it is never paced here.
 * Real-time pacing is an outer wrapper (core/run) that only delays between calls.
 *
 *        schedule(t, prio, fn)            run_until(t_end)
 *   caller ─────────────────▶ [queue] ───────────────────▶ fn(k, ctx, arg) at now == t
 */
#ifndef SIM_KERNEL_H
#define SIM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_prng.h"
#include "sim_types.h"

typedef struct sim_kernel sim_kernel_t;

/** Handle of a scheduled event; 0 is never a valid handle. Handles are not reused. */
typedef uint64_t sim_event_id_t;

/** An event callback. `arg` is the value given at scheduling (a small payload, no allocation). */
typedef void (*sim_event_fn)(sim_kernel_t *k, void *ctx, uint64_t arg);

/*
 * Priorities used by alfasim's own modules (lower first at equal time). Physics and wires settle
 * before firmware callbacks observe them; assertions judge after everything at that instant.
 */
enum {
    SIM_PRIO_SCENARIO = -300, /* timeline actions (power, faults, injected frames) */
    SIM_PRIO_PHYSICS = -200,  /* plant model steps */
    SIM_PRIO_WIRE = -100,     /* end of a CAN frame, a UART byte on the line */
    SIM_PRIO_DEFAULT = 0,
    SIM_PRIO_FIRMWARE = 100,  /* firmware timer callbacks */
    SIM_PRIO_ARBITRATE = 200, /* CAN arbitration: after every same-instant send was queued */
    SIM_PRIO_OBSERVE = 300,   /* trace sampling, assertions */
};

/** Creates a kernel at time 0 with the run's seed. 0, or -SIM_ENOMEM. */
int sim_kernel_create(uint64_t seed, sim_kernel_t **out);
void sim_kernel_destroy(sim_kernel_t *k);

/** The current virtual time: the time of the event being dispatched, or where run_until stopped. */
sim_time_ns_t sim_kernel_now(const sim_kernel_t *k);

/** The run's seed, as given at creation. */
uint64_t sim_kernel_seed(const sim_kernel_t *k);

/**
 * Schedules fn(k, ctx, arg) at absolute time t_ns (>= now).
 * @retval >0  the event's handle
 * @retval 0   t_ns < now or fn == NULL (a programmer error; nothing is scheduled)
 */
sim_event_id_t sim_kernel_schedule(sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio,
                                   sim_event_fn fn, void *ctx, uint64_t arg);

/** Schedules at now + delay_ns (saturating). Same return values as sim_kernel_schedule. */
sim_event_id_t sim_kernel_schedule_in(sim_kernel_t *k, sim_time_ns_t delay_ns, int32_t prio,
                                      sim_event_fn fn, void *ctx, uint64_t arg);

/** What sim_kernel_schedule_joined returns for a batch member: not a handle (pending() is false
 *  for it, cancel() refuses it; sim_kernel_cancel_joined is how it is cancelled). */
#define SIM_EVENT_JOINED UINT64_MAX

/**
 * Schedules fn(k, ctx, arg) at now, at the place in the (time, priority, sequence) order that
 * sim_kernel_schedule(k, now, prio, fn, ctx, arg) would give it, as a member of a batch when it
 * can: when the previous call was for the same fn and prio at this instant and nothing has been
 * scheduled since. A batch is one queue entry and one dispatch for all its members (a frame
 * delivered to 125 nodes), run in order, each counted as an event; it gives way, keeping its
 * place, whenever something scheduled meanwhile comes before its next member, and before every
 * member under sim_kernel_step and after sim_kernel_stop, so callbacks run exactly as they
 * would as separate events. One batch is pending at a time; while another's is, the event is
 * scheduled on its own.
 * @retval SIM_EVENT_JOINED  a batch member: no handle; sim_kernel_cancel_joined cancels it
 * @retval >0 otherwise      the handle of an event scheduled on its own
 * @retval 0                 fn == NULL or out of memory (nothing scheduled)
 */
sim_event_id_t sim_kernel_schedule_joined(sim_kernel_t *k, int32_t prio, sim_event_fn fn, void *ctx,
                                          uint64_t arg);

/** Cancels every pending batch member of fn with this ctx (what a caller of
 *  sim_kernel_schedule_joined does before its ctx goes away); returns how many. */
uint32_t sim_kernel_cancel_joined(sim_kernel_t *k, sim_event_fn fn, const void *ctx);

/**
 * Cancels a pending event, including one due at the current instant that has not run yet.
 * @retval 0             cancelled; its callback will not run
 * @retval -SIM_ENOENT   unknown handle, already ran, or already cancelled
 */
int sim_kernel_cancel(sim_kernel_t *k, sim_event_id_t id);

/** True while the event is scheduled and has neither run nor been cancelled. */
bool sim_kernel_pending(const sim_kernel_t *k, sim_event_id_t id);

/**
 * Runs every event with time <= t_end in order, then sets now = t_end (unless t_end is
 * SIM_TIME_NEVER, where now stays at the last event). Returns early, with now at the last event
 * run, when a callback calls sim_kernel_stop().
 * @retval 0 ran to t_end or the queue emptied; @retval -SIM_ECANCELED stopped by sim_kernel_stop
 */
int sim_kernel_run_until(sim_kernel_t *k, sim_time_ns_t t_end);

/** Runs exactly one event (the earliest); false if the queue is empty. For stepping UIs. */
bool sim_kernel_step(sim_kernel_t *k);

/** Time of the earliest pending event, or SIM_TIME_NEVER. */
sim_time_ns_t sim_kernel_next_time(const sim_kernel_t *k);

/** Asks run_until to return after the current callback. */
void sim_kernel_stop(sim_kernel_t *k);

/** Counters for statistics and benchmarks. */
typedef struct {
    uint64_t events_run;
    uint64_t events_scheduled;
    uint64_t events_cancelled;
    uint32_t pending;     /* events in the queue now */
    uint32_t pending_max; /* high-water mark */
} sim_kernel_stats_t;
void sim_kernel_stats(const sim_kernel_t *k, sim_kernel_stats_t *out);

/**
 * Initialises an independent PRNG stream for a named model: derived from (seed, name) only, so
 * adding or using another stream never changes this one.
 */
void sim_kernel_prng(const sim_kernel_t *k, const char *stream_name, sim_prng_t *out);

#endif
