/*
 * Gateway: the 0x7FF time broadcast bytes for a known date, its minute alignment and period, and
 * the command source with sequence numbers and ACK matching, against a fake pack on a real bus.
 */
#include "gateway.h"
#include "sim_can.h"
#include "sim_kernel.h"
#include "test_support.h"

typedef struct {
    sim_can_ctrl_t *ctrl;
    sim_can_frame_t rx[16];
    sim_time_ns_t rx_t[16];
    size_t n;
    sim_kernel_t *k;
} pack_t;

static void pack_rx(void *ctx, const sim_can_frame_t *f) {
    pack_t *p = ctx;
    if (p->n < 16) {
        p->rx_t[p->n] = sim_kernel_now(p->k);
        p->rx[p->n++] = *f;
    }
}

typedef struct {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    calendar_t cal;
    gateway_t *gw;
    pack_t pack;
} fixture_t;

static void setup(fixture_t *f, const char *start, bool time_on) {
    memset(f, 0, sizeof *f);
    ASSERT_EQ_I64(sim_kernel_create(1, &f->k), 0);
    sim_can_bus_cfg_t bc = {.name = "can0", .bitrate_bps = 500000};
    ASSERT_EQ_I64(sim_can_bus_create(f->k, &bc, &f->bus), 0);
    calendar_civil_t c;
    ASSERT_EQ_I64(calendar_parse(start, &c), 0);
    ASSERT_EQ_I64(calendar_init(&f->cal, &c, 60), 0);
    f->pack.k = f->k;
    sim_can_ctrl_cfg_t pc = {.name = "pack5"};
    sim_can_ctrl_cb_t cb = {.on_rx = pack_rx};
    ASSERT_EQ_I64(sim_can_ctrl_attach(f->bus, &pc, &cb, &f->pack, &f->pack.ctrl), 0);
    ASSERT_EQ_I64(sim_can_ctrl_start(f->pack.ctrl), 0);
    gateway_cfg_t gc;
    gateway_cfg_default(&gc, &f->cal);
    gc.time_broadcast = time_on;
    ASSERT_EQ_I64(gateway_create(f->k, f->bus, &gc, &f->gw), 0);
}

static void teardown(fixture_t *f) {
    gateway_destroy(f->gw);
    sim_can_ctrl_detach(f->pack.ctrl);
    sim_can_bus_destroy(f->bus);
    sim_kernel_destroy(f->k);
}

static void time_bytes_for_known_dates(void) {
    uint8_t b[5];
    calendar_civil_t c = {.year = 2024, .month = 6, .day = 21, .hour = 15, .minute = 0};
    gateway_time_encode(&c, b);
    const uint8_t want[5] = {15, 21, 0, 6, 24};
    CU_ASSERT_EQUAL(memcmp(b, want, 5), 0);
    c = (calendar_civil_t){.year = 2031, .month = 12, .day = 31, .hour = 23, .minute = 59};
    gateway_time_encode(&c, b);
    const uint8_t want2[5] = {23, 31, 59, 12, 31};
    CU_ASSERT_EQUAL(memcmp(b, want2, 5), 0);
}

/* Started at 14:59:30 local: broadcasts at 15:00:00 and 15:01:00, on the wire. */
static void broadcast_every_minute_on_the_minute(void) {
    fixture_t f;
    setup(&f, "2024-06-21T14:59:30", true);
    ASSERT_EQ_I64(sim_kernel_run_until(f.k, 100 * SIM_NS_PER_S), 0);
    ASSERT_EQ_U64(f.pack.n, 2);
    const uint8_t first[5] = {15, 21, 0, 6, 24}, second[5] = {15, 21, 1, 6, 24};
    ASSERT_EQ_U64(f.pack.rx[0].id, 0x7FF);
    ASSERT_EQ_U64(f.pack.rx[0].dlc, 5);
    CU_ASSERT_EQUAL(memcmp(f.pack.rx[0].data, first, 5), 0);
    CU_ASSERT_EQUAL(memcmp(f.pack.rx[1].data, second, 5), 0);
    /* Sent at 30 s; received at the end of the frame, well under a millisecond later. */
    CU_ASSERT_TRUE(f.pack.rx_t[0] > 30 * SIM_NS_PER_S);
    CU_ASSERT_TRUE(f.pack.rx_t[0] < 30 * SIM_NS_PER_S + SIM_NS_PER_MS);
    ASSERT_EQ_I64(f.pack.rx_t[1] - f.pack.rx_t[0], 60 * SIM_NS_PER_S);
    /* Stopping the broadcast (a scenario's "time sync lost"). */
    gateway_set_time_broadcast(f.gw, false);
    ASSERT_EQ_I64(sim_kernel_run_until(f.k, 400 * SIM_NS_PER_S), 0);
    ASSERT_EQ_U64(f.pack.n, 2);
    gateway_stats_t st;
    gateway_stats(f.gw, &st);
    ASSERT_EQ_U64(st.time_sent, 2);
    teardown(&f);
}

static void send_ack(fixture_t *f, uint8_t node, uint8_t cmd, uint8_t seq, uint8_t status,
                     uint8_t mask) {
    sim_can_frame_t a = {.id = 0x280u + node, .dlc = 4, .data = {cmd, seq, status, mask}};
    ASSERT_EQ_I64(sim_can_ctrl_send(f->pack.ctrl, &a), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(f->k, sim_kernel_now(f->k) + 10 * SIM_NS_PER_MS), 0);
}

static void commands_with_sequence_numbers_and_acks(void) {
    fixture_t f;
    setup(&f, "2024-06-21T10:00:00", false);
    const uint8_t on = 1;
    uint8_t seq = 0xAA;
    ASSERT_EQ_I64(gateway_send_command(f.gw, 0x202, GATEWAY_BROADCAST, &on, 1, &seq), 0);
    ASSERT_EQ_U64(seq, 0);
    ASSERT_EQ_I64(sim_kernel_run_until(f.k, 10 * SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(f.pack.n, 1);
    ASSERT_EQ_U64(f.pack.rx[0].id, 0x202);
    ASSERT_EQ_U64(f.pack.rx[0].dlc, 3);
    const uint8_t want[3] = {0x7F, 0x00, 0x01};
    CU_ASSERT_EQUAL(memcmp(f.pack.rx[0].data, want, 3), 0);
    send_ack(&f, 5, 0x02, 0, 0, 0x02);
    gateway_ack_t a;
    ASSERT_EQ_I64(gateway_find_ack(f.gw, 5, 0x202, 0, &a), 0);
    CU_ASSERT_TRUE(a.matched);
    ASSERT_EQ_U64(a.status, 0);
    ASSERT_EQ_U64(a.mode_mask, 0x02);
    /* A unicast to node 9 (SET_RELAY R3 off) is seq 1; node 5 acking it does not match. */
    const uint8_t relay[2] = {2, 0};
    ASSERT_EQ_I64(gateway_send_command(f.gw, 0x20B, 9, relay, 2, &seq), 0);
    ASSERT_EQ_U64(seq, 1);
    ASSERT_EQ_I64(sim_kernel_run_until(f.k, sim_kernel_now(f.k) + 10 * SIM_NS_PER_MS), 0);
    send_ack(&f, 5, 0x0B, 1, 0, 0x02);
    ASSERT_EQ_I64(gateway_find_ack(f.gw, 5, 0x20B, 1, &a), 0);
    CU_ASSERT_FALSE(a.matched);
    ASSERT_EQ_I64(gateway_find_ack(f.gw, 9, 0x20B, 1, &a), -SIM_ENOENT);
    gateway_stats_t st;
    gateway_stats(f.gw, &st);
    ASSERT_EQ_U64(st.cmd_sent, 2);
    ASSERT_EQ_U64(st.acks, 2);
    ASSERT_EQ_U64(st.acks_unmatched, 1);
    ASSERT_EQ_U64(gateway_ack_count(f.gw), 2);
    ASSERT_EQ_U64(gateway_ack_at(f.gw, 0)->cmd_id, 0x202);
    teardown(&f);
}

static void bad_commands_are_refused(void) {
    fixture_t f;
    setup(&f, "2024-06-21T10:00:00", false);
    uint8_t args[7] = {0};
    ASSERT_EQ_I64(gateway_send_command(f.gw, 0x200, 1, NULL, 0, NULL), -SIM_EINVAL);
    ASSERT_EQ_I64(gateway_send_command(f.gw, 0x280, 1, NULL, 0, NULL), -SIM_EINVAL);
    ASSERT_EQ_I64(gateway_send_command(f.gw, 0x201, 128, NULL, 0, NULL), -SIM_EINVAL);
    ASSERT_EQ_I64(gateway_send_command(f.gw, 0x201, 1, args, 7, NULL), -SIM_EINVAL);
    /* A raw short frame for fault injection still goes out. */
    sim_can_frame_t shortf = {.id = 0x201, .dlc = 1, .data = {0x7F}};
    ASSERT_EQ_I64(gateway_send_frame(f.gw, &shortf), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(f.k, 10 * SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(f.pack.n, 1);
    ASSERT_EQ_U64(f.pack.rx[0].dlc, 1);
    teardown(&f);
}

void test_register(void) {
    TEST_SUITE("model_gateway", TEST(time_bytes_for_known_dates),
               TEST(broadcast_every_minute_on_the_minute),
               TEST(commands_with_sequence_numbers_and_acks), TEST(bad_commands_are_refused));
}
