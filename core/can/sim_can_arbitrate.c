/*
 * sim_can_arbitrate.c: who gets the wire at SOF, and what will become of the frame.
 *
 * Every controller with a frame to send and no suspend transmission running offers its babble
 * frame or its queue head. The lowest arbitration field wins (sim_can__frame_key compares the
 * real bits: base id, SRR/RTR, IDE, extended id, RTR). All offers with the winning field
 * transmit together; identical frames are one frame on the wire. Different ones part at the
 * first bit where they differ (in the DLC or the data field): the transmitters sending recessive
 * there read dominant, a bit error. When one of them is error-active, its active error flag
 * destroys the frame for everyone: every transmitter counts an error and the receivers flag it
 * too. When all of them are error-passive, their passive flags are recessive and leave the wire
 * as it is: they drop out of the frame with their error (TEC += 8, and they do not receive it),
 * and the transmitters that sent dominant carry on, to the next difference or to the end.
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
 *   bit error at bit e     e + 1  + F      + 8 + 3    F, the superposed flags from e + 1 on:
 *                                                     6 from the transmitter that saw it, 6 + j
 *                                                     when one that sent dominant at e is
 *                                                     error-active (it reads its next recessive
 *                                                     bit, e + j, as dominant and flags after
 *                                                     it), 12 - k when an error-active receiver
 *                                                     is there (the run of k dominant bits that
 *                                                     ends at e, continued by the first flag, is
 *                                                     a stuff error at its sixth bit); j <= 6 - k
 *
 * (6: error flag, 8: error delimiter, 3: intermission.) An error-passive node's flag is as long
 * but recessive, so only error-active flags extend F; the other outcomes do not depend on error
 * states.
 *
 * While the shared wire is held dominant no frame starts: its first dominant bit is an SOF that
 * sim_can_hold.c follows bit by bit, with the ready transmitters collected here. After the
 * release nothing starts before the error frames end (bus->idle_from_ns).
 */
#include "sim_can_int.h"

#define ERR_FLAG_BITS     6u
#define ERR_TAIL_BITS     11u /* error delimiter 8 + intermission 3 */
#define ACK_ERR_LEAD_BITS 2u
#define CRC_ERR_FLAG_BITS 7u
#define STUFF_RUN_BITS    6u /* six equal bits in a stuffed field: a stuff error */
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

/* A candidate that may start now; otherwise *wake_ns learns when its suspend transmission ends. */
static bool ready_now(const sim_can__wire_t *w, const sim_can_ctrl_t *c, sim_time_ns_t now,
                      sim_time_ns_t *wake_ns) {
    if (!candidate(w, c)) {
        return false;
    }
    if (c->suspend_until_ns > now) {
        *wake_ns = c->suspend_until_ns < *wake_ns ? c->suspend_until_ns : *wake_ns;
        return false;
    }
    return true;
}

/* The ready candidates in attach order into bus->ready; returns how many. On the shared wire
 * they are among the txmap's slots, whose cached keys spare a visit to every queue; on an
 * unplugged controller's wire the owner is alone. *wake_ns: the earliest end of a suspend
 * transmission that keeps a candidate out. Nothing here runs a callback: the slots stay put. */
static uint32_t collect(const sim_can__wire_t *w, sim_time_ns_t now, sim_time_ns_t *wake_ns) {
    sim_can_bus_t *bus = w->bus;
    sim_can__ready_t *ready = bus->ready;
    *wake_ns = SIM_TIME_NEVER;
    if (w->owner != NULL) {
        if (!ready_now(w, w->owner, now, wake_ns)) {
            return 0;
        }
        ready[0] = (sim_can__ready_t){.slot = 0, .key = sim_can__offer(w->owner)->key};
        return 1;
    }
    uint32_t n = 0;
    uint32_t words = sim_can__txmap_words(bus->n_ctrls);
    for (uint32_t wi = 0; wi < words; wi++) {
        for (uint64_t word = bus->txmap[wi]; word != 0; word &= word - 1u) {
            uint32_t i = wi * 64u + (uint32_t)__builtin_ctzll(word);
            if (ready_now(w, bus->ctrls[i], now, wake_ns)) {
                ready[n++] = (sim_can__ready_t){.slot = i, .key = bus->keys[i]};
            }
        }
    }
    return n;
}

/* The lowest arbitration field offered: the one that wins. */
static uint32_t best_key(const sim_can__ready_t *ready, uint32_t n) {
    uint32_t best = ready[0].key;
    for (uint32_t k = 1; k < n; k++) {
        best = ready[k].key < best ? ready[k].key : best;
    }
    return best;
}

/* Sends dominant (active) error flags. */
static bool flags_dominant(const sim_can_ctrl_t *c) {
    return c->state == SIM_CAN_ERROR_ACTIVE || c->state == SIM_CAN_ERROR_WARNING;
}

typedef struct {
    const sim_can__txe_t *first;
    uint32_t diff;   /* stuffed bit of a bit error that destroys the frame, or NO_DIFF */
    uint32_t run;    /* ... the run of dominant bits on the wire that ends there */
    uint32_t reach;  /* ... how far after it error-active transmitters flag (6 + j) */
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
            s->any_active = flags_dominant(c);
        }
    }
}

/* ---- transmitters that tie on the arbitration field ---------------------------------------- */

/* The ready entry k is a transmitter of this frame still sending. */
static bool still_sending(const sim_can__wire_t *w, const sim_can__ready_t *r, uint32_t best) {
    return r->key == best && !sim_can__wire_array(w)[r->slot]->tx_lost;
}

/* The bit entry r sends at wire bit d, which every entry still sending reaches unchanged. */
static uint8_t bit_at(const sim_can__ready_t *r, const uint8_t *ref, uint32_t d) {
    return (uint8_t)(ref[d] ^ (r->diff == d ? 1u : 0u));
}

/* The first index where a frame's wire bits differ from ref[0..n_ref), or NO_DIFF. Different
 * frames with one arbitration field differ in the DLC or the data, which both carry. */
static uint32_t wire_diff(const uint8_t *ref, uint32_t n_ref, const sim_can_frame_t *f) {
    uint8_t bit[SIM_CAN__WIRE_MAX];
    uint32_t n = sim_can__frame_wire(f, bit);
    uint32_t m = n < n_ref ? n : n_ref;
    for (uint32_t i = 0; i < m; i++) {
        if (bit[i] != ref[i]) {
            return i;
        }
    }
    SIM_ASSERT(n == n_ref);
    return NO_DIFF;
}

/* The bit error at wire bit d destroys the frame: how its error flags line up (sof_t). The
 * transmitters sending dominant at d read their next recessive bit (a stuff bit at the latest,
 * or the CRC delimiter) as dominant. */
static void destroyed_at(const sim_can__wire_t *w, uint32_t n_ready, uint32_t best,
                         const uint8_t *ref, uint32_t d, sof_t *s) {
    s->diff = d;
    s->run = 1;
    while (s->run <= d && ref[d - s->run] == 0) {
        s->run++;
    }
    s->reach = ERR_FLAG_BITS;
    const sim_can__ready_t *ready = w->bus->ready;
    for (uint32_t k = 0; k < n_ready; k++) {
        const sim_can_ctrl_t *c = sim_can__wire_array(w)[ready[k].slot];
        if (!still_sending(w, &ready[k], best) || bit_at(&ready[k], ref, d) != 0 ||
            !flags_dominant(c)) {
            continue;
        }
        uint8_t bit[SIM_CAN__WIRE_MAX];
        uint32_t n = sim_can__frame_wire(&sim_can__offer(c)->f, bit);
        uint32_t j = 1;
        while (d + j < n && bit[d + j] == 0) {
            j++;
        }
        s->reach = ERR_FLAG_BITS + j > s->reach ? ERR_FLAG_BITS + j : s->reach;
    }
}

/* The frame of the first transmitter still sending, in attach order, becomes the reference:
 * ready[k].diff learns where each of the others first differs from it. Returns the first of
 * those differences, or NO_DIFF when they all send the same frame. */
static uint32_t compare_ties(sim_can__wire_t *w, uint32_t n_ready, uint32_t best, uint8_t *ref,
                             sof_t *s) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    sim_can__ready_t *ready = w->bus->ready;
    uint32_t n_ref = 0, d = NO_DIFF;
    s->first = NULL;
    for (uint32_t k = 0; k < n_ready; k++) {
        if (!still_sending(w, &ready[k], best)) {
            continue;
        }
        sim_can_ctrl_t *c = slot[ready[k].slot];
        const sim_can__txe_t *e = sim_can__offer(c);
        ready[k].diff = NO_DIFF;
        if (s->first == NULL) {
            s->first = e;
            w->sender = c;
            n_ref = sim_can__frame_wire(&e->f, ref);
        } else {
            ready[k].diff = wire_diff(ref, n_ref, &e->f);
            d = ready[k].diff < d ? ready[k].diff : d;
        }
    }
    return d;
}

/* Transmitters tied on the arbitration field with different frames, one difference at a time
 * (the file's header): the error-passive ones sending recessive there drop out (tx_lost), until
 * those left send one frame, credited to the first of them, or an error-active one reads a
 * dominant bit and destroys the frame, credited to it as the transmitter that saw the error. */
static void part_ties(sim_can__wire_t *w, uint32_t n_ready, uint32_t best, sof_t *s) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    const sim_can__ready_t *ready = w->bus->ready;
    uint8_t ref[SIM_CAN__WIRE_MAX];
    uint32_t d;
    while ((d = compare_ties(w, n_ready, best, ref, s)) != NO_DIFF) {
        for (uint32_t k = 0; k < n_ready; k++) {
            sim_can_ctrl_t *c = slot[ready[k].slot];
            if (still_sending(w, &ready[k], best) && bit_at(&ready[k], ref, d) == 1 &&
                flags_dominant(c)) {
                s->first = sim_can__offer(c);
                w->sender = c;
                destroyed_at(w, n_ready, best, ref, d, s);
                return;
            }
        }
        for (uint32_t k = 0; k < n_ready; k++) {
            if (still_sending(w, &ready[k], best) && bit_at(&ready[k], ref, d) == 1) {
                slot[ready[k].slot]->tx_lost = true;
                slot[ready[k].slot]->lost_bit = d;
                w->lost_min = d < w->lost_min ? d : w->lost_min;
            }
        }
    }
}

/* Marks the transmitters, counts losses and acknowledgers. */
static void take_wire(sim_can__wire_t *w, uint32_t n_ready, uint32_t best, sim_time_ns_t now,
                      sof_t *s) {
    sim_can_ctrl_t *const *slot = sim_can__wire_array(w);
    const sim_can__ready_t *ready = w->bus->ready;
    memset(s, 0, sizeof *s);
    s->diff = NO_DIFF;
    w->lost_min = UINT32_MAX;
    uint32_t tied = 0;
    for (uint32_t k = 0; k < n_ready; k++) {
        uint32_t i = ready[k].slot;
        sim_can_ctrl_t *c = slot[i];
        if (ready[k].key != best) {
            c->st.arbitration_lost++;
            continue;
        }
        c->tx_wire = w;
        c->tx_babble = c->babbling;
        c->tx_lost = false;
        c->tx_err_done = false;
        w->tx_last = i;
        if (tied++ == 0) {
            s->first = sim_can__offer(c);
            w->sender = c;
            w->tx_first = i;
        }
    }
    if (tied > 1) {
        part_ties(w, n_ready, best, s);
    }
    count_acks(w, now, s);
}

/* Sets the outcome, the first error-flag bit and the wire occupation. Returns the error bit
 * (flag start) or 0 for a frame that completes. */
static uint32_t decide(sim_can__wire_t *w, const sof_t *s) {
    sim_can_bus_t *bus = w->bus;
    uint32_t stuffed = s->first->bits - SIM_CAN__TAIL_BITS;
    if (s->diff != NO_DIFF) {
        uint32_t flags = s->reach;
        if (s->any_active && 2u * STUFF_RUN_BITS - s->run > flags) {
            flags = 2u * STUFF_RUN_BITS - s->run;
        }
        w->outcome = SIM_CAN__OUT_BIT;
        w->err_field = sim_can__frame_field_at(&s->first->f, s->diff);
        w->wire_bits = s->diff + 1u + flags + ERR_TAIL_BITS;
        return s->diff + 1u;
    }
    /* Each fault draws for every matching attempt on the shared wire, whatever else happens to
     * it, so its stream's use depends only on the traffic that matches it. */
    bool shared = w->owner == NULL;
    bool corrupt = shared && sim_can__fault_hits(&bus->corrupt, &w->frame);
    bool drop = shared && sim_can__fault_hits(&bus->drop, &w->frame) && !corrupt;
    if (s->acks == 0) {
        w->outcome = SIM_CAN__OUT_ACK;
        w->err_field = SIM_CAN_FIELD_ACK_SLOT;
        w->wire_bits = stuffed + ACK_ERR_LEAD_BITS + ERR_FLAG_BITS + ERR_TAIL_BITS;
        return stuffed + ACK_ERR_LEAD_BITS;
    }
    if (corrupt) {
        bus->n_corrupted++;
        w->outcome = SIM_CAN__OUT_CRC;
        w->err_field = SIM_CAN_FIELD_CRC_SEQ;
        w->err_dominant = s->any_active;
        w->wire_bits = stuffed + ACK_ERR_LEAD_BITS + CRC_ERR_FLAG_BITS + ERR_TAIL_BITS;
        return stuffed + ACK_ERR_LEAD_BITS;
    }
    if (drop) {
        bus->n_dropped++;
    }
    w->outcome = drop ? SIM_CAN__OUT_DROP : SIM_CAN__OUT_OK;
    w->err_field = SIM_CAN_FIELD_UNSPEC;
    w->wire_bits = s->first->bits;
    return 0;
}

void sim_can__arbitrate(sim_can__wire_t *w) {
    sim_can_bus_t *bus = w->bus;
    sim_time_ns_t now = sim_kernel_now(bus->k);
    sim_time_ns_t wake_ns;
    bool shared = w->owner == NULL;
    if (shared && bus->held) {
        if (!bus->hold_begun) {
            sim_can__hold_begin(bus, bus->ready, collect(w, now, &wake_ns));
        }
        return;
    }
    if (shared && now < bus->idle_from_ns) {
        sim_can__wire_wake_at(w, bus->idle_from_ns);
        return;
    }
    uint32_t n_ready = collect(w, now, &wake_ns);
    if (n_ready == 0) {
        if (wake_ns != SIM_TIME_NEVER) {
            sim_can__wire_wake_at(w, wake_ns);
        }
        return;
    }
    sof_t s;
    take_wire(w, n_ready, best_key(bus->ready, n_ready), now, &s);
    w->frame = s.first->f;
    w->err_dominant = false;
    sim_can__run_break(w, now);
    uint32_t err_bit = decide(w, &s);
    w->t_start_ns = now;
    w->t_err_ns = now + sim_can__bits_ns(bus, err_bit);
    w->t_end_ns = now + sim_can__bits_ns(bus, w->wire_bits);
    sim_can__wire_begin(w);
}
