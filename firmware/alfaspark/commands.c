/*
 * commands.c: the const dispatch table and the command handlers (spec §9.10). See commands.h.
 * Handlers change settings through fw_modes_set_mask() and persist with fw_settings_save(),
 * which writes only what differs from NVS.
 */
#include "commands.h"

#include <string.h>

#include "fw_config.h"
#include "fw_state.h"
#include "modes.h"
#include "node.h"

typedef uint8_t (*fw_cmd_handler_t)(const uint8_t *args, uint8_t len);

typedef struct {
    uint16_t id;
    uint8_t args_len; /* exact argument length */
    fw_cmd_handler_t handler;
} fw_cmd_entry_t;

/* ---- mode switches -------------------------------------------------------------------------- */

/* Applies a new mode mask after validation; persists it. */
static uint8_t apply_mask(uint8_t mask) {
    if ((mask & ~FW_MODE_VALID) != 0u || ((mask & FW_MODE_SC) && (mask & FW_MODE_BACKUP))) {
        return FW_CMD_BAD_VALUE;
    }
    const fw_settings_t *set = &fw_state.set;
    if ((mask & FW_MODE_ECO) && set->eco_limit_w == 0u) {
        return FW_CMD_REFUSED;
    }
    if ((mask & FW_MODE_GRIDLIMIT) && set->grid_limit_kwh == 0u) {
        return FW_CMD_REFUSED;
    }
    fw_modes_set_mask(mask);
    (void)fw_settings_save(&fw_state.set);
    return FW_CMD_OK;
}

/* One mode bit on or off; `excludes` is switched off when the bit turns on. */
static uint8_t set_mode_bit(const uint8_t *args, uint8_t bit, uint8_t excludes) {
    if (args[0] > 1u) {
        return FW_CMD_BAD_VALUE;
    }
    uint8_t mask = fw_state.set.mode_mask;
    mask = args[0] ? (uint8_t)((mask | bit) & ~excludes) : (uint8_t)(mask & ~bit);
    return apply_mask(mask);
}

static uint8_t cmd_self_consumption(const uint8_t *args, uint8_t len) {
    (void)len;
    return set_mode_bit(args, FW_MODE_SC, FW_MODE_BACKUP);
}

static uint8_t cmd_eco(const uint8_t *args, uint8_t len) {
    (void)len;
    return set_mode_bit(args, FW_MODE_ECO, 0);
}

static uint8_t cmd_tou(const uint8_t *args, uint8_t len) {
    (void)len;
    return set_mode_bit(args, FW_MODE_TOU, 0);
}

static uint8_t cmd_backup(const uint8_t *args, uint8_t len) {
    (void)len;
    return set_mode_bit(args, FW_MODE_BACKUP, FW_MUT_BACKUP_EXCLUDES(FW_MODE_SC));
}

static uint8_t cmd_grid_limit_mode(const uint8_t *args, uint8_t len) {
    (void)len;
    return set_mode_bit(args, FW_MODE_GRIDLIMIT, 0);
}

static uint8_t cmd_mode_mask(const uint8_t *args, uint8_t len) {
    (void)len;
    return apply_mask(args[0]);
}

/* ---- settings ------------------------------------------------------------------------------- */

static uint8_t cmd_eco_limit(const uint8_t *args, uint8_t len) {
    (void)len;
    uint16_t w = (uint16_t)((args[0] << 8) | args[1]);
    if (w == 0u && (fw_state.set.mode_mask & FW_MODE_ECO)) {
        return FW_CMD_REFUSED;
    }
    fw_state.set.eco_limit_w = w;
    (void)fw_settings_save(&fw_state.set);
    return FW_CMD_OK;
}

static uint8_t cmd_reset_grid_energy(const uint8_t *args, uint8_t len) {
    (void)args;
    (void)len;
    fw_grid_release(&fw_state.grid);
    return FW_CMD_OK;
}

static uint8_t cmd_ota_trigger(const uint8_t *args, uint8_t len) {
    (void)args;
    (void)len;
    return FW_CMD_REFUSED; /* no image-transfer protocol yet (spec §11.4); OTA state stays idle */
}

static uint8_t cmd_grid_limit_kwh(const uint8_t *args, uint8_t len) {
    (void)len;
    if (args[0] < FW_GRID_LIMIT_MIN_KWH || args[0] > FW_GRID_LIMIT_MAX_KWH) {
        return FW_CMD_BAD_VALUE;
    }
    fw_state.set.grid_limit_kwh = args[0]; /* a set latch stays set */
    (void)fw_settings_save(&fw_state.set);
    return FW_CMD_OK;
}

static uint8_t cmd_tou_window(const uint8_t *args, uint8_t len) {
    (void)len;
    if (args[0] >= 24u || args[1] >= 60u || args[2] >= 24u || args[3] >= 60u) {
        return FW_CMD_BAD_VALUE;
    }
    memcpy(fw_state.set.tou, args, 4);
    (void)fw_settings_save(&fw_state.set);
    return FW_CMD_OK;
}

static uint8_t cmd_sc_thresholds(const uint8_t *args, uint8_t len) {
    (void)len;
    if (!(args[0] < args[1] && args[1] <= 100u)) {
        return FW_CMD_BAD_VALUE;
    }
    fw_state.set.sc_low_pct = args[0];
    fw_state.set.sc_high_pct = args[1];
    (void)fw_settings_save(&fw_state.set);
    return FW_CMD_OK;
}

/* ---- relays, status, reset ------------------------------------------------------------------ */

static uint8_t cmd_relay(const uint8_t *args, uint8_t len) {
    (void)len;
    if (args[0] >= FW_RELAY_COUNT || args[1] > 2u) {
        return FW_CMD_BAD_VALUE;
    }
    static const uint8_t ovr[3] = {FW_OVR_DISCONNECTED, FW_OVR_CONNECTED, FW_OVR_NONE};
    fw_state.relays.override[args[0]] = ovr[args[1]];
    if (args[1] == 2u) {
        return FW_CMD_OK;
    }
    fw_arb_input_t in;
    fw_node_arb_input(&in);
    return fw_arbitrate_masked(&in, args[0]) ? FW_CMD_REFUSED : FW_CMD_OK;
}

static uint8_t cmd_request_status(const uint8_t *args, uint8_t len) {
    (void)args;
    (void)len;
    fw_state.status_requested = true; /* sent after the ACK */
    return FW_CMD_OK;
}

static uint8_t cmd_factory_reset(const uint8_t *args, uint8_t len) {
    (void)len;
    if (args[0] != 0xA5u || args[1] != 0x5Au) {
        return FW_CMD_BAD_VALUE;
    }
    fw_modes_set_mask(0); /* side effects of every mode turning off */
    fw_settings_defaults(&fw_state.set);
    fw_settings_erase();
    for (unsigned i = 0; i < FW_RELAY_COUNT; i++) {
        fw_state.relays.override[i] = FW_OVR_NONE;
    }
    return FW_CMD_OK;
}

static const fw_cmd_entry_t cmd_table[] = {
    {FW_CMD_SET_SELF_CONSUMPTION, 1, cmd_self_consumption},
    {FW_CMD_SET_ECO, 1, cmd_eco},
    {FW_CMD_SET_TOU, 1, cmd_tou},
    {FW_CMD_SET_BACKUP, 1, cmd_backup},
    {FW_CMD_SET_GRID_LIMIT_MODE, 1, cmd_grid_limit_mode},
    {FW_CMD_SET_ECO_LIMIT, 2, cmd_eco_limit},
    {FW_CMD_RESET_GRID_ENERGY, 0, cmd_reset_grid_energy},
    {FW_CMD_OTA_TRIGGER, 2, cmd_ota_trigger},
    {FW_CMD_SET_GRID_LIMIT_KWH, 1, cmd_grid_limit_kwh},
    {FW_CMD_SET_TOU_WINDOW, 4, cmd_tou_window},
    {FW_CMD_SET_RELAY, 2, cmd_relay},
    {FW_CMD_SET_MODE_MASK, 1, cmd_mode_mask},
    {FW_CMD_SET_SC_THRESHOLDS, 2, cmd_sc_thresholds},
    {FW_CMD_REQUEST_STATUS, 0, cmd_request_status},
    {FW_CMD_FACTORY_RESET, 2, cmd_factory_reset},
};

static const fw_cmd_entry_t *lookup(uint32_t id) {
    for (size_t i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++) {
        if (cmd_table[i].id == id) {
            return &cmd_table[i];
        }
    }
    return NULL;
}

void fw_commands_on_frame(const hal_can_frame_t *f) {
    if (f->dlc < 2u || f->dlc > 8u) {
        return;
    }
    uint8_t target = f->data[0];
    bool broadcast = target == FW_NODE_BROADCAST && FW_MUT_BROADCAST_ACCEPTED;
    if (!broadcast && target != fw_state.el.self_id) {
        return;
    }
    const fw_cmd_entry_t *c = lookup(f->id);
    uint8_t len = (uint8_t)(f->dlc - 2u);
    uint8_t status = FW_CMD_UNKNOWN;
    if (c != NULL) {
        status = len == c->args_len ? c->handler(&f->data[2], len) : FW_CMD_BAD_LENGTH;
    }
    fw_node_send_ack((uint8_t)(f->id & 0xFFu), f->data[1], status);
    if (fw_state.status_requested) {
        fw_state.status_requested = false;
        fw_node_send_tel_pages();
        fw_node_send_ann();
    }
}
