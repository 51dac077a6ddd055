/*
 * sim_node_int.h: the node host's private state, shared by its files and by nothing else.
 *
 *   sim_node.c       creation, destruction, binding, accessors
 *   sim_node_life.c  boot, power off, hang, resets, entering the firmware, lifecycle trace events
 *   sim_node_ops.c   host operations: time, timers, NVS, watchdog, identity, restart, log
 *   sim_node_gpio.c  host operations: GPIO and delays; edges to the binding and the VCD
 *   sim_node_io.c    host operations: CAN, UART; the inbox of deliveries
 *   sim_node_dev.c   host operations: ADC bursts, WS2812 (device models through the binding)
 *   sim_node_guard.c the table the firmware gets: the operations, muted once the node faulted
 *   sim_node_fw.c    calling the firmware's entry points, in process or in the child
 *   sim_node_fault.c node faults, and the log budget
 *   sim_node_iso.c   isolated nodes, host side: the child's life, batches, the mirror
 *   sim_node_replay.c isolated nodes, host side: performing the operations the child recorded
 *   sim_node_ahead.c isolated nodes, host side: sending same-instant batches ahead
 *   sim_node_child.c isolated nodes, child side: the main loop and the crash handler
 *   sim_node_proxy.c isolated nodes, child side: the proxy host operations table
 *
 * Names with the sim_node__ prefix (libuv's uv__) are internal to these files.
 *
 * Generations. n->gen changes whenever a copy is loaded or unloaded. Every kernel event the node
 * schedules carries (gen << 8 | small payload) in its argument, and its handler first checks the
 * generation: an event scheduled for an earlier copy never reaches a later one. Events the node
 * keeps handles of are also cancelled at teardown, because destroy frees the node.
 */
#ifndef SIM_NODE_INT_H
#define SIM_NODE_INT_H

#include <stddef.h>

#include "sim_isolate.h"
#include "sim_node.h"

/* The watchdog judges after the firmware callbacks of the same instant: a feed due exactly at
 * the deadline still counts, as it would on the chip when the feeding task runs first. */
#define NODE_PRIO_WDT (SIM_PRIO_FIRMWARE + 50)

/* Event payloads: timer ids are 0..HAL_TIMER_COUNT-1; the node's other events use these. The
 * payload only tells a handler what the event is about; the generation decides if it is stale. */
enum {
    NODE_ARG_ADC = 0xFA,
    NODE_ARG_INBOX = 0xFB,
    NODE_ARG_EDGE = 0xFC,
    NODE_ARG_RESTART = 0xFD,
    NODE_ARG_WDT = 0xFE,
};

typedef enum { INBOX_CAN_RX = 1, INBOX_CAN_STATE, INBOX_UART_RX } inbox_kind_t;

typedef struct {
    uint8_t kind; /* inbox_kind_t */
    uint8_t byte; /* INBOX_UART_RX */
    int8_t state; /* INBOX_CAN_STATE: hal_can_state_t */
    hal_can_frame_t frame;
} node_inbox_item_t;

typedef struct {
    sim_time_ns_t t_ns;
    uint8_t sig;
    bool level;
} node_edge_t;

/* The entry points a plugin provides (fw ops that are not NULL), read once at creation: every
 * copy of a file has the same, and an isolated host needs them without a copy of its own. */
enum {
    FW_CAP_TIMER = 1u << 0,
    FW_CAP_UART_RX = 1u << 1,
    FW_CAP_CAN_RX = 1u << 2,
    FW_CAP_CAN_STATE = 1u << 3,
    FW_CAP_ADC = 1u << 4,
};

#define NODE_UART_TX_CAPACITY 256u /* the RS-485 port's TX buffer (hal.h) */

typedef struct {
    sim_event_id_t ev;
    sim_time_ns_t deadline_ns;
    sim_time_ns_t period_ns;
    bool periodic;
} node_timer_t;

struct sim_node {
    /* The first two cache lines hold every field that a frame's delivery touches, apart from
     * the inbox entry itself (the struct is 12 KiB and allocated on a cache-line boundary). A
     * frame reaches each of up to 126 nodes in turn, twice over: into the inbox (line 0 only),
     * then from it into the firmware (both lines). By the second pass the first has pushed the
     * node out of the L1 cache, so each further line touched costs a miss per node per frame.
     * The host operations and the inbox ring follow. */
    /* line 0: the inbox's state and what every entry point reads first */
    sim_kernel_t *k;
    sim_event_id_t inbox_ev; /* 0, a handle, or SIM_EVENT_JOINED (a batch member) */
    sim_node_state_t state;
    unsigned inbox_head, inbox_count;
    uint8_t fw_caps; /* FW_CAP_* */
    bool muted;      /* faulted inside an entry point: operations do nothing until it returns */
    bool in_fw;
    bool restart_pending;
    const alfasim_fw_ops_t *fw;
    /* fw->on_can_rx, copied at load: fw lies in the copy's own data, one more cold line */
    void (*fw_can_rx)(const hal_can_frame_t *frame);
    sim_isolate_t *iso;
    uint64_t gen;
    /* line 1: the clock and the counts of every entry point */
    uint64_t now_us_cell;  /* host.now_us_cell: now_us as of the current entry point */
    sim_time_ns_t edge_ns; /* the edge cursor */
    sim_time_ns_t entries_ns;
    sim_time_ns_t boot_ns;
    uint64_t can_rx;             /* stats.can_rx, counted here (sim_node_stats reads it) */
    uint64_t uart_rx;            /* stats.uart_rx, likewise */
    uint32_t entries_at_instant; /* entry points run at entries_ns, against a livelock */
    uint32_t entry_ops;          /* recorded operations in the current entry point (guard) */

    alfasim_host_ops_t host; /* what the firmware calls: the guard (sim_node_guard.c) */
    alfasim_host_ops_t ops;  /* the operations themselves */
    node_inbox_item_t inbox[SIM_NODE_INBOX_LEN];

    char name[SIM_NODE_NAME_MAX + 1];
    uint8_t mac[6];
    char fw_name[64];
    char fw_version[32];
    char error[256];
    sim_trace_t *trace;
    sim_nvs_t *nvs;
    sim_node_binding_t bind;
    sim_node_stats_t stats;

    /* the copy: in process (copy, fw), or in a child (iso) */
    sim_plugin_image_t *image;
    sim_plugin_t *copy;
    bool isolate;
    uint32_t isolate_timeout_ms;
    uint64_t iso_nvs_version;  /* the NVS image version the child's copy matches */
    uint64_t iso_ops;          /* operations replayed in the current entry point */
    struct sim_node *iso_next; /* the thread's roster of nodes with a child (sim_node_ahead.c) */
    size_t iso_ahead_len;    /* a batch sent ahead of its event: its bytes, checked at the event */
    uint64_t iso_ahead_sent; /* batches sent ahead so far (tests read it) */
    uint8_t iso_ahead[sizeof(sim_iso_batch_t) + SIM_ISO_ITEMS_MAX * sizeof(sim_iso_item_t)];

    /* faults */
    const char *fault; /* reason, NULL while healthy */
    char fault_detail[96];
    bool power_cut; /* muted by an NVS power cut (not a fault) */
    uint32_t log_bytes_per_s;
    int64_t log_window_s;
    uint32_t log_window_bytes;
    hal_reset_reason_t reason;
    sim_event_id_t restart_ev;
    sim_time_ns_t reset_ns;     /* the instant of the latest reset */
    uint32_t resets_at_instant; /* resets at reset_ns, counted against a boot loop */

    node_timer_t timer[HAL_TIMER_COUNT];
    bool wdt_armed;
    sim_time_ns_t wdt_timeout_ns;
    sim_time_ns_t wdt_fed_ns;
    sim_event_id_t wdt_ev;

    /* GPIO */
    bool level[HAL_SIG_COUNT];
    node_edge_t edges[SIM_NODE_EDGE_QUEUE];
    unsigned edge_head, edge_count;
    sim_event_id_t edge_ev;
    bool vcd;
    sim_vcd_sig_t vcd_sig[HAL_SIG_COUNT];
    sim_vcd_sig_t vcd_state;

    /* CAN, UART, inbox */
    sim_can_bus_t *bus;
    sim_can_ctrl_t *can;
    uint16_t can_tx_cap;
    bool can_recovering;
    sim_uart_line_t *line;
    sim_uart_port_t *uart;
    bool uart_open;

    /* ADC */
    bool adc_busy;
    hal_adc_burst_cfg_t adc_cfg;
    sim_time_ns_t adc_start_ns;
    sim_event_id_t adc_ev;
    uint16_t *adc_buf;
};
_Static_assert(offsetof(struct sim_node, now_us_cell) <= 64 &&
                   offsetof(struct sim_node, entry_ops) + sizeof(uint32_t) <= 128,
               "line 0's fields end in line 0, line 1's in line 1 or before");

/* ---- sim_node_life.c ---- */
uint64_t sim_node__arg(const sim_node_t *n, unsigned payload);
bool sim_node__arg_current(const sim_node_t *n, uint64_t arg);
/** The firmware may be called: running, current generation, no restart pending. */
bool sim_node__deliverable(const sim_node_t *n, uint64_t arg);
/** Brackets every call into the firmware (sets the edge cursor, guards re-entry). */
void sim_node__enter(sim_node_t *n);
void sim_node__leave(sim_node_t *n);
/** Watchdog or software reset: reload the copy and boot with `reason`. */
void sim_node__reset(sim_node_t *n, hal_reset_reason_t reason);
/** Unloads the copy; quiet skips trace and binding callbacks (destroy). */
void sim_node__teardown(sim_node_t *n, bool quiet);
/** A host diagnostic line in events.jsonl ({"type":"log",…,"src":"host"}). */
void sim_node__host_log(sim_node_t *n, hal_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** A log line's "level" field: "error", "warn", "info" or "debug", or for a value outside
 *  hal_log_level_t, "invalid" and the value in "level_value". */
void sim_node__ev_level(sim_trace_ev_t *e, int level);

/* ---- sim_node_ops.c ---- */
/** The firmware's clock: microseconds since the node booted. */
uint64_t sim_node__now_us(const sim_node_t *n);
/** The firmware's clock at virtual time `now` (sim_node__now_us and the time cell agree). */
static inline uint64_t sim_node__us_since_boot(const sim_node_t *n, sim_time_ns_t now) {
    return (uint64_t)((now - n->boot_ns) / SIM_NS_PER_US);
}
void sim_node__ops_core(alfasim_host_ops_t *ops);
/** A sim_nvs return value as the firmware sees it (hal_err_t). */
int sim_node__nvs_to_hal(int rc);
/** Cancels the firmware timers and a pending restart, and the watchdog with with_wdt. */
void sim_node__timers_cancel(sim_node_t *n, bool with_wdt);

/* ---- sim_node_gpio.c ---- */
void sim_node__ops_gpio(alfasim_host_ops_t *ops);
int sim_node__vcd_declare(sim_node_t *n, char *err, size_t errlen);
void sim_node__vcd_state(sim_node_t *n);
/** Writes due edges, drops future ones; then, unless quiet, every output goes inactive now. */
void sim_node__gpio_reset(sim_node_t *n, bool quiet);

/* ---- sim_node_io.c ---- */
void sim_node__ops_io(alfasim_host_ops_t *ops);
int sim_node__can_attach(sim_node_t *n, uint16_t tx_queue_len);
/** Attaches the UART port (at boot). 0 or -SIM_E*. */
int sim_node__io_start(sim_node_t *n);
/** Cancels the ADC burst and inbox deliveries, stops the CAN controller, detaches the UART. */
void sim_node__io_stop(sim_node_t *n);
/** Drops pending deliveries (hang); counts dropped frames and bytes. */
void sim_node__inbox_drop(sim_node_t *n);

/* ---- sim_node_dev.c ---- */
void sim_node__ops_dev(alfasim_host_ops_t *ops);
/** Cancels a burst in progress (teardown). */
void sim_node__adc_cancel(sim_node_t *n);

/* ---- sim_node_guard.c ---- */
/** Fills the firmware's table: each operation forwards to n->ops unless the node is muted. */
void sim_node__guard_fill(alfasim_host_ops_t *host);

/* ---- sim_node_fw.c ---- */
/** Loads the firmware: a copy here, or a child that loads one. 0 or -SIM_E* (n->error). */
int sim_node__fw_load(sim_node_t *n);
/** Unloads the copy, or kills the child. */
void sim_node__fw_unload(sim_node_t *n);
/** The firmware is loaded (in process or in a child). */
bool sim_node__fw_loaded(const sim_node_t *n);
/**
 * Runs ops->init. Returns its result, or SIM_NODE__DOWN when the node faulted or lost power
 * during it (it is then already OFF).
 */
int sim_node__fw_init(sim_node_t *n);
#define SIM_NODE__DOWN (-1000)
/** Entry points; each brackets the call (enter/leave) and settles a fault found inside. */
void sim_node__fw_timer(sim_node_t *n, unsigned id);
/** Delivers the inbox while the node stays deliverable (one batch per round when isolated). */
void sim_node__fw_inbox(sim_node_t *n, uint64_t arg);
void sim_node__fw_adc(sim_node_t *n, const uint16_t *samples, uint16_t spc, uint8_t mask);

/* ---- sim_node_fault.c ---- */
/**
 * Records a fault: the node_fault line now, the node muted; outside an entry point the node is
 * also torn down at once, inside one when it returns (sim_node__fault_settle). The first fault
 * wins; later ones are ignored. `reason` must be a static string.
 */
void sim_node__fault(sim_node_t *n, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** An NVS power cut struck during a firmware operation: trace it, mute the firmware; the node
 *  goes down when the entry point returns. */
void sim_node__power_cut(sim_node_t *n);
/** After an entry point: tears a node that faulted (or lost power) inside it down. */
void sim_node__fault_settle(sim_node_t *n);
/** Counts a log line against the budget; false when it is over (the node has faulted). */
bool sim_node__log_budget(sim_node_t *n, size_t len);

/* ---- sim_node_iso.c ---- */
int sim_node__iso_load(sim_node_t *n);
void sim_node__iso_unload(sim_node_t *n);
/**
 * Runs `count` items in the child: sends the batch, then for each item the caller calls
 * sim_node__iso_item (between enter and leave), then sim_node__iso_end. Each returns 0, or -1
 * when the node faulted (stop: the child is gone).
 */
int sim_node__iso_send(sim_node_t *n, const sim_iso_item_t *items, unsigned count,
                       const uint16_t *samples, size_t n_samples);
int sim_node__iso_item(sim_node_t *n, unsigned index);
int sim_node__iso_end(sim_node_t *n, unsigned done, int *init_rc);
/** Fills a mirror of the node's state for the child. */
void sim_node__iso_mirror(sim_node_t *n, sim_iso_mirror_t *m);
/** Sends a batch ahead of its event (sim_node_ahead.c) and keeps its bytes for the event to
 *  check; 0, or the channel's error (the event itself will meet it again and fault). */
int sim_node__iso_post_ahead(sim_node_t *n, const sim_iso_item_t *items, unsigned count);

/* ---- sim_node_ahead.c ---- */
/** Adds a node whose child is ready to its thread's roster; leave removes it (and forgets a batch
 *  sent ahead: the child that had it is gone). */
void sim_node__ahead_join(sim_node_t *n);
void sim_node__ahead_leave(sim_node_t *n);
/** After `self` sent a batch: sends every other node of the kernel whose next firmware event is
 *  certain to come at this instant, and to be unaffected by anything before it, its batch now, so
 *  that the children run side by side while the host replays one after the other. */
void sim_node__iso_send_ahead(sim_node_t *self);

/* ---- sim_node_fw.c ---- */
/** The inbox as batch items, in delivery order; returns how many. */
unsigned sim_node__inbox_items(const sim_node_t *n, sim_iso_item_t *items);

/* ---- sim_node_replay.c ---- */
/** Performs one OP record for the child; 0, or -1 when the node faulted. */
int sim_node__replay_op(sim_node_t *n, const uint8_t *payload, size_t len);

/* ---- sim_node_child.c ---- */
typedef struct {
    sim_plugin_image_t *image;
    const sim_nvs_t *nvs;
} sim_node_child_args_t;
/** The child's main (sim_isolate_main_fn): loads the copy, then runs batches until killed. */
void sim_node__child_main(void *arg, sim_iso_chan_t *chan);

#endif
