/*
 * sim_can_int.h: the virtual CAN bus's private layout, shared by the core/can sources only.
 *
 * A bus owns one shared wire. A controller that is unplugged transmits on a wire of its own,
 * where nobody hears or acknowledges it, so its retries never hold up the shared wire. A wire is
 * either idle or carrying one frame (or one failed attempt and its error frame); what happens
 * to that frame is decided at its SOF, from the controllers on the wire at that instant, and
 * carried out by one event at its end:
 *
 *   idle --kick--> [arbitrate @ now, SIM_PRIO_ARBITRATE] --SOF--> busy --[end @ SIM_PRIO_WIRE]-->
 * idle
 *
 * Callbacks may detach controllers at any time. The bus counts nested entries (sim_can__enter),
 * and a controller detached inside one is unlinked at once but freed when the outermost entry
 * leaves, so no loop ever touches freed memory.
 *
 * Internal names are sim_can__* (libuv's uv__ convention for cross-file internals).
 */
#ifndef SIM_CAN_INT_H
#define SIM_CAN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim_can.h"

/* CRC delimiter, ACK slot, ACK delimiter, 7 EOF bits, 3 intermission bits: never stuffed. */
#define SIM_CAN__TAIL_BITS 13u
/* SOF..CRC of the longest frame (extended, 8 data bytes), without and with its stuff bits: at
 * most one per four bits after the first five. */
#define SIM_CAN__RAW_MAX         118u
#define SIM_CAN__WIRE_MAX        (SIM_CAN__RAW_MAX + (SIM_CAN__RAW_MAX - 1u) / 4u)
#define SIM_CAN__NAME_MAX        15u /* bus names are interface names: IFNAMSIZ - 1 */
#define SIM_CAN__MAX_FILTERS     8u
#define SIM_CAN__MAX_OBSERVERS   8u
#define SIM_CAN__DEFAULT_QUEUE   5u
#define SIM_CAN__DEFAULT_BITRATE 500000u

/* Fault confinement (ISO 11898-1 §12). */
#define SIM_CAN__WARNING_LIMIT           96u
#define SIM_CAN__PASSIVE_LIMIT           128u
#define SIM_CAN__BUS_OFF_LIMIT           255u /* bus-off when TEC exceeds it */
#define SIM_CAN__REC_MAX                 255u /* REC is an 8-bit register on real controllers */
#define SIM_CAN__REC_AFTER_PASSIVE       127u
#define SIM_CAN__SUSPEND_BITS            8u
#define SIM_CAN__RECOVERY_SEQUENCES      128u
#define SIM_CAN__RECESSIVE_SEQUENCE_BITS 11u

/* The unstuffed bits SOF..CRC of a frame, one per byte. */
typedef struct {
    uint8_t bit[SIM_CAN__RAW_MAX];
    uint32_t n;
    uint16_t crc;
} sim_can__raw_t;

/* A queued frame with what arbitration and timing need, computed once at send time. */
typedef struct {
    sim_can_frame_t f;
    uint32_t bits; /* sim_can_frame_bits */
    uint32_t key;  /* sim_can__frame_key */
} sim_can__txe_t;

/* A controller ready to transmit at an SOF: its slot and the arbitration field it offers, and
 * scratch for sorting out transmitters that tie on that field (sim_can_arbitrate.c). */
typedef struct {
    uint32_t slot, key;
    uint32_t diff;
} sim_can__ready_t;

typedef enum {
    SIM_CAN__OUT_OK = 0,
    SIM_CAN__OUT_DROP, /* sent and acknowledged, but no receiver gets it (drop fault) */
    SIM_CAN__OUT_ACK,  /* nobody acknowledged */
    SIM_CAN__OUT_CRC,  /* receivers saw a CRC error (corrupt fault) */
    SIM_CAN__OUT_BIT,  /* same identifier, different contents */
} sim_can__outcome_t;

/* What a controller is while the wire is held dominant (sim_can_hold.c). */
typedef enum {
    SIM_CAN__HOLD_NONE = 0, /* not synchronised to the hold's SOF: counts nothing */
    SIM_CAN__HOLD_RX,       /* a receiver, or a transmitter that lost arbitration */
    SIM_CAN__HOLD_TX,       /* a transmitter whose stuff bit in arbitration was overwritten */
} sim_can__hold_role_t;

/* The instants a frame on the wire passes (sim_can_wire.c): receivers take a good frame at the
 * end of its last but one EOF bit, its transmitters at the end of EOF, and the wire is free
 * after the intermission. Error frames and dropped frames skip what has nobody to serve. */
typedef enum {
    SIM_CAN__STAGE_RX = 0,
    SIM_CAN__STAGE_TX,
    SIM_CAN__STAGE_END,
} sim_can__stage_t;

#define SIM_CAN__RX_LEAD_BITS 4u /* the receivers' instant to the end of the intermission */
#define SIM_CAN__TX_LEAD_BITS 3u /* the transmitters' instant to the end of the intermission */

typedef struct sim_can__wire {
    sim_can_bus_t *bus;
    sim_can_ctrl_t *owner; /* NULL: the bus's shared wire; else the unplugged controller */
    bool busy;
    sim_can__outcome_t outcome;
    uint32_t n_rx, n_done; /* callbacks the finished frame left due */
    bool err_dominant;     /* CRC error: some receiver sends an active (dominant) error flag */
    sim_event_id_t arb_ev;
    sim_time_ns_t arb_ns;
    sim_event_id_t end_ev; /* the next stage's event */
    sim_can__stage_t stage;
    /* Errors count when their error flag starts (ISO 11898-1 §12): the outcome's error at
     * t_err_ns, and an error-passive transmitter's that left the frame (tx_lost) at the bit
     * after the one it read dominant. One event at the earliest still due. */
    sim_event_id_t err_ev;
    bool err_done;     /* the outcome's error is counted */
    uint32_t lost_min; /* the least lost_bit of this frame's transmitters, or UINT32_MAX */
    sim_can_frame_t frame;
    /* The transmitter the frame is credited to: the first in attach order of those sending it
     * to its end, or the one that saw the bit error that destroyed it; NULL once detached. */
    const sim_can_ctrl_t *sender;
    /* Slots of the first and last transmitter, so the end of the frame visits only those: set at
     * SOF, widened to every slot when a compaction renumbers the slots meanwhile. */
    uint32_t tx_first, tx_last;
    uint32_t wire_bits;            /* bits from SOF to the end of the intermission */
    sim_can_err_field_t err_field; /* where an error outcome was detected */
    sim_time_ns_t t_start_ns, t_err_ns, t_end_ns;
    /* The current run of recessive bits, for bus-off recovery (sim_can_recovery.c). */
    bool recessive;
    sim_time_ns_t run_start_ns;
} sim_can__wire_t;

typedef struct {
    uint32_t id, mask;
    uint8_t ide;
} sim_can__filter_t;

struct sim_can_ctrl {
    /* The first cache line holds what the per-frame scans read (arbitration, receivers,
     * transmitters, callbacks due): every frame visits every controller five or six times.
     * Spread over the struct, these fields cost a 126-pack bus about a fifth more L1 misses
     * (cachegrind) and 2 % of its run time. The struct is allocated on a cache-line boundary. */
    sim_can__wire_t *tx_wire;        /* the wire carrying this controller's frame, or NULL */
    sim_time_ns_t joined_ns;         /* became able to receive: start, plug-in, recovery */
    sim_time_ns_t suspend_until_ns;  /* error-passive suspend transmission */
    sim_can_state_t state, notified; /* state now, and as last reported to callbacks */
    uint16_t tec, rec;
    uint16_t q_cap, q_head, q_len;
    bool started, bus_off, unplugged, detached;
    bool babbling, listen_only;
    bool tx_babble;     /* ... and that frame is the babble frame, not the queue head */
    bool tx_lost;       /* ... and it left it at a bit error, under a passive error flag */
    bool tx_err_done;   /* ... and its error in that attempt is counted (at its flag's start) */
    bool flush_pending; /* entered bus-off: queue to flush with -SIM_ECANCELED */
    bool rx_pending;    /* a frame was accepted: on_rx due */
    bool done_pending;  /* own frame sent: on_tx_done(0) due */
    uint8_t n_filt;
    sim_can__txe_t *q; /* ring buffer */

    /* What a delivered frame touches next. */
    void *cb_ctx;
    sim_can_ctrl_cb_t cb;
    sim_can_ctrl_stats_t st;
    sim_can__filter_t filt[SIM_CAN__MAX_FILTERS];

    sim_can_bus_t *bus;
    char *name;
    bool auto_recover;
    uint32_t slot; /* index in bus->ctrls while attached */
    sim_can__txe_t babble;
    sim_can_frame_t done_frame;

    bool recovering;
    uint32_t recov_seq;          /* sequences of 11 recessive bits counted so far */
    sim_time_ns_t recov_from_ns; /* count recessive bits from here */
    sim_event_id_t recov_ev;

    sim_can__hold_role_t hold_role; /* set when a hold starts (sim_can_hold.c) */
    uint32_t lost_bit;              /* tx_lost: the bit it read dominant, counted from SOF */

    sim_can__wire_t own; /* used while unplugged */
    sim_can_ctrl_t *next_dead;
};

typedef struct {
    bool on;
    uint32_t id, mask, num, den;
    sim_prng_t prng; /* its own stream: one fault's draws never shift another's */
} sim_can__fault_t;

struct sim_can_bus {
    sim_kernel_t *k;
    char name[SIM_CAN__NAME_MAX + 1];
    uint32_t bitrate_bps;
    sim_time_ns_t bit_ns;

    sim_can_ctrl_t **ctrls; /* attach order; NULL slots while callbacks run */
    uint32_t n_ctrls, cap_ctrls, n_live;
    /* Bit i set: the controller in slot i has a frame to offer (babble or queue). Arbitration
     * scans these instead of every controller: at an SOF on a 126-pack bus about half have one,
     * and outside the heartbeat bursts only a few. */
    uint64_t *txmap;
    uint32_t *keys; /* keys[i]: the arbitration field slot i offers, while its bit is set */
    sim_can__ready_t *ready; /* arbitration's scratch list, one entry per slot */

    struct {
        sim_can_observer_t obs;
        void *ctx;
    } obs[SIM_CAN__MAX_OBSERVERS];
    uint32_t n_obs;

    sim_can__wire_t wire;
    sim_can__fault_t drop, corrupt;
    uint64_t n_dropped, n_corrupted;

    bool stuck;                  /* fault requested */
    bool held;                   /* ... and in effect: the wire is dominant since held_since_ns */
    sim_time_ns_t held_since_ns; /* (a frame on the wire finishes first) */
    sim_time_ns_t held_ns;       /* completed held periods */
    bool hold_begun;             /* the hold's SOF was seen at hold_t0_ns (sim_can_hold.c) */
    sim_time_ns_t hold_t0_ns;
    uint32_t hold_step;         /* the next counting step */
    sim_event_id_t hold_ev;     /* ... scheduled */
    sim_time_ns_t idle_from_ns; /* no SOF before: the error frames after a release end then */

    sim_can_bus_stats_t st;
    uint32_t n_recovering;

    bool notify_due; /* some controller's state differs from what it was last told */
    uint32_t depth;  /* nested entries from events and API calls that run callbacks */
    sim_can_ctrl_t *dead;
    bool compact;
};

/* Wire membership, inline: every per-frame loop goes through these. */

/** Slots to scan for a wire's controllers: the bus's for the shared wire, else the owner. */
static inline uint32_t sim_can__wire_slots(const sim_can__wire_t *w) {
    return w->owner != NULL ? 1u : w->bus->n_ctrls;
}

/** The controller in slot i (NULL for a slot freed by a detach inside a callback). */
static inline sim_can_ctrl_t *sim_can__wire_slot(const sim_can__wire_t *w, uint32_t i) {
    return w->owner != NULL ? w->owner : w->bus->ctrls[i];
}

/** The wire's slots as an array of sim_can__wire_slots(w) entries, for loops that run no
 * callback (a callback may attach a controller and so move the bus's array). */
static inline sim_can_ctrl_t *const *sim_can__wire_array(const sim_can__wire_t *w) {
    return w->owner != NULL ? &w->owner : w->bus->ctrls;
}

/** The controller has a frame to offer to arbitration. */
static inline bool sim_can__has_frame(const sim_can_ctrl_t *c) {
    return c->babbling || c->q_len > 0;
}

/** 64-bit words of a txmap for this many slots. */
static inline uint32_t sim_can__txmap_words(uint32_t slots) {
    return (slots + 63u) / 64u;
}

/** The controller is connected to this wire (the shared one, or its own while unplugged). */
static inline bool sim_can__on_wire(const sim_can__wire_t *w, const sim_can_ctrl_t *c) {
    if (w->owner != NULL) {
        return c == w->owner && c->unplugged;
    }
    return !c->unplugged;
}

/* ---- sim_can_frame.c -------------------------------------------------------------------- */
void sim_can__frame_raw(const sim_can_frame_t *f, sim_can__raw_t *r);
/** Stuff bits the transmitter inserts before raw bit `raw_index` (r->n: all of them). */
uint32_t sim_can__stuff_before(const sim_can__raw_t *r, uint32_t raw_index);
/** 32-bit arbitration field, MSB first: lower wins. Equal keys tie. */
uint32_t sim_can__frame_key(const sim_can_frame_t *f);
/** The bits SOF..CRC as they go on the wire, stuff bits included, into bit[SIM_CAN__WIRE_MAX];
 * returns how many. Frames with equal bits up to some point stuff them identically, so the
 * first index where two frames' arrays differ is where they first differ on the wire. */
uint32_t sim_can__frame_wire(const sim_can_frame_t *f, uint8_t *bit);
/** The field of a frame's stuffed bit `wire_bit` (SOF..CRC, counted from SOF as 0); a stuff bit
 * belongs to the field of the bit before it. */
sim_can_err_field_t sim_can__frame_field_at(const sim_can_frame_t *f, uint32_t wire_bit);

/* ---- sim_can_bus.c ---------------------------------------------------------------------- */
void sim_can__enter(sim_can_bus_t *bus);
void sim_can__leave(sim_can_bus_t *bus);
sim_time_ns_t sim_can__bits_ns(const sim_can_bus_t *bus, uint64_t bits);
/** Sets the controller's txmap bit from sim_can__has_frame, and its key from the frame it
 * offers: after every change of the babble frame, the flag or the queue head. */
void sim_can__txmap_sync(sim_can_ctrl_t *c);
/** Appends the controller to the bus's slots (growing the per-slot arrays). 0 or -SIM_ENOMEM. */
int sim_can__slot_add(sim_can_bus_t *bus, sim_can_ctrl_t *c);
/** Empties the controller's slot (NULL until the next compaction) and clears its txmap bit. */
void sim_can__slot_clear(sim_can_ctrl_t *c);

/* ---- sim_can_wire.c --------------------------------------------------------------------- */
void sim_can__wire_init(sim_can__wire_t *w, sim_can_bus_t *bus, sim_can_ctrl_t *owner);
/** Schedules arbitration at now when the wire is idle (earlier than any scheduled one). */
void sim_can__wire_kick(sim_can__wire_t *w);
void sim_can__wire_cancel(sim_can__wire_t *w);
/** Schedules arbitration at t (an error-passive node's suspend transmission ends then). */
void sim_can__wire_wake_at(sim_can__wire_t *w, sim_time_ns_t t_ns);
/** The wire carries the decided frame until t_end_ns: schedules its end and its first error. */
void sim_can__wire_begin(sim_can__wire_t *w);
/** Schedules the next error of the frame on the wire, if one is due and none is scheduled. */
void sim_can__wire_errors_due(sim_can__wire_t *w);
/** The wire a controller transmits on now. */
sim_can__wire_t *sim_can__ctrl_wire(sim_can_ctrl_t *c);

/* ---- sim_can_arbitrate.c ---------------------------------------------------------------- */
void sim_can__arbitrate(sim_can__wire_t *w);

/* ---- sim_can_finish.c ------------------------------------------------------------------- */
/** The errors of the frame on the wire that are due by now: counters, states, observers. */
void sim_can__wire_confine(sim_can__wire_t *w);
/** When the next error of the frame on the wire is due, or SIM_TIME_NEVER. */
sim_time_ns_t sim_can__wire_next_error(const sim_can__wire_t *w);
/** A good frame's receivers' instant: REC, on_rx, observers' on_frame. */
void sim_can__wire_receive(sim_can__wire_t *w);
/** The transmitters' instant: TEC, the queue head, on_tx_done. */
void sim_can__wire_sent(sim_can__wire_t *w);
/** The end of the intermission or of the error frame: the wire is idle again. */
void sim_can__wire_finish(sim_can__wire_t *w);

/* ---- sim_can_confine.c: TEC/REC, states, notifications ----------------------------------- */
/** Recomputes the state from the flags and counters (no callback). */
void sim_can__state_update(sim_can_ctrl_t *c);
/** Reports a state change to the controller and the observers, once per change. */
void sim_can__state_notify(sim_can_ctrl_t *c);
void sim_can__tx_ok(sim_can_ctrl_t *c);
/** TEC += 8 unless exempt; enters bus-off above 255. */
void sim_can__tx_error(sim_can_ctrl_t *c, bool exempt);
/** REC after a good frame when it is above 0 (sim_can__rx_ok handles the rest inline). */
void sim_can__rx_ok_counted(sim_can_ctrl_t *c);
void sim_can__rx_error(sim_can_ctrl_t *c);
/** REC += n (capped, listen-only controllers excepted), then the state. */
void sim_can__rec_add(sim_can_ctrl_t *c, uint32_t n);
/** Empties the TX queue with on_tx_done(-SIM_ECANCELED) per frame, oldest first. */
void sim_can__flush(sim_can_ctrl_t *c);
/** Runs the callbacks a finished frame left due: flushes, states, on_rx, on_tx_done. */
void sim_can__run_pending(sim_can__wire_t *w);

/** A good frame for a receiver: REC -= 1 (from above 127 to 127), then the state. Inline, as
 * every receiver runs it for every frame: with REC at 0 (the usual case) no input of the state
 * changes, so the state stays; only a notification still owed is flagged again, as
 * sim_can__state_update would. Listen-only controllers keep their counters. */
static inline void sim_can__rx_ok(sim_can_ctrl_t *c) {
    if (c->listen_only) {
        return;
    }
    if (c->rec > 0) {
        sim_can__rx_ok_counted(c);
    } else if (c->state != c->notified) {
        c->bus->notify_due = true;
    }
}

/* ---- sim_can_recovery.c ----------------------------------------------------------------- */
/** A recessive run starts on the wire at t (the bus is idle from then on, or its tail is). */
void sim_can__run_start(sim_can__wire_t *w, sim_time_ns_t t_ns);
/** The wire turns dominant at t: count the sequences the run gave, stop the clocks. */
void sim_can__run_break(sim_can__wire_t *w, sim_time_ns_t t_ns);
void sim_can__recovery_begin(sim_can_ctrl_t *c);
void sim_can__recovery_cancel(sim_can_ctrl_t *c);
/** The controller moves to another wire: bank whole sequences, continue on the new wire. */
void sim_can__recovery_move(sim_can_ctrl_t *c, sim_can__wire_t *from, sim_can__wire_t *to);

/* ---- sim_can_ctrl.c --------------------------------------------------------------------- */
/** The frame the controller offers to arbitration: the babble frame, else the queue head. */
const sim_can__txe_t *sim_can__offer(const sim_can_ctrl_t *c);
/** A normalised queue entry (unsent data bytes cleared); -SIM_EINVAL for a malformed frame. */
int sim_can__txe_make(sim_can__txe_t *e, const sim_can_frame_t *f);
/** Removes the queue head into *out. */
void sim_can__queue_pop(sim_can_ctrl_t *c, sim_can_frame_t *out);
bool sim_can__accepts(const sim_can_ctrl_t *c, const sim_can_frame_t *f);

/* ---- sim_can_hold.c ---------------------------------------------------------------------- */
/** The held wire's first dominant bit, an SOF: the ready transmitters (collected by arbitration)
 * and every other synchronised controller take their roles, and the counting steps start. */
void sim_can__hold_begin(sim_can_bus_t *bus, const sim_can__ready_t *ready, uint32_t n_ready);
/** The wire is released: no more steps. */
void sim_can__hold_end(sim_can_bus_t *bus);

/* ---- sim_can_faults.c ------------------------------------------------------------------- */
/** Seeds the bus's fault streams ("can.<bus>.faults.drop", "can.<bus>.faults.corrupt"). */
void sim_can__faults_init(sim_can_bus_t *bus);
/** Draws the fault for a matching frame on its stream; false, drawing nothing, for others. */
bool sim_can__fault_hits(sim_can__fault_t *ft, const sim_can_frame_t *f);

/* The byte-step tables behind sim_can_frame_bits (sim_can_frame_tables.c, which says what an
 * entry holds; generated and checked by tests/unit/test_can_frame_bits.c). */
extern const uint16_t sim_can__crc15_table[256];
extern const uint8_t sim_can__stuff_table[8][256];

#endif
