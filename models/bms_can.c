/*
 * bms_can.c: SMA/Victron CAN-bus BMS frames from the battery model (contract in bms_can.h).
 */
#include "bms_can.h"

#include <math.h>
#include <stdlib.h>

struct bms_can {
    sim_kernel_t *k;
    bms_can_cfg_t cfg;
    const battery_t *batt;
    sim_can_ctrl_t *ctrl;
    sim_event_id_t ev;
    uint64_t sent, refused;
};

static const uint32_t frame_ids[] = {0x351, 0x355, 0x356, 0x35A};

void bms_can_cfg_default(bms_can_cfg_t *cfg) {
    *cfg = (bms_can_cfg_t){
        .name = "bms-can",
        .period_ns = SIM_NS_PER_S,
        .alarm_encoding = BMS_CAN_ALARMS_SMA,
        .temp_c = 25.0,
        .soh_pct = 100.0,
        .cell_cv_mv = 3550,
        .cell_dvl_mv = 2800,
        .cells_series = 16,
    };
}

void bms_can_values(const bms_can_cfg_t *cfg, const battery_t *b, bms_can_values_t *out) {
    *out = (bms_can_values_t){
        .cvl_v = cfg->cells_series * cfg->cell_cv_mv / 1000.0,
        .ccl_a = battery_max_charge_a(b),
        .dcl_a = battery_max_discharge_a(b),
        .dvl_v = cfg->cells_series * cfg->cell_dvl_mv / 1000.0,
        .soc_pct = battery_soc(b) * 100.0,
        .soh_pct = cfg->soh_pct,
        .voltage_v = battery_voltage_v(b),
        .current_a = battery_current_a(b),
        .temp_c = cfg->temp_c,
        .alarms = battery_alarms(b),
    };
}

/* Little-endian 16-bit fields, rounded and saturated to their type. */
static void put_u16(uint8_t *p, double v) {
    double r = floor(v + 0.5);
    uint16_t u = r <= 0.0 ? 0u : (r >= 65535.0 ? 65535u : (uint16_t)r);
    p[0] = (uint8_t)(u & 0xFFu);
    p[1] = (uint8_t)(u >> 8);
}

static void put_s16(uint8_t *p, double v) {
    double r = floor(v + 0.5);
    int32_t s = r <= -32768.0 ? -32768 : (r >= 32767.0 ? 32767 : (int32_t)r);
    uint16_t u = (uint16_t)(s & 0xFFFF);
    p[0] = (uint8_t)(u & 0xFFu);
    p[1] = (uint8_t)(u >> 8);
}

/* One 2-bit field at (byte, pair) in the chosen encoding. */
static void put_flag(uint8_t *out, unsigned byte, unsigned pair, int active,
                     bms_can_alarm_enc_t enc) {
    unsigned shift = 2 * pair;
    unsigned code = enc == BMS_CAN_ALARMS_SMA ? (active ? 1u : 2u) : (active ? 2u : 0u);
    out[byte] = (uint8_t)((out[byte] & ~(3u << shift)) | (code << shift));
}

static void encode_35a(const bms_can_values_t *v, bms_can_alarm_enc_t enc, uint8_t out[8]) {
    for (unsigned byte = 0; byte < 8; byte++) {
        for (unsigned pair = 0; pair < 4; pair++) {
            put_flag(out, byte, pair, 0, enc);
        }
    }
    if (enc == BMS_CAN_ALARMS_TINYBMS) {
        out[3] |= 0xFCu; /* reserved fields: 11 */
        out[7] |= 0xFCu;
    }
    put_flag(out, 0, 1, (v->alarms & BATTERY_ALARM_CELL_OV) != 0, enc);
    put_flag(out, 0, 2, (v->alarms & BATTERY_ALARM_CELL_UV) != 0, enc);
    put_flag(out, 1, 3, (v->alarms & BATTERY_ALARM_OC_DSG) != 0, enc);
    put_flag(out, 2, 0, (v->alarms & BATTERY_ALARM_OC_CHG) != 0, enc);
}

uint8_t bms_can_encode(uint32_t id, const bms_can_values_t *v, bms_can_alarm_enc_t enc,
                       uint8_t out[8]) {
    switch (id) {
        case 0x351:
            put_u16(&out[0], v->cvl_v * 10.0);
            put_s16(&out[2], v->ccl_a * 10.0);
            put_s16(&out[4], v->dcl_a * 10.0);
            put_u16(&out[6], v->dvl_v * 10.0);
            return 8;
        case 0x355:
            put_u16(&out[0], floor(v->soc_pct)); /* whole percent, truncated like a gauge */
            put_u16(&out[2], v->soh_pct);
            put_u16(&out[4], v->soc_pct * 100.0);
            return 6;
        case 0x356:
            put_s16(&out[0], v->voltage_v * 100.0);
            put_s16(&out[2], v->current_a * 10.0);
            put_s16(&out[4], v->temp_c * 10.0);
            return 6;
        case 0x35A:
            encode_35a(v, enc, out);
            return 8;
        default:
            return 0;
    }
}

static void broadcast(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)arg;
    bms_can_t *m = ctx;
    bms_can_values_t v;
    bms_can_values(&m->cfg, m->batt, &v);
    for (size_t i = 0; i < sizeof frame_ids / sizeof frame_ids[0]; i++) {
        sim_can_frame_t f = {.id = frame_ids[i]};
        f.dlc = bms_can_encode(f.id, &v, m->cfg.alarm_encoding, f.data);
        if (sim_can_ctrl_send(m->ctrl, &f) == 0) {
            m->sent++;
        } else {
            m->refused++;
        }
    }
    m->ev = sim_kernel_schedule_in(k, m->cfg.period_ns, SIM_PRIO_DEFAULT, broadcast, m, 0);
}

int bms_can_create(sim_kernel_t *k, sim_can_bus_t *bus, const bms_can_cfg_t *cfg,
                   const battery_t *b, bms_can_t **out) {
    *out = NULL;
    if (cfg->period_ns <= 0 || !b) {
        return -SIM_EINVAL;
    }
    bms_can_t *m = calloc(1, sizeof *m);
    if (!m) {
        return -SIM_ENOMEM;
    }
    m->k = k;
    m->cfg = *cfg;
    m->cfg.name = NULL; /* copied by the bus */
    m->batt = b;
    /* A 1 s broadcast of 4 frames needs a queue of at least 4 (the default TWAI depth is 5). */
    sim_can_ctrl_cfg_t cc = {
        .name = cfg->name ? cfg->name : "bms-can", .tx_queue_len = 8, .auto_recover = true};
    int rc = sim_can_ctrl_attach(bus, &cc, NULL, m, &m->ctrl);
    if (rc == 0 && (rc = sim_can_ctrl_start(m->ctrl)) != 0) {
        sim_can_ctrl_detach(m->ctrl);
    }
    if (rc != 0) {
        free(m);
        return rc;
    }
    m->ev = sim_kernel_schedule_in(k, 0, SIM_PRIO_DEFAULT, broadcast, m, 0);
    *out = m;
    return 0;
}

void bms_can_destroy(bms_can_t *m) {
    if (!m) {
        return;
    }
    if (m->ev != 0) {
        (void)sim_kernel_cancel(m->k, m->ev);
    }
    sim_can_ctrl_detach(m->ctrl);
    free(m);
}

uint64_t bms_can_sent(const bms_can_t *m) {
    return m->sent;
}

uint64_t bms_can_refused(const bms_can_t *m) {
    return m->refused;
}
