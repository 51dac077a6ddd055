/*
 * test_bridge_pause.c: the pause gate of paced runs (core/bridge/sim_bridge_pause.h), driven as
 * `alfasim run` drives it: a signal opens it. A child process plays the outside world: it writes
 * host frames into the bridge's socket while the run stands at the gate, then sends SIGUSR1.
 *
 * Checked: virtual time stands still at the gate while the bridge keeps reading (every frame is
 * queued, none enters the bus before the run goes on); the run is told both ways with the same
 * virtual time; the pacer starts again from the pause; a slice that does not service a live
 * bridge does not take the pause; an unpaced run without a bridge never pauses.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bridge_rig.h"
#include "sim_bridge_pause.h"
#include "test_support.h"

#define SUITE   "bridge_pause"
#define BURST_N 1000u
#define PAUSE_T (50 * SIM_NS_PER_MS)

typedef struct {
    unsigned calls;
    bool paused[4];
    sim_time_ns_t t_ns[4];
    rig_t *rig;                 /* when set: its statistics as the run goes on */
    sim_bridge_stats_t resumed; /* the bridge's statistics when the run went on */
} told_t;

static void on_told(void *ctx, bool paused, sim_time_ns_t now_ns) {
    told_t *t = ctx;
    if (t->calls < 4) {
        t->paused[t->calls] = paused;
        t->t_ns[t->calls] = now_ns;
    }
    t->calls++;
    if (!paused && t->rig != NULL) {
        sim_bridge_stats(t->rig->b, &t->resumed);
    }
}

static void on_sigusr1(int sig) {
    (void)sig;
    sim_bridge_pause_set(false);
}

static struct sigaction old_action;

static void install(told_t *t) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL(sigaction(SIGUSR1, &sa, &old_action), 0);
    memset(t, 0, sizeof *t);
    sim_bridge_pause_notify(on_told, t);
    sim_bridge_pause_set(true);
}

static void uninstall(void) {
    sim_bridge_pause_notify(NULL, NULL);
    sim_bridge_pause_set(false);
    sigaction(SIGUSR1, &old_action, NULL);
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * The outside world: n host frames (when host_fd >= 0), a wait, then SIGUSR1 to the run, which
 * is sent in any case so that a failure cannot leave the run paused. The host end does not
 * block: a full socket buffer is waited out while the paused run reads it.
 */
static pid_t outside(int host_fd, unsigned n, unsigned wait_ms) {
    pid_t parent = getpid(), pid = fork();
    if (pid != 0) {
        return pid;
    }
    int code = 0;
    for (unsigned i = 0, tries = 0; i < n && code == 0;) {
        sim_can_frame_t f = {.id = 0x7AAu, .dlc = 2, .data = {(uint8_t)(i >> 8), (uint8_t)i}};
        if (host_write(host_fd, &f) == 0) {
            i++;
        } else if (++tries < 10000) {
            sleep_ms(1);
        } else {
            code = 1;
        }
    }
    sleep_ms(wait_ms);
    _exit(kill(parent, SIGUSR1) == 0 ? code : 2);
}

static void reap(pid_t pid) {
    int status = -1;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_gate_holds_time_and_keeps_reading(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 10 * SIM_NS_PER_MS, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(rig_run(&r, PAUSE_T), 0);
    told_t t;
    install(&t);
    t.rig = &r;
    pid_t pid = outside(r.host, BURST_N, 50);
    CU_ASSERT_EQUAL(rig_run(&r, PAUSE_T + SIM_NS_PER_S), 0); /* the burst takes 120 ms of bus */
    reap(pid);
    uninstall();
    /* Stopped and went on at the same instant: virtual time stood still. */
    ASSERT_EQ_U64(t.calls, 2);
    CU_ASSERT_TRUE(t.paused[0] && !t.paused[1]);
    ASSERT_EQ_I64(t.t_ns[0], PAUSE_T);
    ASSERT_EQ_I64(t.t_ns[1], PAUSE_T);
    /* Everything was read while paused, and nothing entered the bus before the run went on. */
    ASSERT_EQ_U64(t.resumed.rx_frames, BURST_N);
    ASSERT_EQ_U64(t.resumed.rx_injected, 0);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_injected, BURST_N);
    ASSERT_EQ_U64(st.rx_overflow, 0);
    ASSERT_EQ_U64(st.pauses, 1);
    size_t n = 0;
    for (size_t i = 0; i < r.w.n_seen; i++) {
        if (r.w.seen[i].sender == sim_bridge_ctrl(r.b)) {
            CU_ASSERT_TRUE(r.w.seen[i].t_end > PAUSE_T && r.w.seen[i].f.data[1] == (uint8_t)n);
            n++;
        }
    }
    ASSERT_EQ_U64(n, BURST_N);
    char json[1024];
    CU_ASSERT_TRUE(sim_bridge_stats_json(r.b, json, sizeof json) > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"pauses\":1,"));
    rig_close(&r, NULL);
}

static void test_pacer_starts_again_from_the_pause(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 10 * SIM_NS_PER_MS, NULL, NULL), 0);
    sim_pacer_t p;
    sim_pacer_init(&p, 1000);
    p.max_lag_ns = 60 * SIM_NS_PER_S; /* a slow host (valgrind) must not re-anchor it instead */
    CU_ASSERT_EQUAL(sim_bridge_run_until(r.w.k, r.b, &p, PAUSE_T, 0), 0);
    told_t t;
    install(&t);
    /* 150 ms of wall time paused: without the re-anchoring the pacer would be that late and
     * race through the next 150 ms of virtual time. */
    pid_t pid = outside(-1, 0, 150);
    CU_ASSERT_EQUAL(sim_bridge_run_until(r.w.k, r.b, &p, PAUSE_T + 10 * SIM_NS_PER_MS, 0), 0);
    reap(pid);
    uninstall();
    ASSERT_EQ_U64(t.calls, 2);
    ASSERT_EQ_I64(t.t_ns[1], PAUSE_T);
    ASSERT_EQ_I64(p.virt_anchor_ns, PAUSE_T); /* from 1 ms (the first slice) to the pause */
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), PAUSE_T + 10 * SIM_NS_PER_MS);
    rig_close(&r, NULL);
}

static void test_where_the_gate_is_not_taken(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 10 * SIM_NS_PER_MS, NULL, NULL), 0);
    told_t t;
    install(&t);
    /* A paced slice without the live bridge leaves the pause to the bridge's next slice. */
    sim_pacer_t p;
    sim_pacer_init(&p, SIM_PACER_FACTOR_MAX_MILLI);
    CU_ASSERT_EQUAL(sim_bridge_run_until(r.w.k, NULL, &p, 20 * SIM_NS_PER_MS, 0), 0);
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), 20 * SIM_NS_PER_MS);
    /* An unpaced run without a bridge never pauses. */
    CU_ASSERT_EQUAL(sim_bridge_run_until(r.w.k, NULL, NULL, 30 * SIM_NS_PER_MS, 0), 0);
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), 30 * SIM_NS_PER_MS);
    ASSERT_EQ_U64(t.calls, 0);
    CU_ASSERT_TRUE(sim_bridge_pause_requested());
    rig_close(&r, NULL);
    /* With no live bridge left, a paced slice without one does pause. */
    bw_world_t w;
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 2, 10 * SIM_NS_PER_MS, NULL), 0);
    CU_ASSERT_EQUAL(sim_kernel_run_until(w.k, 30 * SIM_NS_PER_MS), 0);
    pid_t pid = outside(-1, 0, 50);
    CU_ASSERT_EQUAL(sim_bridge_run_until(w.k, NULL, &p, 40 * SIM_NS_PER_MS, 0), 0);
    reap(pid);
    uninstall();
    ASSERT_EQ_U64(t.calls, 2);
    ASSERT_EQ_I64(t.t_ns[0], 30 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(sim_kernel_now(w.k), 40 * SIM_NS_PER_MS);
    bw_world_destroy(&w, false, NULL);
}

static void test_toggle(void) {
    sim_bridge_pause_set(false);
    sim_bridge_pause_toggle();
    CU_ASSERT_TRUE(sim_bridge_pause_requested());
    sim_bridge_pause_toggle();
    CU_ASSERT_FALSE(sim_bridge_pause_requested());
}

void test_register(void) {
    TEST_SUITE(SUITE, TEST(test_gate_holds_time_and_keeps_reading),
               TEST(test_pacer_starts_again_from_the_pause), TEST(test_where_the_gate_is_not_taken),
               TEST(test_toggle));
}
