/*
 * sa_int.h: the assertion engine's internals, shared by its files.
 *
 *   sim_assert.c  lifecycle, the coalesced evaluation and sampling events, results, report
 *   sa_judge.c    the kinds: window events and the decision rules of sim_assert.h
 *   sa_observe.c  what the engine observes itself: frames (election flags, NodeIDs, frame
 *                 counts, signals) and feeds (LEDs, display, pixels)
 *   sa_answer.c   the present value of those subjects
 *   sa_value.c    a condition's value (engine state or probe), comparison, value text
 *   sa_text.c     expected text and the one-line failure message
 *
 * Each assertion is a check with two condition slots (0: its condition, 1: its trigger), whose
 * frame-derived state (a frame counter, a signal's last value) lives in the slot.
 */
#ifndef SA_INT_H
#define SA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_assert.h"
#include "status_leds.h"

#define SA_LED_DISPLAY  3u /* the display's "lit" (not blank) as a fourth LED of the detector */
#define SA_FRESH_TEL_NS (5 * SIM_NS_PER_S)   /* a flag from TEL page 0, sent every 2 s */
#define SA_FRESH_ANN_NS (125 * SIM_NS_PER_S) /* a flag from ANN only, sent every 60 s */

typedef struct {
    bool claim;             /* is-master flag of the last flag-carrying frame */
    sim_time_ns_t claim_ns; /* when that frame ended; -1 before any */
    bool sent_tel;          /* has sent TEL page 0: its flag refreshes every 2 s */
    int node_id;            /* NodeID of its last per-node frame, or -1 */
    sim_event_id_t stale_ev;
    status_leds_t *leds; /* blink detectors: green, yellow, red, display; NULL until fed */
    char display[SIM_VALUE_TEXT], shown[SIM_VALUE_TEXT];
    bool display_seen;
    uint32_t pixels[SIM_ASSERT_PIXELS];
    unsigned n_pixels;
} sa_node_t;

typedef struct {
    int64_t count;       /* CAN_FRAMES: matching frames so far */
    bool has_value;      /* SIGNAL: a value was decoded */
    int64_t value_micro; /* SIGNAL: the last one */
} sa_slot_t;

enum { SA_EV_AT = 0, SA_EV_OPEN, SA_EV_CLOSE, SA_EV_HOLD, SA_EV_WINDOW, SA_EV_COUNT };

typedef struct {
    const sim_scn_assert_t *spec;
    sim_assert_result_t res;
    sa_slot_t slot[2];
    sim_time_ns_t from_ns, to_ns; /* window (to resolved against the run's end) */
    bool active;                  /* evaluate on changes */
    bool trigger_prev;            /* WITHIN: the trigger's value at the last evaluation */
    bool triggered;               /* WITHIN: a trigger came */
    bool range_over;              /* WITHIN: the trigger range has closed */
    bool window_open;             /* EVENTUALLY window, or WITHIN window after a trigger */
    sim_time_ns_t window_end_ns;
    sim_time_ns_t hold_since_ns; /* condition true since, or -1 */
    sim_event_id_t ev[SA_EV_COUNT];
} sa_check_t;

struct sim_assert {
    sim_kernel_t *k;
    sim_assert_cfg_t cfg;
    char *repro;
    sa_node_t *nodes;
    size_t n_nodes;
    sa_check_t *checks;
    size_t n_checks;
    size_t open_checks;
    size_t failures;
    sim_event_id_t eval_ev; /* the pending coalesced evaluation, or 0 */
    sim_event_id_t sample_ev;
    bool finished;
};

/* ---- sim_assert.c ---- */
/** (Re)schedules a check's event `ev` at t_ns (now if t_ns is already past). */
void sa_schedule_event(sim_assert_t *e, sa_check_t *ch, unsigned ev, sim_time_ns_t t_ns);

/* ---- sa_judge.c ---- */
/** Schedules a check's window events (at creation). */
void sa_judge_schedule(sim_assert_t *e, size_t i);
/** Re-evaluates an active check now. */
void sa_judge_eval(sim_assert_t *e, sa_check_t *ch);
/** A check's window event. */
void sa_judge_event(sim_assert_t *e, sa_check_t *ch, unsigned ev);
/** Decides a check (cancels its events); `actual` NULL keeps the text already set. */
void sa_decide(sim_assert_t *e, sa_check_t *ch, bool passed, const char *actual);

/* ---- sa_value.c ---- */
/**
 * Evaluates slot `which` of a check now: *holds says whether the condition holds; the value's
 * text goes to ch->res.actual. -SIM_ENOTSUP (or another probe error) when it cannot be observed.
 */
int sa_cond_eval(sim_assert_t *e, sa_check_t *ch, int which, bool *holds);
/** The text of a value ("true", "12.5", "\"pack3\"", "#00FF00", "unavailable"). */
void sa_value_text(const sim_value_t *v, char *buf, size_t cap);

/* ---- sa_observe.c ---- */
void sa_observe_free(sim_assert_t *e);
/** Whether node n's is-master claim is fresh now. */
bool sa_claim_fresh(const sim_assert_t *e, const sa_node_t *n);

/* ---- sa_answer.c ---- */
/** A subject that the engine answers itself (FRAMES and FEEDS); always 0. */
int sa_observe_value(sim_assert_t *e, const sa_check_t *ch, int which, sim_value_t *out);

/* ---- sa_text.c ---- */
/** The expected text of a check ("relay(pack1.R1) == true always in [1s, 5s]"). */
void sa_expected_text(const sim_assert_t *e, const sa_check_t *ch, char *buf, size_t cap);
/** Fills ch->res.message for a failure. */
void sa_failure_message(const sim_assert_t *e, sa_check_t *ch);
/** "12.5s", "2h", "1.000000001s": a virtual time, exact. */
void sa_time_text(sim_time_ns_t t, char *buf, size_t cap);

#endif
