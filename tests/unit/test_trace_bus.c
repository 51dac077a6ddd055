/*
 * The trace attached to a real virtual CAN bus: frames land in bus.log when receivers take them,
 * ACK errors of a lone node become Linux error frames, and controller state changes go to
 * events.jsonl as "can_state" lines with the matching CRTL/BUSOFF/RESTARTED error frames.
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_trace.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_bus"

typedef struct {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_can_ctrl_t *a, *b;
    sim_trace_t *t;
    char dir[256];
} rig_t;

static void rig_up(rig_t *r, const char *name, bool auto_recover) {
    memset(r, 0, sizeof *r);
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    snprintf(r->dir, sizeof r->dir, TMP_ROOT "/%s", name);
    ASSERT_EQ_I64(sim_kernel_create(1, &r->k), 0);
    sim_can_bus_cfg_t bc = {.name = "can0", .bitrate_bps = 500000};
    ASSERT_EQ_I64(sim_can_bus_create(r->k, &bc, &r->bus), 0);
    ASSERT_EQ_I64(sim_trace_open(r->dir, NULL, &r->t, NULL, 0), 0);
    ASSERT_EQ_I64(sim_trace_attach_bus(r->t, r->bus), 0);
    sim_can_ctrl_cfg_t ca = {.name = "pack1", .auto_recover = auto_recover};
    sim_can_ctrl_cfg_t cb = {.name = "pack2"};
    ASSERT_EQ_I64(sim_can_ctrl_attach(r->bus, &ca, NULL, NULL, &r->a), 0);
    ASSERT_EQ_I64(sim_can_ctrl_attach(r->bus, &cb, NULL, NULL, &r->b), 0);
    ASSERT_EQ_I64(sim_can_ctrl_start(r->a), 0);
}

/* Closes everything; returns bus.log and (through ev) events.jsonl. */
static char *rig_down(rig_t *r, char **ev) {
    ASSERT_EQ_I64(sim_trace_close(r->t, true), 0);
    sim_trace_free(r->t);
    sim_can_ctrl_detach(r->a);
    sim_can_ctrl_detach(r->b);
    sim_can_bus_destroy(r->bus);
    sim_kernel_destroy(r->k);
    char path[400];
    snprintf(path, sizeof path, "%s/events.jsonl", r->dir);
    *ev = test_slurp(path);
    snprintf(path, sizeof path, "%s/bus.log", r->dir);
    return test_slurp(path);
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; p != NULL && (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

static void test_frames_logged_when_received(void) {
    rig_t r;
    rig_up(&r, "frames", false);
    ASSERT_EQ_I64(sim_can_ctrl_start(r.b), 0);
    sim_can_frame_t f = {.id = 0x351, .dlc = 2, .data = {0xAB, 0x01}};
    ASSERT_EQ_I64(sim_can_ctrl_send(r.a, &f), 0);
    sim_can_frame_t g = {.id = 0x18FF50E5, .flags = SIM_CAN_FLAG_IDE, .dlc = 0};
    ASSERT_EQ_I64(sim_can_ctrl_send(r.b, &g), 0);
    sim_kernel_run_until(r.k, 10 * SIM_NS_PER_MS);
    char *ev;
    char *log = rig_down(&r, &ev);
    /* The first frame is stamped when its receivers take it, at the end of its last but one
     * EOF bit: 4 bits (the last EOF bit and the intermission) before the end of its bits
     * (stuffing included), at 2 us per bit. */
    uint64_t bits = sim_can_frame_bits(&f);
    char expect[128];
    snprintf(expect, sizeof expect, "(0000000000.%06llu) can0 351#AB01\n",
             (unsigned long long)((bits - 4) * 2));
    CU_ASSERT_EQUAL(strncmp(log, expect, strlen(expect)), 0);
    if (strncmp(log, expect, strlen(expect)) != 0) {
        fprintf(stderr, "\n  got %s  want %s", log, expect);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(log, " can0 18FF50E5#\n"));
    ASSERT_EQ_U64(count(log, "\n"), 2);
    /* Two starts: can_state lines, but no error frame for a start. */
    ASSERT_EQ_U64(count(ev, "\"type\":\"can_state\""), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(ev,
                                  "\"node\":\"pack1\",\"bus\":\"can0\",\"state\":\"error_active\","
                                  "\"prev\":\"stopped\",\"tec\":0,\"rec\":0}"));
    free(log);
    free(ev);
}

/* Alone on the bus, a sender sees only ACK errors and climbs to error-passive, never bus-off. */
static void test_lone_node_ack_errors(void) {
    rig_t r;
    rig_up(&r, "lone", false);
    sim_can_frame_t f = {.id = 0x123, .dlc = 1, .data = {0x42}};
    ASSERT_EQ_I64(sim_can_ctrl_send(r.a, &f), 0);
    sim_kernel_run_until(r.k, 20 * SIM_NS_PER_MS);
    char *ev;
    char *log = rig_down(&r, &ev);
    CU_ASSERT_PTR_NULL(strstr(log, " can0 123#42\n")); /* never completed */
    /* ACK errors: PROT | ACK | BUSERROR, with the ACK slot (0x19) as the location in data[3]. */
    CU_ASSERT_TRUE(count(log, " can0 200000A8#0000001900000000\n") >= 16);
    ASSERT_EQ_U64(count(log, " can0 200000A0#"), 0);
    /* Warning at TEC 96 (0x60), passive at TEC 128 (0x80): data[1] says TX, data[6] the TEC,
     * and the class has CAN_ERR_CNT (0x200) as data[6] and data[7] hold the counters. */
    ASSERT_EQ_U64(count(log, " can0 20000204#0008000000006000\n"), 1);
    ASSERT_EQ_U64(count(log, " can0 20000204#0020000000008000\n"), 1);
    ASSERT_EQ_U64(count(log, " can0 20000004#"), 0);
    ASSERT_EQ_U64(count(log, " can0 20000240#"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"state\":\"error_warning\",\"prev\":\"error_active\","
                                      "\"tec\":96,\"rec\":0}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"state\":\"error_passive\",\"prev\":\"error_warning\","
                                      "\"tec\":128,\"rec\":0}"));
    free(log);
    free(ev);
}

/* Every frame corrupted: CRC errors until bus-off, then automatic recovery. */
static void test_bus_off_and_recovery(void) {
    rig_t r;
    rig_up(&r, "busoff", true);
    ASSERT_EQ_I64(sim_can_ctrl_start(r.b), 0);
    ASSERT_EQ_I64(sim_can_bus_fault_corrupt(r.bus, 0x123, 0x7FF, 1, 1), 0);
    sim_can_frame_t f = {.id = 0x123, .dlc = 1, .data = {0x42}};
    ASSERT_EQ_I64(sim_can_ctrl_send(r.a, &f), 0);
    sim_kernel_run_until(r.k, 50 * SIM_NS_PER_MS);
    char *ev;
    char *log = rig_down(&r, &ev);
    ASSERT_EQ_U64(count(log, " can0 20000088#0000000800000000\n"), 32); /* 32 x 8 > 255 */
    /* Bus-off reports TEC 256 capped at 255 (and REC 0), the restart the cleared counters; both
     * with CAN_ERR_CNT. */
    ASSERT_EQ_U64(count(log, " can0 20000240#000000000000FF00\n"), 1);
    ASSERT_EQ_U64(count(log, " can0 20000300#0000000000000000\n"), 1);
    ASSERT_EQ_U64(count(log, " can0 20000040#"), 0);
    ASSERT_EQ_U64(count(log, " can0 20000100#"), 0);
    ASSERT_EQ_U64(count(log, " can0 20000204#0008000000006000\n"), 1);
    ASSERT_EQ_U64(count(log, " can0 20000204#0020000000008000\n"), 1);
    ASSERT_EQ_U64(count(log, " can0 20000004#"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"node\":\"pack1\",\"bus\":\"can0\",\"state\":\"bus_off\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "\"state\":\"error_active\",\"prev\":\"bus_off\""));
    /* Every events line is a JSON object. */
    size_t lines = 0, bad = 0;
    for (char *p = ev, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        *nl = '\0';
        cJSON *j = cJSON_Parse(p);
        bad += j == NULL;
        cJSON_Delete(j);
        lines++;
    }
    CU_ASSERT_TRUE(lines >= 6);
    ASSERT_EQ_U64(bad, 0);
    free(log);
    free(ev);
}

void test_register(void) {
    TEST_SUITE("trace_bus", TEST(test_frames_logged_when_received), TEST(test_lone_node_ack_errors),
               TEST(test_bus_off_and_recovery));
}
