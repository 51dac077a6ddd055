/*
 * test_scenario_values.c: the scalar notations of the scenario format, pinned exactly:
 * durations (integer nanoseconds, no float rounding, overflow caught), probabilities (exact
 * ratios), CAN frames (identifier width, RTR, dlc), node identities and their diagnostics.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_scenario.h"
#include "test_support.h"

static char tmp_dir[512], tmp_plugin[600];
static const char *dirs[2];

static void tmp_begin(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "%s/scn_values_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(tmp_dir) != NULL);
    snprintf(tmp_plugin, sizeof tmp_plugin, "%s/fw_testnode.so", tmp_dir);
    FILE *f = fopen(tmp_plugin, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    dirs[0] = tmp_dir;
    dirs[1] = NULL;
}

static void tmp_end(void) {
    CU_ASSERT_EQUAL(remove(tmp_plugin), 0);
    CU_ASSERT_EQUAL(rmdir(tmp_dir), 0);
}

/* Loads a scenario with nodes a, b and one timeline entry; returns the diagnostic or "ok". */
static const char *load_entry(const char *entry, sim_scenario_t **out) {
    static char buf[1024];
    char text[1024];
    snprintf(text, sizeof text,
             "{\"duration\": \"10s\", \"plugin\": \"testnode\",\n"
             "\"nodes\": [{\"name\": \"a\"}, {\"name\": \"b\"}],\n"
             "\"timeline\": [\n%s]}",
             entry);
    sim_diag_t d;
    *out = NULL;
    if (sim_scenario_load_buffer("v.json", text, strlen(text), dirs, out, &d) == 0) {
        return "ok";
    }
    sim_diag_format(&d, buf, sizeof buf);
    return buf;
}

static const char *entry_diag(const char *entry) {
    sim_scenario_t *s = NULL;
    const char *r = load_entry(entry, &s);
    sim_scenario_free(s);
    return r;
}

static void test_durations(void) {
    static const struct {
        const char *text;
        int64_t ns;
    } ok[] = {
        {"1.5s", 1500000000},
        {"250us", 250000},
        {"0s", 0},
        {"01s", 1000000000},
        {"7d", 7LL * 86400 * 1000000000},
        {"1.000000001s", 1000000001},
        {"0.1s", 100000000},
        {"2.50ms", 2500000},
        {"1.5m", 90000000000},
        {"26h", 26LL * 3600 * 1000000000},
        {"0.000001ms", 1},
        {"1.00000000000000000000s", 1000000000}, /* trailing zeros are exact, however many */
        {"9223372036854775807ns", INT64_MAX},
        {"106751d", 106751LL * 86400 * 1000000000},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        sim_time_ns_t ns = -1;
        int rc = sim_parse_duration(ok[i].text, &ns);
        if (rc != 0 || ns != ok[i].ns) {
            fprintf(stderr, "\n  \"%s\"", ok[i].text);
        }
        ASSERT_EQ_I64(rc, 0);
        ASSERT_EQ_I64(ns, ok[i].ns);
    }
    static const char *const bad[] = {
        "",
        "10",
        "s",
        "-1s",
        "+1s",
        "1 s",
        "1S",
        "5 parsecs",
        "1.s",
        ".5s",
        "1e3s",
        "1.5ns",
        "0.5us1",
        "1sec",
        "1.0000000001ms",
        "9223372036854775808ns",
        "106752d",
        "99999999999999999999999s",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sim_time_ns_t ns = 42;
        int rc = sim_parse_duration(bad[i], &ns);
        if (rc != -SIM_EFORMAT) {
            fprintf(stderr, "\n  \"%s\" accepted", bad[i]);
        }
        ASSERT_EQ_I64(rc, -SIM_EFORMAT);
        ASSERT_EQ_I64(ns, 42); /* untouched on failure */
    }
}

static void test_duration_messages(void) {
    tmp_begin();
    ASSERT_EQ_STR(entry_diag("{\"at\": \"1.5ns\", \"hang\": \"a\"}"),
                  "v.json:4:8: error: /timeline/0/at: duration \"1.5ns\" is not a whole number "
                  "of nanoseconds");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"99999999999999999999d\", \"hang\": \"a\"}"),
                  "v.json:4:8: error: /timeline/0/at: duration \"99999999999999999999d\" is too "
                  "large");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"1.\", \"hang\": \"a\"}"),
                  "v.json:4:8: error: /timeline/0/at: duration \"1.\" needs digits after the "
                  "decimal point");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"10.000000001s\", \"hang\": \"a\"}"),
                  "v.json:4:8: error: /timeline/0/at: is after the end of the scenario (duration "
                  "10s)");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"10s\", \"hang\": \"a\"}"), "ok");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"1s\", \"can_stuck_dominant\": \"0ms\"}"),
                  "v.json:4:36: error: /timeline/0/can_stuck_dominant: expected a duration more "
                  "than 0");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"1s\", \"power_cycle\": \"a\", \"off_for\": 5}"),
                  "v.json:4:45: error: /timeline/0/off_for: expected a duration such as "
                  "\"500ms\", got a number");
    tmp_end();
}

/* The probability of a can_drop entry written as `p`: num/den, or the diagnostic. */
static const char *ratio_of(const char *p, uint32_t *num, uint32_t *den) {
    char entry[256];
    snprintf(entry, sizeof entry, "{\"at\": \"1s\", \"can_drop\": {\"probability\": %s}}", p);
    sim_scenario_t *s = NULL;
    const char *r = load_entry(entry, &s);
    if (s != NULL) {
        *num = s->actions[0].num;
        *den = s->actions[0].den;
    }
    sim_scenario_free(s);
    return r;
}

static void test_probabilities(void) {
    tmp_begin();
    static const struct {
        const char *p;
        uint32_t num, den;
    } ok[] = {
        {"\"1/3\"", 1, 3},
        {"\"0.25\"", 25, 100},
        {"0.25", 25, 100},
        {"0.1", 1, 10},
        {"1", 1, 1},
        {"\"1/1\"", 1, 1},
        {"\"1.0\"", 10, 10},
        {"0", 0, 0},
        {"\"0/7\"", 0, 0},
        {"0.000", 0, 0},
        {"\"0.000000001\"", 1, 1000000000},
        {"\"4294967295/4294967295\"", 4294967295u, 4294967295u},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint32_t num = 99, den = 99;
        const char *r = ratio_of(ok[i].p, &num, &den);
        if (strcmp(r, "ok") != 0) {
            fprintf(stderr, "\n  %s: %s", ok[i].p, r);
        }
        ASSERT_EQ_STR(r, "ok");
        ASSERT_EQ_U64(num, ok[i].num);
        ASSERT_EQ_U64(den, ok[i].den);
    }
    uint32_t n, d;
    const char *pre = "v.json:4:42: error: /timeline/0/can_drop/probability: probability ";
    static const struct {
        const char *p, *why;
    } bad[] = {
        {"\"3/2\"", "\"3/2\" is above 1"},
        {"1.5", "\"1.5\" is above 1"},
        {"\"1/0\"", "\"1/0\" has a zero denominator"},
        {"-0.5", "\"-0.5\" is negative"},
        {"1e-1", "\"1e-1\" is not a probability (\"1/4\", \"0.25\" or a number from 0 to 1)"},
        {"\"0.1234567891\"", "\"0.1234567891\" has more than 9 decimals"},
        {"\"1/4294967296\"", "\"1/4294967296\" is not a ratio of two whole numbers below 2^32 "
                             "(\"1/4\")"},
        {"\"2\"", "\"2\" is not a probability from 0 to 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[512];
        snprintf(want, sizeof want, "%s%s", pre, bad[i].why);
        ASSERT_EQ_STR(ratio_of(bad[i].p, &n, &d), want);
    }
    tmp_end();
}

static void test_frames(void) {
    tmp_begin();
    sim_scenario_t *s = NULL;
    const char *r =
        load_entry("{\"at\": \"1s\", \"can_send\": {\"id\": \"0x1FFFFFFF\", \"ext\": "
                   "true, \"data\": \"0102030405060708\"}},\n"
                   "{\"at\": \"2s\", \"can_send\": {\"id\": 291, \"rtr\": true, \"dlc\": "
                   "4}},\n"
                   "{\"at\": \"3s\", \"can_send\": {\"id\": \"0x7ff\"}}",
                   &s);
    ASSERT_EQ_STR(r, "ok");
    CU_ASSERT_FATAL(s != NULL && s->n_actions == 3);
    const sim_can_frame_t *f = &s->actions[0].frame;
    CU_ASSERT_TRUE(f->id == 0x1FFFFFFF && f->flags == SIM_CAN_FLAG_IDE && f->dlc == 8);
    CU_ASSERT_TRUE(f->data[0] == 1 && f->data[7] == 8);
    f = &s->actions[1].frame;
    CU_ASSERT_TRUE(f->id == 0x123 && f->flags == SIM_CAN_FLAG_RTR && f->dlc == 4);
    f = &s->actions[2].frame;
    CU_ASSERT_TRUE(f->id == 0x7FF && f->flags == 0 && f->dlc == 0);
    sim_scenario_free(s);
    const char *pre = "v.json:4:";
    char want[512];
    static const struct {
        const char *entry, *tail;
    } bad[] = {
        {"{\"at\": \"1s\", \"can_send\": {\"id\": \"0x20000000\", \"ext\": true}}",
         "33: error: /timeline/0/can_send/id: 0x20000000 is wider than 29 bits (at most "
         "0x1FFFFFFF)"},
        {"{\"at\": \"1s\", \"can_send\": {\"id\": \"0x1\", \"rtr\": true, \"data\": \"01\"}}",
         "61: error: /timeline/0/can_send/data: a remote frame (\"rtr\": true) carries no data; "
         "use \"dlc\" for the requested length"},
        {"{\"at\": \"1s\", \"can_send\": {\"id\": \"0x1\", \"data\": \"0102\", \"dlc\": 1}}",
         "63: error: /timeline/0/can_send/dlc: dlc 1 is less than the 2 data bytes"},
        {"{\"at\": \"1s\", \"can_send\": {\"id\": \"0x1\", \"data\": \"012\"}}",
         "48: error: /timeline/0/can_send/data: expected hex bytes such as \"0102A0FF\" (two "
         "digits each)"},
        {"{\"at\": \"1s\", \"can_send\": {\"id\": \"123\"}}",
         "33: error: /timeline/0/can_send/id: expected a hex string such as \"0x123\" or an "
         "integer"},
        {"{\"at\": \"1s\", \"can_send\": {\"data\": \"01\"}}",
         "26: error: /timeline/0/can_send/id: missing required key (expected a CAN identifier "
         "such as \"0x123\")"},
        {"{\"at\": \"1s\", \"can_babble\": {\"node\": \"a\", \"for\": \"0s\"}}",
         "49: error: /timeline/0/can_babble/for: expected a duration more than 0 (omit \"for\" "
         "to keep it on)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(want, sizeof want, "%s%s", pre, bad[i].tail);
        ASSERT_EQ_STR(entry_diag(bad[i].entry), want);
    }
    tmp_end();
}

static const char *nodes_diag(const char *nodes) {
    static char buf[1024];
    char text[1024];
    snprintf(text, sizeof text, "{\"duration\": \"10s\", \"plugin\": \"testnode\",\n\"nodes\": %s}",
             nodes);
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    if (sim_scenario_load_buffer("n.json", text, strlen(text), dirs, &s, &d) == 0) {
        sim_scenario_free(s);
        return "ok";
    }
    sim_diag_format(&d, buf, sizeof buf);
    return buf;
}

static void test_nodes(void) {
    tmp_begin();
    ASSERT_EQ_STR(nodes_diag("[{\"name\": \"abcdefghijklmnopqrstuvwxyz01234\"}]"), "ok");
    ASSERT_EQ_STR(nodes_diag("[{\"name\": \"abcdefghijklmnopqrstuvwxyz012345\"}]"),
                  "n.json:2:20: error: /nodes/0/name: expected a node name of 1 to 31 letters, "
                  "digits, '_', '.' or '-'");
    /* An explicit MAC equal to another node's default one. */
    ASSERT_EQ_STR(
        nodes_diag("[{\"name\": \"a\", \"mac\": \"24:6F:28:00:00:02\"}, {\"name\": \"b\"}]"),
        "n.json:2:54: error: /nodes/1/mac: default MAC 24:6F:28:00:00:02 is already "
        "used by /nodes/0; give \"mac\" explicitly");
    ASSERT_EQ_STR(nodes_diag("[{\"name\": \"a\", \"powered\": false, \"power_on\": \"1s\"}]"),
                  "n.json:2:55: error: /nodes/0/power_on: conflicts with \"powered\": false (the "
                  "node waits for a power_on action); remove one of them");
    ASSERT_EQ_STR(nodes_diag("[{\"name\": \"a\", \"power_on\": \"11s\"}]"),
                  "n.json:2:37: error: /nodes/0/power_on: is after the end of the scenario "
                  "(duration 10s)");
    ASSERT_EQ_STR(nodes_diag("[{\"name\": \"a\", \"powered\": 1}]"),
                  "n.json:2:36: error: /nodes/0/powered: expected true or false, got a number");
    ASSERT_EQ_STR(nodes_diag("[\"a\"]"),
                  "n.json:2:11: error: /nodes/0: expected a node object such as {\"name\": "
                  "\"pack1\"}, got a string");
    ASSERT_EQ_STR(nodes_diag("[{\"name\": \"a\", \"nmae\": \"b\"}]"),
                  "n.json:2:25: error: /nodes/0/nmae: unknown key; did you mean \"name\"?");
    tmp_end();
}

/* Keys and values that would break a one-line diagnostic are escaped. */
static void test_messages_stay_on_one_line(void) {
    tmp_begin();
    ASSERT_EQ_STR(entry_diag("{\"at\": \"1s\", \"hang\": \"x\\ny\"}"),
                  "v.json:4:22: error: /timeline/0/hang: unknown node \"x\\ny\" (nodes: a, b)");
    ASSERT_EQ_STR(entry_diag("{\"at\": \"1s\", \"hang\": \"a\", \"a/b~\\t\": 1}"),
                  "v.json:4:27: error: /timeline/0/a~1b~0\\u0009: unknown key (expected one of: "
                  "at, can_send, power_off, power_on, power_cycle, can_drop, can_corrupt, "
                  "can_unplug, can_plug, can_stuck_dominant, can_babble, hang, ...)");
    tmp_end();
}

void test_register(void) {
    TEST_SUITE("scenario_values", TEST(test_durations), TEST(test_duration_messages),
               TEST(test_probabilities), TEST(test_frames), TEST(test_nodes),
               TEST(test_messages_stay_on_one_line));
}
