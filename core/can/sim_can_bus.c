/*
 * sim_can_bus.c: the bus object, its observers and statistics, and the nesting guard that makes
 * detaching a controller from inside a callback safe.
 */
#include <stdlib.h>

#include "sim_can_int.h"

#define MAX_BITRATE_BPS 1000000u

const char *sim_can_state_name(sim_can_state_t st) {
    switch (st) {
        case SIM_CAN_STOPPED:
            return "stopped";
        case SIM_CAN_ERROR_ACTIVE:
            return "error-active";
        case SIM_CAN_ERROR_WARNING:
            return "error-warning";
        case SIM_CAN_ERROR_PASSIVE:
            return "error-passive";
        case SIM_CAN_BUS_OFF:
            return "bus-off";
    }
    return "unknown";
}

const char *sim_can_err_kind_name(sim_can_err_kind_t kind) {
    switch (kind) {
        case SIM_CAN_ERR_ACK:
            return "ack";
        case SIM_CAN_ERR_BIT:
            return "bit";
        case SIM_CAN_ERR_STUFF:
            return "stuff";
        case SIM_CAN_ERR_CRC:
            return "crc";
        case SIM_CAN_ERR_FORM:
            return "form";
    }
    return "unknown";
}

int sim_can_bus_create(sim_kernel_t *k, const sim_can_bus_cfg_t *cfg, sim_can_bus_t **out) {
    SIM_ASSERT(k != NULL && cfg != NULL && out != NULL);
    *out = NULL;
    const char *name = (cfg->name != NULL && cfg->name[0] != '\0') ? cfg->name : "can0";
    uint32_t bitrate = cfg->bitrate_bps ? cfg->bitrate_bps : SIM_CAN__DEFAULT_BITRATE;
    if (bitrate > MAX_BITRATE_BPS || strlen(name) > SIM_CAN__NAME_MAX) {
        return -SIM_EINVAL;
    }
    sim_can_bus_t *bus = calloc(1, sizeof *bus);
    if (bus == NULL) {
        return -SIM_ENOMEM;
    }
    bus->k = k;
    memcpy(bus->name, name, strlen(name) + 1);
    bus->bitrate_bps = bitrate;
    /* Rounded to the nearest ns: exact for every rate that divides 1 GHz (500k, 250k, 1M...). */
    bus->bit_ns = (SIM_NS_PER_S + bitrate / 2) / bitrate;
    bus->st.since_ns = sim_kernel_now(k);
    sim_can__wire_init(&bus->wire, bus, NULL);
    sim_can__faults_init(bus);
    *out = bus;
    return 0;
}

void sim_can_bus_destroy(sim_can_bus_t *bus) {
    if (bus == NULL) {
        return;
    }
    SIM_ASSERT(bus->n_live == 0 && bus->depth == 0);
    sim_can__wire_cancel(&bus->wire);
    sim_can__hold_end(bus);
    free(bus->ctrls);
    free(bus->txmap);
    free(bus->keys);
    free(bus->ready);
    free(bus);
}

const char *sim_can_bus_name(const sim_can_bus_t *bus) {
    return bus->name;
}

uint32_t sim_can_bus_bitrate(const sim_can_bus_t *bus) {
    return bus->bitrate_bps;
}

sim_time_ns_t sim_can_bus_bit_ns(const sim_can_bus_t *bus) {
    return bus->bit_ns;
}

sim_time_ns_t sim_can__bits_ns(const sim_can_bus_t *bus, uint64_t bits) {
    return (sim_time_ns_t)bits * bus->bit_ns;
}

int sim_can_bus_observe(sim_can_bus_t *bus, const sim_can_observer_t *obs, void *ctx) {
    SIM_ASSERT(obs != NULL);
    if (bus->n_obs == SIM_CAN__MAX_OBSERVERS) {
        return -SIM_EAGAIN;
    }
    bus->obs[bus->n_obs].obs = *obs;
    bus->obs[bus->n_obs].ctx = ctx;
    bus->n_obs++;
    return 0;
}

/* The held-dominant time so far, completed periods and the current one. */
static sim_time_ns_t held_total_ns(const sim_can_bus_t *bus) {
    sim_time_ns_t held = bus->held_ns;
    if (bus->held) {
        held += sim_kernel_now(bus->k) - bus->held_since_ns;
    }
    return held;
}

void sim_can_bus_stats(const sim_can_bus_t *bus, sim_can_bus_stats_t *out) {
    *out = bus->st;
    out->busy_bit_times += (uint64_t)(held_total_ns(bus) / bus->bit_ns);
}

uint32_t sim_can_bus_load_ppm(const sim_can_bus_t *bus) {
    sim_time_ns_t elapsed = sim_kernel_now(bus->k) - bus->st.since_ns;
    if (elapsed <= 0) {
        return 0;
    }
    uint64_t busy = (uint64_t)sim_can__bits_ns(bus, bus->st.busy_bit_times);
    busy += (uint64_t)held_total_ns(bus);
    uint64_t den = (uint64_t)elapsed;
    /* busy * 1e6 / elapsed without overflow: one decimal digit at a time (long division). */
    uint64_t ppm = busy / den;
    uint64_t rem = busy % den;
    for (int digit = 0; digit < 6; digit++) {
        rem *= 10;
        ppm = ppm * 10 + rem / den;
        rem %= den;
    }
    return ppm > UINT32_MAX ? UINT32_MAX : (uint32_t)ppm;
}

uint64_t sim_can_bus_dropped_frames(const sim_can_bus_t *bus) {
    return bus->n_dropped;
}

uint64_t sim_can_bus_corrupted_frames(const sim_can_bus_t *bus) {
    return bus->n_corrupted;
}

void sim_can__enter(sim_can_bus_t *bus) {
    bus->depth++;
}

static void txmap_put(sim_can_bus_t *bus, uint32_t slot, bool on) {
    uint64_t bit = (uint64_t)1 << (slot % 64u);
    if (on) {
        bus->txmap[slot / 64u] |= bit;
    } else {
        bus->txmap[slot / 64u] &= ~bit;
    }
}

static void slot_sync(sim_can_bus_t *bus, const sim_can_ctrl_t *c) {
    bool on = sim_can__has_frame(c);
    txmap_put(bus, c->slot, on);
    if (on) {
        bus->keys[c->slot] = sim_can__offer(c)->key;
    }
}

void sim_can__txmap_sync(sim_can_ctrl_t *c) {
    if (!c->detached) {
        slot_sync(c->bus, c);
    }
}

/* Each array is replaced as soon as it has grown, so a failure leaves every one usable. */
static int grow_slots(sim_can_bus_t *bus, uint32_t cap) {
    sim_can_ctrl_t **ctrls = realloc(bus->ctrls, cap * sizeof *ctrls);
    if (ctrls == NULL) {
        return -SIM_ENOMEM;
    }
    bus->ctrls = ctrls;
    uint32_t *keys = realloc(bus->keys, cap * sizeof *keys);
    if (keys == NULL) {
        return -SIM_ENOMEM;
    }
    bus->keys = keys;
    sim_can__ready_t *ready = realloc(bus->ready, cap * sizeof *ready);
    if (ready == NULL) {
        return -SIM_ENOMEM;
    }
    bus->ready = ready;
    uint32_t words = sim_can__txmap_words(bus->cap_ctrls);
    uint64_t *map = realloc(bus->txmap, sim_can__txmap_words(cap) * sizeof *map);
    if (map == NULL) {
        return -SIM_ENOMEM;
    }
    memset(map + words, 0, (sim_can__txmap_words(cap) - words) * sizeof *map);
    bus->txmap = map;
    bus->cap_ctrls = cap;
    return 0;
}

int sim_can__slot_add(sim_can_bus_t *bus, sim_can_ctrl_t *c) {
    if (bus->n_ctrls == bus->cap_ctrls) {
        int rc = grow_slots(bus, bus->cap_ctrls ? bus->cap_ctrls * 2 : 8);
        if (rc != 0) {
            return rc;
        }
    }
    c->slot = bus->n_ctrls;
    bus->ctrls[bus->n_ctrls++] = c;
    bus->n_live++;
    return 0;
}

void sim_can__slot_clear(sim_can_ctrl_t *c) {
    sim_can_bus_t *bus = c->bus;
    SIM_ASSERT(bus->ctrls[c->slot] == c);
    txmap_put(bus, c->slot, false);
    bus->ctrls[c->slot] = NULL;
    bus->compact = true;
}

/* Drops the NULL slots detach left behind, keeping attach order, and renumbers the rest. */
static void compact_ctrls(sim_can_bus_t *bus) {
    uint32_t n = 0;
    memset(bus->txmap, 0, sim_can__txmap_words(bus->cap_ctrls) * sizeof *bus->txmap);
    for (uint32_t i = 0; i < bus->n_ctrls; i++) {
        sim_can_ctrl_t *c = bus->ctrls[i];
        if (c != NULL) {
            c->slot = n;
            bus->ctrls[n++] = c;
            slot_sync(bus, c);
        }
    }
    bus->n_ctrls = n;
    bus->compact = false;
    /* A frame on the shared wire keeps its transmitters, but no longer knows their slots. */
    bus->wire.tx_first = 0;
    bus->wire.tx_last = UINT32_MAX;
}

void sim_can__leave(sim_can_bus_t *bus) {
    SIM_ASSERT(bus->depth > 0);
    if (--bus->depth > 0) {
        return;
    }
    if (bus->compact) {
        compact_ctrls(bus);
    }
    while (bus->dead != NULL) {
        sim_can_ctrl_t *c = bus->dead;
        bus->dead = c->next_dead;
        free(c->q);
        free(c->name);
        free(c);
    }
}
