/*
 * sim_kernel_int.h: the kernel's private vocabulary, shared by its files (sim_kernel.c and the
 * sorted front, sim_front.c). Nothing outside core/kernel includes it.
 *
 *   sim_entry_t   a queued event's key and slot (16 bytes): what the front and far store hold
 *   sim_slot_t    its callback data and scheduling sequence (32 bytes, two to a cache line)
 *
 * The kernel's order is (t, prio, seq): seq lives in the slot, so it is read only when time and
 * priority tie.
 */
#ifndef SIM_KERNEL_INT_H
#define SIM_KERNEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_kernel.h"
#include "sim_radix.h"

typedef sim_radix_entry_t sim_entry_t;

typedef struct {
    sim_event_fn fn; /* NULL: free, or cancelled and still stored as an entry */
    void *ctx;
    uint64_t arg;
    uint64_t seq; /* scheduling order: the last part of the key, read only on ties */
} sim_slot_t;

/** a before b in the kernel's (t, prio, seq) order. */
static inline bool sim_entry_less(const sim_slot_t *slots, const sim_entry_t *a,
                                  const sim_entry_t *b) {
    if (a->t_ns != b->t_ns) {
        return a->t_ns < b->t_ns;
    }
    if (a->prio != b->prio) {
        return a->prio < b->prio;
    }
    return slots[a->slot].seq < slots[b->slot].seq;
}

#endif
