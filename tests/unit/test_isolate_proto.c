/*
 * test_isolate_proto.c: the isolation protocol itself (core/host/sim_isolate_proto.h), from both
 * ends, below the node API.
 *
 * Child side: a real firmware child (testnode) driven record by record by the test acting as the
 * host. A batch of several entry points whose first one waits on a sync operation must still run
 * every later entry point from the batch as sent (the reply lands in the child's input buffer);
 * a restart requested by one item stops the batch after it; the mirror answers reads.
 *
 * Host side: what a child sends is never trusted. Every kind of malformed or lying OP record
 * (unknown operation, wrong sync flag, blob lengths that overrun the record or the operation,
 * a predicted result the host does not get) must fault the node with "protocol", never crash
 * the host or perform a half-checked operation.
 */
#include <stdlib.h>

#include "sim_node_int.h"
#include "test_support.h"

#define PLUGIN SIM_PLUGIN_DIR "/fw_testnode.so"

/* ---- the child, driven by hand ------------------------------------------------------------- */

typedef struct {
    sim_isolate_t *iso;
    sim_plugin_image_t *img;
    sim_nvs_t *nvs;
} child_fix_t;

static void child_open(child_fix_t *f) {
    memset(f, 0, sizeof *f);
    char err[256];
    CU_ASSERT_EQUAL_FATAL(sim_plugin_image_read(PLUGIN, &f->img, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(sim_nvs_create(&f->nvs), 0);
    sim_node_child_args_t args = {.image = f->img, .nvs = f->nvs};
    CU_ASSERT_EQUAL_FATAL(
        sim_isolate_spawn(sim_node__child_main, &args, 5000, &f->iso, err, sizeof err), 0);
    sim_iso_hdr_t h;
    const uint8_t *p;
    CU_ASSERT_EQUAL_FATAL(sim_isolate_recv(f->iso, &h, &p), 0);
    ASSERT_EQ_U64(h.type, SIM_ISO_READY);
}

static void child_close(child_fix_t *f) {
    sim_isolate_destroy(f->iso);
    sim_plugin_image_release(f->img);
    sim_nvs_destroy(f->nvs);
}

typedef struct {
    sim_iso_op_t op[64];
    uint8_t blob0[64][16];
    unsigned n_ops;
    unsigned item_of[64]; /* which item each operation belongs to */
    unsigned items_ended;
    sim_iso_batch_end_t end;
} seen_t;

/* Sends one batch and reads until BATCH_END, answering sync operations with `sync_result`. */
static void drive(child_fix_t *f, const sim_iso_mirror_t *m, const sim_iso_item_t *items,
                  unsigned count, int32_t sync_result, seen_t *seen) {
    memset(seen, 0, sizeof *seen);
    struct {
        sim_iso_batch_t b;
        sim_iso_item_t it[8];
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.b.m = *m;
    msg.b.items = count;
    msg.b.mac[5] = 5;
    memcpy(msg.it, items, count * sizeof items[0]);
    CU_ASSERT_EQUAL_FATAL(sim_isolate_send(f->iso, SIM_ISO_BATCH, &msg,
                                           sizeof msg.b + count * sizeof items[0], NULL, 0),
                          0);
    for (;;) {
        sim_iso_hdr_t h;
        const uint8_t *p;
        CU_ASSERT_EQUAL_FATAL(sim_isolate_recv(f->iso, &h, &p), 0);
        if (h.type == SIM_ISO_BATCH_END) {
            memcpy(&seen->end, p, sizeof seen->end);
            return;
        }
        if (h.type == SIM_ISO_ITEM_END) {
            uint32_t i;
            memcpy(&i, p, sizeof i);
            ASSERT_EQ_U64(i, seen->items_ended);
            seen->items_ended++;
            continue;
        }
        CU_ASSERT_EQUAL_FATAL(h.type, SIM_ISO_OP);
        CU_ASSERT_FATAL(seen->n_ops < 64);
        sim_iso_op_t *op = &seen->op[seen->n_ops];
        memcpy(op, p, sizeof *op);
        memcpy(seen->blob0[seen->n_ops], p + sizeof *op, op->blob[0] < 16 ? op->blob[0] : 16);
        seen->item_of[seen->n_ops++] = seen->items_ended;
        if (op->sync) {
            sim_iso_reply_t r = {.result = sync_result, .m = *m};
            CU_ASSERT_EQUAL_FATAL(sim_isolate_send(f->iso, SIM_ISO_REPLY, &r, sizeof r, NULL, 0),
                                  0);
        }
    }
}

static sim_iso_mirror_t mirror_running(void) {
    return (sim_iso_mirror_t){.now_us = 123456,
                              .flags = SIM_ISO_M_GPIO_INPUT | SIM_ISO_M_CAN,
                              .can_state = HAL_CAN_ERROR_ACTIVE,
                              .can_tx_free = 8};
}

static sim_iso_item_t rx(uint32_t id, const uint8_t *d, uint8_t dlc) {
    sim_iso_item_t it = {.kind = SIM_ISO_IT_CAN_RX, .frame = {.id = id, .dlc = dlc}};
    memcpy(it.frame.data, d, dlc);
    return it;
}

/* The last CAN_SEND of an item: its frame. */
static const hal_can_frame_t *sent(const seen_t *s, unsigned item, hal_can_frame_t *out) {
    for (unsigned i = s->n_ops; i-- > 0;) {
        if (s->item_of[i] == item && s->op[i].op == SIM_ISO_OP_CAN_SEND) {
            memcpy(out, s->blob0[i], sizeof *out);
            return out;
        }
    }
    CU_FAIL("no frame sent by that item");
    return memset(out, 0, sizeof *out);
}

static void test_items_after_a_sync_operation_run_as_sent(void) {
    child_fix_t f;
    child_open(&f);
    sim_iso_mirror_t m = mirror_running();
    seen_t s;
    sim_iso_item_t init = {.kind = SIM_ISO_IT_INIT};
    drive(&f, &m, &init, 1, HAL_OK, &s); /* can_start is sync; HAL_OK */
    ASSERT_EQ_I64(s.end.init_rc, 0);
    /* Item 0 bit-bangs and reads DIO (sync: the device answers 0); items 1 and 2 are queries
     * whose replies carry the rx counter: if the reply to the read had clobbered them, they
     * would not be queries for node 5 any more. */
    sim_iso_item_t items[3] = {rx(0x125, (const uint8_t[]){5, 1}, 2),
                               rx(0x123, (const uint8_t[]){5}, 1),
                               rx(0x123, (const uint8_t[]){0xFF}, 1)};
    drive(&f, &m, items, 3, 0, &s);
    ASSERT_EQ_U64(s.end.done, 3);
    ASSERT_EQ_U64(s.items_ended, 3);
    unsigned syncs = 0;
    for (unsigned i = 0; i < s.n_ops; i++) {
        syncs += s.op[i].sync;
        if (s.op[i].sync) {
            ASSERT_EQ_U64(s.op[i].op, SIM_ISO_OP_GPIO_READ);
            ASSERT_EQ_U64(s.item_of[i], 0);
        }
    }
    ASSERT_EQ_U64(syncs, 1);
    hal_can_frame_t fr;
    ASSERT_EQ_U64(sent(&s, 0, &fr)->id, 0x685);
    ASSERT_EQ_U64(fr.data[1], 0); /* the DIO level the host answered */
    ASSERT_EQ_U64(sent(&s, 1, &fr)->id, 0x605);
    ASSERT_EQ_U64(fr.data[2], 2); /* second frame received */
    ASSERT_EQ_U64(sent(&s, 2, &fr)->id, 0x605);
    ASSERT_EQ_U64(fr.data[2], 3);
    ASSERT_EQ_U64(fr.data[5], 2); /* second query */
    child_close(&f);
}

static void test_restart_ends_the_batch(void) {
    child_fix_t f;
    child_open(&f);
    sim_iso_mirror_t m = mirror_running();
    seen_t s;
    sim_iso_item_t init = {.kind = SIM_ISO_IT_INIT};
    drive(&f, &m, &init, 1, HAL_OK, &s);
    sim_iso_item_t items[3] = {rx(0x123, (const uint8_t[]){5}, 1),
                               rx(0x125, (const uint8_t[]){5, 5}, 2), /* hal_restart() */
                               rx(0x123, (const uint8_t[]){5}, 1)};
    drive(&f, &m, items, 3, 0, &s);
    ASSERT_EQ_U64(s.end.done, 2); /* the third item is not run: the host will not deliver it */
    ASSERT_EQ_U64(s.op[s.n_ops - 1].op, SIM_ISO_OP_RESTART);
    child_close(&f);
}

static void test_mirror_answers_reads(void) {
    child_fix_t f;
    child_open(&f);
    sim_iso_mirror_t m = mirror_running();
    m.can_tx_free = 0; /* a full TX queue: the reply must be predicted as refused */
    seen_t s;
    sim_iso_item_t init = {.kind = SIM_ISO_IT_INIT};
    drive(&f, &m, &init, 1, HAL_OK, &s);
    sim_iso_item_t q = rx(0x123, (const uint8_t[]){5}, 1);
    drive(&f, &m, &q, 1, 0, &s);
    ASSERT_EQ_U64(s.n_ops, 1);
    ASSERT_EQ_U64(s.op[0].op, SIM_ISO_OP_CAN_SEND);
    ASSERT_EQ_I64(s.op[0].expect, HAL_ERR_QUEUE_FULL);
    /* One-shot timer: the reply carries hal_now_ms() from the mirror's now_us. */
    sim_iso_item_t shot = {.kind = SIM_ISO_IT_TIMER, .timer_id = 1};
    m.can_tx_free = 8;
    m.now_us = 777000;
    drive(&f, &m, &shot, 1, 0, &s);
    hal_can_frame_t fr;
    ASSERT_EQ_U64(sent(&s, 0, &fr)->data[0], 0x87);
    ASSERT_EQ_U64(fr.data[1] | fr.data[2] << 8, 777);
    child_close(&f);
}

/* ---- the host, given lies ------------------------------------------------------------------- */

typedef struct {
    sim_kernel_t *k;
    sim_node_t *n;
} host_fix_t;

static void host_open(host_fix_t *h) {
    CU_ASSERT_EQUAL_FATAL(sim_kernel_create(1, &h->k), 0);
    sim_node_cfg_t cfg = {.name = "n1", .plugin_path = PLUGIN, .isolate = true};
    char err[256];
    CU_ASSERT_EQUAL_FATAL(sim_node_create(h->k, &cfg, &h->n, err, sizeof err), 0);
}

static void host_close(host_fix_t *h) {
    sim_node_destroy(h->n);
    sim_kernel_destroy(h->k);
}

/* Replays one crafted record on a fresh node; returns its fault reason (NULL: accepted). */
static const char *replay(const sim_iso_op_t *op, const void *tail, size_t tail_len) {
    host_fix_t h;
    host_open(&h);
    uint8_t rec[512];
    memcpy(rec, op, sizeof *op);
    if (tail_len > 0) {
        memcpy(rec + sizeof *op, tail, tail_len);
    }
    int rc = sim_node__replay_op(h.n, rec, sizeof *op + tail_len);
    const char *fault = sim_node_faulted(h.n);
    ASSERT_EQ_I64(rc, fault != NULL ? -1 : 0);
    host_close(&h);
    return fault;
}

static void test_host_accepts_a_true_record(void) {
    sim_iso_op_t op = {.op = SIM_ISO_OP_TIMER_START, .expect = HAL_OK, .a = 3, .b = 1000, .c = 1};
    CU_ASSERT_PTR_NULL(replay(&op, NULL, 0));
    sim_iso_op_t lg = {.op = SIM_ISO_OP_LOG, .a = HAL_LOG_INFO, .blob = {5}};
    CU_ASSERT_PTR_NULL(replay(&lg, "hello", 5));
}

static void test_host_faults_on_lies(void) {
    const hal_can_frame_t fr = {.id = 0x100, .dlc = 1};
    struct {
        const char *what;
        sim_iso_op_t op;
        const void *tail;
        size_t tail_len;
    } cases[] = {
        {"unknown operation", {.op = 0}, NULL, 0},
        {"operation past the end", {.op = SIM_ISO_OP_COUNT_}, NULL, 0},
        {"sync flag on an async operation", {.op = SIM_ISO_OP_WDT_FEED, .sync = 1}, NULL, 0},
        {"async flag on a sync operation", {.op = SIM_ISO_OP_CAN_STOP}, NULL, 0},
        {"blob longer than the record", {.op = SIM_ISO_OP_LOG, .blob = {40}}, "short", 5},
        {"bytes after the blobs", {.op = SIM_ISO_OP_WDT_FEED}, "xx", 2},
        {"blob over the bound", {.op = SIM_ISO_OP_LOG, .blob = {SIM_ISO_BLOB_MAX + 1}}, NULL, 0},
        {"frame of the wrong size", {.op = SIM_ISO_OP_CAN_SEND, .blob = {3}}, &fr, 3},
        {"UART data shorter than its length",
         {.op = SIM_ISO_OP_UART_WRITE, .a = 10, .blob = {2}},
         "ab",
         2},
        {"NVS value shorter than its length",
         {.op = SIM_ISO_OP_NVS_SET, .a = 8, .blob = {1, 1, 2}},
         "nkvv",
         4},
        {"a result the host does not get",
         {.op = SIM_ISO_OP_TIMER_START, .expect = HAL_OK, .a = 99, .b = 1000},
         NULL,
         0},
        {"a failure the host does not get",
         {.op = SIM_ISO_OP_WDT_START, .expect = HAL_ERR_INVALID, .a = 1000},
         NULL,
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *fault = replay(&cases[i].op, cases[i].tail, cases[i].tail_len);
        if (fault == NULL || strcmp(fault, "protocol") != 0) {
            fprintf(stderr, "\n  %s: fault %s\n", cases[i].what, fault ? fault : "(none)");
            CU_FAIL("a lying record was not a protocol fault");
        }
    }
    host_fix_t h;
    host_open(&h);
    uint8_t tiny[4] = {1, 0, 0, 0};
    ASSERT_EQ_I64(sim_node__replay_op(h.n, tiny, sizeof tiny), -1); /* shorter than a header */
    ASSERT_EQ_STR(sim_node_faulted(h.n), "protocol");
    ASSERT_EQ_STR(sim_node_fault_detail(h.n), "short operation record");
    host_close(&h);
}

void test_register(void) {
    TEST_SUITE("isolate_proto", TEST(test_items_after_a_sync_operation_run_as_sent),
               TEST(test_restart_ends_the_batch), TEST(test_mirror_answers_reads),
               TEST(test_host_accepts_a_true_record), TEST(test_host_faults_on_lies));
}
