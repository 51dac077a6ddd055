/*
 * sim_bridge.h: a live link between the virtual CAN bus and a real one (SocketCAN, socketcand),
 * and its offline replay.
 *
 * A bridge is a controller on a sim_can_bus_t, like the USB adapter of a real gateway: it
 * acknowledges frames, and what the host sends enters the bus through its TX queue. It is also
 * an observer of the bus, so every frame the simulated nodes send goes to the host in bus order.
 *
 *   host ──poll_io──▶ [rx queue] ──pump (event boundary)──▶ controller TX queue ──▶ bus
 *   bus ──observer──▶ [tx queue] ──service (rate-limited)──▶ transport send ──▶ host
 *
 * Two sides, kept apart:
 *   - The host side (sim_bridge_service) does socket I/O and reads the host clock. It only moves
 *     frames between sockets and the two bounded queues; it never touches the kernel.
 *   - The virtual side (sim_bridge_pump) runs between kernel slices, at the current virtual time
 *     T: it moves host frames into the controller's TX queue (what does not fit stays queued
 *     for the next pump) and records each one in events.jsonl as
 *       {"t_ns":T,"type":"bridge_rx","node":"<name>","frame":"123#0102"}
 *     (frame in candump notation: 3 or 8 hex digits of identifier, then data or R<dlc>).
 *
 * Determinism and replay. Host frames are the only outside input. A pump at T happens after
 * every event with time <= T ran, and nothing runs before the next kernel call, which is exactly
 * what a kernel event at (T, SIM_PRIO_BRIDGE) sees. sim_bridge_replay_open() turns the recorded
 * bridge_rx lines back into such events, with the same controller, so a replay writes the same
 * bytes (the bridge_rx lines included) without any socket. Host-side facts (socket errors,
 * malformed input, rate limiting, lost frames to the host) never enter the trace: they are
 * counted in sim_bridge_stats_t, for report.json, and printed once per kind through cfg.log.
 *
 * Echo rules. The bridge never forwards a frame its own controller sent (host frames do not come
 * back to the host), nor one sent by a peer bridge on the same host link (cfg.peer); and what a
 * peer wrote to the host comes back as host input, so it is expected and dropped (rx_echo). Two
 * bridges on one interface therefore cannot loop. SocketCAN sockets do not receive their own
 * writes (CAN_RAW_RECV_OWN_MSGS off); a loopback confirmation that arrives anyway is dropped.
 *
 * Queues. The rx queue (host to bus) holds cfg.rx_queue_len frames: nothing is dropped while
 * the simulation is paused or busy as long as sim_bridge_service keeps being called; beyond the
 * capacity frames are counted in rx_overflow. The tx queue (bus to host) is drained no faster
 * than the bus's bit rate x cfg.rate_milli / 1000 in host time (each frame costs its
 * sim_can_frame_bits), with up to 2 ms of catch-up burst; overflow counts in tx_overflow.
 *
 * Errors that may stop the run (cfg.stop_on): a lost link, malformed/FD/bad-DLC input, queue
 * overflow. Without the flag the run continues and the event is only counted. With it, the next
 * pump records {"t_ns":T,"type":"bridge_stop","node":…,"reason":"link_lost"|"bad_input"|
 * "overflow"} and returns -SIM_ECANCELED; a replay stops the kernel at the same point.
 *
 * Integration in a run (core/run):
 *   sim_bridge_spec_t spec;  sim_bridge_parse_spec(text, &spec, err, len)      → 64 on error
 *   sim_bridge_open(k, bus, trace, &spec, &cfg, &b, err, len)   (after the bus, trace and nodes
 *       exist, before the timeline is scheduled)                             → 69 on error
 *   sim_bridge_wait_ready(b, timeout_ms)       optional: wait for the socketcand client
 *   sim_pacer_init(&p, factor_milli)           (--realtime[=F]; 1000 when bridged without it)
 *   sim_bridge_run_until(k, b, &p, t, 0)       instead of sim_kernel_run_until, per slice
 *   sim_bridge_drain(b, 2000)                  at the end: flush frames still bound for the host
 *   sim_bridge_stats(b, &st) / sim_bridge_stats_json(...) into report.json, then destroy.
 * Replay (alfasim replay DIR): for i = 0, 1, ... sim_bridge_replay_open(DIR "/events.jsonl", i,
 * k, bus, trace, &b, err, len) until it returns -SIM_ENOENT with err empty, at the same point of
 * the build, then plain sim_kernel_run_until; sim_bridge_stopped(b) tells whether the recorded
 * run was stopped.
 *
 * Not thread-safe; one thread drives kernel, bus and bridges.
 */
#ifndef SIM_BRIDGE_H
#define SIM_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_bridge_io.h"
#include "sim_bridge_pacer.h"
#include "sim_bridge_pause.h"
#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_trace.h"

/*
 * The priority of a replayed injection: after every other event of its instant, as a live pump
 * after sim_kernel_run_until(T). No other module may use it.
 */
#define SIM_PRIO_BRIDGE INT32_MAX

/* ---- endpoint specs ---------------------------------------------------------------------- */

typedef enum { SIM_BRIDGE_SOCKETCAN = 1, SIM_BRIDGE_SOCKETCAND } sim_bridge_kind_t;

typedef struct {
    sim_bridge_kind_t kind;
    char iface[16]; /* socketcan: the interface name */
    char host[64];  /* socketcand: IPv4 address or "localhost" */
    uint16_t port;  /* socketcand: TCP port, 0 for any free port */
    char text[96];  /* the spec as given, e.g. "socketcan:vcan0" (the endpoint in messages) */
} sim_bridge_spec_t;

/**
 * Parses "socketcan:IFACE" or "socketcand:HOST:PORT". 0, or -SIM_EINVAL with a message in err
 * ("unknown bridge kind", "missing port", "interface name longer than 15 characters", ...).
 */
int sim_bridge_parse_spec(const char *text, sim_bridge_spec_t *out, char *err, size_t errlen);

/* ---- configuration ----------------------------------------------------------------------- */

/* cfg.stop_on flags */
#define SIM_BRIDGE_STOP_LINK     0x1u /* the host link was lost */
#define SIM_BRIDGE_STOP_BAD      0x2u /* malformed, FD or bad-DLC input from the host */
#define SIM_BRIDGE_STOP_OVERFLOW 0x4u /* a queue overflowed: frames were lost */

/** The host clock: monotonic nanoseconds. NULL now_ns means the real one (sim_bridge_host.c). */
typedef struct {
    uint64_t (*now_ns)(void *ctx);
    void *ctx;
} sim_bridge_clock_t;

typedef struct sim_bridge sim_bridge_t;

typedef struct {
    const char *name;        /* controller name on the bus and in traces; NULL: "bridge" */
    const char *endpoint;    /* for messages and bridge_open; NULL: the transport kind */
    uint16_t ctrl_queue_len; /* controller TX queue in frames; 0: 64 */
    uint32_t rx_queue_len;   /* host frames held before the bus takes them; 0: 16384 */
    uint32_t tx_queue_len;   /* bus frames held before the host takes them; 0: 16384 */
    uint32_t rate_milli;     /* host-side TX rate = bit rate x rate_milli / 1000; 0: follow
                                the pacer of sim_bridge_run_until (unlimited when unpaced) */
    uint32_t grace_ms;       /* hold frames this long after a peer becomes ready (the python-can
                                handshake reads each reply whole); 0: none (sim_bridge_open
                                makes it 100 for socketcand) */
    uint32_t stop_on;        /* SIM_BRIDGE_STOP_* */
    sim_bridge_t *peer;      /* a bridge of this bus on the same host link, or NULL */
    sim_bridge_clock_t clock;
    /** One line per message ("bridge socketcan:vcan0: ..."); NULL prints to stderr. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} sim_bridge_cfg_t;

/* ---- lifetime ---------------------------------------------------------------------------- */

/**
 * Creates a bridge over transport io (taken over: freed by destroy, also on failure), opens it,
 * attaches and starts its controller and registers its bus observer, and records
 * {"type":"bridge_open","node":<name>,"endpoint":…,"queue":N} at the current virtual time when
 * trace is not NULL (without a trace nothing is recorded).
 * @retval 0            created
 * @retval -SIM_EINVAL  name or endpoint unusable (names: 1..31 of [A-Za-z0-9_.:@-]; endpoints:
 *                      printable ASCII without quotes or backslashes), or a peer of another bus
 * @retval -SIM_EAGAIN  the bus has no observer slot left, or the peer group is full (8)
 * @retval -SIM_ENOMEM
 * @retval other        the transport's open() code, message in err
 */
int sim_bridge_create(sim_kernel_t *k, sim_can_bus_t *bus, sim_trace_t *trace, sim_bridge_io_t io,
                      const sim_bridge_cfg_t *cfg, sim_bridge_t **out, char *err, size_t errlen);

/**
 * sim_bridge_create with the transport the spec names: socketcan on spec->iface at the bus's bit
 * rate, or a socketcand server on spec->host:port (its port is logged once listening). cfg may
 * be NULL (defaults); cfg->endpoint NULL becomes spec->text; grace_ms 0 becomes 100 ms for
 * socketcand. Return values as sim_bridge_create; every failure means "requested bridge
 * unavailable" (exit status 69), with a one-line message in err.
 */
int sim_bridge_open(sim_kernel_t *k, sim_can_bus_t *bus, sim_trace_t *trace,
                    const sim_bridge_spec_t *spec, const sim_bridge_cfg_t *cfg, sim_bridge_t **out,
                    char *err, size_t errlen);

/**
 * Detaches the controller, closes and frees the transport. NULL is allowed. The bus keeps the
 * bridge's observer (buses cannot drop one): run the bus no further after this, only destroy it.
 */
void sim_bridge_destroy(sim_bridge_t *b);

/* ---- the virtual side -------------------------------------------------------------------- */

/**
 * Moves queued host frames into the controller (as many as its TX queue takes) at the current
 * virtual time, recording each; call it between kernel slices, after sim_kernel_run_until.
 * 0, or -SIM_ECANCELED once a stop condition (cfg.stop_on) was recorded. No-op for a replay.
 */
int sim_bridge_pump(sim_bridge_t *b);

/** True once a stop was recorded (live) or replayed. */
bool sim_bridge_stopped(const sim_bridge_t *b);

/** The bridge's controller (for statistics and assertions). */
sim_can_ctrl_t *sim_bridge_ctrl(const sim_bridge_t *b);

/** The TCP port a socketcand bridge listens on (useful with port 0); 0 for other kinds. */
uint16_t sim_bridge_port(const sim_bridge_t *b);

/* ---- the host side ----------------------------------------------------------------------- */

/**
 * Host I/O for up to timeout_ms (0: only what is ready now): polls the transport, queues host
 * frames, sends queued bus frames as the rate limit allows, re-opens a lost link once a second.
 * Call it while the simulation is paused, too: that is what keeps host frames from being lost.
 * 0, or -SIM_EIO when poll() itself fails.
 */
int sim_bridge_service(sim_bridge_t *b, int timeout_ms);

/**
 * Services until the link is up and the grace period passed (a socketcand client finished its
 * handshake) or timeout_ms elapsed. 0, or -SIM_EAGAIN on timeout.
 */
int sim_bridge_wait_ready(sim_bridge_t *b, uint32_t timeout_ms);

/**
 * Services until every queued bus frame was handed to the transport and its output flushed, or
 * timeout_ms elapsed. 0, or -SIM_EAGAIN on timeout (frames still queued).
 */
int sim_bridge_drain(sim_bridge_t *b, uint32_t timeout_ms);

/**
 * The paced run loop: runs the kernel to t_end in slices of slice_ns (0: 1 ms), waiting on the
 * pacer before each slice (servicing the bridge while it waits), and pumping after each. b may
 * be NULL (pacing without a bridge); p may be NULL or unpaced (no waiting). Before each slice it
 * stops at the pause gate while that is closed (sim_bridge_pause.h), still servicing b, and
 * re-anchors p when it goes on. Returns when t_end is reached, or early:
 * @retval 0               reached t_end
 * @retval -SIM_ECANCELED  sim_kernel_stop() was called, or the bridge recorded a stop
 * @retval -SIM_EIO        poll() failed
 */
int sim_bridge_run_until(sim_kernel_t *k, sim_bridge_t *b, sim_pacer_t *p, sim_time_ns_t t_end,
                         sim_time_ns_t slice_ns);

/**
 * The host's monotonic clock in ns (for sim_pacer_rebase after a pause: rebase at
 * (sim_bridge_host_now_ns(), sim_kernel_now(k))).
 */
uint64_t sim_bridge_host_now_ns(void);

/* ---- statistics -------------------------------------------------------------------------- */

typedef struct {
    /* host to bus */
    uint64_t rx_frames;       /* host frames queued */
    uint64_t rx_injected;     /* entered the controller's TX queue (and the trace) */
    uint64_t rx_overflow;     /* lost: the rx queue was full */
    uint64_t rx_malformed;    /* input that was not a frame */
    uint64_t rx_fd;           /* CAN FD frames refused on the classic bus */
    uint64_t rx_bad_dlc;      /* classic frames claiming more than 8 bytes */
    uint64_t rx_error_frames; /* host controller error reports, ignored */
    uint64_t rx_echo;         /* own frames handed back by the host, ignored */
    uint32_t rx_queue_max;    /* high-water mark */
    /* bus to host */
    uint64_t tx_frames;    /* handed to the transport */
    uint64_t tx_overflow;  /* lost: the tx queue was full */
    uint64_t tx_no_peer;   /* lost: nobody was connected */
    uint64_t tx_link_down; /* lost: the link was down */
    uint64_t tx_busy;      /* times the host socket buffer was full (frames kept, retried) */
    uint32_t tx_queue_max; /* high-water mark */
    uint32_t tx_unsent;    /* still queued when read: after the end-of-run drain, never sent */
    /* link */
    uint64_t link_lost;
    uint64_t link_reopened;
    /* replay */
    uint64_t replay_refused; /* recorded frames the controller refused: the replay diverged */
    /* operator */
    uint64_t pauses; /* times the run stood at the pause gate with this bridge (pause.h) */
} sim_bridge_stats_t;

void sim_bridge_stats(const sim_bridge_t *b, sim_bridge_stats_t *out);

/**
 * The statistics as one JSON object on one line ({"endpoint":…,"rx_frames":…,…}), for
 * report.json. Returns the length, or -SIM_ERANGE when it does not fit (buf holds "{}" then).
 */
int sim_bridge_stats_json(const sim_bridge_t *b, char *buf, size_t len);

/* ---- replay ------------------------------------------------------------------------------ */

/**
 * Replays the index-th bridge (0-based, in bridge_open order) of a recorded run: reads the
 * run's events.jsonl, attaches a controller with the recorded name and queue length, records the
 * same bridge_open line, and schedules each recorded injection (and stop) as an event at
 * (t, SIM_PRIO_BRIDGE). No transport: bus frames go nowhere. Call it where the live run created
 * the bridge. pump and service are no-ops on it.
 * @retval 0             created
 * @retval -SIM_ENOENT   with err empty: the run had no index-th bridge (a replay goes on without
 *                       it); with a message in err: the file cannot be read
 * @retval -SIM_EFORMAT  a bridge line is malformed (message with the line number in err), or the
 *                       records go back in time
 * @retval -SIM_ENOMEM
 */
int sim_bridge_replay_open(const char *events_path, unsigned index, sim_kernel_t *k,
                           sim_can_bus_t *bus, sim_trace_t *trace, sim_bridge_t **out, char *err,
                           size_t errlen);

#endif
