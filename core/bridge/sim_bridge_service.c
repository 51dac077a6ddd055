/*
 * sim_bridge_service.c: the host side of a live bridge, one round at a time: host input into the
 * rx queue, the tx queue out to the host at the modelled bit rate, and lost links.
 *
 * Host time arrives here as a plain value (host_now_ns); the clock itself is read, and waited on,
 * only in sim_bridge_host.c. Nothing here touches the kernel or the trace: what happens on the
 * host side is counted in the statistics and told once per kind through the log.
 *
 * Output timing. Frames leave in bus order. The rate limiter charges each frame its bit count
 * (sim_can_frame_bits, stuff bits and intermission included) at the bus's bit rate times
 * rate_milli / 1000, so a real can0 is never asked to carry more than the simulated bus did; a
 * host that fell behind may catch up with at most BURST_NS of frames at once.
 *
 *   link state      tx queue
 *   UP, ready       sent (rate-limited); a full socket buffer keeps the frame and retries
 *   WAIT / grace    held
 *   NO_PEER         dropped, counted tx_no_peer
 *   lost            dropped, counted tx_link_down; re-open tried once a second
 */
#include <stdio.h>

#include "sim_bridge_int.h"

#define BURST_NS      (2 * SIM_NS_PER_MS)
#define REOPEN_NS     SIM_NS_PER_S
#define BUSY_RETRY_MS 1

static void sink_frame(void *ctx, sim_bridge_in_kind_t kind, const sim_can_frame_t *f,
                       const char *detail) {
    sim_bridge_t *b = ctx;
    switch (kind) {
        case SIM_BRIDGE_IN_FRAME:
            if (sim_bridge__is_peer_echo(b, f)) {
                b->st.rx_echo++;
                return;
            }
            if (sim_bridge_ring_push(&b->rx, f, 0)) {
                b->st.rx_frames++;
                return;
            }
            b->st.rx_overflow++;
            sim_bridge__warn_once(b, WARN_OVERFLOW_RX,
                                  "host frames are lost: %u frames wait for the bus already",
                                  (unsigned)b->rx.cap);
            sim_bridge__stop_if(b, SIM_BRIDGE_STOP_OVERFLOW, SIM_BRIDGE_REASON_OVERFLOW);
            return;
        case SIM_BRIDGE_IN_MALFORMED:
            b->st.rx_malformed++;
            sim_bridge__warn_once(b, WARN_MALFORMED, "malformed input from the host ignored: %s",
                                  detail);
            break;
        case SIM_BRIDGE_IN_FD:
            b->st.rx_fd++;
            sim_bridge__warn_once(b, WARN_FD,
                                  "a CAN FD frame from the host was refused: the simulated bus "
                                  "is classic CAN (%s)",
                                  detail);
            break;
        case SIM_BRIDGE_IN_BAD_DLC:
            b->st.rx_bad_dlc++;
            sim_bridge__warn_once(b, WARN_BAD_DLC,
                                  "a frame from the host with more than 8 data bytes was "
                                  "refused (%s)",
                                  detail);
            break;
        case SIM_BRIDGE_IN_ERROR_FRAME:
            b->st.rx_error_frames++;
            sim_bridge__warn_once(b, WARN_ERROR_FRAME, "host error frames are ignored (%s)",
                                  detail);
            return;
        case SIM_BRIDGE_IN_ECHO:
            b->st.rx_echo++;
            sim_bridge__warn_once(b, WARN_ECHO, "the host echoed our own frames; ignored");
            return;
    }
    sim_bridge__stop_if(b, SIM_BRIDGE_STOP_BAD, SIM_BRIDGE_REASON_BAD);
}

static void sink_note(void *ctx, const char *msg) {
    sim_bridge__log(ctx, "%s", msg);
}

static void lose_link(sim_bridge_t *b, uint64_t now_ns) {
    b->io.ops->close(b->io.ctx);
    b->link_lost = true;
    b->ready = b->waiting_grace = false;
    b->reopen_at_ns = now_ns + REOPEN_NS;
    b->st.link_lost++;
    sim_bridge__log(b, "error: the host link is lost; frames to the host are dropped and the "
                       "link is re-opened once a second");
    sim_bridge__stop_if(b, SIM_BRIDGE_STOP_LINK, SIM_BRIDGE_REASON_LINK);
}

static void try_reopen(sim_bridge_t *b, uint64_t now_ns) {
    if (now_ns < b->reopen_at_ns) {
        return;
    }
    char err[256];
    if (b->io.ops->open(b->io.ctx, err, sizeof err) != 0) {
        b->reopen_at_ns = now_ns + REOPEN_NS;
        return;
    }
    b->link_lost = false;
    b->st.link_reopened++;
    sim_bridge__log(b, "the host link is back");
}

static void update_ready(sim_bridge_t *b, uint64_t now_ns) {
    if (b->io.ops->link(b->io.ctx) != SIM_BRIDGE_LINK_UP) {
        b->ready = b->waiting_grace = false;
        return;
    }
    if (!b->ready && !b->waiting_grace) {
        b->waiting_grace = true;
        b->ready_at_ns = now_ns + (uint64_t)b->grace_ms * (uint64_t)SIM_NS_PER_MS;
    }
    if (b->waiting_grace && now_ns >= b->ready_at_ns) {
        b->waiting_grace = false;
        b->ready = true;
    }
}

/* Host nanoseconds the bus needs for f at the limited rate. */
static uint64_t frame_cost_ns(const sim_bridge_t *b, const sim_can_frame_t *f) {
    uint64_t bits = sim_can_frame_bits(f);
    uint64_t bit_ns = (uint64_t)sim_can_bus_bit_ns(b->bus);
    return bits * bit_ns * 1000u / b->rate_milli;
}

/* Drops the head frame bound for a host that cannot take it. */
static void drop_head(sim_bridge_t *b, sim_bridge_link_t link) {
    sim_bridge_ring_pop(&b->tx);
    if (link == SIM_BRIDGE_LINK_NO_PEER) {
        b->st.tx_no_peer++;
        sim_bridge__warn_once(b, WARN_NO_PEER, "no client is connected: bus frames are dropped");
    } else {
        b->st.tx_link_down++;
    }
}

/* One send attempt of the head frame: true to go on with the next one. */
static bool send_head(sim_bridge_t *b, const sim_bridge_item_t *it, uint64_t now_ns) {
    int rc = b->io.ops->send(b->io.ctx, &it->f, it->t_ns);
    if (rc == -SIM_EAGAIN) {
        if (!b->busy) {
            b->busy = true;
            b->st.tx_busy++;
            sim_bridge__warn_once(b, WARN_BUSY,
                                  "the host socket buffer is full: frames wait and are retried");
        }
        return false;
    }
    if (rc == -SIM_EIO) {
        lose_link(b, now_ns);
        return false;
    }
    if (rc == -SIM_ENETDOWN) {
        drop_head(b, SIM_BRIDGE_LINK_NO_PEER);
        return true;
    }
    SIM_ASSERT(rc == 0);
    b->busy = false;
    if (b->rate_milli != 0) {
        uint64_t floor_ns = now_ns > BURST_NS ? now_ns - BURST_NS : 0;
        uint64_t base = b->next_free_ns > floor_ns ? b->next_free_ns : floor_ns;
        b->next_free_ns = base + frame_cost_ns(b, &it->f);
    }
    sim_bridge__expect_echo(b, &it->f);
    sim_bridge_ring_pop(&b->tx);
    b->st.tx_frames++;
    return true;
}

static void drain(sim_bridge_t *b, uint64_t now_ns) {
    const sim_bridge_item_t *it;
    while ((it = sim_bridge_ring_peek(&b->tx)) != NULL) {
        sim_bridge_link_t link = b->link_lost ? SIM_BRIDGE_LINK_DOWN : b->io.ops->link(b->io.ctx);
        if (link == SIM_BRIDGE_LINK_NO_PEER || link == SIM_BRIDGE_LINK_DOWN) {
            drop_head(b, link);
            continue;
        }
        if (!b->ready || (b->rate_milli != 0 && now_ns < b->next_free_ns)) {
            return;
        }
        if (!send_head(b, it, now_ns)) {
            return;
        }
    }
}

int sim_bridge__io_round(sim_bridge_t *b, uint64_t now_ns) {
    if (b->replay) {
        return 0;
    }
    if (b->link_lost) {
        try_reopen(b, now_ns);
    }
    if (!b->link_lost) {
        sim_bridge_sink_t sink = {.frame = sink_frame, .note = sink_note, .ctx = b};
        if (b->io.ops->poll_io(b->io.ctx, &sink) != 0) {
            lose_link(b, now_ns);
        } else {
            update_ready(b, now_ns);
        }
    }
    drain(b, now_ns);
    return 0;
}

static int ms_until(uint64_t now_ns, uint64_t at_ns) {
    if (at_ns <= now_ns) {
        return 0;
    }
    uint64_t ms = (at_ns - now_ns + SIM_NS_PER_MS - 1) / SIM_NS_PER_MS;
    return ms > 1000 ? 1000 : (int)ms;
}

int sim_bridge__wake_ms(const sim_bridge_t *b, uint64_t now_ns) {
    if (b->replay) {
        return -1;
    }
    if (b->link_lost) {
        return ms_until(now_ns, b->reopen_at_ns);
    }
    if (b->waiting_grace) {
        return ms_until(now_ns, b->ready_at_ns);
    }
    if (b->tx.len == 0 || !b->ready) {
        return -1;
    }
    if (b->busy) {
        return BUSY_RETRY_MS;
    }
    return b->rate_milli != 0 ? ms_until(now_ns, b->next_free_ns) : 0;
}
