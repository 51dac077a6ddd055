/*
 * sim_bridge_host.c: ***** HOST CLOCK *****. The one file of alfasim that reads the host's
 * monotonic clock or waits on it, for real-time pacing and bridge I/O.
 *
 * Everything here only decides *when* (in host time) things happen: how long to wait before the
 * kernel may run up to the next slice, how long poll() may block. None of it can change *what*
 * the kernel computes: host frames enter the bus only through sim_bridge_pump, at a virtual time
 * that the trace records, and the kernel never sees a host time. Other files receive host times
 * as plain values (sim_bridge_service.c, sim_bridge_pacer.c) or through the bridge's injectable
 * clock, which tests replace.
 *
 * Waiting is done with poll() on the bridge's sockets, so host frames are read while the run
 * waits for real time to catch up. poll() counts milliseconds: a slice due in less than one
 * millisecond runs at once, so a paced run is at most about 1 ms ahead of the host clock.
 *
 * The pause gate (sim_bridge_pause.h) is one more wait of this kind: how long a slice boundary
 * lasts in host time. It holds the kernel where it stands and keeps servicing the bridge.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "sim_bridge_int.h"

#define DEFAULT_SLICE_NS SIM_NS_PER_MS
#define PAUSE_POLL_MS    10 /* how often a paused run looks at the gate again */

uint64_t sim_bridge__host_now_ns(void *ctx) {
    (void)ctx;
    struct timespec ts;
    int rc = clock_gettime(CLOCK_MONOTONIC, &ts);
    SIM_ASSERT(rc == 0);
    return (uint64_t)ts.tv_sec * (uint64_t)SIM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t sim_bridge_host_now_ns(void) {
    return sim_bridge__host_now_ns(NULL);
}

/* One poll() on the transport for at most max_ms (0: no wait), then one I/O round. */
static int poll_round(sim_bridge_t *b, int max_ms) {
    struct pollfd fds[SIM_BRIDGE_IO_MAX_FDS];
    int n = 0;
    if (!b->replay && !b->link_lost) {
        n = b->io.ops->fds(b->io.ctx, fds, SIM_BRIDGE_IO_MAX_FDS);
    }
    int wake = sim_bridge__wake_ms(b, sim_bridge__now_ns(b));
    int timeout = max_ms;
    if (wake >= 0 && wake < timeout) {
        timeout = wake;
    }
    if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR) {
        return -SIM_EIO;
    }
    return sim_bridge__io_round(b, sim_bridge__now_ns(b));
}

static int ms_left(uint64_t now_ns, uint64_t deadline_ns) {
    if (now_ns >= deadline_ns) {
        return 0;
    }
    uint64_t ms = (deadline_ns - now_ns + SIM_NS_PER_MS - 1) / SIM_NS_PER_MS;
    return ms > 1000 ? 1000 : (int)ms;
}

int sim_bridge_service(sim_bridge_t *b, int timeout_ms) {
    SIM_ASSERT(b != NULL && timeout_ms >= 0);
    uint64_t deadline = sim_bridge__now_ns(b) + (uint64_t)timeout_ms * SIM_NS_PER_MS;
    for (;;) {
        int rc = poll_round(b, ms_left(sim_bridge__now_ns(b), deadline));
        if (rc != 0 || sim_bridge__now_ns(b) >= deadline) {
            return rc;
        }
    }
}

int sim_bridge_wait_ready(sim_bridge_t *b, uint32_t timeout_ms) {
    SIM_ASSERT(b != NULL);
    uint64_t deadline = sim_bridge__now_ns(b) + (uint64_t)timeout_ms * SIM_NS_PER_MS;
    for (;;) {
        int left = ms_left(sim_bridge__now_ns(b), deadline);
        int rc = poll_round(b, left < 10 ? left : 10);
        if (rc != 0) {
            return rc;
        }
        if (b->ready || b->replay) {
            return 0;
        }
        if (left == 0) {
            return -SIM_EAGAIN;
        }
    }
}

/* True while the transport holds output it could not write yet. */
static bool output_pending(sim_bridge_t *b) {
    if (b->replay || b->link_lost) {
        return false;
    }
    struct pollfd fds[SIM_BRIDGE_IO_MAX_FDS];
    int n = b->io.ops->fds(b->io.ctx, fds, SIM_BRIDGE_IO_MAX_FDS);
    for (int i = 0; i < n; i++) {
        if ((fds[i].events & POLLOUT) != 0) {
            return true;
        }
    }
    return false;
}

int sim_bridge_drain(sim_bridge_t *b, uint32_t timeout_ms) {
    SIM_ASSERT(b != NULL);
    uint64_t deadline = sim_bridge__now_ns(b) + (uint64_t)timeout_ms * SIM_NS_PER_MS;
    for (;;) {
        int left = ms_left(sim_bridge__now_ns(b), deadline);
        int rc = poll_round(b, left < 10 ? left : 10);
        if (rc != 0) {
            return rc;
        }
        if (b->tx.len == 0 && !output_pending(b)) {
            return 0;
        }
        if (left == 0) {
            return -SIM_EAGAIN;
        }
    }
}

static void sleep_ms(int ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal ends it early: the caller looks at the gate again */
}

/* Waits until the pacer lets virtual time t_next run, servicing the bridge meanwhile. */
static int pace(sim_bridge_t *b, sim_pacer_t *p, sim_time_ns_t t_next) {
    for (;;) {
        uint64_t now = b != NULL ? sim_bridge__now_ns(b) : sim_bridge_host_now_ns();
        int64_t wait_ns = p != NULL ? sim_pacer_wait_ns(p, now, t_next) : 0;
        if (wait_ns < SIM_NS_PER_MS) {
            return b != NULL ? sim_bridge_service(b, 0) : 0;
        }
        int ms = (int)(wait_ns / SIM_NS_PER_MS);
        if (b != NULL) {
            int rc = sim_bridge_service(b, ms);
            if (rc != 0) {
                return rc;
            }
        } else {
            sleep_ms(ms);
        }
    }
}

/*
 * The pause gate (sim_bridge_pause.h), at a slice boundary: while it is closed virtual time
 * stands still and the bridge keeps taking host frames; then the pacer starts again from here,
 * so the wall time spent paused is not raced through afterwards.
 */
static int hold(sim_kernel_t *k, sim_bridge_t *b, sim_pacer_t *p, bool paced) {
    if (!sim_bridge_pause_requested() || (b == NULL && (!paced || sim_bridge__live_count() > 0))) {
        return 0;
    }
    sim_time_ns_t now = sim_kernel_now(k);
    if (b != NULL) {
        b->st.pauses++;
    }
    sim_bridge__pause_told(true, now);
    while (sim_bridge_pause_requested()) {
        int rc = b != NULL ? sim_bridge_service(b, PAUSE_POLL_MS) : 0;
        if (rc != 0) {
            return rc;
        }
        if (b == NULL) {
            sleep_ms(PAUSE_POLL_MS);
        }
    }
    if (p != NULL) {
        sim_pacer_rebase(p, b != NULL ? sim_bridge__now_ns(b) : sim_bridge_host_now_ns(), now);
    }
    sim_bridge__pause_told(false, now);
    return 0;
}

int sim_bridge_run_until(sim_kernel_t *k, sim_bridge_t *b, sim_pacer_t *p, sim_time_ns_t t_end,
                         sim_time_ns_t slice_ns) {
    SIM_ASSERT(k != NULL);
    bool paced = p != NULL && p->factor_milli != 0;
    if (b == NULL && !paced) {
        return sim_kernel_run_until(k, t_end) == 0 ? 0 : -SIM_ECANCELED;
    }
    if (slice_ns <= 0) {
        slice_ns = DEFAULT_SLICE_NS;
    }
    if (b != NULL && b->rate_follows_pacer) {
        b->rate_milli = paced ? p->factor_milli : 0; /* the host link at the bus's pace */
    }
    while (sim_kernel_now(k) < t_end) {
        sim_time_ns_t t_next = sim_time_add(sim_kernel_now(k), slice_ns);
        if (t_next > t_end) {
            t_next = t_end;
        }
        int rc = hold(k, b, p, paced);
        if (rc == 0) {
            rc = pace(b, paced ? p : NULL, t_next);
        }
        if (rc != 0) {
            return rc;
        }
        if (sim_kernel_run_until(k, t_next) != 0) {
            return -SIM_ECANCELED;
        }
        if (b != NULL && (rc = sim_bridge_pump(b)) != 0) {
            return rc;
        }
    }
    return 0;
}
