/*
 * settings.c: NVS persistence, write-on-change only (spec §10). See settings.h.
 */
#include "settings.h"

#include <string.h>

#include "election.h"
#include "fw_config.h"
#include "hal.h"

#define KEY_NODE "nodeID"
#define KEY_MODE "modeMask"
#define KEY_ECO  "ecoLimit"
#define KEY_GRID "gridLimit"
#define KEY_TOU  "touWindow"
#define KEY_SC   "scThresh"

void fw_settings_defaults(fw_settings_t *s) {
    memset(s, 0, sizeof *s);
    s->sc_low_pct = FW_SC_LOW_PCT_DEFAULT;
    s->sc_high_pct = FW_SC_HIGH_PCT_DEFAULT;
}

/* Reads exactly `len` bytes; false when absent or of another size. */
static bool read_exact(const char *key, void *buf, size_t len) {
    uint8_t tmp[16];
    size_t got = sizeof tmp;
    if (hal_nvs_get(FW_NVS_NS, key, tmp, &got) != HAL_OK || got != len) {
        return false;
    }
    memcpy(buf, tmp, len);
    return true;
}

static bool tou_valid(const uint8_t t[4]) {
    return t[0] < 24u && t[1] < 60u && t[2] < 24u && t[3] < 60u;
}

static void load_limits(fw_settings_t *s) {
    uint8_t b[4];
    if (FW_MUT_ECO_LIMIT_READ(read_exact(KEY_ECO, b, 2))) {
        s->eco_limit_w = (uint16_t)(b[0] | (b[1] << 8));
    }
    if (read_exact(KEY_GRID, b, 1) &&
        (b[0] == 0u || (b[0] >= FW_GRID_LIMIT_MIN_KWH && b[0] <= FW_GRID_LIMIT_MAX_KWH))) {
        s->grid_limit_kwh = b[0];
    }
    if (read_exact(KEY_TOU, b, 4) && tou_valid(b)) {
        memcpy(s->tou, b, 4);
    }
    if (read_exact(KEY_SC, b, 2) && b[0] < b[1] && b[1] <= 100u) {
        s->sc_low_pct = b[0];
        s->sc_high_pct = b[1];
    }
}

void fw_settings_load(fw_settings_t *s) {
    fw_settings_defaults(s);
    load_limits(s);
    uint8_t m;
    if (!read_exact(KEY_MODE, &m, 1)) {
        return;
    }
    bool both = (m & FW_MODE_SC) && (m & FW_MODE_BACKUP);
    if ((m & ~FW_MODE_VALID) != 0u || both) {
        return; /* out of range: factory default, all modes off */
    }
    /* A mode whose limit is not set cannot be on (§10.3). */
    if (s->eco_limit_w == 0u) {
        m &= (uint8_t)~FW_MODE_ECO;
    }
    if (s->grid_limit_kwh == 0u) {
        m &= (uint8_t)~FW_MODE_GRIDLIMIT;
    }
    s->mode_mask = m;
}

/*
 * Writes key only when its effective stored value differs: an absent key reads as its factory
 * default, so a first command that leaves a setting at its default writes nothing for it.
 */
static unsigned save_if_changed(const char *key, const void *buf, const void *dflt, size_t len) {
    uint8_t cur[16];
    if (read_exact(key, cur, len)) {
        if (memcmp(cur, buf, len) == 0 && FW_MUT_NVS_SAME_SKIPPED) {
            return 0;
        }
    } else if (dflt != NULL && memcmp(dflt, buf, len) == 0) {
        return 0;
    }
    return hal_nvs_set(FW_NVS_NS, key, buf, len) == HAL_OK ? 1u : 0u;
}

unsigned fw_settings_save(const fw_settings_t *s) {
    fw_settings_t d;
    fw_settings_defaults(&d);
    uint8_t eco[2] = {(uint8_t)(s->eco_limit_w & 0xFFu), (uint8_t)(s->eco_limit_w >> 8)};
    uint8_t eco_d[2] = {(uint8_t)(d.eco_limit_w & 0xFFu), (uint8_t)(d.eco_limit_w >> 8)};
    uint8_t sc[2] = {s->sc_low_pct, s->sc_high_pct};
    uint8_t sc_d[2] = {d.sc_low_pct, d.sc_high_pct};
    unsigned n = 0;
    n += save_if_changed(KEY_MODE, &s->mode_mask, &d.mode_mask, 1);
    n += save_if_changed(KEY_ECO, eco, eco_d, 2);
    n += save_if_changed(KEY_GRID, &s->grid_limit_kwh, &d.grid_limit_kwh, 1);
    n += save_if_changed(KEY_TOU, s->tou, d.tou, 4);
    n += save_if_changed(KEY_SC, sc, sc_d, 2);
    return n;
}

void fw_settings_erase(void) {
    static const char *const keys[] = {KEY_MODE, KEY_ECO, KEY_GRID, KEY_TOU, KEY_SC};
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        (void)hal_nvs_erase_key(FW_NVS_NS, keys[i]);
    }
}

uint8_t fw_settings_node_id(const uint8_t mac[6]) {
    uint8_t id;
    if (read_exact(KEY_NODE, &id, 1) && id < FW_NODE_BROADCAST) {
        return id;
    }
    id = fw_node_id_from_mac(mac);
    (void)hal_nvs_set(FW_NVS_NS, KEY_NODE, &id, 1);
    return id;
}

void fw_settings_store_node_id(uint8_t node_id) {
    (void)save_if_changed(KEY_NODE, &node_id, NULL, 1);
}
