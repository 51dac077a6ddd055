/*
 * The bridge end to end through the socketpair transport (struct can_frame records, as an AF_CAN
 * socket carries them): bus frames reach the host in bus order, host frames reach every node and
 * the trace, nothing the bridge sends comes back, two bridges on one host link do not loop, the
 * controller's small queue holds back the rest, and a burst sent while the simulation is paused
 * arrives whole and in order.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge_rig.h"
#include "test_support.h"

#define SUITE      "bridge_seqpacket"
#define MAX_FRAMES 8192

static sim_can_frame_t host_rx[MAX_FRAMES];

/* Bus frames not sent by `except` (the bridge), in order. */
static size_t bus_frames_not_from(const bw_world_t *w, const sim_can_ctrl_t *except,
                                  sim_can_frame_t *out, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < w->n_seen && n < max; i++) {
        if (w->seen[i].sender != except) {
            out[n++] = w->seen[i].f;
        }
    }
    return n;
}

static void test_bus_frames_reach_host_in_order(void) {
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 10 * SIM_NS_PER_MS, NULL, NULL), 0);
    size_t got = 0;
    /* Read the host end as the run goes: the socket buffer holds only a few hundred records. */
    for (sim_time_ns_t t = 0; t < 2 * SIM_NS_PER_S; t += 50 * SIM_NS_PER_MS) {
        CU_ASSERT_EQUAL(rig_run(&r, t + 50 * SIM_NS_PER_MS), 0);
        got += host_read(r.host, host_rx + got, MAX_FRAMES - got);
    }
    CU_ASSERT_EQUAL(sim_bridge_drain(r.b, 1000), 0);
    got += host_read(r.host, host_rx + got, MAX_FRAMES - got);
    static sim_can_frame_t bus[MAX_FRAMES];
    size_t n = bus_frames_not_from(&r.w, sim_bridge_ctrl(r.b), bus, MAX_FRAMES);
    CU_ASSERT_TRUE(n > 500); /* 3 nodes x 2 s / 10 ms, with extended and empty frames */
    ASSERT_EQ_U64(got, n);
    size_t same = 0;
    for (size_t i = 0; i < n && i < got; i++) {
        same += frame_eq(&host_rx[i], &bus[i]);
    }
    ASSERT_EQ_U64(same, n);
    bool ext = false, empty = false;
    for (size_t i = 0; i < got; i++) {
        ext |= (host_rx[i].flags & SIM_CAN_FLAG_IDE) != 0;
        empty |= host_rx[i].dlc == 0;
    }
    CU_ASSERT_TRUE(ext && empty);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.tx_frames, n);
    ASSERT_EQ_U64(st.tx_overflow + st.tx_no_peer + st.tx_link_down, 0);
    rig_close(&r, NULL);
}

static void test_host_frame_reaches_nodes_and_trace(void) {
    char dir[512];
    rig_tmp_dir(SUITE, "command", dir, sizeof dir);
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 3, 0, dir, NULL), 0);
    sim_can_frame_t cmd = {.id = BW_CMD_ID, .dlc = 1, .data = {7}};
    CU_ASSERT_EQUAL(host_write(r.host, &cmd), 0);
    CU_ASSERT_EQUAL(rig_run(&r, 20 * SIM_NS_PER_MS), 0);
    for (unsigned i = 0; i < 3; i++) {
        ASSERT_EQ_U64(r.w.nodes[i].commands, 1);
        ASSERT_EQ_U64(r.w.nodes[i].last_cmd, 7);
    }
    /* The host gets the three ACKs, and not its own command back. */
    size_t got = host_read(r.host, host_rx, MAX_FRAMES);
    ASSERT_EQ_U64(got, 3);
    for (size_t i = 0; i < got; i++) {
        CU_ASSERT_TRUE(host_rx[i].id >= BW_ACK_BASE + 1 && host_rx[i].id <= BW_ACK_BASE + 3);
        ASSERT_EQ_U64(host_rx[i].data[0], BW_ACK_MAGIC);
        ASSERT_EQ_U64(host_rx[i].data[1], 7);
    }
    /* On the bus the command came from the bridge's controller, after the 1 ms boundary. */
    ASSERT_EQ_U64(bw_world_count_from(&r.w, sim_bridge_ctrl(r.b)), 1);
    CU_ASSERT_TRUE(r.w.seen[0].sender == sim_bridge_ctrl(r.b));
    CU_ASSERT_TRUE(r.w.seen[0].t_end > SIM_NS_PER_MS);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_frames, 1);
    ASSERT_EQ_U64(st.rx_injected, 1);
    rig_close(&r, NULL);

    char path[600];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    char *ev = read_text(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_PTR_NOT_NULL(strstr(ev, "{\"t_ns\":0,\"type\":\"bridge_open\",\"node\":\"bridge\","
                                      "\"endpoint\":\"seqpacket\",\"queue\":64}\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(
        ev,
        "{\"t_ns\":1000000,\"type\":\"bridge_rx\",\"node\":\"bridge\",\"frame\":\"100#07\"}\n"));
    free(ev);
}

static void test_burst_while_paused_arrives_whole(void) {
    char dir[512];
    rig_tmp_dir(SUITE, "burst", dir, sizeof dir);
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 0, dir, NULL), 0);
    /* Paused: the kernel does not move, only the host side is serviced, as a paused run does. */
    for (unsigned i = 0; i < 1000;) {
        sim_can_frame_t f = {
            .id = 0x200u + (i % 0x100u), .dlc = 2, .data = {(uint8_t)i, (uint8_t)(i >> 8)}};
        if (host_write(r.host, &f) == 0) {
            i++;
        } else {
            CU_ASSERT_EQUAL_FATAL(sim_bridge_service(r.b, 0), 0);
        }
    }
    CU_ASSERT_EQUAL(sim_bridge_service(r.b, 0), 0);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_frames, 1000);
    ASSERT_EQ_U64(st.rx_overflow, 0);
    ASSERT_EQ_I64(sim_kernel_now(r.w.k), 0);
    CU_ASSERT_EQUAL(rig_run(&r, SIM_NS_PER_S), 0);
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_injected, 1000);
    size_t k = 0;
    for (size_t i = 0; i < r.w.n_seen; i++) {
        if (r.w.seen[i].sender == sim_bridge_ctrl(r.b)) {
            const sim_can_frame_t *f = &r.w.seen[i].f;
            CU_ASSERT_TRUE(f->id == 0x200u + (k % 0x100u) && f->dlc == 2 &&
                           (f->data[0] | f->data[1] << 8) == (int)k);
            k++;
        }
    }
    ASSERT_EQ_U64(k, 1000);
    rig_close(&r, NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    char *ev = read_text(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    ASSERT_EQ_U64(count_lines_with(ev, "\"type\":\"bridge_rx\""), 1000);
    free(ev);
}

static void test_controller_queue_holds_back_the_rest(void) {
    rig_t r;
    sim_bridge_cfg_t cfg = {.ctrl_queue_len = 16};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 1, 0, NULL, &cfg), 0);
    for (unsigned i = 0; i < 100; i++) {
        sim_can_frame_t f = {.id = 0x300, .dlc = 1, .data = {(uint8_t)i}};
        CU_ASSERT_EQUAL(host_write(r.host, &f), 0);
    }
    CU_ASSERT_EQUAL(rig_run(&r, SIM_NS_PER_MS), 0);
    sim_bridge_stats_t st;
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_frames, 100);
    ASSERT_EQ_U64(st.rx_injected, 16); /* one pump, at 1 ms: the controller took 16 */
    CU_ASSERT_EQUAL(rig_run(&r, 100 * SIM_NS_PER_MS), 0);
    sim_bridge_stats(r.b, &st);
    ASSERT_EQ_U64(st.rx_injected, 100);
    ASSERT_EQ_U64(bw_world_count_from(&r.w, sim_bridge_ctrl(r.b)), 100);
    rig_close(&r, NULL);
}

/*
 * Two bridges on one host interface: whatever one writes to the interface, the other's socket
 * receives (a vcan delivers every write to every other socket). The relay below plays vcan.
 */
static void relay(int from, int to, size_t *moved) {
    sim_can_frame_t buf[256];
    size_t n = host_read(from, buf, 256);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(host_write(to, &buf[i]), 0);
    }
    *moved += n;
}

static void test_two_bridges_on_one_link_do_not_loop(void) {
    rig_t r;
    sim_bridge_cfg_t ca = {.name = "bridgeA"};
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 5 * SIM_NS_PER_MS, NULL, &ca), 0);
    sim_bridge_t *b2;
    int host2;
    sim_bridge_cfg_t cb = {.name = "bridgeB", .peer = r.b};
    CU_ASSERT_EQUAL_FATAL(rig_add_bridge(&r, &cb, &b2, &host2), 0);
    size_t a_to_b = 0, b_to_a = 0;
    for (sim_time_ns_t t = 0; t < SIM_NS_PER_S; t += SIM_NS_PER_MS) {
        CU_ASSERT_EQUAL(rig_run(&r, t + SIM_NS_PER_MS), 0);
        CU_ASSERT_EQUAL(sim_bridge_service(b2, 0), 0);
        CU_ASSERT_EQUAL(sim_bridge_pump(b2), 0);
        relay(r.host, host2, &a_to_b);
        relay(host2, r.host, &b_to_a);
    }
    /* Both forwarded every node frame; neither put anything back on the bus. */
    size_t node_frames = r.w.n_seen - bw_world_count_from(&r.w, sim_bridge_ctrl(r.b)) -
                         bw_world_count_from(&r.w, sim_bridge_ctrl(b2));
    CU_ASSERT_TRUE(node_frames > 300);
    ASSERT_EQ_U64(a_to_b, node_frames);
    ASSERT_EQ_U64(b_to_a, node_frames);
    ASSERT_EQ_U64(bw_world_count_from(&r.w, sim_bridge_ctrl(r.b)), 0);
    ASSERT_EQ_U64(bw_world_count_from(&r.w, sim_bridge_ctrl(b2)), 0);
    sim_bridge_stats_t sa, sb;
    sim_bridge_stats(r.b, &sa);
    sim_bridge_stats(b2, &sb);
    CU_ASSERT_TRUE(sa.rx_echo >= node_frames - 2 && sb.rx_echo >= node_frames - 2);
    /* A third application on the link still gets through (to the first bridge here). */
    sim_can_frame_t cmd = {.id = BW_CMD_ID, .dlc = 1, .data = {9}};
    CU_ASSERT_EQUAL(host_write(r.host, &cmd), 0);
    CU_ASSERT_EQUAL(rig_run(&r, SIM_NS_PER_S + 10 * SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(r.w.nodes[0].last_cmd, 9);
    sim_bridge_destroy(b2);
    close(host2);
    rig_close(&r, NULL);
}

static void test_without_peer_the_bridges_would_echo(void) {
    /* The negative space of the test above: the same setup without declaring the peer shows
     * frames coming back, so the peer rule is what keeps the bus clean. */
    rig_t r;
    CU_ASSERT_EQUAL_FATAL(rig_open(&r, 2, 5 * SIM_NS_PER_MS, NULL, NULL), 0);
    sim_bridge_t *b2;
    int host2;
    sim_bridge_cfg_t cb = {.name = "bridgeB"};
    CU_ASSERT_EQUAL_FATAL(rig_add_bridge(&r, &cb, &b2, &host2), 0);
    size_t moved = 0;
    for (sim_time_ns_t t = 0; t < 50 * SIM_NS_PER_MS; t += SIM_NS_PER_MS) {
        CU_ASSERT_EQUAL(rig_run(&r, t + SIM_NS_PER_MS), 0);
        CU_ASSERT_EQUAL(sim_bridge_service(b2, 0), 0);
        CU_ASSERT_EQUAL(sim_bridge_pump(b2), 0);
        relay(r.host, host2, &moved);
    }
    CU_ASSERT_TRUE(bw_world_count_from(&r.w, sim_bridge_ctrl(b2)) > 0);
    sim_bridge_destroy(b2);
    close(host2);
    rig_close(&r, NULL);
}

void test_register(void) {
    TEST_SUITE(SUITE, TEST(test_bus_frames_reach_host_in_order),
               TEST(test_host_frame_reaches_nodes_and_trace),
               TEST(test_burst_while_paused_arrives_whole),
               TEST(test_controller_queue_holds_back_the_rest),
               TEST(test_two_bridges_on_one_link_do_not_loop),
               TEST(test_without_peer_the_bridges_would_echo));
}
