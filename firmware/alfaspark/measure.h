/*
 * measure.h: the measurement arithmetic of the control tick (spec §5): CT RMS currents from raw
 * ADC windows, powers at the 220 V constant, SOC from the pack voltage, solar from the energy
 * balance and the grid-import energy integral.
 *
 * Every function here is pure: no HAL calls, no state. Units are in the names; powers are signed
 * W in int32, currents mA, voltages mV (or 0.1 V where the BMS wire format is kept), energy in
 * W*ms (uint64: 30 kWh is 1.08e11 W*ms, so it never overflows).
 */
#ifndef FW_MEASURE_H
#define FW_MEASURE_H

#include <stdint.h>

/**
 * RMS current of one CT channel in mA, deadband applied. `samples` holds n raw 12-bit counts taken
 * at rate_hz; only the longest prefix spanning whole 50 Hz cycles is used (all n when the window
 * is shorter than one cycle). The bias is the mean of that prefix. n == 0 gives 0.
 */
int32_t fw_ct_rms_ma(const uint16_t *samples, uint16_t n, uint32_t rate_hz,
                     double gain_a_per_count);

/** Nominal gain of CT channel `ch` (0..3) in A per ADC count. */
double fw_ct_gain_a_per_count(unsigned ch);

/** P = I x 220 V, in W, rounded to the nearest watt. */
int32_t fw_power_w_from_ma(int32_t current_ma);

/** SOC in integer %, truncated: 0 at or below 46.4 V, 100 at or above 62.4 V (spec §5.4). */
uint8_t fw_soc_pct_from_mv(uint32_t pack_mv);

/** P_batt = V_pack x I_batt in W (positive = charging), from the BMS wire units. */
int32_t fw_batt_power_w(uint16_t pack_dv, int16_t batt_ca);

/** P_solar = max(0, P_home - P_grid + P_batt) (spec §5.3, all three battery cases). */
int32_t fw_solar_w(int32_t home_w, int32_t grid_w, int32_t batt_w);

/** E += P x dt; negative powers add nothing (a CT reads import only). Saturates. */
uint64_t fw_energy_add_wms(uint64_t energy_wms, int32_t power_w, uint64_t dt_ms);

/** Energy in units of 0.01 kWh, saturated to 65535 (TEL page 3). */
uint16_t fw_energy_centi_kwh(uint64_t energy_wms);

/** Clamps to the int16 range (telemetry saturates instead of wrapping, spec §9.5). */
int16_t fw_sat_s16(int32_t v);

#endif
