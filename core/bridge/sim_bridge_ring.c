/*
 * sim_bridge_ring.c: the bridge's two bounded FIFO queues of frames.
 *
 * Both directions use the same ring: a fixed array allocated once at creation (no allocation
 * while frames flow), a head index and a length. Overflow is the caller's to count: push says
 * false and leaves the ring unchanged.
 */
#include <stdlib.h>

#include "sim_bridge_int.h"

int sim_bridge_ring_init(sim_bridge_ring_t *r, uint32_t cap) {
    SIM_ASSERT(cap > 0);
    r->items = calloc(cap, sizeof *r->items);
    if (r->items == NULL) {
        return -SIM_ENOMEM;
    }
    r->cap = cap;
    r->head = 0;
    r->len = 0;
    r->high = 0;
    return 0;
}

void sim_bridge_ring_free(sim_bridge_ring_t *r) {
    free(r->items);
    r->items = NULL;
    r->cap = r->len = r->head = 0;
}

bool sim_bridge_ring_push(sim_bridge_ring_t *r, const sim_can_frame_t *f, sim_time_ns_t t_ns) {
    if (r->len == r->cap) {
        return false;
    }
    uint32_t tail = (uint32_t)(((uint64_t)r->head + r->len) % r->cap);
    r->items[tail].f = *f;
    r->items[tail].t_ns = t_ns;
    r->len++;
    if (r->len > r->high) {
        r->high = r->len;
    }
    return true;
}

const sim_bridge_item_t *sim_bridge_ring_peek(const sim_bridge_ring_t *r) {
    return r->len == 0 ? NULL : &r->items[r->head];
}

void sim_bridge_ring_pop(sim_bridge_ring_t *r) {
    SIM_ASSERT(r->len > 0);
    r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
    r->len--;
}
