/*
 * sim_bridge_pause.c: the process-wide pause gate (sim_bridge_pause.h) and the count of live
 * bridges that decides where a pause may be taken. The run loop that stops at the gate and waits
 * there is in sim_bridge_host.c, with the other waits on the host clock.
 */
#include <signal.h>
#include <stddef.h>

#include "sim_bridge_int.h"
#include "sim_bridge_pause.h"

/* Written by signal handlers: only sig_atomic_t is safe to touch there. */
static volatile sig_atomic_t gate_closed;

static sim_bridge_pause_notify_fn notify_fn;
static void *notify_ctx;

/* Live (not replayed) bridges in the process: a paced slice without a bridge must not take a
 * pause while one of them is left unserviced. */
static unsigned live_bridges;

void sim_bridge_pause_set(bool paused) {
    gate_closed = paused ? 1 : 0;
}

void sim_bridge_pause_toggle(void) {
    gate_closed = gate_closed ? 0 : 1;
}

bool sim_bridge_pause_requested(void) {
    return gate_closed != 0;
}

void sim_bridge_pause_notify(sim_bridge_pause_notify_fn fn, void *ctx) {
    notify_fn = fn;
    notify_ctx = ctx;
}

void sim_bridge__pause_told(bool paused, sim_time_ns_t now_ns) {
    if (notify_fn != NULL) {
        notify_fn(notify_ctx, paused, now_ns);
    }
}

void sim_bridge__live_add(int delta) {
    SIM_ASSERT(delta >= 0 || live_bridges >= (unsigned)-delta);
    live_bridges = (unsigned)((int)live_bridges + delta);
}

unsigned sim_bridge__live_count(void) {
    return live_bridges;
}
