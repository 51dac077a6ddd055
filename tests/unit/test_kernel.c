/*
 * test_kernel.c: the event kernel's ordering rules, handles, time, stop/step and statistics,
 * each rule on its own, then a seeded randomized run checked step by step against a reference
 * model (a plain array searched linearly for the (time, prio, seq) minimum).
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_kernel.h"
#include "test_support.h"

/* ---- a recorder: callbacks append their arg to a log ---------------------------------------- */

#define LOG_MAX 64

typedef struct {
    uint64_t seen[LOG_MAX];
    sim_time_ns_t at_ns[LOG_MAX];
    size_t n;
} rec_t;

static void record(sim_kernel_t *k, void *ctx, uint64_t arg) {
    rec_t *r = ctx;
    CU_ASSERT_FATAL(r->n < LOG_MAX);
    r->seen[r->n] = arg;
    r->at_ns[r->n] = sim_kernel_now(k);
    r->n++;
}

static sim_kernel_t *new_kernel(uint64_t seed) {
    sim_kernel_t *k = NULL;
    CU_ASSERT_FATAL(sim_kernel_create(seed, &k) == 0);
    CU_ASSERT_FATAL(k != NULL);
    return k;
}

static void assert_log(const rec_t *r, const uint64_t *want, size_t n) {
    ASSERT_EQ_U64(r->n, n);
    for (size_t i = 0; i < n && i < r->n; i++) {
        ASSERT_EQ_U64(r->seen[i], want[i]);
    }
}

typedef struct {
    uint64_t last_arg;
    size_t ran;
    size_t out_of_order;
} order_check_t;

static void check_increasing(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    order_check_t *c = ctx;
    c->out_of_order += c->ran > 0 && arg <= c->last_arg;
    c->last_arg = arg;
    c->ran++;
}

/* ---- ordering ------------------------------------------------------------------------------ */

static void test_same_time_runs_in_scheduling_order(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    for (uint64_t i = 0; i < 10; i++) {
        CU_ASSERT(sim_kernel_schedule(k, 500, SIM_PRIO_DEFAULT, record, &r, i) != 0);
    }
    ASSERT_EQ_I64(sim_kernel_run_until(k, 1000), 0);
    const uint64_t want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_log(&r, want, 10);
    sim_kernel_destroy(k);
}

static void test_priority_then_sequence(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    /* Scheduled out of order on purpose: time first, then priority, then scheduling order. */
    sim_kernel_schedule(k, 20, SIM_PRIO_PHYSICS, record, &r, 6);
    sim_kernel_schedule(k, 10, SIM_PRIO_OBSERVE, record, &r, 5);
    sim_kernel_schedule(k, 10, SIM_PRIO_FIRMWARE, record, &r, 3);
    sim_kernel_schedule(k, 10, SIM_PRIO_WIRE, record, &r, 1);
    sim_kernel_schedule(k, 10, SIM_PRIO_FIRMWARE, record, &r, 4);
    sim_kernel_schedule(k, 10, SIM_PRIO_SCENARIO, record, &r, 0);
    sim_kernel_schedule(k, 10, SIM_PRIO_WIRE, record, &r, 2);
    sim_kernel_schedule(k, 10, INT32_MAX, record, &r, 100);
    sim_kernel_schedule(k, 10, INT32_MIN, record, &r, 99);
    sim_kernel_run_until(k, SIM_TIME_NEVER);
    const uint64_t want[] = {99, 0, 1, 2, 3, 4, 5, 100, 6};
    assert_log(&r, want, 9);
    sim_kernel_destroy(k);
}

/* During dispatch at t: one follow-up at the same priority, one at a lower (earlier) one. */
static void schedule_followups(sim_kernel_t *k, void *ctx, uint64_t arg) {
    record(k, ctx, arg);
    sim_time_ns_t now = sim_kernel_now(k);
    CU_ASSERT(sim_kernel_schedule(k, now, SIM_PRIO_DEFAULT, record, ctx, 10) != 0);
    CU_ASSERT(sim_kernel_schedule_in(k, 0, SIM_PRIO_WIRE, record, ctx, 11) != 0);
}

static void test_scheduled_during_dispatch_for_now(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    sim_kernel_schedule(k, 100, SIM_PRIO_DEFAULT, schedule_followups, &r, 1);
    sim_kernel_schedule(k, 100, SIM_PRIO_DEFAULT, record, &r, 2);
    sim_kernel_schedule(k, 100, SIM_PRIO_FIRMWARE, record, &r, 3);
    sim_kernel_run_until(k, 100);
    /* 11 (WIRE) jumps ahead of everything still due; 10 queues behind 2, before FIRMWARE's 3. */
    const uint64_t want[] = {1, 11, 2, 10, 3};
    assert_log(&r, want, 5);
    for (size_t i = 0; i < r.n; i++) {
        ASSERT_EQ_I64(r.at_ns[i], 100);
    }
    sim_kernel_destroy(k);
}

/* ---- cancellation and handles -------------------------------------------------------------- */

typedef struct {
    rec_t rec;
    sim_event_id_t victim;
    sim_event_id_t self;
    int rc_victim;
    int rc_self;
} canceller_t;

static void cancel_victim(sim_kernel_t *k, void *ctx, uint64_t arg) {
    canceller_t *c = ctx;
    record(k, &c->rec, arg);
    c->rc_victim = sim_kernel_cancel(k, c->victim);
    c->rc_self = sim_kernel_cancel(k, c->self);
}

static void test_cancel_event_due_now(void) {
    sim_kernel_t *k = new_kernel(1);
    canceller_t c = {0};
    c.self = sim_kernel_schedule(k, 50, SIM_PRIO_DEFAULT, cancel_victim, &c, 1);
    c.victim = sim_kernel_schedule(k, 50, SIM_PRIO_DEFAULT, record, &c.rec, 2);
    sim_kernel_schedule(k, 50, SIM_PRIO_DEFAULT, record, &c.rec, 3);
    CU_ASSERT(sim_kernel_pending(k, c.victim));
    sim_kernel_run_until(k, 100);
    const uint64_t want[] = {1, 3};
    assert_log(&c.rec, want, 2);
    ASSERT_EQ_I64(c.rc_victim, 0);
    /* The running event is no longer pending: cancelling itself reports it is gone. */
    ASSERT_EQ_I64(c.rc_self, -SIM_ENOENT);
    CU_ASSERT(!sim_kernel_pending(k, c.victim));
    sim_kernel_destroy(k);
}

static void test_cancel_later_from_callback(void) {
    sim_kernel_t *k = new_kernel(1);
    canceller_t c = {0};
    c.self = sim_kernel_schedule(k, 10, SIM_PRIO_DEFAULT, cancel_victim, &c, 1);
    c.victim = sim_kernel_schedule(k, 1000000, SIM_PRIO_DEFAULT, record, &c.rec, 2);
    sim_kernel_schedule(k, 2000000, SIM_PRIO_DEFAULT, record, &c.rec, 3);
    sim_kernel_run_until(k, SIM_TIME_NEVER);
    const uint64_t want[] = {1, 3};
    assert_log(&c.rec, want, 2);
    ASSERT_EQ_I64(c.rc_victim, 0);
    sim_kernel_destroy(k);
}

static void test_cancel_twice_and_stale_handles(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    sim_event_id_t a = sim_kernel_schedule(k, 10, 0, record, &r, 1);
    sim_event_id_t b = sim_kernel_schedule(k, 20, 0, record, &r, 2);
    CU_ASSERT(a != 0 && b != 0 && a != b);
    ASSERT_EQ_I64(sim_kernel_cancel(k, a), 0);
    ASSERT_EQ_I64(sim_kernel_cancel(k, a), -SIM_ENOENT);
    CU_ASSERT(!sim_kernel_pending(k, a));
    sim_kernel_run_until(k, 100);
    const uint64_t want[] = {2};
    assert_log(&r, want, 1);
    /* b ran: its handle is stale, even though its slot is about to be reused. */
    CU_ASSERT(!sim_kernel_pending(k, b));
    ASSERT_EQ_I64(sim_kernel_cancel(k, b), -SIM_ENOENT);
    sim_event_id_t c = sim_kernel_schedule(k, 200, 0, record, &r, 3);
    CU_ASSERT(c != a && c != b);
    ASSERT_EQ_I64(sim_kernel_cancel(k, b), -SIM_ENOENT);
    CU_ASSERT(sim_kernel_pending(k, c));
    /* Handles nobody was given. */
    ASSERT_EQ_I64(sim_kernel_cancel(k, 0), -SIM_ENOENT);
    ASSERT_EQ_I64(sim_kernel_cancel(k, UINT64_MAX), -SIM_ENOENT);
    ASSERT_EQ_I64(sim_kernel_cancel(k, c + 1), -SIM_ENOENT);
    CU_ASSERT(!sim_kernel_pending(k, (c & 0xffffffffU) | (UINT64_C(77) << 32)));
    sim_kernel_destroy(k);
}

static void nop(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)ctx;
    (void)arg;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_handles_never_repeat(void) {
    sim_kernel_t *k = new_kernel(1);
    enum { N = 4000 };
    uint64_t *ids = malloc(N * sizeof *ids);
    CU_ASSERT_FATAL(ids != NULL);
    /* Slots are recycled constantly here (at most 3 pending), handles must still differ. */
    for (size_t i = 0; i < N; i++) {
        ids[i] = sim_kernel_schedule_in(k, (sim_time_ns_t)(i % 3), 0, nop, NULL, 0);
        CU_ASSERT(ids[i] != 0);
        if (i % 3 == 2) {
            sim_kernel_step(k);
            sim_kernel_cancel(k, ids[i - 1]);
        }
    }
    qsort(ids, N, sizeof *ids, cmp_u64);
    size_t repeats = 0;
    for (size_t i = 1; i < N; i++) {
        repeats += ids[i] == ids[i - 1];
    }
    ASSERT_EQ_U64(repeats, 0);
    free(ids);
    sim_kernel_destroy(k);
}

static void test_rejects_past_and_null(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    sim_kernel_run_until(k, 1000);
    ASSERT_EQ_U64(sim_kernel_schedule(k, 999, 0, record, &r, 1), 0);
    ASSERT_EQ_U64(sim_kernel_schedule(k, -5, 0, record, &r, 1), 0);
    ASSERT_EQ_U64(sim_kernel_schedule(k, 2000, 0, NULL, &r, 1), 0);
    ASSERT_EQ_U64(sim_kernel_schedule_in(k, -1, 0, record, &r, 1), 0);
    CU_ASSERT(sim_kernel_schedule(k, 1000, 0, record, &r, 2) != 0); /* now itself is fine */
    sim_kernel_stats_t st;
    sim_kernel_stats(k, &st);
    ASSERT_EQ_U64(st.events_scheduled, 1);
    ASSERT_EQ_U64(st.pending, 1);
    sim_kernel_run_until(k, SIM_TIME_NEVER);
    const uint64_t want[] = {2};
    assert_log(&r, want, 1);
    sim_kernel_destroy(k);
}

static void test_schedule_in_saturates(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    sim_kernel_run_until(k, 5000);
    sim_event_id_t id = sim_kernel_schedule_in(k, SIM_TIME_NEVER - 10, 0, record, &r, 1);
    CU_ASSERT(id != 0);
    ASSERT_EQ_I64(sim_kernel_next_time(k), SIM_TIME_NEVER);
    sim_kernel_schedule_in(k, 7, 0, record, &r, 2);
    ASSERT_EQ_I64(sim_kernel_next_time(k), 5007);
    ASSERT_EQ_I64(sim_kernel_run_until(k, SIM_TIME_NEVER), 0);
    const uint64_t want[] = {2, 1};
    assert_log(&r, want, 2);
    ASSERT_EQ_I64(sim_kernel_now(k), SIM_TIME_NEVER);
    sim_kernel_destroy(k);
}

/*
 * A few near events plus one timer an hour out, then more near events than fit the front of the
 * queue, then a second event at every one of those instants with an earlier priority: each
 * instant must still run its two events priority first, and the far timer last.
 */
static void test_near_events_around_a_far_timer(void) {
    sim_kernel_t *k = new_kernel(1);
    order_check_t check = {0};
    const sim_time_ns_t hour_ns = 3600 * SIM_NS_PER_S;
    sim_kernel_schedule(k, hour_ns, 0, check_increasing, &check, (uint64_t)hour_ns * 4);
    for (sim_time_ns_t t = 1; t <= 100; t++) {
        sim_kernel_schedule(k, t, 0, check_increasing, &check, (uint64_t)t * 4 + 2);
    }
    for (sim_time_ns_t t = 100; t >= 1; t--) {
        sim_kernel_schedule(k, t, -1, check_increasing, &check, (uint64_t)t * 4 + 1);
    }
    sim_kernel_run_until(k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(check.ran, 201);
    ASSERT_EQ_U64(check.out_of_order, 0);
    ASSERT_EQ_I64(sim_kernel_now(k), hour_ns);
    sim_kernel_destroy(k);
}

/* ---- time, stop, step ---------------------------------------------------------------------- */

static void stop_now(sim_kernel_t *k, void *ctx, uint64_t arg) {
    record(k, ctx, arg);
    sim_kernel_stop(k);
}

static void test_run_until_and_stop(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    ASSERT_EQ_I64(sim_kernel_now(k), 0);
    sim_kernel_schedule(k, 100, 0, record, &r, 1);
    sim_kernel_schedule(k, 300, 0, stop_now, &r, 2);
    sim_kernel_schedule(k, 300, 0, record, &r, 3);
    sim_kernel_schedule(k, 900, 0, record, &r, 4);

    ASSERT_EQ_I64(sim_kernel_run_until(k, 250), 0);
    ASSERT_EQ_I64(sim_kernel_now(k), 250); /* no event at 250: time still moves there */
    ASSERT_EQ_U64(r.n, 1);

    ASSERT_EQ_I64(sim_kernel_run_until(k, 1000), -SIM_ECANCELED);
    ASSERT_EQ_I64(sim_kernel_now(k), 300); /* stopped: now stays at the stopping event */
    ASSERT_EQ_U64(r.n, 2);
    ASSERT_EQ_I64(sim_kernel_next_time(k), 300);

    ASSERT_EQ_I64(sim_kernel_run_until(k, 1000), 0); /* the stop did not stick */
    ASSERT_EQ_I64(sim_kernel_now(k), 1000);
    const uint64_t want[] = {1, 2, 3, 4};
    assert_log(&r, want, 4);

    /* An end point behind now runs nothing and leaves time alone. */
    sim_kernel_schedule(k, 1500, 0, record, &r, 5);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 900), 0);
    ASSERT_EQ_I64(sim_kernel_now(k), 1000);
    ASSERT_EQ_U64(r.n, 4);

    /* NEVER drains the queue and leaves now at the last event. */
    ASSERT_EQ_I64(sim_kernel_run_until(k, SIM_TIME_NEVER), 0);
    ASSERT_EQ_I64(sim_kernel_now(k), 1500);
    ASSERT_EQ_I64(sim_kernel_next_time(k), SIM_TIME_NEVER);
    sim_kernel_destroy(k);
}

static void test_step_and_next_time(void) {
    sim_kernel_t *k = new_kernel(1);
    rec_t r = {0};
    ASSERT_EQ_I64(sim_kernel_next_time(k), SIM_TIME_NEVER);
    CU_ASSERT(!sim_kernel_step(k));
    sim_kernel_schedule(k, 70, 0, record, &r, 2);
    sim_kernel_schedule(k, 30, 0, record, &r, 1);
    sim_kernel_schedule(k, 70, -1, stop_now, &r, 5);
    ASSERT_EQ_I64(sim_kernel_next_time(k), 30);
    CU_ASSERT(sim_kernel_step(k));
    ASSERT_EQ_I64(sim_kernel_now(k), 30);
    ASSERT_EQ_I64(sim_kernel_next_time(k), 70);
    CU_ASSERT(sim_kernel_step(k)); /* the stop inside a step ends nothing... */
    CU_ASSERT(sim_kernel_step(k));
    ASSERT_EQ_I64(sim_kernel_now(k), 70);
    CU_ASSERT(!sim_kernel_step(k));
    const uint64_t want[] = {1, 5, 2};
    assert_log(&r, want, 3);
    sim_kernel_schedule(k, 80, 0, record, &r, 6);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 100), 0); /* ...and does not leak into a run */
    ASSERT_EQ_U64(r.n, 4);
    sim_kernel_destroy(k);
}

static void test_two_kernels_are_independent(void) {
    sim_kernel_t *a = new_kernel(1);
    sim_kernel_t *b = new_kernel(2);
    rec_t ra = {0}, rb = {0};
    for (uint64_t i = 0; i < 5; i++) {
        sim_kernel_schedule(a, (sim_time_ns_t)(10 * (i + 1)), 0, record, &ra, i);
        sim_kernel_schedule(b, (sim_time_ns_t)(1000 - 10 * i), 0, record, &rb, 10 + i);
    }
    sim_event_id_t ida = sim_kernel_schedule(a, 25, 0, record, &ra, 99);
    sim_event_id_t idb = sim_kernel_schedule(b, 25, 0, record, &rb, 98);
    ASSERT_EQ_I64(sim_kernel_cancel(b, idb), 0);
    CU_ASSERT(sim_kernel_pending(a, ida)); /* handles are per kernel */

    sim_kernel_run_until(a, 30);
    sim_kernel_run_until(b, 960);
    sim_kernel_run_until(a, 1000);
    sim_kernel_run_until(b, 2000);
    ASSERT_EQ_I64(sim_kernel_now(a), 1000);
    ASSERT_EQ_I64(sim_kernel_now(b), 2000);
    ASSERT_EQ_U64(sim_kernel_seed(a), 1);
    ASSERT_EQ_U64(sim_kernel_seed(b), 2);
    const uint64_t want_a[] = {0, 1, 99, 2, 3, 4};
    const uint64_t want_b[] = {14, 13, 12, 11, 10};
    assert_log(&ra, want_a, 6);
    assert_log(&rb, want_b, 5);
    sim_kernel_destroy(a);
    sim_kernel_destroy(b);
}

/* ---- statistics and PRNG streams ----------------------------------------------------------- */

static void test_stats_counters(void) {
    sim_kernel_t *k = new_kernel(1);
    sim_event_id_t ids[8];
    for (int i = 0; i < 8; i++) {
        ids[i] = sim_kernel_schedule(k, 100 + i, 0, nop, NULL, 0);
    }
    sim_kernel_cancel(k, ids[3]);
    sim_kernel_cancel(k, ids[3]); /* a failed cancel is not counted */
    sim_kernel_cancel(k, ids[7]);
    sim_kernel_stats_t st;
    sim_kernel_stats(k, &st);
    ASSERT_EQ_U64(st.events_scheduled, 8);
    ASSERT_EQ_U64(st.events_cancelled, 2);
    ASSERT_EQ_U64(st.events_run, 0);
    ASSERT_EQ_U64(st.pending, 6);
    ASSERT_EQ_U64(st.pending_max, 8);
    sim_kernel_run_until(k, 104);
    sim_kernel_stats(k, &st);
    ASSERT_EQ_U64(st.events_run, 4);
    ASSERT_EQ_U64(st.pending, 2);
    sim_kernel_schedule(k, 500, 0, nop, NULL, 0);
    sim_kernel_run_until(k, SIM_TIME_NEVER);
    sim_kernel_stats(k, &st);
    ASSERT_EQ_U64(st.events_scheduled, 9);
    ASSERT_EQ_U64(st.events_run, 7);
    ASSERT_EQ_U64(st.pending, 0);
    ASSERT_EQ_U64(st.pending_max, 8);
    sim_kernel_destroy(k);
}

static void test_kernel_prng_streams(void) {
    sim_kernel_t *k = new_kernel(42);
    sim_prng_t a, b, ref, other;
    sim_kernel_prng(k, "bms.pack1", &a);
    sim_kernel_prng(k, "bms.pack1", &b);
    sim_prng_init(&ref, 42, sim_prng_stream_id("bms.pack1"));
    sim_kernel_prng(k, "bms.pack2", &other);
    int differs = 0;
    for (int i = 0; i < 16; i++) {
        uint64_t x = sim_prng_next(&a);
        ASSERT_EQ_U64(x, sim_prng_next(&b));
        ASSERT_EQ_U64(x, sim_prng_next(&ref));
        differs += x != sim_prng_next(&other);
    }
    ASSERT_EQ_I64(differs, 16);
    sim_kernel_destroy(k);
}

/* ---- error codes and assertions ------------------------------------------------------------ */

static void test_strerror(void) {
    ASSERT_EQ_STR(sim_strerror(0), "success");
    ASSERT_EQ_STR(sim_strerror(-SIM_ENOENT), "no such item");
    ASSERT_EQ_STR(sim_strerror(SIM_ENOENT), "no such item");
    ASSERT_EQ_STR(sim_strerror(-SIM_ECANCELED), "cancelled");
    ASSERT_EQ_STR(sim_strerror(-SIM_EAGAIN), "queue full, try again later");
    ASSERT_EQ_STR(sim_strerror(SIM_ERR_COUNT_), "unknown error");
    ASSERT_EQ_STR(sim_strerror(-1000), "unknown error");
    for (int e = 1; e < SIM_ERR_COUNT_; e++) {
        CU_ASSERT(sim_strerror(-e) != NULL && strcmp(sim_strerror(-e), "unknown error") != 0);
    }
}

static void test_assert_prints_and_aborts(void) {
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        int two = 2;
        SIM_ASSERT(two + two == 5);
        _exit(0); /* not reached when the assertion works */
    }
    close(fds[1]);
    char buf[256] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)n;
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT(strstr(buf, "alfasim: internal error: assertion `two + two == 5' failed at ") == buf);
    CU_ASSERT(strstr(buf, "test_kernel.c:") != NULL);
    ASSERT_EQ_I64(strchr(buf, '\n') - buf, (int64_t)strlen(buf) - 1); /* exactly one line */
}

/* ---- randomized run against a reference model ---------------------------------------------- */

#define MODEL_MAX 4096

typedef struct {
    sim_time_ns_t t_ns;
    int32_t prio;
    uint64_t seq;
    sim_event_id_t id;
    int member; /* the batch member's context (model_t.member), or -1 */
} model_ev_t;

#define MODEL_MEMBERS 8

typedef struct model model_t;

/* The context of batch members, one of a few, so that cancel_joined picks some of them. */
typedef struct {
    model_t *m;
} model_member_t;

struct model {
    sim_kernel_t *k;
    sim_prng_t prng;
    model_ev_t ev[MODEL_MAX];
    size_t n;
    uint64_t next_seq;
    uint64_t ran;
    uint64_t mismatches;
    sim_event_id_t stale[64]; /* handles of events that ran or were cancelled */
    bool batches;             /* also schedule bursts with sim_kernel_schedule_joined, and stop */
    uint64_t joined;          /* members that joined a batch */
    uint64_t stops;
    bool stopped; /* a callback called sim_kernel_stop: no event may run until the run returns */
    model_member_t member[MODEL_MEMBERS];
    uint64_t members_cancelled;
};

static size_t model_min(const model_t *m) {
    size_t best = 0;
    for (size_t i = 1; i < m->n; i++) {
        const model_ev_t *a = &m->ev[i], *b = &m->ev[best];
        if (a->t_ns < b->t_ns || (a->t_ns == b->t_ns &&
                                  (a->prio < b->prio || (a->prio == b->prio && a->seq < b->seq)))) {
            best = i;
        }
    }
    return best;
}

static void model_forget(model_t *m, size_t i) {
    m->stale[m->ran % 64] = m->ev[i].id;
    m->ev[i] = m->ev[--m->n];
}

/* A delay mix that reaches every radix level: same instant, short, medium, huge. */
static sim_time_ns_t random_delay(sim_prng_t *p) {
    switch (sim_prng_below(p, 6)) {
        case 0:
            return 0;
        case 1:
            return (sim_time_ns_t)sim_prng_below(p, 64);
        case 2:
            return (sim_time_ns_t)sim_prng_below(p, 100000);
        case 3:
            return (sim_time_ns_t)sim_prng_below(p, 5000000000ULL);
        case 4: /* just around a power-of-two boundary */
            return ((sim_time_ns_t)1 << (1U + sim_prng_below(p, 43))) - 2 +
                   (sim_time_ns_t)sim_prng_below(p, 4);
        default: /* up to ~18 minutes: 100k of these stay far below SIM_TIME_NEVER */
            return (sim_time_ns_t)sim_prng_below(p, 1ULL << 40);
    }
}

static void model_event(sim_kernel_t *k, void *ctx, uint64_t arg);

static void model_member(sim_kernel_t *k, void *ctx, uint64_t arg) {
    model_member_t *mm = ctx;
    model_event(k, mm->m, arg);
}

static void model_schedule(model_t *m) {
    if (m->n == MODEL_MAX) {
        return;
    }
    static const int32_t prios[] = {SIM_PRIO_SCENARIO, SIM_PRIO_WIRE, 0,        0,
                                    SIM_PRIO_OBSERVE,  INT32_MIN,     INT32_MAX};
    sim_time_ns_t t = sim_time_add(sim_kernel_now(m->k), random_delay(&m->prng));
    int32_t prio = prios[sim_prng_below(&m->prng, 7)];
    uint64_t seq = m->next_seq++;
    sim_event_id_t id = sim_kernel_schedule(m->k, t, prio, model_event, m, seq);
    CU_ASSERT_FATAL(id != 0);
    m->ev[m->n++] = (model_ev_t){.t_ns = t, .prio = prio, .seq = seq, .id = id, .member = -1};
}

/* A burst of events for now through sim_kernel_schedule_joined, as a frame's end schedules its
 * deliveries: each must run exactly where sim_kernel_schedule would have put it. */
static void model_burst(model_t *m) {
    static const int32_t prios[] = {SIM_PRIO_FIRMWARE, SIM_PRIO_FIRMWARE, SIM_PRIO_WIRE, 0};
    int32_t prio = prios[sim_prng_below(&m->prng, 4)];
    uint64_t count = 1 + sim_prng_below(&m->prng, 20);
    for (uint64_t i = 0; i < count && m->n < MODEL_MAX; i++) {
        uint64_t seq = m->next_seq++;
        int member = (int)sim_prng_below(&m->prng, MODEL_MEMBERS);
        sim_event_id_t id =
            sim_kernel_schedule_joined(m->k, prio, model_member, &m->member[member], seq);
        CU_ASSERT_FATAL(id != 0);
        m->joined += id == SIM_EVENT_JOINED;
        m->mismatches += id == SIM_EVENT_JOINED && sim_kernel_pending(m->k, id);
        m->ev[m->n++] = (model_ev_t){
            .t_ns = sim_kernel_now(m->k), .prio = prio, .seq = seq, .id = id, .member = member};
    }
}

/* Cancels every pending batch member of one context, as a node that goes away does. */
static void model_cancel_member(model_t *m) {
    int member = (int)sim_prng_below(&m->prng, MODEL_MEMBERS);
    uint32_t want = 0;
    for (size_t i = m->n; i-- > 0;) {
        if (m->ev[i].id == SIM_EVENT_JOINED && m->ev[i].member == member) {
            model_forget(m, i);
            want++;
        }
    }
    uint32_t got = sim_kernel_cancel_joined(m->k, model_member, &m->member[member]);
    m->mismatches += got != want;
    m->members_cancelled += got;
}

static void model_cancel(model_t *m) {
    if (m->n > 0 && sim_prng_chance(&m->prng, 3, 4)) {
        size_t i = (size_t)sim_prng_below(&m->prng, m->n);
        if (m->ev[i].id == SIM_EVENT_JOINED) {
            /* A batch member has no handle: cancel() refuses it, cancel_joined() takes it. */
            m->mismatches += sim_kernel_cancel(m->k, m->ev[i].id) != -SIM_ENOENT;
            model_cancel_member(m);
            return;
        }
        m->mismatches += sim_kernel_cancel(m->k, m->ev[i].id) != 0;
        model_forget(m, i);
    } else {
        /* A handle that ran or was cancelled: must be refused. */
        sim_event_id_t id = m->stale[sim_prng_below(&m->prng, 64)];
        m->mismatches += id != 0 && sim_kernel_cancel(m->k, id) != -SIM_ENOENT;
    }
}

/*
 * One random operation from inside or outside a callback. While `growing`, scheduling dominates
 * so that the queue builds up to thousands of events; otherwise it drains.
 */
static void model_op(model_t *m, bool in_callback, bool growing) {
    uint64_t r = sim_prng_below(&m->prng, 10);
    uint64_t schedule_below = growing ? 7 : 3;
    if (m->batches && sim_prng_chance(&m->prng, 1, 4)) {
        model_burst(m);
    } else if (m->batches && in_callback && sim_prng_chance(&m->prng, 1, 50)) {
        sim_kernel_stop(m->k);
        m->stopped = true;
        m->stops++;
    } else if (r < schedule_below) {
        model_schedule(m);
    } else if (r < schedule_below + 1) {
        model_cancel(m);
    } else if (in_callback) {
        return;
    } else if (r < schedule_below + 2 || r == 9) {
        uint64_t before = m->ran;
        bool stepped = sim_kernel_step(m->k);
        m->stopped = false;
        if (stepped) {
            m->mismatches += m->ran != before + 1; /* one event, batch member or not */
        }
    } else {
        /* Short spans only, so that far-future events pile up to thousands. */
        sim_time_ns_t span = (sim_time_ns_t)sim_prng_below(&m->prng, 2000000);
        sim_time_ns_t end = sim_time_add(sim_kernel_now(m->k), span);
        int rc = sim_kernel_run_until(m->k, end);
        m->stopped = false;
        if (rc == 0) {
            m->mismatches += sim_kernel_now(m->k) != end;
            m->mismatches += sim_kernel_next_time(m->k) <= end;
        }
    }
}

static void model_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    model_t *m = ctx;
    CU_ASSERT_FATAL(m->n > 0);
    m->mismatches += m->stopped; /* ran after a stop, before the run returned */
    size_t i = model_min(m);
    if (m->ev[i].seq != arg || m->ev[i].t_ns != sim_kernel_now(k)) {
        if (m->mismatches++ == 0) {
            fprintf(stderr,
                    "\n  expected seq %" PRIu64 " at %" PRId64 ", ran seq %" PRIu64 " at %" PRId64
                    "\n",
                    m->ev[i].seq, m->ev[i].t_ns, arg, sim_kernel_now(k));
        }
    }
    model_forget(m, i);
    m->ran++;
    if (sim_prng_chance(&m->prng, 1, 3)) {
        model_op(m, true, false);
    }
}

static void run_randomized(bool batches, uint64_t *joined, uint64_t *stops) {
    model_t *m = calloc(1, sizeof *m);
    CU_ASSERT_FATAL(m != NULL);
    m->batches = batches;
    for (int i = 0; i < MODEL_MEMBERS; i++) {
        m->member[i].m = m;
    }
    m->k = new_kernel(7);
    sim_prng_init(&m->prng, 2024, sim_prng_stream_id("test_kernel.model"));
    for (int op = 0; op < 100000; op++) {
        model_op(m, false, (op / 25000) % 2 == 0);
        while (m->n > 3000) {
            sim_kernel_step(m->k);
            m->stopped = false;
        }
        sim_kernel_stats_t st;
        sim_kernel_stats(m->k, &st);
        m->mismatches += st.pending != m->n;
    }
    while (sim_kernel_run_until(m->k, SIM_TIME_NEVER) != 0) {
        m->stopped = false; /* a callback asked the run to stop: go on */
    }
    sim_kernel_stats_t st;
    sim_kernel_stats(m->k, &st);
    ASSERT_EQ_U64(m->mismatches, 0);
    ASSERT_EQ_U64(m->n, 0);
    /* The mix really ran events and really built a large queue, not a trickle. */
    CU_ASSERT(m->ran > 20000);
    CU_ASSERT(st.pending_max > 2000);
    ASSERT_EQ_U64(st.events_run, m->ran); /* batch members count as events */
    *joined = m->joined;
    *stops = m->stops;
    CU_ASSERT(!batches || m->members_cancelled > 100);
    sim_kernel_destroy(m->k);
    free(m);
}

static void test_randomized_against_model(void) {
    uint64_t joined, stops;
    run_randomized(false, &joined, &stops);
}

/*
 * The same with batches: bursts joined from outside and from inside callbacks (members joining
 * a batch while it runs), events scheduled by members that come before the batch's next member,
 * stops inside members, and single steps. Every event must still run exactly where the model
 * puts it.
 */
static void test_randomized_batches_against_model(void) {
    uint64_t joined = 0, stops = 0;
    run_randomized(true, &joined, &stops);
    CU_ASSERT(joined > 20000); /* batches really formed */
    CU_ASSERT(stops > 100);
}

/* Many cancellations at once (compaction): the survivors still run in exact order. */
static void test_mass_cancel_keeps_order(void) {
    sim_kernel_t *k = new_kernel(3);
    sim_prng_t p;
    sim_prng_init(&p, 3, 3);
    enum { N = 20000 };
    sim_event_id_t *ids = malloc(N * sizeof *ids);
    CU_ASSERT_FATAL(ids != NULL);
    order_check_t check = {0};
    for (size_t i = 0; i < N; i++) {
        /* arg = time * N + i orders survivors by (time, seq) */
        sim_time_ns_t t = (sim_time_ns_t)sim_prng_below(&p, 1000000);
        ids[i] = sim_kernel_schedule(k, t, 0, check_increasing, &check, (uint64_t)t * N + i);
    }
    size_t cancelled = 0;
    for (size_t i = 0; i < N; i++) {
        if (i % 10 != 0) {
            cancelled += sim_kernel_cancel(k, ids[i]) == 0;
        }
    }
    ASSERT_EQ_U64(cancelled, N - N / 10);
    sim_kernel_stats_t st;
    sim_kernel_stats(k, &st);
    ASSERT_EQ_U64(st.pending, N / 10);
    for (size_t i = 0; i < N; i += 10) {
        CU_ASSERT(sim_kernel_pending(k, ids[i]));
    }
    sim_time_ns_t last = -1;
    size_t ran = 0;
    while (sim_kernel_next_time(k) != SIM_TIME_NEVER) {
        sim_time_ns_t t = sim_kernel_next_time(k);
        CU_ASSERT(t >= last);
        last = t;
        sim_kernel_step(k);
        ran++;
    }
    ASSERT_EQ_U64(ran, N / 10);
    ASSERT_EQ_U64(check.ran, N / 10);
    ASSERT_EQ_U64(check.out_of_order, 0);
    free(ids);
    sim_kernel_destroy(k);
}

void test_register(void) {
    TEST_SUITE("kernel", TEST(test_same_time_runs_in_scheduling_order),
               TEST(test_priority_then_sequence), TEST(test_scheduled_during_dispatch_for_now),
               TEST(test_cancel_event_due_now), TEST(test_cancel_later_from_callback),
               TEST(test_cancel_twice_and_stale_handles), TEST(test_handles_never_repeat),
               TEST(test_rejects_past_and_null), TEST(test_schedule_in_saturates),
               TEST(test_near_events_around_a_far_timer), TEST(test_run_until_and_stop),
               TEST(test_step_and_next_time), TEST(test_two_kernels_are_independent),
               TEST(test_stats_counters), TEST(test_kernel_prng_streams), TEST(test_strerror),
               TEST(test_assert_prints_and_aborts), TEST(test_randomized_against_model),
               TEST(test_randomized_batches_against_model), TEST(test_mass_cancel_keeps_order));
}
