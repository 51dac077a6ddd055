/*
 * test_scenario_full.c: the full scenario format loaded end to end: pack nodes with their
 * plant, BMS and NVS preload, the gateway types, the environment, every command verb with its
 * wire bytes, the model and gateway verbs, and assertions, each value checked where it lands in
 * sim_scenario_t. Files live in a temporary directory with a board, a CSV profile and an empty
 * plugin, so lookups relative to the scenario are exercised too. Scenario texts are written with
 * single quotes ('a' becomes "a" before loading).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_scenario.h"
#include "sim_signals.h"
#include "test_support.h"

#define MAX_FILES 8

static char dir[512];
static char files[MAX_FILES][640];
static size_t n_files;

static void put(const char *rel, const char *text) {
    CU_ASSERT_FATAL(n_files < MAX_FILES);
    snprintf(files[n_files], sizeof files[0], "%s/%s", dir, rel);
    FILE *f = fopen(files[n_files++], "w");
    CU_ASSERT_FATAL(f != NULL);
    for (const char *p = text; *p != '\0'; p++) {
        fputc(*p == '\'' ? '"' : *p, f);
    }
    fclose(f);
}

/* The bundled board, copied into <dir>/boards/. */
static void copy_board(void) {
    char src[600], line[512], *text = calloc(1, 8192);
    CU_ASSERT_FATAL(text != NULL);
    snprintf(src, sizeof src, "%s/scenarios/boards/alfaspark_b.json", SIM_SOURCE_DIR);
    FILE *f = fopen(src, "r");
    CU_ASSERT_FATAL(f != NULL);
    while (fgets(line, sizeof line, f) != NULL) {
        strncat(text, line, 8191 - strlen(text));
    }
    fclose(f);
    put("boards/alfaspark_b.json", text);
    free(text);
}

static void begin(void) {
    snprintf(dir, sizeof dir, "%s/scn_full_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    n_files = 0;
    char boards[600];
    snprintf(boards, sizeof boards, "%s/boards", dir);
    CU_ASSERT_FATAL(mkdir(boards, 0755) == 0);
    put("fw_testnode.so", "");
    put("home.csv", "t_s,power_w\n0,200\n# morning\n25200,900\n64800,1500\n");
    copy_board();
}

static void end(void) {
    while (n_files > 0) {
        CU_ASSERT_EQUAL(remove(files[--n_files]), 0);
    }
    char boards[600];
    snprintf(boards, sizeof boards, "%s/boards", dir);
    CU_ASSERT_EQUAL(rmdir(boards), 0);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* Writes <dir>/s.json and loads it; the formatted diagnostic goes to diag_out. */
static int load_text(const char *text, sim_scenario_t **s, char *diag_out, size_t cap) {
    put("s.json", text);
    char path[640];
    snprintf(path, sizeof path, "%s/s.json", dir);
    const char *dirs[] = {dir, NULL};
    sim_diag_t d;
    int rc = sim_scenario_load(path, dirs, s, &d);
    if (rc != 0) {
        char buf[1024];
        sim_diag_format(&d, buf, sizeof buf);
        /* the path varies with the temporary directory: keep what follows "s.json:" */
        const char *tail = strstr(buf, "s.json:");
        snprintf(diag_out, cap, "%s", tail != NULL ? tail : buf);
    }
    CU_ASSERT_EQUAL(remove(files[--n_files]), 0);
    return rc;
}

static const char full[] =
    "{'name': 'full', 'duration': '2h', 'plugin': 'testnode', 'board': 'alfaspark_b',\n"
    " 'environment': {'start': '2024-06-21T06:00', 'utc_offset': '+02:00',\n"
    "   'location': {'latitude_deg': 48.1, 'longitude_deg': 11.6}, 'weather': 'cloudy',\n"
    "   'load': {'profile': 'home.csv', 'scale': 1.5},\n"
    "   'grid_outages': [{'at': '10m', 'for': '5m'}, {'at': '1h', 'for': '90s'}]},\n"
    " 'nodes': [\n"
    "  {'name': 'pack1', 'type': 'pack', 'mac': '24:6F:28:00:00:11',\n"
    "   'plant': {'step': '50ms', 'battery': {'capacity_ah': 200, 'soc_percent': 12.5},\n"
    "     'inverter': {'eta_inverter_percent': 96, 'grid_charge': false},\n"
    "     'grid': {'voltage_v': 230}, 'pv': {'kwp': 3.2},\n"
    "     'home': {'profile': [[0, 100], [43200, 400]]},\n"
    "     'pool': {'windows': [{'from': '22:00', 'to': '02:00'}]},\n"
    "     'heater': {'setpoint_c': 65, 'draws': [{'from': '06:30', 'to': '07:00', "
    "'flow_l_per_min': 8}]},\n"
    "     'relays': {'R1': {'operate': '40ms', 'normally_closed': true}},\n"
    "     'ct': {'CT2': {'noise_sd_counts': 1.5, 'gain_error_percent': -2}}},\n"
    "   'bms': {'address': 2, 'fault': 'alarm', 'alarm_bits': '0x0104', 'late_reply': '200ms'},\n"
    "   'nvs': [{'key': 'ecoLimit', 'u16': 1500}, {'ns': 'cfg', 'key': 'touWindow', "
    "'hex': '16000600'}]},\n"
    "  {'name': 'pack2', 'type': 'pack', 'powered': false},\n"
    "  {'name': 'gw', 'type': 'gateway', 'time_period': '30s', 'align_to_minute': false},\n"
    "  {'name': 'egw', 'type': 'energy_gateway', 'mac': '02:00:00:00:00:99', 'node_id': 120},\n"
    "  {'name': 'plain'}],\n"
    " 'timeline': [\n"
    "  {'at': '1s', 'set_eco': {'on': true}},\n"
    "  {'at': '2s', 'set_eco_limit': {'limit_w': 1500, 'target': 'pack2'}},\n"
    "  {'at': '3s', 'set_tou_window': {'start': '22:30', 'end': '06:15', 'target': 5}},\n"
    "  {'at': '4s', 'set_relay': {'relay': 'R3', 'state': 'auto'}},\n"
    "  {'at': '5s', 'factory_reset': {}},\n"
    "  {'at': '5s', 'factory_reset': {'magic': '0x1234'}},\n"
    "  {'at': '6s', 'set_mode_mask': {'mask': '0x05'}},\n"
    "  {'at': '6s', 'command': {'id': '0x230', 'args': '0102'}},\n"
    "  {'at': '7s', 'time_broadcast': false},\n"
    "  {'at': '8s', 'set_clock': '+2h'},\n"
    "  {'at': '8s', 'set_clock': '2024-06-21T23:58'},\n"
    "  {'at': '9s', 'bms_fault': {'node': 'pack1', 'fault': 'alarm', 'alarm_bits': 4, "
    "'for': '10s'}},\n"
    "  {'at': '10s', 'ct_fault': {'node': 'pack2', 'ct': 'CT4', 'fault': 'stuck', "
    "'stuck_counts': 100}},\n"
    "  {'at': '11s', 'relay_fault': {'node': 'pack1', 'relay': 'R1', 'fault': 'welded'}},\n"
    "  {'at': '12s', 'grid_outage': {'for': '1m'}},\n"
    "  {'at': '13s', 'pv_scale': {'node': 'pack1', 'scale': 0.5}},\n"
    "  {'at': '14s', 'load': {'scale': 2, 'profile': [[0, 100]]}},\n"
    "  {'at': '15s', 'hang': 'plain'}],\n"
    " 'assertions': [\n"
    "  {'name': 'master', 'kind': 'at', 'at': '10s', 'subject': 'master', 'eq': 'pack1,egw'},\n"
    "  {'name': 'r1', 'kind': 'always', 'from': '1s', 'to': '5s', 'subject': 'relay',\n"
    "   'node': 'pack1', 'relay': 'R4', 'eq': true},\n"
    "  {'name': 'soc', 'kind': 'eventually', 'for': '1s', 'subject': 'soc_percent',\n"
    "   'node': 'pack1', 'in': [10, 20.5]},\n"
    "  {'name': 'stale', 'kind': 'within', 'within': '2s', 'to': '1h', 'after': {'subject':\n"
    "   'signal', 'signal': 'TEL.St_BmsInvalid', 'node': 'pack1', 'eq': 1},\n"
    "   'subject': 'led', 'node': 'pack1', 'led': 'red', 'eq': 'on'},\n"
    "  {'name': 'px', 'kind': 'never', 'subject': 'pixels_of', 'node': 'pack1',\n"
    "   'colour': '#0000FF', 'gt': 1},\n"
    "  {'name': 'nvs', 'kind': 'at', 'at': '1h', 'subject': 'nvs_writes', 'node': 'pack1',\n"
    "   'key': 'modeMask', 'le': 2},\n"
    "  {'name': 'acks', 'kind': 'at', 'at': '1h', 'subject': 'can_frames', 'id': '0x280',\n"
    "   'mask': '0x780', 'data': '02??00', 'node': 'pack2', 'since': '1s', 'eq': 1},\n"
    "  {'name': 'watchdog', 'kind': 'at', 'at': '2h', 'subject': 'resets', 'node': 'plain',\n"
    "   'reason': 'watchdog', 'eq': 1, 'tolerance': 0}]}\n";

static void check_pack(const sim_scenario_t *s) {
    const sim_scn_node_t *n = &s->nodes[0];
    CU_ASSERT_EQUAL(n->type, SIM_NODE_PACK);
    CU_ASSERT_FATAL(n->pack != NULL);
    const pack_plant_cfg_t *p = &n->pack->plant;
    ASSERT_EQ_STR(p->name, "pack1");
    ASSERT_EQ_I64(p->step_ns, 50 * SIM_NS_PER_MS);
    ASSERT_NEAR(p->battery.capacity_ah, 200, 0);
    ASSERT_NEAR(p->battery.soc_initial, 0.125, 0);
    ASSERT_NEAR(p->inverter.eta_inverter, 0.96, 1e-12);
    CU_ASSERT_FALSE(p->inverter.grid_charge);
    ASSERT_NEAR(p->grid.voltage_v, 230, 0);
    ASSERT_NEAR(p->pv.kwp, 3.2, 0);
    ASSERT_NEAR(p->pv.latitude_deg, 48.1, 0);          /* from the environment */
    ASSERT_EQ_U64(p->pv.transition_ppm[0][0], 900000); /* the "cloudy" sky */
    ASSERT_EQ_U64(p->home.n_points, 2); /* the node's own profile wins over the environment's */
    ASSERT_NEAR(p->home.points[1].power_w, 400, 0);
    ASSERT_NEAR(p->home.scale, 1.5, 0); /* while the scale comes from the environment */
    ASSERT_EQ_U64(p->pool.n_windows, 1);
    ASSERT_EQ_U64(p->pool.windows[0].start_min, 22 * 60);
    ASSERT_EQ_U64(p->pool.windows[0].end_min, 2 * 60);
    ASSERT_NEAR(p->heater.setpoint_c, 65, 0);
    ASSERT_EQ_U64(p->heater.draws[0].start_min, 6 * 60 + 30);
    ASSERT_NEAR(p->heater.draws[0].flow_l_per_min, 8, 0);
    ASSERT_EQ_I64(p->relays[0].operate_ns, 40 * SIM_NS_PER_MS);
    CU_ASSERT_TRUE(p->relays[0].normally_closed);
    ASSERT_EQ_I64(p->relays[1].operate_ns, 30 * SIM_NS_PER_MS); /* contactor default kept */
    ASSERT_NEAR(p->ct[1].noise_sd_counts, 1.5, 0);
    ASSERT_NEAR(p->ct[1].gain_error, -0.02, 1e-15);
    ASSERT_NEAR(p->ct[0].full_scale_a, 50, 0); /* from the board */
    ASSERT_EQ_U64(p->grid.n_outages, 2);
    ASSERT_EQ_I64(p->grid.outages[1].end_ns, 3690 * SIM_NS_PER_S);
    ASSERT_EQ_U64(n->pack->bms.address, 2);
    ASSERT_EQ_U64(n->pack->bms.forced_alarm_bits, 0x0104);
    ASSERT_EQ_I64(n->pack->bms.late_reply_ns, 200 * SIM_NS_PER_MS);
    CU_ASSERT_EQUAL(n->pack->bms_fault, BMS_FAULT_ALARM);
    ASSERT_EQ_U64(n->n_nvs, 2);
    ASSERT_EQ_STR(n->nvs[0].ns, "alfaspark");
    ASSERT_EQ_U64(n->nvs[0].len, 2);
    ASSERT_EQ_U64(n->nvs[0].value[0] | n->nvs[0].value[1] << 8, 1500); /* little-endian */
    ASSERT_EQ_STR(n->nvs[1].ns, "cfg");
    ASSERT_EQ_U64(n->nvs[1].len, 4);
    ASSERT_EQ_U64(n->nvs[1].value[0], 0x16);
    /* pack2 takes the environment's CSV profile */
    ASSERT_EQ_U64(s->nodes[1].pack->plant.home.n_points, 3);
    ASSERT_NEAR(s->nodes[1].pack->plant.home.points[2].power_w, 1500, 0);
}

static void check_nodes(const sim_scenario_t *s) {
    ASSERT_EQ_U64(s->n_nodes, 5);
    ASSERT_EQ_U64(s->n_boards, 1);
    ASSERT_EQ_STR(s->boards[0].name, "alfaspark_b");
    ASSERT_EQ_I64(s->nodes[0].board, 0);
    ASSERT_EQ_I64(s->nodes[4].board, 0); /* a plain node takes the top-level board too */
    ASSERT_EQ_I64(s->nodes[2].board, -1);
    const sim_scn_node_t *gw = &s->nodes[2], *egw = &s->nodes[3];
    CU_ASSERT_EQUAL(gw->type, SIM_NODE_GATEWAY);
    CU_ASSERT_PTR_NULL(gw->plugin);
    CU_ASSERT_TRUE(gw->gateway.time_broadcast);
    ASSERT_EQ_I64(gw->gateway.time_period_ns, 30 * SIM_NS_PER_S);
    CU_ASSERT_FALSE(gw->gateway.align_to_minute);
    CU_ASSERT_EQUAL(egw->type, SIM_NODE_ENERGY_GATEWAY);
    CU_ASSERT_PTR_NULL(egw->plugin);
    ASSERT_EQ_U64(egw->egw.node_id, 120);
    ASSERT_EQ_I64(egw->egw.announce_period_ns, 60 * SIM_NS_PER_S);
    ASSERT_EQ_U64(egw->egw.fw_major, 2);
    CU_ASSERT_PTR_NOT_NULL(s->nodes[4].plugin);
    CU_ASSERT_FALSE(s->nodes[1].powered_at_start);
    /* 2024-06-21T06:00 local: 19895 days after 1970-01-01, plus 6 h */
    ASSERT_EQ_I64(s->env.calendar.start_local_s, 19895LL * 86400 + 6 * 3600);
    ASSERT_EQ_I64(s->env.calendar.utc_offset_min, 120);
    ASSERT_EQ_STR(s->env.sky.preset, "cloudy");
}

static const sim_scn_action_t *action(const sim_scenario_t *s, size_t i) {
    CU_ASSERT_FATAL(i < s->n_actions);
    return &s->actions[i];
}

static void check_commands(const sim_scenario_t *s) {
    const sim_scn_action_t *a = action(s, 0);
    CU_ASSERT_EQUAL(a->kind, SIM_ACT_COMMAND);
    ASSERT_EQ_U64(a->cmd_id, 0x202);
    ASSERT_EQ_U64(a->n_args, 1);
    ASSERT_EQ_U64(a->args[0], 1);
    ASSERT_EQ_U64(a->target_id, 127);
    ASSERT_EQ_I64(a->target_node, -1);
    ASSERT_EQ_I64(a->gateway, 2); /* the scenario's gateway sends it */
    a = action(s, 1);             /* set_eco_limit to pack2: big-endian watts */
    ASSERT_EQ_U64(a->args[0] << 8 | a->args[1], 1500);
    ASSERT_EQ_I64(a->target_node, 1);
    ASSERT_EQ_U64(a->target_id, sim_scn_default_node_id(s->nodes[1].mac));
    a = action(s, 2);
    ASSERT_EQ_U64(a->n_args, 4);
    CU_ASSERT_EQUAL(memcmp(a->args, "\x16\x1e\x06\x0f", 4), 0);
    ASSERT_EQ_U64(a->target_id, 5);
    a = action(s, 3);
    CU_ASSERT_EQUAL(memcmp(a->args, "\x02\x02", 2), 0); /* R3 (index 2), auto (2) */
    CU_ASSERT_EQUAL(memcmp(action(s, 4)->args, "\xA5\x5A", 2), 0);
    CU_ASSERT_EQUAL(memcmp(action(s, 5)->args, "\x12\x34", 2), 0);
    ASSERT_EQ_U64(action(s, 6)->args[0], 5);
    a = action(s, 7);
    ASSERT_EQ_U64(a->cmd_id, 0x230);
    ASSERT_EQ_U64(a->n_args, 2);
    ASSERT_EQ_STR(sim_scn_command_name(0x20F), "factory_reset");
    ASSERT_EQ_STR(sim_scn_command_name(0x230), "command");
}

static void check_model_verbs(const sim_scenario_t *s) {
    CU_ASSERT_EQUAL(action(s, 8)->kind, SIM_ACT_TIME_BROADCAST);
    CU_ASSERT_FALSE(action(s, 8)->on);
    ASSERT_EQ_I64(action(s, 8)->gateway, 2);
    CU_ASSERT_TRUE(action(s, 9)->clock_relative);
    ASSERT_EQ_I64(action(s, 9)->clock_s, 7200);
    CU_ASSERT_FALSE(action(s, 10)->clock_relative);
    ASSERT_EQ_I64(action(s, 10)->clock_s, 19895LL * 86400 + 23 * 3600 + 58 * 60);
    const sim_scn_action_t *a = action(s, 11);
    CU_ASSERT_EQUAL(a->kind, SIM_ACT_BMS_FAULT);
    CU_ASSERT_EQUAL(a->fault, BMS_FAULT_ALARM);
    ASSERT_EQ_U64(a->alarm_bits, 4);
    a = action(s, 12);
    CU_ASSERT_EQUAL(a->kind, SIM_ACT_CT_FAULT);
    ASSERT_EQ_I64(a->item, 3);
    CU_ASSERT_EQUAL(a->fault, SIM_CT_FAULT_STUCK);
    ASSERT_EQ_U64(a->stuck_counts, 100);
    CU_ASSERT_EQUAL(action(s, 13)->fault, RELAY_FAULT_WELDED);
    a = action(s, 14);
    CU_ASSERT_EQUAL(a->kind, SIM_ACT_GRID);
    CU_ASSERT_TRUE(a->on);
    ASSERT_EQ_I64(a->node, -1);
    ASSERT_NEAR(action(s, 15)->scale, 0.5, 0);
    a = action(s, 16);
    CU_ASSERT_EQUAL(a->kind, SIM_ACT_LOAD);
    CU_ASSERT_FATAL(a->profile != NULL);
    ASSERT_EQ_U64(a->profile->n_points, 1);
    CU_ASSERT_EQUAL(action(s, 17)->kind, SIM_ACT_HANG);
    a = action(s, 18); /* bms_fault "for": its clearing at 19 s */
    CU_ASSERT_EQUAL(a->kind, SIM_ACT_BMS_FAULT);
    ASSERT_EQ_I64(a->at_ns, 19 * SIM_NS_PER_S);
    CU_ASSERT_EQUAL(a->fault, BMS_FAULT_NONE);
    a = action(s, 19); /* the grid comes back after a minute */
    ASSERT_EQ_I64(a->at_ns, 72 * SIM_NS_PER_S);
    CU_ASSERT_FALSE(a->on);
    ASSERT_EQ_U64(s->n_actions, 20);
}

static void check_assertions(const sim_scenario_t *s) {
    ASSERT_EQ_U64(s->n_asserts, 8);
    const sim_scn_assert_t *a = &s->asserts[0];
    ASSERT_EQ_STR(a->name, "master");
    CU_ASSERT_EQUAL(a->kind, SIM_CHECK_AT);
    ASSERT_EQ_STR(a->cond.value.text, "pack1,egw");
    a = &s->asserts[1];
    ASSERT_EQ_I64(a->to_ns, 5 * SIM_NS_PER_S);
    ASSERT_EQ_I64(a->cond.subj.item, 3);
    a = &s->asserts[2];
    ASSERT_EQ_I64(a->to_ns, SIM_TIME_NEVER); /* the end of the run */
    ASSERT_EQ_I64(a->hold_ns, SIM_NS_PER_S);
    ASSERT_EQ_I64(a->cond.subj.item, SIM_Q_SOC_PERCENT);
    ASSERT_EQ_I64(a->cond.value_hi.num_micro, 20500000);
    a = &s->asserts[3];
    CU_ASSERT_TRUE(a->trigger_is_cond);
    ASSERT_EQ_I64(a->trigger.subj.item, sim_signal_find("TEL.St_BmsInvalid"));
    ASSERT_EQ_I64(a->cond.subj.item, 2); /* red */
    ASSERT_EQ_U64(s->asserts[4].cond.subj.rgb, 0x0000FF);
    ASSERT_EQ_STR(s->asserts[5].cond.subj.nvs_ns, "alfaspark");
    ASSERT_EQ_STR(s->asserts[5].cond.subj.nvs_key, "modeMask");
    a = &s->asserts[6];
    ASSERT_EQ_U64(a->cond.subj.match_mask, 0x780);
    ASSERT_EQ_I64(a->cond.subj.item, 3); /* data pattern length */
    ASSERT_EQ_U64(a->cond.subj.data_mask[1], 0);
    ASSERT_EQ_I64(a->cond.subj.since_ns, SIM_NS_PER_S);
    ASSERT_EQ_I64(s->asserts[7].cond.subj.item, SIM_RESET_WATCHDOG);
    ASSERT_EQ_U64(s->asserts[7].line, 56);
}

static void test_full(void) {
    begin();
    sim_scenario_t *s = NULL;
    char diag[1024] = "";
    ASSERT_EQ_I64(load_text(full, &s, diag, sizeof diag), 0);
    if (s == NULL) {
        fprintf(stderr, "\n  %s\n", diag);
    }
    CU_ASSERT_FATAL(s != NULL);
    check_nodes(s);
    check_pack(s);
    check_commands(s);
    check_model_verbs(s);
    check_assertions(s);
    sim_scenario_free(s);
    end();
}

/* The diagnostic of a scenario (relative part from "s.json:"), or "ok". */
static const char *diag_of(const char *text) {
    static char buf[1024];
    sim_scenario_t *s = NULL;
    if (load_text(text, &s, buf, sizeof buf) == 0) {
        sim_scenario_free(s);
        return "ok";
    }
    return buf;
}

static void test_profile_csv_errors(void) {
    begin();
    put("bad.csv", "t_s,power_w\n0,200\n10,oops\n");
    const char *d = diag_of("{'duration': '1s', 'board': 'alfaspark_b', 'plugin': 'testnode',\n"
                            " 'environment': {'load': {'profile': 'bad.csv'}},\n"
                            " 'nodes': [{'name': 'p', 'type': 'pack'}]}");
    /* the file is named by its path next to the scenario, and the bad line by its number */
    const char *head = "s.json:2:38: error: /environment/load/profile: profile \"";
    const char *tail = "/bad.csv\" line 3: expected t_s,power_w";
    CU_ASSERT_EQUAL(strncmp(d, head, strlen(head)), 0);
    CU_ASSERT_TRUE(strlen(d) > strlen(tail) && strcmp(d + strlen(d) - strlen(tail), tail) == 0);
    ASSERT_EQ_STR(diag_of("{'duration': '1s', 'board': 'alfaspark_b', 'plugin': 'testnode',\n"
                          " 'environment': {'pv': {'profile': [[10, 5], [10, 6]]}},\n"
                          " 'nodes': [{'name': 'p', 'type': 'pack'}]}"),
                  "s.json:2:47: error: /environment/pv/profile/1/0: times must increase (10 after "
                  "10)");
    end();
}

static bool ends_with(const char *s, const char *tail) {
    return strlen(s) >= strlen(tail) && strcmp(s + strlen(s) - strlen(tail), tail) == 0;
}

/* A board or profile that is not a regular file is refused at once: opening a FIFO that nobody
 * writes to would block the load for ever, and a device has no end. */
static void test_not_regular_files(void) {
    begin();
    CU_ASSERT_FATAL(n_files + 2 <= MAX_FILES);
    snprintf(files[n_files], sizeof files[0], "%s/pipe.csv", dir);
    CU_ASSERT_FATAL(mkfifo(files[n_files++], 0600) == 0);
    snprintf(files[n_files], sizeof files[0], "%s/pipe.json", dir);
    CU_ASSERT_FATAL(mkfifo(files[n_files++], 0600) == 0);
    const char *d = diag_of("{'duration': '1s', 'board': 'alfaspark_b', 'plugin': 'testnode',\n"
                            " 'environment': {'load': {'profile': 'pipe.csv'}},\n"
                            " 'nodes': [{'name': 'p', 'type': 'pack'}]}");
    CU_ASSERT_EQUAL(strncmp(d, "s.json:2:38: error: /environment/load/profile: cannot read", 58),
                    0);
    CU_ASSERT_TRUE(ends_with(d, "/pipe.csv\": not a regular file"));
    d = diag_of("{'duration': '1s', 'board': './pipe.json', 'plugin': 'testnode',\n"
                " 'nodes': [{'name': 'p', 'type': 'pack'}]}");
    CU_ASSERT_EQUAL(strncmp(d, "s.json:1:29: error: /board: cannot read board", 45), 0);
    CU_ASSERT_TRUE(ends_with(d, "/pipe.json\": not a regular file"));
    ASSERT_EQ_STR(
        diag_of("{'duration': '1s', 'board': '/dev/null', 'plugin': 'testnode',\n"
                " 'nodes': [{'name': 'p', 'type': 'pack'}]}"),
        "s.json:1:29: error: /board: cannot read board \"/dev/null\": not a regular file");
    end();
}

static void test_defaults_and_names(void) {
    const uint8_t mac[6] = {0x24, 0x6F, 0x28, 0x12, 0x34, 0x56};
    ASSERT_EQ_U64(sim_scn_default_node_id(mac), (0x24 ^ 0x6F ^ 0x28 ^ 0x12 ^ 0x34 ^ 0x56) % 127);
    ASSERT_EQ_STR(sim_scn_node_type_name(SIM_NODE_ENERGY_GATEWAY), "energy_gateway");
    ASSERT_EQ_STR(sim_scn_action_name(SIM_ACT_RELAY_FAULT), "relay_fault");
    ASSERT_EQ_STR(sim_check_kind_name(SIM_CHECK_EVENTUALLY), "eventually");
    ASSERT_EQ_STR(sim_subject_name(SIM_SUBJ_DISPLAY_SHOWN), "display_shown");
    ASSERT_EQ_STR(sim_quantity_name(SIM_Q_GRID_IMPORT_WH), "grid_import_wh");
    ASSERT_EQ_STR(sim_reset_kind_name(SIM_RESET_SOFTWARE), "software");
    CU_ASSERT_EQUAL(sim_subject_type(SIM_SUBJ_PIXEL), SIM_VAL_COLOUR);
    CU_ASSERT_EQUAL(sim_subject_source(SIM_SUBJ_SIGNAL), SIM_SUBJ_FRAMES);
    CU_ASSERT_EQUAL(sim_subject_source(SIM_SUBJ_PIXELS_OF), SIM_SUBJ_FEEDS);
    CU_ASSERT_EQUAL(sim_subject_source(SIM_SUBJ_RELAY), SIM_SUBJ_PROBE);
}

void test_register(void) {
    TEST_SUITE("scenario_full", TEST(test_full), TEST(test_profile_csv_errors),
               TEST(test_not_regular_files), TEST(test_defaults_and_names));
}
