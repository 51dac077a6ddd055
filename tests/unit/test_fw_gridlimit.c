/*
 * test_fw_gridlimit.c: grid-import energy and the Grid Importation Limit latch (spec §5.5, §7.5,
 * D5): trip at the kWh limit, the latch overriding Backup and manual commands, the 05:00 reset
 * with the armed / lastResetDay rule, release on switch-off and RESET_GRID_ENERGY, the 24 h
 * fallback, and command validation.
 */
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "gridlimit.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u
#define ALL  127u
#define KWH  FW_WMS_PER_KWH

static void test_trip_unit(void) {
    fw_grid_t g;
    fw_grid_boot(&g, false, 0);
    g.energy_wms = 2u * KWH - 1u;
    CU_ASSERT_FALSE(fw_grid_check_trip(&g, true, 2, 100));
    g.energy_wms = 2u * KWH;
    CU_ASSERT_FALSE(fw_grid_check_trip(&g, false, 2, 100)); /* mode off: counted, not checked */
    CU_ASSERT_TRUE(fw_grid_check_trip(&g, true, 2, 100));
    CU_ASSERT_TRUE(g.latched);
    CU_ASSERT_FALSE(fw_grid_check_trip(&g, true, 2, 200)); /* trips once */
    fw_grid_release(&g);
    CU_ASSERT_FALSE(g.latched);
    ASSERT_EQ_U64(g.energy_wms, 0);
}

static void test_energy_integral_in_kwh(void) {
    fw_grid_t g;
    fw_grid_boot(&g, false, 0);
    for (unsigned i = 0; i < 1800; i++) {
        fw_grid_integrate(&g, 2000, 2000); /* 2 kW for an hour */
    }
    ASSERT_EQ_U64(g.energy_wms, 2u * KWH);
    CU_ASSERT_TRUE(fw_grid_check_trip(&g, true, 2, 0));
}

static void test_daily_rule_unit(void) {
    fw_grid_t g;
    fw_grid_boot(&g, false, 0);
    g.latched = true;
    CU_ASSERT_FALSE(fw_grid_daily(&g, false, 300, 3)); /* no valid clock: nothing */
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 240, 3));  /* 04:00: armed */
    CU_ASSERT_TRUE(g.armed);
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 299, 3));
    CU_ASSERT_TRUE(fw_grid_daily(&g, true, 300, 3)); /* 05:00 */
    CU_ASSERT_FALSE(g.latched);
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 301, 3));
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 1439, 3));
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 0, 4)); /* midnight is not the reset time */
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 299, 4));
    CU_ASSERT_TRUE(fw_grid_daily(&g, true, 300, 4));
    ASSERT_EQ_U64(g.daily_resets, 2);
}

static void test_daily_rule_first_time_after_five(void) {
    fw_grid_t g;
    fw_grid_boot(&g, false, 0);
    g.latched = true;
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 840, 3)); /* first time 14:00: today counts as done */
    CU_ASSERT_TRUE(g.latched);
    CU_ASSERT_FALSE(fw_grid_daily(&g, true, 1439, 3));
    /* a clock jump straight to 06:00 next day still resets (day != lastResetDay) */
    CU_ASSERT_TRUE(fw_grid_daily(&g, true, 360, 4));
    CU_ASSERT_FALSE(g.latched);
}

static void test_fallback_unit(void) {
    fw_grid_t g;
    fw_grid_boot(&g, false, 0);
    g.energy_wms = 5u * KWH;
    CU_ASSERT_TRUE(fw_grid_check_trip(&g, true, 5, 1000));
    CU_ASSERT_FALSE(fw_grid_fallback(&g, 1000 + FW_GRID_FALLBACK_MS - 1u));
    CU_ASSERT_TRUE(g.latched);
    CU_ASSERT_TRUE(fw_grid_fallback(&g, 1000 + FW_GRID_FALLBACK_MS));
    CU_ASSERT_FALSE(g.latched);
    ASSERT_EQ_U64(g.energy_wms, 0);
}

/* ---- through the firmware ------------------------------------------------------------------- */

static int cmd1(uint32_t id, uint8_t a) {
    return fake_hal_cmd(id, ALL, 7, &a, 1);
}

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fw_init();
}

/* Runs with ~10 kW from the grid until the 2 kWh latch trips; returns the trip time in ms. */
static uint64_t run_to_trip(void) {
    fake_hal_ct_power_w(0, 10000.0);
    for (unsigned i = 0; i < 2000 && !fw_state.grid.latched; i++) {
        fake_hal_run_ms(2000);
    }
    CU_ASSERT_TRUE(fw_state.grid.latched);
    return hal_now_ms();
}

static void test_command_validation(void) {
    boot();
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1), FW_CMD_REFUSED); /* limit not set */
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 1), FW_CMD_BAD_VALUE);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 31), FW_CMD_BAD_VALUE);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 0), FW_CMD_BAD_VALUE);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 30), FW_CMD_OK);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2), FW_CMD_OK);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 2), FW_CMD_BAD_VALUE);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_last_ack()->data[3], FW_MODE_GRIDLIMIT);
}

static void test_trip_overrides_backup_and_manual(void) {
    boot();
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    cmd1(FW_CMD_SET_BACKUP, 1);
    uint64_t t = run_to_trip();
    /* 10 kW reaches 2 kWh after 720 s of integration (windows from 1.75 s) */
    CU_ASSERT_TRUE(t >= 720000u && t <= 726000u);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID)); /* Backup did not re-close it */
    const hal_can_frame_t *p3 = fake_hal_can_last_tel(NODE, 3);
    CU_ASSERT_TRUE(p3->data[3] & FW_WARN_GRID_LIMIT);
    ASSERT_NEAR((p3->data[4] << 8) | p3->data[5], 200, 1);
    ASSERT_EQ_U64(p3->data[6], 2);
    uint8_t on[2] = {0, 1};
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_SET_RELAY, ALL, 8, on, 2), FW_CMD_REFUSED);
    fake_hal_run_ms(4000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
    const hal_can_frame_t *ev = fake_hal_can_last(0x400 + NODE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    ASSERT_EQ_U64(ev->data[0], 8);
    ASSERT_EQ_U64(ev->data[2], 2);
    /* raising the limit does not release a set latch */
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 30), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(fw_state.grid.latched);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

static void test_release_at_five(void) {
    boot();
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    fake_hal_time_broadcast(3, 0, 10);
    run_to_trip();
    fake_hal_ct_power_w(0, 0.0);
    fake_hal_time_broadcast(4, 59, 10);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
    fake_hal_run_ms(60000); /* 05:00 passes */
    CU_ASSERT_FALSE(fw_state.grid.latched);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

static void test_no_release_at_midnight(void) {
    boot();
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    fake_hal_time_broadcast(22, 0, 10);
    run_to_trip();
    fake_hal_time_broadcast(23, 59, 10);
    fake_hal_run_ms(120000);
    CU_ASSERT_TRUE(fw_state.grid.latched); /* 00:01 now */
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

static void test_release_by_switch_off_and_reset_command(void) {
    boot();
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    run_to_trip();
    fake_hal_ct_power_w(0, 0.0);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 0), FW_CMD_OK);
    CU_ASSERT_FALSE(fw_state.grid.latched);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    run_to_trip();
    ASSERT_EQ_I64(fake_hal_cmd(FW_CMD_RESET_GRID_ENERGY, ALL, 9, NULL, 0), FW_CMD_OK);
    CU_ASSERT_FALSE(fw_state.grid.latched);
    ASSERT_EQ_U64(fake_hal_cmd(FW_CMD_RESET_GRID_ENERGY, ALL, 9, (const uint8_t *)"x", 1),
                  FW_CMD_BAD_LENGTH);
}

static void test_counter_runs_with_mode_off_and_restarts_on(void) {
    boot();
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    fake_hal_ct_power_w(0, 3600.0);
    fake_hal_run_ms(100000);
    CU_ASSERT_TRUE(fw_state.grid.energy_wms > 0u); /* reported even with the mode off */
    CU_ASSERT_FALSE(fw_state.grid.latched);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0); /* switching on starts from 0 kWh */
    /* "On" while already on is no switch: a gateway that sends its settings again does not
     * restart the count, or the limit would never be reached. */
    fake_hal_run_ms(100000);
    uint64_t counted = fw_state.grid.energy_wms;
    CU_ASSERT_TRUE(counted > 0u);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, counted);
}

static void test_fallback_without_time(void) {
    boot();
    cmd1(FW_CMD_SET_GRID_LIMIT_KWH, 2);
    cmd1(FW_CMD_SET_GRID_LIMIT_MODE, 1);
    uint64_t t = run_to_trip();
    fake_hal_ct_power_w(0, 0.0);
    fake_hal_run_until_ms(t + 24ull * 3600ull * 1000ull - 2000u);
    CU_ASSERT_TRUE(fw_state.grid.latched);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fw_state.grid.latched);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0);
}

void test_register(void) {
    TEST_SUITE(
        "fw_gridlimit", TEST(test_trip_unit), TEST(test_energy_integral_in_kwh),
        TEST(test_daily_rule_unit), TEST(test_daily_rule_first_time_after_five),
        TEST(test_fallback_unit), TEST(test_command_validation),
        TEST(test_trip_overrides_backup_and_manual), TEST(test_release_at_five),
        TEST(test_no_release_at_midnight), TEST(test_release_by_switch_off_and_reset_command),
        TEST(test_counter_runs_with_mode_off_and_restarts_on), TEST(test_fallback_without_time));
}
