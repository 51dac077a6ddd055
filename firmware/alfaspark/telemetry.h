/*
 * telemetry.h: TEL pages (0x100+N), the master's aggregate pages (0x180+p) and the ANN payload
 * (0x300+N), spec §9.5. Building a frame is pure: the control tick fills an fw_tel_snapshot_t
 * and these functions lay it out. Multi-byte fields are big-endian; values saturate at their
 * type's range; every TEL page has DLC 8 with reserved bytes 0.
 *
 *   page 0 battery  [0, SOC u8 (0xFF invalid), V u16 x0.1 V, I s16 x0.01 A, status u8, alarm u8]
 *                   status: bit0 charging, bit1 BMS not valid/stale, bit2 BMS alarm,
 *                           bit3 is-master, bit4 time valid
 *   page 1 power A  [1, P_grid s16 W, P_home s16 W, P_batt s16 W, 0]
 *   page 2 power B  [2, P_solar s16 W, P_pool s16 W, P_heater s16 W, 0]
 *   page 3 state    [3, relay mask, mode mask, warning mask, E_grid u16 x0.01 kWh, limit kWh, OTA]
 *   aggregate p0    [online packs, average SOC (0xFF none), master NodeID]          DLC 3
 *   aggregate p1    [sum P_grid, sum P_home, sum P_batt] s16 in 10 W units          DLC 6
 *   aggregate p2    [sum P_solar, sum P_pool, sum P_heater] s16 in 10 W units       DLC 6
 *   ANN             [device type, fw major, fw minor, flags (bit0 master), MAC tail x4] DLC 8
 */
#ifndef FW_TELEMETRY_H
#define FW_TELEMETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "election.h"
#include "hal.h"

#define FW_TEL_PAGES   4u
#define FW_AGG_PAGES   3u
#define FW_SOC_INVALID 0xFFu

#define FW_TEL_ST_CHARGING    0x01u
#define FW_TEL_ST_BMS_INVALID 0x02u
#define FW_TEL_ST_BMS_ALARM   0x04u
#define FW_TEL_ST_MASTER      0x08u
#define FW_TEL_ST_TIME_VALID  0x10u

#define FW_WARN_LOADS_LIMIT 0x01u
#define FW_WARN_GRID_LIMIT  0x02u

/** One node's values as the last control tick computed them. */
typedef struct {
    uint8_t node_id;
    uint8_t soc; /* FW_SOC_INVALID when not valid */
    uint16_t pack_dv;
    int16_t batt_ca;
    uint8_t status; /* FW_TEL_ST_* */
    uint8_t alarm_bits;
    int32_t grid_w, home_w, batt_w, solar_w, pool_w, heater_w;
    uint8_t relay_mask, mode_mask, warn_mask;
    uint16_t energy_centi_kwh;
    uint8_t grid_limit_kwh;
    uint8_t ota_state;
} fw_tel_snapshot_t;

/** TEL page `page` (0..3) of a snapshot. */
void fw_tel_build(const fw_tel_snapshot_t *s, unsigned page, hal_can_frame_t *f);

/** ANN of this node. */
void fw_ann_build(uint8_t node_id, uint8_t device_type, bool is_master, const uint8_t mac[6],
                  hal_can_frame_t *f);

/** Stores a peer's TEL page (pages 0..2; others ignored). DLC must be 8. */
void fw_tel_store_peer(fw_peer_tel_t *t, const uint8_t *data, uint8_t dlc, uint64_t now_ms);

/**
 * The three aggregate pages: self (when `self_is_pack`) plus every live pack in the table whose
 * page 0 arrived within 6 s (pages 1 and 2 only if they too are that fresh).
 */
void fw_agg_build(const fw_election_t *e, const fw_tel_snapshot_t *self, bool self_is_pack,
                  uint64_t now_ms, hal_can_frame_t out[FW_AGG_PAGES]);

#endif
