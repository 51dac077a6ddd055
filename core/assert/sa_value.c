/*
 * sa_value.c: a condition's present value and its comparison.
 *
 * FRAMES and FEEDS subjects are answered from the engine's own state (sa_observe.c), PROBE
 * subjects by the run layer's probe. A value of type NONE ("unavailable": a node that is off, a
 * signal never seen) satisfies no comparison, not even "ne": an assertion about something that
 * cannot be seen must not pass by accident. Numbers compare as exact fixed point.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sa_int.h"

void sa_value_text(const sim_value_t *v, char *buf, size_t cap) {
    switch (v->type) {
        case SIM_VAL_BOOL:
            snprintf(buf, cap, "%s", v->b ? "true" : "false");
            return;
        case SIM_VAL_NUM: {
            int64_t x = v->num_micro;
            uint64_t mag = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
            uint64_t frac = mag % (uint64_t)SIM_VALUE_MICRO;
            int digits = 6;
            while (digits > 0 && frac % 10u == 0) { /* "12.5", not "12.500000" */
                frac /= 10u;
                digits--;
            }
            if (digits == 0) {
                snprintf(buf, cap, "%s%" PRIu64, x < 0 ? "-" : "", mag / (uint64_t)SIM_VALUE_MICRO);
            } else {
                snprintf(buf, cap, "%s%" PRIu64 ".%0*" PRIu64, x < 0 ? "-" : "",
                         mag / (uint64_t)SIM_VALUE_MICRO, digits, frac);
            }
            return;
        }
        case SIM_VAL_TEXT:
            snprintf(buf, cap, "\"%s\"", v->text);
            return;
        case SIM_VAL_COLOUR:
            snprintf(buf, cap, "#%06" PRIX32, v->rgb & 0xFFFFFFu);
            return;
        case SIM_VAL_NONE:
            break;
    }
    snprintf(buf, cap, "unavailable");
}

static bool equal(const sim_cond_t *c, const sim_value_t *v) {
    switch (v->type) {
        case SIM_VAL_BOOL:
            return v->b == c->value.b;
        case SIM_VAL_NUM: {
            /* |x - y| in uint64_t: the int64_t difference of two far-apart values overflows. */
            int64_t x = v->num_micro, y = c->value.num_micro;
            uint64_t d = x >= y ? (uint64_t)x - (uint64_t)y : (uint64_t)y - (uint64_t)x;
            return c->tol_micro >= 0 && d <= (uint64_t)c->tol_micro;
        }
        case SIM_VAL_TEXT:
            return strcmp(v->text, c->value.text) == 0;
        case SIM_VAL_COLOUR:
            return v->rgb == c->value.rgb;
        case SIM_VAL_NONE:
            break;
    }
    return false;
}

static bool compare(const sim_cond_t *c, const sim_value_t *v) {
    if (v->type == SIM_VAL_NONE || v->type != c->value.type) {
        return false;
    }
    int64_t x = v->num_micro, y = c->value.num_micro;
    switch (c->op) {
        case SIM_CMP_EQ:
            return equal(c, v);
        case SIM_CMP_NE:
            return !equal(c, v);
        case SIM_CMP_LT:
            return x < y;
        case SIM_CMP_LE:
            return x <= y;
        case SIM_CMP_GT:
            return x > y;
        case SIM_CMP_GE:
            return x >= y;
        case SIM_CMP_IN:
            return x >= y && x <= c->value_hi.num_micro;
    }
    return false;
}

int sa_cond_eval(sim_assert_t *e, sa_check_t *ch, int which, bool *holds) {
    const sim_cond_t *c = which == 0 ? &ch->spec->cond : &ch->spec->trigger;
    sim_value_t v;
    memset(&v, 0, sizeof v);
    int rc;
    if (sim_subject_source(c->subj.kind) == SIM_SUBJ_PROBE) {
        rc = e->cfg.probe(e->cfg.probe_ctx, &c->subj, &v);
        /* A probe must answer in the subject's type (or "unavailable"). */
        SIM_ASSERT(rc != 0 || v.type == SIM_VAL_NONE || v.type == sim_subject_type(c->subj.kind));
    } else {
        rc = sa_observe_value(e, ch, which, &v);
    }
    if (rc != 0) {
        return rc;
    }
    *holds = compare(c, &v);
    if (which == 0) {
        sa_value_text(&v, ch->res.actual, sizeof ch->res.actual);
    }
    return 0;
}
