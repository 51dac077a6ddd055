/*
 * sim_can_wire.c: the wire's two kernel events, arbitration and end of frame, and which
 * controllers belong to a wire.
 *
 * Arbitration runs at the current instant with SIM_PRIO_ARBITRATE, after the sends, timers and
 * frame ends of that instant, so every frame submitted at the same virtual time competes. A wire
 * keeps at most one arbitration event; a kick asks for one at `now` and replaces a later one
 * (a wake-up at the end of an error-passive node's suspend transmission).
 */
#include "sim_can_int.h"

void sim_can__wire_init(sim_can__wire_t *w, sim_can_bus_t *bus, sim_can_ctrl_t *owner) {
    memset(w, 0, sizeof *w);
    w->bus = bus;
    w->owner = owner;
    w->recessive = true;
    w->run_start_ns = sim_kernel_now(bus->k);
}

sim_can__wire_t *sim_can__ctrl_wire(sim_can_ctrl_t *c) {
    return c->unplugged ? &c->own : &c->bus->wire;
}

static void arbitrate_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_can__wire_t *w = ctx;
    w->arb_ev = 0;
    if (!w->busy) {
        sim_can__arbitrate(w);
    }
}

static void schedule_arbitration(sim_can__wire_t *w, sim_time_ns_t t_ns) {
    sim_kernel_t *k = w->bus->k;
    if (w->arb_ev != 0) {
        if (w->arb_ns <= t_ns) {
            return;
        }
        sim_kernel_cancel(k, w->arb_ev);
    }
    w->arb_ns = t_ns;
    w->arb_ev = sim_kernel_schedule(k, t_ns, SIM_PRIO_ARBITRATE, arbitrate_event, w, 0);
    SIM_ASSERT(w->arb_ev != 0);
}

void sim_can__wire_kick(sim_can__wire_t *w) {
    if (!w->busy) {
        schedule_arbitration(w, sim_kernel_now(w->bus->k));
    }
}

/* Called by arbitration when every candidate is still suspended. */
void sim_can__wire_wake_at(sim_can__wire_t *w, sim_time_ns_t t_ns) {
    schedule_arbitration(w, t_ns);
}

static void end_event(sim_kernel_t *k, void *ctx, uint64_t arg);

/* Schedules the stage: at its lead before the end of the intermission. */
static void schedule_stage(sim_can__wire_t *w, sim_can__stage_t stage) {
    static const uint32_t lead[] = {SIM_CAN__RX_LEAD_BITS, SIM_CAN__TX_LEAD_BITS, 0};
    sim_time_ns_t t = w->t_end_ns - sim_can__bits_ns(w->bus, lead[stage]);
    w->stage = stage;
    w->end_ev = sim_kernel_schedule(w->bus->k, t, SIM_PRIO_WIRE, end_event, w, 0);
    SIM_ASSERT(w->end_ev != 0);
}

/* The next stage is scheduled before the callbacks run, so a callback that cancels the wire
 * (detaching an unplugged controller) cancels it too. */
static void end_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_can__wire_t *w = ctx;
    sim_can_bus_t *bus = w->bus;
    w->end_ev = 0;
    sim_can__enter(bus);
    switch (w->stage) {
        case SIM_CAN__STAGE_RX:
            schedule_stage(w, SIM_CAN__STAGE_TX);
            sim_can__wire_receive(w);
            break;
        case SIM_CAN__STAGE_TX:
            schedule_stage(w, SIM_CAN__STAGE_END);
            sim_can__wire_sent(w);
            break;
        case SIM_CAN__STAGE_END:
            sim_can__wire_finish(w);
            break;
    }
    sim_can__leave(bus);
}

static void error_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_can__wire_t *w = ctx;
    sim_can_bus_t *bus = w->bus;
    w->err_ev = 0;
    sim_can__enter(bus);
    sim_can__wire_confine(w);
    sim_can__leave(bus);
}

void sim_can__wire_errors_due(sim_can__wire_t *w) {
    sim_time_ns_t t = sim_can__wire_next_error(w);
    if (t != SIM_TIME_NEVER && w->err_ev == 0) {
        w->err_ev = sim_kernel_schedule(w->bus->k, t, SIM_PRIO_WIRE, error_event, w, 0);
        SIM_ASSERT(w->err_ev != 0);
    }
}

void sim_can__wire_begin(sim_can__wire_t *w) {
    SIM_ASSERT(!w->busy);
    w->busy = true;
    w->err_done = false;
    switch (w->outcome) {
        case SIM_CAN__OUT_OK:
            schedule_stage(w, SIM_CAN__STAGE_RX);
            break;
        case SIM_CAN__OUT_DROP: /* no receiver gets it */
            schedule_stage(w, SIM_CAN__STAGE_TX);
            break;
        case SIM_CAN__OUT_ACK:
        case SIM_CAN__OUT_CRC:
        case SIM_CAN__OUT_BIT:
            schedule_stage(w, SIM_CAN__STAGE_END);
            break;
    }
    sim_can__wire_errors_due(w);
}

void sim_can__wire_cancel(sim_can__wire_t *w) {
    sim_kernel_t *k = w->bus->k;
    if (w->arb_ev != 0) {
        sim_kernel_cancel(k, w->arb_ev);
        w->arb_ev = 0;
    }
    if (w->end_ev != 0) {
        sim_kernel_cancel(k, w->end_ev);
        w->end_ev = 0;
    }
    if (w->err_ev != 0) {
        sim_kernel_cancel(k, w->err_ev);
        w->err_ev = 0;
    }
    w->busy = false;
}
