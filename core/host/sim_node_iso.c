/*
 * sim_node_iso.c: an isolated node, host side: the child's life, the batches it is given, the
 * mirror that travels with them, and turning whatever goes wrong with the child into a fault.
 *
 * A batch is sent at the kernel event that delivers it, and the host then replays the child's
 * operations item by item, between the same enter/leave brackets the in-process path uses
 * (sim_node_fw.c). Nothing else runs in the kernel meanwhile, so the operations land exactly
 * where the in-process calls would have.
 *
 * The NVS image is mirrored whole: the child starts with a copy of the image as it was at the
 * fork, and its own writes keep the two in step (the host performs each of them too). Only a
 * change made outside the firmware (a test or scenario writing the image while the node runs)
 * needs the image shipped again, which the version counter tells.
 */
#include <stdio.h>
#include <string.h>

#include "sim_node_int.h"

/* Turns a failed exchange into a fault; always returns -1. */
static int iso_failed(sim_node_t *n, int rc) {
    if (rc == -SIM_ECANCELED) {
        sim_node__fault(n, "hang", "no reply from the firmware process within %u ms",
                        (unsigned)(n->isolate_timeout_ms != 0 ? n->isolate_timeout_ms
                                                              : SIM_ISOLATE_TIMEOUT_MS_DEFAULT));
    } else if (rc == -SIM_EFORMAT) {
        sim_node__fault(n, "protocol", "malformed record from the firmware process");
    } else {
        char detail[64];
        const char *reason = sim_isolate_cause(n->iso, detail, sizeof detail);
        sim_node__fault(n, reason, "%s", detail);
    }
    return -1;
}

static int protocol(sim_node_t *n, const char *what) {
    sim_node__fault(n, "protocol", "%s", what);
    return -1;
}

/* The child's answer to loading: READY, or FAIL with the loader's message. */
static int await_ready(sim_node_t *n) {
    sim_iso_hdr_t h;
    const uint8_t *p;
    int rc = sim_isolate_recv(n->iso, &h, &p);
    if (rc != 0) {
        (void)iso_failed(n, rc);
        return SIM_NODE__DOWN;
    }
    if (h.type == SIM_ISO_READY && h.len == 0) {
        return 0;
    }
    if (h.type != SIM_ISO_FAIL || h.len < sizeof(sim_iso_fail_t)) {
        (void)protocol(n, "unexpected record while loading the plugin");
        return SIM_NODE__DOWN;
    }
    sim_iso_fail_t f;
    memcpy(&f, p, sizeof f);
    int text = (int)(h.len - sizeof f);
    snprintf(n->error, sizeof n->error, "%.*s", text, (const char *)p + sizeof f);
    /* Only the loader's own codes are believed; anything else is a resource failure. */
    bool known = f.rc == -SIM_EFORMAT || f.rc == -SIM_EVERSION || f.rc == -SIM_ENOMEM;
    return known ? f.rc : -SIM_ENOMEM;
}

int sim_node__iso_load(sim_node_t *n) {
    sim_node_child_args_t args = {.image = n->image, .nvs = n->nvs};
    char err[192];
    int rc = sim_isolate_spawn(sim_node__child_main, &args, n->isolate_timeout_ms, &n->iso, err,
                               sizeof err);
    if (rc != 0) {
        snprintf(n->error, sizeof n->error, "node '%s': %s", n->name, err);
        return rc;
    }
    n->stats.iso_spawns++;
    n->iso_nvs_version = sim_nvs_version(n->nvs);
    rc = await_ready(n);
    if (rc != 0) {
        sim_isolate_destroy(n->iso);
        n->iso = NULL;
        return rc;
    }
    sim_node__ahead_join(n);
    return 0;
}

void sim_node__iso_unload(sim_node_t *n) {
    if (n->iso != NULL) {
        sim_node__ahead_leave(n);
    }
    sim_isolate_destroy(n->iso);
    n->iso = NULL;
}

void sim_node__iso_mirror(sim_node_t *n, sim_iso_mirror_t *m) {
    memset(m, 0, sizeof *m);
    m->now_us = n->ops.now_us(n);
    for (unsigned s = 0; s < HAL_SIG_COUNT; s++) {
        m->levels = (uint16_t)(m->levels | (n->level[s] ? 1u << s : 0u));
    }
    m->flags = (uint8_t)((n->bind.gpio_input != NULL ? SIM_ISO_M_GPIO_INPUT : 0u) |
                         (n->bind.adc_burst != NULL ? SIM_ISO_M_ADC : 0u) |
                         (n->adc_busy ? SIM_ISO_M_ADC_BUSY : 0u) |
                         (n->uart != NULL ? SIM_ISO_M_UART : 0u) |
                         (n->uart_open ? SIM_ISO_M_UART_OPEN : 0u) |
                         (n->can != NULL ? SIM_ISO_M_CAN : 0u));
    m->can_state = (int8_t)n->ops.can_get_state(n, &m->can_tec, &m->can_rec);
    if (n->can != NULL) {
        m->can_tx_free = (uint16_t)(n->can_tx_cap - sim_can_ctrl_tx_pending(n->can));
    }
    if (n->uart != NULL) {
        m->uart_tx_free = (uint16_t)(NODE_UART_TX_CAPACITY - sim_uart_port_tx_pending(n->uart));
        m->uart_char_ns = sim_uart_line_char_ns(n->line);
    }
}

static int send_nvs_if_changed(sim_node_t *n) {
    if (sim_nvs_version(n->nvs) == n->iso_nvs_version) {
        return 0;
    }
    size_t len;
    const void *bytes = sim_nvs_snapshot(n->nvs, &len);
    n->iso_nvs_version = sim_nvs_version(n->nvs);
    return sim_isolate_send(n->iso, SIM_ISO_NVS, bytes, len, NULL, 0);
}

typedef struct {
    sim_iso_batch_t b;
    sim_iso_item_t items[SIM_ISO_ITEMS_MAX];
} iso_msg_t;

/* Item by item and field by field into zeroed memory: a batch sent ahead is compared byte for
 * byte with the one its event builds, so no padding byte may carry stale stack contents. */
static void item_copy(sim_iso_item_t *dst, const sim_iso_item_t *src) {
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    dst->byte = src->byte;
    dst->can_state = src->can_state;
    dst->adc_mask = src->adc_mask;
    dst->adc_spc = src->adc_spc;
    dst->timer_id = src->timer_id;
    dst->frame.id = src->frame.id;
    dst->frame.dlc = src->frame.dlc;
    dst->frame.flags = src->frame.flags;
    memcpy(dst->frame.data, src->frame.data, sizeof dst->frame.data);
}

/* The BATCH payload for `items` at this instant; returns its length without samples. */
static size_t build(sim_node_t *n, const sim_iso_item_t *items, unsigned count, iso_msg_t *msg) {
    SIM_ASSERT(count >= 1 && count <= SIM_ISO_ITEMS_MAX);
    memset(&msg->b, 0, sizeof msg->b);
    sim_node__iso_mirror(n, &msg->b.m);
    msg->b.items = count;
    memcpy(msg->b.mac, n->mac, sizeof msg->b.mac);
    msg->b.reason = (uint8_t)n->reason;
    for (unsigned i = 0; i < count; i++) {
        item_copy(&msg->items[i], &items[i]);
    }
    return sizeof msg->b + count * sizeof items[0];
}

/* The event of a batch sent ahead: it must be the batch this event builds, in every byte, with
 * the NVS image the child was sent. sim_node__iso_send_ahead only sends ahead what nothing can
 * change before its event, so a difference means that promise was broken (the node's state was
 * changed from outside the kernel within the instant): the node faults rather than run on with a
 * firmware that saw something else. */
static int take_ahead(sim_node_t *n, const iso_msg_t *msg, size_t len, size_t n_samples) {
    bool same = n_samples == 0 && len == n->iso_ahead_len && memcmp(msg, n->iso_ahead, len) == 0 &&
                sim_nvs_version(n->nvs) == n->iso_nvs_version;
    n->iso_ahead_len = 0;
    if (!same) {
        return protocol(n, "the node's inputs changed after its batch was sent ahead");
    }
    n->stats.iso_batches++;
    return 0;
}

int sim_node__iso_post_ahead(sim_node_t *n, const sim_iso_item_t *items, unsigned count) {
    SIM_ASSERT(n->iso_ahead_len == 0);
    iso_msg_t msg;
    size_t len = build(n, items, count, &msg);
    int rc = send_nvs_if_changed(n);
    if (rc == 0) {
        rc = sim_isolate_send(n->iso, SIM_ISO_BATCH, &msg, len, NULL, 0);
    }
    if (rc == 0) {
        memcpy(n->iso_ahead, &msg, len);
        n->iso_ahead_len = len;
        n->iso_ahead_sent++;
    }
    return rc;
}

int sim_node__iso_send(sim_node_t *n, const sim_iso_item_t *items, unsigned count,
                       const uint16_t *samples, size_t n_samples) {
    iso_msg_t msg;
    size_t len = build(n, items, count, &msg);
    n->iso_ops = 0;
    if (n->iso_ahead_len != 0) {
        return take_ahead(n, &msg, len, n_samples);
    }
    int rc = send_nvs_if_changed(n);
    if (rc == 0) {
        rc = sim_isolate_send(n->iso, SIM_ISO_BATCH, &msg, len, samples,
                              n_samples * sizeof samples[0]);
    }
    if (rc != 0) {
        return iso_failed(n, rc);
    }
    n->stats.iso_batches++;
    sim_node__iso_send_ahead(n);
    return 0;
}

/* The next record that is not DYING (a crashing child says why before the stream ends). */
static int next(sim_node_t *n, sim_iso_hdr_t *h, const uint8_t **p) {
    for (;;) {
        int rc = sim_isolate_recv(n->iso, h, p);
        if (rc != 0) {
            return iso_failed(n, rc);
        }
        if (h->type != SIM_ISO_DYING) {
            return 0;
        }
        uint32_t cause = 0;
        if (h->len == sizeof cause) {
            memcpy(&cause, *p, sizeof cause);
        }
        sim_isolate_note_dying(n->iso, cause);
    }
}

int sim_node__iso_item(sim_node_t *n, unsigned index) {
    n->iso_ops = 0; /* the limit is per entry point, as in process (sim_node_guard.c) */
    for (;;) {
        sim_iso_hdr_t h;
        const uint8_t *p;
        if (next(n, &h, &p) != 0) {
            return -1;
        }
        if (h.type == SIM_ISO_ITEM_END) {
            uint32_t at = UINT32_MAX;
            if (h.len == sizeof at) {
                memcpy(&at, p, sizeof at);
            }
            if (at != index) {
                return protocol(n, "entry points out of step");
            }
            n->stats.iso_items++;
            return 0;
        }
        if (h.type != SIM_ISO_OP) {
            return protocol(n, "unexpected record inside an entry point");
        }
        if (++n->iso_ops > SIM_ISOLATE_OPS_MAX) {
            sim_node__fault(n, "hang", "more than %u operations in one entry point",
                            (unsigned)SIM_ISOLATE_OPS_MAX);
            return -1;
        }
        if (sim_node__replay_op(n, p, h.len) != 0) {
            return -1;
        }
    }
}

int sim_node__iso_end(sim_node_t *n, unsigned done, int *init_rc) {
    sim_iso_hdr_t h;
    const uint8_t *p;
    if (next(n, &h, &p) != 0) {
        return -1;
    }
    sim_iso_batch_end_t e;
    if (h.type != SIM_ISO_BATCH_END || h.len != sizeof e) {
        return protocol(n, "unexpected record at the end of a batch");
    }
    memcpy(&e, p, sizeof e);
    if (e.done != done) {
        return protocol(n, "the firmware process ran a different number of entry points");
    }
    if (init_rc != NULL) {
        *init_rc = e.init_rc;
    }
    return 0;
}
