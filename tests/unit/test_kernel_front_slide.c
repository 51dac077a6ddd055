/*
 * Kernel order when events for the current instant are inserted into a long front (a large
 * bucket being run, as when a frame ends and every node's inbox event is scheduled for now):
 * the order must be exactly (time, priority, sequence), whichever side of the insertion point
 * the front moves. Checked against a reference queue that finds the minimum by a linear scan.
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

void test_register(void) {
    TEST_SUITE("kernel_front_slide", TEST(inserts_for_now_keep_the_order));
}
