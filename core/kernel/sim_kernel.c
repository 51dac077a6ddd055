/*
 * sim_kernel.c: virtual time, the pending-event set and the dispatch loop.
 *
 * Pending events are split at a base time:
 *
 *   front   a sorted array of every event with t <= base_ns, in (t, prio, seq) order; the
 *           next event to run is at its head, and popping it is head++ (sim_front.c)
 *   far     every event with t > base_ns, in radix buckets (sim_radix.c): O(1) to add, and
 *           each entry is moved down a level at most once or twice before it is due
 *
 *     schedule ──t > base──▶ far: bucket append, no comparison
 *         │                   │ front empty: take the earliest bucket(s), base moves up
 *         │                   ▼
 *         └──t <= base──▶ front: insertion in order ──▶ head++ ──▶ callback
 *
 * A take returns its entries in groups in time order (runs of small buckets, or one larger
 * bucket sorted on its lower digits), so sorting them into the front costs about one predictable
 * comparison per entry; a push before the base (an event scheduled between now and a base that a
 * take moved ahead) is inserted in order, usually an append at the tail. The set is exact for any
 * time; the kernel's times being monotone is what makes it fast. While far is empty, a small queue
 * lives in the front alone (the base follows the latest push, so a push is an append at the tail),
 * which is what a handful of timers costs: no bucket round trip at all.
 *
 * Outside the kernel's own calls the front is empty only when far is, and its head is live:
 * next_time is O(1) and run_until never looks into the buckets.
 *
 * The lane. When a frame ends, every node's inbox event is scheduled for now while a large
 * bucket is being run: each would be inserted in the middle of a long front, behind the ones
 * before it, moving them all (quadratic in the nodes). Such an event goes to the lane instead, a
 * second sorted array that only ever holds events for the current instant, so it is sorted by
 * (prio, seq) and an insert is an append. Dispatch takes the earlier of the two heads, and time
 * cannot move on while the lane holds anything (its events are at now, before everything else),
 * so the order is exactly the one a single queue would give.
 *
 * The batch. Even in the lane, each of a frame's 125 deliveries costs a slot, an entry, a pop and
 * a dispatch. sim_kernel_schedule_joined puts same-instant, same-priority events for one callback
 * that are scheduled back to back (nothing else in between, so their seqs are consecutive) into
 * one batch behind one entry, which stands for the next member to run with that member's seq.
 * Only events scheduled while the batch runs can come before a member, so after each member the
 * batch checks the two heads; when one comes first, the entry goes back into the queue at the
 * next member's (older) seq, which is why the lane inserts by (prio, seq) and not by prio alone.
 * Every member counts as an event; the entry does not.
 *
 * Callback data sits in a slot table; front and bucket entries carry only the key and a slot:
 *
 *   handle = gen << 32 | (slot + 1)        (never 0)
 *
 * A slot is live while fn != NULL. Running or cancelling an event clears fn and bumps gen, so
 * every handle for it goes stale at once; a slot whose gen wraps is retired, never reused.
 * Generations live in their own array: a slot is then 32 bytes, two to a cache line and never
 * straddling one, and dispatch touches one line of it. Cancellation is lazy: the entry stays
 * where it is and is dropped when it reaches the head of the front (the head is always kept
 * live) or when cancelled entries come to outnumber live ones and everything is compacted in
 * O(n), which keeps memory within twice the live set.
 *
 * Dispatch pops one event at a time, so an event scheduled by a callback for the current instant
 * takes its place in the (time, prio, seq) order behind everything already due, and cancelling an
 * event due now stops it: the front is the ready list.
 */
#include "sim_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_front.h"
#include "sim_kernel_int.h"
#include "sim_radix.h"

/* Sizes measured on a "hold" workload (pop one, schedule one) from 16 to 64k pending events. */
#define SMALL_FRONT         32U /* while far is empty, up to this many events live in the front */
#define SMALL_TAKE          8U  /* runs of small buckets up to this many entries are taken whole */
#define COMPACT_MIN_ENTRIES 64U
#define INITIAL_CAPACITY    16U
#define NO_SLOT             UINT32_MAX

typedef sim_entry_t entry_t;
typedef sim_slot_t slot_t;

/* The batch (sim_kernel_schedule_joined): members [next, len) are pending; member i's place in
 * the order is (t_ns, prio, seq0 + i). One queue entry stands for member `next`. */
typedef struct {
    void *ctx;
    uint64_t arg;
    bool cancelled; /* sim_kernel_cancel_joined: skipped, not run */
} batch_member_t;

typedef struct {
    sim_event_fn fn; /* the members' callback; NULL while no batch is pending */
    int32_t prio;
    sim_time_ns_t t_ns;
    uint64_t seq0;
    uint32_t next, len, cap;
    batch_member_t *m;
} batch_t;

struct sim_kernel {
    sim_time_ns_t now_ns;
    sim_time_ns_t base_ns; /* the front holds t <= base_ns, far holds t > base_ns */
    uint64_t next_seq;

    sim_front_t front; /* the sorted front: front.e[front.head] runs next, unless the lane's */
    sim_front_t lane;  /* events for now that would have landed inside a long front */
    uint32_t far_len;  /* entries in far (mirrors its count, read on every push) */
    uint32_t dead;     /* cancelled entries still stored, in the front or far */
    uint32_t live;     /* scheduled, not yet run or cancelled */
    sim_radix_t *far;

    slot_t *slots;
    uint32_t *gen;  /* generation of the handle that names each slot now */
    uint32_t *free; /* free slots, a stack: free[free_len - 1] is reused next */
    uint32_t free_len;
    uint32_t slot_count;
    uint32_t slot_cap;

    bool dispatching; /* inside a callback: run_until/step/destroy would re-enter */
    bool stop_requested;
    bool stepping; /* inside sim_kernel_step: a batch runs one member per call */

    uint64_t seed;
    uint64_t events_run;
    uint64_t events_scheduled;
    uint64_t events_cancelled;
    uint32_t pending_max;

    batch_t batch; /* last: only frames' deliveries touch it */
};

static inline void prefetch(const void *p) {
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

/* HOT_ENTRY: the two functions every event goes through start on a cache line. Where they
 * happened to land moved the small hold benchmarks by 4 % from one unrelated change to the next
 * (the batch code added below them shifted them by a few hundred bytes). */
#if defined(__GNUC__)
#define NOINLINE      __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define HOT_ENTRY     __attribute__((aligned(64)))
#else
#define NOINLINE
#define ALWAYS_INLINE inline
#define HOT_ENTRY
#endif

static _Noreturn void out_of_memory(void) {
    fprintf(stderr, "alfasim: internal error: out of memory in the event queue\n");
    abort();
}

/* ---- slots -------------------------------------------------------------------------------- */

/* Adds a never-used slot; NO_SLOT when out of memory or out of indices. */
static uint32_t slot_new(sim_kernel_t *k) {
    /* Slot indices stay below UINT32_MAX so that index + 1 fits the handle's low word. */
    if (k->slot_count == k->slot_cap) {
        uint32_t cap = k->slot_cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : k->slot_cap * 2U;
        if (cap <= k->slot_cap || cap >= NO_SLOT) {
            return NO_SLOT;
        }
        slot_t *s = realloc(k->slots, (size_t)cap * sizeof *s);
        if (s != NULL) {
            k->slots = s;
        }
        uint32_t *g = realloc(k->gen, (size_t)cap * sizeof *g);
        if (g != NULL) {
            k->gen = g;
        }
        uint32_t *f = realloc(k->free, (size_t)cap * sizeof *f);
        if (f != NULL) {
            k->free = f;
        }
        if (s == NULL || g == NULL || f == NULL) {
            return NO_SLOT;
        }
        k->slot_cap = cap;
    }
    k->gen[k->slot_count] = 0;
    return k->slot_count++;
}

/* The free slots are a stack of indices, not a list threaded through the slots: popping a list
 * reads the slot it hands out to find the next, and a frame delivered to 125 nodes takes 125
 * slots in a row, most of them freed long ago and out of the cache, one dependent miss after
 * another. */
static inline uint32_t slot_alloc(sim_kernel_t *k) {
    if (k->free_len == 0) {
        return slot_new(k);
    }
    return k->free[--k->free_len];
}

/* Starts fetching what dispatching the slot's event will touch: the slot and its generation. */
static inline void prefetch_slot(const sim_kernel_t *k, uint32_t i) {
    prefetch(&k->slots[i]);
    prefetch(&k->gen[i]);
}

/* Invalidates every handle of the slot (run or cancelled). */
static inline void slot_kill(sim_kernel_t *k, uint32_t i) {
    k->slots[i].fn = NULL;
    k->gen[i]++;
}

/* Returns a killed slot that no entry names any more to the free list. */
static inline void slot_free(sim_kernel_t *k, uint32_t i) {
    if (k->gen[i] == 0) {
        return; /* retired: every generation of this slot has been handed out */
    }
    k->free[k->free_len++] = i; /* room: each slot is on the stack at most once */
}

static slot_t *slot_from_handle(const sim_kernel_t *k, sim_event_id_t id) {
    uint32_t index = (uint32_t)(id & 0xffffffffU);
    uint32_t gen = (uint32_t)(id >> 32);
    if (index == 0 || index > k->slot_count) {
        return NULL;
    }
    slot_t *s = &k->slots[index - 1U];
    return (s->fn != NULL && k->gen[index - 1U] == gen) ? s : NULL;
}

/* ---- the pending set ---------------------------------------------------------------------- */

/* With the front empty: moves the earliest far entries into it, sorted. */
static void refill(sim_kernel_t *k) {
    const entry_t *taken;
    sim_time_ns_t base_ns;
    uint32_t n = sim_radix_take(k->far, SMALL_TAKE, &base_ns, &taken);
    /* A pop or cancel is half done here; there is no way to report failure, and no sane way on. */
    if (!sim_front_fill(&k->front, k->slots, taken, n)) {
        out_of_memory();
    }
    k->base_ns = base_ns;
    k->far_len -= n;
}

/* Drops cancelled entries at the lane's head; an emptied lane starts again at slot 0, so that
 * lane.tail == 0 is the one test the hot paths make for "no lane". */
static inline void normalize_lane(sim_kernel_t *k) {
    sim_front_t *l = &k->lane;
    if (l->tail == 0) {
        return;
    }
    while (k->dead != 0 && l->head != l->tail && k->slots[l->e[l->head].slot].fn == NULL) {
        slot_free(k, l->e[l->head++].slot);
        k->dead--;
    }
    if (l->head == l->tail) {
        l->head = l->tail = 0;
    }
}

/* Restores the front rules: its head is live, and it is empty only if far is. */
static void normalize(sim_kernel_t *k) {
    for (;;) {
        if (k->front.head == k->front.tail) {
            if (k->far_len == 0) {
                return;
            }
            refill(k);
        }
        uint32_t slot = k->front.e[k->front.head].slot;
        if (k->dead == 0 || k->slots[slot].fn != NULL) {
            return;
        }
        k->front.head++;
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

/* A stable filter: what stays keeps its order. */
static void compact_sorted(sim_kernel_t *k, sim_front_t *f) {
    uint32_t kept = f->head;
    for (uint32_t i = f->head; i < f->tail; i++) {
        if (!drop_if_dead(k, &f->e[i])) {
            f->e[kept++] = f->e[i];
        }
    }
    f->tail = kept;
}

/* Drops every cancelled entry once they outnumber the live ones: O(n), so O(1) per cancel. */
static void maybe_compact(sim_kernel_t *k) {
    uint32_t stored = sim_front_len(&k->front) + sim_front_len(&k->lane) + k->far_len;
    if (stored < COMPACT_MIN_ENTRIES || (uint64_t)k->dead * 2U <= stored) {
        return;
    }
    compact_sorted(k, &k->front);
    compact_sorted(k, &k->lane);
    k->far_len -= sim_radix_remove_if(k->far, drop_if_dead, k);
    k->dead = 0;
    normalize(k);
    normalize_lane(k);
}

/*
 * Called when a small queue outgrows the front. Its base followed the latest push, so it may lie
 * far ahead (one timer an hour out is enough) and every push before it would keep landing in
 * the front: pull the base back to the earliest time and move everything later to far. Far is
 * empty, so the base may move. O(SMALL_FRONT), and only when the front grows through that size
 * with far empty.
 */
static void spill(sim_kernel_t *k) {
    sim_front_t *f = &k->front;
    sim_time_ns_t base_ns = f->e[f->head].t_ns;
    uint32_t keep = f->head;
    while (keep < f->tail && f->e[keep].t_ns == base_ns) {
        keep++;
    }
    for (uint32_t i = keep; i < f->tail; i++) {
        const entry_t *e = &f->e[i];
        if (sim_radix_add(k->far, base_ns, e->t_ns, e->prio, e->slot) != 0) {
            out_of_memory(); /* half moved inside a schedule call: nothing to undo it with */
        }
    }
    k->far_len += f->tail - keep;
    f->tail = keep;
    k->base_ns = base_ns;
}

/* An event for now goes to the lane when the lane is in use, or when it would land inside a long
 * front (its seq is the largest, so only time and priority can put it before the tail). */
static inline bool lane_wanted(const sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio) {
    if (k->lane.tail != 0) {
        return true;
    }
    const sim_front_t *f = &k->front;
    if (sim_front_len(f) <= SIM_FRONT_LINEAR_MAX) {
        return false;
    }
    const entry_t *last = &f->e[f->tail - 1U];
    return last->t_ns > t_ns || (last->t_ns == t_ns && last->prio > prio);
}

/* Out of line: the lane is for bursts of same-instant events, and its code would only crowd
 * the schedule path that every other event takes. */
NOINLINE static bool lane_place(sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio, uint32_t slot) {
    sim_front_t *l = &k->lane;
    if (!sim_front_reserve(l, 1)) {
        return false;
    }
    /* All at now, so (prio, seq) decides. A new event's seq is the largest and only a higher
     * priority value moves it back; a batch placed again keeps an older seq (batch_yield). */
    entry_t x = {.t_ns = t_ns, .prio = prio, .slot = slot};
    uint32_t pos = l->tail++;
    while (pos > l->head && sim_entry_less(k->slots, &x, &l->e[pos - 1U])) {
        l->e[pos] = l->e[pos - 1U];
        pos--;
    }
    l->e[pos] = x;
    return true;
}

/* Stores a new entry where its time belongs; false when out of memory (nothing stored). */
static ALWAYS_INLINE bool place(sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio, uint32_t slot) {
    if (t_ns == k->now_ns && lane_wanted(k, t_ns, prio)) {
        return lane_place(k, t_ns, prio, slot);
    }
    if (t_ns > k->base_ns) {
        if (k->far_len != 0 || sim_front_len(&k->front) >= SMALL_FRONT) {
            if (sim_radix_add(k->far, k->base_ns, t_ns, prio, slot) != 0) {
                return false;
            }
            k->far_len++;
            return true;
        }
        k->base_ns = t_ns; /* far is empty, so the base may move freely */
    }
    if (!sim_front_reserve(&k->front, 1)) {
        return false;
    }
    sim_front_insert(&k->front, k->slots, t_ns, prio, slot);
    if (sim_front_len(&k->front) == SMALL_FRONT && k->far_len == 0) {
        spill(k);
    }
    return true;
}

/* Stores an event with the given seq (the next one, or a batch member's older one) and returns
 * its slot; NO_SLOT when out of memory (nothing stored). */
static ALWAYS_INLINE uint32_t enqueue(sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio,
                                      uint64_t seq, sim_event_fn fn, void *ctx, uint64_t arg) {
    uint32_t slot = slot_alloc(k);
    if (slot == NO_SLOT) {
        return NO_SLOT;
    }
    slot_t *s = &k->slots[slot];
    s->seq = seq; /* before placing: the front and the lane may compare it */
    if (!place(k, t_ns, prio, slot)) {
        slot_kill(k, slot); /* never handed out; the next user gets a fresh generation anyway */
        slot_free(k, slot);
        return NO_SLOT;
    }
    s->fn = fn;
    s->ctx = ctx;
    s->arg = arg;
    return slot;
}

/* One more pending event took the next seq. */
static inline void count_scheduled(sim_kernel_t *k) {
    k->next_seq++;
    k->events_scheduled++;
    k->live++;
    k->pending_max = k->live > k->pending_max ? k->live : k->pending_max;
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
    *out = k;
    return 0;
}

void sim_kernel_destroy(sim_kernel_t *k) {
    if (k == NULL) {
        return;
    }
    SIM_ASSERT(!k->dispatching);
    sim_radix_destroy(k->far);
    free(k->front.e);
    free(k->lane.e);
    free(k->slots);
    free(k->gen);
    free(k->free);
    free(k->batch.m);
    free(k);
}

sim_time_ns_t sim_kernel_now(const sim_kernel_t *k) {
    return k->now_ns;
}

uint64_t sim_kernel_seed(const sim_kernel_t *k) {
    return k->seed;
}

HOT_ENTRY sim_event_id_t sim_kernel_schedule(sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio,
                                             sim_event_fn fn, void *ctx, uint64_t arg) {
    SIM_ASSERT(k != NULL);
    if (fn == NULL || t_ns < k->now_ns) {
        return 0;
    }
    /* Out of memory also schedules nothing and returns 0: to the caller it is the same failure. */
    uint32_t slot = enqueue(k, t_ns, prio, k->next_seq, fn, ctx, arg);
    if (slot == NO_SLOT) {
        return 0;
    }
    count_scheduled(k);
    return ((uint64_t)k->gen[slot] << 32) | ((uint64_t)slot + 1U);
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
    k->live--;
    k->events_cancelled++;
    normalize(k);
    normalize_lane(k);
    maybe_compact(k);
    return 0;
}

bool sim_kernel_pending(const sim_kernel_t *k, sim_event_id_t id) {
    return slot_from_handle(k, id) != NULL;
}

/* The queue whose head runs next: the lane when it holds something that comes first. */
static inline sim_front_t *next_queue(sim_kernel_t *k) {
    sim_front_t *l = &k->lane;
    if (l->tail == 0) {
        return &k->front;
    }
    if (k->front.head == k->front.tail ||
        sim_entry_less(k->slots, &l->e[l->head], &k->front.e[k->front.head])) {
        return l;
    }
    return &k->front;
}

static inline bool any_pending(const sim_kernel_t *k) {
    return k->front.head != k->front.tail || k->lane.tail != 0;
}

/* Pops the earliest event and runs it. Something must be pending. Inlined into the run loop,
 * which is most of what the kernel costs per event. */
static ALWAYS_INLINE void dispatch_next(sim_kernel_t *k) {
    sim_front_t *q = next_queue(k);
    entry_t top = q->e[q->head++];
    slot_t *s = &k->slots[top.slot];
    sim_event_fn fn = s->fn;
    void *ctx = s->ctx;
    uint64_t arg = s->arg;
    slot_kill(k, top.slot);
    slot_free(k, top.slot);
    k->live--;
    const sim_front_t *l = &k->lane;
    if (l->head + 1U < l->tail) {
        /* A frame's deliveries: the lane's head is read just below (whether it was cancelled)
         * and the one after it in the next dispatch. Their slots were written at the frame's
         * end, and each delivery in between runs a different node's firmware, which pushes
         * them out of the cache: fetch one event ahead, so the miss overlaps a callback. */
        prefetch_slot(k, l->e[l->head + 1U].slot);
    }
    if (k->front.head == k->front.tail ? k->far_len != 0 : k->dead != 0) {
        normalize(k);
    }
    normalize_lane(k);
    if (k->front.head < k->front.tail) {
        /* The next event's slot was written when it was scheduled, often thousands of events
         * ago: start fetching it now, so the miss overlaps this callback instead of the next
         * dispatch. (Its generation too would cost the small queues more than it saves.) */
        prefetch(&k->slots[k->front.e[k->front.head].slot]);
    }
    SIM_ASSERT(top.t_ns >= k->now_ns); /* virtual time never goes backwards */
    k->now_ns = top.t_ns;
    k->events_run++;
    k->dispatching = true;
    fn(k, ctx, arg);
    k->dispatching = false;
}

HOT_ENTRY int sim_kernel_run_until(sim_kernel_t *k, sim_time_ns_t t_end) {
    SIM_ASSERT(k != NULL);
    SIM_ASSERT(!k->dispatching); /* a callback must not run the kernel it is called from */
    /* A stop only ends the run in progress; one left over from step() must not end this one. */
    k->stop_requested = false;
    while ((k->front.head < k->front.tail && k->front.e[k->front.head].t_ns <= t_end) ||
           (k->lane.tail != 0 && k->lane.e[k->lane.head].t_ns <= t_end)) {
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
    if (!any_pending(k)) {
        return false;
    }
    k->stepping = true;
    dispatch_next(k);
    k->stepping = false;
    k->stop_requested = false; /* step runs one event anyway; a stop has nothing to end */
    return true;
}

sim_time_ns_t sim_kernel_next_time(const sim_kernel_t *k) {
    if (k->lane.tail != 0) {
        return k->lane.e[k->lane.head].t_ns; /* now: nothing pending is earlier */
    }
    return sim_front_len(&k->front) > 0 ? k->front.e[k->front.head].t_ns : SIM_TIME_NEVER;
}

void sim_kernel_stop(sim_kernel_t *k) {
    k->stop_requested = true;
}

void sim_kernel_stats(const sim_kernel_t *k, sim_kernel_stats_t *out) {
    out->events_run = k->events_run;
    out->events_scheduled = k->events_scheduled;
    out->events_cancelled = k->events_cancelled;
    out->pending = k->live;
    out->pending_max = k->pending_max;
}

/* ---- batches ------------------------------------------------------------------------------ */

/* e comes before the key (t, prio, seq). */
static bool entry_before(const sim_kernel_t *k, const entry_t *e, sim_time_ns_t t_ns, int32_t prio,
                         uint64_t seq) {
    if (e->t_ns != t_ns) {
        return e->t_ns < t_ns;
    }
    if (e->prio != prio) {
        return e->prio < prio;
    }
    return k->slots[e->slot].seq < seq;
}

/* Something pending comes before the key. Only the two heads can: far holds later times. A
 * cancelled head answers yes at worst, and a batch that gives way needlessly loses nothing. */
static bool pending_before(const sim_kernel_t *k, sim_time_ns_t t_ns, int32_t prio, uint64_t seq) {
    const sim_front_t *l = &k->lane, *f = &k->front;
    return (l->head < l->tail && entry_before(k, &l->e[l->head], t_ns, prio, seq)) ||
           (f->head < f->tail && entry_before(k, &f->e[f->head], t_ns, prio, seq));
}

static void batch_run(sim_kernel_t *k, void *ctx, uint64_t arg);

/* Queues the batch's entry, standing for member `next` with that member's seq: an old seq when
 * the batch gives way, so the entry goes back exactly where the member's own event would be.
 * False when out of memory (nothing queued). */
static bool batch_queue(sim_kernel_t *k) {
    const batch_t *b = &k->batch;
    return enqueue(k, b->t_ns, b->prio, b->seq0 + b->next, batch_run, k, 0) != NO_SLOT;
}

/* The batch's entry: runs members in order for as long as nothing pending comes before the next
 * one, as if each were its own event. The entry is not an event of its own: dispatch counted it
 * as one, and the members it runs are counted instead. */
static void batch_run(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)ctx;
    (void)arg;
    batch_t *b = &k->batch;
    k->live++;
    k->events_run--;
    for (bool first = true; b->next < b->len; b->next++) {
        if (b->m[b->next].cancelled) {
            continue; /* counted when cancelled */
        }
        /* The entry came off the queue first: nothing pending comes before its first member to
         * run (only members lie between it and the entry's place). After that, a callback may
         * have scheduled something that does, asked the run to stop, or the caller steps one
         * event at a time: give way, keeping this member's place. */
        if (!first && (k->stop_requested || k->stepping ||
                       pending_before(k, b->t_ns, b->prio, b->seq0 + b->next))) {
            if (!batch_queue(k)) {
                out_of_memory(); /* members would be lost, and a callback cannot fail */
            }
            return;
        }
        first = false;
        k->live--;
        k->events_run++;
        batch_member_t m = b->m[b->next]; /* a copy: the callback may join more members */
        b->m[b->next].cancelled = true;   /* run: a cancel from here on finds nothing */
        if (b->next + 1U < b->len) {
            prefetch(b->m[b->next + 1U].ctx); /* the next member's context, often cold (a node) */
        }
        b->fn(k, m.ctx, m.arg);
    }
    b->fn = NULL;
    b->next = b->len = 0;
}

sim_event_id_t sim_kernel_schedule_joined(sim_kernel_t *k, int32_t prio, sim_event_fn fn, void *ctx,
                                          uint64_t arg) {
    SIM_ASSERT(k != NULL);
    batch_t *b = &k->batch;
    if (fn == NULL) {
        return 0;
    }
    bool join =
        b->fn == fn && b->prio == prio && b->t_ns == k->now_ns && b->seq0 + b->len == k->next_seq;
    if (b->fn != NULL && !join) {
        return sim_kernel_schedule(k, k->now_ns, prio, fn, ctx, arg); /* the batch is another's */
    }
    if (b->len == b->cap) {
        uint32_t cap = b->cap < INITIAL_CAPACITY ? INITIAL_CAPACITY : b->cap * 2U;
        batch_member_t *m = cap > b->cap ? realloc(b->m, (size_t)cap * sizeof *m) : NULL;
        if (m == NULL) {
            return 0;
        }
        b->m = m;
        b->cap = cap;
    }
    if (!join) {
        *b = (batch_t){.fn = fn,
                       .prio = prio,
                       .t_ns = k->now_ns,
                       .seq0 = k->next_seq,
                       .cap = b->cap,
                       .m = b->m};
        if (!batch_queue(k)) {
            b->fn = NULL;
            return 0;
        }
    }
    b->m[b->len++] = (batch_member_t){.ctx = ctx, .arg = arg, .cancelled = false};
    count_scheduled(k);
    return SIM_EVENT_JOINED;
}

uint32_t sim_kernel_cancel_joined(sim_kernel_t *k, sim_event_fn fn, const void *ctx) {
    batch_t *b = &k->batch;
    uint32_t n = 0;
    for (uint32_t i = b->next; b->fn == fn && fn != NULL && i < b->len; i++) {
        if (!b->m[i].cancelled && b->m[i].ctx == ctx) {
            b->m[i].cancelled = true;
            n++;
        }
    }
    k->live -= n;
    k->events_cancelled += n;
    return n;
}

void sim_kernel_prng(const sim_kernel_t *k, const char *stream_name, sim_prng_t *out) {
    sim_prng_init(out, k->seed, sim_prng_stream_id(stream_name));
}
