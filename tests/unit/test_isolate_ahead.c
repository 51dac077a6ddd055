/*
 * test_isolate_ahead.c: batches sent ahead (core/host/sim_node_ahead.c). Isolated nodes whose
 * firmware events fall on the same instant get their batches together, so their children run
 * side by side; the traces must stay those of an in-process run, and a node whose state is
 * changed from outside the kernel between the send and its event must fault, never run on.
 */
#include "sim_node_int.h"
#include "test_isolate_world.h"

/* Four testnodes powered on at the same instant: their heartbeats fall together all run long,
 * and a frame from the tester reaches the four inboxes at once. */
static void build_four(world_t *w, bool isolate) {
    for (uint8_t k = 1; k <= 4; k++) {
        world_node(w, &(world_node_cfg_t){.plugin = "fw_testnode.so",
                                          .mac_last = k,
                                          .isolate = isolate,
                                          .devices = true,
                                          .rs485 = true});
        world_act(w, (act_t){.t_ms = 0, .kind = ACT_POWER_ON, .node = (uint8_t)(k - 1)});
    }
    for (int i = 0; i < 4; i++) {
        world_act(
            w, (act_t){
                   .t_ms = 500 + 700 * i, .kind = ACT_SEND, .id = 0x123, .dlc = 1, .data = {0xFF}});
    }
    /* A command that uses the UART, the ADC and a sync GPIO read on node 2 mid-run. */
    world_act(w, (act_t){.t_ms = 1210, .kind = ACT_SEND, .id = 0x125, .dlc = 2, .data = {2, 1}});
    world_act(
        w,
        (act_t){
            .t_ms = 1330, .kind = ACT_SEND, .id = 0x125, .dlc = 5, .data = {2, 2, 10, 50, 0x05}});
    world_act(
        w,
        (act_t){.t_ms = 1450, .kind = ACT_SEND, .id = 0x125, .dlc = 4, .data = {2, 3, 0x10, 0x20}});
}

static void run_four(bool isolate, char digest[65], uint64_t *ahead, uint64_t *batches) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test_isolate_ahead.%s", SIM_BINARY_DIR,
             isolate ? "isolated" : "inproc");
    world_t *w = calloc(1, sizeof *w);
    world_open(w, dir, true);
    build_four(w, isolate);
    world_run_ms(w, 4000);
    *ahead = *batches = 0;
    for (unsigned i = 0; i < w->n_nodes; i++) {
        CU_ASSERT_PTR_NULL(sim_node_faulted(w->nodes[i]));
        sim_node_stats_t st;
        sim_node_stats(w->nodes[i], &st);
        *ahead += w->nodes[i]->iso_ahead_sent;
        *batches += st.iso_batches;
    }
    world_close(w);
    memcpy(digest, w->digest, 65);
    free(w);
}

static void test_same_instant_batches_go_ahead_and_change_nothing(void) {
    char here[65], iso[65];
    uint64_t ahead_here, batches_here, ahead, batches;
    run_four(false, here, &ahead_here, &batches_here);
    run_four(true, iso, &ahead, &batches);
    ASSERT_EQ_STR(iso, here);
    ASSERT_EQ_U64(ahead_here + batches_here, 0);
    /* Most batches of this world have three same-instant companions: at least half of them
     * must have gone ahead, and every one sent ahead was used by its event (counted there). */
    CU_ASSERT(batches > 100);
    CU_ASSERT(ahead * 2 > batches);
    CU_ASSERT(ahead < batches);
}

/* Two nodes with heartbeats at the same instants; the kernel is stepped one event at a time and
 * node 2's NVS image is written between node 1's event (which sent node 2's batch ahead) and
 * node 2's own: the batch the child ran is not the one its event builds any more. */
static void test_a_change_from_outside_within_the_instant_is_a_fault(void) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test_isolate_ahead.outside", SIM_BINARY_DIR);
    world_t *w = calloc(1, sizeof *w);
    world_open(w, dir, true);
    for (uint8_t k = 1; k <= 2; k++) {
        world_node(w,
                   &(world_node_cfg_t){.plugin = "fw_testnode.so", .mac_last = k, .isolate = true});
        world_act(w, (act_t){.t_ms = 0, .kind = ACT_POWER_ON, .node = (uint8_t)(k - 1)});
    }
    sim_node_t *n2 = w->nodes[1];
    bool caught = false;
    while (!caught && sim_kernel_now(w->k) < MS(3000) && sim_kernel_step(w->k)) {
        caught = n2->iso_ahead_len != 0 && sim_kernel_now(w->k) > 0;
    }
    CU_ASSERT_FATAL(caught);
    sim_time_ns_t at = sim_kernel_now(w->k);
    uint8_t v = 7;
    CU_ASSERT_EQUAL(sim_nvs_set(sim_node_nvs(n2), "test", "outside", &v, 1), 0);
    world_run_ms(w, 3000);
    ASSERT_EQ_STR(sim_node_faulted(n2), "protocol");
    ASSERT_EQ_STR(sim_node_fault_detail(n2),
                  "the node's inputs changed after its batch was sent ahead");
    CU_ASSERT_PTR_NULL(sim_node_faulted(w->nodes[0]));
    sim_node_stats_t st;
    sim_node_stats(w->nodes[0], &st);
    CU_ASSERT(st.timer_fires > 2); /* node 1 beat on after node 2 went down */
    CU_ASSERT(sim_kernel_now(w->k) > at);
    world_close(w);
    free(w);
}

void test_register(void) {
    TEST_SUITE("isolate_ahead", TEST(test_same_instant_batches_go_ahead_and_change_nothing),
               TEST(test_a_change_from_outside_within_the_instant_is_a_fault));
}
