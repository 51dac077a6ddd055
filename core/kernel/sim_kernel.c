/*
 * sim_kernel.c: virtual time, the pending-event set and the dispatch loop.
 *
 * Pending events are split at a base time:
 *
 *   heap    4-ary min-heap on the full key (t, prio, seq) of every event with t <= base_ns;
 *           its root is the next event to run
 *   far     every event with t > base_ns, in radix buckets (sim_radix.c): O(1) to add, and
 *           each entry is moved down a level only a couple of times before it is due
 *
 * When the heap runs dry it is refilled with the earliest bucket's entries, which moves the base
 * forward. A push before the base (an event scheduled between now and a base that a refill moved
 * ahead) simply goes into the heap, which orders it exactly, so the set is exact for any time;
 * the kernel's times being monotone is what makes it fast. While `far` is empty, a small queue
 * lives in the heap alone (base follows the latest push), which is what a handful of timers
 * costs: one heap insert and one heap pop, no bucket round trip.
 *
 * Outside the kernel's own calls the heap is empty only when everything is: the root is always
 * the next event, so next_time is O(1) and run_until needs no look into the buckets.
 *
 * Callback data sits in a slot table; heap and bucket entries carry only the key and a slot:
 *
 *   handle = gen << 32 | (slot + 1)        (never 0)
 *
 * A slot is live while fn != NULL. Running or cancelling an event clears fn and bumps gen, so
 * every handle for it goes stale at once; a slot whose gen wraps is retired, never reused.
 * Cancellation is lazy: the entry stays where it is and is dropped when it surfaces at the heap
 * root (the root is always kept live) or when cancelled entries come to outnumber live ones and
 * everything is compacted in O(n), which keeps memory within twice the live set.
 *
 * Dispatch pops one event at a time, so an event scheduled by a callback for the current instant
 * takes its place in the (time, prio, seq) order behind everything already due, and cancelling an
 * event due now stops it: the heap is the ready list.
 */
#include "sim_kernel.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim_radix.h"

/* Sizes measured on a "hold" workload (pop one, schedule one) from 16 to 256k pending events. */
#define HEAP_ARITY          4U
#define SMALL_HEAP          32U /* while far is empty, up to this many events live in the heap */
#define SMALL_BUCKET        8U  /* buckets up to this size are taken into the heap whole */
#define COMPACT_MIN_ENTRIES 64U
#define INITIAL_CAPACITY    16U
#define NO_SLOT             UINT32_MAX

typedef sim_radix_entry_t entry_t;

typedef struct {
    sim_event_fn fn; /* NULL: free, or cancelled and still stored as an entry */
    void *ctx;
    uint64_t arg;
    uint64_t seq;       /* scheduling order: the last part of the key, read only on ties */
    uint32_t gen;       /* generation of the handle that names this slot now */
    uint32_t next_free; /* free-list link while free */
} slot_t;

struct sim_kernel {
    sim_time_ns_t now_ns;
    sim_time_ns_t base_ns; /* the heap holds t <= base_ns, far holds t > base_ns */
    uint64_t next_seq;

    entry_t *heap;
    uint32_t heap_len;
    uint32_t heap_cap;
    uint32_t far_len; /* entries in far (mirrors sim_radix_count, read on every push) */
    uint32_t dead;    /* cancelled entries still stored, in the heap or far */
    sim_radix_t *far;

    slot_t *slots;
    uint32_t slot_count;
    uint32_t slot_cap;
    uint32_t free_head;

    bool dispatching; /* inside a callback: run_until/step/destroy would re-enter */
    bool stop_requested;

    uint64_t seed;
    uint64_t events_run;
    uint64_t events_scheduled;
    uint64_t events_cancelled;
    uint32_t pending_max;
};

/* ---- the heap ----------------------------------------------------------------------------- */

/* The kernel's order, (t, prio, seq); seq lives in the slot and is fetched only on a tie. */
static inline bool entry_less(const slot_t *slots, const entry_t *a, const entry_t *b) {
    if (a->t_ns != b->t_ns) {
        return a->t_ns < b->t_ns;
    }
    if (a->prio != b->prio) {
        return a->prio < b->prio;
    }
    return slots[a->slot].seq < slots[b->slot].seq;
}

/*
 * Inserts with room reserved. The key comes in as an entry *value* and is written back field by
 * field: building an entry on the stack and copying it whole makes the compiler reload it with
 * wider loads than the stores that wrote it, which stalls store-to-load forwarding on the
 * hottest path of the kernel.
 */
static inline void heap_push(sim_kernel_t *k, entry_t e) {
    entry_t *h = k->heap;
    uint32_t pos = k->heap_len++;
    while (pos > 0) {
        uint32_t parent = (pos - 1U) / HEAP_ARITY;
        if (!entry_less(k->slots, &e, &h[parent])) {
            break;
        }
        h[pos] = h[parent];
        pos = parent;
    }
    h[pos].t_ns = e.t_ns;
    h[pos].prio = e.prio;
    h[pos].slot = e.slot;
}

/* Index of the smallest child of pos; pos must have at least one child. */
static inline uint32_t heap_min_child(const slot_t *slots, const entry_t *h, uint32_t n,
                                      uint32_t pos) {
    uint32_t c = pos * HEAP_ARITY + 1U;
    uint32_t end = n - c < HEAP_ARITY ? n : c + HEAP_ARITY;
    uint32_t best = c;
    for (uint32_t i = c + 1U; i < end; i++) {
        best = entry_less(slots, &h[i], &h[best]) ? i : best;
    }
    return best;
}

/* Moves *moving (an entry outside h[0..n), or h[pos] itself) down from pos to its place. */
static void heap_sift_down(const slot_t *slots, entry_t *h, uint32_t n, uint32_t pos,
                           const entry_t *moving) {
    entry_t e = *moving;
    while (pos * HEAP_ARITY + 1U < n) {
        uint32_t best = heap_min_child(slots, h, n, pos);
        if (!entry_less(slots, &h[best], &e)) {
            break;
        }
        h[pos] = h[best];
        pos = best;
    }
    h[pos] = e;
}

static inline void heap_remove_root(sim_kernel_t *k) {
    uint32_t n = --k->heap_len;
    if (n > 0) {
        heap_sift_down(k->slots, k->heap, n, 0, &k->heap[n]);
    }
}

/* Restores heap order over the first n entries (Floyd: sift down from the last parent up). */
static void heap_build(sim_kernel_t *k, uint32_t n) {
    for (uint32_t i = n / HEAP_ARITY + 1U; i-- > 0;) {
        if (i < n) {
            heap_sift_down(k->slots, k->heap, n, i, &k->heap[i]);
        }
    }
}

/* Grows the heap for `extra` more entries; false when out of memory. */
static bool heap_grow(sim_kernel_t *k, uint32_t extra) {
    uint64_t cap = k->heap_cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : k->heap_cap;
    while (cap < (uint64_t)k->heap_len + extra) {
        cap *= 2U;
    }
    if (cap > UINT32_MAX || cap > SIZE_MAX / sizeof(entry_t)) {
        return false;
    }
    entry_t *p = realloc(k->heap, (size_t)cap * sizeof *p);
    if (p == NULL) {
        return false;
    }
    k->heap = p;
    k->heap_cap = (uint32_t)cap;
    return true;
}

/* Makes room for `extra` more heap entries; false when out of memory. */
static inline bool heap_reserve(sim_kernel_t *k, uint32_t extra) {
    return extra <= k->heap_cap - k->heap_len || heap_grow(k, extra);
}

/* ---- slots -------------------------------------------------------------------------------- */

static inline uint32_t slot_alloc(sim_kernel_t *k) {
    if (k->free_head != NO_SLOT) {
        uint32_t i = k->free_head;
        k->free_head = k->slots[i].next_free;
        return i;
    }
    /* Slot indices stay below UINT32_MAX so that index + 1 fits the handle's low word. */
    if (k->slot_count == k->slot_cap) {
        uint32_t cap = k->slot_cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : k->slot_cap * 2U;
        if (cap <= k->slot_cap || cap >= NO_SLOT) {
            return NO_SLOT;
        }
        slot_t *p = realloc(k->slots, (size_t)cap * sizeof *p);
        if (p == NULL) {
            return NO_SLOT;
        }
        k->slots = p;
        k->slot_cap = cap;
    }
    k->slots[k->slot_count].gen = 0;
    return k->slot_count++;
}

/* Invalidates every handle of the slot (run or cancelled). */
static inline void slot_kill(sim_kernel_t *k, uint32_t i) {
    k->slots[i].fn = NULL;
    k->slots[i].gen++;
}

/* Returns a killed slot that no entry names any more to the free list. */
static inline void slot_free(sim_kernel_t *k, uint32_t i) {
    if (k->slots[i].gen == 0) {
        return; /* retired: every generation of this slot has been handed out */
    }
    k->slots[i].next_free = k->free_head;
    k->free_head = i;
}

static slot_t *slot_from_handle(const sim_kernel_t *k, sim_event_id_t id) {
    uint32_t index = (uint32_t)(id & 0xffffffffU);
    uint32_t gen = (uint32_t)(id >> 32);
    if (index == 0 || index > k->slot_count) {
        return NULL;
    }
    slot_t *s = &k->slots[index - 1U];
    return (s->fn != NULL && s->gen == gen) ? s : NULL;
}

/* ---- the pending set ---------------------------------------------------------------------- */

static void out_of_memory(void) {
    fprintf(stderr, "alfasim: internal error: out of memory in the event queue\n");
    abort();
}

/* With the heap empty: moves the earliest far entries into it. */
static void refill(sim_kernel_t *k) {
    const entry_t *taken;
    sim_time_ns_t base_ns;
    uint32_t n = sim_radix_take(k->far, SMALL_BUCKET, &base_ns, &taken);
    /* A pop or cancel is half done here; there is no way to report failure, and no sane way on. */
    if (!heap_reserve(k, n)) {
        out_of_memory();
    }
    for (uint32_t i = 0; i < n; i++) {
        heap_push(k, taken[i]);
    }
    k->base_ns = base_ns;
    k->far_len -= n;
}

/* Restores the front rule: the heap root is live, and the heap is empty only if all is. */
static void normalize(sim_kernel_t *k) {
    for (;;) {
        if (k->heap_len == 0) {
            if (k->far_len == 0) {
                return;
            }
            refill(k);
        }
        uint32_t slot = k->heap[0].slot;
        if (k->dead == 0 || k->slots[slot].fn != NULL) {
            return;
        }
        heap_remove_root(k);
        slot_free(k, slot);
        k->dead--;
    }
}

static bool drop_if_dead(void *ctx, const entry_t *e) {
    sim_kernel_t *k = ctx;
    if (k->slots[e->slot].fn != NULL) {
        return false;
    }
    slot_free(k, e->slot);
    return true;
}

/* Drops every cancelled entry once they outnumber the live ones: O(n), so O(1) per cancel. */
static void maybe_compact(sim_kernel_t *k) {
    uint32_t stored = k->heap_len + k->far_len;
    if (stored < COMPACT_MIN_ENTRIES || (uint64_t)k->dead * 2U <= stored) {
        return;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < k->heap_len; i++) {
        if (!drop_if_dead(k, &k->heap[i])) {
            k->heap[kept++] = k->heap[i];
        }
    }
    k->heap_len = kept;
    heap_build(k, kept);
    k->far_len -= sim_radix_remove_if(k->far, drop_if_dead, k);
    k->dead = 0;
    normalize(k);
}

/*
 * Called when a small queue outgrows the heap. Its base followed the latest push, so it may lie
 * far ahead (one timer an hour out is enough) and every push before it would keep landing in
 * the heap: pull the base back to the earliest time and move everything later to far. Far is
 * empty, so the base may move. O(SMALL_HEAP), and only when the heap grows through that size
 * with far empty.
 */
static void spill(sim_kernel_t *k) {
    sim_time_ns_t base_ns = k->heap[0].t_ns;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < k->heap_len; i++) {
        const entry_t *e = &k->heap[i];
        if (e->t_ns == base_ns) {
            k->heap[kept++] = *e;
        } else if (sim_radix_add(k->far, base_ns, e->t_ns, e->prio, e->slot) == 0) {
            k->far_len++;
        } else {
            out_of_memory(); /* half moved inside a schedule call: nothing to undo it with */
        }
    }
    k->heap_len = kept;
    k->base_ns = base_ns;
    heap_build(k, kept);
}

/* Stores a new entry where its time belongs; false when out of memory (nothing stored). */
static inline bool place(sim_kernel_t *k, entry_t e) {
    if (e.t_ns > k->base_ns && k->far_len == 0 && k->heap_len < SMALL_HEAP) {
        k->base_ns = e.t_ns; /* far is empty, so the base may move freely */
    }
    if (e.t_ns <= k->base_ns) {
        if (!heap_reserve(k, 1)) {
            return false;
        }
        heap_push(k, e);
        if (k->heap_len == SMALL_HEAP && k->far_len == 0) {
            spill(k);
        }
        return true;
    }
    if (sim_radix_add(k->far, k->base_ns, e.t_ns, e.prio, e.slot) != 0) {
        return false;
    }
    k->far_len++;
    return true;
}

/* ---- public API --------------------------------------------------------------------------- */

int sim_kernel_create(uint64_t seed, sim_kernel_t **out) {
    SIM_ASSERT(out != NULL);
    *out = NULL;
    sim_kernel_t *k = calloc(1, sizeof *k);
    if (k == NULL) {
        return -SIM_ENOMEM;
    }
    k->far = sim_radix_create();
    if (k->far == NULL) {
        free(k);
        return -SIM_ENOMEM;
    }
    k->seed = seed;
    k->free_head = NO_SLOT;
    *out = k;
    return 0;
}

void sim_kernel_destroy(sim_kernel_t *k) {
    if (k == NULL) {
        return;
    }
    SIM_ASSERT(!k->dispatching);
    sim_radix_destroy(k->far);
    free(k->heap);
    free(k->slots);
    free(k);
}

sim_time_ns_t sim_kernel_now(const sim_kernel_t *k) {
    return k->now_ns;
}

uint64_t sim_kernel_seed(const sim_kernel_t *k) {
    return k->seed;
}

sim_event_id_t sim_kernel_schedule(sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio,
                                   sim_event_fn fn, void *ctx, uint64_t arg) {
    SIM_ASSERT(k != NULL);
    if (fn == NULL || t_ns < k->now_ns) {
        return 0;
    }
    /* Out of memory also schedules nothing and returns 0: to the caller it is the same failure. */
    uint32_t slot = slot_alloc(k);
    if (slot == NO_SLOT) {
        return 0;
    }
    entry_t e = {.t_ns = t_ns, .prio = prio, .slot = slot};
    slot_t *s = &k->slots[slot];
    s->seq = k->next_seq; /* before placing: the heap may compare it */
    if (!place(k, e)) {
        slot_kill(k, slot); /* never handed out; the next user gets a fresh generation anyway */
        slot_free(k, slot);
        return 0;
    }
    s->fn = fn;
    s->ctx = ctx;
    s->arg = arg;
    k->next_seq++;
    k->events_scheduled++;
    uint32_t pending = k->heap_len + k->far_len - k->dead;
    k->pending_max = pending > k->pending_max ? pending : k->pending_max;
    return ((uint64_t)s->gen << 32) | ((uint64_t)slot + 1U);
}

sim_event_id_t sim_kernel_schedule_in(sim_kernel_t *k, sim_time_ns_t delay_ns, int32_t prio,
                                      sim_event_fn fn, void *ctx, uint64_t arg) {
    if (delay_ns < 0) {
        return 0;
    }
    return sim_kernel_schedule(k, sim_time_add(k->now_ns, delay_ns), prio, fn, ctx, arg);
}

int sim_kernel_cancel(sim_kernel_t *k, sim_event_id_t id) {
    SIM_ASSERT(k != NULL);
    slot_t *s = slot_from_handle(k, id);
    if (s == NULL) {
        return -SIM_ENOENT;
    }
    slot_kill(k, (uint32_t)(s - k->slots));
    k->dead++;
    k->events_cancelled++;
    normalize(k);
    maybe_compact(k);
    return 0;
}

bool sim_kernel_pending(const sim_kernel_t *k, sim_event_id_t id) {
    return slot_from_handle(k, id) != NULL;
}

/* Pops the earliest event and runs it. The heap must not be empty. */
static inline void dispatch_next(sim_kernel_t *k) {
    entry_t top = k->heap[0];
    slot_t *s = &k->slots[top.slot];
    sim_event_fn fn = s->fn;
    void *ctx = s->ctx;
    uint64_t arg = s->arg;
    slot_kill(k, top.slot);
    slot_free(k, top.slot);
    heap_remove_root(k);
    if (k->heap_len == 0 ? k->far_len != 0 : k->dead != 0) {
        normalize(k);
    }
    SIM_ASSERT(top.t_ns >= k->now_ns); /* virtual time never goes backwards */
    k->now_ns = top.t_ns;
    k->events_run++;
    k->dispatching = true;
    fn(k, ctx, arg);
    k->dispatching = false;
}

int sim_kernel_run_until(sim_kernel_t *k, sim_time_ns_t t_end) {
    SIM_ASSERT(k != NULL);
    SIM_ASSERT(!k->dispatching); /* a callback must not run the kernel it is called from */
    /* A stop only ends the run in progress; one left over from step() must not end this one. */
    k->stop_requested = false;
    while (k->heap_len > 0 && k->heap[0].t_ns <= t_end) {
        dispatch_next(k);
        if (k->stop_requested) {
            k->stop_requested = false;
            return -SIM_ECANCELED;
        }
    }
    /* A t_end behind now (after step() went further) leaves time where it is. */
    if (t_end != SIM_TIME_NEVER && t_end > k->now_ns) {
        k->now_ns = t_end;
    }
    return 0;
}

bool sim_kernel_step(sim_kernel_t *k) {
    SIM_ASSERT(k != NULL);
    SIM_ASSERT(!k->dispatching);
    if (k->heap_len == 0) {
        return false;
    }
    dispatch_next(k);
    k->stop_requested = false; /* step runs one event anyway; a stop has nothing to end */
    return true;
}

sim_time_ns_t sim_kernel_next_time(const sim_kernel_t *k) {
    return k->heap_len > 0 ? k->heap[0].t_ns : SIM_TIME_NEVER;
}

void sim_kernel_stop(sim_kernel_t *k) {
    k->stop_requested = true;
}

void sim_kernel_stats(const sim_kernel_t *k, sim_kernel_stats_t *out) {
    out->events_run = k->events_run;
    out->events_scheduled = k->events_scheduled;
    out->events_cancelled = k->events_cancelled;
    out->pending = k->heap_len + k->far_len - k->dead;
    out->pending_max = k->pending_max;
}

void sim_kernel_prng(const sim_kernel_t *k, const char *stream_name, sim_prng_t *out) {
    sim_prng_init(out, k->seed, sim_prng_stream_id(stream_name));
}
