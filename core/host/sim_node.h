/*
 * sim_node.h: the node host, the simulated ESP32 behind one firmware instance.
 *
 * A node owns an isolated copy of its firmware plugin (sim_plugin.h) while powered, and
 * implements every operation of the host table (alfasim_host_ops_t) the copy calls through its
 * HAL: timers are kernel events, GPIO levels are kept per signal and traced, the CAN controller
 * sits on the virtual bus, the RS-485 UART on a line, NVS in a per-node image that outlives the
 * copy, and ADC, WS2812 and GPIO inputs come from device models through a binding.
 *
 * Lifecycle
 *
 *           create (validates the plugin: loads and unloads it once)
 *             │
 *             ▼           power_on                     hang
 *           ┌─────┐  ─────────────────▶ ┌─────────┐ ─────────▶ ┌──────┐
 *           │ OFF │                     │ RUNNING │            │ HUNG │
 *           └─────┘  ◀───────────────── └─────────┘            └──────┘
 *             ▲        power_off          │    ▲ watchdog or     │
 *             │                           │    │ software reset  │ watchdog reset
 *             │                           └────┘ (copy reloaded) │ (copy reloaded)
 *             └──────────────────────── power_off ───────────────┘
 *
 *   power_on   loads a fresh copy (fresh RAM), reset reason POWER_ON, calls ops->init.
 *   power_off  cancels timers and pending deliveries, stops the CAN controller, releases the UART,
 *              drives every output inactive, unloads the copy. The NVS image stays.
 *   hang       the firmware stops: no more callbacks of any kind, the watchdog is not fed. Outputs
 *              keep their level and the CAN controller keeps acknowledging (hardware does both).
 *   reset      the watchdog expiring, or hal_restart() once the current entry point returned:
 *              the copy is unloaded and reloaded like a power cycle, with reason WATCHDOG or
 *              SOFTWARE, and no power_off/power_on events in the trace.
 *
 * Re-entrancy. The firmware is not re-entrant: the host never calls into it from inside a host
 * operation. Everything that reaches the firmware (timer expiry, CAN frames and state changes,
 * UART bytes, ADC completion, the restart) is a kernel event at SIM_PRIO_FIRMWARE, and every such
 * event is checked against the node's generation, which changes whenever the copy is loaded or
 * unloaded, so nothing scheduled for an earlier copy reaches a later one. Lifecycle calls
 * (power_on/off, hang, destroy) must not be made from a binding callback (those run inside a
 * firmware call); they are SIM_ASSERTed.
 *
 * Time. hal_now_us() is (kernel now - power-on time) / 1000. hal_delay_us() never moves virtual
 * time: it advances the node's edge cursor, and GPIO edges are stamped with the cursor. The
 * cursor starts each entry point at max(now, where the previous entry point left it), so a
 * node's edges are in time order even when a bit-banged burst is still "playing" as the next
 * entry point starts. Delays are capped at 100 us a call (hal.h), excess counted.
 *
 * Trace (when cfg.trace is set). VCD scope = node name, signals relay_grid, relay_inverter,
 * relay_pool, relay_heater, led_green, led_yellow, led_red, tm1637_clk, tm1637_dio (1 bit,
 * 1 = active) and state (2 bits: 0 off, 1 running, 2 hung), declared at creation: create every
 * node before the first value change of the run. events.jsonl gets power_on, power_off, hang,
 * boot (with reason), watchdog_reset, log (firmware console lines, and host diagnostics with
 * "src":"host").
 *
 * Isolation (cfg.isolate). The copy runs in a child process instead (sim_isolate.h), with results
 * identical to running it here; only a crash, a hang or a protocol error can tell them apart.
 *
 * Faults. A node whose firmware crashes, exits, hangs (isolated), writes more than its log budget
 * (either mode), or breaks the isolation protocol faults: a "node_fault" line in events.jsonl
 * (with "reason" and "detail"), then it goes down like a power cut and stays OFF for the rest of
 * the run (power_on returns -SIM_EBUSY). sim_node_faulted() names the reason; the run layer turns
 * it into a JUnit error and exit code 3. Reasons: segfault, stack_overflow, abort, signal, exit,
 * hang, log_flood, protocol (sim_isolate.h describes each), and reset_loop: more than
 * SIM_NODE_RESETS_PER_INSTANT resets at one virtual instant (a boot takes no virtual time, so a
 * firmware that restarts from fw_init would otherwise boot forever without time moving on), and
 * livelock: more than SIM_NODE_ENTRIES_PER_INSTANT entry points at one instant.
 *
 * Errors: 0 or -SIM_E* (sim_types.h); HAL operations return hal_err_t to the firmware.
 */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alfasim_plugin.h"
#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_nvs.h"
#include "sim_plugin.h"
#include "sim_trace.h"
#include "sim_uart.h"

#define SIM_NODE_NAME_MAX            31u  /* characters in a node name */
#define SIM_NODE_INBOX_LEN           32u  /* CAN/UART deliveries waiting for the firmware */
#define SIM_NODE_EDGE_QUEUE          512u /* future-stamped GPIO edges waiting for the VCD */
#define SIM_NODE_DELAY_US_MAX        100u
#define SIM_NODE_LOG_BYTES_PER_S     65536u /* default log budget per second of virtual time */
#define SIM_NODE_RESETS_PER_INSTANT  32u   /* more resets at one instant are a "reset_loop" fault */
#define SIM_NODE_ENTRIES_PER_INSTANT 1024u /* more entry points at one instant: "livelock" */

typedef struct sim_node sim_node_t;

typedef struct {
    const char *name;          /* unique, no whitespace, <= 31 chars; copied */
    uint8_t mac[6];            /* eFuse MAC, in transmission order */
    const char *plugin_path;   /* the firmware plugin (.so); copied */
    sim_can_bus_t *bus;        /* optional: the node's CAN controller attaches here */
    sim_uart_line_t *rs485;    /* optional: the RS-485 UART's line */
    sim_trace_t *trace;        /* optional */
    uint16_t can_tx_queue_len; /* 0: the controller default (5, as TWAI) */
    /** Optional: shares plugin bytes between nodes (read once); NULL reads the file here. */
    sim_plugin_cache_t *plugins;
    /** Runs the firmware in a child process (sim_isolate.h); false runs it in this process. */
    bool isolate;
    /** Isolated only: wall-clock ms without a reply before the child counts as hung; 0 means
     *  SIM_ISOLATE_TIMEOUT_MS_DEFAULT. Decides only that a child is stuck, never a result. */
    uint32_t isolate_timeout_ms;
    /** Log bytes (each line's length + 1) the firmware may write per second of virtual time
     *  before the node faults with "log_flood"; 0 means SIM_NODE_LOG_BYTES_PER_S. */
    uint32_t log_bytes_per_s;
} sim_node_cfg_t;

typedef enum { SIM_NODE_OFF = 0, SIM_NODE_RUNNING = 1, SIM_NODE_HUNG = 2 } sim_node_state_t;

/** "off", "running", "hung". */
const char *sim_node_state_name(sim_node_state_t st);
/** "power_on", "software", "watchdog", "brownout", "unknown". */
const char *sim_node_reset_reason_name(hal_reset_reason_t r);

/**
 * Device binding: how models sit behind the node's pins. Every callback may be NULL. They run
 * inside a firmware call, or inside a lifecycle call (gpio_edge for outputs dropping at power-off
 * or reset; adc_burst at completion): either way they must not call lifecycle functions of this
 * node. `n` is the node, `ctx` the binding's context.
 */
typedef struct {
    void *ctx;
    /** An output changed: level true = active (hal.h "Logical signals"), at edge time t_ns. */
    void (*gpio_edge)(void *ctx, sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t_ns);
    /**
     * The level a device lets a line have at t_ns: false when it pulls the line low (the TM1637
     * acknowledging on DIO), true otherwise. hal_gpio_read() returns driven && this (wired-AND
     * of open-drain lines). NULL: reads return what the node drives.
     */
    bool (*gpio_input)(void *ctx, sim_node_t *n, hal_signal_t sig, sim_time_ns_t t_ns);
    /**
     * Fills one ADC burst, called when it completes: samples are channel-major, cfg
     * samples_per_channel counts for each channel set in the mask, ascending; sample i of each
     * channel is taken at t_start_ns + i * 10^9 / sample_rate_hz (integer division). Values above
     * 4095 are clamped. NULL: the node has no ADC (HAL_ERR_UNSUPPORTED).
     */
    void (*adc_burst)(void *ctx, sim_node_t *n, const hal_adc_burst_cfg_t *cfg,
                      sim_time_ns_t t_start_ns, uint16_t *samples);
    /** A WS2812 frame (G,R,B per pixel), sent at t_ns. */
    void (*ws2812)(void *ctx, sim_node_t *n, const uint8_t *grb, size_t len, sim_time_ns_t t_ns);
    /** A firmware console line (also written to events.jsonl). */
    void (*console)(void *ctx, sim_node_t *n, hal_log_level_t level, const char *line);
} sim_node_binding_t;

/**
 * Creates a node (state OFF). Validates the plugin by loading and unloading one copy, attaches
 * the CAN controller (stopped) and declares the VCD signals.
 * @retval 0
 * @retval -SIM_EINVAL              bad name or missing plugin path (message in err)
 * @retval -SIM_ENOENT, -SIM_EIO    plugin missing or unreadable (exit 66; message in err)
 * @retval -SIM_EFORMAT, -SIM_EVERSION  not a usable plugin (exit 65; message in err)
 * @retval -SIM_EBUSY               the VCD header is already closed (create nodes before running)
 * @retval -SIM_EEXIST              a node of that name is already in the trace
 * @retval -SIM_ENOMEM
 */
int sim_node_create(sim_kernel_t *k, const sim_node_cfg_t *cfg, sim_node_t **out, char *err,
                    size_t errlen);

/**
 * Powers on: a fresh copy, reset reason POWER_ON, ops->init. Trace: power_on, boot.
 * @retval 0             booted; also when the firmware faulted during init (the node is then OFF
 *                       and sim_node_faulted says why)
 * @retval -SIM_EBUSY    not OFF, or faulted earlier in the run
 * @retval -SIM_EVERSION the copy refused the host table (init returned non-zero); node stays OFF
 * @retval other         the copy could not be loaded (sim_node_error says why); node stays OFF
 */
int sim_node_power_on(sim_node_t *n);
/** Powers off (see the lifecycle above); no-op when OFF. NVS stays. */
void sim_node_power_off(sim_node_t *n);
/** Hangs a RUNNING node; no-op otherwise. */
void sim_node_hang(sim_node_t *n);
/**
 * Powers off if needed (silently: no trace lines, no binding calls, since the trace and the models
 * may already be gone), detaches from the bus, frees. Destroy nodes before their kernel, bus and
 * line. NULL is ignored.
 */
void sim_node_destroy(sim_node_t *n);

/** Sets (copies) or, with NULL, clears the device binding. Usable at any time. */
void sim_node_bind(sim_node_t *n, const sim_node_binding_t *b);

const char *sim_node_name(const sim_node_t *n);
const uint8_t *sim_node_mac(const sim_node_t *n); /* 6 bytes */
sim_node_state_t sim_node_state(const sim_node_t *n);
/** Reason of the current (or last) boot. */
hal_reset_reason_t sim_node_reset_reason(const sim_node_t *n);
/** Virtual time of the last boot (power-on or reset). */
sim_time_ns_t sim_node_boot_time(const sim_node_t *n);
/** The node's CAN controller (NULL without a bus); owned by the node. */
sim_can_ctrl_t *sim_node_can(const sim_node_t *n);
/** The UART port on the RS-485 line while powered (NULL otherwise); owned by the node. */
sim_uart_port_t *sim_node_uart(const sim_node_t *n);
/** The NVS image; owned by the node, valid until destroy; may be pre-loaded before power-on. */
sim_nvs_t *sim_node_nvs(const sim_node_t *n);
/** Level the node drives on a signal (true = active); false for unknown signals. */
bool sim_node_gpio(const sim_node_t *n, hal_signal_t sig);
/** Plugin name and firmware version from the descriptor (copied at creation). */
const char *sim_node_fw_name(const sim_node_t *n);
const char *sim_node_fw_version(const sim_node_t *n);
/** The last load failure of power_on ("" if none). */
const char *sim_node_error(const sim_node_t *n);
/** Whether the firmware runs in a child process (cfg.isolate). */
bool sim_node_isolated(const sim_node_t *n);
/** NULL while the node has not faulted; after a fault its reason ("segfault", "hang", ...). */
const char *sim_node_faulted(const sim_node_t *n);
/** The fault's detail ("SIGSEGV", "status 3", ...); "" before a fault. */
const char *sim_node_fault_detail(const sim_node_t *n);

typedef struct {
    uint32_t power_ons; /* sim_node_power_on calls that booted */
    uint32_t boots;     /* ops->init calls: power-ons and resets */
    uint32_t watchdog_resets;
    uint32_t software_resets;
    uint32_t hangs;
    uint64_t log_lines;
    uint64_t timer_fires;    /* on_timer deliveries */
    uint64_t can_rx;         /* frames delivered to the firmware */
    uint64_t can_rx_dropped; /* frames lost: inbox full, or the firmware hung */
    uint64_t can_tx_refused; /* hal_can_send calls that did not queue */
    uint64_t uart_rx;        /* bytes delivered */
    uint64_t uart_rx_dropped;
    uint64_t uart_rx_garbled; /* delivered bytes that arrived with a framing error */
    uint64_t gpio_edges;
    uint64_t vcd_edges_dropped; /* edges whose VCD record did not fit SIM_NODE_EDGE_QUEUE */
    uint64_t delay_clamped;     /* hal_delay_us calls above 100 us */
    uint64_t adc_bursts;        /* bursts completed */
    uint64_t ws2812_writes;
    uint64_t nvs_writes;   /* hal_nvs_set calls that wrote */
    uint32_t faults;       /* 0 or 1: the node faulted (sim_node_faulted) */
    uint32_t brownouts;    /* power cuts from the NVS model (sim_nvs_cut_power_at) */
    uint64_t iso_spawns;   /* isolated: child processes started (one per boot) */
    uint64_t iso_batches;  /* isolated: batches of entry points sent to the child */
    uint64_t iso_items;    /* isolated: entry points the child ran */
    uint64_t iso_ops;      /* isolated: operations the host performed for the child */
    uint64_t iso_sync_ops; /* isolated: of those, the ones the child waited for */
} sim_node_stats_t;
void sim_node_stats(const sim_node_t *n, sim_node_stats_t *out);

#endif
