/*
 * sim_can_finish.c: the end of a frame or of an error frame (SIM_PRIO_WIRE).
 *
 * All bookkeeping happens first (statistics, counters, states, the queue head, the recessive
 * run), then the callbacks in a fixed order: observers (the wire's view: a trace never shows a
 * reaction before its cause), state changes, on_rx in attach order, on_tx_done. A callback may
 * send, stop or detach anything; the wire is already idle, so its sends arbitrate at this
 * instant with SIM_PRIO_ARBITRATE.
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

static void account_receivers(sim_can__wire_t *w) {
    switch (w->outcome) {
        case SIM_CAN__OUT_OK:
            receive_ok(w);
            break;
        case SIM_CAN__OUT_CRC:
        case SIM_CAN__OUT_BIT:
            receive_error(w);
            break;
        case SIM_CAN__OUT_DROP: /* the frame never reached them */
        case SIM_CAN__OUT_ACK:  /* nobody was there to see it */
            break;
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

static void account_transmitter(sim_can__wire_t *w, sim_can_ctrl_t *c) {
    c->tx_wire = NULL;
    if (c->tx_lost || is_error(w->outcome)) {
        c->st.tx_errors++;
        sim_can__tx_error(c, tec_exempt(w, c));
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
    uint32_t n = sim_can__wire_slots(w);
    uint32_t end = w->tx_last < n ? w->tx_last + 1u : n;
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

static void tell_observers(sim_can__wire_t *w) {
    sim_can_bus_t *bus = w->bus;
    if (w->owner != NULL || w->outcome == SIM_CAN__OUT_DROP) {
        return;
    }
    for (uint32_t i = 0; i < bus->n_obs; i++) {
        const sim_can_observer_t *o = &bus->obs[i].obs;
        if (!is_error(w->outcome) && o->on_frame != NULL) {
            o->on_frame(bus->obs[i].ctx, &w->frame, w->sender, w->t_start_ns, w->t_end_ns);
        } else if (is_error(w->outcome) && o->on_error != NULL) {
            o->on_error(bus->obs[i].ctx, err_kind(w->outcome), w->err_field, &w->frame, w->sender,
                        w->t_err_ns);
        }
    }
}

void sim_can__wire_finish(sim_can__wire_t *w) {
    SIM_ASSERT(w->busy);
    w->busy = false;
    account_bus(w);
    go_idle(w);
    account_receivers(w);
    account_transmitters(w);
    tell_observers(w);
    sim_can__run_pending(w);
    sim_can__wire_kick(w);
}
