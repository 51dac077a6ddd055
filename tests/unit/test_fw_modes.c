/*
 * test_fw_modes.c: Self-Consumption hysteresis, Backup, manual overrides and the one arbitration
 * pass per tick (spec §7.1, §7.4, §7.6, §7.7).
 */
#include "arbitrate.h"
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "modes.h"
#include "test_support.h"

#define NODE 99u
#define ALL  127u

/* Pack voltages (0.1 V) for a SOC: 46.4 V + 0.16 V per %, on the BMS's 0.1 V grid. */
#define DV_SOC10  480 /* 48.0 V = 10 % */
#define DV_SOC11  482 /* 48.2 V = 11.25 % -> 11 */
#define DV_SOC30  512
#define DV_SOC49  543 /* 54.3 V = 49.4 % -> 49 */
#define DV_SOC50  544
#define DV_SOC100 624

static void boot_soc(uint16_t dv) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, dv, 0);
    fw_init();
    fake_hal_run_ms(2000); /* first good frame taken */
}

/* New BMS voltage, taken by the tick after next (the poll runs a tick ahead). */
static void set_soc(uint16_t dv) {
    fake_hal_bms(FAKE_BMS_OK, dv, 0);
    fake_hal_run_ms(4000);
}

static int cmd1(uint32_t id, uint8_t a) {
    return fake_hal_cmd(id, ALL, 1, &a, 1);
}

static int cmd2(uint32_t id, uint8_t a, uint8_t b) {
    uint8_t args[2] = {a, b};
    return fake_hal_cmd(id, ALL, 2, args, 2);
}

static bool r1(void) {
    return fake_hal_gpio(HAL_SIG_RELAY_GRID);
}

static void test_sc_rule_unit(void) {
    CU_ASSERT_TRUE(fw_sc_update(false, true, 10, 10, 50));
    CU_ASSERT_TRUE(fw_sc_update(false, true, 0, 10, 50));
    CU_ASSERT_FALSE(fw_sc_update(false, true, 11, 10, 50)); /* hold */
    CU_ASSERT_TRUE(fw_sc_update(true, true, 11, 10, 50));
    CU_ASSERT_TRUE(fw_sc_update(true, true, 49, 10, 50));
    CU_ASSERT_FALSE(fw_sc_update(false, true, 49, 10, 50));
    CU_ASSERT_FALSE(fw_sc_update(true, true, 50, 10, 50));
    CU_ASSERT_FALSE(fw_sc_update(true, true, 100, 10, 50));
    CU_ASSERT_TRUE(fw_sc_update(false, false, 100, 10, 50)); /* SOC unknown: grid on */
}

static void test_sc_hysteresis_through_the_relay(void) {
    boot_soc(DV_SOC30);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r1()); /* switched on inside the band: starts CONNECTED */
    set_soc(DV_SOC50);
    CU_ASSERT_FALSE(r1()); /* >= 50 %: grid off */
    set_soc(DV_SOC49);
    CU_ASSERT_FALSE(r1()); /* hold */
    set_soc(DV_SOC11);
    CU_ASSERT_FALSE(r1()); /* still hold */
    set_soc(DV_SOC10);
    CU_ASSERT_TRUE(r1()); /* <= 10 %: grid on */
    set_soc(DV_SOC11);
    CU_ASSERT_TRUE(r1());
    set_soc(DV_SOC49);
    CU_ASSERT_TRUE(r1());
    set_soc(DV_SOC50);
    CU_ASSERT_FALSE(r1());
}

/* Spec §7.1: switched on with SOC inside the band, Self-Consumption starts CONNECTED, not in the
 * state it held when it was last switched off; the same through SET_MODE_MASK (§9.10). */
static void test_sc_switched_on_in_band_starts_connected(void) {
    boot_soc(DV_SOC50);
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r1()); /* >= 50 %: DISCONNECTED */
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 0);
    set_soc(DV_SOC30);
    CU_ASSERT_TRUE(r1()); /* mode off: default */
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r1());
    set_soc(DV_SOC50);
    CU_ASSERT_FALSE(r1());
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_MODE_MASK, 0), FW_CMD_OK);
    set_soc(DV_SOC30);
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_MODE_MASK, FW_MODE_SC), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r1());
}

static void test_sc_forces_grid_when_bms_stale(void) {
    boot_soc(DV_SOC100);
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r1());
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0);
    fake_hal_run_ms(8000);
    CU_ASSERT_FALSE(fw_state.soc_valid);
    CU_ASSERT_TRUE(r1());
}

static void test_sc_thresholds_setting(void) {
    boot_soc(DV_SOC30);
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1);
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_SC_THRESHOLDS, 20, 30), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r1()); /* 30 % >= new high threshold */
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_SC_THRESHOLDS, 40, 90), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r1()); /* 30 % <= new low threshold */
}

static void test_backup_keeps_grid_connected(void) {
    boot_soc(DV_SOC100);
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r1());
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_BACKUP, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_last_ack()->data[3], FW_MODE_BACKUP); /* Self-Consumption off */
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r1());
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_RELAY, 0, 0), FW_CMD_REFUSED); /* masked by Backup */
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(r1());
    ASSERT_EQ_I64(cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_last_ack()->data[3], FW_MODE_SC); /* Backup off */
}

static void test_manual_overrides(void) {
    boot_soc(DV_SOC50);
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_RELAY, 2, 0), FW_CMD_OK); /* pool off */
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_POOL));      /* only the tick writes relays */
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_POOL));
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_RELAY, 2, 2), FW_CMD_OK); /* release */
    fake_hal_run_ms(2000);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_POOL));
    /* R1 under Self-Consumption: stored but masked, takes effect once the mode is off. */
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 1);
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_RELAY, 0, 0), FW_CMD_REFUSED);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r1()); /* 50 %: SC opens it anyway */
    set_soc(DV_SOC10);
    CU_ASSERT_TRUE(r1()); /* SC wins over the override */
    cmd1(FW_CMD_SET_SELF_CONSUMPTION, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(r1()); /* now the stored override applies */
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_RELAY, 1, 0), FW_CMD_OK);
    ASSERT_EQ_I64(cmd2(FW_CMD_SET_RELAY, 3, 0), FW_CMD_OK);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_INVERTER));
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
}

static void test_overrides_cleared_at_reboot(void) {
    boot_soc(DV_SOC50);
    cmd2(FW_CMD_SET_RELAY, 3, 0);
    fake_hal_run_ms(2000);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_RELAY_HEATER));
    fake_hal_reboot();
    fw_init();
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_RELAY_HEATER)); /* RAM only */
}

static void test_first_pass_writes_all_then_changes_only(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, DV_SOC50, 0);
    fw_init();
    static const hal_signal_t r[4] = {HAL_SIG_RELAY_GRID, HAL_SIG_RELAY_INVERTER,
                                      HAL_SIG_RELAY_POOL, HAL_SIG_RELAY_HEATER};
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(fake_hal_gpio_written(r[i]));
        CU_ASSERT_TRUE(fake_hal_gpio(r[i])); /* default CONNECTED */
        ASSERT_EQ_U64(fake_hal_gpio_writes(r[i]), 1);
    }
    fake_hal_run_ms(60000);
    for (unsigned i = 0; i < 4; i++) {
        ASSERT_EQ_U64(fake_hal_gpio_writes(r[i]), 1);
    }
}

static void test_arbitration_table(void) {
    fw_relays_t rl;
    fw_relays_init(&rl);
    fw_arb_input_t in;
    memset(&in, 0, sizeof in);
    bool out[FW_RELAY_COUNT];
    in.mode_mask = FW_MODE_BACKUP | FW_MODE_GRIDLIMIT;
    in.grid_latched = true;
    rl.override[FW_RELAY_GRID] = FW_OVR_CONNECTED;
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_FALSE(out[FW_RELAY_GRID]); /* latch beats Backup and manual */
    in.grid_latched = false;
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_TRUE(out[FW_RELAY_GRID]);
    in.mode_mask = FW_MODE_SC;
    in.sc_connected = false;
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_FALSE(out[FW_RELAY_GRID]); /* SC beats manual */
    in.mode_mask = 0;
    rl.override[FW_RELAY_GRID] = FW_OVR_DISCONNECTED;
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_FALSE(out[FW_RELAY_GRID]);
    /* R2: TOU beats Eco last stage beats manual */
    in.mode_mask = FW_MODE_TOU | FW_MODE_ECO;
    in.tou_window = true;
    in.clock_valid = true;
    in.tou_inside = true;
    in.eco_shed[FW_RELAY_INVERTER] = true;
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_TRUE(out[FW_RELAY_INVERTER]);
    in.tou_window = false; /* start == end: falls through */
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_FALSE(out[FW_RELAY_INVERTER]);
    /* R3/R4: Eco shed beats a CONNECTED override */
    rl.override[FW_RELAY_POOL] = FW_OVR_CONNECTED;
    in.eco_shed[FW_RELAY_POOL] = true;
    fw_arbitrate_compute(&in, &rl, out);
    CU_ASSERT_FALSE(out[FW_RELAY_POOL]);
    CU_ASSERT_TRUE(out[FW_RELAY_HEATER]);
    CU_ASSERT_TRUE(fw_arbitrate_masked(&in, FW_RELAY_POOL));
    CU_ASSERT_FALSE(fw_arbitrate_masked(&in, FW_RELAY_HEATER));
}

void test_register(void) {
    TEST_SUITE("fw_modes", TEST(test_sc_rule_unit), TEST(test_sc_hysteresis_through_the_relay),
               TEST(test_sc_switched_on_in_band_starts_connected),
               TEST(test_sc_forces_grid_when_bms_stale), TEST(test_sc_thresholds_setting),
               TEST(test_backup_keeps_grid_connected), TEST(test_manual_overrides),
               TEST(test_overrides_cleared_at_reboot),
               TEST(test_first_pass_writes_all_then_changes_only), TEST(test_arbitration_table));
}
