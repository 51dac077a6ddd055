/*
 * sim_can_finish.c: the errors of a frame, when their error flags start; a good frame's
 * receivers' and transmitters' instants; the end of a frame or of an error frame (all at
 * SIM_PRIO_WIRE).
 *
 * ISO 11898-1 has a frame valid for its receivers when the last but one EOF bit has passed
 * without error, and for its transmitters at the end of EOF: on_rx (with the observers'
 * on_frame) runs 4 bits before the end of the intermission, on_tx_done 3 bits before it, and
 * the wire is free, for the next arbitration, after it.
 *
 * ISO 11898-1 changes the error counters when a node starts its error flag, so the counters,
 * the states they imply and a bus-off (with its queue flush) take effect then: the outcome's
 * error at t_err_ns, for the receivers and every transmitter still sending, and an error-passive
 * transmitter's that left the frame at a bit error at the bit after it. The end of the error
 * frame only frees the wire: its 11 recessive bits (delimiter and intermission) are the first
 * recovery sequence of a node that went bus-off at its start.
 *
 * At each instant all bookkeeping happens first (statistics, counters, states, the queue head,
 * the recessive run), then the callbacks in a fixed order: observers (the wire's view: a trace
 * never shows a reaction before its cause), state changes, on_rx in attach order, on_tx_done. A
 * callback may send, stop or detach anything. During an error frame the wire is busy and its
 * sends wait; at the end it is already idle, so they arbitrate at this instant with
 * SIM_PRIO_ARBITRATE.
 */
#include "sim_can_int.h"

static bool is_error(sim_can__outcome_t out) {
    return out != SIM_CAN__OUT_OK && out != SIM_CAN__OUT_DROP;
}

/* A receiver of this frame: on the wire, running, and synchronised since its SOF. */
static bool receiver(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    return c != NULL && c->tx_wire != w && sim_can__on_wire(w, c) && c->started && !c->bus_off &&
           c->joined_ns <= w->t_start_ns;
}

/* A good frame: every receiver counts it, and keeps it when its filters accept it. These loops
 * run no callback, so the slots are read once; they visit every controller on every frame, so
 * each test is kept to the first cache line of the controller where it can be. */
static void receive_ok(sim_can__wire_t *w) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    uint32_t n = sim_can__wire_slots(w);
    uint32_t n_rx = 0;
    for (uint32_t i = 0; i < n; i++) {
        sim_can_ctrl_t *c = slot[i];
        if (!receiver(w, c)) {
            continue;
        }
        sim_can__rx_ok(c);
        if (c->n_filt == 0 || sim_can__accepts(c, &w->frame)) {
            c->st.rx_ok++;
            c->rx_pending = true;
            n_rx++;
        } else {
            c->st.rx_filtered++;
        }
    }
    w->n_rx += n_rx;
}

/* A CRC or bit error: every receiver flags it. */
static void receive_error(sim_can__wire_t *w) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    uint32_t n = sim_can__wire_slots(w);
    for (uint32_t i = 0; i < n; i++) {
        if (receiver(w, slot[i])) {
            sim_can__rx_error(slot[i]);
        }
    }
}

/* The receivers' errors: a CRC or bit error is flagged by every receiver; a dropped frame never
 * reached them and a missing ACK had nobody to see it. */
static void receivers_error(sim_can__wire_t *w) {
    if (w->outcome == SIM_CAN__OUT_CRC || w->outcome == SIM_CAN__OUT_BIT) {
        receive_error(w);
    }
}

/* ISO 11898-1 exception: an error-passive transmitter whose only problem is a missing ACK, and
 * that sees no dominant bit during its passive error flag, keeps its TEC. One that left the
 * frame at a bit error (tx_lost) had another problem. */
static bool tec_exempt(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    if (c->state != SIM_CAN_ERROR_PASSIVE || c->tx_lost) {
        return false;
    }
    return w->outcome == SIM_CAN__OUT_ACK || (w->outcome == SIM_CAN__OUT_CRC && !w->err_dominant);
}

/* The slots after the last transmitter marked at SOF hold none. */
static uint32_t tx_end(const sim_can__wire_t *w) {
    uint32_t n = sim_can__wire_slots(w);
    return w->tx_last < n ? w->tx_last + 1u : n;
}

/* When a transmitter that left the frame at a bit error starts its (passive) error flag. */
static sim_time_ns_t lost_ns(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    return w->t_start_ns + sim_can__bits_ns(w->bus, (uint64_t)c->lost_bit + 1u);
}

/* A transmitter's error not yet counted, and when it is due (SIM_TIME_NEVER: none). */
static sim_time_ns_t tx_error_due(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    if (c == NULL || c->tx_wire != w || c->tx_err_done) {
        return SIM_TIME_NEVER;
    }
    if (c->tx_lost) {
        return lost_ns(w, c);
    }
    return is_error(w->outcome) ? w->t_err_ns : SIM_TIME_NEVER;
}

sim_time_ns_t sim_can__wire_next_error(const sim_can__wire_t *w) {
    sim_time_ns_t t = SIM_TIME_NEVER;
    if (is_error(w->outcome) && !w->err_done) {
        t = w->t_err_ns;
    }
    if (w->lost_min != UINT32_MAX) {
        for (uint32_t i = w->tx_first; i < tx_end(w); i++) {
            sim_time_ns_t due = tx_error_due(w, sim_can__wire_slot(w, i));
            t = due < t ? due : t;
        }
    }
    return t;
}

static void account_transmitter(sim_can__wire_t *w, sim_can_ctrl_t *c) {
    c->tx_wire = NULL;
    if (c->tx_err_done) {
        c->tx_err_done = false;
        c->tx_lost = false;
    } else {
        c->st.tx_ok++;
        sim_can__tx_ok(c);
        if (!c->tx_babble) {
            sim_can__queue_pop(c, &c->done_frame);
            c->done_pending = true;
            w->n_done++;
        }
    }
    if (c->state == SIM_CAN_ERROR_PASSIVE) {
        /* Suspend transmission: 8 more recessive bits before it may start again. */
        c->suspend_until_ns = w->t_end_ns + sim_can__bits_ns(w->bus, SIM_CAN__SUSPEND_BITS);
    }
}

/* Only the slots between the first and the last transmitter marked at SOF can hold one. */
static void account_transmitters(sim_can__wire_t *w) {
    uint32_t end = tx_end(w);
    for (uint32_t i = w->tx_first; i < end; i++) {
        sim_can_ctrl_t *c = sim_can__wire_slot(w, i);
        if (c != NULL && c->tx_wire == w) {
            account_transmitter(w, c);
            if (c->unplugged != (w->owner != NULL)) {
                sim_can__wire_kick(sim_can__ctrl_wire(c)); /* moved to another wire meanwhile */
            }
        }
    }
}

/* The wire's tail is recessive (11 bits: ACK delimiter + EOF + intermission, or error
 * delimiter + intermission), and so is the idle wire after it unless it is now held dominant
 * (a hold asked for during the frame starts at its end). */
static void go_idle(sim_can__wire_t *w) {
    sim_can_bus_t *bus = w->bus;
    sim_time_ns_t tail = sim_can__bits_ns(bus, SIM_CAN__RECESSIVE_SEQUENCE_BITS);
    if (w->owner == NULL && bus->stuck) {
        bus->held = true;
        bus->held_since_ns = w->t_end_ns;
        return;
    }
    sim_can__run_start(w, w->t_end_ns - tail);
}

static void account_bus(sim_can__wire_t *w) {
    sim_can_bus_t *bus = w->bus;
    if (w->owner != NULL) {
        return; /* an unplugged controller's attempts are not on the bus */
    }
    bus->st.busy_bit_times += w->wire_bits;
    if (is_error(w->outcome)) {
        bus->st.error_frames++;
    } else if (w->outcome == SIM_CAN__OUT_OK) {
        bus->st.frames++;
    }
}

static sim_can_err_kind_t err_kind(sim_can__outcome_t out) {
    switch (out) {
        case SIM_CAN__OUT_ACK:
            return SIM_CAN_ERR_ACK;
        case SIM_CAN__OUT_CRC:
            return SIM_CAN_ERR_CRC;
        case SIM_CAN__OUT_BIT:
        case SIM_CAN__OUT_OK:
        case SIM_CAN__OUT_DROP:
            break;
    }
    return SIM_CAN_ERR_BIT;
}

/* The observers see a good frame with its receivers and an error frame when its flag starts. */
static void tell_observers(sim_can__wire_t *w, bool error) {
    sim_can_bus_t *bus = w->bus;
    if (w->owner != NULL || w->outcome == SIM_CAN__OUT_DROP) {
        return;
    }
    for (uint32_t i = 0; i < bus->n_obs; i++) {
        const sim_can_observer_t *o = &bus->obs[i].obs;
        if (!error && o->on_frame != NULL) {
            o->on_frame(bus->obs[i].ctx, &w->frame, w->sender, w->t_start_ns,
                        w->t_end_ns - sim_can__bits_ns(bus, SIM_CAN__RX_LEAD_BITS));
        } else if (error && o->on_error != NULL) {
            o->on_error(bus->obs[i].ctx, err_kind(w->outcome), w->err_field, &w->frame, w->sender,
                        w->t_err_ns);
        }
    }
}

void sim_can__wire_confine(sim_can__wire_t *w) {
    sim_time_ns_t now = sim_kernel_now(w->bus->k);
    if (w->err_ev != 0) {
        sim_kernel_cancel(w->bus->k, w->err_ev);
        w->err_ev = 0;
    }
    bool outcome_due = is_error(w->outcome) && !w->err_done && w->t_err_ns <= now;
    if (outcome_due) {
        w->err_done = true;
        receivers_error(w);
    }
    uint32_t end = tx_end(w);
    for (uint32_t i = w->tx_first; i < end; i++) {
        sim_can_ctrl_t *c = sim_can__wire_slot(w, i);
        if (tx_error_due(w, c) <= now) {
            c->tx_err_done = true;
            c->st.tx_errors++;
            sim_can__tx_error(c, tec_exempt(w, c));
        }
    }
    if (outcome_due) {
        tell_observers(w, true);
    }
    sim_can__run_pending(w);
    sim_can__wire_errors_due(w);
}

void sim_can__wire_receive(sim_can__wire_t *w) {
    SIM_ASSERT(w->busy && w->outcome == SIM_CAN__OUT_OK);
    receive_ok(w);
    tell_observers(w, false);
    sim_can__run_pending(w);
}

void sim_can__wire_sent(sim_can__wire_t *w) {
    SIM_ASSERT(w->busy && !is_error(w->outcome));
    if (sim_can__wire_next_error(w) != SIM_TIME_NEVER) {
        sim_can__wire_confine(w); /* a transmitter that left the frame: due long before */
    }
    account_transmitters(w);
    sim_can__run_pending(w);
}

void sim_can__wire_finish(sim_can__wire_t *w) {
    SIM_ASSERT(w->busy);
    if (sim_can__wire_next_error(w) != SIM_TIME_NEVER) {
        sim_can__wire_confine(w); /* all are due before the end; this only keeps it so */
    }
    w->busy = false;
    account_bus(w);
    go_idle(w);
    if (is_error(w->outcome)) {
        account_transmitters(w); /* the good frames' were accounted at their instant */
    }
    sim_can__run_pending(w);
    sim_can__wire_kick(w);
}
