/*
 * sim_radix.c: radix-256 buckets over event times.
 *
 * An entry after the base time goes to bucket (L, d): L is the most significant 8-bit digit in
 * which its time differs from the base, d is its own value of that digit.
 *
 *        base ........ | digit L+1 | digit L | digit L-1 | ...
 *        entry in (L,d)  same        d > base's  anything
 *
 * Hence all of bucket (L, d) lies below bucket (L, d+1), which lies below all of level L+1: with
 * buckets numbered L * 256 + d, bucket order is time order, and the earliest entries sit in the
 * lowest non-empty bucket, found with two count-trailing-zeros (a summary word over 32 words of
 * one bit per bucket). A bucket is an unsorted array that remembers its smallest time.
 *
 * Taking the earliest entries, from the lowest non-empty bucket (L, d):
 *
 *   whole    level 0 (all times equal), or a bucket of at most 8 entries on level 1 or 2 (256 ns
 *            or 65 us wide): return it, and with it the following buckets while they qualify
 *            and the total stays at most 8. The new base is the latest time returned. Every
 *            bucket left still holds its entries correctly: the new base agrees with the old
 *            one above the level of the last bucket taken, and no bucket of that level that is
 *            left lies below it.
 *   sorted   a larger bucket on level 1 or 2 (up to 4096 entries): return it whole, sorted by
 *            time with one or two counting-sort passes on its lower digits (what splitting it
 *            and taking the pieces one by one would give, without the round trip through the
 *            lower levels). The new base is its latest time, at most 65 us ahead.
 *   split    anything else: the new base is the bucket's earliest time; the entries at that
 *            time are returned and the others scatter to lower levels (they share digits L and
 *            up with it).
 *
 * The level limits keep the base close to the front: a small but wide bucket (one event now,
 * one in an hour) taken whole would drag the base an hour ahead and send every push until then
 * to the kernel's sorted front. An entry only ever moves down, at most once per level and in
 * practice once or twice, by sequential scans: no comparisons except for the bucket minimum.
 */
#include "sim_radix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHOLE_MAX_LEVEL       2U    /* runs of small buckets up to this level are taken whole */
#define BY_DIGIT_MAX_LEVEL    2U    /* buckets up to this level (65 us wide) may be taken sorted */
#define BY_DIGIT_MAX          4096U /* ... when they hold this many entries at most */
#define BY_DIGIT_ONE_PASS_MAX 128U  /* a level-2 bucket up to this size is sorted in one pass */
#define INITIAL_CAPACITY      4U    /* one cache line: most buckets hold a handful of entries */

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

static _Noreturn void out_of_memory(void) {
    fprintf(stderr, "alfasim: internal error: out of memory in the event queue\n");
    abort();
}

bool sim_radix_grow(sim_radix_bucket_t *b) {
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

static void bucket_clear(sim_radix_t *r, unsigned bi) {
    r->buckets[bi].len = 0;
    r->buckets[bi].min_ns = SIM_TIME_NEVER;
    r->nonempty[bi / 64U] &= ~(UINT64_C(1) << (bi % 64U));
    if (r->nonempty[bi / 64U] == 0) {
        r->summary &= ~(UINT64_C(1) << (bi / 64U));
    }
}

sim_radix_t *sim_radix_create(void) {
    sim_radix_t *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return NULL;
    }
    for (unsigned i = 0; i < SIM_RADIX_BUCKETS; i++) {
        r->buckets[i].min_ns = SIM_TIME_NEVER;
    }
    return r;
}

void sim_radix_destroy(sim_radix_t *r) {
    if (r == NULL) {
        return;
    }
    for (unsigned i = 0; i < SIM_RADIX_BUCKETS; i++) {
        free(r->buckets[i].e);
    }
    free(r->out);
    free(r);
}

/* Index of the earliest non-empty bucket; the store must not be empty. */
static inline unsigned lowest(const sim_radix_t *r) {
    unsigned w = lsb64(r->summary);
    return w * 64U + lsb64(r->nonempty[w]);
}

/*
 * Splits bucket bi at its earliest time: the others scatter one level down or more, the entries
 * at that time are packed at the front of the bucket's array (writes never pass reads, and a
 * lower bucket is never the bucket being split). The source stays in locals: stores into entry
 * arrays may alias the store's own fields as far as the compiler knows, and reloading them
 * would cost more than the move itself.
 */
static uint32_t split(sim_radix_t *r, unsigned bi, sim_time_ns_t base_ns) {
    sim_radix_entry_t *src = r->buckets[bi].e;
    uint32_t n = r->buckets[bi].len;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        sim_radix_entry_t e = src[i];
        if (e.t_ns == base_ns) {
            src[kept++] = e;
            continue;
        }
        unsigned di = sim_radix_index(e.t_ns, base_ns);
        sim_radix_bucket_t *dst = &r->buckets[di];
        if (dst->len == dst->cap && !sim_radix_grow(dst)) {
            out_of_memory();
        }
        sim_radix_append(r, di, e.t_ns, e.prio, e.slot);
    }
    return kept;
}

/* Room for `n` entries at the start of the output; ends the process when out of memory. */
static void out_reserve(sim_radix_t *r, uint64_t n) {
    if (n <= r->out_cap) {
        return;
    }
    uint64_t cap = r->out_cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : r->out_cap;
    while (cap < n) {
        cap *= 2U;
    }
    sim_radix_entry_t *p = cap <= UINT32_MAX ? realloc(r->out, (size_t)cap * sizeof *p) : NULL;
    if (p == NULL) {
        out_of_memory();
    }
    r->out = p;
    r->out_cap = (uint32_t)cap;
}

/* Appends bucket bi whole to the output at `at` and empties it; returns its latest time. */
static sim_time_ns_t take_whole(sim_radix_t *r, unsigned bi, uint32_t at) {
    sim_radix_bucket_t *b = &r->buckets[bi];
    uint32_t n = b->len;
    out_reserve(r, (uint64_t)at + n);
    sim_time_ns_t max_ns = b->min_ns;
    for (uint32_t i = 0; i < n; i++) {
        r->out[at + i] = b->e[i];
        max_ns = b->e[i].t_ns > max_ns ? b->e[i].t_ns : max_ns;
    }
    bucket_clear(r, bi);
    return max_ns;
}

/* Whether bucket bi may be taken whole after `taken` entries already were. */
static inline bool whole_ok(const sim_radix_t *r, unsigned bi, uint32_t taken, uint32_t small_max) {
    if (bi < SIM_RADIX_DIGITS && taken == 0) {
        return true; /* level 0: one time, any number of entries */
    }
    return bi / SIM_RADIX_DIGITS <= WHOLE_MAX_LEVEL && taken + r->buckets[bi].len <= small_max;
}

/*
 * One stable counting-sort pass of n entries by the digit at `shift`, from src to dst. The
 * counters are all zero before and after; only the range of digits seen is summed and cleared.
 */
static void counting_pass(uint32_t *count, const sim_radix_entry_t *src, sim_radix_entry_t *dst,
                          uint32_t n, unsigned shift) {
    unsigned lo = SIM_RADIX_DIGITS - 1U, hi = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned d = (unsigned)((uint64_t)src[i].t_ns >> shift) & (SIM_RADIX_DIGITS - 1U);
        count[d]++;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    uint32_t at = 0;
    for (unsigned d = lo; d <= hi; d++) {
        uint32_t c = count[d];
        count[d] = at;
        at += c;
    }
    for (uint32_t i = 0; i < n; i++) {
        unsigned d = (unsigned)((uint64_t)src[i].t_ns >> shift) & (SIM_RADIX_DIGITS - 1U);
        dst[count[d]++] = src[i];
    }
    memset(count + lo, 0, (size_t)(hi - lo + 1U) * sizeof *count);
}

/*
 * Takes bucket bi (level 1 or 2) whole, sorted by time with a least-significant-digit radix
 * sort: entries come out in time order (ties in bucket order) as if the bucket had been split
 * and its sub-buckets taken one by one, in sequential passes that never touch the lower levels.
 * A level-2 bucket is sorted on its level-1 digit alone while it holds few entries: a 256 ns
 * group then holds about one, and the kernel's insertion sort finishes the job for free. Returns
 * the bucket's latest time.
 */
static sim_time_ns_t take_by_digit(sim_radix_t *r, unsigned bi) {
    sim_radix_bucket_t *b = &r->buckets[bi];
    uint32_t n = b->len;
    unsigned level = bi / SIM_RADIX_DIGITS;
    out_reserve(r, 2U * (uint64_t)n);
    sim_time_ns_t max_ns = b->min_ns;
    for (uint32_t i = 0; i < n; i++) {
        max_ns = b->e[i].t_ns > max_ns ? b->e[i].t_ns : max_ns;
    }
    if (level == 2U && n > BY_DIGIT_ONE_PASS_MAX) {
        counting_pass(r->digit_count, b->e, r->out + n, n, 0);
        counting_pass(r->digit_count, r->out + n, r->out, n, SIM_RADIX_DIGIT_BITS);
    } else {
        counting_pass(r->digit_count, b->e, r->out, n, (level - 1U) * SIM_RADIX_DIGIT_BITS);
    }
    bucket_clear(r, bi);
    return max_ns;
}

uint32_t sim_radix_take(sim_radix_t *r, uint32_t small_max, sim_time_ns_t *base_ns,
                        const sim_radix_entry_t **out) {
    SIM_ASSERT(r->count > 0);
    unsigned bi = lowest(r);
    uint32_t n = r->buckets[bi].len;
    if (!whole_ok(r, bi, 0, small_max)) {
        if (bi / SIM_RADIX_DIGITS <= BY_DIGIT_MAX_LEVEL && n <= BY_DIGIT_MAX) {
            *base_ns = take_by_digit(r, bi);
            *out = r->out;
        } else {
            *base_ns = r->buckets[bi].min_ns;
            n = split(r, bi, *base_ns);
            *out = r->buckets[bi].e;
            bucket_clear(r, bi);
        }
        r->count -= n;
        return n;
    }
    n = 0;
    for (;;) {
        uint32_t len = r->buckets[bi].len;
        *base_ns = take_whole(r, bi, n);
        n += len;
        if (n == r->count) {
            break;
        }
        bi = lowest(r);
        if (!whole_ok(r, bi, n, small_max)) {
            break;
        }
    }
    r->count -= n;
    *out = r->out;
    return n;
}

uint32_t sim_radix_remove_if(sim_radix_t *r, bool (*drop)(void *ctx, const sim_radix_entry_t *e),
                             void *ctx) {
    uint32_t removed = 0;
    for (unsigned w = 0; w < SIM_RADIX_WORDS; w++) {
        for (uint64_t m = r->nonempty[w]; m != 0; m &= m - 1U) {
            unsigned bi = w * 64U + lsb64(m);
            sim_radix_bucket_t *b = &r->buckets[bi];
            uint32_t len = b->len;
            bucket_clear(r, bi);
            for (uint32_t i = 0; i < len; i++) {
                sim_radix_entry_t e = b->e[i];
                if (drop(ctx, &e)) {
                    removed++;
                } else {
                    sim_radix_append(r, bi, e.t_ns, e.prio, e.slot); /* in place: writes never
                                                                        pass reads */
                }
            }
        }
    }
    r->count -= removed;
    return removed;
}
