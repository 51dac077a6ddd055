/*
 * sim_radix.c: radix-64 buckets over event times.
 *
 * An entry after the base time goes to bucket (L, d): L is the most significant 6-bit digit in
 * which its time differs from the base, d is its own value of that digit.
 *
 *        base ........ | digit L+1 | digit L | digit L-1 | ...
 *        entry in (L,d)  same        d > base's  anything
 *
 * Hence all of bucket (L, d) lies below bucket (L, d+1), which lies below all of level L+1: the
 * earliest entries sit in the lowest non-empty bucket, found with two count-trailing-zeros on
 * the bitmaps of non-empty levels and of non-empty buckets per level. A bucket is an unsorted
 * array that remembers its smallest time.
 *
 * Taking the earliest entries from bucket (L, d):
 *   - level 0 (all times equal), or a small bucket of level 1 or 2 (spanning at most 4096 ns):
 *     return it whole; the new base is its latest time. Every other bucket still holds its
 *     entries correctly, since the new base agrees with the old one above digit L and has
 *     digit d there. The level limit keeps the base close to the front: a small but wide bucket
 *     (one event now, one in an hour) taken whole would drag the base an hour ahead and send
 *     every push until then to the kernel's heap.
 *   - otherwise: the new base is the bucket's earliest time; the entries at that time are
 *     returned and the others scatter to lower levels (they share digits L and up with it).
 * An entry therefore only ever moves down, at most once per level (11 levels) and in practice
 * once or twice, by sequential scans: no comparisons except for the bucket minimum.
 */
#include "sim_radix.h"

#include <stdio.h>
#include <stdlib.h>

#define DIGIT_BITS       6U
#define DIGITS           64U /* buckets per level: 1 << DIGIT_BITS */
#define LEVELS           11U /* 11 * 6 bits cover the 63 bits of a non-negative time */
#define WHOLE_MAX_LEVEL  2U  /* small buckets up to this level are taken whole */
#define INITIAL_CAPACITY 16U

typedef struct {
    sim_radix_entry_t *e;
    uint32_t len;
    uint32_t cap;
    sim_time_ns_t min_ns; /* smallest time stored; SIM_TIME_NEVER when empty */
} bucket_t;

struct sim_radix {
    uint32_t count;
    uint32_t level_mask;         /* bit L: level L has a non-empty bucket */
    uint64_t digit_mask[LEVELS]; /* bit d: bucket (L, d) is non-empty */
    bucket_t buckets[LEVELS][DIGITS];
};

static inline unsigned msb64(uint64_t x) { /* x != 0 */
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

static inline unsigned lsb64(uint64_t x) { /* x != 0 */
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned b = 0;
    while ((x & 1U) == 0) {
        x >>= 1;
        b++;
    }
    return b;
#endif
}

/* Makes room for one more entry; false when out of memory (bucket untouched). */
static bool bucket_reserve(bucket_t *b) {
    if (b->len < b->cap) {
        return true;
    }
    if (b->cap >= UINT32_MAX / 2U || (size_t)b->cap * 2U > SIZE_MAX / sizeof(sim_radix_entry_t)) {
        return false;
    }
    uint32_t new_cap = b->cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : b->cap * 2U;
    sim_radix_entry_t *p = realloc(b->e, (size_t)new_cap * sizeof *p);
    if (p == NULL) {
        return false;
    }
    b->e = p;
    b->cap = new_cap;
    return true;
}

/* Appends to a bucket with room reserved. */
static inline void bucket_append(sim_radix_t *r, unsigned level, unsigned digit,
                                 const sim_radix_entry_t *e) {
    bucket_t *b = &r->buckets[level][digit];
    b->e[b->len++] = *e;
    if (e->t_ns < b->min_ns) {
        b->min_ns = e->t_ns;
    }
    r->digit_mask[level] |= UINT64_C(1) << digit;
    r->level_mask |= 1U << level;
}

static void bucket_clear(sim_radix_t *r, unsigned level, unsigned digit) {
    r->buckets[level][digit].len = 0;
    r->buckets[level][digit].min_ns = SIM_TIME_NEVER;
    r->digit_mask[level] &= ~(UINT64_C(1) << digit);
    if (r->digit_mask[level] == 0) {
        r->level_mask &= ~(1U << level);
    }
}

/* The bucket of a time after base. */
static inline bucket_t *bucket_for(sim_radix_t *r, sim_time_ns_t t_ns, sim_time_ns_t base_ns,
                                   unsigned *level, unsigned *digit) {
    unsigned l = msb64((uint64_t)t_ns ^ (uint64_t)base_ns) / DIGIT_BITS;
    unsigned d = (unsigned)((uint64_t)t_ns >> (l * DIGIT_BITS)) & (DIGITS - 1U);
    *level = l;
    *digit = d;
    return &r->buckets[l][d];
}

sim_radix_t *sim_radix_create(void) {
    sim_radix_t *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return NULL;
    }
    for (unsigned l = 0; l < LEVELS; l++) {
        for (unsigned d = 0; d < DIGITS; d++) {
            r->buckets[l][d].min_ns = SIM_TIME_NEVER;
        }
    }
    return r;
}

void sim_radix_destroy(sim_radix_t *r) {
    if (r == NULL) {
        return;
    }
    for (unsigned l = 0; l < LEVELS; l++) {
        for (unsigned d = 0; d < DIGITS; d++) {
            free(r->buckets[l][d].e);
        }
    }
    free(r);
}

int sim_radix_add(sim_radix_t *r, sim_time_ns_t base_ns, sim_time_ns_t t_ns, int32_t prio,
                  uint32_t slot) {
    SIM_ASSERT(base_ns >= 0 && t_ns > base_ns);
    unsigned l, d;
    bucket_t *b = bucket_for(r, t_ns, base_ns, &l, &d);
    if (!bucket_reserve(b)) {
        return -SIM_ENOMEM;
    }
    sim_radix_entry_t *e = &b->e[b->len++];
    e->t_ns = t_ns;
    e->prio = prio;
    e->slot = slot;
    b->min_ns = t_ns < b->min_ns ? t_ns : b->min_ns;
    r->digit_mask[l] |= UINT64_C(1) << d;
    r->level_mask |= 1U << l;
    r->count++;
    return 0;
}

uint32_t sim_radix_count(const sim_radix_t *r) {
    return r->count;
}

/*
 * Splits a bucket at its earliest time: the others scatter one level down or more, the entries
 * at that time are packed at the front of the bucket's array (writes never pass reads). The
 * source stays in locals: stores into entry arrays may alias the store's own counters as far as
 * the compiler knows, and reloading them would cost more than the move itself.
 */
static uint32_t split(sim_radix_t *r, bucket_t *b, sim_time_ns_t base_ns) {
    sim_radix_entry_t *src = b->e;
    uint32_t n = b->len;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        sim_radix_entry_t e = src[i];
        if (e.t_ns == base_ns) {
            src[kept++] = e;
            continue;
        }
        unsigned l, d;
        bucket_t *dst = bucket_for(r, e.t_ns, base_ns, &l, &d);
        if (!bucket_reserve(dst)) {
            fprintf(stderr, "alfasim: internal error: out of memory in the event queue\n");
            abort();
        }
        bucket_append(r, l, d, &e);
    }
    return kept;
}

uint32_t sim_radix_take(sim_radix_t *r, uint32_t small_max, sim_time_ns_t *base_ns,
                        const sim_radix_entry_t **out) {
    SIM_ASSERT(r->count > 0);
    unsigned level = lsb64(r->level_mask);
    unsigned digit = lsb64(r->digit_mask[level]);
    bucket_t *b = &r->buckets[level][digit];
    uint32_t n;
    if (level == 0 || (level <= WHOLE_MAX_LEVEL && b->len <= small_max)) {
        sim_time_ns_t max_ns = b->min_ns;
        for (uint32_t i = 0; i < b->len; i++) {
            max_ns = b->e[i].t_ns > max_ns ? b->e[i].t_ns : max_ns;
        }
        *base_ns = max_ns;
        n = b->len;
    } else {
        *base_ns = b->min_ns;
        n = split(r, b, b->min_ns);
    }
    bucket_clear(r, level, digit);
    r->count -= n;
    *out = b->e;
    return n;
}

uint32_t sim_radix_remove_if(sim_radix_t *r, bool (*drop)(void *ctx, const sim_radix_entry_t *e),
                             void *ctx) {
    uint32_t removed = 0;
    for (unsigned l = 0; l < LEVELS; l++) {
        for (uint64_t m = r->digit_mask[l]; m != 0; m &= m - 1U) {
            unsigned d = lsb64(m);
            bucket_t *b = &r->buckets[l][d];
            uint32_t len = b->len;
            bucket_clear(r, l, d);
            for (uint32_t i = 0; i < len; i++) {
                if (drop(ctx, &b->e[i])) {
                    removed++;
                } else {
                    bucket_append(r, l, d, &b->e[i]); /* in place: writes never pass reads */
                }
            }
        }
    }
    r->count -= removed;
    return removed;
}
