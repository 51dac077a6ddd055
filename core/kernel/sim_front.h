/*
 * sim_front.h: the kernel's sorted front, the events due soonest, in (t, prio, seq) order.
 * Private to core/kernel.
 *
 *     e: [ consumed | head ... tail | free ]
 *                     ^ runs next
 *
 * Popping is head++. An event scheduled at or before the kernel's base time is inserted in
 * order; everything later waits in the far store (sim_radix.h) until a take refills an empty
 * front in one go (sim_front_fill). Room is made at the tail by sliding the live part down over
 * the consumed head, or by growing; both are amortised O(1) per entry. The order needs the
 * slots (for seq on ties), which the caller passes in. Single-threaded.
 */
#ifndef SIM_FRONT_H
#define SIM_FRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim_kernel_int.h"

/** Fronts up to this long are scanned from the tail on insert; longer ones are searched. */
#define SIM_FRONT_LINEAR_MAX 128U

typedef struct {
    sim_entry_t *e;
    uint32_t head; /* next to run */
    uint32_t tail; /* one past the last stored */
    uint32_t cap;
} sim_front_t;

/** Entries stored. */
static inline uint32_t sim_front_len(const sim_front_t *f) {
    return f->tail - f->head;
}

/** Makes room for `extra` entries at the tail the slow way; false when out of memory. */
bool sim_front_grow(sim_front_t *f, uint32_t extra);

/** Makes room for `extra` more entries at the tail; false when out of memory. */
static inline bool sim_front_reserve(sim_front_t *f, uint32_t extra) {
    return extra <= f->cap - f->tail || sim_front_grow(f, extra);
}

/** Index of the first entry of e[lo..hi] that sorts after *x; e[hi] must. */
uint32_t sim_front_search(const sim_front_t *f, const sim_slot_t *slots, const sim_entry_t *x,
                          uint32_t lo, uint32_t hi);

/**
 * Inserts in order, with room reserved. A new event usually sorts after what is already due:
 * one comparison and an append. Otherwise a short front is scanned from the tail, and a long one
 * (a large bucket taken whole) is searched and the shorter side moved in one memmove: the rest
 * up, or, when there is a consumed slot below the head, the entries before the new one down. The
 * key comes in as scalars and is written field by field: copying a just-built struct whole makes
 * the compiler reload it with wider loads than the stores that wrote it, which stalls store-to-load
 * forwarding on the hottest path of the kernel.
 */
static inline void sim_front_insert(sim_front_t *f, const sim_slot_t *slots, sim_time_ns_t t_ns,
                                    int32_t prio, uint32_t slot) {
    sim_entry_t *e = f->e;
    sim_entry_t x = {.t_ns = t_ns, .prio = prio, .slot = slot};
    uint32_t pos = f->tail++;
    if (pos - f->head > SIM_FRONT_LINEAR_MAX && sim_entry_less(slots, &x, &e[pos - 1U])) {
        uint32_t at = sim_front_search(f, slots, &x, f->head, pos - 1U);
        if (f->head > 0 && at - f->head < pos - at) {
            /* Nearer the head (an event for now while a large bucket is being run, e.g. a frame
             * delivered to every node): the entries before it slide down into the consumed
             * slot instead of the longer rest moving up. */
            f->tail--;
            f->head--;
            memmove(&e[f->head], &e[f->head + 1U], (size_t)(at - 1U - f->head) * sizeof *e);
            pos = at - 1U;
        } else {
            memmove(&e[at + 1U], &e[at], (size_t)(pos - at) * sizeof *e);
            pos = at;
        }
    } else {
        while (pos > f->head && sim_entry_less(slots, &x, &e[pos - 1U])) {
            e[pos] = e[pos - 1U];
            pos--;
        }
    }
    e[pos].t_ns = t_ns;
    e[pos].prio = prio;
    e[pos].slot = slot;
}

/**
 * Fills an empty front with src[0..n) (what a take returned: groups in time order, unsorted
 * within a group) and sorts it. False when out of memory (the front is then empty).
 */
bool sim_front_fill(sim_front_t *f, const sim_slot_t *slots, const sim_entry_t *src, uint32_t n);

#endif
