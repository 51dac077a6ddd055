/*
 * sim_radix.h: the kernel's store for events that are not due soon. Private to core/kernel.
 *
 * The kernel keeps the next few pending events in a small sorted front and everything later than
 * a base time here, in radix-256 buckets that are filled without any comparison. When the front
 * runs dry the kernel takes the earliest bucket's worth of entries (sim_radix_take), which also
 * moves the base forward. Times are non-negative; entries added must lie strictly after the base
 * the kernel holds, and taking is the only thing that moves the base (so the kernel passes the
 * same base to every add until the next take).
 *
 * Entries are plain values; the store never looks at slots, callbacks or the (prio, seq) part
 * of the key, which the kernel's front orders. Memory grows geometrically and is kept until
 * destroy. Single-threaded.
 *
 * The store's layout is in this header so that adding, the one operation on every schedule,
 * inlines into the kernel; only the kernel may touch the fields.
 */
#ifndef SIM_RADIX_H
#define SIM_RADIX_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_types.h"

/*
 * Digit width: 8 bits, so an event a millisecond ahead (2^20 ns) is added two levels up and
 * moves down once or twice before it is due, and a level is found with a shift, not a division.
 */
#define SIM_RADIX_DIGIT_BITS 8U
#define SIM_RADIX_DIGITS     (1U << SIM_RADIX_DIGIT_BITS)
#define SIM_RADIX_LEVELS     8U /* 8 digits of 8 bits cover a non-negative 64-bit time */
#define SIM_RADIX_BUCKETS    (SIM_RADIX_LEVELS * SIM_RADIX_DIGITS)
#define SIM_RADIX_WORDS      (SIM_RADIX_BUCKETS / 64U)

/**
 * One queued event: its time, priority and slot in the kernel. 16 bytes, four to a cache line;
 * the sequence number that breaks exact (time, prio) ties stays in the kernel's slot.
 */
typedef struct {
    sim_time_ns_t t_ns;
    int32_t prio;
    uint32_t slot;
} sim_radix_entry_t;

/** An unsorted array of entries that remembers its earliest time. */
typedef struct {
    sim_radix_entry_t *e;
    uint32_t len;
    uint32_t cap;
    sim_time_ns_t min_ns; /* SIM_TIME_NEVER when empty */
} sim_radix_bucket_t;

typedef struct {
    uint32_t count;
    uint64_t summary;                   /* bit w: nonempty[w] != 0 */
    uint64_t nonempty[SIM_RADIX_WORDS]; /* bit L * DIGITS + d: bucket (L, d) holds entries */
    sim_radix_entry_t *out;             /* what the last take returned, when it took whole */
    uint32_t out_cap;
    uint32_t digit_count[SIM_RADIX_DIGITS];        /* counting sort scratch, zero between takes */
    sim_radix_bucket_t buckets[SIM_RADIX_BUCKETS]; /* index L * DIGITS + d */
} sim_radix_t;

/** An empty store, or NULL when out of memory. */
sim_radix_t *sim_radix_create(void);
void sim_radix_destroy(sim_radix_t *r);

/** Grows a full bucket; false when out of memory (the bucket is unchanged). */
bool sim_radix_grow(sim_radix_bucket_t *b);

/** Index of the most significant set bit; x != 0. */
static inline unsigned sim_radix_msb(uint64_t x) {
#if defined(__GNUC__)
    return 63U - (unsigned)__builtin_clzll(x);
#else
    unsigned b = 0;
    while (x >>= 1) {
        b++;
    }
    return b;
#endif
}

/** Index L * DIGITS + d of the bucket a time t_ns > base_ns belongs in. */
static inline unsigned sim_radix_index(sim_time_ns_t t_ns, sim_time_ns_t base_ns) {
    uint64_t diff = (uint64_t)t_ns ^ (uint64_t)base_ns; /* != 0: t_ns > base_ns */
    unsigned level = sim_radix_msb(diff) / SIM_RADIX_DIGIT_BITS;
    unsigned shift = level * SIM_RADIX_DIGIT_BITS;
    return level * SIM_RADIX_DIGITS +
           (unsigned)(((uint64_t)t_ns >> shift) & (SIM_RADIX_DIGITS - 1U));
}

/** Appends to bucket bi with room reserved. */
static inline void sim_radix_append(sim_radix_t *r, unsigned bi, sim_time_ns_t t_ns, int32_t prio,
                                    uint32_t slot) {
    sim_radix_bucket_t *b = &r->buckets[bi];
    sim_radix_entry_t *e = &b->e[b->len++];
    e->t_ns = t_ns;
    e->prio = prio;
    e->slot = slot;
    b->min_ns = t_ns < b->min_ns ? t_ns : b->min_ns;
    r->nonempty[bi / 64U] |= UINT64_C(1) << (bi % 64U);
    r->summary |= UINT64_C(1) << (bi / 64U);
}

/**
 * Stores the entry (t_ns, prio, slot), t_ns > base_ns. 0, or -SIM_ENOMEM (nothing stored).
 * The fields come as scalars so that the hot path never copies a just-built struct whole.
 */
static inline int sim_radix_add(sim_radix_t *r, sim_time_ns_t base_ns, sim_time_ns_t t_ns,
                                int32_t prio, uint32_t slot) {
    SIM_ASSERT(base_ns >= 0 && t_ns > base_ns);
    unsigned bi = sim_radix_index(t_ns, base_ns);
    sim_radix_bucket_t *b = &r->buckets[bi];
    if (b->len == b->cap && !sim_radix_grow(b)) {
        return -SIM_ENOMEM;
    }
    sim_radix_append(r, bi, t_ns, prio, slot);
    r->count++;
    return 0;
}

/**
 * Removes the earliest entries from a non-empty store and returns how many, with *out pointing
 * at them (valid until the next call on the store) and *base_ns set to the new base: every entry
 * returned has t <= *base_ns and every entry left has t > *base_ns. Entries come in groups in
 * time order (each group a bucket, or a 256 ns slice of one), unsorted within a group, so an
 * insertion sort finishes the order in about one comparison per entry. At least the entries
 * with the earliest time are returned; a run of small buckets (at most `small_max` entries), or
 * one larger bucket, may come whole (see sim_radix.c). Runs out of memory only by ending the
 * process (there is nothing sane to return half-way through).
 */
uint32_t sim_radix_take(sim_radix_t *r, uint32_t small_max, sim_time_ns_t *base_ns,
                        const sim_radix_entry_t **out);

/** Removes every entry for which drop(ctx, e) is true; returns how many were removed. */
uint32_t sim_radix_remove_if(sim_radix_t *r, bool (*drop)(void *ctx, const sim_radix_entry_t *e),
                             void *ctx);

#endif
