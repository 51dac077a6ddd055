/*
 * What the host side can get wrong, through the socketpair transport: FD frames on the classic
 * bus, lengths above 8, records of the wrong size, error frames, standard identifiers wider than
 * 11 bits, both queues overflowing, a full host socket buffer, a lost link. Each is counted and
 * told once, the run continues, or it stops and says so in the trace when configured. Also the
 * rate limiter, on a fake host clock.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge_rig.h"
#include "test_support.h"

#define SUITE "bridge_faults"

static sim_can_frame_t host_rx[4096];

static void write_bad_input(int host) {
    struct canfd_frame fd;
    memset(&fd, 0, sizeof fd);
    fd.can_id = 0x123;
    fd.len = 12;
    CU_ASSERT_EQUAL(host_write_raw(host, &fd, sizeof fd), 0);
    struct can_frame cf;
    memset(&cf, 0, sizeof cf);
    cf.can_id = 0x124;
    cf.len = 9;
    CU_ASSERT_EQUAL(host_write_raw(host, &cf, sizeof cf), 0);
    CU_ASSERT_EQUAL(host_write_raw(host, &cf, 10), 0);
    cf.can_id = CAN_ERR_FLAG | 0x40u;
    cf.len = 8;
    CU_ASSERT_EQUAL(host_write_raw(host, &cf, sizeof cf), 0);
    cf.can_id = 0x800; /* no CAN_EFF_FLAG: a standard id cannot be this wide */
    cf.len = 0;
    CU_ASSERT_EQUAL(host_write_raw(host, &cf, sizeof cf), 0);
}

static void test_bad_input_is_counted_and_run_continues(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 0, NULL, NULL), 0);
    write_bad_input(r.host);
    sim_can_frame_t cmd = {.id = BW_CMD_ID, .dlc = 1, .data = {3}};
    CU_ASSERT_EQUAL(host_write(r.host, &cmd), 0);
    CU_ASSERT_EQUAL(rig_run(&r, 10 * SIM_NS_PER_MS), 0);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_fd, 1);
    ASSERT_EQ_U64(st.rx_bad_dlc, 1);
    ASSERT_EQ_U64(st.rx_malformed, 2);
    ASSERT_EQ_U64(st.rx_error_frames, 1);
    ASSERT_EQ_U64(st.rx_frames, 1);
    ASSERT_EQ_U64(st.rx_injected, 1);
    ASSERT_EQ_U64(r.w.nodes[2].last_cmd, 3);
    CU_ASSERT_FALSE(sim_bridge_stopped(r.b));
    CU_ASSERT_TRUE(rig_logged(&r, "CAN FD frame from the host was refused"));
    CU_ASSERT_TRUE(rig_logged(&r, "more than 8 data bytes"));
    CU_ASSERT_TRUE(rig_logged(&r, "a record of 10 bytes"));
    /* Malformed input is told once: the second kind of it (a too wide id) is only counted. */
    CU_ASSERT_FALSE(rig_logged(&r, "wider than 11 bits"));
    /* The same kinds again are counted but not told again. */
    unsigned logs = r.n_logs;
    write_bad_input(r.host);
    CU_ASSERT_EQUAL(rig_run(&r, 20 * SIM_NS_PER_MS), 0);
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_malformed, 4);
    ASSERT_EQ_U64(r.n_logs, logs);
    rig_close(&r, NULL);
}

static void test_stop_on_bad_input_is_recorded(void) {
    char dir[512];
    rig_tmp_dir(SUITE, "stop_bad", dir, sizeof dir);
    rig_t r;
    sim_bridge_cfg_t cfg = {.stop_on = SIM_BRIDGE_STOP_BAD};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 10 * SIM_NS_PER_MS, dir, &cfg), 0);
    CU_ASSERT_EQUAL(rig_run(&r, 50 * SIM_NS_PER_MS), 0);
    struct canfd_frame fd;
    memset(&fd, 0, sizeof fd);
    fd.len = 64;
    CU_ASSERT_EQUAL(host_write_raw(r.host, &fd, sizeof fd), 0);
    CU_ASSERT_EQUAL(rig_run(&r, SIM_NS_PER_S), -SIM_ECANCELED);
    CU_ASSERT_TRUE(sim_bridge_stopped(r.b));
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), 51 * SIM_NS_PER_MS);
    CU_ASSERT_EQUAL(sim_bridge_pump(r.b), -SIM_ECANCELED);
    CU_ASSERT_TRUE(rig_logged(&r, "stopping the run at t=51000000 ns (bad_input)"));
    rig_close(&r, NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    char *ev = read_text(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "{\"t_ns\":51000000,\"type\":\"bridge_stop\",\"node\":"
                                      "\"bridge\",\"reason\":\"bad_input\"}\n"));
    free(ev);
}

static void test_rx_overflow_counts_lost_frames(void) {
    rig_t r;
    sim_bridge_cfg_t cfg = {.rx_queue_len = 16};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 1, 0, NULL, &cfg), 0);
    for (unsigned i = 0; i < 40; i++) {
        sim_can_frame_t f = {.id = 0x321, .dlc = 1, .data = {(uint8_t)i}};
        CU_ASSERT_EQUAL(host_write(r.host, &f), 0);
    }
    CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_frames, 16);
    ASSERT_EQ_U64(st.rx_overflow, 24);
    ASSERT_EQ_U64(st.rx_queue_max, 16);
    CU_ASSERT_TRUE(rig_logged(&r, "host frames are lost"));
    /* The 16 kept are the first 16, in order. */
    CU_ASSERT_EQUAL(rig_run(&r, 50 * SIM_NS_PER_MS), 0);
    size_t k = 0;
    for (size_t i = 0; i < r.w.n_seen; i++) {
        CU_ASSERT_EQUAL(r.w.seen[i].f.data[0], k);
        k++;
    }
    ASSERT_EQ_U64(k, 16);
    rig_close(&r, NULL);
}

static void test_full_host_buffer_then_tx_overflow(void) {
    /* Nobody reads the host end: its socket buffer fills (frames wait), then the tx queue. */
    rig_t r;
    sim_bridge_cfg_t cfg = {.tx_queue_len = 32};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, SIM_NS_PER_MS, NULL, &cfg), 0);
    CU_ASSERT_EQUAL(rig_run(&r, SIM_NS_PER_S), 0);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    CU_ASSERT_TRUE(st.tx_busy >= 1);
    CU_ASSERT_TRUE(st.tx_overflow > 0);
    ASSERT_EQ_U64(st.tx_queue_max, 32);
    /* Every bus frame is accounted for: handed over, lost, or still queued. */
    ASSERT_EQ_U64(st.tx_unsent, 32);
    ASSERT_EQ_U64(st.tx_frames + st.tx_overflow + st.tx_unsent, r.w.n_seen);
    CU_ASSERT_TRUE(rig_logged(&r, "socket buffer is full"));
    CU_ASSERT_TRUE(rig_logged(&r, "frames to the host are lost"));
    rig_close(&r, NULL);
}

static void test_lost_link_is_counted_and_run_continues(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 5 * SIM_NS_PER_MS, NULL, NULL), 0);
    CU_ASSERT_EQUAL(rig_run(&r, 100 * SIM_NS_PER_MS), 0);
    close(r.host);
    r.host = -1;
    CU_ASSERT_EQUAL(rig_run(&r, 300 * SIM_NS_PER_MS), 0);
    CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0); /* the last slice's frames */
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.link_lost, 1);
    CU_ASSERT_TRUE(st.tx_link_down > 0);
    ASSERT_EQ_U64(st.tx_frames + st.tx_link_down, r.w.n_seen);
    CU_ASSERT_TRUE(rig_logged(&r, "the host end of the link was closed"));
    CU_ASSERT_TRUE(rig_logged(&r, "the host link is lost"));
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), 300 * SIM_NS_PER_MS);
    rig_close(&r, NULL);
}

static void test_stop_on_lost_link(void) {
    rig_t r;
    sim_bridge_cfg_t cfg = {.stop_on = SIM_BRIDGE_STOP_LINK};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 5 * SIM_NS_PER_MS, NULL, &cfg), 0);
    CU_ASSERT_EQUAL(rig_run(&r, 10 * SIM_NS_PER_MS), 0);
    close(r.host);
    r.host = -1;
    CU_ASSERT_EQUAL(rig_run(&r, SIM_NS_PER_S), -SIM_ECANCELED);
    CU_ASSERT_TRUE(sim_bridge_stopped(r.b));
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), 11 * SIM_NS_PER_MS);
    rig_close(&r, NULL);
}

/* Host ns a frame costs on the 500 kbit/s bus at rate 1x. */
static uint64_t cost_ns(const sim_can_frame_t *f) {
    return (uint64_t)sim_can_frame_bits(f) * 2000u;
}

static void test_rate_limit_follows_the_bit_rate(void) {
    rig_t r;
    sim_bridge_cfg_t cfg = {.rate_milli = 1000, .clock = rig_fake_clock(&r)};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, SIM_NS_PER_MS, NULL, &cfg), 0);
    /* Fill the tx queue without servicing: run the kernel alone. */
    CU_ASSERT_EQUAL(sim_kernel_run_until(r.w.k, 30 * SIM_NS_PER_MS), 0);
    size_t n = r.w.n_seen;
    CU_ASSERT_TRUE_FATAL(n > 40);
    /* First round: up to 2 ms of backlog at once (the catch-up burst). */
    uint64_t sum = 0;
    size_t expect = 0;
    while (expect < n && sum <= 2 * SIM_NS_PER_MS) {
        sum += cost_ns(&r.w.seen[expect++].f);
    }
    CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0);
    ASSERT_EQ_U64(host_read(r.host, host_rx, 4096), expect);
    CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0);
    ASSERT_EQ_U64(host_read(r.host, host_rx, 4096), 0);
    /* Then one frame each time the clock reaches the end of the previous frame's bus time. */
    uint64_t free_at = r.fake_ns - 2 * SIM_NS_PER_MS + sum;
    for (int i = 0; i < 10; i++) {
        r.fake_ns = free_at - 1;
        CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0);
        ASSERT_EQ_U64(host_read(r.host, host_rx, 4096), 0);
        r.fake_ns = free_at;
        CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0);
        ASSERT_EQ_U64(host_read(r.host, host_rx, 4096), 1);
        CU_ASSERT_TRUE(frame_eq(&host_rx[0], &r.w.seen[expect].f));
        free_at += cost_ns(&r.w.seen[expect++].f);
    }
    rig_close(&r, NULL);
}

static void test_stats_json_is_one_object(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 1, 0, NULL, NULL), 0);
    char buf[1024];
    int n = sim_bridge_stats_json(r.b, buf, sizeof buf);
    CU_ASSERT_TRUE(n > 0 && (size_t)n == strlen(buf));
    CU_ASSERT_EQUAL(strncmp(buf, "{\"endpoint\":\"seqpacket\",\"rx_frames\":0,", 38), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, ",\"stopped\":false}"));
    char small[16];
    ASSERT_EQ_I64(sim_bridge_stats_json(r.b, small, sizeof small), -SIM_ERANGE);
    ASSERT_EQ_STR(small, "{}");
    rig_close(&r, NULL);
}

void test_register(void) {
    TEST_SUITE(SUITE, TEST(test_bad_input_is_counted_and_run_continues),
               TEST(test_stop_on_bad_input_is_recorded), TEST(test_rx_overflow_counts_lost_frames),
               TEST(test_full_host_buffer_then_tx_overflow),
               TEST(test_lost_link_is_counted_and_run_continues), TEST(test_stop_on_lost_link),
               TEST(test_rate_limit_follows_the_bit_rate), TEST(test_stats_json_is_one_object));
}
