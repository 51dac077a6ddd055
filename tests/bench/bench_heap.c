/*
 * bench_heap.c: the baseline binary heap (see bench_heap.h for why it is built this way).
 *
 *   entries  24 bytes: t_ns, seq, prio, payload index; children of i at 2i+1 and 2i+2
 *   payload  fn, ctx, arg per index, recycled through a free list
 */
#include "bench_heap.h"

#include <stdlib.h>

#define INITIAL_CAPACITY 16U

typedef struct {
    sim_time_ns_t t_ns;
    uint64_t seq;
    int32_t prio;
    uint32_t payload;
} heap_entry_t;

typedef struct {
    bench_heap_fn fn;
    void *ctx;
    uint64_t arg;
} payload_t;

struct bench_heap {
    heap_entry_t *e;
    uint32_t len;
    uint32_t cap;
    payload_t *payload;
    uint32_t *free_list; /* free payload indices; cap entries */
    uint32_t free_len;
    uint32_t payload_used; /* indices handed out at least once */
    uint64_t next_seq;
    sim_time_ns_t now_ns;
    bool stop;
};

static inline bool less(const heap_entry_t *a, const heap_entry_t *b) {
    if (a->t_ns != b->t_ns) {
        return a->t_ns < b->t_ns;
    }
    if (a->prio != b->prio) {
        return a->prio < b->prio;
    }
    return a->seq < b->seq;
}

bench_heap_t *bench_heap_create(void) {
    return calloc(1, sizeof(bench_heap_t));
}

void bench_heap_destroy(bench_heap_t *h) {
    if (h == NULL) {
        return;
    }
    free(h->e);
    free(h->payload);
    free(h->free_list);
    free(h);
}

static bool grow(bench_heap_t *h) {
    uint32_t cap = h->cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : h->cap * 2U;
    if (cap <= h->cap) {
        return false;
    }
    heap_entry_t *e = realloc(h->e, (size_t)cap * sizeof *e);
    if (e != NULL) {
        h->e = e;
    }
    payload_t *p = realloc(h->payload, (size_t)cap * sizeof *p);
    if (p != NULL) {
        h->payload = p;
    }
    uint32_t *f = realloc(h->free_list, (size_t)cap * sizeof *f);
    if (f != NULL) {
        h->free_list = f;
    }
    if (e == NULL || p == NULL || f == NULL) {
        return false;
    }
    h->cap = cap;
    return true;
}

/* Moves the hole at pos up until e fits, then stores e there. */
static inline void sift_up(heap_entry_t *a, uint32_t pos, const heap_entry_t *e) {
    while (pos > 0) {
        uint32_t parent = (pos - 1U) / 2U;
        if (!less(e, &a[parent])) {
            break;
        }
        a[pos] = a[parent];
        pos = parent;
    }
    a[pos] = *e;
}

int bench_heap_schedule(bench_heap_t *h, sim_time_ns_t t_ns, int32_t prio, bench_heap_fn fn,
                        void *ctx, uint64_t arg) {
    if (t_ns < h->now_ns) {
        return -SIM_EINVAL;
    }
    if (h->len == h->cap && !grow(h)) {
        return -SIM_ENOMEM;
    }
    uint32_t idx = h->free_len > 0 ? h->free_list[--h->free_len] : h->payload_used++;
    h->payload[idx] = (payload_t){fn, ctx, arg};
    heap_entry_t e = {.t_ns = t_ns, .seq = h->next_seq++, .prio = prio, .payload = idx};
    sift_up(h->e, h->len++, &e);
    return 0;
}

/*
 * Removes the root, bottom-up: the hole walks to a leaf along the smaller child (one comparison
 * per level, no comparison with the moving entry), then the last entry is sifted up from that
 * leaf, which is usually at most a level or two since it came from the bottom anyway.
 */
static void remove_root(bench_heap_t *h) {
    heap_entry_t *a = h->e;
    uint32_t n = --h->len;
    if (n == 0) {
        return;
    }
    uint32_t pos = 0;
    for (uint32_t c = 1; c < n; c = 2U * pos + 1U) {
        c += (c + 1U < n && less(&a[c + 1U], &a[c])) ? 1U : 0U;
        a[pos] = a[c];
        pos = c;
    }
    heap_entry_t last = a[n];
    sift_up(a, pos, &last);
}

sim_time_ns_t bench_heap_now(const bench_heap_t *h) {
    return h->now_ns;
}

uint64_t bench_heap_run_until(bench_heap_t *h, sim_time_ns_t t_end_ns) {
    uint64_t ran = 0;
    h->stop = false;
    while (h->len > 0 && h->e[0].t_ns <= t_end_ns) {
        heap_entry_t top = h->e[0];
        payload_t p = h->payload[top.payload];
        h->free_list[h->free_len++] = top.payload;
        remove_root(h);
        h->now_ns = top.t_ns;
        p.fn(h, p.ctx, p.arg);
        ran++;
        if (h->stop) {
            break;
        }
    }
    return ran;
}

void bench_heap_stop(bench_heap_t *h) {
    h->stop = true;
}

uint32_t bench_heap_len(const bench_heap_t *h) {
    return h->len;
}
