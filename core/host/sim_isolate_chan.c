/*
 * sim_isolate_chan.c: the shared-memory channel of an isolated node (sim_isolate_chan.h).
 *
 * Each ring has a head (bytes written, moved by the writer) and a tail (bytes read, moved by the
 * reader); both are free-running 32-bit counters and the capacities are powers of two, so
 * head - tail is the fill level across wrap-around. The counters double as futex words: a reader
 * with nothing to read sleeps on head, a writer with no room on tail.
 *
 * No lost wake-up: a side about to sleep first raises its "waits" flag, then looks at the word
 * once more, and the kernel compares the word again as it queues the sleeper. The other side
 * moves the word, then looks at the flag. With a full fence between the store and the load on
 * each side, at least one of them sees the other's store: either the sleeper sees the new word
 * and does not sleep, or the mover sees the flag and wakes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_isolate_chan.h"

/* Down carries batches (up to SIM_ISO_DOWN_MAX each, an NVS image may precede one); up carries
 * the child's output buffer, flushed in pieces of at most 16 KiB. */
#define DOWN_CAP (256u * 1024u)
#define UP_CAP   (64u * 1024u)
/* How many times a reader yields its processor before it sleeps (linger() says why). Measured on
 * the s4 workload: 10 to 50 all cut the futex sleeps of the host by two orders of magnitude;
 * more only burns time when the data is far off. */
#define LINGER_YIELDS 20u
/* While it waits, the host looks at the process itself this often (a death word the child
 * spoiled before dying still ends the wait; without futex_waitv, every death is found so). */
#define POLL_NS (20 * 1000 * 1000L)

typedef struct {
    _Alignas(64) _Atomic uint32_t head;
    _Atomic uint32_t reader_waits;
    _Alignas(64) _Atomic uint32_t tail;
    _Atomic uint32_t writer_waits;
} ring_t;

struct sim_iso_shm {
    ring_t down, up;
    _Alignas(64) _Atomic uint32_t life; /* the child's tid | FUTEX_WAITERS while it lives */
    _Atomic uint32_t child_yields;      /* how long the child lingers (set by the host) */
    struct robust_list life_entry;
    _Alignas(64) uint8_t down_data[DOWN_CAP];
    uint8_t up_data[UP_CAP];
};

struct sim_iso_chan {
    sim_iso_shm_t *shm;
    struct robust_list_head robust; /* the kernel reads it when the child dies */
};

static long futex_wake(_Atomic uint32_t *word) {
    return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* ---- both ends ------------------------------------------------------------------------------- */

/* Before sleeping, a reader lingers: it gives its processor away (sched_yield) a few times,
 * looking for its data in between. Data often follows within microseconds of wall time: the
 * child's reply to a short batch, or the node's next batch (a millisecond of simulated time
 * between two bytes of a Modbus reply passes in about a microsecond at 1,000x). Found there, it
 * costs no futex call on either side, and above all no wake-up of a processor that went idle,
 * the dearest part of a round trip on a virtual machine. Yielding rather than spinning on the
 * spot matters on a small machine: the peer this side waits for may need this very processor,
 * and a yield hands it over at once, while it costs one quick system call when nothing else
 * wants to run. True when the word moved. */
static bool linger(_Atomic uint32_t *word, uint32_t seen, uint32_t yields) {
    for (uint32_t i = 0; i < yields; i++) {
        if (atomic_load_explicit(word, memory_order_acquire) != seen) {
            return true;
        }
        sched_yield();
    }
    return atomic_load_explicit(word, memory_order_acquire) != seen;
}

/* An empty part may come with a NULL pointer, which memcpy must never be given. */
static void copy_in(uint8_t *ring, uint32_t cap, uint32_t at, const uint8_t *p, size_t len) {
    if (len == 0) {
        return;
    }
    uint32_t off = at & (cap - 1u);
    size_t first = len < cap - off ? len : cap - off;
    memcpy(ring + off, p, first);
    if (len > first) {
        memcpy(ring, p + first, len - first);
    }
}

static void copy_out(const uint8_t *ring, uint32_t cap, uint32_t at, uint8_t *p, size_t len) {
    uint32_t off = at & (cap - 1u);
    size_t first = len < cap - off ? len : cap - off;
    memcpy(p, ring + off, first);
    if (len > first) {
        memcpy(p + first, ring, len - first);
    }
}

/* Moves a counter and wakes a peer that sleeps on it. */
static void publish(_Atomic uint32_t *word, uint32_t value, _Atomic uint32_t *waits) {
    atomic_store_explicit(word, value, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(waits, memory_order_relaxed) != 0) {
        futex_wake(word);
    }
}

/* ---- the host end ---------------------------------------------------------------------------- */

sim_iso_shm_t *sim_iso_shm_create(void) {
    void *p = mmap(NULL, sizeof(sim_iso_shm_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p; /* zero-filled: empty rings, no waiters, no life */
}

void sim_iso_shm_seal(sim_iso_shm_t *shm) {
    /* A shared mapping is inherited by every fork: without this, the firmware of a node started
     * later could write into this node's rings. */
    (void)madvise(shm, sizeof *shm, MADV_DONTFORK);
}

void sim_iso_shm_destroy(sim_iso_shm_t *shm) {
    if (shm != NULL) {
        munmap(shm, sizeof *shm);
    }
}

void sim_iso_host_linger(sim_iso_host_end_t *h, bool on) {
    atomic_store_explicit(&h->shm->child_yields, on ? LINGER_YIELDS : 0u, memory_order_relaxed);
}

bool sim_iso_host_reap(sim_iso_host_end_t *h, bool block) {
    if (!h->dead) {
        int status = 0;
        pid_t rc;
        do {
            rc = waitpid(h->pid, &status, block ? 0 : WNOHANG);
        } while (rc < 0 && errno == EINTR);
        if (rc == h->pid || rc < 0) {
            h->status = rc == h->pid ? status : -1;
            h->dead = true;
        }
    }
    return h->dead;
}

static struct timespec deadline_after(uint32_t ms) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += (time_t)(ms / 1000u);
    t.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static bool before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* futex_waitv is missing before Linux 5.16 and under valgrind. Without it the host sleeps on its
 * data word alone, for at most POLL_NS at a time, and finds a death by looking at the process. */
static _Atomic bool no_waitv;

static void sleep_on(sim_iso_host_end_t *h, _Atomic uint32_t *word, uint32_t seen,
                     const struct timespec *until) {
    uint32_t alive = (uint32_t)h->pid | FUTEX_WAITERS;
    if (atomic_load(&h->shm->life) != alive) {
        /* Dead, or the firmware spoiled the word: the process itself will tell, soon. */
        struct timespec nap = {0, 1000000L};
        syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, &nap, NULL, 0);
        return;
    }
    if (!atomic_load_explicit(&no_waitv, memory_order_relaxed)) {
        struct futex_waitv w[2] = {
            {.val = seen, .uaddr = (uintptr_t)word, .flags = FUTEX_32},
            {.val = alive, .uaddr = (uintptr_t)&h->shm->life, .flags = FUTEX_32},
        };
        if (syscall(SYS_futex_waitv, w, 2u, 0u, until, CLOCK_MONOTONIC) >= 0 || errno != ENOSYS) {
            return;
        }
        atomic_store_explicit(&no_waitv, true, memory_order_relaxed);
    }
    struct timespec slice = {0, POLL_NS};
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, &slice, NULL, 0);
}

/* Sleeps until `word` moves from `seen`, the child dies, the poll period passes or the deadline
 * (set on the first sleep of a wait) comes. -SIM_ECANCELED once the deadline has passed. */
static int host_sleep(sim_iso_host_end_t *h, _Atomic uint32_t *word, uint32_t seen,
                      _Atomic uint32_t *waits, struct timespec *deadline, bool *armed) {
    if (!*armed) {
        *deadline = deadline_after(h->timeout_ms);
        *armed = true;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!before(&now, deadline)) {
        return -SIM_ECANCELED;
    }
    struct timespec until = now;
    until.tv_nsec += POLL_NS;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (before(deadline, &until)) {
        until = *deadline;
    }
    atomic_store(waits, 1u);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(word) == seen) {
        sleep_on(h, word, seen, &until);
    }
    atomic_store(waits, 0u);
    if (atomic_load(word) == seen) {
        (void)sim_iso_host_reap(h, false); /* woken by a death, or the period ran out */
    }
    return 0;
}

int sim_iso_host_write(sim_iso_host_end_t *h, const void *const *parts, const size_t *lens,
                       unsigned n_parts) {
    ring_t *r = &h->shm->down;
    size_t len = 0;
    for (unsigned i = 0; i < n_parts; i++) {
        len += lens[i];
    }
    SIM_ASSERT(len <= DOWN_CAP);
    struct timespec deadline;
    bool armed = false;
    for (;;) {
        uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        uint32_t used = h->down_head - tail;
        if (used > DOWN_CAP) {
            return -SIM_EFORMAT;
        }
        if (DOWN_CAP - used >= len) {
            break;
        }
        if (sim_iso_host_reap(h, false)) {
            return -SIM_EIO;
        }
        int rc = host_sleep(h, &r->tail, tail, &r->writer_waits, &deadline, &armed);
        if (rc != 0) {
            return rc;
        }
    }
    uint32_t at = h->down_head;
    for (unsigned i = 0; i < n_parts; i++) {
        copy_in(h->shm->down_data, DOWN_CAP, at, parts[i], lens[i]);
        at += (uint32_t)lens[i];
    }
    h->down_head = at;
    publish(&r->head, at, &r->reader_waits);
    return 0;
}

long sim_iso_host_read(sim_iso_host_end_t *h, void *buf, size_t cap) {
    ring_t *r = &h->shm->up;
    struct timespec deadline;
    bool armed = false;
    for (;;) {
        uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
        uint32_t avail = head - h->up_tail;
        if (avail > UP_CAP) {
            return -SIM_EFORMAT;
        }
        if (avail > 0) {
            size_t n = avail < cap ? avail : cap;
            copy_out(h->shm->up_data, UP_CAP, h->up_tail, buf, n);
            h->up_tail += (uint32_t)n;
            publish(&r->tail, h->up_tail, &r->writer_waits);
            return (long)n;
        }
        if (h->dead) {
            return -SIM_EIO; /* everything it wrote before dying has been read */
        }
        if (!armed && linger(&r->head, head, LINGER_YIELDS)) {
            continue;
        }
        int rc = host_sleep(h, &r->head, head, &r->reader_waits, &deadline, &armed);
        if (rc != 0) {
            return rc;
        }
    }
}

/* ---- the child end --------------------------------------------------------------------------- */

sim_iso_chan_t *sim_iso_chan_attach(sim_iso_shm_t *shm) {
    static sim_iso_chan_t chan; /* one per child process */
    chan.shm = shm;
    atomic_store(&shm->life, (uint32_t)getpid() | FUTEX_WAITERS);
    shm->life_entry.next = &chan.robust.list;
    chan.robust.list.next = &shm->life_entry;
    chan.robust.futex_offset = (long)((char *)&shm->life - (char *)&shm->life_entry);
    chan.robust.list_op_pending = NULL;
    syscall(SYS_set_robust_list, &chan.robust, sizeof chan.robust);
    return &chan;
}

static void child_sleep(_Atomic uint32_t *word, uint32_t seen, _Atomic uint32_t *waits) {
    atomic_store(waits, 1u);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(word) == seen) {
        syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, NULL, NULL, 0);
    }
    atomic_store(waits, 0u);
}

void sim_iso_chan_write(sim_iso_chan_t *c, const void *p, size_t len) {
    ring_t *r = &c->shm->up;
    const uint8_t *bytes = p;
    uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    while (len > 0) {
        uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        uint32_t room = UP_CAP - (head - tail);
        if (room == 0) {
            child_sleep(&r->tail, tail, &r->writer_waits);
            continue;
        }
        size_t n = len < room ? len : room;
        copy_in(c->shm->up_data, UP_CAP, head, bytes, n);
        head += (uint32_t)n;
        bytes += n;
        len -= n;
        publish(&r->head, head, &r->reader_waits);
    }
}

size_t sim_iso_chan_read(sim_iso_chan_t *c, void *buf, size_t cap) {
    ring_t *r = &c->shm->down;
    uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (;;) {
        uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
        uint32_t avail = head - tail;
        if (avail > 0) {
            size_t n = avail < cap ? avail : cap;
            copy_out(c->shm->down_data, DOWN_CAP, tail, buf, n);
            publish(&r->tail, tail + (uint32_t)n, &r->writer_waits);
            return n;
        }
        uint32_t yields = atomic_load_explicit(&c->shm->child_yields, memory_order_relaxed);
        if (linger(&r->head, head, yields < LINGER_YIELDS ? yields : LINGER_YIELDS)) {
            continue;
        }
        child_sleep(&r->head, head, &r->reader_waits);
    }
}
