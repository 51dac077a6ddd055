/*
 * test_fw_settings.c: NVS persistence (spec §10): exactly the specified keys, factory defaults,
 * writes only when a command changes a value, nothing periodic, invalid stored values replaced
 * by defaults, and settings surviving a reboot.
 */
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "settings.h"
#include "test_support.h"

#define ALL 127u

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fw_init();
}

static void reboot(void) {
    fake_hal_reboot();
    fw_init();
}

static int cmd(uint32_t id, const uint8_t *a, uint8_t n) {
    return fake_hal_cmd(id, ALL, 1, a, n);
}

static void test_factory_defaults(void) {
    boot();
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 0);
    ASSERT_EQ_U64(fw_state.set.grid_limit_kwh, 0);
    for (unsigned i = 0; i < 4; i++) {
        ASSERT_EQ_U64(fw_state.set.tou[i], 0);
    }
    ASSERT_EQ_U64(fw_state.set.sc_low_pct, 10);
    ASSERT_EQ_U64(fw_state.set.sc_high_pct, 50);
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), 1); /* first boot: the NodeID only */
    CU_ASSERT_TRUE(fake_hal_nvs_has("nodeID"));
}

static void test_no_periodic_writes(void) {
    boot();
    fake_hal_ct_power_w(0, 5000.0);
    fake_hal_run_ms(2u * 3600u * 1000u);
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), 1); /* grid energy, SOC, relays never stored */
    reboot();
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), 1); /* nor at boot */
}

static void test_write_on_change_only(void) {
    boot();
    const uint8_t w500[2] = {0x01, 0xF4};
    ASSERT_EQ_I64(cmd(FW_CMD_SET_ECO_LIMIT, w500, 2), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_nvs_writes("ecoLimit"), 1);
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), 2); /* nothing else written with it */
    cmd(FW_CMD_SET_ECO_LIMIT, w500, 2);
    ASSERT_EQ_U64(fake_hal_nvs_writes("ecoLimit"), 1); /* same value: no write */
    const uint8_t w600[2] = {0x02, 0x58};
    cmd(FW_CMD_SET_ECO_LIMIT, w600, 2);
    ASSERT_EQ_U64(fake_hal_nvs_writes("ecoLimit"), 2);
    uint8_t on = 1;
    cmd(FW_CMD_SET_TOU, &on, 1);
    cmd(FW_CMD_SET_TOU, &on, 1);
    ASSERT_EQ_U64(fake_hal_nvs_writes("modeMask"), 1);
    const uint8_t thr[2] = {10, 50}; /* the defaults: nothing to store */
    cmd(FW_CMD_SET_SC_THRESHOLDS, thr, 2);
    ASSERT_EQ_U64(fake_hal_nvs_writes("scThresh"), 0);
    const uint8_t bad[2] = {50, 10};
    cmd(FW_CMD_SET_SC_THRESHOLDS, bad, 2);
    ASSERT_EQ_U64(fake_hal_nvs_writes("scThresh"), 0);
}

static void test_settings_survive_reboot(void) {
    boot();
    const uint8_t eco[2] = {0x0B, 0xB8};
    cmd(FW_CMD_SET_ECO_LIMIT, eco, 2);
    uint8_t v = 12;
    cmd(FW_CMD_SET_GRID_LIMIT_KWH, &v, 1);
    const uint8_t w[4] = {22, 30, 6, 15};
    cmd(FW_CMD_SET_TOU_WINDOW, w, 4);
    const uint8_t thr[2] = {15, 80};
    cmd(FW_CMD_SET_SC_THRESHOLDS, thr, 2);
    v = FW_MODE_ECO | FW_MODE_TOU | FW_MODE_SC | FW_MODE_GRIDLIMIT;
    ASSERT_EQ_I64(cmd(FW_CMD_SET_MODE_MASK, &v, 1), FW_CMD_OK);
    uint32_t writes = fake_hal_nvs_total_writes();
    reboot();
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), writes);
    ASSERT_EQ_U64(fw_state.set.mode_mask, v);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 3000);
    ASSERT_EQ_U64(fw_state.set.grid_limit_kwh, 12);
    CU_ASSERT_EQUAL(memcmp(fw_state.set.tou, w, 4), 0);
    ASSERT_EQ_U64(fw_state.set.sc_low_pct, 15);
    ASSERT_EQ_U64(fw_state.set.sc_high_pct, 80);
    uint8_t raw[4];
    ASSERT_EQ_I64(fake_hal_nvs_peek("ecoLimit", raw, 4), 2);
    ASSERT_EQ_U64(raw[0] | (raw[1] << 8), 3000);
    ASSERT_EQ_I64(fake_hal_nvs_peek("touWindow", raw, 4), 4);
    ASSERT_EQ_I64(fake_hal_nvs_peek("scThresh", raw, 4), 2);
    ASSERT_EQ_I64(fake_hal_nvs_peek("gridLimit", raw, 4), 1);
    ASSERT_EQ_I64(fake_hal_nvs_peek("modeMask", raw, 4), 1);
}

static void test_invalid_stored_values_load_defaults(void) {
    fake_hal_reset();
    uint8_t grid = 50, mode = FW_MODE_SC | FW_MODE_BACKUP, eco1 = 7;
    const uint8_t tou[4] = {25, 0, 1, 0}, sc[2] = {60, 40};
    fake_hal_nvs_preset("gridLimit", &grid, 1);
    fake_hal_nvs_preset("modeMask", &mode, 1);
    fake_hal_nvs_preset("ecoLimit", &eco1, 1); /* wrong size */
    fake_hal_nvs_preset("touWindow", tou, 4);
    fake_hal_nvs_preset("scThresh", sc, 2);
    fw_init();
    ASSERT_EQ_U64(fw_state.set.grid_limit_kwh, 0);
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 0);
    ASSERT_EQ_U64(fw_state.set.tou[0], 0);
    ASSERT_EQ_U64(fw_state.set.sc_low_pct, 10);
    ASSERT_EQ_U64(fw_state.set.sc_high_pct, 50);
    ASSERT_EQ_U64(fake_hal_nvs_total_writes(), 1); /* only the NodeID; nothing rewritten */
    /* a mode whose limit is not stored cannot come back on */
    fake_hal_reset();
    mode = FW_MODE_ECO | FW_MODE_TOU;
    fake_hal_nvs_preset("modeMask", &mode, 1);
    fw_init();
    ASSERT_EQ_U64(fw_state.set.mode_mask, FW_MODE_TOU);
    mode = 0xE0;
    fake_hal_reset();
    fake_hal_nvs_preset("modeMask", &mode, 1);
    fw_init();
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
}

static void test_save_api_counts(void) {
    fake_hal_reset();
    fw_settings_t s;
    fw_settings_defaults(&s);
    ASSERT_EQ_U64(fw_settings_save(&s), 0); /* defaults over an empty store: nothing */
    s.grid_limit_kwh = 4;
    ASSERT_EQ_U64(fw_settings_save(&s), 1);
    ASSERT_EQ_U64(fw_settings_save(&s), 0);
    s.grid_limit_kwh = 0; /* back to the default, but NVS holds 4: must be written */
    ASSERT_EQ_U64(fw_settings_save(&s), 1);
    fw_settings_erase();
    CU_ASSERT_FALSE(fake_hal_nvs_has("gridLimit"));
}

void test_register(void) {
    TEST_SUITE("fw_settings", TEST(test_factory_defaults), TEST(test_no_periodic_writes),
               TEST(test_write_on_change_only), TEST(test_settings_survive_reboot),
               TEST(test_invalid_stored_values_load_defaults), TEST(test_save_api_counts));
}
