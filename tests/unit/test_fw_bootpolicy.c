/*
 * test_fw_bootpolicy.c: what the Grid Importation Limit does after a reboot with the mode on
 * (spec §7.5, D5). Built twice: with the default GRIDLIMIT_BOOT_POLICY=HOLD_OPEN (the latch is
 * set at boot and R1 stays open until 05:00 or the 24 h fallback) and, as test_fw_bootpolicy_fresh,
 * with START_FRESH (the latch is clear at boot). Either way E_grid starts at 0.
 */
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u

static void boot_with_mode(uint8_t mode_mask) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    uint8_t limit = 5;
    fake_hal_nvs_preset("gridLimit", &limit, 1);
    fake_hal_nvs_preset("modeMask", &mode_mask, 1);
    fw_init();
}

static void test_boot_with_mode_on(void) {
    boot_with_mode(FW_MODE_GRIDLIMIT | FW_MODE_BACKUP);
    ASSERT_EQ_U64(fw_state.set.mode_mask, FW_MODE_GRIDLIMIT | FW_MODE_BACKUP);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0);
    const hal_can_frame_t *p3 = fake_hal_can_last_tel(NODE, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p3);
    ASSERT_EQ_U64(fake_hal_gpio_writes(HAL_SIG_RELAY_GRID), 1); /* the first tick's one write */
#if GRIDLIMIT_BOOT_POLICY == HOLD_OPEN
    CU_ASSERT_TRUE(fw_state.grid.latched);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID)); /* open from the first tick, over Backup */
    CU_ASSERT_TRUE(p3->data[3] & FW_WARN_GRID_LIMIT);
#else
    CU_ASSERT_FALSE(fw_state.grid.latched);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID)); /* Backup closes it */
    ASSERT_EQ_U64(p3->data[3] & FW_WARN_GRID_LIMIT, 0);
#endif
}

static void test_boot_hold_released_at_five(void) {
    boot_with_mode(FW_MODE_GRIDLIMIT);
    fake_hal_time_broadcast(4, 58, 20);
    fake_hal_run_ms(60000);
    CU_ASSERT_EQUAL(fw_state.grid.latched, GRIDLIMIT_BOOT_POLICY == HOLD_OPEN);
    fake_hal_run_ms(62000); /* 05:00 */
    CU_ASSERT_FALSE(fw_state.grid.latched);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

static void test_boot_hold_after_five_lasts_until_next_day(void) {
    boot_with_mode(FW_MODE_GRIDLIMIT);
    fake_hal_time_broadcast(14, 0, 20); /* rebooted in the afternoon */
    fake_hal_run_ms(4 * 3600 * 1000);
    CU_ASSERT_EQUAL(fw_state.grid.latched, GRIDLIMIT_BOOT_POLICY == HOLD_OPEN);
    fake_hal_time_broadcast(4, 59, 21);
    fake_hal_run_ms(62000);
    CU_ASSERT_FALSE(fw_state.grid.latched);
}

static void test_boot_with_mode_off_never_latches(void) {
    boot_with_mode(FW_MODE_BACKUP);
    CU_ASSERT_FALSE(fw_state.grid.latched);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

static void test_fresh_counter_still_trips(void) {
    boot_with_mode(FW_MODE_GRIDLIMIT);
    uint8_t on = 1;
    fake_hal_cmd(FW_CMD_RESET_GRID_ENERGY, 127, 1, &on, 0);
    CU_ASSERT_FALSE(fw_state.grid.latched);
    fake_hal_ct_power_w(0, 10000.0);
    fake_hal_run_ms(1790000); /* 5 kWh at 10 kW is 1800 s */
    CU_ASSERT_FALSE(fw_state.grid.latched);
    fake_hal_run_ms(14000);
    CU_ASSERT_TRUE(fw_state.grid.latched);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

/* Spec §7.5: without time, the latch set at boot goes 24 h after that boot (not after power-up
 * of some earlier run), and E_grid restarts at 0. */
static void test_boot_hold_fallback_counts_from_boot(void) {
    boot_with_mode(FW_MODE_GRIDLIMIT);
    const uint64_t boot2_ms = 10ull * 3600ull * 1000ull;
    fake_hal_run_until_ms(boot2_ms);
    fake_hal_reboot();
    fw_init();
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0);
    CU_ASSERT_EQUAL(fw_state.grid.latched, GRIDLIMIT_BOOT_POLICY == HOLD_OPEN);
    fake_hal_run_until_ms(24ull * 3600ull * 1000ull + 2000u);
    CU_ASSERT_EQUAL(fw_state.grid.latched, GRIDLIMIT_BOOT_POLICY == HOLD_OPEN);
    fake_hal_run_until_ms(boot2_ms + 24ull * 3600ull * 1000ull - 1u);
    CU_ASSERT_EQUAL(fw_state.grid.latched, GRIDLIMIT_BOOT_POLICY == HOLD_OPEN);
    CU_ASSERT_EQUAL(fake_hal_gpio(HAL_SIG_RELAY_GRID), GRIDLIMIT_BOOT_POLICY != HOLD_OPEN);
    fake_hal_run_until_ms(boot2_ms + 24ull * 3600ull * 1000ull);
    CU_ASSERT_FALSE(fw_state.grid.latched);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_GRID));
}

void test_register(void) {
    TEST_SUITE("fw_bootpolicy", TEST(test_boot_with_mode_on), TEST(test_boot_hold_released_at_five),
               TEST(test_boot_hold_after_five_lasts_until_next_day),
               TEST(test_boot_with_mode_off_never_latches), TEST(test_fresh_counter_still_trips),
               TEST(test_boot_hold_fallback_counts_from_boot));
}
