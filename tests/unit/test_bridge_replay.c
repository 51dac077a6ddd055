/*
 * Record and replay: a bridged run's folder replays offline, without any socket, to the same
 * bytes (same digest, same bus.log), including a run the bridge stopped; pacing changes nothing;
 * missing and malformed records are reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_rig.h"
#include "test_support.h"

#define SUITE  "bridge_replay"
#define END_NS SIM_NS_PER_S

static sim_can_frame_t sink[256];
static uint64_t commands_sent; /* host frames the last live run injected */

/*
 * The live run: three nodes, host commands, a burst, extended and remote frames, sent from the
 * host between kernel slices. The slices end at the kernel's next event, so host frames enter
 * at instants where nodes act too: a replay that injected them at any other priority than a
 * live pump's would change the order on the bus. Returns the run's result code.
 */
static int live_run(const char *dir, uint32_t stop_on, char digest[65]) {
    rig_t r;
    sim_bridge_cfg_t cfg = {.stop_on = stop_on, .ctrl_queue_len = 8};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 10 * SIM_NS_PER_MS, dir, &cfg), 0);
    int rc = 0;
    for (unsigned step = 0; rc == 0 && sim_kernel_now(r.w.k) < END_NS; step++) {
        /* (after a pump, the next event can be the arbitration it asked for, at now) */
        sim_time_ns_t t = sim_kernel_next_time(r.w.k);
        t = t > sim_kernel_now(r.w.k) ? t : sim_kernel_now(r.w.k) + 1;
        if (step % 23 == 5) {
            sim_can_frame_t cmd = {.id = BW_CMD_ID, .dlc = 1, .data = {(uint8_t)step}};
            CU_ASSERT_EQUAL(host_write(r.host, &cmd), 0);
        }
        if (step == 400) {
            for (unsigned i = 0; i < 60; i++) {
                sim_can_frame_t f = {.id = 0x1ABCDE00u + i,
                                     .flags = SIM_CAN_FLAG_IDE,
                                     .dlc = 3,
                                     .data = {1, 2, (uint8_t)i}};
                CU_ASSERT_EQUAL(host_write(r.host, &f), 0);
            }
            sim_can_frame_t rtr = {.id = 0x7DF, .flags = SIM_CAN_FLAG_RTR, .dlc = 8};
            CU_ASSERT_EQUAL(host_write(r.host, &rtr), 0);
        }
        if (step == 700 && stop_on != 0) {
            struct canfd_frame fd = {.can_id = 0x55, .len = 16};
            CU_ASSERT_EQUAL(host_write_raw(r.host, &fd, sizeof fd), 0);
        }
        rc = rig_run(&r, t < END_NS ? t : END_NS);
        host_read(r.host, sink, 256);
        r.w.n_seen = 0; /* only the trace matters here */
    }
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    commands_sent = st.rx_injected;
    rig_close(&r, digest);
    return rc;
}

static int replay_run(const char *live_dir, const char *dir, char digest[65],
                      sim_time_ns_t *end_ns) {
    bw_world_t w;
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 3, 10 * SIM_NS_PER_MS, dir), 0);
    char path[600], err[300] = "";
    snprintf(path, sizeof path, "%s/events.jsonl", live_dir);
    sim_bridge_t *b = NULL;
    int rc = sim_bridge_replay_open(path, 0, w.k, w.bus, w.trace, &b, err, sizeof err);
    ASSERT_EQ_STR(err, "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = sim_kernel_run_until(w.k, END_NS);
    *end_ns = sim_kernel_now(w.k);
    sim_bridge_stats_t st;
    sim_bridge_stats(b, &st);
    ASSERT_EQ_U64(st.replay_refused, 0);
    if (rc != 0) {
        CU_ASSERT_TRUE(sim_bridge_stopped(b));
    }
    sim_bridge_destroy(b);
    bw_world_destroy(&w, true, digest);
    return rc;
}

static bool same_file(const char *a_dir, const char *b_dir, const char *name) {
    char pa[600], pb[600];
    snprintf(pa, sizeof pa, "%s/%s", a_dir, name);
    snprintf(pb, sizeof pb, "%s/%s", b_dir, name);
    char *a = read_text(pa), *b = read_text(pb);
    bool same = a != NULL && b != NULL && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

static void test_replay_gives_the_live_digest(void) {
    char live[512], replay[512], dl[65], dr[65];
    rig_tmp_dir(SUITE, "live", live, sizeof live);
    rig_tmp_dir(SUITE, "replay", replay, sizeof replay);
    CU_ASSERT_EQUAL(live_run(live, 0, dl), 0);
    sim_time_ns_t end;
    CU_ASSERT_EQUAL(replay_run(live, replay, dr, &end), 0);
    ASSERT_EQ_STR(dr, dl);
    CU_ASSERT_TRUE(same_file(live, replay, "bus.log"));
    CU_ASSERT_TRUE(same_file(live, replay, "events.jsonl"));
    /* The record holds what the host sent: the commands, the burst, the remote frame. */
    char path[600];
    snprintf(path, sizeof path, "%s/events.jsonl", live);
    char *ev = read_text(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_TRUE(commands_sent > 60 + 1 + 20);
    ASSERT_EQ_U64(count_lines_with(ev, "\"type\":\"bridge_rx\""), commands_sent);
    ASSERT_EQ_U64(count_lines_with(ev, "\"frame\":\"7DF#R8\""), 1);
    ASSERT_EQ_U64(count_lines_with(ev, "\"frame\":\"1ABCDE3B#01023B\""), 1);
    free(ev);
}

static void test_replay_of_a_stopped_run(void) {
    char live[512], replay[512], dl[65], dr[65];
    rig_tmp_dir(SUITE, "live_stop", live, sizeof live);
    rig_tmp_dir(SUITE, "replay_stop", replay, sizeof replay);
    CU_ASSERT_EQUAL(live_run(live, SIM_BRIDGE_STOP_BAD, dl), -SIM_ECANCELED);
    sim_time_ns_t end;
    CU_ASSERT_EQUAL(replay_run(live, replay, dr, &end), -SIM_ECANCELED);
    CU_ASSERT_TRUE(end > 0 && end < END_NS);
    ASSERT_EQ_STR(dr, dl);
    CU_ASSERT_TRUE(same_file(live, replay, "events.jsonl"));
}

/* Same world and host input, paced at 200x (1 s in about 5 ms) and unpaced: same trace. */
static void test_pacing_changes_nothing(void) {
    char d1[512], d2[512], g1[65], g2[65];
    rig_tmp_dir(SUITE, "unpaced", d1, sizeof d1);
    rig_tmp_dir(SUITE, "paced", d2, sizeof d2);
    for (int paced = 0; paced < 2; paced++) {
        rig_t r;
        CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 10 * SIM_NS_PER_MS, paced ? d2 : d1, NULL), 0);
        sim_pacer_t p;
        sim_pacer_init(&p, paced ? 200000 : 0);
        sim_can_frame_t cmd = {.id = BW_CMD_ID, .dlc = 1, .data = {5}};
        CU_ASSERT_EQUAL(host_write(r.host, &cmd), 0);
        CU_ASSERT_EQUAL(sim_bridge_run_until(r.w.k, r.b, &p, END_NS, SIM_NS_PER_MS), 0);
        rig_close(&r, paced ? g2 : g1);
    }
    ASSERT_EQ_STR(g1, g2);
}

static void test_missing_bridge_is_enoent(void) {
    char dir[512], path[600], err[300] = "";
    rig_tmp_dir(SUITE, "nobridge", dir, sizeof dir);
    bw_world_t w;
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 2, 10 * SIM_NS_PER_MS, dir), 0);
    CU_ASSERT_EQUAL(sim_kernel_run_until(w.k, 50 * SIM_NS_PER_MS), 0);
    bw_world_destroy(&w, true, NULL);
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 2, 10 * SIM_NS_PER_MS, NULL), 0);
    sim_bridge_t *b = NULL;
    ASSERT_EQ_I64(sim_bridge_replay_open(path, 0, w.k, w.bus, NULL, &b, err, sizeof err),
                  -SIM_ENOENT);
    CU_ASSERT_PTR_NULL(b);
    ASSERT_EQ_STR(err, ""); /* no bridge is no error: the replay goes on without one */
    ASSERT_EQ_I64(sim_bridge_replay_open("/nonexistent/events.jsonl", 0, w.k, w.bus, NULL, &b, err,
                                         sizeof err),
                  -SIM_ENOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/events.jsonl: cannot read"));
    bw_world_destroy(&w, false, NULL);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_malformed_record_names_its_line(void) {
    char dir[512], path[600], err[300] = "";
    rig_tmp_dir(SUITE, "malformed.jsonl", dir, sizeof dir);
    snprintf(path, sizeof path, "%s", dir);
    static const char *const bad[] = {
        "{\"t_ns\":5,\"type\":\"bridge_rx\",\"node\":\"bridge\",\"frame\":\"1234#00\"}\n",
        "{\"t_ns\":5,\"type\":\"bridge_rx\",\"node\":\"bridge\",\"frame\":\"800#00\"}\n",
        "{\"t_ns\":5,\"type\":\"bridge_rx\",\"node\":\"bridge\",\"frame\":\"100#0\"}\n",
        "{\"t_ns\":5,\"type\":\"bridge_stop\",\"node\":\"bridge\",\"reason\":\"whim\"}\n",
        "{\"t_ns\":5,\"type\":\"bridge_rx\",\"node\":\"bridge\"}\n",
    };
    bw_world_t w;
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 1, 0, NULL), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"t_ns\":0,\"type\":\"bridge_open\",\"node\":\"bridge\",\"endpoint\":\"x\","
                 "\"queue\":8}\n{\"t_ns\":1,\"type\":\"relay\",\"node\":\"p\"}\n%s",
                 bad[i]);
        write_text(path, text);
        sim_bridge_t *b = NULL;
        ASSERT_EQ_I64(sim_bridge_replay_open(path, 0, w.k, w.bus, NULL, &b, err, sizeof err),
                      -SIM_EFORMAT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "malformed.jsonl:3: error:"));
    }
    /* And the good form of the same file is accepted. */
    write_text(path, "{\"t_ns\":0,\"type\":\"bridge_open\",\"node\":\"bridge\",\"endpoint\":\"x\","
                     "\"queue\":8}\n{\"t_ns\":5,\"type\":\"bridge_rx\",\"node\":\"bridge\","
                     "\"frame\":\"18FF50E5#R\"}\n");
    sim_bridge_t *b = NULL;
    CU_ASSERT_EQUAL(sim_bridge_replay_open(path, 0, w.k, w.bus, NULL, &b, err, sizeof err), 0);
    CU_ASSERT_EQUAL(sim_kernel_run_until(w.k, SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(w.n_seen, 1);
    CU_ASSERT_TRUE(w.seen[0].f.id == 0x18FF50E5u &&
                   w.seen[0].f.flags == (SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR));
    sim_bridge_destroy(b);
    bw_world_destroy(&w, false, NULL);
}

void test_register(void) {
    TEST_SUITE(SUITE, TEST(test_replay_gives_the_live_digest), TEST(test_replay_of_a_stopped_run),
               TEST(test_pacing_changes_nothing), TEST(test_missing_bridge_is_enoent),
               TEST(test_malformed_record_names_its_line));
}
