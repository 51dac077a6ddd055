/*
 * The SocketCAN transport's open checks, on whatever kernel runs the test. Without AF_CAN (many
 * CI and container kernels) opening says so and how to fix it, with -SIM_ENOTSUP (exit 69 in
 * the command line). With AF_CAN, an interface that does not exist, and one that is not CAN
 * (loopback), are refused with their own codes; when the environment names a usable vcan
 * (SIM_TEST_VCAN, set by the VM test), a frame goes around through a second raw socket.
 * The record conversion the transport shares with the socketpair one is pinned here as well.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge_world.h"
#include "sim_bridge.h"
#include "sim_bridge_linux.h"
#include "test_support.h"

static bool kernel_has_af_can(void) {
    int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
    if (fd >= 0) {
        close(fd);
        return true;
    }
    return false;
}

static int open_spec(bw_world_t *w, const char *text, sim_bridge_t **b, char *err, size_t len) {
    sim_bridge_spec_t spec;
    CU_ASSERT_EQUAL_FATAL(sim_bridge_parse_spec(text, &spec, err, len), 0);
    return sim_bridge_open(w->k, w->bus, NULL, &spec, NULL, b, err, len);
}

static void test_open_explains_what_is_missing(void) {
    bw_world_t w;
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 1, 0, NULL), 0);
    sim_bridge_t *b = NULL;
    char err[512] = "";
    if (!kernel_has_af_can()) {
        ASSERT_EQ_I64(open_spec(&w, "socketcan:vcan0", &b, err, sizeof err), -SIM_ENOTSUP);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "socketcan:vcan0: this kernel has no SocketCAN"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "--bridge socketcand:"));
    } else {
        ASSERT_EQ_I64(open_spec(&w, "socketcan:nosuchcan7", &b, err, sizeof err), -SIM_ENOENT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "ip link add dev nosuchcan7 type vcan"));
        ASSERT_EQ_I64(open_spec(&w, "socketcan:lo", &b, err, sizeof err), -SIM_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a CAN interface"));
    }
    CU_ASSERT_PTR_NULL(b);
    /* Nothing of the failed bridge stays on the bus: the world still tears down cleanly. */
    bw_world_destroy(&w, false, NULL);
}

/* A round trip on a real vcan, when the environment provides one (the VM test does). */
static void test_vcan_round_trip(void) {
    const char *iface = getenv("SIM_TEST_VCAN");
    if (iface == NULL || !kernel_has_af_can()) {
        fprintf(stderr, "(skipped: no SIM_TEST_VCAN interface; tests/bridge/vm runs it) ");
        return;
    }
    bw_world_t w;
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&w, 1, 2, 0, NULL), 0);
    char spec[64], err[512] = "";
    snprintf(spec, sizeof spec, "socketcan:%s", iface);
    sim_bridge_t *b = NULL;
    CU_ASSERT_EQUAL_FATAL(open_spec(&w, spec, &b, err, sizeof err), 0);
    int app = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK, CAN_RAW);
    struct sockaddr_can a = {.can_family = AF_CAN, .can_ifindex = (int)if_nametoindex(iface)};
    CU_ASSERT_EQUAL_FATAL(bind(app, (struct sockaddr *)&a, sizeof a), 0);
    struct can_frame cmd = {.can_id = BW_CMD_ID, .len = 1, .data = {0x42}};
    CU_ASSERT_EQUAL(write(app, &cmd, sizeof cmd), (ssize_t)sizeof cmd);
    CU_ASSERT_EQUAL(sim_bridge_run_until(w.k, b, NULL, 20 * SIM_NS_PER_MS, SIM_NS_PER_MS), 0);
    CU_ASSERT_EQUAL(sim_bridge_drain(b, 1000), 0);
    ASSERT_EQ_U64(w.nodes[0].last_cmd, 0x42);
    unsigned acks = 0;
    struct can_frame in;
    while (read(app, &in, sizeof in) == (ssize_t)sizeof in) {
        acks += in.can_id >= BW_ACK_BASE + 1 && in.can_id <= BW_ACK_BASE + 2;
        CU_ASSERT_TRUE(in.can_id != BW_CMD_ID); /* the command is not echoed */
    }
    ASSERT_EQ_U64(acks, 2);
    close(app);
    sim_bridge_destroy(b);
    bw_world_destroy(&w, false, NULL);
}

static void test_record_classification(void) {
    char detail[96];
    sim_can_frame_t f;
    struct can_frame cf;
    memset(&cf, 0, sizeof cf);
    cf.can_id = 0x18FF50E5u | CAN_EFF_FLAG;
    cf.len = 3;
    memcpy(cf.data, "\x01\x02\xab", 3);
    ASSERT_EQ_I64(sim_bridge__linux_decode(&cf, sizeof cf, &f, detail, sizeof detail),
                  SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.id == 0x18FF50E5u && f.flags == SIM_CAN_FLAG_IDE && f.dlc == 3 &&
                   f.data[2] == 0xAB);
    cf.can_id = 0x7DF | CAN_RTR_FLAG;
    cf.len = 8;
    ASSERT_EQ_I64(sim_bridge__linux_decode(&cf, sizeof cf, &f, detail, sizeof detail),
                  SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.id == 0x7DF && f.flags == SIM_CAN_FLAG_RTR && f.dlc == 8 && f.data[0] == 0);
    cf.can_id = 0x123;
    cf.len = 15;
    ASSERT_EQ_I64(sim_bridge__linux_decode(&cf, sizeof cf, &f, detail, sizeof detail),
                  SIM_BRIDGE_IN_BAD_DLC);
    cf.can_id = CAN_ERR_FLAG | 0x4u;
    ASSERT_EQ_I64(sim_bridge__linux_decode(&cf, sizeof cf, &f, detail, sizeof detail),
                  SIM_BRIDGE_IN_ERROR_FRAME);
    struct canfd_frame fd;
    memset(&fd, 0, sizeof fd);
    ASSERT_EQ_I64(sim_bridge__linux_decode(&fd, sizeof fd, &f, detail, sizeof detail),
                  SIM_BRIDGE_IN_FD);
    ASSERT_EQ_I64(sim_bridge__linux_decode(&fd, 15, &f, detail, sizeof detail),
                  SIM_BRIDGE_IN_MALFORMED);
    ASSERT_EQ_STR(detail, "a record of 15 bytes (a CAN frame has 16)");
}

void test_register(void) {
    TEST_SUITE("bridge_socketcan", TEST(test_open_explains_what_is_missing),
               TEST(test_vcan_round_trip), TEST(test_record_classification));
}
