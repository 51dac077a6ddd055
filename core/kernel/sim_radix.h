/*
 * sim_radix.h: the kernel's store for events that are not due soon. Private to core/kernel.
 *
 * The kernel keeps the first few pending events in a small heap ordered on the full key and
 * everything later than a base time here, in radix-64 buckets that are filled without any
 * comparison. When the heap runs dry the kernel takes the earliest bucket's worth of entries
 * (sim_radix_take), which also moves the base forward. Times are non-negative; entries added
 * must lie strictly after the base the kernel holds, and taking is the only thing that moves the
 * base (so the kernel passes the same base to every add until the next take).
 *
 * Entries are plain values; the store never looks at slots, callbacks or the (prio, seq) part
 * of the key, which the kernel's heap orders. Memory grows geometrically and is kept until
 * destroy. Single-threaded.
 */
#ifndef SIM_RADIX_H
#define SIM_RADIX_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_types.h"

/**
 * One queued event: its time, priority and slot in the kernel. 16 bytes, four to a cache line;
 * the sequence number that breaks exact (time, prio) ties stays in the kernel's slot.
 */
typedef struct {
    sim_time_ns_t t_ns;
    int32_t prio;
    uint32_t slot;
} sim_radix_entry_t;

typedef struct sim_radix sim_radix_t;

/** An empty store, or NULL when out of memory. */
sim_radix_t *sim_radix_create(void);
void sim_radix_destroy(sim_radix_t *r);

/**
 * Stores the entry (t_ns, prio, slot), t_ns > base_ns. 0, or -SIM_ENOMEM (nothing stored).
 * The fields come as scalars so that the hot path never copies a just-built struct whole.
 */
int sim_radix_add(sim_radix_t *r, sim_time_ns_t base_ns, sim_time_ns_t t_ns, int32_t prio,
                  uint32_t slot);

/** Entries stored. */
uint32_t sim_radix_count(const sim_radix_t *r);

/**
 * Removes the earliest entries from a non-empty store and returns how many, with *out pointing
 * at them (valid until the next call on the store) and *base_ns set to the new base: every entry
 * returned has t <= *base_ns and every entry left has t > *base_ns. At least the entries with the
 * earliest time are returned; a bucket of at most `small_max` entries within a few microseconds
 * is returned whole. Runs out of memory only by ending the process (there is nothing sane to
 * return half-way through).
 */
uint32_t sim_radix_take(sim_radix_t *r, uint32_t small_max, sim_time_ns_t *base_ns,
                        const sim_radix_entry_t **out);

/** Removes every entry for which drop(ctx, e) is true; returns how many were removed. */
uint32_t sim_radix_remove_if(sim_radix_t *r, bool (*drop)(void *ctx, const sim_radix_entry_t *e),
                             void *ctx);

#endif
