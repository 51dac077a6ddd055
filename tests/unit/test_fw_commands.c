/*
 * test_fw_commands.c: the static command dispatch table on 0x201..0x27F (spec §9.10): targeting,
 * exact identifier ranges, length and range validation of every command, ACK/NACK layout and
 * status codes, and that an invalid command changes nothing.
 */
#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u
#define ALL  127u

static void boot(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, 0);
    fw_init();
    fake_hal_run_ms(2000);
}

static int cmd(uint32_t id, const uint8_t *args, uint8_t n) {
    return fake_hal_cmd(id, ALL, 0x5A, args, n);
}

typedef struct {
    uint32_t id;
    uint8_t len;
} shape_t;

static const shape_t shapes[] = {
    {0x201, 1}, {0x202, 1}, {0x203, 1}, {0x204, 1}, {0x205, 1}, {0x206, 2}, {0x207, 0}, {0x208, 2},
    {0x209, 1}, {0x20A, 4}, {0x20B, 2}, {0x20C, 1}, {0x20D, 2}, {0x20E, 0}, {0x20F, 2},
};

static void test_every_command_checks_its_length(void) {
    boot();
    const uint8_t zeros[6] = {0};
    for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        uint32_t writes = fake_hal_nvs_total_writes();
        uint8_t mask = fw_state.set.mode_mask;
        if (shapes[i].len > 0u) {
            ASSERT_EQ_I64(cmd(shapes[i].id, zeros, (uint8_t)(shapes[i].len - 1u)),
                          FW_CMD_BAD_LENGTH);
        }
        ASSERT_EQ_I64(cmd(shapes[i].id, zeros, (uint8_t)(shapes[i].len + 1u)), FW_CMD_BAD_LENGTH);
        ASSERT_EQ_U64(fake_hal_nvs_total_writes(), writes);
        ASSERT_EQ_U64(fw_state.set.mode_mask, mask);
    }
}

static void test_ack_layout(void) {
    boot();
    uint8_t on = 1;
    ASSERT_EQ_I64(fake_hal_cmd(0x203, ALL, 0x42, &on, 1), FW_CMD_OK);
    const hal_can_frame_t *a = fake_hal_last_ack();
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    ASSERT_EQ_U64(a->id, 0x280 + NODE);
    ASSERT_EQ_U64(a->dlc, 4);
    ASSERT_EQ_U64(a->data[0], 0x03);
    ASSERT_EQ_U64(a->data[1], 0x42);
    ASSERT_EQ_U64(a->data[2], 0);
    ASSERT_EQ_U64(a->data[3], FW_MODE_TOU); /* mask after the command */
}

static void test_targeting(void) {
    boot();
    uint8_t on = 1;
    ASSERT_EQ_I64(fake_hal_cmd(0x203, 5, 1, &on, 1), -1); /* another pack: ignored, no ACK */
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
    ASSERT_EQ_I64(fake_hal_cmd(0x203, NODE, 1, &on, 1), FW_CMD_OK); /* unicast to us */
    size_t n = fake_hal_can_tx_count();
    uint8_t one[1] = {ALL};
    fake_hal_can_rx(0x203, 1, one); /* DLC < 2: ignored without ACK */
    fake_hal_can_rx(0x203, 0, NULL);
    ASSERT_EQ_U64(fake_hal_can_tx_count(), n);
}

static void test_exact_id_ranges(void) {
    boot();
    uint8_t d[3] = {ALL, 1, 1};
    size_t n = fake_hal_can_tx_count();
    /* IDs a (id & 0x200) test would wrongly dispatch: ACKs, ANN, events, high IDs */
    static const uint32_t not_commands[] = {0x200, 0x280, 0x2FF, 0x301, 0x3FF,
                                            0x401, 0x600, 0x601, 0x7FE};
    for (unsigned i = 0; i < sizeof not_commands / sizeof not_commands[0]; i++) {
        fake_hal_can_rx(not_commands[i], 3, d);
    }
    ASSERT_EQ_U64(fake_hal_can_tx_count(), n); /* no ACK for any of them */
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
    /* extended and remote frames are not commands either */
    hal_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = 0x203;
    f.dlc = 3;
    memcpy(f.data, d, 3);
    f.flags = HAL_CAN_FLAG_EXT;
    fw_on_can_rx(&f);
    f.flags = HAL_CAN_FLAG_RTR;
    fw_on_can_rx(&f);
    ASSERT_EQ_U64(fake_hal_can_tx_count(), n);
    /* unknown IDs inside the command range are answered with status 4 */
    ASSERT_EQ_I64(cmd(0x210, NULL, 0), FW_CMD_UNKNOWN);
    ASSERT_EQ_I64(cmd(0x27F, d, 1), FW_CMD_UNKNOWN);
    ASSERT_EQ_U64(fake_hal_last_ack()->data[0], 0x7F);
}

static void test_on_off_values(void) {
    boot();
    for (uint32_t id = 0x201; id <= 0x205; id++) {
        uint8_t v = 2;
        ASSERT_EQ_I64(cmd(id, &v, 1), FW_CMD_BAD_VALUE);
        v = 0xFF;
        ASSERT_EQ_I64(cmd(id, &v, 1), FW_CMD_BAD_VALUE);
    }
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
}

static void test_limits_and_windows(void) {
    boot();
    uint8_t v = 1;
    ASSERT_EQ_I64(cmd(0x209, &v, 1), FW_CMD_BAD_VALUE);
    v = 31;
    ASSERT_EQ_I64(cmd(0x209, &v, 1), FW_CMD_BAD_VALUE);
    v = 2;
    ASSERT_EQ_I64(cmd(0x209, &v, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fw_state.set.grid_limit_kwh, 2);
    const uint8_t bad_windows[4][4] = {{24, 0, 1, 0}, {1, 60, 1, 0}, {1, 0, 24, 0}, {1, 0, 1, 60}};
    for (unsigned i = 0; i < 4; i++) {
        ASSERT_EQ_I64(cmd(0x20A, bad_windows[i], 4), FW_CMD_BAD_VALUE);
    }
    const uint8_t w[4] = {23, 59, 0, 0};
    ASSERT_EQ_I64(cmd(0x20A, w, 4), FW_CMD_OK);
    CU_ASSERT_EQUAL(memcmp(fw_state.set.tou, w, 4), 0);
    const uint8_t thr_bad[3][2] = {{30, 30}, {60, 40}, {10, 101}};
    for (unsigned i = 0; i < 3; i++) {
        ASSERT_EQ_I64(cmd(0x20D, thr_bad[i], 2), FW_CMD_BAD_VALUE);
    }
    ASSERT_EQ_U64(fw_state.set.sc_low_pct, 10);
    ASSERT_EQ_U64(fw_state.set.sc_high_pct, 50);
    const uint8_t thr[2] = {0, 100};
    ASSERT_EQ_I64(cmd(0x20D, thr, 2), FW_CMD_OK);
    const uint8_t eco[2] = {0x0B, 0xB8}; /* 3000 W, big-endian */
    ASSERT_EQ_I64(cmd(0x206, eco, 2), FW_CMD_OK);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 3000);
}

static void test_relay_command_values(void) {
    boot();
    const uint8_t bad[2][2] = {{4, 0}, {0, 3}};
    for (unsigned i = 0; i < 2; i++) {
        ASSERT_EQ_I64(cmd(0x20B, bad[i], 2), FW_CMD_BAD_VALUE);
    }
    for (unsigned i = 0; i < 4; i++) {
        ASSERT_EQ_U64(fw_state.relays.override[i], FW_OVR_NONE);
    }
    const uint8_t ok[2] = {3, 1};
    ASSERT_EQ_I64(cmd(0x20B, ok, 2), FW_CMD_OK);
    ASSERT_EQ_U64(fw_state.relays.override[3], FW_OVR_CONNECTED);
}

static void test_mode_mask_command(void) {
    boot();
    uint8_t m = 0x20;
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_BAD_VALUE);
    m = FW_MODE_SC | FW_MODE_BACKUP;
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_BAD_VALUE);
    m = 0x80 | FW_MODE_ECO; /* bad value and a refusal: the bad value is reported */
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_BAD_VALUE);
    m = FW_MODE_ECO | FW_MODE_TOU;
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_REFUSED); /* Eco limit not set */
    m = FW_MODE_GRIDLIMIT;
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_REFUSED);
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0); /* nothing applied from a refused mask */
    m = FW_MODE_SC | FW_MODE_TOU;
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_last_ack()->data[3], FW_MODE_SC | FW_MODE_TOU);
    uint8_t lim = 5;
    cmd(0x209, &lim, 1);
    fw_state.grid.energy_wms = 123456789u;
    m = FW_MODE_GRIDLIMIT;
    ASSERT_EQ_I64(cmd(0x20C, &m, 1), FW_CMD_OK);
    ASSERT_EQ_U64(fw_state.grid.energy_wms, 0); /* same side effect as SET_GRID_LIMIT_MODE */
}

static void test_ota_refused(void) {
    boot();
    const uint8_t v[2] = {2, 6};
    ASSERT_EQ_I64(cmd(0x208, v, 2), FW_CMD_REFUSED);
    fake_hal_run_ms(2000);
    ASSERT_EQ_U64(fake_hal_can_last_tel(NODE, 3)->data[7], 0); /* OTA state idle */
}

static void test_request_status(void) {
    boot();
    size_t n = fake_hal_can_tx_count();
    ASSERT_EQ_I64(cmd(0x20E, NULL, 0), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_can_tx_count(), n + 6);
    ASSERT_EQ_U64(fake_hal_can_tx(n)->f.id, 0x280 + NODE); /* ACK first */
    for (unsigned p = 0; p < 4; p++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(n + 1 + p)->f;
        ASSERT_EQ_U64(f->id, 0x100 + NODE);
        ASSERT_EQ_U64(f->data[0], p);
        ASSERT_EQ_U64(f->dlc, 8);
    }
    ASSERT_EQ_U64(fake_hal_can_tx(n + 5)->f.id, 0x300 + NODE);
}

static void test_factory_reset(void) {
    boot();
    const uint8_t eco[2] = {0x01, 0xF4};
    cmd(0x206, eco, 2);
    uint8_t on = 1;
    cmd(0x202, &on, 1);
    const uint8_t rel[2] = {2, 0};
    cmd(0x20B, rel, 2);
    const uint8_t wrong[2] = {0x5A, 0xA5};
    ASSERT_EQ_I64(cmd(0x20F, wrong, 2), FW_CMD_BAD_VALUE);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 500);
    const uint8_t magic[2] = {0xA5, 0x5A};
    ASSERT_EQ_I64(cmd(0x20F, magic, 2), FW_CMD_OK);
    ASSERT_EQ_U64(fake_hal_last_ack()->data[3], 0);
    ASSERT_EQ_U64(fw_state.set.eco_limit_w, 0);
    ASSERT_EQ_U64(fw_state.relays.override[2], FW_OVR_NONE);
    CU_ASSERT_FALSE(fake_hal_nvs_has("ecoLimit"));
    CU_ASSERT_FALSE(fake_hal_nvs_has("modeMask"));
    CU_ASSERT_TRUE(fake_hal_nvs_has("nodeID")); /* kept */
    fake_hal_reboot();
    fw_init();
    ASSERT_EQ_U64(fw_state.set.mode_mask, 0);
    ASSERT_EQ_U64(fw_state.el.self_id, NODE);
}

void test_register(void) {
    TEST_SUITE("fw_commands", TEST(test_every_command_checks_its_length), TEST(test_ack_layout),
               TEST(test_targeting), TEST(test_exact_id_ranges), TEST(test_on_off_values),
               TEST(test_limits_and_windows), TEST(test_relay_command_values),
               TEST(test_mode_mask_command), TEST(test_ota_refused), TEST(test_request_status),
               TEST(test_factory_reset));
}
