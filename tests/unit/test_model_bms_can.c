/*
 * Victron-style CAN-bus BMS frames: the worked payloads of protocols.md §4, both alarm
 * encodings, and the periodic broadcast from a battery on a real bus.
 */
#include "bms_can.h"
#include "test_support.h"

static void worked_payloads(void) {
    bms_can_values_t v = {.cvl_v = 56.0,
                          .ccl_a = 100.0,
                          .dcl_a = 150.0,
                          .dvl_v = 48.0,
                          .soc_pct = 87.12,
                          .soh_pct = 100.0,
                          .voltage_v = 53.12,
                          .current_a = -12.3,
                          .temp_c = 25.0};
    uint8_t d[8] = {0};
    ASSERT_EQ_U64(bms_can_encode(0x351, &v, BMS_CAN_ALARMS_SMA, d), 8);
    const uint8_t w351[8] = {0x30, 0x02, 0xE8, 0x03, 0xDC, 0x05, 0xE0, 0x01};
    CU_ASSERT_EQUAL(memcmp(d, w351, 8), 0);
    ASSERT_EQ_U64(bms_can_encode(0x355, &v, BMS_CAN_ALARMS_SMA, d), 6);
    const uint8_t w355[6] = {0x57, 0x00, 0x64, 0x00, 0x08, 0x22};
    CU_ASSERT_EQUAL(memcmp(d, w355, 6), 0);
    ASSERT_EQ_U64(bms_can_encode(0x356, &v, BMS_CAN_ALARMS_SMA, d), 6);
    const uint8_t w356[6] = {0xC0, 0x14, 0x85, 0xFF, 0xFA, 0x00};
    CU_ASSERT_EQUAL(memcmp(d, w356, 6), 0);
    ASSERT_EQ_U64(bms_can_encode(0x123, &v, BMS_CAN_ALARMS_SMA, d), 0);
}

static void alarm_encodings(void) {
    bms_can_values_t v = {0};
    uint8_t d[8];
    ASSERT_EQ_U64(bms_can_encode(0x35A, &v, BMS_CAN_ALARMS_SMA, d), 8);
    const uint8_t ok[8] = {0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA};
    CU_ASSERT_EQUAL(memcmp(d, ok, 8), 0);
    v.alarms = BATTERY_ALARM_CELL_OV;
    (void)bms_can_encode(0x35A, &v, BMS_CAN_ALARMS_SMA, d);
    const uint8_t hv[8] = {0xA6, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA};
    CU_ASSERT_EQUAL(memcmp(d, hv, 8), 0);
    (void)bms_can_encode(0x35A, &v, BMS_CAN_ALARMS_TINYBMS, d);
    const uint8_t tiny[8] = {0x08, 0x00, 0x00, 0xFC, 0x00, 0x00, 0x00, 0xFC};
    CU_ASSERT_EQUAL(memcmp(d, tiny, 8), 0);
    v.alarms = BATTERY_ALARM_OC_CHG | BATTERY_ALARM_OC_DSG | BATTERY_ALARM_CELL_UV;
    (void)bms_can_encode(0x35A, &v, BMS_CAN_ALARMS_SMA, d);
    ASSERT_EQ_U64(d[0], 0x9A); /* low voltage: bits 4-5 = 01 */
    ASSERT_EQ_U64(d[1], 0x6A); /* high discharge current: bits 6-7 = 01 */
    ASSERT_EQ_U64(d[2], 0xA9); /* high charge current: bits 0-1 = 01 */
}

typedef struct {
    sim_kernel_t *k;
    sim_can_frame_t last[4];
    size_t n;
} listener_t;

static void on_rx(void *ctx, const sim_can_frame_t *f) {
    listener_t *l = ctx;
    l->last[l->n % 4] = *f;
    l->n++;
}

static void periodic_broadcast_from_battery(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    sim_can_bus_cfg_t bc = {.name = "can1", .bitrate_bps = 500000};
    sim_can_bus_t *bus = NULL;
    ASSERT_EQ_I64(sim_can_bus_create(k, &bc, &bus), 0);
    listener_t l = {.k = k};
    sim_can_ctrl_cfg_t lc = {.name = "inverter"};
    sim_can_ctrl_cb_t cb = {.on_rx = on_rx};
    sim_can_ctrl_t *inv = NULL;
    ASSERT_EQ_I64(sim_can_ctrl_attach(bus, &lc, &cb, &l, &inv), 0);
    ASSERT_EQ_I64(sim_can_ctrl_start(inv), 0);
    battery_cfg_t bcfg;
    battery_cfg_default(&bcfg);
    bcfg.soc_initial = 0.5;
    battery_t *b = NULL;
    ASSERT_EQ_I64(battery_create(&bcfg, &b), 0);
    bms_can_cfg_t cfg;
    bms_can_cfg_default(&cfg);
    bms_can_t *m = NULL;
    ASSERT_EQ_I64(bms_can_create(k, bus, &cfg, b, &m), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(k, 2500 * SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(l.n, 12); /* at 0, 1 and 2 s */
    ASSERT_EQ_U64(bms_can_sent(m), 12);
    ASSERT_EQ_U64(l.last[0].id, 0x351);
    ASSERT_EQ_U64(l.last[0].data[0] | l.last[0].data[1] << 8, 568); /* 16 x 3.55 V */
    ASSERT_EQ_U64(l.last[1].id, 0x355);
    ASSERT_EQ_U64(l.last[1].data[0], 50);
    ASSERT_EQ_U64(l.last[3].id, 0x35A);
    bms_can_destroy(m);
    battery_destroy(b);
    sim_can_ctrl_detach(inv);
    sim_can_bus_destroy(bus);
    sim_kernel_destroy(k);
}

void test_register(void) {
    TEST_SUITE("model_bms_can", TEST(worked_payloads), TEST(alarm_encodings),
               TEST(periodic_broadcast_from_battery));
}
