/*
 * sim_bridge_pause.h: pausing a paced run from outside the simulation, e.g. from a signal
 * handler (alfasim run --bridge ... then `kill -USR1 PID`).
 *
 * The pause is a gate in the paced run loop (sim_bridge_run_until): while it is closed, virtual
 * time stands still at the boundary of the current slice, and a live bridge keeps being serviced,
 * so host frames are read into its rx queue (16384 frames by default) and nothing is lost. When
 * the gate opens, the pacer is re-anchored at the current virtual time (the run does not race to
 * catch up the wall time it spent paused) and the queued frames enter the bus at the next pump,
 * at a virtual time that events.jsonl records. A pause therefore changes when things happen on
 * the host clock, never what the simulation computes: the replay of a paused run is the same.
 *
 * The gate is process-wide on purpose: it stands for the one operator of the process, as the
 * host clock stands for the one host (sim_bridge_host.c). Setting it is async-signal-safe.
 *
 * Where the gate is honoured: at every slice of sim_bridge_run_until with a live bridge, and at
 * every paced slice without one, except while a live bridge exists that this call does not
 * service (that bridge's next slice takes the pause instead, so its host frames keep being read).
 * Unpaced runs without a bridge never pause. A pause counts in the bridge's statistics (pauses).
 */
#ifndef SIM_BRIDGE_PAUSE_H
#define SIM_BRIDGE_PAUSE_H

#include <stdbool.h>

#include "sim_types.h"

/** Closes (true) or opens (false) the gate. Async-signal-safe. */
void sim_bridge_pause_set(bool paused);

/** Closes an open gate or opens a closed one. Async-signal-safe. */
void sim_bridge_pause_toggle(void);

/** True while the gate is closed. */
bool sim_bridge_pause_requested(void);

/**
 * Called, outside any signal handler, when a run loop actually stops at the gate (paused true)
 * and when it goes on again (false), with the virtual time it stands at. NULL: no calls. The
 * last setting wins; it is process-wide like the gate.
 */
typedef void (*sim_bridge_pause_notify_fn)(void *ctx, bool paused, sim_time_ns_t now_ns);
void sim_bridge_pause_notify(sim_bridge_pause_notify_fn fn, void *ctx);

#endif
