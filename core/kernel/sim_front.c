/*
 * sim_front.c: the sorted front's slow paths (contract in sim_front.h): growing, searching, and
 * sorting what a take returns.
 *
 * A take returns groups in time order, each unsorted inside (a bucket, or a 256 ns slice of a
 * sorted one), so insertion sort orders it in about one comparison per entry. One instant can
 * hold thousands of events in a bad (prio) order, though (every node of a large scenario waking
 * on the same millisecond), where insertion sort would be quadratic: past a linear budget of
 * moves, a merge sort takes over.
 */
#include "sim_front.h"

#include <stdlib.h>

#define INITIAL_CAPACITY 16U
#define SORT_RUN         16U /* runs sorted by insertion before merging */

bool sim_front_grow(sim_front_t *f, uint32_t extra) {
    uint32_t len = f->tail - f->head;
    if (f->head > 0) {
        memmove(f->e, f->e + f->head, (size_t)len * sizeof *f->e);
        f->head = 0;
        f->tail = len;
    }
    /* Grown to twice what is needed when more than half full: slides and copies stay O(1) per
     * entry, amortised. */
    uint64_t need = (uint64_t)len + extra;
    if (need <= f->cap / 2U) {
        return true;
    }
    uint64_t cap = f->cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : f->cap;
    while (cap < 2U * need) {
        cap *= 2U;
    }
    if (cap > UINT32_MAX || cap > SIZE_MAX / sizeof(sim_entry_t)) {
        return false;
    }
    sim_entry_t *p = realloc(f->e, (size_t)cap * sizeof *p);
    if (p == NULL) {
        return false;
    }
    f->e = p;
    f->cap = (uint32_t)cap;
    return true;
}

uint32_t sim_front_search(const sim_front_t *f, const sim_slot_t *slots, const sim_entry_t *x,
                          uint32_t lo, uint32_t hi) {
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2U;
        if (sim_entry_less(slots, x, &f->e[mid])) {
            hi = mid;
        } else {
            lo = mid + 1U;
        }
    }
    return lo;
}

/*
 * Insertion sort that gives up once it has moved entries more than `budget` places in all;
 * returns false then (a[0..n) is a permutation of what it was, partly sorted). With a budget of
 * UINT64_MAX it is a plain insertion sort.
 */
static bool sort_cheap(const sim_slot_t *slots, sim_entry_t *a, uint32_t n, uint64_t budget) {
    for (uint32_t i = 1; i < n; i++) {
        sim_entry_t x = a[i];
        uint32_t pos = i;
        while (pos > 0 && sim_entry_less(slots, &x, &a[pos - 1U])) {
            a[pos] = a[pos - 1U];
            pos--;
        }
        a[pos] = x;
        budget -= i - pos < budget ? i - pos : budget;
        if (budget == 0) {
            return false;
        }
    }
    return true;
}

/* Merges sorted a[0..na) and b[0..nb) into out. */
static void merge(const sim_slot_t *slots, const sim_entry_t *a, uint32_t na, const sim_entry_t *b,
                  uint32_t nb, sim_entry_t *out) {
    uint32_t i = 0, j = 0, o = 0;
    while (i < na && j < nb) {
        out[o++] = sim_entry_less(slots, &b[j], &a[i]) ? b[j++] : a[i++];
    }
    while (i < na) {
        out[o++] = a[i++];
    }
    while (j < nb) {
        out[o++] = b[j++];
    }
}

/* Sorts a[0..n) using tmp[0..n): runs of SORT_RUN by insertion, then bottom-up merges. */
static void sort_merge(const sim_slot_t *slots, sim_entry_t *a, sim_entry_t *tmp, uint32_t n) {
    for (uint32_t i = 0; i < n; i += SORT_RUN) {
        (void)sort_cheap(slots, a + i, n - i < SORT_RUN ? n - i : SORT_RUN, UINT64_MAX);
    }
    sim_entry_t *src = a, *dst = tmp;
    for (uint32_t w = SORT_RUN; w < n; w *= 2U) {
        for (uint32_t i = 0; i < n; i += 2U * w) {
            uint32_t na = n - i < w ? n - i : w;
            uint32_t nb = n - i - na < w ? n - i - na : w;
            merge(slots, src + i, na, src + i + na, nb, dst + i);
        }
        sim_entry_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) {
        memcpy(a, src, (size_t)n * sizeof *a);
    }
}

bool sim_front_fill(sim_front_t *f, const sim_slot_t *slots, const sim_entry_t *src, uint32_t n) {
    f->head = f->tail = 0;
    /* Twice n: the upper half is the merge sort's scratch space. */
    if (n > UINT32_MAX / 2U || !sim_front_reserve(f, 2U * n)) {
        return false;
    }
    memcpy(f->e, src, (size_t)n * sizeof *src);
    if (!sort_cheap(slots, f->e, n, 4U * (uint64_t)n + 64U)) {
        sort_merge(slots, f->e, f->e + n, n);
    }
    f->tail = n;
    return true;
}
