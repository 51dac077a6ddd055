/*
 * Kernel order when events for the current instant are inserted into a long front (a large
 * bucket being run, as when a frame ends and every node's inbox event is scheduled for now):
 * the order must be exactly (time, priority, sequence), whichever side of the insertion point
 * the front moves, and when such events go to the kernel's lane instead (some cancelled, one of
 * them the lane's head). Checked against a reference queue that finds the minimum by a linear
 * scan.
 */
#include <stdlib.h>

#include "sim_kernel.h"
#include "test_support.h"

#define INITIAL 3000
#define MAX_RUN 8000

typedef struct {
    sim_time_ns_t t;
    int32_t prio;
    uint64_t seq;
} key_t;

typedef struct {
    uint64_t next_seq;
    unsigned spawned;
    uint64_t order[MAX_RUN];
    unsigned n;
} world_t;

/* Every third event schedules one more: mostly for now, at a priority that may sort before
 * events already waiting, sometimes 10 ns or 1 us later. */
static int spawn(world_t *w, uint64_t seq, sim_time_ns_t now, sim_time_ns_t *t, int32_t *prio) {
    if (w->spawned >= 2000 || seq % 3 != 0) {
        return 0;
    }
    w->spawned++;
    *prio = (int32_t)(seq * 7 % 5);
    *t = now + (seq % 7 == 0 ? 1000 : (seq % 11 == 0 ? 10 : 0));
    return 1;
}

static void on_event(sim_kernel_t *k, void *ctx, uint64_t seq) {
    world_t *w = ctx;
    w->order[w->n++] = seq;
    sim_time_ns_t t;
    int32_t prio;
    if (spawn(w, seq, sim_kernel_now(k), &t, &prio)) {
        CU_ASSERT_NOT_EQUAL(sim_kernel_schedule(k, t, prio, on_event, w, w->next_seq++), 0);
    }
}

static int key_less(const key_t *a, const key_t *b) {
    if (a->t != b->t) {
        return a->t < b->t;
    }
    return a->prio != b->prio ? a->prio < b->prio : a->seq < b->seq;
}

static void reference(world_t *w, key_t *q, unsigned qn) {
    while (qn > 0) {
        unsigned m = 0;
        for (unsigned i = 1; i < qn; i++) {
            m = key_less(&q[i], &q[m]) ? i : m;
        }
        key_t e = q[m];
        q[m] = q[--qn];
        w->order[w->n++] = e.seq;
        sim_time_ns_t t;
        int32_t prio;
        if (spawn(w, e.seq, e.t, &t, &prio)) {
            q[qn++] = (key_t){t, prio, w->next_seq++};
        }
    }
}

static void inserts_for_now_keep_the_order(void) {
    static world_t run, ref;
    static key_t q[MAX_RUN];
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    for (unsigned i = 0; i < INITIAL; i++) {
        sim_time_ns_t t = 1000000 + (i % 4) * 10;
        int32_t prio = (int32_t)(i % 5);
        q[i] = (key_t){t, prio, ref.next_seq++};
        CU_ASSERT_NOT_EQUAL(sim_kernel_schedule(k, t, prio, on_event, &run, run.next_seq++), 0);
    }
    ASSERT_EQ_I64(sim_kernel_run_until(k, SIM_TIME_NEVER), 0);
    reference(&ref, q, INITIAL);
    ASSERT_EQ_U64(run.n, ref.n);
    ASSERT_EQ_U64(run.n, INITIAL + 1500); /* every third of the 3000, then of those spawned */
    unsigned diff = 0;
    for (unsigned i = 0; i < run.n; i++) {
        diff += run.order[i] != ref.order[i];
    }
    ASSERT_EQ_U64(diff, 0);
    sim_kernel_destroy(k);
}

/* ---- the lane: a burst for now while a long front runs, with cancellations ---------------- */

#define LANE_N     300
#define LANE_FRONT 3000
#define BURST_ARG  99999

typedef struct {
    sim_event_id_t ids[LANE_N];
    uint64_t order[LANE_FRONT + LANE_N + 1];
    unsigned n;
    unsigned next_time_wrong;
} lane_world_t;

static const int32_t lane_prios[3] = {SIM_PRIO_FIRMWARE, SIM_PRIO_WIRE, 0};

static void lane_record(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    lane_world_t *w = ctx;
    w->order[w->n++] = arg;
}

/* Schedules LANE_N events for now (they land before the front's tail, so in the lane), then
 * cancels every seventh, the lane's head among them. */
static void lane_burst(sim_kernel_t *k, void *ctx, uint64_t arg) {
    lane_world_t *w = ctx;
    w->order[w->n++] = arg;
    sim_time_ns_t now = sim_kernel_now(k);
    for (unsigned i = 0; i < LANE_N; i++) {
        w->ids[i] = sim_kernel_schedule(k, now, lane_prios[i % 3], lane_record, w, 10000u + i);
        CU_ASSERT_NOT_EQUAL(w->ids[i], 0);
    }
    for (unsigned i = 0; i < LANE_N; i += 7) {
        ASSERT_EQ_I64(sim_kernel_cancel(k, w->ids[i]), 0);
    }
    w->next_time_wrong += sim_kernel_next_time(k) != now;
}

static void lane_runs_in_order_with_cancels(void) {
    static lane_world_t w;
    static key_t q[LANE_FRONT + LANE_N];
    static world_t ref;
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    const sim_time_ns_t t = 1000000;
    unsigned qn = 0;
    for (unsigned i = 0; i < LANE_FRONT; i++) {
        int32_t prio = (int32_t)(i % 5);
        CU_ASSERT_NOT_EQUAL(sim_kernel_schedule(k, t, prio, lane_record, &w, i), 0);
        q[qn++] = (key_t){t, prio, i};
    }
    CU_ASSERT_NOT_EQUAL(sim_kernel_schedule(k, t, -1000, lane_burst, &w, BURST_ARG), 0);
    for (unsigned i = 0; i < LANE_N; i++) {
        if (i % 7 != 0) { /* keyed by their arg, which grows with their seq */
            q[qn++] = (key_t){t, lane_prios[i % 3], 10000u + i};
        }
    }
    /* One at a time with step(): next_time must name now while same-instant events wait. */
    while (sim_kernel_step(k)) {
        w.next_time_wrong +=
            sim_kernel_next_time(k) != SIM_TIME_NEVER && sim_kernel_next_time(k) != t;
    }
    ref.order[ref.n++] = BURST_ARG;
    while (qn > 0) {
        unsigned m = 0;
        for (unsigned i = 1; i < qn; i++) {
            m = key_less(&q[i], &q[m]) ? i : m;
        }
        ref.order[ref.n++] = q[m].seq;
        q[m] = q[--qn];
    }
    ASSERT_EQ_U64(w.n, ref.n);
    unsigned diff = 0;
    for (unsigned i = 0; i < w.n && i < ref.n; i++) {
        diff += w.order[i] != ref.order[i];
    }
    ASSERT_EQ_U64(diff, 0);
    ASSERT_EQ_U64(w.next_time_wrong, 0);
    sim_kernel_stats_t st;
    sim_kernel_stats(k, &st);
    ASSERT_EQ_U64(st.pending, 0);
    sim_kernel_destroy(k);
}

void test_register(void) {
    TEST_SUITE("kernel_front_slide", TEST(inserts_for_now_keep_the_order),
               TEST(lane_runs_in_order_with_cancels));
}
