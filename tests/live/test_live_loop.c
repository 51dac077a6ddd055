/*
 * test_live_loop.c: a run driven through the front-end interface (sim_run_ui.h) by a scripted
 * fake front end, without SDL: frames land at exactly the instants asked for and show the world
 * as it is; pause, step, next event, speed, quit and seek never change the run's digest;
 * operator actions are recorded, change the run, and replay to the same digest, also when the
 * replay is scrubbed backwards (a rebuild) and forwards.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run.h"
#include "test_support.h"

#define SCENARIO  SIM_SOURCE_DIR "/scenarios/eco_three_packs.json"
#define RUN_NS    (40 * SIM_NS_PER_S)
#define MAX_STEPS 32
#define MAX_WANT  8
#define MAX_SEEN  4096

typedef struct {
    sim_time_ns_t t_ns;
    panel_input_t in;
} step_t;

typedef struct {
    sim_run_ui_t ui;
    const step_t *steps;
    size_t n_steps, next_step;
    bool one_per_frame; /* one step, one input per frame (to see each step's effect) */
    size_t given_at_frame;
    panel_input_t queue[MAX_STEPS];
    size_t q_len, q_head;
    sim_time_ns_t want[MAX_WANT]; /* frames to keep a copy of */
    size_t n_want;
    panel_snapshot_t kept[MAX_WANT];
    bool have[MAX_WANT];
    sim_time_ns_t seen[MAX_SEEN]; /* every frame's time, in order */
    size_t n_seen, frames;
    unsigned idles;
    bool done;
    char last_status[PANEL_TEXT_MAX];
} fake_t;

static void fake_frame(void *ctx, const panel_snapshot_t *s) {
    fake_t *f = ctx;
    if (f->n_seen < MAX_SEEN) {
        f->seen[f->n_seen++] = s->t_ns;
    }
    f->frames++;
    if (s->status[0] != '\0') {
        snprintf(f->last_status, sizeof f->last_status, "%s", s->status);
    }
    for (size_t i = 0; i < f->n_want; i++) {
        if (!f->have[i] && f->want[i] == s->t_ns) {
            f->kept[i] = *s;
            f->have[i] = true;
        }
    }
    while (f->next_step < f->n_steps && f->steps[f->next_step].t_ns <= s->t_ns) {
        f->queue[f->q_len++] = f->steps[f->next_step++].in;
        if (f->one_per_frame) {
            break;
        }
    }
    if (f->frames > 200000 && f->q_len < MAX_STEPS) { /* a loop that never ends: stop it */
        f->queue[f->q_len++] = (panel_input_t){.kind = PANEL_IN_QUIT, .node = -1};
    }
}

static int fake_poll(void *ctx, panel_input_t *in) {
    fake_t *f = ctx;
    if (f->q_head == f->q_len || (f->one_per_frame && f->given_at_frame == f->frames)) {
        return 0;
    }
    f->given_at_frame = f->frames;
    *in = f->queue[f->q_head++];
    return 1;
}

static sim_time_ns_t fake_next_due(void *ctx, sim_time_ns_t from) {
    const fake_t *f = ctx;
    sim_time_ns_t due = SIM_TIME_NEVER;
    for (size_t i = 0; i < f->n_want; i++) {
        if (!f->have[i] && f->want[i] >= from && f->want[i] < due) {
            due = f->want[i];
        }
    }
    if (f->next_step < f->n_steps) {
        sim_time_ns_t t = f->steps[f->next_step].t_ns;
        t = t < from ? from : t;
        due = t < due ? t : due;
    }
    return due;
}

static void fake_idle(void *ctx, uint32_t ms) {
    (void)ms;
    ((fake_t *)ctx)->idles++;
}

static void fake_done(void *ctx) {
    ((fake_t *)ctx)->done = true;
}

static void fake_init(fake_t *f, bool window, const step_t *steps, size_t n_steps) {
    memset(f, 0, sizeof *f);
    f->steps = steps;
    f->n_steps = n_steps;
    f->ui = (sim_run_ui_t){.ctx = f,
                           .window = window,
                           .frame = fake_frame,
                           .poll = fake_poll,
                           .next_due = fake_next_due,
                           .idle = fake_idle,
                           .frames_done = fake_done};
}

static sim_scenario_t *scn;

/* Runs the scenario into test-tmp/<name>; returns its digest (static storage per slot). */
static const char *run(const char *name, const sim_run_ui_t *ui, const char *replay_of,
                       uint32_t realtime_milli) {
    static char digests[8][65];
    static unsigned slot;
    char out[512], events[600], err[1024] = "";
    snprintf(out, sizeof out, "%s/test-tmp/live_%s", SIM_BINARY_DIR, name);
    snprintf(events, sizeof events, "%s/test-tmp/live_%s/events.jsonl", SIM_BINARY_DIR,
             replay_of ? replay_of : "");
    sim_run_cfg_t cfg = {.scn = scn,
                         .seed = scn->seed,
                         .duration_ns = RUN_NS,
                         .out_dir = out,
                         .realtime_milli = realtime_milli,
                         .replay_events = replay_of ? events : NULL,
                         .ui = ui};
    sim_report_t r;
    memset(&r, 0, sizeof r);
    int rc = sim_run_scenario(&cfg, &r, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s: %s\n", name, err);
    }
    ASSERT_EQ_I64(rc, 0);
    char *d = digests[slot++ % 8];
    snprintf(d, 65, "%s", r.digest);
    sim_report_clear(&r);
    return d;
}

static panel_input_t in_of(panel_input_kind_t kind) {
    return (panel_input_t){.kind = kind, .node = -1};
}

/* ---- frames and snapshots ---------------------------------------------------------------------
 */

static void check_snapshot_at_10s(const panel_snapshot_t *s) {
    ASSERT_EQ_I64(s->t_ns, 10 * SIM_NS_PER_S);
    ASSERT_EQ_STR(s->title, "eco_three_packs");
    ASSERT_EQ_I64(s->n_nodes, 4);
    ASSERT_EQ_STR(s->nodes[0].name, "pack1");
    ASSERT_EQ_I64(s->nodes[0].node_id, 20); /* as its ANN said */
    ASSERT_EQ_I64(s->nodes[0].device_type, PANEL_DEVICE_PACK);
    ASSERT_EQ_I64(s->nodes[0].state, PANEL_NODE_RUNNING);
    ASSERT_EQ_I64(s->nodes[0].can_state, PANEL_CAN_ERROR_ACTIVE);
    CU_ASSERT_TRUE(s->nodes[0].pack_mv > 40000 && s->nodes[0].pack_mv < 60000);
    CU_ASSERT_TRUE(s->nodes[0].solar_w > 1000);             /* 11:00 on a clear June day */
    CU_ASSERT_TRUE(s->nodes[0].mode_mask & PANEL_MODE_ECO); /* Eco went on at 7.5 s */
    CU_ASSERT_TRUE(s->nodes[1].is_master || s->nodes[0].is_master || s->nodes[2].is_master);
    CU_ASSERT_TRUE(s->nodes[2].soc_pct >= 0 && s->nodes[2].soc_pct <= 30);
    CU_ASSERT_TRUE(s->nodes[0].relay_coil[PANEL_RELAY_GRID] &&
                   s->nodes[0].relay_closed[PANEL_RELAY_GRID]);
    CU_ASSERT_TRUE(s->nodes[0].tm1637_on);
    CU_ASSERT_TRUE(s->nodes[0].ws2812_rgb[0] != 0); /* the SOC bar is lit */
    ASSERT_EQ_STR(s->nodes[3].name, "gw");
    ASSERT_EQ_I64(s->nodes[3].node_id, PANEL_NODE_ID_UNKNOWN);
    ASSERT_EQ_I64(s->nodes[3].soc_pct, PANEL_SOC_INVALID);
    ASSERT_EQ_STR(s->bus.name, "can0");
    ASSERT_EQ_I64(s->bus.bitrate_bps, 500000);
    CU_ASSERT_TRUE(s->bus.frames_total > 20);
    ASSERT_EQ_I64(s->bus.n_lines, PANEL_FRAME_LINES);
    CU_ASSERT_TRUE(s->date_valid && s->year == 2024 && s->month == 6 && s->day == 21);
    CU_ASSERT_TRUE(s->hour == 11 && s->minute == 0 && s->second == 10);
    CU_ASSERT_TRUE(s->grid_up);
    ASSERT_EQ_I64(s->pv_scale_pct, 100);
    ASSERT_EQ_I64(s->view, PANEL_VIEW_RUN);
    CU_ASSERT_FALSE(s->finished);
    ASSERT_EQ_I64(s->end_ns, RUN_NS);
}

static void test_headless_frames_same_digest(void) {
    const char *plain = run("plain", NULL, NULL, 0);
    fake_t f;
    fake_init(&f, false, NULL, 0);
    const sim_time_ns_t want[] = {0, 10 * SIM_NS_PER_S, 10 * SIM_NS_PER_S + 1, RUN_NS};
    memcpy(f.want, want, sizeof want);
    f.n_want = 4;
    const char *shown = run("headless", &f.ui, NULL, 0);
    ASSERT_EQ_STR(shown, plain);
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(f.have[i]);
    }
    ASSERT_EQ_U64(f.frames, 4); /* headless: frames only where asked */
    check_snapshot_at_10s(&f.kept[1]);
    CU_ASSERT_TRUE(f.kept[3].finished);
    CU_ASSERT_TRUE(f.done);
    /* The decoded lines name the protocol's messages, newest last. */
    bool tel = false;
    for (unsigned i = 0; i < f.kept[1].bus.n_lines; i++) {
        tel = tel || strstr(f.kept[1].bus.lines[i], "TEL#") != NULL;
    }
    CU_ASSERT_TRUE(tel);
}

/* ---- run control ------------------------------------------------------------------------------
 */

static void test_window_controls_same_digest(void) {
    const char *plain = run("plain2", NULL, NULL, 0);
    panel_input_t pause = in_of(PANEL_IN_PAUSE), resume = in_of(PANEL_IN_PAUSE);
    pause.on = true;
    panel_input_t asap = in_of(PANEL_IN_SPEED), fast = in_of(PANEL_IN_SPEED);
    fast.speed_milli = 1000000;
    const step_t steps[] = {
        {0, pause},
        {0, in_of(PANEL_IN_STEP)},       /* to 100 ms, paused */
        {0, in_of(PANEL_IN_STEP_EVENT)}, /* to the next event batch, paused */
        {0, asap},
        {0, resume},
        {12 * SIM_NS_PER_S, fast},
        {15 * SIM_NS_PER_S, in_of(PANEL_IN_SEEK)}, /* refused: not a replay */
        {16 * SIM_NS_PER_S, in_of(PANEL_IN_QUIT)}, /* the rest runs without frames */
    };
    fake_t f;
    fake_init(&f, true, steps, sizeof steps / sizeof steps[0]);
    f.one_per_frame = true;
    const char *shown = run("window", &f.ui, NULL, 1000000);
    ASSERT_EQ_STR(shown, plain);
    CU_ASSERT_TRUE(f.n_seen > 6);
    ASSERT_EQ_I64(f.seen[0], 0);
    ASSERT_EQ_I64(f.seen[1], 0);                   /* paused: same instant */
    ASSERT_EQ_I64(f.seen[2], 100 * SIM_NS_PER_MS); /* one step */
    /* The next event batch: the plant steps every 100 ms, so it comes by then. */
    CU_ASSERT_TRUE(f.seen[3] > f.seen[2] && f.seen[3] <= f.seen[2] + 100 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(f.seen[4], f.seen[3]); /* still paused while the speed changes */
    CU_ASSERT_TRUE(f.idles >= 3);        /* paused frames wait */
    CU_ASSERT_PTR_NOT_NULL(strstr(f.last_status, "replay"));
    ASSERT_EQ_I64(f.seen[f.n_seen - 1], 16 * SIM_NS_PER_S);
    CU_ASSERT_TRUE(f.done);
}

/* ---- operator actions and their replay --------------------------------------------------------
 */

static step_t node_step(sim_time_ns_t t, panel_input_kind_t kind, int node, bool on) {
    step_t s = {t, in_of(kind)};
    s.in.node = node;
    s.in.on = on;
    return s;
}

static void session_steps(step_t *s, size_t *n) {
    size_t k = 0;
    s[k] = (step_t){2 * SIM_NS_PER_S, in_of(PANEL_IN_COMMAND)};
    s[k].in.can_id = 0x206; /* SET_ECO_LIMIT 1200 W to every pack */
    s[k].in.target = PANEL_NODE_ID_ALL;
    s[k].in.n_args = 2;
    s[k].in.args[0] = 0x04;
    s[k++].in.args[1] = 0xB0;
    s[k++] = node_step(3 * SIM_NS_PER_S, PANEL_IN_POWER_CYCLE, 2, false);
    s[k++] = node_step(4 * SIM_NS_PER_S, PANEL_IN_GRID, -1, false);
    s[k++] = node_step(6 * SIM_NS_PER_S, PANEL_IN_GRID, -1, true);
    s[k++] = node_step(7 * SIM_NS_PER_S, PANEL_IN_CAN_UNPLUG, 1, true);
    s[k++] = node_step(9 * SIM_NS_PER_S, PANEL_IN_CAN_UNPLUG, 1, false);
    s[k] = node_step(10 * SIM_NS_PER_S, PANEL_IN_PV_SCALE, -1, false);
    s[k++].in.scale_pct = 50;
    s[k] = node_step(10 * SIM_NS_PER_S, PANEL_IN_LOAD_SCALE, -1, false);
    s[k++].in.scale_pct = 200;
    s[k++] = node_step(11 * SIM_NS_PER_S, PANEL_IN_POWER_CYCLE, 9, false); /* no such node */
    s[k++] = node_step(12 * SIM_NS_PER_S, PANEL_IN_HANG, 0, false);
    s[k++] = node_step(13 * SIM_NS_PER_S, PANEL_IN_POWER, 3, false);
    s[k++] = node_step(14 * SIM_NS_PER_S, PANEL_IN_POWER, 3, true);
    *n = k;
}

static size_t count_lines(const char *path, const char *needle) {
    char *text = test_slurp(path);
    size_t n = 0;
    for (const char *p = text; p != NULL && (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    free(text);
    return n;
}

static void test_operator_session_replays(void) {
    const char *plain = run("plain3", NULL, NULL, 0);
    step_t steps[MAX_STEPS];
    size_t n;
    session_steps(steps, &n);
    fake_t f;
    fake_init(&f, false, steps, n);
    const sim_time_ns_t want[] = {5 * SIM_NS_PER_S, 8 * SIM_NS_PER_S, 10 * SIM_NS_PER_S + 1,
                                  12 * SIM_NS_PER_S + 500 * SIM_NS_PER_MS};
    memcpy(f.want, want, sizeof want);
    f.n_want = 4;
    char live[65];
    snprintf(live, sizeof live, "%s", run("session", &f.ui, NULL, 0));
    CU_ASSERT_TRUE(strcmp(live, plain) != 0); /* the actions changed the run */
    CU_ASSERT_FALSE(f.kept[0].grid_up);       /* cut at 4 s */
    CU_ASSERT_TRUE(f.kept[1].nodes[1].can_unplugged);
    ASSERT_EQ_I64(f.kept[2].pv_scale_pct, 50);
    ASSERT_EQ_I64(f.kept[2].load_scale_pct, 200);
    CU_ASSERT_FALSE(f.kept[2].nodes[1].can_unplugged);
    ASSERT_EQ_I64(f.kept[3].nodes[0].state, PANEL_NODE_HUNG);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.last_status, "#10")); /* the refused one says why */
    char events[512];
    snprintf(events, sizeof events, "%s/test-tmp/live_session/events.jsonl", SIM_BINARY_DIR);
    ASSERT_EQ_U64(count_lines(events, "\"type\":\"operator\""), n - 1);
    /* Two timeline actions fall within 40 s; every accepted operator action adds its own. */
    ASSERT_EQ_U64(count_lines(events, "\"type\":\"action\""), 2 + n - 1);
    /* Headless replay, without a front end: the same digest. */
    ASSERT_EQ_STR(run("session_replay", NULL, "session", 0), live);
    /* A replay shown in the panel refuses operator actions and still gives the same digest. */
    const step_t extra[] = {node_step(5 * SIM_NS_PER_S, PANEL_IN_HANG, 1, false)};
    fake_t g;
    fake_init(&g, false, extra, 1);
    g.want[0] = 6 * SIM_NS_PER_S;
    g.n_want = 1;
    ASSERT_EQ_STR(run("session_replay_view", &g.ui, "session", 0), live);
    ASSERT_EQ_I64(g.kept[0].view, PANEL_VIEW_REPLAY);
    CU_ASSERT_PTR_NOT_NULL(strstr(g.kept[0].status, "replay"));
}

static void test_replay_seek_rebuilds(void) {
    step_t steps[MAX_STEPS];
    size_t n;
    session_steps(steps, &n);
    fake_t f;
    fake_init(&f, false, steps, n);
    char live[65];
    snprintf(live, sizeof live, "%s", run("seek_src", &f.ui, NULL, 0));
    panel_input_t back = in_of(PANEL_IN_SEEK), ahead = in_of(PANEL_IN_SEEK);
    back.t_ns = 5 * SIM_NS_PER_S;
    ahead.t_ns = 30 * SIM_NS_PER_S;
    const step_t seeks[] = {{20 * SIM_NS_PER_S, back}, {6 * SIM_NS_PER_S, ahead}};
    fake_t g;
    fake_init(&g, false, seeks, 2);
    g.one_per_frame = true; /* the second seek comes at 6 s of the rebuilt world */
    g.want[0] = 31 * SIM_NS_PER_S;
    g.n_want = 1;
    ASSERT_EQ_STR(run("seek_replay", &g.ui, "seek_src", 0), live);
    /* Headless frames come only where asked: at 20 s (seek back to 5 s: a rebuilt world), at
     * 6 s in that world (seek ahead to 30 s), at 31 s. */
    ASSERT_EQ_U64(g.n_seen, 3);
    ASSERT_EQ_I64(g.seen[0], 20 * SIM_NS_PER_S);
    ASSERT_EQ_I64(g.seen[1], 6 * SIM_NS_PER_S);
    ASSERT_EQ_I64(g.seen[2], 31 * SIM_NS_PER_S);
    /* The rebuilt world has the recorded session in it: the operator's scales of 10 s. */
    CU_ASSERT_TRUE(g.have[0]);
    ASSERT_EQ_I64(g.kept[0].pv_scale_pct, 50);
    ASSERT_EQ_I64(g.kept[0].load_scale_pct, 200);
}

static void free_scenario(void) {
    sim_scenario_free(scn);
}

void test_register(void) {
    const char *dirs[] = {SIM_PLUGIN_DIR, NULL};
    sim_diag_t d;
    if (sim_scenario_load(SCENARIO, dirs, &scn, &d) != 0) {
        fprintf(stderr, "%s: %s\n", d.file, d.message);
        exit(1);
    }
    atexit(free_scenario);
    TEST_SUITE("live_loop", TEST(test_headless_frames_same_digest),
               TEST(test_window_controls_same_digest), TEST(test_operator_session_replays),
               TEST(test_replay_seek_rebuilds));
}
