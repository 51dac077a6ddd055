/*
 * measure.c: CT RMS, powers, SOC, solar and energy (spec §5). See measure.h.
 */
#include "measure.h"

#include <math.h>

#include "fw_config.h"

static const double ct_full_scale_a[4] = {FW_CT_FULL_SCALE_A_CH1, FW_CT_FULL_SCALE_A_CH2,
                                          FW_CT_FULL_SCALE_A_CH3, FW_CT_FULL_SCALE_A_CH4};

double fw_ct_gain_a_per_count(unsigned ch) {
    return ch < 4u ? FW_CT_GAIN_A_PER_COUNT(ct_full_scale_a[ch]) : 0.0;
}

/*
 * Whole cycles matter: the bias is the window mean, and a mean over a fraction of a cycle is
 * pulled towards the half-wave that is over-represented, which would leak into the RMS.
 */
static uint16_t whole_cycle_samples(uint16_t n, uint32_t rate_hz) {
    if (rate_hz == 0u) {
        return n;
    }
    uint32_t cycles = ((uint32_t)n * FW_MAINS_HZ) / rate_hz;
    if (cycles == 0u) {
        return n;
    }
    uint32_t used = (cycles * rate_hz + FW_MAINS_HZ / 2u) / FW_MAINS_HZ;
    return used > n ? n : (uint16_t)used;
}

int32_t fw_ct_rms_ma(const uint16_t *samples, uint16_t n, uint32_t rate_hz,
                     double gain_a_per_count) {
    uint16_t used = whole_cycle_samples(n, rate_hz);
    if (used == 0u) {
        return 0;
    }
    double sum = 0.0;
    for (uint16_t i = 0; i < used; i++) {
        sum += (double)samples[i];
    }
    double bias = sum / (double)used;
    double sq = 0.0;
    for (uint16_t i = 0; i < used; i++) {
        double d = (double)samples[i] - bias;
        sq += d * d;
    }
    double amps = gain_a_per_count * sqrt(sq / (double)used);
    int32_t ma = (int32_t)lround(amps * 1000.0);
    return ma < FW_CT_DEADBAND_MA ? 0 : ma;
}

int32_t fw_power_w_from_ma(int32_t current_ma) {
    int64_t mw = (int64_t)current_ma * FW_MAINS_V;
    int64_t w = mw >= 0 ? (mw + 500) / 1000 : (mw - 500) / 1000;
    return (int32_t)w;
}

uint8_t fw_soc_pct_from_mv(uint32_t pack_mv) {
    if (pack_mv <= FW_SOC_EMPTY_MV) {
        return 0;
    }
    if (pack_mv >= FW_SOC_FULL_MV) {
        return 100;
    }
    return (uint8_t)(((pack_mv - FW_SOC_EMPTY_MV) * 100u) / (FW_SOC_FULL_MV - FW_SOC_EMPTY_MV));
}

int32_t fw_batt_power_w(uint16_t pack_dv, int16_t batt_ca) {
    /* 0.1 V x 0.01 A = 1 mW; round to the nearest watt. */
    int64_t mw = (int64_t)pack_dv * (int64_t)batt_ca;
    int64_t w = mw >= 0 ? (mw + 500) / 1000 : (mw - 500) / 1000;
    return (int32_t)w;
}

int32_t fw_solar_w(int32_t home_w, int32_t grid_w, int32_t batt_w) {
    int64_t s = (int64_t)home_w - (int64_t)grid_w + (int64_t)batt_w;
    if (s < 0) {
        return 0;
    }
    return s > INT32_MAX ? INT32_MAX : (int32_t)s;
}

uint64_t fw_energy_add_wms(uint64_t energy_wms, int32_t power_w, uint64_t dt_ms) {
    if (power_w <= 0) {
        return energy_wms;
    }
    uint64_t add = (uint64_t)power_w * dt_ms;
    return energy_wms > UINT64_MAX - add ? UINT64_MAX : energy_wms + add;
}

uint16_t fw_energy_centi_kwh(uint64_t energy_wms) {
    uint64_t c = energy_wms / FW_WMS_PER_CENTI_KWH;
    return c > 65535u ? 65535u : (uint16_t)c;
}

int16_t fw_sat_s16(int32_t v) {
    if (v > INT16_MAX) {
        return INT16_MAX;
    }
    if (v < INT16_MIN) {
        return INT16_MIN;
    }
    return (int16_t)v;
}
