/*
 * test_fw_defects.c: one test per defect of the earlier prototype sketches (spec §14), each
 * written so that it fails if the defect came back. Items that are pure hardware notes are
 * checked where they touch the core (the CT front-end assumption, logical signals).
 */
#include "commands.h"
#include "election.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#include <math.h>

#define NODE 99u
#define ALL  127u

static void boot(uint16_t dv, int16_t ca) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, dv, ca);
    fw_init();
}

static int16_t be16(const uint8_t *p) {
    return (int16_t)(uint16_t)((p[0] << 8) | p[1]);
}

static int cmd1(uint32_t id, uint8_t a) {
    return fake_hal_cmd(id, ALL, 1, &a, 1);
}

static void defect_01_solar_is_computed(void) {
    boot(544, 1000); /* charging 540 W */
    fake_hal_ct_power_w(1, 2200.0);
    fake_hal_run_until_ms(4000);
    const hal_can_frame_t *p2 = fake_hal_can_last_tel(NODE, 2);
    ASSERT_NEAR(be16(&p2->data[1]), 2740, 30); /* home + batt - grid, never a constant 0 */
}

static void defect_02_grid_energy_in_kwh(void) {
    boot(544, 0);
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    fake_hal_ct_power_w(0, 1000.0);
    fake_hal_run_until_ms(3600u * 1000u + 2000u);
    CU_ASSERT_FALSE(fw_state.grid.latched); /* a W-as-kW error trips after ~7 s */
    ASSERT_NEAR((fake_hal_can_last_tel(NODE, 3)->data[4] << 8) |
                    fake_hal_can_last_tel(NODE, 3)->data[5],
                100, 2); /* 1.00 kWh after one hour at 1 kW */
}

static void defect_03_reset_at_five_not_midnight(void) {
    boot(544, 0);
    fake_hal_ct_power_w(0, 3000.0);
    fake_hal_time_broadcast(23, 58, 1);
    fake_hal_run_ms(240000); /* through midnight */
    CU_ASSERT_TRUE(fw_state.grid.energy_wms > 0u);
    ASSERT_EQ_U64(fw_state.grid.daily_resets, 0);
    fake_hal_time_broadcast(4, 58, 2);
    fake_hal_run_ms(120000);
    ASSERT_EQ_U64(fw_state.grid.daily_resets, 1); /* at 05:00 */
}

static void defect_04_latch_beats_backup_same_tick(void) {
    boot(544, 0);
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    cmd1(FW_CMD_SET_BACKUP, 1);
    fake_hal_ct_power_w(0, 10000.0);
    while (!fw_state.grid.latched) {
        fake_hal_run_ms(2000);
    }
    uint32_t w = fake_hal_gpio_writes(HAL_SIG_RELAY_GRID);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
    fake_hal_run_ms(20000);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_RELAY_GRID), w); /* never re-closed */
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

static void defect_05_crc_low_byte_first(void) {
    boot(544, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(fw_state.bms.valid);
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_CRC_HI_FIRST, 544, 0); /* the wrongly "fixed" order */
    fw_init();
    fake_hal_run_ms(4000);
    CU_ASSERT_FALSE(fw_state.bms.valid);
    ASSERT_EQ_U64(fw_state.bms.good_frames, 0);
}

static void defect_06_soc_from_voltage(void) {
    boot(624, -3000); /* full pack, discharging 30 A */
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fw_state.soc_pct, 100); /* not 0 % at boot */
    fake_hal_run_ms(600000);
    ASSERT_EQ_U64(fw_state.soc_pct, 100); /* no coulomb count drifting it down */
}

static void defect_07_node_id_from_whole_mac(void) {
    const uint8_t a[6] = {0x24, 0x6F, 0x28, 0xAA, 0xBB, 0x01};
    const uint8_t b[6] = {0x24, 0x6F, 0x28, 0xAA, 0xBB, 0x02};
    CU_ASSERT_NOT_EQUAL(fw_node_id_from_mac(a), fw_node_id_from_mac(b));
    CU_ASSERT_NOT_EQUAL(fw_node_id_from_mac(a), 0x24 & 0x7F); /* not the OUI byte */
    boot(544, 0);
    CU_ASSERT_NOT_EQUAL(fw_state.el.self_id, 0x12);
    CU_ASSERT_TRUE(fake_hal_nvs_has("nodeID")); /* persisted */
}

static void defect_08_election_ids_and_table(void) {
    boot(544, 0);
    const hal_can_frame_t *a = fake_hal_can_last(0x300 + NODE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a); /* per-node ID, not a shared 0x300 */
    ASSERT_EQ_U64(fake_hal_can_count_id(0x300), 0);
    ASSERT_EQ_U64(a->data[0], FW_DEVICE_PACK); /* device type carried */
    uint8_t d[8] = {1, 2, 5, 0, 0, 0, 0, 9};
    fake_hal_can_rx(0x300 + 120, 8, d);
    fake_hal_run_until_ms(60000); /* our own periodic ANN went out: knowledge kept */
    ASSERT_EQ_U64(fw_state.el.master_id, 120);
    fake_hal_run_until_ms(130000); /* expired entries are not counted */
    ASSERT_EQ_U64(fw_state.el.master_id, NODE);
}

static void defect_09_tel_fits_and_saturates(void) {
    boot(544, 0);
    fake_hal_ct_power_w(0, 5000.0);
    fake_hal_ct_power_w(1, 11000.0);
    fake_hal_run_until_ms(4000);
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        CU_ASSERT_TRUE(fake_hal_can_tx(i)->f.dlc <= 8u);
    }
    const hal_can_frame_t *p1 = fake_hal_can_last_tel(NODE, 1);
    ASSERT_NEAR(be16(&p1->data[1]), 5000, 50);   /* above 3276.7 W without wrapping */
    ASSERT_NEAR(be16(&p1->data[3]), 11000, 110); /* full scale */
    fw_tel_snapshot_t s;
    memset(&s, 0, sizeof s);
    s.grid_w = 40000;
    s.batt_w = -40000;
    hal_can_frame_t f;
    fw_tel_build(&s, 1, &f);
    ASSERT_EQ_I64(be16(&f.data[1]), 32767);
    ASSERT_EQ_I64(be16(&f.data[5]), -32768);
}

static void defect_10_node_identity_in_ids(void) {
    boot(544, 0);
    ASSERT_EQ_U64(fake_hal_can_count_id(0x101), 0); /* no per-metric IDs */
    ASSERT_EQ_U64(fake_hal_can_count_id(0x102), 0);
    CU_ASSERT_PTR_NOT_NULL(fake_hal_can_last_tel(NODE, 0));
}

static void defect_11_command_filter_exact(void) {
    boot(544, 0);
    uint8_t ack_like[4] = {0x03, 1, 0, 0};
    size_t n = fake_hal_can_tx_count();
    fake_hal_can_rx(0x280 + 5, 4, ack_like); /* another pack's ACK */
    fake_hal_can_rx(0x603, 4, ack_like);
    ASSERT_EQ_U64(fake_hal_can_tx_count(), n);
}

static void defect_12_one_meaning_per_id(void) {
    boot(544, 0);
    cmd1(0x201, 1);
    ASSERT_EQ_U64(fw_state.set.mode_mask, FW_MODE_SC); /* 0x201 = Self-Consumption */
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
    ASSERT_EQ_I64(cmd1(0x202, 1), FW_CMD_REFUSED); /* 0x202 = Eco (limit not set) */
    uint8_t d[3] = {ALL, 1, 1};
    size_t n = fake_hal_can_tx_count();
    fake_hal_can_rx(0x400, 3, d); /* the old OTA trigger ID: ignored */
    ASSERT_EQ_U64(fake_hal_can_tx_count(), n);
}

static void defect_13_eco_staged_and_bounded(void) {
    boot(544, 0);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_ECO, 1), FW_CMD_REFUSED); /* limit 0 would shed everything */
    const uint8_t lim[2] = {0x03, 0xE8};                    /* 1000 W */
    fake_hal_cmd(FW_CMD_SET_ECO_LIMIT, ALL, 1, lim, 2);
    cmd1(FW_CMD_SET_ECO, 1);
    fake_hal_ct_power_w(1, 900.0); /* home 900 W: under the limit */
    fake_hal_ct_power_w(2, 500.0); /* pool and heater are inside P_home: not added */
    fake_hal_ct_power_w(3, 500.0);
    fake_hal_run_ms(20000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    fake_hal_ct_power_w(1, 3000.0);
    fake_hal_run_ms(60000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_INVERTER)); /* never the whole output */
    CU_ASSERT_TRUE(fw_state.eco.loads_limit);              /* so the warning is reachable */
    fake_hal_ct_power_w(1, 100.0);
    fake_hal_ct_power_w(2, 100.0);
    fake_hal_ct_power_w(3, 100.0);
    fake_hal_run_ms(32000);
    /* one load back after 30 s, not both at once */
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_POOL) != fake_hal_gpio(HAL_SIG_RELAY_HEATER));
}

static void defect_14_system_parts_present(void) {
    boot(544, 0);
    fake_hal_run_ms(4000);
    CU_ASSERT_TRUE(fake_hal_gpio_written(HAL_SIG_RELAY_GRID));
    CU_ASSERT_TRUE(fake_hal_gpio_written(HAL_SIG_LED_GREEN));
    CU_ASSERT_TRUE(fake_hal_gpio_written(HAL_SIG_TM1637_CLK));
    CU_ASSERT_TRUE(fake_hal_ws2812_writes() > 0u);
    CU_ASSERT_TRUE(fake_hal_adc_bursts() > 0u);
    CU_ASSERT_TRUE(fake_hal_nvs_has("nodeID"));
    CU_ASSERT_TRUE(fake_hal_bms_requests() > 0u);
}

static void defect_15_no_solar_sensor(void) {
    boot(544, 0);
    fake_hal_run_ms(4000);
    ASSERT_EQ_U64(fake_hal_adc_last_cfg()->channel_mask, 0x0F); /* the four CTs, nothing else */
    ASSERT_EQ_I64(fw_state.solar_w, 0);
    fake_hal_ct_power_w(1, 1500.0);
    fake_hal_run_ms(2000);
    ASSERT_EQ_I64(fw_state.solar_w, fw_state.home_w); /* from the balance only */
}

static void defect_16_logical_signals(void) {
    boot(544, 0);
    uint8_t rel[2] = {3, 0};
    fake_hal_cmd(FW_CMD_SET_RELAY, ALL, 1, rel, 2);
    fake_hal_run_ms(2000);
    /* each function has its own signal: the heater relay moved alone */
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_INVERTER));
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_POOL));
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_RELAY_GRID), 1);
}

static void defect_17_modbus_state_machine(void) {
    boot(544, 0);
    ASSERT_EQ_U64(fake_hal_bms_requests(), 1);
    ASSERT_EQ_U64(fw_state.bms.good_frames, 0); /* non-blocking: the reply comes later */
    fake_hal_run_ms(10000);
    ASSERT_EQ_U64(fake_hal_bms_requests(), 6); /* one poll per tick, not continuous */
    /* the daily reset does not hang on the poll timer: it happens with the BMS silent */
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0);
    fake_hal_time_broadcast(4, 59, 3);
    fake_hal_run_ms(62000);
    ASSERT_EQ_U64(fw_state.grid.daily_resets, 1);
    boot(544, 0);
    fake_hal_bms(FAKE_BMS_BAD_ADDR, 544, 0);
    fake_hal_run_ms(4000);
    CU_ASSERT_TRUE(fw_state.bms.header_errors > 0u); /* header checked, CRC was fine */
}

static double phase_offset;

static uint16_t phased_sine(unsigned ch, uint32_t i, uint32_t rate_hz, void *ctx) {
    (void)ctx;
    double amp = (ch == 0 ? 10.0 : 0.0) * 1.4142135623730951 / (50.0 * 1.4142135623730951 / 2000.0);
    double t = (double)i / (double)rate_hz;
    return (uint16_t)lround(2048.0 +
                            amp * sin(2.0 * 3.14159265358979323846 * 50.0 * t + phase_offset));
}

static void defect_18_ct_is_rms(void) {
    for (unsigned k = 0; k < 8; k++) {
        boot(544, 0);
        phase_offset = 0.785 * k; /* a single sample would read anything from 0 to the peak */
        fake_hal_adc_generator(phased_sine, NULL);
        fake_hal_run_ms(2000);
        ASSERT_NEAR(fw_state.ct_ma[0], 10000, 100);
    }
}

static void defect_19_bar_visible_when_low(void) {
    boot(472, 0); /* 47.2 V = 5 % */
    fake_hal_run_until_ms(2000);
    size_t len;
    const uint8_t *grb = fake_hal_ws2812(&len);
    ASSERT_EQ_U64(grb[1], 255); /* pixel 0 red */
    ASSERT_EQ_U64(grb[0], 0);
    ASSERT_EQ_U64(grb[4], 0); /* pixel 1 off */
    /* blink phases come from the sub-tick: the core uses only its four timers */
    for (unsigned id = 4; id < HAL_TIMER_COUNT; id++) {
        CU_ASSERT_FALSE(fake_hal_timer_armed(id));
    }
}

static void defect_20_is_master_published(void) {
    boot(544, 0);
    fake_hal_run_until_ms(60000);
    ASSERT_EQ_U64(fake_hal_can_last(0x300 + NODE)->data[3] & 1u, 1);
    CU_ASSERT_TRUE(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_MASTER);
}

static void defect_21_bitrate(void) {
    boot(544, 0);
    ASSERT_EQ_U64(fake_hal_can_bitrate(), 500000);
}

static void defect_22_no_periodic_flash_writes(void) {
    boot(544, 0);
    uint32_t w = fake_hal_nvs_total_writes();
    fake_hal_ct_power_w(0, 2000.0);
    fake_hal_run_ms(24u * 3600u * 1000u);
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), w);
}

static void defect_23_mode_meanings(void) {
    boot(480, 0); /* 10 % */
    cmd1(FW_CMD_SET_BACKUP, 1);
    fake_hal_run_ms(4000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID)); /* Backup: grid connected */
    fake_hal_bms(FAKE_BMS_OK, 624, 0);
    fake_hal_run_ms(4000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID)); /* at any SOC, not only when low */
    const uint8_t lim[2] = {0x01, 0x00};
    fake_hal_cmd(FW_CMD_SET_ECO_LIMIT, ALL, 1, lim, 2);
    cmd1(FW_CMD_SET_ECO, 1);
    fake_hal_ct_power_w(1, 5000.0);
    fake_hal_run_ms(30000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID)); /* Eco never opens the grid relay */
}

static void defect_24_ct_front_end(void) {
    boot(544, 0);
    fake_hal_adc_sine(0, 50.0, 2048.0);
    fake_hal_run_ms(2000);
    ASSERT_NEAR(fw_state.ct_ma[0], 50000, 500); /* full scale reads without clipping */
}

void test_register(void) {
    TEST_SUITE("fw_defects", TEST(defect_01_solar_is_computed), TEST(defect_02_grid_energy_in_kwh),
               TEST(defect_03_reset_at_five_not_midnight),
               TEST(defect_04_latch_beats_backup_same_tick), TEST(defect_05_crc_low_byte_first),
               TEST(defect_06_soc_from_voltage), TEST(defect_07_node_id_from_whole_mac),
               TEST(defect_08_election_ids_and_table), TEST(defect_09_tel_fits_and_saturates),
               TEST(defect_10_node_identity_in_ids), TEST(defect_11_command_filter_exact),
               TEST(defect_12_one_meaning_per_id), TEST(defect_13_eco_staged_and_bounded),
               TEST(defect_14_system_parts_present), TEST(defect_15_no_solar_sensor),
               TEST(defect_16_logical_signals), TEST(defect_17_modbus_state_machine),
               TEST(defect_18_ct_is_rms), TEST(defect_19_bar_visible_when_low),
               TEST(defect_20_is_master_published), TEST(defect_21_bitrate),
               TEST(defect_22_no_periodic_flash_writes), TEST(defect_23_mode_meanings),
               TEST(defect_24_ct_front_end));
}
