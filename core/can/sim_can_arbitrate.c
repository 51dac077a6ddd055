/*
 * sim_can_arbitrate.c: who gets the wire at SOF, and what will become of the frame.
 *
 * Every controller with a frame to send and no suspend transmission running offers its babble
 * frame or its queue head. The lowest arbitration field wins (sim_can__frame_key compares the
 * real bits: base id, SRR/RTR, IDE, extended id, RTR). All offers with the winning field
 * transmit together; identical frames are one frame on the wire, different ones collide in the
 * DLC or data field, where the transmitter sending recessive reads dominant: a bit error.
 *
 * The outcome is fixed at SOF from the controllers on the wire at that instant (a node that
 * joins in the middle of a frame has not synchronised to it) and timed to the bit. Wire
 * occupation in bit times, S being the stuffed SOF..CRC length (frame bits - 13):
 *
 *   good / dropped frame   S + 13                     (sim_can_frame_bits)
 *   ACK error              S + 2  + 6      + 8 + 3    ACK slot at S+1; the sender's flag starts
 *                                                     at the ACK delimiter; nobody superposes
 *   CRC error              S + 2  + 7      + 8 + 3    receivers withhold the ACK, so the sender
 *                                                     flags at S+2 and the receivers' CRC flags
 *                                                     (after the ACK delimiter) overlap it by 1
 *   bit error at bit e     e + 1  + 12     + 8 + 3    the flag starts after the bad bit; the
 *                                                     other transmitter and the receivers
 *                                                     answer within it (worst case: 6 + 6)
 *   stuck dominant         1      + 6      + 8 + 3    SOF, then a bit error on the first bit
 *                                                     (flag, delimiter, intermission)
 *
 * (6: error flag, 8: error delimiter, 3: intermission.) Error-passive nodes send a passive flag
 * of the same length, so the accounting does not depend on error states.
 */
#include "sim_can_int.h"

#define ERR_FLAG_BITS     6u
#define ERR_TAIL_BITS     11u /* error delimiter 8 + intermission 3 */
#define ACK_ERR_LEAD_BITS 2u
#define CRC_ERR_FLAG_BITS 7u
#define BIT_ERR_FLAG_BITS 12u
#define NO_DIFF           UINT32_MAX

/* A frame to offer is tested first: it is one load, and the txmap has already said so for every
 * controller of the shared wire that a scan visits. */
static bool candidate(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    return c != NULL && sim_can__has_frame(c) && sim_can__on_wire(w, c) && c->started &&
           !c->bus_off && !c->listen_only && !c->flush_pending && c->tx_wire == NULL;
}

/* Could acknowledge a frame starting now (and will send an active error flag when it errs). */
static bool acknowledger(const sim_can__wire_t *w, const sim_can_ctrl_t *c, sim_time_ns_t now) {
    return c != NULL && c->tx_wire != w && sim_can__on_wire(w, c) && c->started && !c->bus_off &&
           !c->listen_only && c->joined_ns <= now;
}

/* The next slot at or after i that may hold a candidate, in attach order: the bus's txmap on the
 * shared wire, the owner alone on an unplugged controller's wire. Nothing in arbitration runs a
 * callback, so the slots stay put while it scans. */
static uint32_t next_offer(const sim_can__wire_t *w, uint32_t i) {
    if (w->owner != NULL) {
        return i;
    }
    return sim_can__txmap_next(w->bus, i);
}

/* Lowest arbitration field among the ready candidates into *best (false if none); *wake_ns the
 * earliest end of a suspend transmission that keeps a candidate out. */
static bool best_key(const sim_can__wire_t *w, sim_time_ns_t now, uint32_t *best,
                     sim_time_ns_t *wake_ns) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    uint32_t n = sim_can__wire_slots(w);
    bool any = false;
    *wake_ns = SIM_TIME_NEVER;
    for (uint32_t i = next_offer(w, 0); i < n; i = next_offer(w, i + 1)) {
        const sim_can_ctrl_t *c = slot[i];
        if (!candidate(w, c)) {
            continue;
        }
        if (c->suspend_until_ns > now) {
            *wake_ns = c->suspend_until_ns < *wake_ns ? c->suspend_until_ns : *wake_ns;
            continue;
        }
        uint32_t key = sim_can__offer(c)->key;
        if (!any || key < *best) {
            *best = key;
        }
        any = true;
    }
    return any;
}

typedef struct {
    const sim_can__txe_t *first;
    uint32_t diff;   /* stuffed bit where the transmitters' frames first differ, or NO_DIFF */
    uint32_t acks;   /* controllers that will acknowledge, counted until one is error-active */
    bool any_active; /* ... of which one is error-active (sends dominant flags) */
} sof_t;

/* decide() needs only "anyone acknowledges" and "one of them is error-active": the scan stops at
 * the first error-active acknowledger, which on a healthy bus is one of the first slots. It runs
 * after the transmitters are marked, so it skips them as the acknowledger test does. */
static void count_acks(const sim_can__wire_t *w, sim_time_ns_t now, sof_t *s) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    uint32_t n = sim_can__wire_slots(w);
    for (uint32_t i = 0; i < n && !s->any_active; i++) {
        const sim_can_ctrl_t *c = slot[i];
        if (acknowledger(w, c, now)) {
            s->acks++;
            s->any_active = c->state == SIM_CAN_ERROR_ACTIVE || c->state == SIM_CAN_ERROR_WARNING;
        }
    }
}

/* Marks the transmitters (all candidates when stuck), counts losses and acknowledgers. */
static void take_wire(sim_can__wire_t *w, uint32_t best, bool stuck, sim_time_ns_t now, sof_t *s) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    uint32_t n = sim_can__wire_slots(w);
    memset(s, 0, sizeof *s);
    s->diff = NO_DIFF;
    for (uint32_t i = next_offer(w, 0); i < n; i = next_offer(w, i + 1)) {
        sim_can_ctrl_t *c = slot[i];
        bool ready = candidate(w, c) && c->suspend_until_ns <= now;
        const sim_can__txe_t *e = ready ? sim_can__offer(c) : NULL;
        if (e != NULL && (stuck || e->key == best)) {
            c->tx_wire = w;
            c->tx_babble = c->babbling;
            w->tx_last = i;
            if (s->first == NULL) {
                s->first = e;
                w->sender = c;
                w->tx_first = i;
            } else if (!stuck && !sim_can__frame_same(&s->first->f, &e->f)) {
                uint32_t d = sim_can__first_diff_bit(&s->first->f, &e->f);
                s->diff = d < s->diff ? d : s->diff;
            }
        } else if (e != NULL) {
            c->st.arbitration_lost++;
        }
    }
    count_acks(w, now, s);
}

/* Sets the outcome, the first error-flag bit and the wire occupation. Returns the error bit
 * (flag start) or 0 for a frame that completes. */
static uint32_t decide(sim_can__wire_t *w, const sof_t *s, bool stuck) {
    sim_can_bus_t *bus = w->bus;
    uint32_t stuffed = s->first->bits - SIM_CAN__TAIL_BITS;
    if (stuck) {
        w->outcome = SIM_CAN__OUT_STUCK;
        w->wire_bits = 1u + ERR_FLAG_BITS + ERR_TAIL_BITS;
        return 1u;
    }
    if (s->diff != NO_DIFF) {
        w->outcome = SIM_CAN__OUT_BIT;
        w->wire_bits = s->diff + 1u + BIT_ERR_FLAG_BITS + ERR_TAIL_BITS;
        return s->diff + 1u;
    }
    /* Each fault draws for every matching attempt on the shared wire, whatever else happens to
     * it, so its stream's use depends only on the traffic that matches it. */
    bool shared = w->owner == NULL;
    bool corrupt = shared && sim_can__fault_hits(&bus->corrupt, &w->frame);
    bool drop = shared && sim_can__fault_hits(&bus->drop, &w->frame) && !corrupt;
    if (s->acks == 0) {
        w->outcome = SIM_CAN__OUT_ACK;
        w->wire_bits = stuffed + ACK_ERR_LEAD_BITS + ERR_FLAG_BITS + ERR_TAIL_BITS;
        return stuffed + ACK_ERR_LEAD_BITS;
    }
    if (corrupt) {
        bus->n_corrupted++;
        w->outcome = SIM_CAN__OUT_CRC;
        w->err_dominant = s->any_active;
        w->wire_bits = stuffed + ACK_ERR_LEAD_BITS + CRC_ERR_FLAG_BITS + ERR_TAIL_BITS;
        return stuffed + ACK_ERR_LEAD_BITS;
    }
    if (drop) {
        bus->n_dropped++;
    }
    w->outcome = drop ? SIM_CAN__OUT_DROP : SIM_CAN__OUT_OK;
    w->wire_bits = s->first->bits;
    return 0;
}

void sim_can__arbitrate(sim_can__wire_t *w) {
    sim_can_bus_t *bus = w->bus;
    sim_time_ns_t now = sim_kernel_now(bus->k);
    sim_time_ns_t wake_ns;
    uint32_t best = 0;
    if (!best_key(w, now, &best, &wake_ns)) {
        if (wake_ns != SIM_TIME_NEVER) {
            sim_can__wire_wake_at(w, wake_ns);
        }
        return;
    }
    bool stuck = w->owner == NULL && bus->stuck;
    sof_t s;
    take_wire(w, best, stuck, now, &s);
    w->frame = s.first->f;
    w->err_dominant = false;
    sim_can__run_break(w, now);
    uint32_t err_bit = decide(w, &s, stuck);
    w->t_start_ns = now;
    w->t_err_ns = now + sim_can__bits_ns(bus, err_bit);
    w->t_end_ns = now + sim_can__bits_ns(bus, w->wire_bits);
    sim_can__wire_begin(w);
}
