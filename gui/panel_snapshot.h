/*
 * panel_snapshot.h: everything the panel draws, as one plain value the run layer fills.
 *
 * The run layer (live run or replay) fills a panel_snapshot_t each frame, or whenever it pauses,
 * and hands it to panel_draw(). The panel keeps a copy and never looks anywhere else: it holds no
 * pointer into the simulation, so the snapshot is the whole contract between the two sides. It is
 * a struct of fixed arrays of integers and short NUL-terminated strings: no pointers, no floating
 * point, no SDL, nothing but <stdbool.h> and <stdint.h>, so core code can include it without the
 * panel being built, and memset(0) is a valid empty snapshot (no nodes, time 0, paused false).
 *
 * Quantities carry their unit in their name (_ns, _mv, _ma, _w, _pct, _ppm). Levels are what the
 * hardware showed at t_ns, not interpretations: the LEDs are lit or not (the panel tells blinking
 * from levels over successive frames), the TM1637 fields are the chip's registers as the firmware
 * wrote them, the WS2812 pixels are the decoded colours. So the panel shows what the firmware
 * drove, including its mistakes.
 *
 * Up to PANEL_NODES_MAX nodes are drawn as cards; a scenario with more sets n_nodes to the number
 * filled (<= PANEL_NODES_MAX) and n_nodes_total to the real count, and the panel says how many it
 * leaves out. Node actions from the panel refer to nodes by their index in this array, which is
 * the index in the scenario's node list.
 */
#ifndef PANEL_SNAPSHOT_H
#define PANEL_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#define PANEL_NODES_MAX     16
#define PANEL_NAME_MAX      32 /* node and bus names, NUL included */
#define PANEL_LEDS          3  /* green, yellow, red */
#define PANEL_WS2812_PIXELS 10 /* the SOC bar */
#define PANEL_TM1637_REGS   6  /* display registers; the board shows the first `digits` */
#define PANEL_RELAYS        4  /* R1 grid, R2 inverter output, R3 pool pump, R4 water heater */
#define PANEL_FRAME_LINES   8  /* latest decoded bus frames kept for display */
#define PANEL_LINE_MAX      96 /* one decoded frame line, NUL included */
#define PANEL_TEXT_MAX      96 /* title and status texts, NUL included */

#define PANEL_NODE_ID_UNKNOWN 0xFFu /* NodeID not known yet (before the first ANN or TEL) */
#define PANEL_SOC_INVALID     (-1)  /* soc_pct when the pack has no valid SOC */
#define PANEL_NODE_ID_ALL     0x7Fu /* broadcast target of gateway commands */

enum { PANEL_LED_GREEN = 0, PANEL_LED_YELLOW = 1, PANEL_LED_RED = 2 };
enum {
    PANEL_RELAY_GRID = 0,
    PANEL_RELAY_INVERTER = 1,
    PANEL_RELAY_POOL = 2,
    PANEL_RELAY_HEATER = 3
};

/** Device type codes as carried in ANN (0 while unknown). */
/* PACK and GATEWAY are the DeviceType codes of ANN; the Orange Pi never announces, so the run
 * layer marks it from the scenario with a code of its own. */
enum {
    PANEL_DEVICE_UNKNOWN = 0,
    PANEL_DEVICE_PACK = 0x01,
    PANEL_DEVICE_GATEWAY = 0x02,
    PANEL_DEVICE_PI = 0x80
};

/** Mode mask bits, as in commands and telemetry page 3. */
enum {
    PANEL_MODE_SELF = 1u << 0,
    PANEL_MODE_ECO = 1u << 1,
    PANEL_MODE_TOU = 1u << 2,
    PANEL_MODE_BACKUP = 1u << 3,
    PANEL_MODE_GRID_LIMIT = 1u << 4,
};

/** Warning mask bits, as in telemetry page 3. */
enum { PANEL_WARN_LOADS_LIMIT = 1u << 0, PANEL_WARN_GRID_LIMIT = 1u << 1 };

typedef enum {
    PANEL_NODE_OFF = 0, /* unpowered, or between the halves of a power cycle */
    PANEL_NODE_RUNNING,
    PANEL_NODE_HUNG, /* firmware stopped: no callbacks run, watchdog not fed */
} panel_node_state_t;

/** The node's CAN controller, in the order of the bus model's states. */
typedef enum {
    PANEL_CAN_STOPPED = 0,
    PANEL_CAN_ERROR_ACTIVE,
    PANEL_CAN_ERROR_WARNING,
    PANEL_CAN_ERROR_PASSIVE,
    PANEL_CAN_BUS_OFF,
} panel_can_state_t;

typedef enum {
    PANEL_VIEW_RUN = 0, /* a live run: time only moves forward */
    PANEL_VIEW_REPLAY,  /* a recorded run folder: the timeline can be scrubbed */
} panel_view_t;

/** The "as fast as possible" speed (no pacing at all). */
#define PANEL_SPEED_ASAP 0u

typedef struct {
    char name[PANEL_NAME_MAX]; /* scenario node name */
    uint8_t node_id;           /* 0..126, or PANEL_NODE_ID_UNKNOWN */
    uint8_t device_type;       /* PANEL_DEVICE_* */
    bool is_master;            /* the node's own is-master flag (ANN / TEL page 0) */
    uint8_t state;             /* panel_node_state_t */

    uint8_t can_state;  /* panel_can_state_t */
    bool can_unplugged; /* the controller is cut off the bus (operator or fault) */
    uint16_t can_tec;   /* transmit error counter (may exceed 255 at bus-off) */
    uint16_t can_rec;   /* receive error counter */

    bool led_lit[PANEL_LEDS];                 /* level at t_ns; index PANEL_LED_* */
    uint32_t ws2812_rgb[PANEL_WS2812_PIXELS]; /* 0xRRGGBB per pixel, index 0 at the bar's start */
    uint8_t tm1637_regs[PANEL_TM1637_REGS];   /* bit 0..6 = segments a..g, bit 7 = point/colon */
    uint8_t tm1637_digits;                    /* digits on the board (1..6; 0 means 3) */
    bool tm1637_on;                           /* display control: on */
    uint8_t tm1637_brightness;                /* 0..7 */
    bool relay_coil[PANEL_RELAYS];            /* what the firmware commands (coil energised) */
    bool relay_closed[PANEL_RELAYS];          /* the contact: circuit connected */

    int16_t soc_pct;   /* 0..100, or PANEL_SOC_INVALID */
    int32_t pack_mv;   /* pack voltage */
    int32_t batt_ma;   /* battery current, + = charging */
    int32_t grid_w;    /* + = import from the grid */
    int32_t home_w;    /* house consumption */
    int32_t batt_w;    /* + = charging */
    int32_t solar_w;   /* PV production */
    int32_t pool_w;    /* pool pump */
    int32_t heater_w;  /* water heater */
    uint8_t mode_mask; /* PANEL_MODE_* as last reported by the node (0 when unknown) */
    uint8_t warn_mask; /* PANEL_WARN_* */

    /* Counters since the run began. A group whose flag is false was not filled: the panel draws
     * none of its numbers rather than zeros it does not know. */
    bool can_counts_valid;  /* can_tx_frames and can_rx_frames are filled */
    uint64_t can_tx_frames; /* frames the node's controller completed on the wire */
    uint64_t can_rx_frames; /* frames it received and its filters accepted */
    /** The Orange Pi's own counters (models/gateway.h, gateway_stats). */
    struct {
        bool valid;                    /* filled: the node is the Orange Pi */
        uint64_t time_sent;            /* 0x7FF time broadcasts its controller took */
        uint64_t time_failed;          /* time broadcasts the controller refused */
        uint64_t cmd_sent, cmd_failed; /* commands 0x201..0x27F taken, refused */
        uint64_t acks;                 /* well-formed ACKs heard on 0x280+N */
        uint64_t acks_unmatched;       /* of them, answering no command it sent */
    } gw;
} panel_node_t;

typedef struct {
    char name[PANEL_NAME_MAX]; /* "can0" */
    uint32_t bitrate_bps;
    uint32_t frames_per_s; /* frames completed during the last virtual second */
    uint32_t load_ppm;     /* bus busy time over the last virtual second, parts per million */
    uint64_t frames_total;
    uint64_t error_frames;
    /** Latest frames, decoded by the protocol definition, oldest first, n_lines of them. */
    char lines[PANEL_FRAME_LINES][PANEL_LINE_MAX];
    uint8_t n_lines;
} panel_bus_t;

typedef struct {
    char title[PANEL_TEXT_MAX];  /* scenario name, shown in the window title and the strip */
    char status[PANEL_TEXT_MAX]; /* one line from the run layer ("assertion failed: ...") */
    uint8_t view;                /* panel_view_t */

    int64_t t_ns;   /* virtual time of this snapshot */
    int64_t end_ns; /* duration of the run (0 when unknown: no progress bar) */
    bool finished;  /* virtual time reached end_ns */
    bool paused;
    uint32_t speed_milli; /* speed in effect, real time x 1/1000 (1000 = x1), or PANEL_SPEED_ASAP */

    bool date_valid; /* the simulated local calendar is known */
    uint16_t year;
    uint8_t month, day, hour, minute, second;

    bool grid_up;           /* mains present */
    int32_t pv_scale_pct;   /* operator scale applied to the PV profile (100 = as scripted) */
    int32_t load_scale_pct; /* operator scale applied to the home load profile */

    panel_bus_t bus;
    uint16_t n_nodes_total; /* nodes in the scenario (may exceed PANEL_NODES_MAX) */
    uint8_t n_nodes;        /* nodes filled below, <= PANEL_NODES_MAX */
    panel_node_t nodes[PANEL_NODES_MAX];
} panel_snapshot_t;

/**
 * Appends one decoded frame line (truncated to PANEL_LINE_MAX - 1 characters), dropping the
 * oldest when full. A helper for fillers that receive frames one by one.
 */
static inline void panel_snapshot_push_line(panel_bus_t *bus, const char *text) {
    if (bus->n_lines == PANEL_FRAME_LINES) {
        for (unsigned i = 1; i < PANEL_FRAME_LINES; i++) {
            for (unsigned c = 0; c < PANEL_LINE_MAX; c++) {
                bus->lines[i - 1][c] = bus->lines[i][c];
            }
        }
        bus->n_lines--;
    }
    char *dst = bus->lines[bus->n_lines++];
    unsigned n = 0;
    while (text[n] != '\0' && n < PANEL_LINE_MAX - 1) {
        dst[n] = text[n];
        n++;
    }
    dst[n] = '\0';
}

#endif
