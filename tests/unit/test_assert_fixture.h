/*
 * test_assert_fixture.h: a scenario, a real kernel and an assertion engine with a fake probe,
 * for the test_assert_*.c suites (included by each; not a suite of its own).
 *
 * The scenario has two packs on an inline board and the assertions the test gives, written
 * with single quotes for readability ('a' becomes "a" before loading). The fake
 * probe answers relay coils, relays, SOC and node state from the fixture's fields, counts its
 * calls, and can be told to refuse one subject kind. Changes are scheduled as kernel events
 * (fx_at), which set a field and, unless told not to, tell the engine something changed: a
 * test can so show both the notified path and the sampling safety net.
 */
#ifndef TEST_ASSERT_FIXTURE_H
#define TEST_ASSERT_FIXTURE_H

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_assert.h"
#include "sim_scenario.h"
#include "test_support.h"

#define FX_BOARD                                                                                   \
    "{\"relays\": {\"R1\": {\"gpio\": 26}, \"R2\": {\"gpio\": 27}, \"R3\": {\"gpio\": 23}, "       \
    "\"R4\": {\"gpio\": 22}}, \"leds\": {\"green\": {\"gpio\": 2}, \"yellow\": {\"gpio\": 13}, "   \
    "\"red\": {\"gpio\": 15}}, \"tm1637\": {\"clk\": 14, \"dio\": 12}, \"ws2812\": {\"gpio\": "    \
    "25, \"pixels\": 10}, \"ct\": {\"CT1\": {\"gpio\": 34, \"adc_channel\": 6}, \"CT2\": "         \
    "{\"gpio\": 35, \"adc_channel\": 7}, \"CT3\": {\"gpio\": 32, \"adc_channel\": 4}, \"CT4\": "   \
    "{\"gpio\": 33, \"adc_channel\": 5}}, \"rs485\": {\"uart\": 2, \"rx\": 16, \"tx\": 17, "       \
    "\"de\": 18}, \"can\": {\"tx\": 4, \"rx\": 5}}"

typedef struct {
    char dir[512];
    char plugin[600];
    sim_scenario_t *s;
    sim_kernel_t *k;
    sim_assert_t *e;
    /* the fake world */
    bool coil[2][4];
    int64_t soc_micro[2];
    bool soc_known;
    char state[2][16];
    sim_subject_kind_t refuse; /* the probe answers -SIM_ENOTSUP for this kind (0: none) */
    unsigned probe_calls;
    unsigned results; /* on_result calls */
} fx_t;

/* A change scheduled in virtual time: which field, the new value, and whether it is notified. */
typedef struct {
    fx_t *f;
    int what; /* 0 coil, 1 soc, 2 state */
    int node, item;
    int64_t value;
    const char *text;
    bool notify;
} fx_change_t;

#define FX_MAX_CHANGES 32
static fx_change_t fx_changes[FX_MAX_CHANGES];
static size_t fx_n_changes;
static sim_time_ns_t fx_sample_ns; /* the engine's sampling period; 0: its default */

static inline int fx_probe(void *ctx, const sim_subject_t *s, sim_value_t *out) {
    fx_t *f = ctx;
    f->probe_calls++;
    if (s->kind == f->refuse) {
        return -SIM_ENOTSUP;
    }
    switch (s->kind) {
        case SIM_SUBJ_RELAY_COIL:
        case SIM_SUBJ_RELAY:
            out->type = SIM_VAL_BOOL;
            out->b = f->coil[s->node][s->item];
            return 0;
        case SIM_SUBJ_QUANTITY:
            if (f->soc_known) {
                out->type = SIM_VAL_NUM;
                out->num_micro = f->soc_micro[s->node];
            }
            return 0;
        case SIM_SUBJ_NODE_STATE:
            out->type = SIM_VAL_TEXT;
            snprintf(out->text, sizeof out->text, "%s", f->state[s->node]);
            return 0;
        default:
            return -SIM_ENOTSUP;
    }
}

static inline void fx_on_result(void *ctx, const sim_assert_result_t *r) {
    (void)r;
    ((fx_t *)ctx)->results++;
}

/* Loads the scenario with these assertions (a JSON array body) and builds kernel and engine. */
static inline void fx_begin_ex(fx_t *f, const char *duration, const char *extra_top,
                               const char *assertions) {
    memset(f, 0, sizeof *f);
    fx_n_changes = 0;
    snprintf(f->dir, sizeof f->dir, "%s/assert_fx_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(f->dir) != NULL);
    snprintf(f->plugin, sizeof f->plugin, "%s/fw_testnode.so", f->dir);
    FILE *pf = fopen(f->plugin, "w");
    CU_ASSERT_FATAL(pf != NULL);
    fclose(pf);
    size_t cap = strlen(assertions) + strlen(extra_top) + 4096;
    char *text = malloc(cap);
    CU_ASSERT_FATAL(text != NULL);
    snprintf(
        text, cap,
        "{\"name\": \"eng\", \"seed\": \"0x5eed\", \"duration\": \"%s\", \"plugin\": "
        "\"testnode\", \"board\": %s, %s\"nodes\": [{\"name\": \"pack1\", \"type\": \"pack\"}, "
        "{\"name\": \"pack2\", \"type\": \"pack\"}], \"assertions\": [%s]}",
        duration, FX_BOARD, extra_top, assertions);
    for (char *p = text; *p != '\0'; p++) {
        *p = *p == '\'' ? '"' : *p;
    }
    const char *dirs[] = {f->dir, NULL};
    sim_diag_t d;
    int rc = sim_scenario_load_buffer("t/eng.json", text, strlen(text), dirs, &f->s, &d);
    if (rc != 0) {
        char buf[1024];
        sim_diag_format(&d, buf, sizeof buf);
        fprintf(stderr, "\n  fixture scenario: %s\n", buf);
    }
    free(text);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT_FATAL(sim_kernel_create(f->s->seed, &f->k) == 0);
    snprintf(f->state[0], sizeof f->state[0], "running");
    snprintf(f->state[1], sizeof f->state[1], "running");
    sim_assert_cfg_t cfg = {.scn = f->s,
                            .probe = fx_probe,
                            .probe_ctx = f,
                            .seed = f->s->seed,
                            .repro = "alfasim run t/eng.json --seed 0x5eed",
                            .end_ns = f->s->duration_ns,
                            .sample_ns = fx_sample_ns,
                            .on_result = fx_on_result,
                            .result_ctx = f};
    CU_ASSERT_FATAL(sim_assert_create(f->k, &cfg, &f->e) == 0);
}

static inline void fx_begin(fx_t *f, const char *assertions) {
    fx_begin_ex(f, "20s", "", assertions);
}

/* Runs to the end of the scenario and closes judging. */
static inline void fx_run(fx_t *f) {
    CU_ASSERT_EQUAL(sim_kernel_run_until(f->k, f->s->duration_ns), 0);
    sim_assert_finish(f->e);
}

static inline void fx_end(fx_t *f) {
    sim_assert_destroy(f->e);
    sim_kernel_destroy(f->k);
    sim_scenario_free(f->s);
    CU_ASSERT_EQUAL(remove(f->plugin), 0);
    CU_ASSERT_EQUAL(rmdir(f->dir), 0);
}

static inline void fx_apply(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    fx_change_t *c = ctx;
    if (c->what == 0) {
        c->f->coil[c->node][c->item] = c->value != 0;
    } else if (c->what == 1) {
        c->f->soc_micro[c->node] = c->value;
        c->f->soc_known = true;
    } else {
        snprintf(c->f->state[c->node], sizeof c->f->state[0], "%s", c->text);
    }
    if (c->notify) {
        sim_assert_changed(c->f->e);
    }
}

/* At t_ns (SIM_PRIO_PHYSICS, before the engine looks), change one field. */
static inline void fx_at(fx_t *f, sim_time_ns_t t_ns, int what, int node, int item, int64_t value,
                         bool notify) {
    CU_ASSERT_FATAL(fx_n_changes < FX_MAX_CHANGES);
    fx_change_t *c = &fx_changes[fx_n_changes++];
    *c = (fx_change_t){f, what, node, item, value, NULL, notify};
    CU_ASSERT_FATAL(sim_kernel_schedule(f->k, t_ns, SIM_PRIO_PHYSICS, fx_apply, c, 0) != 0);
}

static inline const sim_assert_result_t *fx_result(fx_t *f, size_t i) {
    CU_ASSERT_FATAL(i < sim_assert_count(f->e));
    return sim_assert_result(f->e, i);
}

#define S(x)  ((sim_time_ns_t)(x)*SIM_NS_PER_S)
#define MS(x) ((sim_time_ns_t)(x)*SIM_NS_PER_MS)

#endif
