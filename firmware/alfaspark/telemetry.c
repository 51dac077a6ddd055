/*
 * telemetry.c: TEL, ANN and aggregate frame layouts (spec §9.5). See telemetry.h.
 */
#include "telemetry.h"

#include <string.h>

#include "fw_config.h"
#include "measure.h"

static void put_s16(uint8_t *p, int32_t v) {
    uint16_t u = (uint16_t)fw_sat_s16(v);
    p[0] = (uint8_t)(u >> 8);
    p[1] = (uint8_t)(u & 0xFFu);
}

static void put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)(v & 0xFFu);
}

static int16_t get_s16(const uint8_t *p) {
    return (int16_t)(uint16_t)((p[0] << 8) | p[1]);
}

static void frame_init(hal_can_frame_t *f, uint32_t id, uint8_t dlc) {
    memset(f, 0, sizeof *f);
    f->id = id;
    f->dlc = dlc;
}

void fw_tel_build(const fw_tel_snapshot_t *s, unsigned page, hal_can_frame_t *f) {
    frame_init(f, FW_CAN_TEL_BASE + s->node_id, 8);
    uint8_t *d = f->data;
    d[0] = (uint8_t)page;
    switch (page) {
        case 0:
            d[1] = s->soc;
            put_u16(&d[2], s->pack_dv);
            put_s16(&d[4], s->batt_ca);
            d[6] = s->status;
            d[7] = s->alarm_bits;
            break;
        case 1:
            put_s16(&d[1], s->grid_w);
            put_s16(&d[3], s->home_w);
            put_s16(&d[5], s->batt_w);
            break;
        case 2:
            put_s16(&d[1], s->solar_w);
            put_s16(&d[3], s->pool_w);
            put_s16(&d[5], s->heater_w);
            break;
        default:
            d[1] = s->relay_mask;
            d[2] = s->mode_mask;
            d[3] = s->warn_mask;
            put_u16(&d[4], s->energy_centi_kwh);
            d[6] = s->grid_limit_kwh;
            d[7] = s->ota_state;
            break;
    }
}

void fw_ann_build(uint8_t node_id, uint8_t device_type, bool is_master, const uint8_t mac[6],
                  hal_can_frame_t *f) {
    frame_init(f, FW_CAN_ANN_BASE + node_id, 8);
    f->data[0] = device_type;
    f->data[1] = FW_VERSION_MAJOR;
    f->data[2] = FW_VERSION_MINOR;
    f->data[3] = is_master ? 1u : 0u;
    memcpy(&f->data[4], &mac[2], 4);
}

void fw_tel_store_peer(fw_peer_tel_t *t, const uint8_t *data, uint8_t dlc, uint64_t now_ms) {
    if (dlc != 8u || data[0] > 2u) {
        return;
    }
    unsigned page = data[0];
    if (page == 0u) {
        t->soc = data[1];
    } else if (page == 1u) {
        t->grid_w = get_s16(&data[1]);
        t->home_w = get_s16(&data[3]);
        t->batt_w = get_s16(&data[5]);
    } else {
        t->solar_w = get_s16(&data[1]);
        t->pool_w = get_s16(&data[3]);
        t->heater_w = get_s16(&data[5]);
    }
    t->page_seen[page] = true;
    t->page_ms[page] = now_ms;
}

typedef struct {
    unsigned packs, soc_n;
    uint32_t soc_sum;
    int64_t sum_w[6]; /* grid, home, batt, solar, pool, heater */
} agg_acc_t;

static bool fresh(const fw_peer_tel_t *t, unsigned page, uint64_t now_ms) {
    return t->page_seen[page] && now_ms - t->page_ms[page] <= FW_PEER_TEL_MAX_AGE_MS;
}

static void add_peer(agg_acc_t *a, const fw_peer_tel_t *t, uint64_t now_ms) {
    a->packs++;
    if (t->soc != FW_SOC_INVALID) {
        a->soc_sum += t->soc;
        a->soc_n++;
    }
    if (fresh(t, 1, now_ms)) {
        a->sum_w[0] += t->grid_w;
        a->sum_w[1] += t->home_w;
        a->sum_w[2] += t->batt_w;
    }
    if (fresh(t, 2, now_ms)) {
        a->sum_w[3] += t->solar_w;
        a->sum_w[4] += t->pool_w;
        a->sum_w[5] += t->heater_w;
    }
}

/* Sum in units of 10 W, rounded half away from zero, saturated to s16. */
static void put_sum_10w(uint8_t *p, int64_t w) {
    int64_t u = w >= 0 ? (w + 5) / 10 : (w - 5) / 10;
    if (u > INT16_MAX) {
        u = INT16_MAX;
    } else if (u < INT16_MIN) {
        u = INT16_MIN;
    }
    put_s16(p, (int32_t)u);
}

static void add_self(agg_acc_t *a, const fw_tel_snapshot_t *s) {
    fw_peer_tel_t t;
    memset(&t, 0, sizeof t);
    t.soc = s->soc;
    t.page_seen[1] = t.page_seen[2] = true;
    t.grid_w = fw_sat_s16(s->grid_w);
    t.home_w = fw_sat_s16(s->home_w);
    t.batt_w = fw_sat_s16(s->batt_w);
    t.solar_w = fw_sat_s16(s->solar_w);
    t.pool_w = fw_sat_s16(s->pool_w);
    t.heater_w = fw_sat_s16(s->heater_w);
    add_peer(a, &t, 0);
}

void fw_agg_build(const fw_election_t *e, const fw_tel_snapshot_t *self, bool self_is_pack,
                  uint64_t now_ms, hal_can_frame_t out[FW_AGG_PAGES]) {
    agg_acc_t a;
    memset(&a, 0, sizeof a);
    if (self_is_pack) {
        add_self(&a, self);
    }
    for (unsigned i = 0; i < FW_ELECTION_TABLE; i++) {
        const fw_peer_t *p = &e->peers[i];
        if (p->used && p->device_type == FW_DEVICE_PACK && fresh(&p->tel, 0, now_ms) &&
            now_ms - p->last_seen_ms <= FW_NODE_TTL_MS) {
            add_peer(&a, &p->tel, now_ms);
        }
    }
    frame_init(&out[0], FW_CAN_AGG_BASE + 0u, 3);
    out[0].data[0] = (uint8_t)(a.packs > 255u ? 255u : a.packs);
    out[0].data[1] = a.soc_n ? (uint8_t)(a.soc_sum / a.soc_n) : FW_SOC_INVALID;
    out[0].data[2] = e->master_id;
    frame_init(&out[1], FW_CAN_AGG_BASE + 1u, 6);
    frame_init(&out[2], FW_CAN_AGG_BASE + 2u, 6);
    for (unsigned k = 0; k < 3u; k++) {
        put_sum_10w(&out[1].data[2u * k], a.sum_w[k]);
        put_sum_10w(&out[2].data[2u * k], a.sum_w[3u + k]);
    }
}
