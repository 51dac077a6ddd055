/*
 * sim_can_hold.c: the shared wire held dominant (sim_can_bus_fault_stuck_dominant), bit by bit
 * as ISO 11898-1 has the nodes see it.
 *
 * The first dominant bit after bus idle is an SOF to every node synchronised to the wire (the
 * hold starts at an idle instant, or at the end of the frame that was on the wire). The nodes
 * with a frame ready start it and arbitrate; the others receive. Then, bits counted from that
 * SOF as bit 0:
 *
 *   1..4   a transmitter sending a recessive identifier bit reads dominant: it has lost
 *          arbitration and is a receiver from then on (no error);
 *   5      the sixth dominant bit in a row: a stuff error for every receiver (REC += 1). A
 *          transmitter whose first four identifier bits are dominant sent bit 5 as a recessive
 *          stuff bit: its stuff error in arbitration does not count (ISO 11898-1 exception 2 to
 *          TEC += 8), but it stays a transmitter;
 *   6..11  the error flags;
 *   12     dominant, the first bit after a receiver's error flag: REC += 8;
 *   19     the fourteenth dominant bit since the error flag started, and every eighth bit
 *          after it (27, 35, ...): every receiver REC += 8, every transmitter TEC += 8.
 *
 * So the receivers, idle nodes included, reach error-passive at bit 131, and only a transmitter
 * whose identifier starts with four dominant bits goes bus-off (bit 267). Each step happens at
 * the end of its bit. The count stops when nothing more can change (REC is capped at 255 as in
 * sim_can_confine.c) and when the wire is released. A node that was not synchronised at the
 * SOF (started, plugged in or recovered later), or is listen-only, counts nothing. Observers see
 * one stuff error, at bit 6.
 *
 * After the release every node that took part finishes its error frame, an 8-bit delimiter and
 * the 3-bit intermission, so the wire is idle 11 bits after the release (bus->idle_from_ns).
 */
#include "sim_can_int.h"

#define SOF_TO_FLAG_BITS     6u  /* the stuff error at bit 5; the flags start at bit 6 */
#define SOF_TO_AFTER_FLAG    13u /* the end of bit 12, the first bit after the flags */
#define SOF_TO_14TH_DOMINANT 20u /* the end of bit 19 */
#define DOMINANT_STEP_BITS   8u
#define STEP_ADD             8u
#define TX_FIRST_BITS        4u /* identifier bits 1..4: all dominant, and bit 5 is a stuff bit */

/* The end of step k, in bits after the SOF. */
static uint64_t step_bits(uint32_t k) {
    if (k == 0) {
        return SOF_TO_FLAG_BITS;
    }
    if (k == 1) {
        return SOF_TO_AFTER_FLAG;
    }
    return SOF_TO_14TH_DOMINANT + (uint64_t)DOMINANT_STEP_BITS * (k - 2u);
}

/* Took part in the hold since its SOF and is still on the wire for it. */
static bool in_hold(const sim_can_bus_t *bus, const sim_can_ctrl_t *c) {
    return c != NULL && c->hold_role != SIM_CAN__HOLD_NONE && c->started && !c->bus_off &&
           !c->unplugged && c->joined_ns <= bus->hold_t0_ns;
}

/* A frame starting with four dominant identifier bits (its base identifier's top bits). */
static bool stuffs_in_arbitration(const sim_can__txe_t *e) {
    uint32_t base = e->key >> 21; /* sim_can__frame_key: the base id is its top 11 bits */
    return (base >> (11u - TX_FIRST_BITS)) == 0;
}

/* The first transmitter of the hold, in attach order, or NULL. */
static sim_can_ctrl_t *hold_sender(const sim_can_bus_t *bus) {
    for (uint32_t i = 0; i < bus->n_ctrls; i++) {
        sim_can_ctrl_t *c = bus->ctrls[i];
        if (in_hold(bus, c) && c->hold_role == SIM_CAN__HOLD_TX) {
            return c;
        }
    }
    return NULL;
}

static void tell_observers(sim_can_bus_t *bus) {
    static const sim_can_frame_t no_frame;
    const sim_can_ctrl_t *sender = hold_sender(bus);
    const sim_can__txe_t *e = sender != NULL ? sim_can__offer(sender) : NULL;
    const sim_can_frame_t *f = e != NULL ? &e->f : &no_frame;
    sim_time_ns_t t = bus->hold_t0_ns + sim_can__bits_ns(bus, SOF_TO_FLAG_BITS);
    for (uint32_t i = 0; i < bus->n_obs; i++) {
        const sim_can_observer_t *o = &bus->obs[i].obs;
        if (o->on_error != NULL) {
            /* Bit 5 is the fifth identifier bit, among ID28..21. */
            o->on_error(bus->obs[i].ctx, SIM_CAN_ERR_STUFF, SIM_CAN_FIELD_ID28_21, f, sender, t);
        }
    }
}

/* Counts step k for one node; returns whether a later step can still change its counters. */
static bool count_step(sim_can_ctrl_t *c, uint32_t k) {
    if (c->hold_role == SIM_CAN__HOLD_TX) {
        if (k == 0) {
            c->st.tx_errors++;
        } else if (k >= 2) {
            sim_can__tx_error(c, false);
        }
        return !c->bus_off;
    }
    if (k == 0) {
        sim_can__rx_error(c);
    } else {
        sim_can__rec_add(c, STEP_ADD);
    }
    return c->rec < SIM_CAN__REC_MAX;
}

static void schedule_step(sim_can_bus_t *bus);

static void step_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_can_bus_t *bus = ctx;
    bus->hold_ev = 0;
    sim_can__enter(bus);
    uint32_t step = bus->hold_step++;
    bool more = false;
    for (uint32_t i = 0; i < bus->n_ctrls; i++) {
        sim_can_ctrl_t *c = bus->ctrls[i];
        if (in_hold(bus, c) && count_step(c, step)) {
            more = true;
        }
    }
    if (step == 0) {
        bus->st.error_frames++;
        tell_observers(bus);
    }
    sim_can__run_pending(&bus->wire);
    if (more && bus->held) {
        schedule_step(bus);
    }
    sim_can__leave(bus);
}

static void schedule_step(sim_can_bus_t *bus) {
    sim_time_ns_t t = bus->hold_t0_ns + sim_can__bits_ns(bus, step_bits(bus->hold_step));
    bus->hold_ev = sim_kernel_schedule(bus->k, t, SIM_PRIO_WIRE, step_event, bus, 0);
    SIM_ASSERT(bus->hold_ev != 0);
}

void sim_can__hold_begin(sim_can_bus_t *bus, const sim_can__ready_t *ready, uint32_t n_ready) {
    SIM_ASSERT(bus->held && !bus->hold_begun);
    sim_time_ns_t now = sim_kernel_now(bus->k);
    bus->hold_begun = true;
    bus->hold_t0_ns = now;
    bus->hold_step = 0;
    for (uint32_t i = 0; i < bus->n_ctrls; i++) {
        sim_can_ctrl_t *c = bus->ctrls[i];
        if (c != NULL) {
            bool synced = c->started && !c->bus_off && !c->unplugged && !c->listen_only &&
                          c->joined_ns <= now;
            c->hold_role = synced ? SIM_CAN__HOLD_RX : SIM_CAN__HOLD_NONE;
        }
    }
    for (uint32_t k = 0; k < n_ready; k++) {
        sim_can_ctrl_t *c = bus->ctrls[ready[k].slot];
        if (stuffs_in_arbitration(sim_can__offer(c))) {
            c->hold_role = SIM_CAN__HOLD_TX;
        }
    }
    schedule_step(bus);
}

void sim_can__hold_end(sim_can_bus_t *bus) {
    if (bus->hold_ev != 0) {
        sim_kernel_cancel(bus->k, bus->hold_ev);
        bus->hold_ev = 0;
    }
    bus->hold_begun = false;
}
