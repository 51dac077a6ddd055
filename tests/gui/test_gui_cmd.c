/*
 * The panel's command prompt language, its input vocabulary (speed ladder, descriptions) and
 * its number formatting: everything the operator types or reads as text.
 */
#include <string.h>

#include "panel_cmd.h"
#include "panel_fmt.h"
#include "panel_input.h"
#include "sim_types.h"
#include "test_support.h"

static panel_snapshot_t snap;

static void setup_snap(void) {
    memset(&snap, 0, sizeof snap);
    snap.n_nodes = 3;
    const char *names[] = {"pack1", "Pack-B", "gw"};
    const uint8_t ids[] = {21, 34, PANEL_NODE_ID_UNKNOWN};
    for (int i = 0; i < 3; i++) {
        strcpy(snap.nodes[i].name, names[i]);
        snap.nodes[i].node_id = ids[i];
    }
}

static panel_cmd_result_t ok(const char *line, int selected) {
    panel_cmd_result_t r;
    char err[128] = "";
    int rc = panel_cmd_parse(line, &snap, selected, &r, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  '%s': %s\n", line, err);
    }
    ASSERT_EQ_I64(rc, 0);
    return r;
}

static void bad(const char *line, int selected, const char *reason_part) {
    panel_cmd_result_t r;
    char err[128] = "";
    ASSERT_EQ_I64(panel_cmd_parse(line, &snap, selected, &r, err, sizeof err), -SIM_EINVAL);
    CU_ASSERT_FALSE(r.has_input);
    if (!strstr(err, reason_part)) {
        fprintf(stderr, "\n  '%s': message '%s' lacks '%s'\n", line, err, reason_part);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err, reason_part));
}

static void check_cmd(const panel_cmd_result_t *r, uint16_t id, uint8_t target, uint8_t n,
                      const uint8_t *args) {
    CU_ASSERT_TRUE(r->has_input);
    ASSERT_EQ_I64(r->input.kind, PANEL_IN_COMMAND);
    ASSERT_EQ_U64(r->input.can_id, id);
    ASSERT_EQ_U64(r->input.target, target);
    ASSERT_EQ_U64(r->input.n_args, n);
    CU_ASSERT_TRUE(n == 0 || memcmp(r->input.args, args, n) == 0);
}

static void test_gateway_commands(void) {
    setup_snap();
    panel_cmd_result_t r = ok("eco-limit 1500", 1);
    check_cmd(&r, PANEL_CMD_SET_ECO_LIMIT, 34, 2, (const uint8_t[]){0x05, 0xDC}); /* BE */
    r = ok("  ECO   on ", -1);
    check_cmd(&r, PANEL_CMD_SET_ECO, PANEL_NODE_ID_ALL, 1, (const uint8_t[]){1});
    r = ok("gridlimit off", 0);
    check_cmd(&r, PANEL_CMD_SET_GRID_LIMIT_MODE, 21, 1, (const uint8_t[]){0});
    r = ok("mode 0x13", 0);
    check_cmd(&r, PANEL_CMD_SET_MODE_MASK, 21, 1, (const uint8_t[]){0x13});
    r = ok("grid-limit 12", -1);
    check_cmd(&r, PANEL_CMD_SET_GRID_LIMIT_KWH, PANEL_NODE_ID_ALL, 1, (const uint8_t[]){12});
    r = ok("tou-window 22:30 6:05", -1);
    check_cmd(&r, PANEL_CMD_SET_TOU_WINDOW, PANEL_NODE_ID_ALL, 4, (const uint8_t[]){22, 30, 6, 5});
    r = ok("thresholds 10 50", 1);
    check_cmd(&r, PANEL_CMD_SET_SC_THRESHOLDS, 34, 2, (const uint8_t[]){10, 50});
    r = ok("relay 3 off", 0);
    check_cmd(&r, PANEL_CMD_SET_RELAY, 21, 2, (const uint8_t[]){2, PANEL_RELAY_OPEN});
    r = ok("relay 1 auto", 0);
    check_cmd(&r, PANEL_CMD_SET_RELAY, 21, 2, (const uint8_t[]){0, PANEL_RELAY_AUTO});
    r = ok("status", -1);
    check_cmd(&r, PANEL_CMD_REQUEST_STATUS, PANEL_NODE_ID_ALL, 0, NULL);
    r = ok("reset-energy", 1);
    check_cmd(&r, PANEL_CMD_RESET_GRID_ENERGY, 34, 0, NULL);
}

static void test_gateway_errors(void) {
    setup_snap();
    bad("eco-limit 65536", -1, "eco-limit W");
    bad("eco-limit -5", -1, "eco-limit W");
    bad("eco-limit", -1, "eco-limit W");
    bad("eco maybe", -1, "on|off");
    bad("relay 5 on", -1, "relay 1..4");
    bad("relay 0 on", -1, "relay 1..4");
    bad("relay 2 shut", -1, "relay 1..4");
    bad("tou-window 24:00 06:00", -1, "tou-window");
    bad("tou-window 22:60 06:00", -1, "tou-window");
    bad("tou-window 2200 0600", -1, "tou-window");
    bad("mode 256", -1, "mode MASK");
    bad("eco on", 2, "no NodeID"); /* the gateway node has not announced itself */
    bad("frobnicate", -1, "unknown command");
    bad("a b c d e f", -1, "too many words");
}

static void test_selection(void) {
    setup_snap();
    panel_cmd_result_t r = ok("target pack-b", -1);
    CU_ASSERT_TRUE(r.select);
    ASSERT_EQ_I64(r.node, 1);
    CU_ASSERT_FALSE(r.has_input);
    r = ok("target 3", 0);
    ASSERT_EQ_I64(r.node, 2);
    r = ok("target all", 0);
    CU_ASSERT_TRUE(r.select);
    ASSERT_EQ_I64(r.node, -1);
    bad("target 4", -1, "no node");
    bad("target nosuch", -1, "no node");
    r = ok("", 0); /* a blank line does nothing */
    CU_ASSERT_FALSE(r.has_input);
    CU_ASSERT_FALSE(r.select);
}

static void test_node_and_world(void) {
    setup_snap();
    panel_cmd_result_t r = ok("cycle", 1);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_POWER_CYCLE);
    ASSERT_EQ_I64(r.input.node, 1);
    r = ok("unplug", 2);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_CAN_UNPLUG);
    CU_ASSERT_TRUE(r.input.on);
    r = ok("plug", 2);
    CU_ASSERT_FALSE(r.input.on);
    r = ok("power off", 0);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_POWER);
    CU_ASSERT_FALSE(r.input.on);
    r = ok("hang", 0);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_HANG);
    bad("hang", -1, "select one first");
    r = ok("grid down", -1);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_GRID);
    CU_ASSERT_FALSE(r.input.on);
    r = ok("pv 35", -1);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_PV_SCALE);
    ASSERT_EQ_I64(r.input.scale_pct, 35);
    r = ok("load 500", -1);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_LOAD_SCALE);
    ASSERT_EQ_I64(r.input.scale_pct, 500);
    bad("load 501", -1, "pv PCT");
    CU_ASSERT_TRUE(panel_input_is_operator(PANEL_IN_GRID));
    CU_ASSERT_TRUE(panel_input_is_operator(PANEL_IN_COMMAND));
    CU_ASSERT_FALSE(panel_input_is_operator(PANEL_IN_SPEED));
    CU_ASSERT_FALSE(panel_input_is_operator(PANEL_IN_SEEK));
}

static void test_run_control(void) {
    setup_snap();
    panel_cmd_result_t r = ok("speed 0.5", -1);
    ASSERT_EQ_U64(r.input.speed_milli, 500);
    r = ok("speed 1000", -1);
    ASSERT_EQ_U64(r.input.speed_milli, 1000000);
    r = ok("speed max", -1);
    ASSERT_EQ_U64(r.input.speed_milli, PANEL_SPEED_ASAP);
    bad("speed 0.05", -1, "speed");
    bad("speed 1001", -1, "speed");
    bad("speed 1.2345", -1, "speed");
    r = ok("seek 12.5s", -1);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_SEEK);
    ASSERT_EQ_I64(r.input.t_ns, 12500000000LL);
    r = ok("seek 90", -1);
    ASSERT_EQ_I64(r.input.t_ns, 90000000000LL);
    r = ok("seek 3m", -1);
    ASSERT_EQ_I64(r.input.t_ns, 180000000000LL);
    r = ok("seek 250ms", -1);
    ASSERT_EQ_I64(r.input.t_ns, 250000000LL);
    bad("seek 5 parsecs", -1, "seek TIME");
    bad("seek 5d", -1, "seek TIME");
    r = ok("pause", -1);
    ASSERT_EQ_I64(r.input.kind, PANEL_IN_PAUSE);
    CU_ASSERT_TRUE(r.input.on);
    r = ok("resume", -1);
    CU_ASSERT_FALSE(r.input.on);
    ASSERT_EQ_I64(ok("next", -1).input.kind, PANEL_IN_STEP_EVENT);
    ASSERT_EQ_I64(ok("quit", -1).input.kind, PANEL_IN_QUIT);
}

static void test_speed_ladder(void) {
    const uint32_t up[] = {100,   200,   500,    1000,   2000,   5000,    10000,
                           20000, 50000, 100000, 200000, 500000, 1000000, PANEL_SPEED_ASAP};
    uint32_t s = 100;
    for (size_t i = 1; i < sizeof up / sizeof up[0]; i++) {
        s = panel_speed_step(s, +1);
        ASSERT_EQ_U64(s, up[i]);
    }
    ASSERT_EQ_U64(panel_speed_step(PANEL_SPEED_ASAP, +1), PANEL_SPEED_ASAP);
    ASSERT_EQ_U64(panel_speed_step(PANEL_SPEED_ASAP, -1), 1000000);
    ASSERT_EQ_U64(panel_speed_step(100, -1), 100);
    ASSERT_EQ_U64(panel_speed_step(1500, +1), 2000); /* off the ladder: the next rung */
    ASSERT_EQ_U64(panel_speed_step(1500, -1), 1000);
    char buf[16];
    panel_speed_format(100, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "x0.1");
    panel_speed_format(1000000, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "x1000");
    panel_speed_format(2500, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "x2.5");
    panel_speed_format(1250, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "x1.25");
    panel_speed_format(PANEL_SPEED_ASAP, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "max");
}

static void test_describe(void) {
    char buf[96];
    panel_input_t in = panel_input_make(PANEL_IN_COMMAND);
    in.can_id = PANEL_CMD_SET_RELAY;
    in.target = 12;
    in.n_args = 2;
    in.args[0] = 1;
    in.args[1] = 0;
    panel_input_describe(&in, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "command SET_RELAY (0x20B) to 12: 01 00");
    in.target = PANEL_NODE_ID_ALL;
    in.can_id = 0x2F0;
    in.n_args = 0;
    panel_input_describe(&in, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "command CMD (0x2F0) to all:");
    in = panel_input_make(PANEL_IN_CAN_UNPLUG);
    in.node = 2;
    in.on = true;
    panel_input_describe(&in, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "can_unplug node 2 on");
    in = panel_input_make(PANEL_IN_PV_SCALE);
    in.scale_pct = 40;
    panel_input_describe(&in, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "pv_scale 40 %");
    panel_input_describe(&in, buf, 5); /* truncates, always terminated */
    ASSERT_EQ_STR(buf, "pv_s");
    ASSERT_EQ_STR(panel_input_name((panel_input_kind_t)99), "unknown");
}

static void test_formatting(void) {
    char b[32];
    panel_fmt_volts(b, sizeof b, 52314);
    ASSERT_EQ_STR(b, "52.31 V");
    panel_fmt_amps(b, sizeof b, 12345);
    ASSERT_EQ_STR(b, "+12.34 A");
    panel_fmt_amps(b, sizeof b, -3200);
    ASSERT_EQ_STR(b, "-3.20 A");
    panel_fmt_amps(b, sizeof b, 0);
    ASSERT_EQ_STR(b, "0.00 A");
    panel_fmt_amps(b, sizeof b, INT32_MIN);
    ASSERT_EQ_STR(b, "-2147483.64 A");
    panel_fmt_watts(b, sizeof b, 850, 1);
    ASSERT_EQ_STR(b, "+850 W");
    panel_fmt_watts(b, sizeof b, -1200, 1);
    ASSERT_EQ_STR(b, "-1200 W");
    panel_fmt_watts(b, sizeof b, 12345, 0);
    ASSERT_EQ_STR(b, "12.3 kW");
    panel_fmt_time(b, sizeof b, 93784567000000LL);
    ASSERT_EQ_STR(b, "26:03:04.567");
    panel_fmt_time(b, sizeof b, -5);
    ASSERT_EQ_STR(b, "00:00:00.000");
    panel_fmt_ppm_pct(b, sizeof b, 123456);
    ASSERT_EQ_STR(b, "12.3 %");
}

void test_register(void) {
    TEST_SUITE("gui_cmd", TEST(test_gateway_commands), TEST(test_gateway_errors),
               TEST(test_selection), TEST(test_node_and_world), TEST(test_run_control),
               TEST(test_speed_ladder), TEST(test_describe), TEST(test_formatting));
}
