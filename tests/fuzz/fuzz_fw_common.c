/*
 * fuzz_fw_common.c: boot and invariants shared by the firmware fuzz targets. See
 * fuzz_fw_common.h.
 */
#include "fuzz_fw_common.h"

#include "commands.h"
#include "fuzz_target.h"
#include "fw_state.h"
#include "telemetry.h"

#define STEP_MS_MAX 2000u

static const hal_signal_t relay_sig[FW_RELAY_COUNT] = {HAL_SIG_RELAY_GRID, HAL_SIG_RELAY_INVERTER,
                                                       HAL_SIG_RELAY_POOL, HAL_SIG_RELAY_HEATER};

/* Relay levels as last written, and whether they were written at all, since the boot. */
static bool relay_level[FW_RELAY_COUNT];
static bool relay_known[FW_RELAY_COUNT];

void fuzz_fw_boot(fake_bms_mode_t bms) {
    fake_hal_reset();
    fake_hal_bms(bms, 520, 150); /* 52.0 V, +1.5 A */
    fake_hal_ct_power_w(0, 800.0);
    fake_hal_ct_power_w(1, 1500.0);
    fake_hal_ct_power_w(2, 300.0);
    fake_hal_ct_power_w(3, 1200.0);
    for (unsigned i = 0; i < FW_RELAY_COUNT; i++) {
        relay_known[i] = false;
    }
    fw_init();
    fuzz_fw_check(true);
}

static bool owned_id(uint32_t id) {
    uint32_t base = id & ~0x7Fu;
    bool per_node = (base == FW_CAN_TEL_BASE || base == FW_CAN_ACK_BASE ||
                     base == FW_CAN_ANN_BASE || base == FW_CAN_EVT_BASE) &&
                    (id & 0x7Fu) < FW_NODE_BROADCAST;
    return per_node || (id >= FW_CAN_AGG_BASE && id < FW_CAN_AGG_BASE + FW_AGG_PAGES);
}

static void check_frames(void) {
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(i)->f;
        FUZZ_CHECK(f->dlc <= 8u && f->flags == 0u, "frame %03X dlc %u flags %u", (unsigned)f->id,
                   (unsigned)f->dlc, (unsigned)f->flags);
        FUZZ_CHECK(owned_id(f->id), "the core sent frame id %03X", (unsigned)f->id);
        if ((f->id & ~0x7Fu) != FW_CAN_ACK_BASE) {
            continue;
        }
        FUZZ_CHECK(f->id == FW_CAN_ACK_BASE + fw_state.el.self_id, "ACK %03X from NodeID %u",
                   (unsigned)f->id, (unsigned)fw_state.el.self_id);
        FUZZ_CHECK(f->dlc == 4u, "ACK with DLC %u", (unsigned)f->dlc);
        FUZZ_CHECK(f->data[2] <= FW_CMD_UNKNOWN, "ACK status %u", (unsigned)f->data[2]);
        FUZZ_CHECK(f->data[3] == fw_state.set.mode_mask, "ACK mode mask %02X, settings %02X",
                   (unsigned)f->data[3], (unsigned)fw_state.set.mode_mask);
    }
    fake_hal_can_clear();
}

/* Relay edges since the last check: each one a change, and only when changes are allowed. */
static void check_relay_edges(bool may_change) {
    for (size_t i = 0; i < fake_hal_gpio_log_count(); i++) {
        const fake_gpio_edge_t *e = fake_hal_gpio_log(i);
        for (unsigned r = 0; r < FW_RELAY_COUNT; r++) {
            if (e->sig != (uint8_t)relay_sig[r]) {
                continue;
            }
            FUZZ_CHECK(may_change, "relay %u written from a receive callback", r);
            FUZZ_CHECK(!relay_known[r] || relay_level[r] != e->level,
                       "relay %u written again with the same state %d", r, e->level);
            relay_known[r] = true;
            relay_level[r] = e->level;
        }
    }
    fake_hal_gpio_log_clear();
}

static void check_relays(bool may_change) {
    check_relay_edges(may_change);
    uint32_t pin_writes = 0;
    for (unsigned r = 0; r < FW_RELAY_COUNT; r++) {
        pin_writes += fake_hal_gpio_writes(relay_sig[r]);
        if (fw_state.relays.driven) {
            FUZZ_CHECK(fake_hal_gpio(relay_sig[r]) == fw_state.relays.state[r],
                       "relay %u pin %d, core state %d", r, fake_hal_gpio(relay_sig[r]),
                       fw_state.relays.state[r]);
        }
    }
    FUZZ_CHECK(pin_writes == fw_state.relays.writes, "%u relay pin writes, the core counts %u",
               (unsigned)pin_writes, (unsigned)fw_state.relays.writes);
}

void fuzz_fw_check(bool relays_may_change) {
    uint8_t m = fw_state.set.mode_mask;
    FUZZ_CHECK((m & ~FW_MODE_VALID) == 0u &&
                   (m & (FW_MODE_SC | FW_MODE_BACKUP)) != (FW_MODE_SC | FW_MODE_BACKUP),
               "mode mask %02X", (unsigned)m);
    check_frames();
    check_relays(relays_may_change);
}

void fuzz_fw_run_ms(uint32_t ms) {
    while (ms > 0u) {
        uint32_t step = ms < STEP_MS_MAX ? ms : STEP_MS_MAX;
        fake_hal_run_ms(step);
        ms -= step;
        fuzz_fw_check(true);
    }
}
