/*
 * sim_bridge_int.h: the bridge object, shared by the bridge's files.
 *
 *   sim_bridge.c          create/destroy, the controller and the bus observer, peers, stats
 *   sim_bridge_ring.c     the two bounded frame queues
 *   sim_bridge_pump.c     the virtual side: host frames into the controller, bridge_rx records
 *   sim_bridge_service.c  the host side: input classification, rate-limited output, lost links
 *   sim_bridge_host.c     everything that reads the host clock or waits on it
 *   sim_bridge_replay.c   recorded bridge_rx/bridge_stop lines back into kernel events
 *   sim_bridge_record.c   the frame notation of the records, written and parsed
 */
#ifndef SIM_BRIDGE_INT_H
#define SIM_BRIDGE_INT_H

#include "sim_bridge.h"

#define SIM_BRIDGE_NAME_MAX     31
#define SIM_BRIDGE_ENDPOINT_MAX 95
#define SIM_BRIDGE_PEERS_MAX    8
/* "18FF50E5#0102030405060708" and its NUL. */
#define SIM_BRIDGE_REC_FRAME_MAX 26

typedef struct {
    sim_can_frame_t f;
    sim_time_ns_t t_ns; /* tx queue: the frame's virtual end time; rx queue: unused */
} sim_bridge_item_t;

/* A bounded FIFO of frames with a high-water mark. */
typedef struct {
    sim_bridge_item_t *items;
    uint32_t cap, head, len, high;
} sim_bridge_ring_t;

int sim_bridge_ring_init(sim_bridge_ring_t *r, uint32_t cap);
void sim_bridge_ring_free(sim_bridge_ring_t *r);
/** false when full. */
bool sim_bridge_ring_push(sim_bridge_ring_t *r, const sim_can_frame_t *f, sim_time_ns_t t_ns);
/** The oldest item, or NULL when empty. */
const sim_bridge_item_t *sim_bridge_ring_peek(const sim_bridge_ring_t *r);
void sim_bridge_ring_pop(sim_bridge_ring_t *r);

/* One recorded injection or stop of a replay, in file order. */
typedef struct {
    sim_time_ns_t t_ns;
    bool stop;          /* a bridge_stop line; f unused */
    const char *reason; /* stop: one of the SIM_BRIDGE_REASON_* strings */
    sim_can_frame_t f;
} sim_bridge_rec_t;

/* The reasons a bridge_stop line can give. */
#define SIM_BRIDGE_REASON_LINK     "link_lost"
#define SIM_BRIDGE_REASON_BAD      "bad_input"
#define SIM_BRIDGE_REASON_OVERFLOW "overflow"
/** The canonical reason string equal to text, or NULL. */
const char *sim_bridge__reason(const char *text);

/* Message kinds printed once each (bits of sim_bridge.warned). */
enum {
    WARN_OVERFLOW_RX = 1u << 0,
    WARN_OVERFLOW_TX = 1u << 1,
    WARN_MALFORMED = 1u << 2,
    WARN_FD = 1u << 3,
    WARN_BAD_DLC = 1u << 4,
    WARN_ERROR_FRAME = 1u << 5,
    WARN_ECHO = 1u << 6,
    WARN_BUSY = 1u << 7,
    WARN_NO_PEER = 1u << 8,
    WARN_REFUSED = 1u << 9,
};

struct sim_bridge {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    sim_trace_t *trace; /* NULL: nothing recorded */
    sim_can_ctrl_t *ctrl;
    sim_bridge_io_t io; /* ops NULL for a replay */
    char name[SIM_BRIDGE_NAME_MAX + 1];
    char endpoint[SIM_BRIDGE_ENDPOINT_MAX + 1];
    uint16_t ctrl_queue_len;
    uint32_t rate_milli, grace_ms, stop_on;
    bool rate_follows_pacer; /* cfg.rate_milli was 0: sim_bridge_run_until sets rate_milli */
    sim_bridge_clock_t clock;
    void (*log)(void *ctx, const char *line);
    void *log_ctx;

    sim_bridge_ring_t rx, tx;
    sim_bridge_stats_t st;
    uint32_t warned;

    /* Bridges on the same host link: frames their controllers send are not forwarded, and what
     * a peer wrote to the host comes back here as host input, so it is expected and dropped. */
    sim_bridge_t *peers[SIM_BRIDGE_PEERS_MAX];
    unsigned n_peers;
    sim_bridge_ring_t expect; /* frames peers wrote to the host, oldest first */

    /* host side (sim_bridge_service.c, sim_bridge_host.c) */
    bool link_lost;          /* closed after a loss; re-opened once a second */
    uint64_t reopen_at_ns;   /* host time of the next re-open attempt */
    bool ready;              /* link up and the grace period over */
    bool waiting_grace;      /* link up, grace running */
    uint64_t ready_at_ns;    /* host time the grace period ends */
    uint64_t next_free_ns;   /* rate limiter: host time the link is free again */
    bool busy;               /* the transport refused a frame (buffer full) */
    const char *stop_reason; /* a stop condition seen on the host side, recorded at next pump */
    bool stopped;
    bool counted_live; /* counted in sim_bridge__live_count (a created, live bridge) */

    /* replay (sim_bridge_replay.c) */
    bool replay;
    sim_bridge_rec_t *recs;
    size_t n_recs, next_rec;
};

#define SIM_BRIDGE_EXPECT_LEN 256

/** Tells b's peers that f went to the host, so their copy of it is not taken as input. */
void sim_bridge__expect_echo(sim_bridge_t *b, const sim_can_frame_t *f);
/** True (and forgets it) when f is a frame a peer wrote to the host. */
bool sim_bridge__is_peer_echo(sim_bridge_t *b, const sim_can_frame_t *f);

/** Attaches and starts the controller; shared by create and replay. */
int sim_bridge__attach(sim_bridge_t *b);
/** Formats "bridge <endpoint>: <msg>" to cfg.log or stderr. */
void sim_bridge__log(sim_bridge_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Logs once per kind (WARN_* bit). */
void sim_bridge__warn_once(sim_bridge_t *b, uint32_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Records a stop condition of kind flag (SIM_BRIDGE_STOP_*) if cfg.stop_on asks for it. */
void sim_bridge__stop_if(sim_bridge_t *b, uint32_t flag, const char *reason);
/** Reads the bridge's host clock. */
uint64_t sim_bridge__now_ns(const sim_bridge_t *b);
/** The host-clock default (sim_bridge_host.c). */
uint64_t sim_bridge__host_now_ns(void *ctx);

/** Writes the bridge_open line at the current virtual time. */
void sim_bridge__record_open(sim_bridge_t *b);
/** Writes one bridge_rx line. */
void sim_bridge__record_rx(sim_bridge_t *b, const sim_can_frame_t *f);
/** Writes one bridge_stop line. */
void sim_bridge__record_stop(sim_bridge_t *b, const char *reason);

/** A frame in candump notation ("123#0102", "18FF50E5#R2") into buf (>= REC_FRAME_MAX). */
void sim_bridge__frame_text(const sim_can_frame_t *f, char *buf);
/** Parses the candump notation above. 0 or -SIM_EFORMAT. */
int sim_bridge__frame_parse(const char *text, size_t len, sim_can_frame_t *out);

/** The pause gate's notification (sim_bridge_pause.c): paused or going on at now_ns. */
void sim_bridge__pause_told(bool paused, sim_time_ns_t now_ns);
/** Adds delta to the number of live bridges in the process. */
void sim_bridge__live_add(int delta);
/** Live bridges in the process (created, not yet destroyed; replays do not count). */
unsigned sim_bridge__live_count(void);

/** Host side: one non-blocking round of I/O at host time now_ns (sim_bridge_service.c). */
int sim_bridge__io_round(sim_bridge_t *b, uint64_t now_ns);
/** Host side: how soon (ms) the bridge wants another round without I/O readiness; -1: never. */
int sim_bridge__wake_ms(const sim_bridge_t *b, uint64_t now_ns);

#endif
