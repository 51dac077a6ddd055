/*
 * sim_uart.c: a shared UART wire pair (RS-485 style) with per-character timing and collisions.
 *
 * Each port shifts its queued bytes out back to back, one character time each, and the kernel
 * sees exactly one event per character: its end, at SIM_PRIO_WIRE. Everything else is decided
 * from the state of the ports at the instants where something changes:
 *
 *   start of a character   the port drives the line if its DE is asserted; any other port
 *                          driving a character that ends later collides with it (both marked)
 *   DE raised mid-char     the port starts driving now: same collision check
 *   DE lowered mid-char    the rest of the character never reaches the line
 *   end of a character     receivers get it at the end of its stop bit:
 *
 *     DE during the char     sender's count    receivers get
 *     high throughout        tx_bytes          the byte, or a garbled one after a collision
 *     high for part of it    tx_lost           a garbled byte (a framing error, in reality)
 *     low throughout         tx_lost           nothing
 *
 * Intervals are half-open, so a character that ends at t and one that starts at t do not collide,
 * whatever order the two events have at t. A garbled byte's value comes from the line's own PRNG
 * stream ("uart.<name>"): firmware that ignores the garbled flag sees wrong data, as it would on a
 * real bus, and runs stay reproducible.
 *
 * Receivers are every other attached port, including ones with DE asserted: a transceiver with
 * RE tied to DE does not hear itself, and a plain UART on a point-to-point line keeps DE up and
 * still receives. A port attached after a character started does not get that character.
 *
 * Lifetime. Callbacks may write, change DE, attach and detach, even the port being served. A
 * detached port stops receiving and loses its queue at once, but its character in flight still
 * finishes on the line (it may still collide), so the port's memory lives until that character's
 * end event, and never goes away while a delivery loop is walking the port list. Lines must be
 * destroyed before their kernel.
 */
#include "sim_uart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TX_CAPACITY 256U

struct sim_uart_line {
    sim_kernel_t *k;
    char *name;
    sim_time_ns_t char_ns;
    sim_prng_t garble; /* values of garbled characters */
    sim_uart_port_t *head;
    sim_uart_port_t *tail; /* attach order; detached ports stay linked until freed */
    uint32_t delivering;   /* nesting depth of delivery loops: ports are not freed inside */
    bool zombies;          /* some detached port waits to be freed */
};

/* The character in a port's shift register. */
typedef struct {
    uint8_t byte;
    bool drove;    /* DE was asserted during some of it */
    bool undriven; /* DE was low during some of it */
    bool collided; /* another port drove the line during some of it */
    sim_time_ns_t start_ns;
    sim_time_ns_t end_ns;
} tx_char_t;

struct sim_uart_port {
    sim_uart_line_t *line;
    sim_uart_port_t *prev;
    sim_uart_port_t *next;
    char *name;
    sim_uart_port_cb_t cb;
    void *cb_ctx;
    sim_time_ns_t attached_ns;
    bool auto_de;
    bool de;
    bool detached;
    bool shifting;
    tx_char_t cur;
    sim_event_id_t end_event;
    uint8_t *ring; /* bytes waiting behind the shift register */
    uint16_t ring_cap;
    uint16_t ring_head;
    uint16_t ring_len;
    sim_uart_port_stats_t stats;
};

static char *copy_name(const char *name) {
    const char *src = name != NULL ? name : "";
    size_t n = strlen(src) + 1;
    char *dst = malloc(n);
    if (dst != NULL) {
        memcpy(dst, src, n);
    }
    return dst;
}

/* ---- line ----------------------------------------------------------------------------------- */

/* Start + data + parity + stop bits, in ns rounded to nearest; 0 for an invalid format. */
static sim_time_ns_t char_time_ns(const sim_uart_line_cfg_t *cfg) {
    uint32_t data_bits = cfg->data_bits == 0 ? 8U : cfg->data_bits;
    uint32_t stop_bits = cfg->stop_bits == 0 ? 1U : cfg->stop_bits;
    if (cfg->baud == 0 || data_bits < 5 || data_bits > 8 || cfg->parity > 2 || stop_bits > 2) {
        return 0;
    }
    uint64_t bits = 1U + data_bits + (cfg->parity != 0 ? 1U : 0U) + stop_bits;
    return (sim_time_ns_t)((bits * (uint64_t)SIM_NS_PER_S + cfg->baud / 2U) / cfg->baud);
}

int sim_uart_line_create(sim_kernel_t *k, const sim_uart_line_cfg_t *cfg, sim_uart_line_t **out) {
    if (k == NULL || cfg == NULL || out == NULL) {
        return -SIM_EINVAL;
    }
    *out = NULL;
    sim_time_ns_t char_ns = char_time_ns(cfg);
    if (char_ns <= 0) {
        return -SIM_EINVAL;
    }
    sim_uart_line_t *line = calloc(1, sizeof *line);
    char *name = copy_name(cfg->name);
    size_t stream_len = strlen("uart.") + (name != NULL ? strlen(name) : 0) + 1;
    char *stream = malloc(stream_len);
    if (line == NULL || name == NULL || stream == NULL) {
        free(line);
        free(name);
        free(stream);
        return -SIM_ENOMEM;
    }
    snprintf(stream, stream_len, "uart.%s", name);
    sim_kernel_prng(k, stream, &line->garble);
    free(stream);
    line->k = k;
    line->name = name;
    line->char_ns = char_ns;
    *out = line;
    return 0;
}

static void port_free(sim_uart_port_t *p);

void sim_uart_line_destroy(sim_uart_line_t *line) {
    if (line == NULL) {
        return;
    }
    SIM_ASSERT(line->delivering == 0);
    while (line->head != NULL) {
        sim_uart_port_t *p = line->head;
        SIM_ASSERT(p->detached); /* every port must have been detached */
        if (p->end_event != 0) {
            sim_kernel_cancel(line->k, p->end_event);
        }
        port_free(p);
    }
    free(line->name);
    free(line);
}

sim_time_ns_t sim_uart_line_char_ns(const sim_uart_line_t *line) {
    return line->char_ns;
}

/* ---- collisions and delivery ------------------------------------------------------------------
 */

static bool driving_now(const sim_uart_port_t *p, sim_time_ns_t now_ns) {
    return p->shifting && p->de && p->cur.end_ns > now_ns;
}

/* p starts driving now: every other port driving a character still in flight collides with it. */
static void check_collisions(sim_uart_port_t *p) {
    sim_time_ns_t now_ns = sim_kernel_now(p->line->k);
    for (sim_uart_port_t *q = p->line->head; q != NULL; q = q->next) {
        if (q != p && driving_now(q, now_ns)) {
            q->cur.collided = true;
            p->cur.collided = true;
        }
    }
}

static void sweep_zombies(sim_uart_line_t *line) {
    line->zombies = false;
    sim_uart_port_t *p = line->head;
    while (p != NULL) {
        sim_uart_port_t *next = p->next;
        if (p->detached && !p->shifting) {
            port_free(p);
        } else if (p->detached) {
            line->zombies = true; /* freed by its own end event */
        }
        p = next;
    }
}

/* Hands a finished character to every receiver that was attached when it started. */
static void deliver(sim_uart_line_t *line, const sim_uart_port_t *sender, const tx_char_t *c,
                    bool garbled) {
    uint8_t byte = garbled ? (uint8_t)sim_prng_below(&line->garble, 256) : c->byte;
    line->delivering++;
    for (sim_uart_port_t *q = line->head; q != NULL; q = q->next) {
        if (q == sender || q->detached || q->attached_ns > c->start_ns) {
            continue;
        }
        if (garbled) {
            q->stats.rx_garbled++;
        } else {
            q->stats.rx_bytes++;
        }
        if (q->cb.on_rx != NULL) {
            q->cb.on_rx(q->cb_ctx, byte, garbled);
        }
    }
    line->delivering--;
    if (line->delivering == 0 && line->zombies) {
        sweep_zombies(line);
    }
}

/* ---- transmit ------------------------------------------------------------------------------- */

static void on_char_end(sim_kernel_t *k, void *ctx, uint64_t arg);

/* Moves the next queued byte into the shift register, starting now. */
static void start_char(sim_uart_port_t *p) {
    sim_uart_line_t *line = p->line;
    sim_time_ns_t now_ns = sim_kernel_now(line->k);
    p->cur = (tx_char_t){
        .byte = p->ring[p->ring_head],
        .drove = p->de,
        .undriven = !p->de,
        .start_ns = now_ns,
        .end_ns = sim_time_add(now_ns, line->char_ns),
    };
    p->ring_head = (uint16_t)((p->ring_head + 1U) % p->ring_cap);
    p->ring_len--;
    p->shifting = true;
    if (p->de) {
        check_collisions(p);
    }
    p->end_event = sim_kernel_schedule(line->k, p->cur.end_ns, SIM_PRIO_WIRE, on_char_end, p, 0);
    if (p->end_event == 0) {
        fprintf(stderr, "alfasim: internal error: out of memory scheduling a UART character\n");
        abort();
    }
}

static void set_de(sim_uart_port_t *p, bool asserted) {
    if (p->de == asserted) {
        return;
    }
    p->de = asserted;
    if (!p->shifting) {
        return;
    }
    if (asserted) {
        p->cur.drove = true;
        check_collisions(p);
    } else {
        p->cur.undriven = true;
    }
}

static void on_char_end(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_uart_port_t *p = ctx;
    p->end_event = 0;
    bool intact = p->cur.drove && !p->cur.undriven;
    if (intact) {
        p->stats.tx_bytes++;
    } else {
        p->stats.tx_lost++;
    }
    if (p->cur.drove) {
        tx_char_t c = p->cur;
        deliver(p->line, p, &c, c.collided || !intact);
    }
    p->shifting = false;
    if (p->detached) {
        port_free(p);
        return;
    }
    if (p->ring_len > 0) {
        start_char(p);
        return;
    }
    if (p->auto_de) {
        set_de(p, false);
    }
    /* Last: the callback may write again, or detach (and so free) this very port. */
    if (p->cb.on_tx_idle != NULL) {
        p->cb.on_tx_idle(p->cb_ctx);
    }
}

/* ---- ports ---------------------------------------------------------------------------------- */

int sim_uart_port_attach(sim_uart_line_t *line, const sim_uart_port_cfg_t *cfg,
                         const sim_uart_port_cb_t *cb, void *cb_ctx, sim_uart_port_t **out) {
    if (line == NULL || cfg == NULL || out == NULL) {
        return -SIM_EINVAL;
    }
    *out = NULL;
    sim_uart_port_t *p = calloc(1, sizeof *p);
    uint16_t cap = cfg->tx_capacity == 0 ? DEFAULT_TX_CAPACITY : cfg->tx_capacity;
    uint8_t *ring = malloc(cap);
    char *name = copy_name(cfg->name);
    if (p == NULL || ring == NULL || name == NULL) {
        free(p);
        free(ring);
        free(name);
        return -SIM_ENOMEM;
    }
    p->line = line;
    p->name = name;
    p->ring = ring;
    p->ring_cap = cap;
    p->auto_de = cfg->auto_de;
    p->attached_ns = sim_kernel_now(line->k);
    if (cb != NULL) {
        p->cb = *cb;
    }
    p->cb_ctx = cb_ctx;
    p->prev = line->tail;
    if (line->tail != NULL) {
        line->tail->next = p;
    } else {
        line->head = p;
    }
    line->tail = p;
    *out = p;
    return 0;
}

static void port_free(sim_uart_port_t *p) {
    sim_uart_line_t *line = p->line;
    if (p->prev != NULL) {
        p->prev->next = p->next;
    } else {
        line->head = p->next;
    }
    if (p->next != NULL) {
        p->next->prev = p->prev;
    } else {
        line->tail = p->prev;
    }
    free(p->ring);
    free(p->name);
    free(p);
}

void sim_uart_port_detach(sim_uart_port_t *p) {
    if (p == NULL) {
        return;
    }
    SIM_ASSERT(!p->detached);
    p->detached = true;
    p->ring_len = 0;
    p->cb = (sim_uart_port_cb_t){0};
    if (p->shifting || p->line->delivering > 0) {
        p->line->zombies = true; /* freed by its end event, or after the delivery loop */
        return;
    }
    port_free(p);
}

void sim_uart_port_set_de(sim_uart_port_t *p, bool asserted) {
    SIM_ASSERT(p != NULL && !p->detached);
    set_de(p, asserted);
}

bool sim_uart_port_de(const sim_uart_port_t *p) {
    return p->de;
}

int sim_uart_port_write(sim_uart_port_t *p, const uint8_t *data, size_t len) {
    SIM_ASSERT(p != NULL && !p->detached);
    if (data == NULL && len > 0) {
        return -SIM_EINVAL;
    }
    if (len == 0) {
        return 0;
    }
    if (len > p->ring_cap - sim_uart_port_tx_pending(p)) {
        return -SIM_EAGAIN;
    }
    for (size_t i = 0; i < len; i++) {
        p->ring[(p->ring_head + p->ring_len) % p->ring_cap] = data[i];
        p->ring_len++;
    }
    if (p->auto_de) {
        set_de(p, true);
    }
    if (!p->shifting) {
        start_char(p);
    }
    return 0;
}

size_t sim_uart_port_tx_pending(const sim_uart_port_t *p) {
    return (size_t)p->ring_len + (p->shifting ? 1U : 0U);
}

void sim_uart_port_stats(const sim_uart_port_t *p, sim_uart_port_stats_t *out) {
    *out = p->stats;
}
