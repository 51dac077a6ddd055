/*
 * fw_config.h: the constants and build options of the Alfaspark firmware core (spec §15).
 *
 * Every number the specification fixes lives here under a name with its unit, so a refinement
 * (a [DEFAULT] the product owner later changes) touches one line. Build options are macros with
 * defaults that a build may override with -D:
 *
 *   GRIDLIMIT_BOOT_POLICY   HOLD_OPEN | START_FRESH          (default HOLD_OPEN, spec §7.5)
 *   ECO_CONSUMPTION         INVERTER_ONLY | INVERTER_PLUS_LOADS (default INVERTER_ONLY, §7.2)
 *   ECO_SHED_INVERTER_LAST  0 | 1                            (default 0, §7.2)
 *   FW_DEVICE_TYPE          FW_DEVICE_PACK | FW_DEVICE_GATEWAY (default pack, §2)
 *
 * CT front end (spec §5.1, D20). Each CT channel is assumed to read 12-bit ADC counts (0..4095)
 * around a mid-scale bias near 2048, with the burden sized so that a full-scale sine (50 A RMS by
 * default) swings about 2000 counts peak around the bias. The nominal gain is therefore
 * k = full_scale_A * sqrt(2) / 2000 A per count, per channel; calibration is deferred to the test
 * phase and replaces FW_CT_FULL_SCALE_A_CHn or the gains directly. The simulator's CT model is
 * built to the same assumption.
 */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H

/* ---- identity (spec §2) ---------------------------------------------------------------------- */
#define FW_NAME           "Alfaspark"
#define FW_VERSION_MAJOR  2
#define FW_VERSION_MINOR  5
#define FW_DEVICE_PACK    1
#define FW_DEVICE_GATEWAY 2
#ifndef FW_DEVICE_TYPE
#define FW_DEVICE_TYPE FW_DEVICE_PACK
#endif
#if FW_DEVICE_TYPE != FW_DEVICE_PACK && FW_DEVICE_TYPE != FW_DEVICE_GATEWAY
#error "FW_DEVICE_TYPE must be FW_DEVICE_PACK or FW_DEVICE_GATEWAY"
#endif

/* ---- build options ------------------------------------------------------------------------- */
#define HOLD_OPEN   1 /* grid-limit mode on at boot: latch set until the next 05:00 */
#define START_FRESH 2 /* grid-limit mode on at boot: latch clear, counter at 0 */
#ifndef GRIDLIMIT_BOOT_POLICY
#define GRIDLIMIT_BOOT_POLICY HOLD_OPEN
#endif
#if GRIDLIMIT_BOOT_POLICY != HOLD_OPEN && GRIDLIMIT_BOOT_POLICY != START_FRESH
#error "GRIDLIMIT_BOOT_POLICY must be HOLD_OPEN or START_FRESH"
#endif

#define INVERTER_ONLY       1 /* Eco consumption = P_home (pool and heater hang off the inverter) */
#define INVERTER_PLUS_LOADS 2 /* Eco consumption = P_home + P_pool + P_heater (separate wiring) */
#ifndef ECO_CONSUMPTION
#define ECO_CONSUMPTION INVERTER_ONLY
#endif
#if ECO_CONSUMPTION != INVERTER_ONLY && ECO_CONSUMPTION != INVERTER_PLUS_LOADS
#error "ECO_CONSUMPTION must be INVERTER_ONLY or INVERTER_PLUS_LOADS"
#endif

#ifndef ECO_SHED_INVERTER_LAST
#define ECO_SHED_INVERTER_LAST 0
#endif

/* ---- scheduling (spec §4) ------------------------------------------------------------------- */
#define FW_TICK_MS        2000u  /* main control tick */
#define FW_SUBTICK_MS     100u   /* indicator sub-tick */
#define FW_WDT_TIMEOUT_MS 10000u /* task watchdog */
#define FW_CAN_RETRY_MS   10000u /* CAN init / bus-off recovery retry (§11.1) */
#define FW_ADC_RATE_HZ    2000u  /* per channel: 40 samples per 50 Hz cycle */
#define FW_ADC_WINDOW_MS  200u   /* 10 mains cycles */
#define FW_ADC_MARGIN_MS  50u    /* the window ends this long before the next tick */
#define FW_MAINS_HZ       50u

/* HAL timer slots used by the core. */
#define FW_TIMER_TICK    0u
#define FW_TIMER_SUBTICK 1u
#define FW_TIMER_MODBUS  2u
#define FW_TIMER_ADC     3u

/* ---- measurements (spec §5) ----------------------------------------------------------------- */
#define FW_MAINS_V             220
#define FW_CT_FULL_SCALE_A_CH1 50.0   /* grid */
#define FW_CT_FULL_SCALE_A_CH2 50.0   /* inverter output (home) */
#define FW_CT_FULL_SCALE_A_CH3 50.0   /* pool pump */
#define FW_CT_FULL_SCALE_A_CH4 50.0   /* water heater */
#define FW_CT_PEAK_COUNTS_FS   2000.0 /* ADC counts of a full-scale sine's peak around the bias */
#define FW_CT_GAIN_A_PER_COUNT(full_scale_a)                                                       \
    ((full_scale_a)*1.4142135623730951 / FW_CT_PEAK_COUNTS_FS)
#define FW_CT_DEADBAND_MA  200    /* noise floor: any I_rms below this reads 0 */
#define FW_SOC_EMPTY_MV    46400u /* 16 x 2.9 V = 0 % */
#define FW_SOC_FULL_MV     62400u /* 16 x 3.9 V = 100 % */
#define FW_CHARGING_MIN_CA 50     /* I_batt > +0.5 A means charging (indicators, TEL bit) */

/* ---- BMS link (spec §6) --------------------------------------------------------------------- */
#define FW_MB_BAUD       9600u
#define FW_MB_ADDR       0x01u
#define FW_MB_FC_READ    0x03u
#define FW_MB_REG_START  0x0000u
#define FW_MB_REG_COUNT  2u
#define FW_MB_TIMEOUT_MS 100u
#define FW_MB_RETRIES    3u /* one attempt plus up to three retries */
/* Modbus RTU's inter-frame silence t3.5: 3.5 characters of 11 bits at 9600 baud, rounded up. */
#define FW_MB_T35_US       4011u
#define FW_MB_STALE_CYCLES 3u /* 3 poll cycles (6 s) without a good frame */

/* ---- modes (spec §7) ------------------------------------------------------------------------ */
#define FW_MODE_SC        0x01u /* Self-Consumption */
#define FW_MODE_ECO       0x02u
#define FW_MODE_TOU       0x04u
#define FW_MODE_BACKUP    0x08u
#define FW_MODE_GRIDLIMIT 0x10u
#define FW_MODE_VALID     0x1Fu

#define FW_SC_LOW_PCT_DEFAULT  10u
#define FW_SC_HIGH_PCT_DEFAULT 50u
#define FW_ECO_SHED_TICKS      3u  /* 6 s above the limit sheds the next load */
#define FW_ECO_RESTORE_TICKS   15u /* 30 s at <= 95 % restores the last shed load */
#define FW_ECO_RESTORE_PCT     95u
#define FW_GRID_LIMIT_MIN_KWH  2u
#define FW_GRID_LIMIT_MAX_KWH  30u
#define FW_GRID_RESET_MINUTE   (5u * 60u) /* 05:00 local */
#define FW_GRID_FALLBACK_MS    (24ull * 3600ull * 1000ull)
#define FW_WMS_PER_KWH         3600000000ull /* 1 kWh = 3.6e6 J = 3.6e9 W*ms */
#define FW_WMS_PER_CENTI_KWH   36000000ull

/* ---- indicators (spec §8) ------------------------------------------------------------------- */
#define FW_BAR_PIXELS             10u
#define FW_BAR_RED_MAX_PCT        20u
#define FW_BAR_BRIGHTNESS         255u
#define FW_TM1637_DIGITS          3u
#define FW_TM1637_BRIGHTNESS      7u /* 0..7; display control 0x88|7 = 0x8F (0x0f: max, on) */
#define FW_TM1637_BLINK_BELOW_PCT 15u
#define FW_TM1637_EDGE_US         5u /* spacing between bit-banged edges */

/* ---- CAN (spec §9) -------------------------------------------------------------------------- */
#define FW_CAN_BITRATE         500000u
#define FW_NODE_BROADCAST      127u
#define FW_CAN_TEL_BASE        0x100u
#define FW_CAN_TEL_LAST        0x17Eu
#define FW_CAN_AGG_BASE        0x180u
#define FW_CAN_CMD_FIRST       0x201u
#define FW_CAN_CMD_LAST        0x27Fu
#define FW_CAN_ACK_BASE        0x280u
#define FW_CAN_ANN_BASE        0x300u
#define FW_CAN_ANN_LAST        0x37Eu
#define FW_CAN_EVT_BASE        0x400u
#define FW_CAN_TIME_ID         0x7FFu
#define FW_ANN_PERIOD_MS       60000u
#define FW_NODE_TTL_MS         120000u
#define FW_ANN_REPLY_MIN_MS    1000u /* replies to unknown nodes at most once per second */
#define FW_MASTER_HOLDOFF_MS   2000u
#define FW_PEER_TEL_MAX_AGE_MS 6000u
#define FW_ELECTION_TABLE      32u
#define FW_EVENT_QUEUE         8u
#define FW_EVENT_MIN_GAP_MS    1000u
#define FW_TIME_VALID_MS       (24ull * 3600ull * 1000ull)

/* ---- NVS (spec §10) ------------------------------------------------------------------------- */
#define FW_NVS_NS "alfaspark"

#include "fw_mutations.h" /* empty hooks unless a suite mutant build defines one */

#endif
