/*
 * sim_bridge.c: the bridge object: its controller on the bus, the observer that collects frames
 * bound for the host, peers on the same host link, messages and statistics.
 *
 * The controller is an ordinary, acknowledging controller that recovers from bus-off on its own,
 * as a host CAN adapter does; host frames enter the bus through its TX queue (sim_bridge_pump.c).
 * The observer sees every frame when its receivers take it, in bus order, and queues it for the
 * host unless the bridge itself or one of its peers sent it: that is the whole echo rule on the
 * virtual side.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_bridge_int.h"

#define DEFAULT_CTRL_QUEUE 64
#define DEFAULT_QUEUE      16384

static bool is_own(const sim_bridge_t *b, const sim_can_ctrl_t *sender) {
    if (sender == b->ctrl) {
        return true;
    }
    for (unsigned i = 0; i < b->n_peers; i++) {
        if (sender == b->peers[i]->ctrl) {
            return true;
        }
    }
    return false;
}

static void on_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                     sim_time_ns_t t_start, sim_time_ns_t t_rx) {
    (void)t_start;
    sim_bridge_t *b = ctx;
    if (is_own(b, sender)) {
        return;
    }
    if (!sim_bridge_ring_push(&b->tx, f, t_rx)) {
        b->st.tx_overflow++;
        sim_bridge__warn_once(b, WARN_OVERFLOW_TX,
                              "frames to the host are lost: %u frames queued already (the host "
                              "takes them slower than the bus sends them)",
                              (unsigned)b->tx.cap);
        sim_bridge__stop_if(b, SIM_BRIDGE_STOP_OVERFLOW, SIM_BRIDGE_REASON_OVERFLOW);
    }
}

void sim_bridge__log(sim_bridge_t *b, const char *fmt, ...) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "bridge %s: ", b->endpoint);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (b->log != NULL) {
        b->log(b->log_ctx, msg);
    } else {
        fprintf(stderr, "alfasim: %s\n", msg);
    }
}

void sim_bridge__warn_once(sim_bridge_t *b, uint32_t kind, const char *fmt, ...) {
    if ((b->warned & kind) != 0) {
        return;
    }
    b->warned |= kind;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sim_bridge__log(b, "warning: %s (counted in the report; further ones are not printed)", msg);
}

void sim_bridge__stop_if(sim_bridge_t *b, uint32_t flag, const char *reason) {
    if ((b->stop_on & flag) != 0 && b->stop_reason == NULL) {
        b->stop_reason = reason;
    }
}

uint64_t sim_bridge__now_ns(const sim_bridge_t *b) {
    return b->clock.now_ns(b->clock.ctx);
}

static bool name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > SIM_BRIDGE_NAME_MAX) {
        return false;
    }
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-") == n;
}

static bool endpoint_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > SIM_BRIDGE_ENDPOINT_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\') {
            return false;
        }
    }
    return true;
}

int sim_bridge__attach(sim_bridge_t *b) {
    sim_can_ctrl_cfg_t cc = {
        .name = b->name, .tx_queue_len = b->ctrl_queue_len, .auto_recover = true};
    int rc = sim_can_ctrl_attach(b->bus, &cc, NULL, NULL, &b->ctrl);
    if (rc != 0) {
        return rc;
    }
    return sim_can_ctrl_start(b->ctrl);
}

/* Adds b to the peer group of p: every member learns every other. */
static int join_peers(sim_bridge_t *b, sim_bridge_t *p) {
    if (p->bus != b->bus) {
        return -SIM_EINVAL;
    }
    if (p->n_peers + 1 >= SIM_BRIDGE_PEERS_MAX) {
        return -SIM_EAGAIN;
    }
    b->peers[b->n_peers++] = p;
    for (unsigned i = 0; i < p->n_peers; i++) {
        sim_bridge_t *q = p->peers[i];
        b->peers[b->n_peers++] = q;
        q->peers[q->n_peers++] = b;
    }
    p->peers[p->n_peers++] = b;
    return 0;
}

static bool same_frame(const sim_can_frame_t *a, const sim_can_frame_t *b) {
    return a->id == b->id && a->flags == b->flags && a->dlc == b->dlc &&
           ((a->flags & SIM_CAN_FLAG_RTR) != 0 || memcmp(a->data, b->data, a->dlc) == 0);
}

void sim_bridge__expect_echo(sim_bridge_t *b, const sim_can_frame_t *f) {
    for (unsigned i = 0; i < b->n_peers; i++) {
        sim_bridge_ring_t *r = &b->peers[i]->expect;
        if (!sim_bridge_ring_push(r, f, 0)) {
            sim_bridge_ring_pop(r); /* the oldest was never seen again: forget it */
            sim_bridge_ring_push(r, f, 0);
        }
    }
}

/* Host interfaces keep the order of writes, so the echo is near the front; frames the host
 * lost in between are skipped over, within a short window. */
#define ECHO_WINDOW 32

bool sim_bridge__is_peer_echo(sim_bridge_t *b, const sim_can_frame_t *f) {
    sim_bridge_ring_t *r = &b->expect;
    uint32_t n = r->len < ECHO_WINDOW ? r->len : ECHO_WINDOW;
    for (uint32_t i = 0; i < n; i++) {
        if (same_frame(&r->items[(r->head + i) % r->cap].f, f)) {
            for (uint32_t j = 0; j <= i; j++) {
                sim_bridge_ring_pop(r);
            }
            return true;
        }
    }
    return false;
}

static void leave_peers(sim_bridge_t *b) {
    for (unsigned i = 0; i < b->n_peers; i++) {
        sim_bridge_t *q = b->peers[i];
        for (unsigned j = 0; j < q->n_peers; j++) {
            if (q->peers[j] == b) {
                q->peers[j] = q->peers[--q->n_peers];
                break;
            }
        }
    }
    b->n_peers = 0;
}

static int configure(sim_bridge_t *b, const sim_bridge_cfg_t *cfg, const char *kind) {
    const char *name = cfg->name != NULL ? cfg->name : "bridge";
    const char *ep = cfg->endpoint != NULL ? cfg->endpoint : kind;
    if (!name_ok(name) || !endpoint_ok(ep)) {
        return -SIM_EINVAL;
    }
    strcpy(b->name, name);
    strcpy(b->endpoint, ep);
    b->ctrl_queue_len = cfg->ctrl_queue_len ? cfg->ctrl_queue_len : DEFAULT_CTRL_QUEUE;
    b->rate_milli = cfg->rate_milli;
    b->rate_follows_pacer = cfg->rate_milli == 0;
    b->grace_ms = cfg->grace_ms;
    b->stop_on = cfg->stop_on;
    b->clock = cfg->clock;
    if (b->clock.now_ns == NULL) {
        b->clock.now_ns = sim_bridge__host_now_ns;
    }
    b->log = cfg->log;
    b->log_ctx = cfg->log_ctx;
    int rc = sim_bridge_ring_init(&b->rx, cfg->rx_queue_len ? cfg->rx_queue_len : DEFAULT_QUEUE);
    if (rc == 0) {
        rc = sim_bridge_ring_init(&b->tx, cfg->tx_queue_len ? cfg->tx_queue_len : DEFAULT_QUEUE);
    }
    if (rc == 0) {
        rc = sim_bridge_ring_init(&b->expect, SIM_BRIDGE_EXPECT_LEN);
    }
    return rc;
}

static int setup(sim_bridge_t *b, const sim_bridge_cfg_t *cfg, char *err, size_t errlen) {
    int rc = configure(b, cfg, b->io.ops->kind);
    if (rc != 0) {
        snprintf(err, errlen, "bridge: %s",
                 rc == -SIM_EINVAL ? "unusable name or endpoint" : sim_strerror(rc));
        return rc;
    }
    if (cfg->peer != NULL && (rc = join_peers(b, cfg->peer)) != 0) {
        snprintf(err, errlen, "bridge %s: cannot join the peer bridge: %s", b->endpoint,
                 sim_strerror(rc));
        return rc;
    }
    if ((rc = b->io.ops->open(b->io.ctx, err, errlen)) != 0) {
        return rc;
    }
    sim_can_observer_t obs = {.on_frame = on_frame};
    if ((rc = sim_bridge__attach(b)) != 0 || (rc = sim_can_bus_observe(b->bus, &obs, b)) != 0) {
        snprintf(err, errlen, "bridge %s: cannot join the bus: %s", b->endpoint, sim_strerror(rc));
        return rc;
    }
    if (sim_bridge_port(b) != 0) {
        sim_bridge__log(b, "socketcand listening on port %u (one client at a time)",
                        (unsigned)sim_bridge_port(b));
    }
    sim_bridge__record_open(b);
    return 0;
}

int sim_bridge_create(sim_kernel_t *k, sim_can_bus_t *bus, sim_trace_t *trace, sim_bridge_io_t io,
                      const sim_bridge_cfg_t *cfg, sim_bridge_t **out, char *err, size_t errlen) {
    SIM_ASSERT(k != NULL && bus != NULL && io.ops != NULL && out != NULL);
    static const sim_bridge_cfg_t defaults = {0};
    *out = NULL;
    sim_bridge_t *b = calloc(1, sizeof *b);
    if (b == NULL) {
        sim_bridge_io_free(&io);
        snprintf(err, errlen, "bridge: out of memory");
        return -SIM_ENOMEM;
    }
    b->k = k;
    b->bus = bus;
    b->trace = trace;
    b->io = io;
    int rc = setup(b, cfg != NULL ? cfg : &defaults, err, errlen);
    if (rc != 0) {
        sim_bridge_destroy(b);
        return rc;
    }
    b->counted_live = true;
    sim_bridge__live_add(1);
    *out = b;
    return 0;
}

void sim_bridge_destroy(sim_bridge_t *b) {
    if (b == NULL) {
        return;
    }
    if (b->counted_live) {
        sim_bridge__live_add(-1);
    }
    leave_peers(b);
    if (b->ctrl != NULL) {
        sim_can_ctrl_detach(b->ctrl);
    }
    sim_bridge_io_free(&b->io);
    sim_bridge_ring_free(&b->rx);
    sim_bridge_ring_free(&b->tx);
    sim_bridge_ring_free(&b->expect);
    free(b->recs);
    free(b);
}

void sim_bridge_io_free(sim_bridge_io_t *io) {
    if (io->ops != NULL) {
        io->ops->free(io->ctx);
        io->ops = NULL;
        io->ctx = NULL;
    }
}

bool sim_bridge_stopped(const sim_bridge_t *b) {
    return b->stopped;
}

sim_can_ctrl_t *sim_bridge_ctrl(const sim_bridge_t *b) {
    return b->ctrl;
}

uint16_t sim_bridge_port(const sim_bridge_t *b) {
    return b->io.ops != NULL ? sim_bridge_io_socketcand_port(&b->io) : 0;
}

void sim_bridge_stats(const sim_bridge_t *b, sim_bridge_stats_t *out) {
    *out = b->st;
    out->rx_queue_max = b->rx.high;
    out->tx_queue_max = b->tx.high;
    out->tx_unsent = b->tx.len;
}
