/*
 * sim_can_confine.c: fault confinement (ISO 11898-1 §12): the error counters, the states they
 * imply, and the callbacks a finished frame leaves due.
 *
 *   TEC: +8 per transmit error (except the error-passive ACK case, sim_can_finish.c), -1 per
 *        frame sent; above 255 the controller goes bus-off.
 *   REC: +1 per receive error; +8 when the bit after a receiver's error flag is dominant, and
 *        per further 8 dominant bits (ISO 11898-1 rules 2 and 6), which happens here only on a
 *        wire held dominant (sim_can_hold.c): the errors the bus models are seen by every
 *        receiver at one bit, so none flags before the others. -1 per frame received, and from
 *        above 127 back to 127, the least change that leaves error-passive. Capped at 255, the
 *        width of the register on real controllers. Listen-only controllers never signal
 *        errors and keep their counters.
 *
 *   error-active --TEC|REC >= 96--> warning --TEC|REC >= 128--> error-passive --TEC > 255-->
 * bus-off ^                                                                                    |
 *        +---- 128 x 11 recessive bits (auto_recover, or after recover()), TEC = REC = 0 -----+
 *
 * On entering bus-off the TX queue is flushed with on_tx_done(-SIM_ECANCELED), as the ESP32
 * TWAI driver clears its queue: frames queued before a bus-off are stale by the time the
 * controller is back, and the firmware learns of each one. New sends are refused with
 * -SIM_ENETUNREACH until recovery completes.
 */
#include "sim_can_int.h"

void sim_can__state_update(sim_can_ctrl_t *c) {
    if (!c->started) {
        c->state = SIM_CAN_STOPPED;
    } else if (c->bus_off) {
        c->state = SIM_CAN_BUS_OFF;
    } else if (c->tec >= SIM_CAN__PASSIVE_LIMIT || c->rec >= SIM_CAN__PASSIVE_LIMIT) {
        c->state = SIM_CAN_ERROR_PASSIVE;
    } else if (c->tec >= SIM_CAN__WARNING_LIMIT || c->rec >= SIM_CAN__WARNING_LIMIT) {
        c->state = SIM_CAN_ERROR_WARNING;
    } else {
        c->state = SIM_CAN_ERROR_ACTIVE;
    }
    if (c->state != c->notified) {
        c->bus->notify_due = true;
    }
}

void sim_can__state_notify(sim_can_ctrl_t *c) {
    if (c->state == c->notified) {
        return;
    }
    sim_can_state_t st = c->state;
    sim_can_bus_t *bus = c->bus;
    c->notified = st;
    sim_time_ns_t now = sim_kernel_now(bus->k);
    for (uint32_t i = 0; i < bus->n_obs && !c->detached; i++) {
        if (bus->obs[i].obs.on_state != NULL) {
            bus->obs[i].obs.on_state(bus->obs[i].ctx, c, st, now);
        }
    }
    if (!c->detached && c->cb.on_state != NULL) {
        c->cb.on_state(c->cb_ctx, st);
    }
}

void sim_can__tx_ok(sim_can_ctrl_t *c) {
    if (c->tec > 0) {
        c->tec--;
    }
    sim_can__state_update(c);
}

void sim_can__tx_error(sim_can_ctrl_t *c, bool exempt) {
    if (!exempt) {
        c->tec = (uint16_t)(c->tec + 8u);
    }
    if (c->tec > SIM_CAN__BUS_OFF_LIMIT && !c->bus_off) {
        c->bus_off = true;
        c->st.bus_off_count++;
        c->flush_pending = true;
        c->suspend_until_ns = 0;
        if (c->auto_recover) {
            sim_can__recovery_begin(c);
        }
    }
    sim_can__state_update(c);
}

void sim_can__rx_ok_counted(sim_can_ctrl_t *c) {
    SIM_ASSERT(!c->listen_only && c->rec > 0);
    if (c->rec > SIM_CAN__REC_AFTER_PASSIVE) {
        c->rec = SIM_CAN__REC_AFTER_PASSIVE;
    } else {
        c->rec--;
    }
    sim_can__state_update(c);
}

void sim_can__rx_error(sim_can_ctrl_t *c) {
    c->st.rx_errors++;
    if (c->listen_only) {
        return;
    }
    if (c->rec < SIM_CAN__REC_MAX) {
        c->rec++;
    }
    sim_can__state_update(c);
}

void sim_can__rec_add(sim_can_ctrl_t *c, uint32_t n) {
    if (c->listen_only) {
        return;
    }
    uint32_t rec = (uint32_t)c->rec + n;
    c->rec = (uint16_t)(rec < SIM_CAN__REC_MAX ? rec : SIM_CAN__REC_MAX);
    sim_can__state_update(c);
}

void sim_can__flush(sim_can_ctrl_t *c) {
    while (c->q_len > 0 && !c->detached) {
        sim_can_frame_t f;
        sim_can__queue_pop(c, &f);
        if (c->cb.on_tx_done != NULL) {
            c->cb.on_tx_done(c->cb_ctx, &f, -SIM_ECANCELED);
        }
    }
}

/* Slots are re-read after every callback: a callback may detach any controller. The loops
 * are skipped when nothing is due: they run once per frame on every controller. */
static void run_states(sim_can__wire_t *w) {
    w->bus->notify_due = false;
    for (uint32_t i = 0; i < sim_can__wire_slots(w); i++) {
        sim_can_ctrl_t *c = sim_can__wire_slot(w, i);
        if (c != NULL && c->flush_pending) {
            c->flush_pending = false;
            sim_can__flush(c);
        }
        if (c != NULL && !c->detached) {
            sim_can__state_notify(c);
        }
    }
}

/* The wire's controller in slot i, reading the bus's array afresh: a callback may have attached
 * a controller (and so moved the array) or detached one (leaving its slot NULL). */
static sim_can_ctrl_t *slot_now(const sim_can__wire_t *w, sim_can_ctrl_t *owner, uint32_t i) {
    return owner != NULL ? owner : w->bus->ctrls[i];
}

static uint32_t slots_now(const sim_can__wire_t *w, const sim_can_ctrl_t *owner) {
    return owner != NULL ? 1u : w->bus->n_ctrls;
}

/* Starts fetching the callback context of the controller in slot i, if any: on a large bus the
 * receivers' contexts (their node hosts) have gone cold since the last frame, and each on_rx
 * would otherwise wait for its own, one after the other. Only a hint; no behaviour hangs on it. */
static inline void prefetch_ctx(const sim_can__wire_t *w, const sim_can_ctrl_t *owner, uint32_t i) {
#if defined(__GNUC__)
    if (owner == NULL && i < w->bus->n_ctrls && w->bus->ctrls[i] != NULL) {
        __builtin_prefetch(w->bus->ctrls[i]->cb_ctx);
    }
#else
    (void)w, (void)owner, (void)i;
#endif
}

/* The counts of callbacks due are local: only this wire's end sets them, and a wire never
 * ends inside its own callbacks (its next frame starts from an arbitration event). */
static void run_rx(sim_can__wire_t *w) {
    sim_can_ctrl_t *owner = w->owner;
    uint32_t due = w->n_rx;
    for (uint32_t i = 0; due > 0 && i < slots_now(w, owner); i++) {
        sim_can_ctrl_t *c = slot_now(w, owner, i);
        if (c != NULL && c->rx_pending) {
            c->rx_pending = false;
            due--;
            prefetch_ctx(w, owner, i + 1u);
            if (!c->detached && c->cb.on_rx != NULL) {
                c->cb.on_rx(c->cb_ctx, &w->frame);
            }
        }
    }
    w->n_rx = 0;
}

/* Only transmitters have on_tx_done due, and none sits before the first (sim_can__wire_t). */
static void run_done(sim_can__wire_t *w) {
    sim_can_ctrl_t *owner = w->owner;
    uint32_t due = w->n_done;
    for (uint32_t i = w->tx_first; due > 0 && i < slots_now(w, owner); i++) {
        sim_can_ctrl_t *c = slot_now(w, owner, i);
        if (c != NULL && c->done_pending) {
            c->done_pending = false;
            due--;
            if (!c->detached && c->cb.on_tx_done != NULL) {
                c->cb.on_tx_done(c->cb_ctx, &c->done_frame, 0);
            }
        }
    }
    w->n_done = 0;
}

void sim_can__run_pending(sim_can__wire_t *w) {
    if (w->bus->notify_due) {
        run_states(w);
    }
    run_rx(w);
    run_done(w);
}
