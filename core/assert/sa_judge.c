/*
 * sa_judge.c: how each kind of assertion is judged in virtual time (sim_assert.h "Timing").
 *
 *   at          ──────────────●────────────    one evaluation at T, then decided
 *   always      ──────[ ● ● ● ● ● ]────────    every evaluation in [from, to] must hold
 *   never       ──────[ ● ● ● ● ● ]────────    no evaluation in [from, to] may hold
 *   eventually  ──────[ ● ● ✓ ]────────────    passes at the first holding (for `for`)
 *   within      ──▲──[W]─────▲──[W]───────     each trigger ▲ opens a window W that must see
 *                                              the condition hold; the range [from, to] bounds
 *                                              the triggers
 *
 * Evaluations happen at window events and whenever the engine re-evaluates the open checks
 * (a change, or the sampling event). A hold ("for") starts when the condition is first seen
 * true and is confirmed by an event at its end, which re-evaluates before deciding.
 */
#include <stdio.h>
#include <string.h>

#include "sa_int.h"

void sa_decide(sim_assert_t *e, sa_check_t *ch, bool passed, const char *actual) {
    if (ch->res.status != SIM_ASSERT_OPEN) {
        return;
    }
    for (unsigned ev = 0; ev < SA_EV_COUNT; ev++) {
        if (ch->ev[ev] != 0) {
            (void)sim_kernel_cancel(e->k, ch->ev[ev]);
            ch->ev[ev] = 0;
        }
    }
    if (actual != NULL) {
        snprintf(ch->res.actual, sizeof ch->res.actual, "%s", actual);
    }
    ch->active = false;
    ch->res.status = passed ? SIM_ASSERT_PASSED : SIM_ASSERT_FAILED;
    ch->res.t_ns = sim_kernel_now(e->k);
    e->open_checks--;
    if (!passed) {
        e->failures++;
        sa_failure_message(e, ch);
    }
    if (e->cfg.on_result != NULL) {
        e->cfg.on_result(e->cfg.result_ctx, &ch->res);
    }
}

/* Evaluates slot `which`; false (and decided as failed) when it cannot be observed. */
static bool eval_or_fail(sim_assert_t *e, sa_check_t *ch, int which, bool *holds) {
    int rc = sa_cond_eval(e, ch, which, holds);
    if (rc != 0) {
        char msg[SIM_ASSERT_TEXT];
        snprintf(msg, sizeof msg, "cannot observe %s: %s", which ? "the trigger" : "the subject",
                 sim_strerror(rc));
        sa_decide(e, ch, false, msg);
        return false;
    }
    return true;
}

void sa_judge_schedule(sim_assert_t *e, size_t i) {
    sa_check_t *ch = &e->checks[i];
    const sim_scn_assert_t *a = ch->spec;
    sim_time_ns_t end = e->cfg.end_ns;
    ch->from_ns = a->from_ns;
    ch->to_ns = a->to_ns == SIM_TIME_NEVER ? end : a->to_ns;
    if (a->kind == SIM_CHECK_AT) {
        sa_schedule_event(e, ch, SA_EV_AT, a->at_ns);
        return;
    }
    if (a->kind == SIM_CHECK_WITHIN && !a->trigger_is_cond) {
        /* A time trigger is one window [after, after + within]: an eventually. */
        ch->from_ns = a->after_ns;
        ch->to_ns = sim_time_add(a->after_ns, a->within_ns);
        ch->triggered = true;
    }
    sa_schedule_event(e, ch, SA_EV_OPEN, ch->from_ns);
    sa_schedule_event(e, ch, SA_EV_CLOSE, ch->to_ns);
}

/* The condition was seen holding (or not) inside an open window: track the hold. */
static void window_eval(sim_assert_t *e, sa_check_t *ch) {
    bool holds = false;
    sim_time_ns_t now = sim_kernel_now(e->k);
    if (!eval_or_fail(e, ch, 0, &holds)) {
        return;
    }
    if (!holds) {
        ch->hold_since_ns = -1;
        if (ch->ev[SA_EV_HOLD] != 0) {
            (void)sim_kernel_cancel(e->k, ch->ev[SA_EV_HOLD]);
            ch->ev[SA_EV_HOLD] = 0;
        }
        return;
    }
    if (ch->hold_since_ns < 0) {
        ch->hold_since_ns = now;
    }
    sim_time_ns_t done = sim_time_add(ch->hold_since_ns, ch->spec->hold_ns);
    if (done <= now) {
        ch->window_open = false;
        ch->hold_since_ns = -1;
        if (ch->ev[SA_EV_HOLD] != 0) {
            (void)sim_kernel_cancel(e->k, ch->ev[SA_EV_HOLD]);
            ch->ev[SA_EV_HOLD] = 0;
        }
        if (ch->spec->kind == SIM_CHECK_EVENTUALLY || !ch->spec->trigger_is_cond) {
            sa_decide(e, ch, true, NULL);
        } else {
            if (ch->ev[SA_EV_WINDOW] != 0) {
                (void)sim_kernel_cancel(e->k, ch->ev[SA_EV_WINDOW]);
                ch->ev[SA_EV_WINDOW] = 0;
            }
            if (ch->range_over) {
                sa_decide(e, ch, true, NULL); /* the last window was answered */
            }
        }
    } else if (done <= ch->window_end_ns && ch->ev[SA_EV_HOLD] == 0) {
        sa_schedule_event(e, ch, SA_EV_HOLD, done);
    }
}

/* WITHIN with a trigger condition: watch for rising edges inside [from, to]. */
static void trigger_eval(sim_assert_t *e, sa_check_t *ch) {
    bool t = false;
    if (ch->range_over || !eval_or_fail(e, ch, 1, &t)) {
        return;
    }
    bool rising = t && !ch->trigger_prev;
    ch->trigger_prev = t;
    if (rising && !ch->window_open) {
        ch->triggered = true;
        ch->window_open = true;
        ch->hold_since_ns = -1;
        ch->window_end_ns = sim_time_add(sim_kernel_now(e->k), ch->spec->within_ns);
        sa_schedule_event(e, ch, SA_EV_WINDOW, ch->window_end_ns);
    }
}

void sa_judge_eval(sim_assert_t *e, sa_check_t *ch) {
    const sim_scn_assert_t *a = ch->spec;
    bool holds = false;
    switch (a->kind) {
        case SIM_CHECK_ALWAYS:
        case SIM_CHECK_NEVER:
            if (eval_or_fail(e, ch, 0, &holds) && holds != (a->kind == SIM_CHECK_ALWAYS)) {
                sa_decide(e, ch, false, NULL);
            }
            return;
        case SIM_CHECK_EVENTUALLY:
            window_eval(e, ch);
            return;
        case SIM_CHECK_WITHIN:
            if (a->trigger_is_cond) {
                trigger_eval(e, ch);
            }
            if (ch->res.status == SIM_ASSERT_OPEN && ch->window_open) {
                window_eval(e, ch);
            }
            return;
        case SIM_CHECK_AT:
            return;
    }
}

/* The end of the trigger range (WITHIN with a trigger condition). */
static void range_closed(sim_assert_t *e, sa_check_t *ch) {
    ch->range_over = true;
    if (!ch->triggered) {
        sa_decide(e, ch, false, "the trigger never happened");
    } else if (!ch->window_open) {
        sa_decide(e, ch, true, NULL);
    }
}

static void on_open(sim_assert_t *e, sa_check_t *ch) {
    ch->active = true;
    if (ch->spec->kind == SIM_CHECK_EVENTUALLY ||
        (ch->spec->kind == SIM_CHECK_WITHIN && !ch->spec->trigger_is_cond)) {
        ch->window_open = true;
        ch->window_end_ns = ch->to_ns;
    }
    sa_judge_eval(e, ch);
}

static void on_close(sim_assert_t *e, sa_check_t *ch) {
    sa_judge_eval(e, ch); /* a change at exactly `to` still counts */
    if (ch->res.status != SIM_ASSERT_OPEN) {
        return;
    }
    switch (ch->spec->kind) {
        case SIM_CHECK_ALWAYS:
        case SIM_CHECK_NEVER:
            sa_decide(e, ch, true, NULL);
            return;
        case SIM_CHECK_WITHIN:
            if (ch->spec->trigger_is_cond) {
                range_closed(e, ch);
                return;
            }
            sa_decide(e, ch, false, NULL);
            return;
        case SIM_CHECK_EVENTUALLY:
            sa_decide(e, ch, false, NULL);
            return;
        case SIM_CHECK_AT:
            return;
    }
}

void sa_judge_event(sim_assert_t *e, sa_check_t *ch, unsigned ev) {
    bool holds = false;
    switch (ev) {
        case SA_EV_AT:
            if (eval_or_fail(e, ch, 0, &holds)) {
                sa_decide(e, ch, holds, NULL);
            }
            return;
        case SA_EV_OPEN:
            on_open(e, ch);
            return;
        case SA_EV_CLOSE:
            on_close(e, ch);
            return;
        case SA_EV_HOLD:
            sa_judge_eval(e, ch);
            return;
        case SA_EV_WINDOW:
            sa_judge_eval(e, ch); /* the window's last instant counts */
            if (ch->res.status == SIM_ASSERT_OPEN && ch->window_open) {
                sa_decide(e, ch, false, NULL);
            } else if (ch->res.status == SIM_ASSERT_OPEN && ch->range_over) {
                sa_decide(e, ch, true, NULL);
            }
            return;
        default:
            SIM_ASSERT(!"unknown check event");
    }
}
