/*
 * settings.h: the persisted settings and the NodeID in NVS namespace "alfaspark" (spec §10).
 *
 *   key        type          content
 *   nodeID     u8            NodeID; written on first boot and after a collision move only
 *   modeMask   u8            mode mask (§7.0)
 *   ecoLimit   u16 (LE)      Eco limit in W
 *   gridLimit  u8            grid limit in kWh (0 = not set, else 2..30)
 *   touWindow  4-byte blob   start h, start m, end h, end m
 *   scThresh   2-byte blob   Self-Consumption low %, high %
 *
 * Values are written only when a command changes them, and only when they differ from what NVS
 * holds: nothing is written periodically, at boot or at shutdown. A stored value that is missing,
 * of the wrong size or out of range loads as its factory default (§10.3). Grid energy, SOC,
 * relay states and overrides are never stored.
 */
#ifndef FW_SETTINGS_H
#define FW_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint8_t mode_mask;
    uint16_t eco_limit_w;   /* 0 = not set */
    uint8_t grid_limit_kwh; /* 0 = not set */
    uint8_t tou[4];         /* start h, start m, end h, end m; start == end = inactive */
    uint8_t sc_low_pct, sc_high_pct;
} fw_settings_t;

/** Factory defaults (§10.3): all modes off, limits not set, TOU 00:00-00:00, SC 10 / 50 %. */
void fw_settings_defaults(fw_settings_t *s);

/** Loads every setting, replacing missing or invalid values by their defaults. No writes. */
void fw_settings_load(fw_settings_t *s);

/** Writes each setting whose NVS value is missing or differs. Returns the number written. */
unsigned fw_settings_save(const fw_settings_t *s);

/** Erases every stored setting except the NodeID (FACTORY_RESET). */
void fw_settings_erase(void);

/**
 * The NodeID: from NVS when present and in 0..126; otherwise derived from the MAC and persisted
 * (the only write at boot, and only on the first one).
 */
uint8_t fw_settings_node_id(const uint8_t mac[6]);

/** Persists a new NodeID after a collision move. */
void fw_settings_store_node_id(uint8_t node_id);

#endif
