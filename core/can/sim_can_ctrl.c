/*
 * sim_can_ctrl.c: a controller's life cycle, its bounded FIFO TX queue and its acceptance
 * filters (the TWAI/Zephyr driver face of the bus).
 *
 * The queue is a ring of cfg.tx_queue_len entries allocated at attach; nothing is allocated per
 * frame. A frame stays at the head while it is on the wire and is removed only when it was sent
 * (or flushed), so a lost arbitration or an error simply leaves it there for the next attempt.
 */
#include <stdlib.h>

#include "sim_lines.h"
#include "sim_can_int.h"

static char *copy_name(const char *name) {
    const char *src = name != NULL ? name : "";
    size_t n = strlen(src) + 1;
    char *dst = malloc(n);
    if (dst != NULL) {
        memcpy(dst, src, n);
    }
    return dst;
}

int sim_can_ctrl_attach(sim_can_bus_t *bus, const sim_can_ctrl_cfg_t *cfg,
                        const sim_can_ctrl_cb_t *cb, void *cb_ctx, sim_can_ctrl_t **out) {
    SIM_ASSERT(bus != NULL && cfg != NULL && out != NULL);
    *out = NULL;
    sim_can_ctrl_t *c = sim_calloc_lines(sizeof(sim_can_ctrl_t));
    if (c == NULL) {
        return -SIM_ENOMEM;
    }
    c->q_cap = cfg->tx_queue_len ? cfg->tx_queue_len : SIM_CAN__DEFAULT_QUEUE;
    c->q = calloc(c->q_cap, sizeof *c->q);
    c->name = copy_name(cfg->name);
    c->bus = bus;
    if (c->q == NULL || c->name == NULL || sim_can__slot_add(bus, c) != 0) {
        free(c->q);
        free(c->name);
        free(c);
        return -SIM_ENOMEM;
    }
    if (cb != NULL) {
        c->cb = *cb;
    }
    c->cb_ctx = cb_ctx;
    c->auto_recover = cfg->auto_recover;
    c->listen_only = cfg->listen_only;
    c->state = c->notified = SIM_CAN_STOPPED;
    sim_can__wire_init(&c->own, bus, c);
    *out = c;
    return 0;
}

void sim_can_ctrl_detach(sim_can_ctrl_t *c) {
    if (c == NULL) {
        return;
    }
    SIM_ASSERT(!c->detached);
    sim_can_bus_t *bus = c->bus;
    sim_can__enter(bus);
    sim_can__recovery_cancel(c);
    sim_can__wire_cancel(&c->own);
    /* A frame of it on the shared wire finishes there, credited to nobody. */
    c->tx_wire = NULL;
    if (bus->wire.sender == c) {
        bus->wire.sender = NULL;
    }
    sim_can__slot_clear(c);
    bus->n_live--;
    c->detached = true;
    c->next_dead = bus->dead;
    bus->dead = c;
    sim_can__leave(bus);
}

int sim_can_ctrl_start(sim_can_ctrl_t *c) {
    if (c->started) {
        return -SIM_EBUSY;
    }
    sim_can_bus_t *bus = c->bus;
    sim_can__enter(bus);
    c->started = true;
    c->bus_off = false;
    c->tec = c->rec = 0;
    c->joined_ns = sim_kernel_now(bus->k);
    c->suspend_until_ns = 0;
    sim_can__state_update(c);
    sim_can__state_notify(c);
    if (!c->detached) {
        sim_can__wire_kick(sim_can__ctrl_wire(c));
    }
    sim_can__leave(bus);
    return 0;
}

int sim_can_ctrl_stop(sim_can_ctrl_t *c) {
    if (!c->started) {
        return 0;
    }
    sim_can_bus_t *bus = c->bus;
    sim_can__enter(bus);
    sim_can__recovery_cancel(c);
    c->started = false;
    c->bus_off = false;
    c->flush_pending = false;
    c->rx_pending = false;
    c->tx_wire = NULL; /* a frame on the wire finishes without this controller */
    sim_can__state_update(c);
    sim_can__flush(c);
    if (!c->detached) {
        sim_can__state_notify(c);
    }
    sim_can__leave(bus);
    return 0;
}

/* A well-formed frame with the bytes that are not sent cleared, so equal frames compare equal. */
static int normalise(const sim_can_frame_t *f, sim_can_frame_t *out) {
    uint32_t id_mask = (f->flags & SIM_CAN_FLAG_IDE) ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK;
    if (f->dlc > 8 || (f->id & ~id_mask) != 0 ||
        (f->flags & ~(SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR)) != 0) {
        return -SIM_EINVAL;
    }
    memset(out, 0, sizeof *out);
    out->id = f->id;
    out->dlc = f->dlc;
    out->flags = f->flags;
    if (!(f->flags & SIM_CAN_FLAG_RTR)) {
        memcpy(out->data, f->data, f->dlc);
    }
    return 0;
}

int sim_can__txe_make(sim_can__txe_t *e, const sim_can_frame_t *f) {
    sim_can_frame_t norm;
    if (normalise(f, &norm) != 0) {
        return -SIM_EINVAL;
    }
    e->f = norm;
    e->bits = sim_can_frame_bits(&norm);
    e->key = sim_can__frame_key(&norm);
    return 0;
}

int sim_can_ctrl_send(sim_can_ctrl_t *c, const sim_can_frame_t *f) {
    SIM_ASSERT(f != NULL);
    sim_can__txe_t e;
    if (sim_can__txe_make(&e, f) != 0) {
        return -SIM_EINVAL;
    }
    if (!c->started) {
        return -SIM_ENETDOWN;
    }
    if (c->bus_off) {
        return -SIM_ENETUNREACH;
    }
    if (c->listen_only) {
        return -SIM_ENOTSUP;
    }
    if (c->q_len == c->q_cap) {
        c->st.tx_queue_full++;
        return -SIM_EAGAIN;
    }
    c->q[(c->q_head + c->q_len) % c->q_cap] = e;
    c->q_len++;
    sim_can__txmap_sync(c);
    sim_can__wire_kick(sim_can__ctrl_wire(c));
    return 0;
}

int sim_can_ctrl_recover(sim_can_ctrl_t *c) {
    if (!c->bus_off) {
        return -SIM_EINVAL;
    }
    if (!c->recovering) {
        sim_can__recovery_begin(c);
    }
    return 0;
}

int sim_can_ctrl_add_filter(sim_can_ctrl_t *c, uint32_t id, uint32_t mask, uint8_t flags) {
    if (c->n_filt == SIM_CAN__MAX_FILTERS) {
        return -SIM_EAGAIN;
    }
    sim_can__filter_t *ft = &c->filt[c->n_filt++];
    ft->id = id;
    ft->mask = mask;
    ft->ide = flags & SIM_CAN_FLAG_IDE;
    return 0;
}

void sim_can_ctrl_clear_filters(sim_can_ctrl_t *c) {
    c->n_filt = 0;
}

bool sim_can__accepts(const sim_can_ctrl_t *c, const sim_can_frame_t *f) {
    if (c->n_filt == 0) {
        return true;
    }
    uint8_t ide = f->flags & SIM_CAN_FLAG_IDE;
    for (uint32_t i = 0; i < c->n_filt; i++) {
        const sim_can__filter_t *ft = &c->filt[i];
        if (ft->ide == ide && (f->id & ft->mask) == (ft->id & ft->mask)) {
            return true;
        }
    }
    return false;
}

const sim_can__txe_t *sim_can__offer(const sim_can_ctrl_t *c) {
    if (c->babbling) {
        return &c->babble;
    }
    return c->q_len > 0 ? &c->q[c->q_head] : NULL;
}

void sim_can__queue_pop(sim_can_ctrl_t *c, sim_can_frame_t *out) {
    SIM_ASSERT(c->q_len > 0);
    *out = c->q[c->q_head].f;
    c->q_head = (uint16_t)((c->q_head + 1u) % c->q_cap);
    c->q_len--;
    sim_can__txmap_sync(c);
}

sim_can_state_t sim_can_ctrl_state(const sim_can_ctrl_t *c) {
    return c->state;
}

uint16_t sim_can_ctrl_tec(const sim_can_ctrl_t *c) {
    return c->tec;
}

uint16_t sim_can_ctrl_rec(const sim_can_ctrl_t *c) {
    return c->rec;
}

const char *sim_can_ctrl_name(const sim_can_ctrl_t *c) {
    return c->name;
}

uint16_t sim_can_ctrl_tx_pending(const sim_can_ctrl_t *c) {
    return c->q_len;
}

void sim_can_ctrl_stats(const sim_can_ctrl_t *c, sim_can_ctrl_stats_t *out) {
    *out = c->st;
}
