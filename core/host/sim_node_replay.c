/*
 * sim_node_replay.c: performing, for real, one operation an isolated firmware called.
 *
 * The record comes from the child, so it is checked before anything is done with it: a known
 * operation, the sync flag the operation must have, blob lengths that add up and stay in bounds,
 * and byte strings of the size the operation reads. Then the operation runs through the same
 * function an in-process copy would call, and its result must be the one the child already gave
 * the firmware (a sync operation's result is sent back instead). Any disagreement is a
 * "protocol" fault: the run stops trusting that child rather than carry on with a firmware that
 * saw something the host did not do.
 */
#include <stdio.h>
#include <string.h>

#include "sim_node_int.h"
#include "sim_nvs.h"

typedef struct {
    sim_iso_op_t op;
    const uint8_t *blob[3];
} rec_t;

static const char *const op_names[SIM_ISO_OP_COUNT_] = {
    [SIM_ISO_OP_TIMER_START] = "timer_start",
    [SIM_ISO_OP_TIMER_STOP] = "timer_stop",
    [SIM_ISO_OP_GPIO_WRITE] = "gpio_write",
    [SIM_ISO_OP_GPIO_READ] = "gpio_read",
    [SIM_ISO_OP_DELAY_US] = "delay_us",
    [SIM_ISO_OP_ADC_START] = "adc_burst_start",
    [SIM_ISO_OP_UART_OPEN] = "uart_open",
    [SIM_ISO_OP_UART_WRITE] = "uart_write",
    [SIM_ISO_OP_CAN_START] = "can_start",
    [SIM_ISO_OP_CAN_STOP] = "can_stop",
    [SIM_ISO_OP_CAN_SEND] = "can_send",
    [SIM_ISO_OP_CAN_RECOVER] = "can_recover",
    [SIM_ISO_OP_WS2812] = "ws2812_write",
    [SIM_ISO_OP_NVS_SET] = "nvs_set",
    [SIM_ISO_OP_NVS_ERASE_KEY] = "nvs_erase_key",
    [SIM_ISO_OP_NVS_ERASE_ALL] = "nvs_erase_all",
    [SIM_ISO_OP_WDT_START] = "wdt_start",
    [SIM_ISO_OP_WDT_FEED] = "wdt_feed",
    [SIM_ISO_OP_RESTART] = "restart",
    [SIM_ISO_OP_LOG] = "log",
};

static bool is_sync(unsigned op) {
    return op == SIM_ISO_OP_GPIO_READ || op == SIM_ISO_OP_CAN_START || op == SIM_ISO_OP_CAN_STOP ||
           op == SIM_ISO_OP_CAN_RECOVER;
}

static int bad(sim_node_t *n, const char *what) {
    sim_node__fault(n, "protocol", "%s", what);
    return -1;
}

static int parse(sim_node_t *n, const uint8_t *p, size_t len, rec_t *r) {
    if (len < sizeof r->op) {
        return bad(n, "short operation record");
    }
    memcpy(&r->op, p, sizeof r->op);
    if (r->op.op == 0 || r->op.op >= SIM_ISO_OP_COUNT_ || r->op.sync != is_sync(r->op.op)) {
        return bad(n, "unknown operation");
    }
    size_t at = sizeof r->op;
    for (int i = 0; i < 3; i++) {
        if (r->op.blob[i] > SIM_ISO_BLOB_MAX || at + r->op.blob[i] > len) {
            return bad(n, "operation data out of bounds");
        }
        r->blob[i] = (r->op.nulls & (1u << i)) ? NULL : p + at;
        at += r->op.blob[i];
    }
    return at == len ? 0 : bad(n, "operation record length");
}

/* A blob that must hold exactly `size` bytes, or be a NULL pointer. */
static bool blob_is(const rec_t *r, int i, size_t size) {
    return r->blob[i] == NULL ? r->op.blob[i] == 0 : r->op.blob[i] == size;
}

/* Byte strings the firmware passed with a length: every byte the operation can read must be
 * there. The operations refuse lengths above their limit before reading anything. */
static bool data_ok(const rec_t *r, size_t limit) {
    size_t want = r->op.a <= limit ? r->op.a : 0;
    return r->blob[0] == NULL || r->op.blob[0] >= want;
}

/* A name or text blob as a C string (cut at cap - 1 bytes), or NULL. */
static const char *str(const rec_t *r, int i, char *buf, size_t cap) {
    if (r->blob[i] == NULL) {
        return NULL;
    }
    size_t n = r->op.blob[i] < cap - 1 ? r->op.blob[i] : cap - 1;
    memcpy(buf, r->blob[i], n);
    buf[n] = '\0';
    return buf;
}

static int perform_io(sim_node_t *n, const rec_t *r, int32_t *out) {
    const alfasim_host_ops_t *o = &n->ops;
    const sim_iso_op_t *op = &r->op;
    switch (op->op) {
        case SIM_ISO_OP_UART_OPEN:
            *out = o->uart_open(n, op->a);
            return 0;
        case SIM_ISO_OP_UART_WRITE:
            if (!data_ok(r, NODE_UART_TX_CAPACITY)) {
                return -1;
            }
            *out = o->uart_write(n, r->blob[0], op->a);
            return 0;
        case SIM_ISO_OP_CAN_START:
            *out = o->can_start(n, op->a);
            return 0;
        case SIM_ISO_OP_CAN_STOP:
            *out = o->can_stop(n);
            return 0;
        case SIM_ISO_OP_CAN_RECOVER:
            *out = o->can_recover(n);
            return 0;
        case SIM_ISO_OP_CAN_SEND: {
            hal_can_frame_t f;
            if (!blob_is(r, 0, sizeof f)) {
                return -1;
            }
            if (r->blob[0] != NULL) {
                memcpy(&f, r->blob[0], sizeof f);
            }
            *out = o->can_send(n, r->blob[0] != NULL ? &f : NULL);
            return 0;
        }
        case SIM_ISO_OP_WS2812:
            if (!data_ok(r, 3u * 64u)) {
                return -1;
            }
            *out = o->ws2812_write(n, r->blob[0], op->a);
            return 0;
        default:
            return -1;
    }
}

static int perform_nvs(sim_node_t *n, const rec_t *r, int32_t *out) {
    char ns[SIM_ISO_NAME_MAX + 1], key[SIM_ISO_NAME_MAX + 1];
    const char *nsp = str(r, 0, ns, sizeof ns), *keyp = str(r, 1, key, sizeof key);
    const alfasim_host_ops_t *o = &n->ops;
    switch (r->op.op) {
        case SIM_ISO_OP_NVS_SET:
            if (r->blob[2] == NULL ? r->op.blob[2] != 0
                                   : r->op.blob[2] < (r->op.a <= SIM_NVS_VALUE_MAX ? r->op.a : 0)) {
                return -1;
            }
            *out = o->nvs_set(n, nsp, keyp, r->blob[2], r->op.a);
            break;
        case SIM_ISO_OP_NVS_ERASE_KEY:
            *out = o->nvs_erase_key(n, nsp, keyp);
            break;
        default:
            *out = o->nvs_erase_all(n, nsp);
            break;
    }
    n->iso_nvs_version = sim_nvs_version(n->nvs); /* the child's copy made the same change */
    return 0;
}

static int perform_misc(sim_node_t *n, const rec_t *r, int32_t *out) {
    const alfasim_host_ops_t *o = &n->ops;
    const sim_iso_op_t *op = &r->op;
    char text[SIM_ISO_TEXT_MAX + 1];
    *out = 0;
    switch (op->op) {
        case SIM_ISO_OP_TIMER_START:
            *out = o->timer_start(n, op->a, op->b, op->c != 0);
            return 0;
        case SIM_ISO_OP_TIMER_STOP:
            *out = o->timer_stop(n, op->a);
            return 0;
        case SIM_ISO_OP_GPIO_WRITE:
            o->gpio_write(n, op->a, op->b != 0);
            return 0;
        case SIM_ISO_OP_GPIO_READ:
            *out = o->gpio_read(n, op->a);
            return 0;
        case SIM_ISO_OP_DELAY_US:
            o->delay_us(n, op->a);
            return 0;
        case SIM_ISO_OP_ADC_START: {
            hal_adc_burst_cfg_t cfg;
            if (!blob_is(r, 0, sizeof cfg)) {
                return -1;
            }
            if (r->blob[0] != NULL) {
                memcpy(&cfg, r->blob[0], sizeof cfg);
            }
            *out = o->adc_burst_start(n, r->blob[0] != NULL ? &cfg : NULL);
            return 0;
        }
        case SIM_ISO_OP_WDT_START:
            *out = o->wdt_start(n, op->a);
            return 0;
        case SIM_ISO_OP_WDT_FEED:
            o->wdt_feed(n);
            return 0;
        case SIM_ISO_OP_RESTART:
            o->restart(n);
            return 0;
        case SIM_ISO_OP_LOG:
            o->log(n, (int)(int32_t)op->a, str(r, 0, text, sizeof text));
            return 0;
        default:
            return perform_io(n, r, out);
    }
}

static int perform(sim_node_t *n, const rec_t *r, int32_t *out) {
    unsigned op = r->op.op;
    if (op == SIM_ISO_OP_NVS_SET || op == SIM_ISO_OP_NVS_ERASE_KEY ||
        op == SIM_ISO_OP_NVS_ERASE_ALL) {
        return perform_nvs(n, r, out);
    }
    return perform_misc(n, r, out);
}

static int reply(sim_node_t *n, int32_t result) {
    sim_iso_reply_t rp = {.result = result};
    sim_node__iso_mirror(n, &rp.m);
    n->stats.iso_sync_ops++;
    int rc = sim_isolate_send(n->iso, SIM_ISO_REPLY, &rp, sizeof rp, NULL, 0);
    if (rc != 0) {
        sim_node__fault(n, "protocol", "cannot answer the firmware process: %s", sim_strerror(rc));
        return -1;
    }
    return 0;
}

int sim_node__replay_op(sim_node_t *n, const uint8_t *payload, size_t len) {
    rec_t r;
    if (parse(n, payload, len, &r) != 0) {
        return -1;
    }
    int32_t got = 0;
    if (perform(n, &r, &got) != 0) {
        return bad(n, "operation data does not match its length");
    }
    n->stats.iso_ops++;
    if (n->muted) {
        return -1; /* the operation itself faulted the node (the log budget) */
    }
    if (r.op.sync) {
        return reply(n, got);
    }
    if (got != r.op.expect) {
        sim_node__fault(n, "protocol", "%s returned %d where the firmware process answered %d",
                        op_names[r.op.op], (int)got, (int)r.op.expect);
        return -1;
    }
    return 0;
}
