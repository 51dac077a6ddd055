/*
 * sim_can_faults.c: the fault hooks the scenario engine drives.
 *
 * Drop and corrupt each draw from a stream of the bus's own ("can.<bus>.faults.drop" and
 * "can.<bus>.faults.corrupt") and only for attempts that match the fault's identifier and mask,
 * so adding a fault never shifts the randomness that other frames, the other fault or other
 * models see. A fault changes what happens to frames that start after it was set; a frame
 * already on the wire keeps the outcome fixed at its SOF.
 *
 * Stuck dominant: no frame can start while the wire is held. Its first dominant bit is an SOF
 * to every node, and what they count from there is in sim_can_hold.c: the receivers (and the
 * transmitters that lose arbitration to the dominant wire) reach error-passive, a transmitter
 * whose identifier starts with four dominant bits reaches bus-off. The held time counts as busy
 * bus time.
 *
 * Unplugged: the controller transmits on a wire of its own, where nobody acknowledges it (a lone
 * node: ACK errors up to error-passive), and the bus neither hears it nor is heard by it.
 *
 * Babble: the controller offers its babble frame instead of its queue head at every
 * arbitration, back to back; babble frames count as sent but never reach on_tx_done.
 */
#include <stdio.h>

#include "sim_can_int.h"

static void stream_init(sim_can_bus_t *bus, const char *kind, sim_prng_t *out) {
    char name[SIM_CAN__NAME_MAX + 32];
    snprintf(name, sizeof name, "can.%s.faults.%s", bus->name, kind);
    sim_kernel_prng(bus->k, name, out);
}

void sim_can__faults_init(sim_can_bus_t *bus) {
    stream_init(bus, "drop", &bus->drop.prng);
    stream_init(bus, "corrupt", &bus->corrupt.prng);
}

static int fault_set(sim_can__fault_t *ft, uint32_t match_id, uint32_t mask, uint32_t num,
                     uint32_t den) {
    if (den == 0) {
        ft->on = false;
        return 0;
    }
    if (num > den) {
        return -SIM_EINVAL;
    }
    ft->on = num > 0;
    ft->id = match_id;
    ft->mask = mask;
    ft->num = num;
    ft->den = den;
    return 0;
}

int sim_can_bus_fault_drop(sim_can_bus_t *bus, uint32_t match_id, uint32_t mask, uint32_t num,
                           uint32_t den) {
    return fault_set(&bus->drop, match_id, mask, num, den);
}

int sim_can_bus_fault_corrupt(sim_can_bus_t *bus, uint32_t match_id, uint32_t mask, uint32_t num,
                              uint32_t den) {
    return fault_set(&bus->corrupt, match_id, mask, num, den);
}

bool sim_can__fault_hits(sim_can__fault_t *ft, const sim_can_frame_t *f) {
    if (!ft->on || (f->id & ft->mask) != (ft->id & ft->mask)) {
        return false;
    }
    return sim_prng_chance(&ft->prng, ft->num, ft->den);
}

void sim_can_bus_fault_stuck_dominant(sim_can_bus_t *bus, bool on) {
    if (bus->stuck == on) {
        return;
    }
    sim_can__wire_t *w = &bus->wire;
    sim_time_ns_t now = sim_kernel_now(bus->k);
    bus->stuck = on;
    if (on) {
        /* A frame on the wire finishes first (sim_can_finish.c starts the hold at its end). */
        if (!w->busy) {
            bus->held = true;
            bus->held_since_ns = now;
            sim_can__run_break(w, now);
            sim_can__wire_kick(w);
        }
        return;
    }
    if (bus->held) {
        bus->held = false;
        bus->held_ns += now - bus->held_since_ns;
        if (bus->hold_begun) {
            /* The nodes that saw it end their error frames: delimiter and intermission. */
            bus->idle_from_ns = now + sim_can__bits_ns(bus, SIM_CAN__RECESSIVE_SEQUENCE_BITS);
        }
        sim_can__hold_end(bus);
    }
    if (!w->busy) {
        sim_can__run_start(w, now);
        sim_can__wire_kick(w);
    }
}

void sim_can_ctrl_set_unplugged(sim_can_ctrl_t *c, bool unplugged) {
    if (c->unplugged == unplugged) {
        return;
    }
    sim_can__wire_t *from = sim_can__ctrl_wire(c);
    sim_time_ns_t now = sim_kernel_now(c->bus->k);
    c->unplugged = unplugged;
    sim_can__wire_t *to = sim_can__ctrl_wire(c);
    if (unplugged && !to->busy) {
        /* Its own wire has been silent all along; the run it sees starts now. */
        to->recessive = true;
        to->run_start_ns = now;
    }
    if (!unplugged) {
        c->joined_ns = now; /* must synchronise to the bus again */
    }
    sim_can__recovery_move(c, from, to);
    sim_can__wire_kick(to);
}

void sim_can_ctrl_set_babble(sim_can_ctrl_t *c, const sim_can_frame_t *f, bool on) {
    if (!on) {
        c->babbling = false;
        sim_can__txmap_sync(c);
        return;
    }
    SIM_ASSERT(f != NULL);
    int rc = sim_can__txe_make(&c->babble, f);
    SIM_ASSERT(rc == 0);
    c->babbling = true;
    sim_can__txmap_sync(c);
    sim_can__wire_kick(sim_can__ctrl_wire(c));
}
