/*
 * test_scenario_load.c: loading valid scenarios (every action kind, defaults, ordering, plugin
 * lookup, the bundled test scenarios) and the diagnostics whose position needs care: line:col
 * with tabs, UTF-8 and CRLF, and duplicate keys, which cJSON itself accepts.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sim_scenario.h"
#include "test_support.h"

#define MAX_TMP_FILES 16

static char tmp_dir[512];
static char tmp_files[MAX_TMP_FILES][600]; /* created under tmp_dir, removed in reverse order */
static size_t n_tmp_files;
static const char *dirs[2];

static void tmp_add(const char *rel, bool is_dir) {
    CU_ASSERT_FATAL(n_tmp_files < MAX_TMP_FILES);
    char *p = tmp_files[n_tmp_files++];
    snprintf(p, sizeof tmp_files[0], "%s/%s", tmp_dir, rel);
    if (is_dir) {
        CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
    } else {
        FILE *f = fopen(p, "w");
        CU_ASSERT_FATAL(f != NULL);
        fclose(f);
    }
}

/* A fresh plugin directory holding an empty fw_testnode.so. */
static void tmp_begin(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "%s/scn_load_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(tmp_dir) != NULL);
    n_tmp_files = 0;
    tmp_add("fw_testnode.so", false);
    dirs[0] = tmp_dir;
    dirs[1] = NULL;
}

static void tmp_end(void) {
    while (n_tmp_files > 0) {
        CU_ASSERT_EQUAL(remove(tmp_files[--n_tmp_files]), 0);
    }
    CU_ASSERT_EQUAL(rmdir(tmp_dir), 0);
}

static int load(const char *text, sim_scenario_t **s, sim_diag_t *d) {
    return sim_scenario_load_buffer("t/test.json", text, strlen(text), dirs, s, d);
}

/* The formatted diagnostic of loading text, or "ok". */
static const char *diag_of(const char *text) {
    static char buf[1024];
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    if (load(text, &s, &d) == 0) {
        sim_scenario_free(s);
        return "ok";
    }
    sim_diag_format(&d, buf, sizeof buf);
    return buf;
}

static const char full_text[] =
    "{\n"
    "  \"name\": \"two_packs\", \"description\": \"every verb\", \"seed\": \"0x5eed\",\n"
    "  \"duration\": \"60s\", \"plugin\": \"testnode\",\n"
    "  \"bus\": {\"name\": \"can1\", \"bitrate\": 250000},\n"
    "  \"nodes\": [{\"name\": \"pack1\", \"mac\": \"24:6f:28:aa:bb:01\", \"power_on\": \"10ms\"},\n"
    "            {\"name\": \"pack2\", \"powered\": false}],\n"
    "  \"timeline\": [\n"
    "    {\"at\": \"2s\", \"can_send\": {\"id\": \"0x123\", \"data\": \"0102\"}},\n"
    "    {\"at\": \"5s\", \"power_off\": \"pack1\"},\n"
    "    {\"at\": \"6s\", \"power_on\": \"pack2\"},\n"
    "    {\"at\": \"7s\", \"power_cycle\": \"pack2\", \"off_for\": \"500ms\"},\n"
    "    {\"at\": \"8s\", \"can_drop\": {\"id\": \"0x100\", \"mask\": \"0x700\", \"probability\": "
    "\"1/4\"}},\n"
    "    {\"at\": \"9s\", \"can_corrupt\": {\"id\": 256, \"probability\": 0.5}},\n"
    "    {\"at\": \"9s\", \"can_unplug\": \"pack1\"},\n"
    "    {\"at\": \"9s\", \"can_plug\": \"pack1\"},\n"
    "    {\"at\": \"1s\", \"can_stuck_dominant\": \"50ms\"},\n"
    "    {\"at\": \"3s\", \"can_babble\": {\"node\": \"pack2\", \"id\": \"0x000\", \"data\": \"\", "
    "\"for\": \"100ms\"}},\n"
    "    {\"at\": \"4s\", \"hang\": \"pack1\"}\n"
    "  ]\n"
    "}\n";

static void check_full_header(const sim_scenario_t *s) {
    ASSERT_EQ_STR(s->name, "two_packs");
    ASSERT_EQ_STR(s->description, "every verb");
    ASSERT_EQ_STR(s->path, "t/test.json");
    ASSERT_EQ_STR(s->dir, "t");
    ASSERT_EQ_STR(s->sha256, "");
    ASSERT_EQ_U64(s->seed, 0x5eed);
    ASSERT_EQ_I64(s->duration_ns, 60 * SIM_NS_PER_S);
    ASSERT_EQ_STR(s->bus_name, "can1");
    ASSERT_EQ_U64(s->bus_bitrate_bps, 250000);
    ASSERT_EQ_U64(s->n_nodes, 2);
    const uint8_t mac1[6] = {0x24, 0x6F, 0x28, 0xAA, 0xBB, 0x01};
    CU_ASSERT_EQUAL(memcmp(s->nodes[0].mac, mac1, 6), 0);
    ASSERT_EQ_I64(s->nodes[0].power_on_ns, 10 * SIM_NS_PER_MS);
    CU_ASSERT_TRUE(s->nodes[0].powered_at_start);
    CU_ASSERT_FALSE(s->nodes[1].powered_at_start);
    ASSERT_EQ_I64(s->nodes[1].mac[5], 2); /* default 24:6F:28:00:00:<index+1> */
}

/* Each action, in the sorted order: kind, time, node, on. */
static const struct {
    sim_scn_action_kind_t kind;
    int64_t at_ms;
    int node;
    bool on;
    unsigned line;
} full_order[] = {
    {SIM_ACT_CAN_STUCK, 1000, -1, true, 16},    {SIM_ACT_CAN_STUCK, 1050, -1, false, 16},
    {SIM_ACT_CAN_SEND, 2000, -1, false, 8},     {SIM_ACT_CAN_BABBLE, 3000, 1, true, 17},
    {SIM_ACT_CAN_BABBLE, 3100, 1, false, 17},   {SIM_ACT_HANG, 4000, 0, true, 18},
    {SIM_ACT_POWER_OFF, 5000, 0, false, 9},     {SIM_ACT_POWER_ON, 6000, 1, true, 10},
    {SIM_ACT_POWER_CYCLE, 7000, 1, false, 11},  {SIM_ACT_CAN_DROP, 8000, -1, false, 12},
    {SIM_ACT_CAN_CORRUPT, 9000, -1, false, 13}, {SIM_ACT_CAN_UNPLUG, 9000, 0, true, 14},
    {SIM_ACT_CAN_UNPLUG, 9000, 0, false, 15},
};

static void test_full_file(void) {
    tmp_begin();
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    ASSERT_EQ_I64(load(full_text, &s, &d), 0);
    CU_ASSERT_FATAL(s != NULL);
    check_full_header(s);
    size_t n = sizeof full_order / sizeof full_order[0];
    ASSERT_EQ_U64(s->n_actions, n);
    for (size_t i = 0; i < n && i < s->n_actions; i++) {
        const sim_scn_action_t *a = &s->actions[i];
        ASSERT_EQ_I64(a->kind, full_order[i].kind);
        ASSERT_EQ_I64(a->at_ns, full_order[i].at_ms * SIM_NS_PER_MS);
        ASSERT_EQ_I64(a->node, full_order[i].node);
        ASSERT_EQ_I64(a->on, full_order[i].on);
        ASSERT_EQ_I64(a->line, full_order[i].line);
    }
    const sim_scn_action_t *a = s->actions;
    ASSERT_EQ_U64(a[2].frame.id, 0x123);
    ASSERT_EQ_U64(a[2].frame.dlc, 2);
    ASSERT_EQ_U64(a[2].frame.flags, 0);
    CU_ASSERT_TRUE(a[2].frame.data[0] == 1 && a[2].frame.data[1] == 2 && a[2].frame.data[2] == 0);
    ASSERT_EQ_U64(a[3].frame.id, 0);
    ASSERT_EQ_U64(a[3].frame.dlc, 0);
    ASSERT_EQ_I64(a[8].off_ns, 500 * SIM_NS_PER_MS);
    CU_ASSERT_TRUE(a[9].match_id == 0x100 && a[9].match_mask == 0x700);
    CU_ASSERT_TRUE(a[9].num == 1 && a[9].den == 4);
    /* An identifier without a mask means exactly that identifier. */
    CU_ASSERT_TRUE(a[10].match_id == 0x100 && a[10].match_mask == SIM_CAN_EXT_ID_MASK);
    CU_ASSERT_TRUE(a[10].num == 5 && a[10].den == 10);
    ASSERT_EQ_I64(sim_scenario_node_index(s, "pack2"), 1);
    ASSERT_EQ_I64(sim_scenario_node_index(s, "pack9"), -1);
    sim_scenario_free(s);
    tmp_end();
}

static void test_defaults(void) {
    tmp_begin();
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    const char *text =
        "{\"duration\": \"1.5s\", \"plugin\": \"testnode\", \"nodes\": "
        "[{\"name\": \"a\"}, {\"name\": \"b\"}], \"timeline\": ["
        "{\"at\": \"0s\", \"power_cycle\": \"b\"},"
        "{\"at\": \"1s\", \"can_drop\": {}},"
        "{\"at\": \"1s\", \"can_send\": {\"id\": 5, \"data\": \"AABB\", \"dlc\": 8}}]}";
    ASSERT_EQ_I64(load(text, &s, &d), 0);
    CU_ASSERT_FATAL(s != NULL);
    ASSERT_EQ_STR(s->name, "test"); /* the file's basename without .json */
    CU_ASSERT_PTR_NULL(s->description);
    ASSERT_EQ_U64(s->seed, 1);
    ASSERT_EQ_I64(s->duration_ns, 1500000000);
    ASSERT_EQ_STR(s->bus_name, "can0");
    ASSERT_EQ_U64(s->bus_bitrate_bps, 500000);
    const uint8_t mac_b[6] = {0x24, 0x6F, 0x28, 0x00, 0x00, 0x02};
    CU_ASSERT_EQUAL(memcmp(s->nodes[1].mac, mac_b, 6), 0);
    CU_ASSERT_TRUE(s->nodes[0].powered_at_start && s->nodes[0].power_on_ns == 0);
    ASSERT_EQ_STR(s->nodes[0].plugin, s->nodes[1].plugin);
    ASSERT_EQ_U64(s->n_actions, 3);
    ASSERT_EQ_I64(s->actions[0].off_ns, SIM_NS_PER_S);
    const sim_scn_action_t *drop = &s->actions[1];
    CU_ASSERT_TRUE(drop->match_mask == 0 && drop->num == 1 && drop->den == 1);
    const sim_can_frame_t *f = &s->actions[2].frame;
    CU_ASSERT_TRUE(f->id == 5 && f->dlc == 8 && f->data[0] == 0xAA && f->data[1] == 0xBB);
    CU_ASSERT_TRUE(f->data[2] == 0 && f->data[7] == 0); /* dlc pads with zero bytes */
    sim_scenario_free(s);
    tmp_end();
}

static void test_same_time_keeps_file_order(void) {
    tmp_begin();
    char text[4096];
    int n = snprintf(text, sizeof text,
                     "{\"duration\": \"10s\", \"plugin\": \"testnode\", "
                     "\"nodes\": [{\"name\": \"a\"}], \"timeline\": [");
    /* Ten actions at 3 s interleaved with ones at 1 s and 2 s: the 3 s ones keep their order. */
    for (int i = 0; i < 30; i++) {
        n +=
            snprintf(text + n, sizeof text - (size_t)n,
                     "%s{\"at\": \"%ds\", \"can_send\": {\"id\": %d}}", i ? "," : "", 3 - i % 3, i);
    }
    snprintf(text + n, sizeof text - (size_t)n, "]}");
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    ASSERT_EQ_I64(load(text, &s, &d), 0);
    CU_ASSERT_FATAL(s != NULL && s->n_actions == 30);
    for (size_t i = 0; i < 30; i++) {
        size_t group = i / 10, k = i % 10; /* 1 s: ids 2, 5, ...; 2 s: 1, 4, ...; 3 s: 0, 3 */
        ASSERT_EQ_I64(s->actions[i].at_ns, (int64_t)(group + 1) * SIM_NS_PER_S);
        ASSERT_EQ_U64(s->actions[i].frame.id, 3 * k + (2 - group));
    }
    sim_scenario_free(s);
    tmp_end();
}

static void test_seed_forms(void) {
    tmp_begin();
    static const struct {
        const char *seed;
        uint64_t want;
    } ok[] = {{"0", 0},
              {"9007199254740992", 9007199254740992ull},
              {"\"0xFFFFFFFFFFFFFFFF\"", UINT64_MAX},
              {"\"0X0a\"", 10}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"seed\": %s, \"duration\": \"1s\", \"plugin\": \"testnode\", \"nodes\": "
                 "[{\"name\": \"a\"}]}",
                 ok[i].seed);
        sim_scenario_t *s = NULL;
        sim_diag_t d;
        ASSERT_EQ_I64(load(text, &s, &d), 0);
        if (s != NULL) {
            ASSERT_EQ_U64(s->seed, ok[i].want);
        }
        sim_scenario_free(s);
    }
    /* 2^53 + 1 is not representable as a double: read from the text, it is out of range. */
    const char *bad = "{\"seed\": 9007199254740993, \"duration\": \"1s\", \"nodes\": []}";
    ASSERT_EQ_STR(diag_of(bad), "t/test.json:1:10: error: /seed: expected an integer from 0 to "
                                "9007199254740992 (2^53), or a hex string such as \"0x5eed\"");
    ASSERT_EQ_STR(diag_of("{\"seed\": 1.5, \"duration\": \"1s\", \"nodes\": []}"),
                  "t/test.json:1:10: error: /seed: expected an integer from 0 to "
                  "9007199254740992 (2^53), or a hex string such as \"0x5eed\"");
    ASSERT_EQ_STR(diag_of("{\"seed\": \"0x\", \"duration\": \"1s\", \"nodes\": []}"),
                  "t/test.json:1:10: error: /seed: expected a hex string of 1 to 16 digits such "
                  "as \"0x5eed\"");
    tmp_end();
}

static const char *plugin_doc(char *buf, size_t cap, const char *top, const char *node) {
    snprintf(buf, cap,
             "{\"duration\": \"1s\", %s \"nodes\": [{\"name\": \"a\"}, {\"name\": \"b\"%s}]}", top,
             node);
    return buf;
}

static void test_plugin_lookup(void) {
    tmp_begin();
    tmp_add("second", true);
    tmp_add("second/fw_x.so", false);
    tmp_add("second/fw_testnode.so", false);
    tmp_add("fw_y.so", false);
    tmp_add("fw_dir.so", true);
    char second[600], text[512], want[700];
    snprintf(second, sizeof second, "%s/second", tmp_dir);
    const char *two[] = {tmp_dir, second, NULL};
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    /* x only in the second directory; the node override y in the first; testnode in both. */
    plugin_doc(text, sizeof text, "\"plugin\": \"x\",", ", \"plugin\": \"y\"");
    ASSERT_EQ_I64(sim_scenario_load_buffer("t.json", text, strlen(text), two, &s, &d), 0);
    CU_ASSERT_FATAL(s != NULL);
    snprintf(want, sizeof want, "%s/fw_x.so", second);
    ASSERT_EQ_STR(s->nodes[0].plugin, want);
    snprintf(want, sizeof want, "%s/fw_y.so", tmp_dir);
    ASSERT_EQ_STR(s->nodes[1].plugin, want);
    sim_scenario_free(s);
    plugin_doc(text, sizeof text, "\"plugin\": \"testnode\",", "");
    ASSERT_EQ_I64(sim_scenario_load_buffer("t.json", text, strlen(text), two, &s, &d), 0);
    snprintf(want, sizeof want, "%s/fw_testnode.so", tmp_dir); /* the first directory wins */
    ASSERT_EQ_STR(s != NULL ? s->nodes[0].plugin : NULL, want);
    sim_scenario_free(s);
    /* A directory named like a plugin is not one; no directories at all finds nothing. */
    plugin_doc(text, sizeof text, "\"plugin\": \"dir\",", "");
    ASSERT_EQ_I64(sim_scenario_load_buffer("t.json", text, strlen(text), two, &s, &d), -SIM_ENOENT);
    ASSERT_EQ_I64(d.exit_code, 66);
    ASSERT_EQ_STR(d.message, "/plugin: plugin \"dir\" not found (no readable fw_dir.so in the "
                             "plugin directories)");
    plugin_doc(text, sizeof text, "\"plugin\": \"testnode\",", "");
    ASSERT_EQ_I64(sim_scenario_load_buffer("t.json", text, strlen(text), NULL, &s, &d),
                  -SIM_ENOENT);
    CU_ASSERT_PTR_NULL(s);
    tmp_end();
}

/* A plugin path with '/' is relative to the scenario's own directory. */
static void test_plugin_path_relative_to_file(void) {
    tmp_begin();
    tmp_add("sub", true);
    tmp_add("sub/fw_z.so", false);
    tmp_add("sc.json", false);
    char path[600], want[700];
    snprintf(path, sizeof path, "%s/sc.json", tmp_dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{\"duration\": \"1s\", \"plugin\": \"sub/fw_z.so\", \"nodes\": [{\"name\": \"a\", "
          "\"plugin\": \"sub/missing.so\"}]}",
          f);
    fclose(f);
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    ASSERT_EQ_I64(sim_scenario_load(path, NULL, &s, &d), -SIM_ENOENT);
    snprintf(want, sizeof want,
             "/nodes/0/plugin: cannot read plugin \"%s/sub/missing.so\": No such file or "
             "directory",
             tmp_dir);
    ASSERT_EQ_STR(d.message, want);
    ASSERT_EQ_I64(d.exit_code, 66);
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("{\"duration\": \"1s\", \"plugin\": \"sub/fw_z.so\", \"nodes\": [{\"name\": \"a\"}]}", f);
    fclose(f);
    ASSERT_EQ_I64(sim_scenario_load(path, NULL, &s, &d), 0);
    snprintf(want, sizeof want, "%s/sub/fw_z.so", tmp_dir);
    ASSERT_EQ_STR(s != NULL ? s->nodes[0].plugin : NULL, want);
    ASSERT_EQ_STR(s != NULL ? s->name : NULL, "sc");
    ASSERT_EQ_STR(s != NULL ? s->dir : NULL, tmp_dir);
    sim_scenario_free(s);
    tmp_end();
}

static void test_line_col(void) {
    tmp_begin();
    /* Tabs advance to the next multiple of 8 plus 1: col 1 -> 9; " \t \t" -> 2, 9, 10, 17. */
    ASSERT_EQ_STR(diag_of("{\n\t\"bogus\": 1}"),
                  "t/test.json:2:9: error: /bogus: unknown key (expected one of: name, "
                  "description, seed, duration, plugin, board, environment, bus, nodes, "
                  "timeline, assertions)");
    ASSERT_EQ_STR(diag_of("{\n \t \t\"nodes\": 1}"),
                  "t/test.json:1:1: error: /duration: missing required key (expected a duration "
                  "such as \"60s\")");
    ASSERT_EQ_STR(diag_of("{\"duration\": \"1s\",\n \t \t\"nodes\": 1}"),
                  "t/test.json:2:26: error: /nodes: expected an array of 1 to 127 node objects, "
                  "got a number");
    /* A multi-byte UTF-8 character is one column; CR is an ordinary byte before LF. */
    ASSERT_EQ_STR(diag_of("{\"description\": \"h\xC3\xA9llo\", \"nodes\": [], \"duration\": 5}"),
                  "t/test.json:1:51: error: /duration: expected a duration such as \"60s\", got a "
                  "number");
    ASSERT_EQ_STR(diag_of("{\r\n\"duration\": 5, \"nodes\": []}"),
                  "t/test.json:2:13: error: /duration: expected a duration such as \"60s\", got a "
                  "number");
    ASSERT_EQ_STR(diag_of("{\"duration\": \"1s\",\n  \"nodes\": ["),
                  "t/test.json:2:13: error: invalid JSON: expected a value but found end of input");
    tmp_end();
}

static void test_duplicate_keys(void) {
    tmp_begin();
    /* Keys compare after unescaping: "dur\u0061tion" is "duration". */
    ASSERT_EQ_STR(diag_of("{\"duration\": \"1s\",\n \"dur\\u0061tion\": \"2s\"}"),
                  "t/test.json:2:2: error: /duration: duplicate key (first defined at 1:2)");
    /* The earliest duplicate in the file wins, nested or not. */
    ASSERT_EQ_STR(diag_of("{\"duration\": \"1s\", \"bus\": {\"name\": \"a\", \"name\": \"b\"}, "
                          "\"duration\": \"2s\"}"),
                  "t/test.json:1:41: error: /bus/name: duplicate key (first defined at 1:28)");
    ASSERT_EQ_STR(diag_of("{\"duration\": \"1s\", \"duration\": {\"a\": 1, \"a\": 2}}"),
                  "t/test.json:1:20: error: /duration: duplicate key (first defined at 1:2)");
    ASSERT_EQ_STR(diag_of("{\"nodes\": [{\"name\": \"a\"}, {\"name\": \"b\", \"name\": \"c\"}]}"),
                  "t/test.json:1:41: error: /nodes/1/name: duplicate key (first defined at 1:28)");
    /* Many members: found by sorting, not by comparing every pair. */
    size_t cap = 200000, n = 0;
    char *big = malloc(cap);
    CU_ASSERT_FATAL(big != NULL);
    n += (size_t)snprintf(big, cap, "{");
    for (int i = 0; i < 5000; i++) {
        n += (size_t)snprintf(big + n, cap - n, "\"k%d\": %d, ", i, i);
    }
    snprintf(big + n, cap - n, "\"k17\": 0}");
    char want[128];
    snprintf(want, sizeof want,
             "t/test.json:1:%zu: error: /k17: duplicate key (first defined at 1:%zu)", n + 1,
             (size_t)(strstr(big, "\"k17\"") - big) + 1);
    ASSERT_EQ_STR(diag_of(big), want);
    free(big);
    tmp_end();
}

static void test_missing_file(void) {
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    char buf[1024];
    ASSERT_EQ_I64(sim_scenario_load("no/such/file.json", NULL, &s, &d), -SIM_ENOENT);
    CU_ASSERT_PTR_NULL(s);
    sim_diag_format(&d, buf, sizeof buf);
    ASSERT_EQ_STR(buf, "no/such/file.json: error: cannot read: No such file or directory");
    ASSERT_EQ_I64(d.exit_code, 66);
    ASSERT_EQ_I64(d.line, 0);
    ASSERT_EQ_I64(sim_scenario_load(SIM_SOURCE_DIR, NULL, &s, &d), -SIM_ENOENT);
    sim_diag_format(&d, buf, sizeof buf);
    ASSERT_EQ_STR(strstr(buf, ": error: "), ": error: cannot read: Is a directory");
}

static void test_bundled_scenarios(void) {
    tmp_begin();
    static const struct {
        const char *file;
        size_t nodes, actions;
        int64_t duration_s;
    } want[] = {{"two_nodes", 2, 2, 10},
                {"lone_node", 1, 0, 2},
                {"three_nodes_faults", 3, 6, 10},
                {"many_nodes", 127, 0, 5}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[600], buf[1024];
        snprintf(path, sizeof path, "%s/scenarios/test/%s.json", SIM_SOURCE_DIR, want[i].file);
        sim_scenario_t *s = NULL;
        sim_diag_t d;
        int rc = sim_scenario_load(path, dirs, &s, &d);
        if (rc != 0) {
            sim_diag_format(&d, buf, sizeof buf);
            fprintf(stderr, "\n  %s\n", buf);
        }
        CU_ASSERT_FATAL(rc == 0 && s != NULL);
        ASSERT_EQ_STR(s->name, want[i].file);
        ASSERT_EQ_U64(s->n_nodes, want[i].nodes);
        ASSERT_EQ_U64(s->n_actions, want[i].actions);
        ASSERT_EQ_I64(s->duration_ns, want[i].duration_s * SIM_NS_PER_S);
        for (size_t k = 0; k < s->n_nodes; k++) {
            /* testnode derives its node number from mac[5] & 0x7F: unique and non-zero. */
            ASSERT_EQ_I64(s->nodes[k].mac[5] & 0x7F, (int64_t)k + 1);
        }
        sim_scenario_free(s);
    }
    tmp_end();
}

static void test_buffer_is_not_read_past_len(void) {
    tmp_begin();
    const char *text = "{\"duration\": \"1s\", \"plugin\": \"testnode\", \"nodes\": [{\"name\": "
                       "\"a\"}]} trailing bytes not passed";
    size_t len = (size_t)(strstr(text, "]}") - text) + 2;
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    ASSERT_EQ_I64(sim_scenario_load_buffer("b.json", text, len, dirs, &s, &d), 0);
    sim_scenario_free(s);
    ASSERT_EQ_I64(sim_scenario_load_buffer("b.json", text, len + 9, dirs, &s, &d), -SIM_EFORMAT);
    ASSERT_EQ_STR(d.message, "invalid JSON: unexpected 'trailing' after the end of the JSON "
                             "document");
    tmp_end();
}

/* cJSON skips a UTF-8 BOM and treats every control byte as whitespace; positions must agree. */
static void test_bom_and_control_whitespace(void) {
    tmp_begin();
    ASSERT_EQ_STR(diag_of("\xEF\xBB\xBF{\"duration\": \"1s\", \"plugin\": \"testnode\", "
                          "\"nodes\": [{\"name\": \"a\"}]}"),
                  "ok");
    ASSERT_EQ_STR(diag_of("{\"duration\":\x01\x1f \"1s\",\x0b\"plugin\": \"testnode\", \"nodes\": "
                          "[{\"name\": \"a\"}], \"x\": 1}"),
                  "t/test.json:1:70: error: /x: unknown key (expected one of: name, description, "
                  "seed, duration, plugin, board, environment, bus, nodes, timeline, "
                  "assertions)");
    tmp_end();
}

static long allocs_left; /* cJSON allocations that still succeed */

static void *failing_malloc(size_t n) {
    if (allocs_left <= 0) {
        return NULL;
    }
    allocs_left--;
    return malloc(n);
}

/* cJSON running out of memory is reported as such (exit 70), never as a syntax error. */
static void test_parser_out_of_memory(void) {
    tmp_begin();
    bool failed = false, loaded = false;
    for (long budget = 0; budget < 200 && !loaded; budget++) {
        cJSON_Hooks hooks = {.malloc_fn = failing_malloc, .free_fn = free};
        cJSON_InitHooks(&hooks);
        allocs_left = budget;
        sim_scenario_t *s = NULL;
        sim_diag_t d;
        int rc = load(full_text, &s, &d);
        cJSON_InitHooks(NULL);
        if (rc == 0) {
            loaded = true;
            sim_scenario_free(s);
            continue;
        }
        failed = true;
        ASSERT_EQ_I64(rc, -SIM_ENOMEM);
        ASSERT_EQ_I64(d.exit_code, 70);
        ASSERT_EQ_STR(d.message, "out of memory");
    }
    CU_ASSERT_TRUE(failed && loaded);
    tmp_end();
}

static void test_action_names(void) {
    ASSERT_EQ_STR(sim_scn_action_name(SIM_ACT_CAN_SEND), "can_send");
    ASSERT_EQ_STR(sim_scn_action_name(SIM_ACT_CAN_STUCK), "can_stuck_dominant");
    ASSERT_EQ_STR(sim_scn_action_name(SIM_ACT_HANG), "hang");
    ASSERT_EQ_STR(sim_scn_action_name((sim_scn_action_kind_t)0), "unknown");
    ASSERT_EQ_STR(sim_scn_action_name((sim_scn_action_kind_t)99), "unknown");
}

void test_register(void) {
    TEST_SUITE("scenario_load", TEST(test_full_file), TEST(test_defaults),
               TEST(test_same_time_keeps_file_order), TEST(test_seed_forms),
               TEST(test_plugin_lookup), TEST(test_plugin_path_relative_to_file),
               TEST(test_line_col), TEST(test_duplicate_keys), TEST(test_missing_file),
               TEST(test_bundled_scenarios), TEST(test_buffer_is_not_read_past_len),
               TEST(test_bom_and_control_whitespace), TEST(test_parser_out_of_memory),
               TEST(test_action_names));
}
