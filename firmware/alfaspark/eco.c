/*
 * eco.c: Eco staged shedding and restore (spec §7.2). See eco.h.
 */
#include "eco.h"

#include <string.h>

#include "arbitrate.h"
#include "fw_config.h"

/* Shed order; restore runs it backwards. */
static const uint8_t shed_list[FW_ECO_MAX_STAGES] = {FW_MUT_ECO_FIRST_STAGES, FW_RELAY_INVERTER};

void fw_eco_reset(fw_eco_t *e) {
    memset(e, 0, sizeof *e);
}

unsigned fw_eco_stage_count(void) {
    return ECO_SHED_INVERTER_LAST ? 3u : 2u;
}

int32_t fw_eco_consumption_w(const fw_eco_input_t *in) {
#if ECO_CONSUMPTION == INVERTER_PLUS_LOADS
    return in->home_w + in->pool_w + in->heater_w;
#else
    return in->home_w;
#endif
}

static int32_t stage_power_w(unsigned relay, const fw_eco_input_t *in) {
    switch (relay) {
        case FW_RELAY_HEATER:
            return in->heater_w;
        case FW_RELAY_POOL:
            return in->pool_w;
        default:
            return in->home_w; /* the whole inverter output */
    }
}

static bool step_above(fw_eco_t *e, const fw_eco_input_t *in) {
    e->restore_ticks = 0;
    if (e->above_ticks < UINT8_MAX) {
        e->above_ticks++;
    }
    if (e->above_ticks < FW_ECO_SHED_TICKS) {
        return false;
    }
    if (e->shed_count < fw_eco_stage_count()) {
        e->shed_power_w[e->shed_count] = stage_power_w(shed_list[e->shed_count], in);
        e->shed_count++;
        e->above_ticks = 0;
        return false;
    }
    if (!e->loads_limit && FW_MUT_ECO_WARNS) {
        e->loads_limit = true;
        return true;
    }
    return false;
}

static void step_restore(fw_eco_t *e, uint16_t limit_w, int32_t consumption_w) {
    if (e->shed_count == 0u) {
        e->restore_ticks = 0;
        return;
    }
    int64_t with_load = (int64_t)consumption_w + e->shed_power_w[e->shed_count - 1u];
    if (with_load * 100 <= (int64_t)limit_w * FW_ECO_RESTORE_PCT) {
        e->restore_ticks++;
        if (e->restore_ticks >= FW_ECO_RESTORE_TICKS) {
            e->shed_count--;
            FW_MUT_ECO_RESTORE_ALL(e->shed_count);
            e->restore_ticks = 0;
        }
    } else {
        e->restore_ticks = 0;
    }
}

bool fw_eco_step(fw_eco_t *e, uint16_t limit_w, const fw_eco_input_t *in) {
    int32_t consumption_w = fw_eco_consumption_w(in);
    if (consumption_w > (int32_t)limit_w) {
        return step_above(e, in);
    }
    e->above_ticks = 0;
    if (consumption_w < (int32_t)limit_w) {
        e->loads_limit = false;
    }
    step_restore(e, limit_w, consumption_w);
    return false;
}

bool fw_eco_relay_shed(const fw_eco_t *e, unsigned relay) {
    for (unsigned i = 0; i < e->shed_count; i++) {
        if (shed_list[i] == relay) {
            return true;
        }
    }
    return false;
}
