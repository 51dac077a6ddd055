/*
 * sim_can_recovery.c: bus-off recovery, 128 occurrences of 11 consecutive recessive bits.
 *
 * A wire tracks its current recessive run: it starts 11 bits before the end of every frame and
 * error frame (ACK delimiter + EOF + intermission, or error delimiter + intermission, which are
 * recessive whatever else happened) and lasts until the next SOF; a held-dominant wire has none.
 * A recovering controller counts whole 11-bit sequences of the runs it sees from the moment
 * recovery was requested, so on an idle bus it recovers exactly 128 x 11 bit times after the
 * request, and on a busy bus it still gains one sequence per frame from the frame's tail, as
 * ISO 11898-1 counts them. A controller that goes bus-off at an error flag (with
 * auto_recover) counts from then, so the 11 recessive bits that end that error frame are its
 * first sequence. Recessive stretches inside frames (and the longer recessive tail of
 * a lone error-passive node) are not counted: the approximation errs on the slow side.
 *
 * While a run lasts, the controller has one kernel event at the instant its count would reach
 * 128; a SOF cancels it and banks the whole sequences seen so far.
 */
#include "sim_can_int.h"

static sim_time_ns_t sequence_ns(const sim_can_bus_t *bus) {
    return sim_can__bits_ns(bus, SIM_CAN__RECESSIVE_SEQUENCE_BITS);
}

static void recovery_done(sim_can_ctrl_t *c) {
    sim_can_bus_t *bus = c->bus;
    c->recovering = false;
    bus->n_recovering--;
    c->bus_off = false;
    c->tec = c->rec = 0;
    c->joined_ns = sim_kernel_now(bus->k);
    c->suspend_until_ns = 0;
    sim_can__state_update(c);
    sim_can__state_notify(c);
    if (!c->detached) {
        sim_can__wire_kick(sim_can__ctrl_wire(c));
    }
}

static void recovery_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_can_ctrl_t *c = ctx;
    sim_can_bus_t *bus = c->bus;
    c->recov_ev = 0;
    sim_can__enter(bus);
    recovery_done(c);
    sim_can__leave(bus);
}

static sim_time_ns_t count_from(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    return w->run_start_ns > c->recov_from_ns ? w->run_start_ns : c->recov_from_ns;
}

/* Schedules the instant the current run completes the 128th sequence. */
static void schedule(sim_can_ctrl_t *c, const sim_can__wire_t *w) {
    sim_kernel_t *k = c->bus->k;
    uint64_t missing = SIM_CAN__RECOVERY_SEQUENCES - c->recov_seq;
    sim_time_ns_t due = count_from(w, c) + (sim_time_ns_t)missing * sequence_ns(c->bus);
    sim_time_ns_t now = sim_kernel_now(k);
    SIM_ASSERT(c->recov_ev == 0);
    c->recov_ev =
        sim_kernel_schedule(k, due > now ? due : now, SIM_PRIO_WIRE, recovery_event, c, 0);
    SIM_ASSERT(c->recov_ev != 0);
}

/* Banks the whole sequences of the run up to t. At 128 the due event stays: it fires at t. */
static void bank(sim_can_ctrl_t *c, const sim_can__wire_t *w, sim_time_ns_t t_ns) {
    sim_time_ns_t from = count_from(w, c);
    if (t_ns > from) {
        uint64_t seq = (uint64_t)((t_ns - from) / sequence_ns(c->bus));
        c->recov_seq +=
            (uint32_t)(seq < SIM_CAN__RECOVERY_SEQUENCES ? seq : SIM_CAN__RECOVERY_SEQUENCES);
    }
    c->recov_from_ns = t_ns;
    if (c->recov_seq < SIM_CAN__RECOVERY_SEQUENCES && c->recov_ev != 0) {
        sim_kernel_cancel(c->bus->k, c->recov_ev);
        c->recov_ev = 0;
    }
}

void sim_can__run_start(sim_can__wire_t *w, sim_time_ns_t t_ns) {
    w->recessive = true;
    w->run_start_ns = t_ns;
    if (w->bus->n_recovering == 0) {
        return;
    }
    for (uint32_t i = 0; i < sim_can__wire_slots(w); i++) {
        sim_can_ctrl_t *c = sim_can__wire_slot(w, i);
        if (c != NULL && c->recovering && c->recov_ev == 0 && sim_can__on_wire(w, c)) {
            schedule(c, w);
        }
    }
}

void sim_can__run_break(sim_can__wire_t *w, sim_time_ns_t t_ns) {
    if (!w->recessive) {
        return;
    }
    w->recessive = false;
    if (w->bus->n_recovering == 0) {
        return;
    }
    for (uint32_t i = 0; i < sim_can__wire_slots(w); i++) {
        sim_can_ctrl_t *c = sim_can__wire_slot(w, i);
        if (c != NULL && c->recovering && sim_can__on_wire(w, c)) {
            bank(c, w, t_ns);
        }
    }
}

void sim_can__recovery_begin(sim_can_ctrl_t *c) {
    SIM_ASSERT(c->bus_off && !c->recovering);
    c->recovering = true;
    c->recov_seq = 0;
    c->recov_from_ns = sim_kernel_now(c->bus->k);
    c->bus->n_recovering++;
    const sim_can__wire_t *w = sim_can__ctrl_wire(c);
    if (w->recessive) {
        schedule(c, w);
    }
}

void sim_can__recovery_cancel(sim_can_ctrl_t *c) {
    if (!c->recovering) {
        return;
    }
    c->recovering = false;
    c->bus->n_recovering--;
    if (c->recov_ev != 0) {
        sim_kernel_cancel(c->bus->k, c->recov_ev);
        c->recov_ev = 0;
    }
}

void sim_can__recovery_move(sim_can_ctrl_t *c, sim_can__wire_t *from, sim_can__wire_t *to) {
    if (!c->recovering) {
        return;
    }
    sim_time_ns_t now = sim_kernel_now(c->bus->k);
    if (from->recessive) {
        bank(c, from, now);
    }
    c->recov_from_ns = now; /* the new wire's run counts from the move on */
    if (c->recov_ev == 0 && to->recessive) {
        schedule(c, to);
    }
}
