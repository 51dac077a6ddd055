/*
 * test_run_panel_gw.c: what the panel's snapshot says of the two gateways (sim_run_panel.c).
 *
 *   world  a world of the Orange Pi, an Energy-Gateway and a bare controller standing in for a
 *          pack that ACKs: the Orange Pi's counts in the snapshot are its model's own
 *          (gateway_stats), sent, refused and ACKed, and every node's frame counts are its
 *          controller's; the Energy-Gateway is a gateway before it has sent anything.
 *   run    a whole run through the front-end interface: the first frame already shows the
 *          Energy-Gateway as a gateway, the last frame's counts are what the timeline made the
 *          Orange Pi do and what the report says each controller sent and received, and the
 *          run's digest is the one it has without a front end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "sim_run.h"
#include "sim_run_int.h"
#include "test_support.h"

#define GW  0 /* node indices in both scenarios */
#define EGW 1

static const char world_json[] =
    "{\"name\": \"gw_counts\", \"seed\": 1, \"duration\": \"30s\","
    " \"environment\": {\"start\": \"2024-06-21T12:00\"},"
    " \"nodes\": ["
    "  {\"name\": \"gw\", \"type\": \"gateway\", \"time_period\": \"10s\","
    "   \"align_to_minute\": false},"
    "  {\"name\": \"egw\", \"type\": \"energy_gateway\", \"mac\": \"24:6F:28:00:01:0A\","
    "   \"node_id\": 10}]}";

static sim_scenario_t *load(const char *json) {
    sim_scenario_t *s = NULL;
    sim_diag_t diag;
    memset(&diag, 0, sizeof diag);
    int rc = sim_scenario_load_buffer("gw_counts.json", json, strlen(json), NULL, &s, &diag);
    if (rc != 0) {
        char msg[512];
        sim_diag_format(&diag, msg, sizeof msg);
        fprintf(stderr, "\n  %s\n", msg);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return s;
}

/* ---- a world built by hand ---------------------------------------------------------------- */

typedef struct {
    sim_world_t w;
    sim_can_ctrl_t *pack; /* NodeID 5's controller: only sends the ACKs it is told to */
    sim_scenario_t *scn;
    sim_node_t *no_nodes[2]; /* no firmware node: both entries NULL */
    sim_run_pack_t *no_packs[2];
    sim_run_gw_t *gws[2];
    bool unplugged[2];
} gw_world_t;

static void world_build(gw_world_t *g) {
    memset(g, 0, sizeof *g);
    g->scn = load(world_json);
    sim_world_t *w = &g->w;
    w->scn = g->scn;
    CU_ASSERT_EQUAL_FATAL(sim_kernel_create(1, &w->k), 0);
    sim_can_bus_cfg_t bc = {.name = "can0"};
    CU_ASSERT_EQUAL_FATAL(sim_can_bus_create(w->k, &bc, &w->bus), 0);
    w->nodes = g->no_nodes;
    w->packs = g->no_packs;
    w->gws = g->gws;
    w->unplugged = g->unplugged;
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL_FATAL(
            sim_run_gw_create(w->k, w->bus, &g->scn->nodes[i], &g->scn->env.calendar, &g->gws[i]),
            0);
    }
    ASSERT_EQ_I64(sim_run_busview_create(w), 0); /* as in a run with the panel */
    sim_can_ctrl_cfg_t cc = {.name = "pack"};
    CU_ASSERT_EQUAL_FATAL(sim_can_ctrl_attach(w->bus, &cc, NULL, NULL, &g->pack), 0);
    ASSERT_EQ_I64(sim_can_ctrl_start(g->pack), 0);
}

static void world_free(gw_world_t *g) {
    sim_can_ctrl_detach(g->pack);
    for (size_t i = 0; i < 2; i++) {
        sim_run_gw_destroy(g->gws[i]);
    }
    sim_can_bus_destroy(g->w.bus);
    sim_run_busview_destroy(g->w.busview);
    sim_kernel_destroy(g->w.k);
    sim_scenario_free(g->scn);
}

/* NodeID 5 ACKs (cmd_id, seq) with status OK. */
static void ack(gw_world_t *g, uint16_t cmd_id, uint8_t seq) {
    sim_can_frame_t f = {.id = GATEWAY_ACK_BASE + 5, .dlc = 4};
    f.data[0] = (uint8_t)(cmd_id & 0xFF);
    f.data[1] = seq;
    ASSERT_EQ_I64(sim_can_ctrl_send(g->pack, &f), 0);
}

static void check_counts_equal_models(gw_world_t *g, const panel_snapshot_t *s) {
    gateway_stats_t st;
    gateway_stats(sim_run_gw_gateway(g->gws[GW]), &st);
    const panel_node_t *pi = &s->nodes[GW];
    CU_ASSERT_TRUE(pi->gw.valid);
    ASSERT_EQ_U64(pi->gw.time_sent, st.time_sent);
    ASSERT_EQ_U64(pi->gw.time_failed, st.time_send_errors);
    ASSERT_EQ_U64(pi->gw.cmd_sent, st.cmd_sent);
    ASSERT_EQ_U64(pi->gw.cmd_failed, st.cmd_send_errors);
    ASSERT_EQ_U64(pi->gw.acks, st.acks);
    ASSERT_EQ_U64(pi->gw.acks_unmatched, st.acks_unmatched);
    CU_ASSERT_FALSE(s->nodes[EGW].gw.valid); /* the Orange Pi's counters are the Pi's only */
    for (size_t i = 0; i < 2; i++) {
        sim_can_ctrl_stats_t cs;
        sim_can_ctrl_stats(sim_run_gw_ctrl(g->gws[i]), &cs);
        CU_ASSERT_TRUE(s->nodes[i].can_counts_valid);
        ASSERT_EQ_U64(s->nodes[i].can_tx_frames, cs.tx_ok);
        ASSERT_EQ_U64(s->nodes[i].can_rx_frames, cs.rx_ok);
    }
}

/* Before anything ran, everything is off: zero counts, but counts; the Energy-Gateway is a
 * gateway with the scenario's NodeID although it has not announced. */
static void test_world_before_anything(void) {
    static gw_world_t g;
    world_build(&g);
    panel_snapshot_t s;
    memset(&s, 0, sizeof s);
    sim_run_panel_fill(&g.w, &s);
    ASSERT_EQ_I64(s.n_nodes, 2);
    ASSERT_EQ_I64(s.nodes[GW].device_type, PANEL_DEVICE_PI);
    ASSERT_EQ_I64(s.nodes[EGW].device_type, PANEL_DEVICE_GATEWAY);
    ASSERT_EQ_I64(s.nodes[EGW].node_id, 10);
    ASSERT_EQ_I64(s.nodes[EGW].state, PANEL_NODE_OFF);
    check_counts_equal_models(&g, &s);
    ASSERT_EQ_U64(s.nodes[GW].gw.time_sent + s.nodes[EGW].can_tx_frames, 0);
    world_free(&g);
}

/* Time broadcasts at 0, 10 and 20 s; two commands, one of them ACKed, an ACK that answers
 * nothing, an ANN; then, powered off, a broadcast and two commands the controller refuses. */
static void test_world_counts_are_the_models(void) {
    static gw_world_t g;
    world_build(&g);
    gateway_t *pi = sim_run_gw_gateway(g.gws[GW]);
    sim_run_gw_power(g.gws[GW], true);
    sim_run_gw_power(g.gws[EGW], true);
    ASSERT_EQ_I64(sim_kernel_run_until(g.w.k, SIM_NS_PER_S), 0);
    uint8_t seq_eco, seq_status;
    const uint8_t on = 1;
    ASSERT_EQ_I64(gateway_send_command(pi, 0x202, GATEWAY_BROADCAST, &on, 1, &seq_eco), 0);
    ASSERT_EQ_I64(gateway_send_command(pi, 0x20E, 5, NULL, 0, &seq_status), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(g.w.k, 2 * SIM_NS_PER_S), 0);
    ack(&g, 0x202, seq_eco);
    ack(&g, 0x20E, (uint8_t)(seq_status + 7)); /* a sequence number it never sent */
    ASSERT_EQ_I64(sim_kernel_run_until(g.w.k, 25 * SIM_NS_PER_S), 0);
    sim_run_gw_power(g.gws[GW], false);
    CU_ASSERT_TRUE(gateway_send_time_now(pi) != 0);
    CU_ASSERT_TRUE(gateway_send_command(pi, 0x202, GATEWAY_BROADCAST, &on, 1, NULL) != 0);
    CU_ASSERT_TRUE(gateway_send_command(pi, 0x202, GATEWAY_BROADCAST, &on, 1, NULL) != 0);
    panel_snapshot_t s;
    memset(&s, 0, sizeof s);
    sim_run_panel_fill(&g.w, &s);
    check_counts_equal_models(&g, &s);
    const panel_node_t *n = &s.nodes[GW];
    ASSERT_EQ_U64(n->gw.time_sent, 3);
    ASSERT_EQ_U64(n->gw.time_failed, 1);
    ASSERT_EQ_U64(n->gw.cmd_sent, 2);
    ASSERT_EQ_U64(n->gw.cmd_failed, 2);
    ASSERT_EQ_U64(n->gw.acks, 2);
    ASSERT_EQ_U64(n->gw.acks_unmatched, 1);
    ASSERT_EQ_U64(s.nodes[EGW].can_tx_frames, 1); /* its ANN at power-on */
    ASSERT_EQ_U64(s.nodes[EGW].can_rx_frames, 7); /* 3 broadcasts, 2 commands, 2 ACKs */
    ASSERT_EQ_I64(s.nodes[EGW].device_type, PANEL_DEVICE_GATEWAY); /* its ANN says so too */
    CU_ASSERT_TRUE(s.nodes[EGW].is_master);
    world_free(&g);
}

/* ---- a whole run with a front end --------------------------------------------------------- */

#define RUN_NS (25 * SIM_NS_PER_S)

/* The Orange Pi broadcasts at 0 and 10 s, is off from 12 to 14 s (a command then is refused)
 * and broadcasts again at 14 and 24 s. NodeID 5's ACKs come from the run's external sender: to
 * the broadcast Eco command (seq 0), to the status request (seq 1), and one from NodeID 6, which
 * the request (to NodeID 5) did not ask. */
static const char run_json[] =
    "{\"name\": \"gw_counts_run\", \"seed\": 1, \"duration\": \"25s\","
    " \"environment\": {\"start\": \"2024-06-21T12:00\"},"
    " \"nodes\": ["
    "  {\"name\": \"gw\", \"type\": \"gateway\", \"time_period\": \"10s\","
    "   \"align_to_minute\": false},"
    "  {\"name\": \"egw\", \"type\": \"energy_gateway\", \"mac\": \"24:6F:28:00:01:0A\","
    "   \"node_id\": 10}],"
    " \"timeline\": ["
    "  {\"at\": \"2s\", \"set_eco\": {\"on\": true}},"
    "  {\"at\": \"2500ms\", \"can_send\": {\"id\": \"0x285\", \"data\": \"02000000\"}},"
    "  {\"at\": \"3s\", \"request_status\": {\"target\": 5}},"
    "  {\"at\": \"3500ms\", \"can_send\": {\"id\": \"0x285\", \"data\": \"0E010000\"}},"
    "  {\"at\": \"4s\", \"can_send\": {\"id\": \"0x286\", \"data\": \"0E010000\"}},"
    "  {\"at\": \"12s\", \"power_off\": \"gw\"},"
    "  {\"at\": \"13s\", \"set_eco\": {\"on\": false}},"
    "  {\"at\": \"14s\", \"power_on\": \"gw\"}]}";

typedef struct {
    sim_run_ui_t ui;
    panel_snapshot_t first, last;
    bool have_first, have_last;
} shots_t;

static void shots_frame(void *ctx, const panel_snapshot_t *s) {
    shots_t *f = ctx;
    if (s->t_ns == 0 && !f->have_first) {
        f->first = *s;
        f->have_first = true;
    }
    if (s->t_ns == RUN_NS) {
        f->last = *s;
        f->have_last = true;
    }
}

static int shots_poll(void *ctx, panel_input_t *in) {
    (void)ctx;
    (void)in;
    return 0;
}

static sim_time_ns_t shots_next_due(void *ctx, sim_time_ns_t from_ns) {
    const shots_t *f = ctx;
    if (!f->have_first && from_ns <= 0) {
        return 0;
    }
    return f->have_last || from_ns > RUN_NS ? SIM_TIME_NEVER : RUN_NS;
}

static void run(const sim_scenario_t *scn, const char *name, const sim_run_ui_t *ui,
                sim_report_t *r) {
    char out[512], err[1024] = "";
    snprintf(out, sizeof out, "%s/test-tmp/run_panel_gw_%s", SIM_BINARY_DIR, name);
    sim_run_cfg_t cfg = {
        .scn = scn, .seed = scn->seed, .duration_ns = RUN_NS, .out_dir = out, .ui = ui};
    memset(r, 0, sizeof *r);
    int rc = sim_run_scenario(&cfg, r, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s: %s\n", name, err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static void test_run_first_and_last_frame(void) {
    sim_scenario_t *scn = load(run_json);
    sim_report_t plain, shown;
    run(scn, "plain", NULL, &plain);
    static shots_t f;
    memset(&f, 0, sizeof f);
    f.ui = (sim_run_ui_t){
        .ctx = &f, .frame = shots_frame, .poll = shots_poll, .next_due = shots_next_due};
    run(scn, "shown", &f.ui, &shown);
    ASSERT_EQ_STR(shown.digest, plain.digest); /* the counts are read, never changed */
    CU_ASSERT_TRUE_FATAL(f.have_first && f.have_last);
    ASSERT_EQ_I64(f.first.nodes[EGW].device_type, PANEL_DEVICE_GATEWAY); /* before its ANN */
    ASSERT_EQ_U64(f.first.nodes[EGW].can_tx_frames, 0);
    const panel_node_t *pi = &f.last.nodes[GW];
    CU_ASSERT_TRUE(pi->gw.valid);
    ASSERT_EQ_U64(pi->gw.time_sent, 4);
    ASSERT_EQ_U64(pi->gw.time_failed, 0);
    ASSERT_EQ_U64(pi->gw.cmd_sent, 2);
    ASSERT_EQ_U64(pi->gw.cmd_failed, 1);
    ASSERT_EQ_U64(pi->gw.acks, 3);
    ASSERT_EQ_U64(pi->gw.acks_unmatched, 1);
    ASSERT_EQ_I64(shown.n_nodes, 2);
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT_TRUE(f.last.nodes[i].can_counts_valid);
        ASSERT_EQ_U64(f.last.nodes[i].can_tx_frames, shown.nodes[i].tx_ok);
        ASSERT_EQ_U64(f.last.nodes[i].can_rx_frames, shown.nodes[i].rx_ok);
    }
    ASSERT_EQ_U64(f.last.nodes[EGW].can_tx_frames, 1); /* one ANN (every 60 s) */
    sim_report_clear(&plain);
    sim_report_clear(&shown);
    sim_scenario_free(scn);
}

void test_register(void) {
    TEST_SUITE("run_panel_gw", TEST(test_world_before_anything),
               TEST(test_world_counts_are_the_models), TEST(test_run_first_and_last_frame));
}
