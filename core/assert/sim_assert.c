/*
 * sim_assert.c: the engine's lifecycle, the coalesced evaluation, the sampling safety net and
 * the results (sim_assert.h).
 *
 * Coalescing: every change at one instant asks for one evaluation event at that instant, at
 * SIM_PRIO_OBSERVE; while one is pending for now, further changes add nothing. So a physics
 * step that moves three relays and a frame that ends at the same nanosecond cost one pass over
 * the open checks, and the pass sees the state after all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_int.h"

static char *dup_text(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

static void eval_all(sim_assert_t *e) {
    for (size_t i = 0; i < e->n_checks; i++) {
        if (e->checks[i].active) {
            sa_judge_eval(e, &e->checks[i]);
        }
    }
}

static void on_eval(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_assert_t *e = ctx;
    (void)k;
    (void)arg;
    e->eval_ev = 0;
    eval_all(e);
}

void sim_assert_changed(sim_assert_t *e) {
    if (e->finished || e->open_checks == 0 ||
        (e->eval_ev != 0 && sim_kernel_pending(e->k, e->eval_ev))) {
        return;
    }
    e->eval_ev = sim_kernel_schedule_in(e->k, 0, SIM_PRIO_OBSERVE, on_eval, e, 0);
}

static void on_sample(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_assert_t *e = ctx;
    (void)arg;
    e->sample_ev = 0;
    eval_all(e);
    if (e->open_checks > 0 && !e->finished) {
        e->sample_ev =
            sim_kernel_schedule_in(k, e->cfg.sample_ns, SIM_PRIO_OBSERVE, on_sample, e, 0);
    }
}

static void on_check_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_assert_t *e = ctx;
    (void)k;
    sa_check_t *ch = &e->checks[arg >> 4];
    unsigned ev = (unsigned)(arg & 0xFu);
    ch->ev[ev] = 0;
    if (ch->res.status == SIM_ASSERT_OPEN) {
        sa_judge_event(e, ch, ev);
    }
}

void sa_schedule_event(sim_assert_t *e, sa_check_t *ch, unsigned ev, sim_time_ns_t t_ns) {
    size_t i = (size_t)(ch - e->checks);
    if (ch->ev[ev] != 0) {
        (void)sim_kernel_cancel(e->k, ch->ev[ev]);
    }
    sim_time_ns_t now = sim_kernel_now(e->k);
    ch->ev[ev] = sim_kernel_schedule(e->k, t_ns < now ? now : t_ns, SIM_PRIO_OBSERVE,
                                     on_check_event, e, (uint64_t)i << 4 | ev);
}

static bool needs_probe(const sim_scn_assert_t *a) {
    return sim_subject_source(a->cond.subj.kind) == SIM_SUBJ_PROBE ||
           (a->trigger_is_cond && sim_subject_source(a->trigger.subj.kind) == SIM_SUBJ_PROBE);
}

static int init_checks(sim_assert_t *e) {
    const sim_scenario_t *s = e->cfg.scn;
    e->checks = calloc(s->n_asserts ? s->n_asserts : 1, sizeof *e->checks);
    e->nodes = calloc(s->n_nodes ? s->n_nodes : 1, sizeof *e->nodes);
    if (e->checks == NULL || e->nodes == NULL) {
        return -SIM_ENOMEM;
    }
    e->n_nodes = s->n_nodes;
    for (size_t i = 0; i < s->n_nodes; i++) {
        e->nodes[i].claim_ns = -1;
        e->nodes[i].node_id = -1;
    }
    e->n_checks = s->n_asserts;
    e->open_checks = s->n_asserts;
    for (size_t i = 0; i < s->n_asserts; i++) {
        sa_check_t *ch = &e->checks[i];
        ch->spec = &s->asserts[i];
        ch->res.name = ch->spec->name;
        ch->hold_since_ns = -1;
        sa_expected_text(e, ch, ch->res.expected, sizeof ch->res.expected);
    }
    return 0;
}

int sim_assert_create(sim_kernel_t *k, const sim_assert_cfg_t *cfg, sim_assert_t **out) {
    *out = NULL;
    if (cfg->scn == NULL || cfg->sample_ns < 0) {
        return -SIM_EINVAL;
    }
    for (size_t i = 0; cfg->probe == NULL && i < cfg->scn->n_asserts; i++) {
        if (needs_probe(&cfg->scn->asserts[i])) {
            return -SIM_EINVAL;
        }
    }
    sim_assert_t *e = calloc(1, sizeof *e);
    if (e == NULL) {
        return -SIM_ENOMEM;
    }
    e->k = k;
    e->cfg = *cfg;
    e->cfg.sample_ns = cfg->sample_ns > 0 ? cfg->sample_ns : SIM_ASSERT_SAMPLE_NS;
    e->repro = dup_text(cfg->repro != NULL ? cfg->repro : "");
    int rc = e->repro != NULL ? init_checks(e) : -SIM_ENOMEM;
    if (rc != 0) {
        sim_assert_destroy(e);
        return rc;
    }
    e->cfg.repro = e->repro;
    for (size_t i = 0; i < e->n_checks; i++) {
        sa_judge_schedule(e, i);
    }
    if (e->open_checks > 0) {
        e->sample_ev =
            sim_kernel_schedule_in(k, e->cfg.sample_ns, SIM_PRIO_OBSERVE, on_sample, e, 0);
    }
    *out = e;
    return 0;
}

static void cancel_all(sim_assert_t *e) {
    for (size_t i = 0; i < e->n_checks; i++) {
        for (unsigned ev = 0; ev < SA_EV_COUNT; ev++) {
            if (e->checks[i].ev[ev] != 0) {
                (void)sim_kernel_cancel(e->k, e->checks[i].ev[ev]);
                e->checks[i].ev[ev] = 0;
            }
        }
    }
    for (size_t i = 0; i < e->n_nodes; i++) {
        if (e->nodes[i].stale_ev != 0) {
            (void)sim_kernel_cancel(e->k, e->nodes[i].stale_ev);
            e->nodes[i].stale_ev = 0;
        }
    }
    sim_event_id_t *single[] = {&e->eval_ev, &e->sample_ev};
    for (size_t i = 0; i < 2; i++) {
        if (*single[i] != 0) {
            (void)sim_kernel_cancel(e->k, *single[i]);
            *single[i] = 0;
        }
    }
}

void sim_assert_destroy(sim_assert_t *e) {
    if (e == NULL) {
        return;
    }
    if (e->checks != NULL && e->nodes != NULL) {
        cancel_all(e);
        sa_observe_free(e);
    }
    free(e->checks);
    free(e->nodes);
    free(e->repro);
    free(e);
}

void sim_assert_finish(sim_assert_t *e) {
    if (e->finished) {
        return;
    }
    char now[32], actual[SIM_ASSERT_TEXT];
    sa_time_text(sim_kernel_now(e->k), now, sizeof now);
    for (size_t i = 0; i < e->n_checks; i++) {
        sa_check_t *ch = &e->checks[i];
        if (ch->res.status == SIM_ASSERT_OPEN) {
            snprintf(actual, sizeof actual, "not decided: the run ended at %s", now);
            sa_decide(e, ch, false, actual);
        }
    }
    cancel_all(e);
    e->finished = true;
}

size_t sim_assert_count(const sim_assert_t *e) {
    return e->n_checks;
}

const sim_assert_result_t *sim_assert_result(const sim_assert_t *e, size_t i) {
    SIM_ASSERT(i < e->n_checks);
    return &e->checks[i].res;
}

size_t sim_assert_failures(const sim_assert_t *e) {
    return e->failures;
}

int sim_assert_node_id(const sim_assert_t *e, int node) {
    return node >= 0 && (size_t)node < e->n_nodes ? e->nodes[node].node_id : -1;
}

int sim_assert_report(const sim_assert_t *e, sim_report_t *r) {
    size_t n = r->n_asserts + e->n_checks;
    sim_report_assert_t *a = e->n_checks ? realloc(r->asserts, n * sizeof *a) : r->asserts;
    if (e->n_checks == 0) {
        return 0;
    }
    if (a == NULL) {
        return -SIM_ENOMEM;
    }
    r->asserts = a;
    size_t done = r->n_asserts;
    for (size_t i = 0; i < e->n_checks; i++, done++) {
        const sim_assert_result_t *res = &e->checks[i].res;
        sim_report_assert_t *o = &a[done];
        o->name = dup_text(res->name);
        o->passed = res->status == SIM_ASSERT_PASSED;
        o->t_ns = res->t_ns;
        o->expected = dup_text(res->expected);
        o->actual = dup_text(res->actual);
        if (o->name == NULL || o->expected == NULL || o->actual == NULL) {
            r->n_asserts = done + 1; /* the report owns what was copied; clear() frees it */
            return -SIM_ENOMEM;
        }
    }
    r->n_asserts = done;
    if (e->failures > 0 && r->verdict == SIM_VERDICT_PASS) {
        r->verdict = SIM_VERDICT_FAIL;
    }
    return 0;
}
