/*
 * The bus's per-frame scans on a crowded bus: arbitration walks only the controllers with a frame
 * to offer (a per-slot bitmap with cached keys), and the end of a frame visits only the slots
 * between its first and last transmitter. These tests pin what those shortcuts must not change:
 * identifier order across many controllers (more than one 64-slot word), the key of a queue's
 * new head after a pop, arbitration_lost per controller, identical frames sent together, and
 * slots renumbered by a compaction while frames wait or one is on the wire.
 */
#include <stdlib.h>

#include "sim_can.h"
#include "test_support.h"

#define MAX_NODES 140
#define MAX_SEEN  512

typedef struct bus_s bus_t;

typedef struct {
    bus_t *b;
    sim_can_ctrl_t *c;
    int rx_n, done_n;
    uint32_t done_id[8];
    sim_can_ctrl_t *detach_on_rx; /* detached from inside this node's first on_rx */
} node_t;

struct bus_s {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    node_t n[MAX_NODES];
    int nodes;
    int seen_n;
    uint32_t seen_id[MAX_SEEN]; /* frames on the wire, in order */
    const sim_can_ctrl_t *seen_sender[MAX_SEEN];
};

static void on_rx(void *ctx, const sim_can_frame_t *f) {
    (void)f;
    node_t *n = ctx;
    n->rx_n++;
    if (n->detach_on_rx != NULL) {
        sim_can_ctrl_t *c = n->detach_on_rx;
        n->detach_on_rx = NULL;
        for (int i = 0; i < n->b->nodes; i++) {
            if (n->b->n[i].c == c) {
                n->b->n[i].c = NULL;
            }
        }
        sim_can_ctrl_detach(c);
    }
}

static void on_tx_done(void *ctx, const sim_can_frame_t *f, int status) {
    node_t *n = ctx;
    CU_ASSERT_EQUAL(status, 0);
    if (n->done_n < 8) {
        n->done_id[n->done_n] = f->id;
    }
    n->done_n++;
}

static void obs_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                      sim_time_ns_t t0, sim_time_ns_t t1) {
    (void)t0;
    (void)t1;
    bus_t *b = ctx;
    if (b->seen_n < MAX_SEEN) {
        b->seen_id[b->seen_n] = f->id;
        b->seen_sender[b->seen_n] = sender;
    }
    b->seen_n++;
}

static bus_t *bus_new(int nodes) {
    bus_t *b = calloc(1, sizeof *b);
    CU_ASSERT_EQUAL(sim_kernel_create(7, &b->k), 0);
    CU_ASSERT_EQUAL(sim_can_bus_create(b->k, &(sim_can_bus_cfg_t){"can0", 0}, &b->bus), 0);
    sim_can_observer_t o = {obs_frame, NULL, NULL};
    CU_ASSERT_EQUAL(sim_can_bus_observe(b->bus, &o, b), 0);
    sim_can_ctrl_cb_t cb = {on_rx, on_tx_done, NULL};
    for (int i = 0; i < nodes; i++) {
        node_t *n = &b->n[i];
        n->b = b;
        CU_ASSERT_EQUAL(
            sim_can_ctrl_attach(b->bus, &(sim_can_ctrl_cfg_t){.tx_queue_len = 4}, &cb, n, &n->c),
            0);
        CU_ASSERT_EQUAL(sim_can_ctrl_start(n->c), 0);
    }
    b->nodes = nodes;
    return b;
}

static void bus_free(bus_t *b) {
    for (int i = 0; i < b->nodes; i++) {
        sim_can_ctrl_detach(b->n[i].c);
    }
    sim_can_bus_destroy(b->bus);
    sim_kernel_destroy(b->k);
    free(b);
}

static void send_id(node_t *n, uint32_t id) {
    sim_can_frame_t f = {.id = id, .dlc = 1, .data = {(uint8_t)id}};
    CU_ASSERT_EQUAL(sim_can_ctrl_send(n->c, &f), 0);
}

static void run_for_ms(bus_t *b, int64_t ms) {
    CU_ASSERT_EQUAL(sim_kernel_run_until(b->k, sim_kernel_now(b->k) + ms * 1000000), 0);
}

static uint64_t lost(const node_t *n) {
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(n->c, &st);
    return st.arbitration_lost;
}

/* 130 controllers (three bitmap words) each queue one frame at the same instant, identifiers
 * falling with the attach order: the wire carries them lowest first, and each controller lost
 * one arbitration per frame sent before its own. */
static void test_burst_across_words(void) {
    bus_t *b = bus_new(130);
    for (int i = 0; i < 130; i++) {
        send_id(&b->n[i], (uint32_t)(0x700 - i));
    }
    run_for_ms(b, 100);
    ASSERT_EQ_I64(b->seen_n, 130);
    for (int k = 0; k < 130; k++) {
        ASSERT_EQ_U64(b->seen_id[k], 0x700 - (129 - k));
        CU_ASSERT_PTR_EQUAL(b->seen_sender[k], b->n[129 - k].c);
    }
    for (int i = 0; i < 130; i++) {
        ASSERT_EQ_U64(lost(&b->n[i]), (uint64_t)(129 - i));
        ASSERT_EQ_I64(b->n[i].done_n, 1);
        ASSERT_EQ_I64(b->n[i].rx_n, 129);
    }
    bus_free(b);
}

/* After a pop the queue's new head competes with its own key: A's second frame (0x300) must lose
 * to B's 0x200, though A's first (0x100) won. */
static void test_new_head_competes_with_its_key(void) {
    bus_t *b = bus_new(3);
    send_id(&b->n[0], 0x100);
    send_id(&b->n[0], 0x300);
    send_id(&b->n[1], 0x200);
    run_for_ms(b, 10);
    ASSERT_EQ_I64(b->seen_n, 3);
    ASSERT_EQ_U64(b->seen_id[0], 0x100);
    ASSERT_EQ_U64(b->seen_id[1], 0x200);
    ASSERT_EQ_U64(b->seen_id[2], 0x300);
    ASSERT_EQ_U64(lost(&b->n[0]), 1);
    ASSERT_EQ_U64(lost(&b->n[1]), 1);
    bus_free(b);
}

/* Identical frames from slots far apart (the first and the 70th) are one frame on the wire: both
 * get on_tx_done, the sender is the first in attach order, and no one in between is credited. */
static void test_identical_frames_far_apart(void) {
    bus_t *b = bus_new(72);
    send_id(&b->n[69], 0x123);
    send_id(&b->n[0], 0x123);
    run_for_ms(b, 10);
    ASSERT_EQ_I64(b->seen_n, 1);
    CU_ASSERT_PTR_EQUAL(b->seen_sender[0], b->n[0].c);
    for (int i = 0; i < 72; i++) {
        bool tx = i == 0 || i == 69;
        ASSERT_EQ_I64(b->n[i].done_n, tx ? 1 : 0);
        ASSERT_EQ_I64(b->n[i].rx_n, tx ? 0 : 1);
    }
    bus_free(b);
}

/* A detach from inside on_rx leaves a hole that is compacted when the frame's end returns, which
 * renumbers every later slot while their frames wait: they still go out lowest first, and the
 * detached controller's waiting frame never does. */
static void test_compaction_while_frames_wait(void) {
    bus_t *b = bus_new(80);
    b->n[79].detach_on_rx = b->n[3].c;
    send_id(&b->n[0], 0x010);
    send_id(&b->n[3], 0x020);
    send_id(&b->n[70], 0x040);
    send_id(&b->n[75], 0x030);
    run_for_ms(b, 10);
    ASSERT_EQ_I64(b->seen_n, 3);
    ASSERT_EQ_U64(b->seen_id[0], 0x010);
    ASSERT_EQ_U64(b->seen_id[1], 0x030);
    ASSERT_EQ_U64(b->seen_id[2], 0x040);
    CU_ASSERT_PTR_EQUAL(b->seen_sender[1], b->n[75].c);
    ASSERT_EQ_I64(b->n[75].done_n, 1);
    ASSERT_EQ_I64(b->n[70].done_n, 1);
    ASSERT_EQ_U64(lost(&b->n[70]), 2);
    bus_free(b);
}

/* A compaction while a frame is on the wire (a detach outside any callback) moves its
 * transmitter to another slot: the frame's end still credits it. */
static void test_compaction_while_on_the_wire(void) {
    bus_t *b = bus_new(70);
    send_id(&b->n[66], 0x055);
    CU_ASSERT_EQUAL(sim_kernel_run_until(b->k, 10000), 0); /* SOF at 0, end after ~100 us */
    sim_can_ctrl_detach(b->n[1].c);
    b->n[1].c = NULL;
    sim_can_ctrl_detach(b->n[2].c);
    b->n[2].c = NULL;
    run_for_ms(b, 10);
    ASSERT_EQ_I64(b->seen_n, 1);
    ASSERT_EQ_I64(b->n[66].done_n, 1);
    ASSERT_EQ_U64(b->n[66].done_id[0], 0x055);
    send_id(&b->n[66], 0x056);
    send_id(&b->n[68], 0x050);
    run_for_ms(b, 10);
    ASSERT_EQ_I64(b->seen_n, 3);
    ASSERT_EQ_U64(b->seen_id[1], 0x050);
    ASSERT_EQ_U64(b->seen_id[2], 0x056);
    ASSERT_EQ_I64(b->n[66].done_n, 2);
    bus_free(b);
}

/* Babble takes the controller into arbitration ahead of its queue, and turning it off takes it
 * out again when its queue is empty: the wire then falls silent. */
static void test_babble_on_and_off(void) {
    bus_t *b = bus_new(66);
    sim_can_frame_t bf = {.id = 0x001, .dlc = 0};
    sim_can_ctrl_set_babble(b->n[65].c, &bf, true);
    run_for_ms(b, 2);
    int during = b->seen_n;
    CU_ASSERT(during > 10);
    sim_can_ctrl_set_babble(b->n[65].c, NULL, false);
    run_for_ms(b, 1);
    int after_off = b->seen_n;
    CU_ASSERT(after_off <= during + 1);
    run_for_ms(b, 5);
    ASSERT_EQ_I64(b->seen_n, after_off);
    send_id(&b->n[64], 0x002);
    run_for_ms(b, 1);
    ASSERT_EQ_I64(b->seen_n, after_off + 1);
    ASSERT_EQ_U64(b->seen_id[after_off], 0x002);
    ASSERT_EQ_I64(b->n[65].done_n, 0);
    bus_free(b);
}

void test_register(void) {
    TEST_SUITE("can_scan", TEST(test_burst_across_words), TEST(test_new_head_competes_with_its_key),
               TEST(test_identical_frames_far_apart), TEST(test_compaction_while_frames_wait),
               TEST(test_compaction_while_on_the_wire), TEST(test_babble_on_and_off));
}
