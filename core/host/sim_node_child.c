/*
 * sim_node_child.c: the firmware process of an isolated node: load the copy, then run the
 * batches the host sends until it is killed. Also its crash handler.
 *
 * The crash handler exists for one distinction the host cannot make from the exit status:
 * a SIGSEGV from a stack overflow and one from a bad pointer look the same from outside. The
 * handler runs on an alternate stack (the normal one is exhausted in the first case), compares
 * the faulting address with the stack's extent, tells the host with a DYING record, then lets the
 * signal kill the process as it would have. The stack is limited to 8 MiB in the child so that an
 * unbounded recursion ends quickly whatever the host's limit is.
 *
 * The stream is at a record boundary whenever the firmware runs (the proxy only sends between
 * operations, and a blocking write is never left half done), so the DYING record is never
 * interleaved into another record.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sim_node_child.h"

#define CHILD_STACK_BYTES (8u * 1024u * 1024u)
#define CHILD_STACK_SLACK (4u * 1024u * 1024u) /* guard gap and frames above our marker */
#define CHILD_ALT_STACK   (64u * 1024u)

static sim_iso_chan_t *crash_chan;
static uintptr_t stack_top, stack_bytes;
/* The crash handler's stack. Static, not malloc'ed: it lives as long as the process, and in the
 * host, where it is never used, it is untouched .bss. */
static _Alignas(16) uint8_t alt_stack[CHILD_ALT_STACK];

_Noreturn static void gone(void) {
    _exit(0); /* the host broke the protocol: this process is of no further use */
}

/* A firmware that calls exit() leaves with its status and nothing else: handlers registered
 * before the fork belong to the host (a leak checker would report the host's memory as this
 * process's leaks), and stdio buffers were the host's. Registered last, so it runs first. */
static void on_firmware_exit(int status, void *arg) {
    (void)arg;
    _exit(status);
}

/* ---- crash handler -------------------------------------------------------------------------- */

static void on_crash(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    uint32_t cause = SIM_ISO_DIED_SIGNAL;
    if (sig == SIGSEGV && a < stack_top + CHILD_STACK_SLACK &&
        a + stack_bytes + CHILD_STACK_SLACK > stack_top) {
        cause = SIM_ISO_DIED_STACK;
    }
    struct {
        sim_iso_hdr_t h;
        uint32_t cause;
    } rec = {{sizeof(uint32_t), SIM_ISO_DYING, SIM_ISO_MAGIC}, cause};
    sim_iso_chan_write(crash_chan, &rec, sizeof rec); /* async-signal-safe: memory and a futex */
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when the handler returns; a hardware fault would re-fault anyway */
}

static void crash_handler_install(sim_iso_chan_t *chan) {
    int marker = 0;
    crash_chan = chan;
    stack_top = (uintptr_t)&marker;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0) {
        if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > CHILD_STACK_BYTES) {
            rl.rlim_cur = CHILD_STACK_BYTES;
            setrlimit(RLIMIT_STACK, &rl);
        }
        stack_bytes = (uintptr_t)rl.rlim_cur;
    }
    stack_t alt = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
    sigaltstack(&alt, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* ---- the channel ---------------------------------------------------------------------------- */

void sim_node__child_flush(child_t *c) {
    sim_iso_chan_write(c->chan, c->out, c->out_len);
    c->out_len = 0;
}

static void put_bytes(child_t *c, const void *p, size_t len) {
    if (len > 0) {
        memcpy(c->out + c->out_len, p, len);
        c->out_len += len;
    }
}

void sim_node__child_put(child_t *c, uint16_t type, const void *head, size_t head_len) {
    if (c->out_len + sizeof(sim_iso_hdr_t) + head_len > CHILD_OUT_CAP) {
        sim_node__child_flush(c);
    }
    sim_iso_hdr_t h = {.len = (uint32_t)head_len, .type = type, .magic = SIM_ISO_MAGIC};
    put_bytes(c, &h, sizeof h);
    put_bytes(c, head, head_len);
}

void sim_node__child_put_op(child_t *c, sim_iso_op_t *op, const void *b0, const void *b1,
                            const void *b2) {
    size_t len = sizeof *op + op->blob[0] + op->blob[1] + op->blob[2];
    SIM_ASSERT(len <= SIM_ISO_UP_MAX);
    if (c->out_len + sizeof(sim_iso_hdr_t) + len > CHILD_OUT_CAP) {
        sim_node__child_flush(c);
    }
    sim_iso_hdr_t h = {.len = (uint32_t)len, .type = SIM_ISO_OP, .magic = SIM_ISO_MAGIC};
    put_bytes(c, &h, sizeof h);
    put_bytes(c, op, sizeof *op);
    put_bytes(c, b0, op->blob[0]);
    put_bytes(c, b1, op->blob[1]);
    put_bytes(c, b2, op->blob[2]);
}

/* Makes `need` bytes of input available at c->r_off (one read usually brings a whole batch). */
static void fill(child_t *c, size_t need) {
    if (c->r_off + need > CHILD_IN_CAP) {
        memmove(c->rbuf, c->rbuf + c->r_off, c->r_len - c->r_off);
        c->r_len -= c->r_off;
        c->r_off = 0;
    }
    while (c->r_len - c->r_off < need) {
        c->r_len += sim_iso_chan_read(c->chan, c->rbuf + c->r_len, CHILD_IN_CAP - c->r_len);
    }
}

/* The next record from the host: its header, and c->in pointing at its payload (valid until the
 * next read). */
static sim_iso_hdr_t read_record(child_t *c) {
    sim_iso_hdr_t h;
    fill(c, sizeof h);
    memcpy(&h, c->rbuf + c->r_off, sizeof h);
    if (h.magic != SIM_ISO_MAGIC || h.len > SIM_ISO_DOWN_MAX) {
        gone();
    }
    fill(c, sizeof h + h.len);
    c->in = c->rbuf + c->r_off + sizeof h;
    c->r_off += sizeof h + h.len;
    return h;
}

int32_t sim_node__child_sync(child_t *c, sim_iso_op_t *op) {
    op->sync = 1;
    sim_node__child_put_op(c, op, NULL, NULL, NULL);
    sim_node__child_flush(c);
    sim_iso_hdr_t h = read_record(c);
    sim_iso_reply_t r;
    if (h.type != SIM_ISO_REPLY || h.len != sizeof r) {
        gone();
    }
    memcpy(&r, c->in, sizeof r);
    c->m = r.m;
    return r.result;
}

/* ---- batches -------------------------------------------------------------------------------- */

static unsigned channels(uint8_t mask) {
    unsigned n = 0;
    for (unsigned b = 0; b < HAL_ADC_CHANNELS; b++) {
        n += (mask >> b) & 1u;
    }
    return n;
}

static void run_item(child_t *c, const sim_iso_item_t *it, int32_t *init_rc) {
    const alfasim_fw_ops_t *fw = c->fw;
    switch (it->kind) {
        case SIM_ISO_IT_INIT:
            *init_rc = fw->init(&c->proxy);
            break;
        case SIM_ISO_IT_TIMER:
            if (fw->on_timer != NULL) {
                fw->on_timer(it->timer_id);
            }
            break;
        case SIM_ISO_IT_CAN_RX:
            if (fw->on_can_rx != NULL) {
                fw->on_can_rx(&it->frame);
            }
            break;
        case SIM_ISO_IT_CAN_STATE:
            if (fw->on_can_state != NULL) {
                fw->on_can_state(it->can_state);
            }
            break;
        case SIM_ISO_IT_UART_RX:
            if (fw->on_uart_rx != NULL) {
                fw->on_uart_rx(&it->byte, 1);
            }
            break;
        case SIM_ISO_IT_ADC:
            if (fw->on_adc_burst != NULL) {
                fw->on_adc_burst(c->samples, it->adc_spc, it->adc_mask);
            }
            break;
        default:
            gone();
    }
}

/* Everything is copied out of the record before the first item runs: a sync operation reads
 * its reply into the same input buffer. */
static void run_batch(child_t *c, size_t len) {
    sim_iso_batch_t b;
    sim_iso_item_t items[SIM_ISO_ITEMS_MAX];
    memcpy(&b, c->in, sizeof b);
    if (b.items > SIM_ISO_ITEMS_MAX || sizeof b + b.items * sizeof items[0] > len) {
        gone();
    }
    memcpy(items, c->in + sizeof b, b.items * sizeof items[0]);
    size_t at = sizeof b + b.items * sizeof items[0];
    for (uint32_t i = 0; i < b.items; i++) {
        if (items[i].kind == SIM_ISO_IT_ADC) { /* the host sends a burst alone in its batch */
            size_t bytes =
                (size_t)channels(items[i].adc_mask) * items[i].adc_spc * sizeof(uint16_t);
            if (at + bytes > len) {
                gone();
            }
            memcpy(c->samples, c->in + at, bytes);
            at += bytes;
        }
    }
    c->m = b.m;
    memcpy(c->mac, b.mac, sizeof c->mac);
    c->reason = b.reason;
    c->restart = false;
    sim_iso_batch_end_t end = {0, 0};
    for (uint32_t i = 0; i < b.items && !c->restart; i++) {
        run_item(c, &items[i], &end.init_rc);
        sim_node__child_put(c, SIM_ISO_ITEM_END, &i, sizeof i);
        end.done++;
    }
    sim_node__child_put(c, SIM_ISO_BATCH_END, &end, sizeof end);
    sim_node__child_flush(c);
}

/* ---- main ------------------------------------------------------------------------------------ */

static child_t *child_new(sim_iso_chan_t *chan, const sim_node_child_args_t *a) {
    child_t *c = calloc(1, sizeof *c);
    if (c == NULL || (c->rbuf = malloc(CHILD_IN_CAP)) == NULL ||
        (c->samples = malloc(HAL_ADC_CHANNELS * 4096u * sizeof(uint16_t))) == NULL ||
        sim_nvs_create(&c->nvs) != 0) {
        _exit(SIM_ISOLATE_SETUP_FAILED);
    }
    size_t len;
    const void *bytes = sim_nvs_snapshot(a->nvs, &len);
    (void)sim_nvs_restore(c->nvs, bytes, len);
    c->chan = chan;
    sim_node__proxy_fill(c);
    return c;
}

static void load(child_t *c, const sim_node_child_args_t *a) {
    char err[256] = "";
    int rc = sim_plugin_load(a->image, &c->copy, err, sizeof err);
    if (rc != 0) {
        sim_iso_fail_t f = {.rc = rc};
        size_t text = strlen(err);
        uint8_t rec[sizeof f + sizeof err];
        memcpy(rec, &f, sizeof f);
        memcpy(rec + sizeof f, err, text);
        sim_node__child_put(c, SIM_ISO_FAIL, rec, sizeof f + text);
        sim_node__child_flush(c);
        gone();
    }
    c->fw = sim_plugin_descriptor(c->copy)->ops;
    sim_node__child_put(c, SIM_ISO_READY, NULL, 0);
    sim_node__child_flush(c);
}

void sim_node__child_main(void *arg, sim_iso_chan_t *chan) {
    crash_handler_install(chan);
    on_exit(on_firmware_exit, NULL);
    child_t *c = child_new(chan, arg);
    load(c, arg);
    for (;;) {
        sim_iso_hdr_t h = read_record(c);
        if (h.type == SIM_ISO_BATCH && h.len >= sizeof(sim_iso_batch_t)) {
            run_batch(c, h.len);
        } else if (h.type == SIM_ISO_NVS) {
            if (sim_nvs_restore(c->nvs, c->in, h.len) != 0) {
                gone();
            }
        } else {
            gone();
        }
    }
}
