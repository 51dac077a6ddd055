/*
 * status_leds.c: LED levels and blink detection from edge times (contract in status_leds.h).
 */
#include "status_leds.h"

#include <stdlib.h>

typedef struct {
    bool level;
    uint64_t rises;
    sim_time_ns_t last_edge_ns;
    sim_time_ns_t rise_ns[3]; /* last three rising edges, newest first */
    sim_time_ns_t on_ns;      /* length of the last complete high pulse */
} led_track_t;

struct status_leds {
    status_leds_cfg_t cfg;
    led_track_t led[STATUS_LEDS_MAX];
};

void status_leds_cfg_default(status_leds_cfg_t *cfg) {
    *cfg = (status_leds_cfg_t){
        .count = 3, .blink_tolerance_ns = 20 * SIM_NS_PER_MS, .stale_periods = 2};
}

int status_leds_create(const status_leds_cfg_t *cfg, status_leds_t **out) {
    *out = NULL;
    if (cfg->count == 0 || cfg->count > STATUS_LEDS_MAX || cfg->stale_periods == 0 ||
        cfg->blink_tolerance_ns < 0) {
        return -SIM_EINVAL;
    }
    status_leds_t *l = calloc(1, sizeof *l);
    if (!l) {
        return -SIM_ENOMEM;
    }
    l->cfg = *cfg;
    *out = l;
    return 0;
}

void status_leds_destroy(status_leds_t *l) {
    free(l);
}

void status_leds_set(status_leds_t *l, unsigned led, bool lit, sim_time_ns_t t_ns) {
    SIM_ASSERT(led < l->cfg.count);
    led_track_t *d = &l->led[led];
    if (lit == d->level) {
        return;
    }
    SIM_ASSERT(t_ns >= d->last_edge_ns);
    if (lit) {
        d->rise_ns[2] = d->rise_ns[1];
        d->rise_ns[1] = d->rise_ns[0];
        d->rise_ns[0] = t_ns;
        d->rises++;
    } else if (d->rises > 0) {
        d->on_ns = t_ns - d->rise_ns[0];
    }
    d->level = lit;
    d->last_edge_ns = t_ns;
}

bool status_leds_level(const status_leds_t *l, unsigned led) {
    SIM_ASSERT(led < l->cfg.count);
    return l->led[led].level;
}

static sim_time_ns_t abs_ns(sim_time_ns_t x) {
    return x < 0 ? -x : x;
}

void status_leds_state(const status_leds_t *l, unsigned led, sim_time_ns_t now_ns,
                       led_state_t *out) {
    SIM_ASSERT(led < l->cfg.count);
    const led_track_t *d = &l->led[led];
    *out = (led_state_t){.mode = d->level ? LED_ON : LED_OFF};
    if (d->rises < 3) {
        return; /* two whole periods are needed to call it a blink */
    }
    sim_time_ns_t p1 = d->rise_ns[0] - d->rise_ns[1];
    sim_time_ns_t p2 = d->rise_ns[1] - d->rise_ns[2];
    bool regular = abs_ns(p1 - p2) <= l->cfg.blink_tolerance_ns;
    bool fresh = now_ns - d->last_edge_ns < (sim_time_ns_t)l->cfg.stale_periods * p1;
    if (regular && fresh && p1 > 0) {
        out->mode = LED_BLINK;
        out->period_ns = p1;
        out->duty_permille = (uint32_t)((d->on_ns * 1000 + p1 / 2) / p1);
    }
}

uint64_t status_leds_blinks(const status_leds_t *l, unsigned led) {
    SIM_ASSERT(led < l->cfg.count);
    return l->led[led].rises;
}
