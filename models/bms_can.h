/*
 * bms_can.h: the BMS's optional Victron-style "CAN-bus BMS" broadcast (protocols.md §4).
 *
 * Some BMSs also talk to an inverter over CAN with the SMA low-voltage battery profile that
 * Victron and many hybrids read. This model sends those frames from the battery model's state,
 * from its own controller, every period_ns (default 1 s), in this order:
 *
 *   0x351  CVL u16 0.1 V, CCL s16 0.1 A, DCL s16 0.1 A, DVL u16 0.1 V        (DLC 8)
 *   0x355  SOC u16 1 %, SOH u16 1 %, SOC u16 0.01 %                         (DLC 6)
 *   0x356  voltage s16 0.01 V, current s16 0.1 A (+ charge), temp s16 0.1 C   (DLC 6)
 *   0x35A  alarms (bytes 0-3) and warnings (bytes 4-7), 2-bit fields         (DLC 8)
 * All fields little-endian, saturating. CVL/DVL are cells x cell_cv_mv / cell_dvl_mv, CCL/DCL the
 * battery's published limits.
 *
 * 0x35A fields raised from the battery's alarms: high voltage (byte 0 bits 2-3) from CELL_OV, low
 * voltage (byte 0 bits 4-5) from CELL_UV, high discharge current (byte 1 bits 6-7) from OC_DSG,
 * high charge current (byte 2 bits 0-1) from OC_CHG; warnings stay inactive. Two encodings:
 *   SMA/Victron  01 active, 10 inactive (all OK = AA AA AA AA AA AA AA AA)
 *   TinyBMS-GW   levels 0 OK / 2 alarm, 11 in the reserved bits of bytes 3 and 7
 *
 * It is OFF: the run never creates it, because a scenario has one bus, the packs', and there these
 * IDs fall inside the election range 0x300-0x37E (0x351 is node 81's announcement). It belongs on
 * a separate inverter bus, not next to Alfaspark packs; its unit tests give it a bus of its own.
 */
#ifndef BMS_CAN_H
#define BMS_CAN_H

#include <stddef.h>
#include <stdint.h>

#include "battery.h"
#include "sim_can.h"
#include "sim_kernel.h"

typedef enum { BMS_CAN_ALARMS_SMA = 0, BMS_CAN_ALARMS_TINYBMS } bms_can_alarm_enc_t;

typedef struct {
    double cvl_v, ccl_a, dcl_a, dvl_v;
    double soc_pct, soh_pct;
    double voltage_v, current_a, temp_c;
    uint16_t alarms; /* BATTERY_ALARM_* */
} bms_can_values_t;

typedef struct {
    const char *name;                   /* controller name; default "bms-can" */
    sim_time_ns_t period_ns;            /* default 1 s */
    bms_can_alarm_enc_t alarm_encoding; /* default SMA */
    double temp_c;                      /* reported temperature (not modelled); default 25 C */
    double soh_pct;                     /* default 100 */
    uint16_t cell_cv_mv, cell_dvl_mv;   /* copy of the battery's; defaults 3550 / 2800 */
    uint8_t cells_series;               /* default 16 */
} bms_can_cfg_t;

typedef struct bms_can bms_can_t;

void bms_can_cfg_default(bms_can_cfg_t *cfg);

/** The values the frames carry, from a battery's present state. */
void bms_can_values(const bms_can_cfg_t *cfg, const battery_t *b, bms_can_values_t *out);
/** Encodes frame `id` (0x351, 0x355, 0x356 or 0x35A); returns its DLC, 0 for another id. */
uint8_t bms_can_encode(uint32_t id, const bms_can_values_t *v, bms_can_alarm_enc_t enc,
                       uint8_t out[8]);

/**
 * Attaches and starts a controller on `bus` and begins the periodic broadcast at now.
 * @retval 0, -SIM_EINVAL (period <= 0, no battery), -SIM_ENOMEM, or the attach/start error
 */
int bms_can_create(sim_kernel_t *k, sim_can_bus_t *bus, const bms_can_cfg_t *cfg,
                   const battery_t *b, bms_can_t **out);
void bms_can_destroy(bms_can_t *m);
/** Frames queued and frames refused by the controller (queue full, bus-off). */
uint64_t bms_can_sent(const bms_can_t *m);
uint64_t bms_can_refused(const bms_can_t *m);

#endif
