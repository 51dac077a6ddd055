/*
 * sa_text.c: the texts of a result: what was expected, and the one-line failure message.
 *
 *   expected  relay(pack1.R1) == true always in [1s, 5s]
 *             master == "pack2" within 130s after 100s
 *   message   three_packs (scenarios/three_packs.json): assertion "failover" failed at
 *             t=230s: expected master == "pack2" within 130s after 100s, actual "pack3";
 *             seed 0x5eed; reproduce: alfasim run scenarios/three_packs.json --seed 0x5eed
 * (the message is one line; it is wrapped here). Times are exact: the largest unit that
 * divides the value, so a failure at 1.000000001 s says so.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sa_int.h"
#include "sim_signals.h"

void sa_time_text(sim_time_ns_t t, char *buf, size_t cap) {
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {{"d", 86400LL * SIM_NS_PER_S}, {"h", 3600LL * SIM_NS_PER_S},
                 {"m", 60LL * SIM_NS_PER_S},    {"s", SIM_NS_PER_S},
                 {"ms", SIM_NS_PER_MS},         {"us", SIM_NS_PER_US}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (t != 0 && t % units[i].ns == 0) {
            snprintf(buf, cap, "%" PRId64 "%s", t / units[i].ns, units[i].unit);
            return;
        }
    }
    if (t >= SIM_NS_PER_S) {
        snprintf(buf, cap, "%" PRId64 ".%09" PRId64 "s", (int64_t)(t / SIM_NS_PER_S),
                 (int64_t)(t % SIM_NS_PER_S));
        return;
    }
    snprintf(buf, cap, "%" PRId64 "%s", t, t == 0 ? "s" : "ns");
}

static const char *node_name(const sim_assert_t *e, int node) {
    return node >= 0 ? e->cfg.scn->nodes[node].name : "any";
}

/* "can_frames(id 0x300/0x780, data 01??, from pack2, since 10s)" */
static void frames_text(const sim_assert_t *e, const sim_subject_t *s, char *buf, size_t cap) {
    char data[24] = "", since[32] = "";
    for (int i = 0; i < s->item && i < 8; i++) {
        snprintf(data + 2 * i, sizeof data - (size_t)(2 * i), s->data_mask[i] ? "%02X" : "??",
                 s->data[i]);
    }
    sa_time_text(s->since_ns, since, sizeof since);
    snprintf(buf, cap, "can_frames(id 0x%" PRIX32 "/0x%" PRIX32 "%s%s%s%s%s%s)", s->match_id,
             s->match_mask, s->item ? ", data " : "", data, s->node >= 0 ? ", from " : "",
             s->node >= 0 ? node_name(e, s->node) : "", s->since_ns ? ", since " : "",
             s->since_ns ? since : "");
}

static void subject_text(const sim_assert_t *e, const sim_subject_t *s, char *buf, size_t cap) {
    static const char *const relays[] = {"R1", "R2", "R3", "R4"};
    static const char *const leds[] = {"green", "yellow", "red"};
    const char *who = node_name(e, s->node);
    char sig[48];
    switch (s->kind) {
        case SIM_SUBJ_MASTER:
            snprintf(buf, cap, "master");
            return;
        case SIM_SUBJ_CAN_FRAMES:
            frames_text(e, s, buf, cap);
            return;
        case SIM_SUBJ_SIGNAL:
            sim_signal_qualified_name(s->item, sig, sizeof sig);
            snprintf(buf, cap, "signal(%s from %s)", sig, who);
            return;
        case SIM_SUBJ_RELAY:
        case SIM_SUBJ_RELAY_COIL:
        case SIM_SUBJ_RELAY_OPERATIONS:
            snprintf(buf, cap, "%s(%s.%s)", sim_subject_name(s->kind), who, relays[s->item & 3]);
            return;
        case SIM_SUBJ_LED:
        case SIM_SUBJ_LED_PERIOD_MS:
            snprintf(buf, cap, "%s(%s.%s)", sim_subject_name(s->kind), who, leds[s->item % 3]);
            return;
        case SIM_SUBJ_PIXEL:
            snprintf(buf, cap, "pixel(%s[%d])", who, s->item);
            return;
        case SIM_SUBJ_PIXELS_OF:
            snprintf(buf, cap, "pixels_of(%s #%06" PRIX32 ")", who, s->rgb);
            return;
        case SIM_SUBJ_QUANTITY:
            snprintf(buf, cap, "%s(%s)", sim_quantity_name((sim_quantity_t)s->item), who);
            return;
        case SIM_SUBJ_NVS_WRITES:
            snprintf(buf, cap, "nvs_writes(%s %s%s%s)", who, s->nvs_key[0] ? s->nvs_ns : "all",
                     s->nvs_key[0] ? "/" : "", s->nvs_key);
            return;
        case SIM_SUBJ_RESETS:
            snprintf(buf, cap, "resets(%s %s)", who,
                     sim_reset_kind_name((sim_reset_kind_t)s->item));
            return;
        default:
            snprintf(buf, cap, "%s(%s)", sim_subject_name(s->kind), who);
            return;
    }
}

/*
 * "relay(pack1.R1) == true", "soc_percent(pack1) in [10, 20.5]". The precisions keep the parts
 * within SIM_ASSERT_TEXT, so a long subject shortens rather than pushing out the value.
 */
static void cond_text(const sim_assert_t *e, const sim_cond_t *c, char *buf, size_t cap) {
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "in"};
    char subj[96], v[48], hi[48], tol[48];
    subject_text(e, &c->subj, subj, sizeof subj);
    sa_value_text(&c->value, v, sizeof v);
    if (c->op == SIM_CMP_IN) {
        sa_value_text(&c->value_hi, hi, sizeof hi);
        snprintf(buf, cap, "%.70s in [%.40s, %.40s]", subj, v, hi);
        return;
    }
    sim_value_t t = {.type = SIM_VAL_NUM, .num_micro = c->tol_micro};
    sa_value_text(&t, tol, sizeof tol);
    snprintf(buf, cap, "%.70s %s %.40s%s%.36s", subj, ops[c->op], v, c->tol_micro ? " +- " : "",
             c->tol_micro ? tol : "");
}

void sa_expected_text(const sim_assert_t *e, const sa_check_t *ch, char *buf, size_t cap) {
    const sim_scn_assert_t *a = ch->spec;
    char cond[SIM_ASSERT_TEXT], t1[32], t2[32], hold[48] = "", trig[SIM_ASSERT_TEXT];
    cond_text(e, &a->cond, cond, sizeof cond);
    sa_time_text(a->from_ns, t1, sizeof t1);
    if (a->to_ns == SIM_TIME_NEVER) {
        snprintf(t2, sizeof t2, "end");
    } else {
        sa_time_text(a->to_ns, t2, sizeof t2);
    }
    if (a->hold_ns > 0) {
        char h[32];
        sa_time_text(a->hold_ns, h, sizeof h);
        snprintf(hold, sizeof hold, " for %s", h);
    }
    switch (a->kind) {
        case SIM_CHECK_AT:
            sa_time_text(a->at_ns, t1, sizeof t1);
            snprintf(buf, cap, "%s at %s", cond, t1);
            return;
        case SIM_CHECK_WITHIN:
            sa_time_text(a->within_ns, t2, sizeof t2);
            if (a->trigger_is_cond) {
                cond_text(e, &a->trigger, trig, sizeof trig);
            } else {
                sa_time_text(a->after_ns, trig, sizeof trig);
            }
            snprintf(buf, cap, "%s%s within %s after %s", cond, hold, t2, trig);
            return;
        default:
            snprintf(buf, cap, "%s%s %s in [%s, %s]", cond, hold, sim_check_kind_name(a->kind), t1,
                     t2);
            return;
    }
}

void sa_failure_message(const sim_assert_t *e, sa_check_t *ch) {
    const sim_scenario_t *s = e->cfg.scn;
    char t[32];
    sa_time_text(ch->res.t_ns, t, sizeof t);
    snprintf(ch->res.message, sizeof ch->res.message,
             "%s (%s): assertion \"%s\" failed at t=%s: expected %s, actual %s; seed 0x%" PRIx64
             "; reproduce: %s",
             s->name, s->path, ch->res.name, t, ch->res.expected, ch->res.actual, e->cfg.seed,
             e->repro[0] ? e->repro : "(no command given)");
}
