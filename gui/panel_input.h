/*
 * panel_input.h: what the operator asked for, as the panel reports it to the run layer.
 *
 * panel_poll() hands out one panel_input_t at a time. There are two families, and the split is
 * the determinism contract:
 *
 *   run control   QUIT PAUSE STEP STEP_EVENT SPEED SEEK
 *                 Host-side only. They decide when and how fast the run layer advances virtual
 *                 time, never what happens in it, so they are not recorded and a run's digest is
 *                 the same with or without the panel.
 *
 *   operator      COMMAND POWER_CYCLE POWER HANG CAN_UNPLUG GRID PV_SCALE LOAD_SCALE
 *                 Changes to the simulated world. The run layer turns each into a kernel event at
 *                 the current virtual time and records it in the trace, so the session replays
 *                 headless and bit-identically without the panel.
 *
 * A COMMAND is a gateway command frame as the app sends it through the Pi: CAN identifier
 * can_id (0x201..0x20F), data = [target, seq, args[0..n_args-1]], DLC 2 + n_args. The panel fills
 * the identifier, the target NodeID (PANEL_NODE_ID_ALL = every pack) and the arguments, multi-byte
 * values big-endian; the sequence number is the run layer's (it owns the counter). Node actions
 * name the node by its index in the snapshot (the scenario's node order).
 *
 * Speeds are real time x speed_milli / 1000: 100 (x0.1) .. 1000000 (x1000), or PANEL_SPEED_ASAP.
 * The ladder below is what + and - step through.
 */
#ifndef PANEL_INPUT_H
#define PANEL_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "panel_snapshot.h"

typedef enum {
    PANEL_IN_NONE = 0,
    /* run control (never recorded) */
    PANEL_IN_QUIT,       /* window closed, q or Escape */
    PANEL_IN_PAUSE,      /* on: true = pause, false = resume */
    PANEL_IN_STEP,       /* advance virtual time by one step quantum (the run layer's, 100 ms) */
    PANEL_IN_STEP_EVENT, /* dispatch the next event batch only, then pause */
    PANEL_IN_SPEED,      /* speed_milli */
    PANEL_IN_SEEK,       /* replay view only: show virtual time t_ns */
    /* operator actions (recorded into the trace at the current virtual time) */
    PANEL_IN_COMMAND,     /* can_id, target, args[0..n_args-1] */
    PANEL_IN_POWER_CYCLE, /* node: off, then on again after the scenario default (1 s) */
    PANEL_IN_POWER,       /* node, on: power on (true) or off (false) */
    PANEL_IN_HANG,        /* node: firmware stops (a power cycle recovers it) */
    PANEL_IN_CAN_UNPLUG,  /* node, on: unplug (true) or plug back (false) */
    PANEL_IN_GRID,        /* on: mains back (true) or cut (false) */
    PANEL_IN_PV_SCALE,    /* scale_pct: PV profile scale, 0..PANEL_SCALE_MAX_PCT */
    PANEL_IN_LOAD_SCALE,  /* scale_pct: home load profile scale, 0..PANEL_SCALE_MAX_PCT */
} panel_input_kind_t;

#define PANEL_ARGS_MAX      6 /* 8 data bytes minus target and seq */
#define PANEL_SCALE_MAX_PCT 500

/* Gateway command identifiers (the firmware's dispatch table). */
enum {
    PANEL_CMD_SET_SELF = 0x201,
    PANEL_CMD_SET_ECO = 0x202,
    PANEL_CMD_SET_TOU = 0x203,
    PANEL_CMD_SET_BACKUP = 0x204,
    PANEL_CMD_SET_GRID_LIMIT_MODE = 0x205,
    PANEL_CMD_SET_ECO_LIMIT = 0x206,
    PANEL_CMD_RESET_GRID_ENERGY = 0x207,
    PANEL_CMD_SET_GRID_LIMIT_KWH = 0x209,
    PANEL_CMD_SET_TOU_WINDOW = 0x20A,
    PANEL_CMD_SET_RELAY = 0x20B,
    PANEL_CMD_SET_MODE_MASK = 0x20C,
    PANEL_CMD_SET_SC_THRESHOLDS = 0x20D,
    PANEL_CMD_REQUEST_STATUS = 0x20E,
};

/** SET_RELAY states. */
enum { PANEL_RELAY_OPEN = 0, PANEL_RELAY_CLOSE = 1, PANEL_RELAY_AUTO = 2 };

typedef struct {
    panel_input_kind_t kind;
    int node;             /* node actions: snapshot index; -1 otherwise */
    bool on;              /* PAUSE, POWER, CAN_UNPLUG, GRID */
    uint32_t speed_milli; /* SPEED */
    int64_t t_ns;         /* SEEK */
    int32_t scale_pct;    /* PV_SCALE, LOAD_SCALE */
    uint16_t can_id;      /* COMMAND */
    uint8_t target;       /* COMMAND: NodeID 0..126 or PANEL_NODE_ID_ALL */
    uint8_t n_args;       /* COMMAND: 0..PANEL_ARGS_MAX */
    uint8_t args[PANEL_ARGS_MAX];
} panel_input_t;

/** An input of `kind` with every other field neutral (node -1). */
panel_input_t panel_input_make(panel_input_kind_t kind);

/** True for the operator family (recorded into the trace), false for run control. */
bool panel_input_is_operator(panel_input_kind_t kind);

/** Stable lowercase name of a kind ("command", "power_cycle", ...), for logs and traces. */
const char *panel_input_name(panel_input_kind_t kind);

/** Name of a gateway command identifier ("SET_ECO", ...), or "CMD" for others. */
const char *panel_command_name(uint16_t can_id);

/**
 * One-line, locale-free description of an input for logs and the panel's status line, e.g.
 * "command SET_RELAY to 12: 01 00" or "speed x0.5". Always NUL-terminates (truncating).
 */
void panel_input_describe(const panel_input_t *in, char *buf, size_t len);

/** The next speed on the ladder, faster (dir > 0) or slower (dir < 0); saturates at the ends. */
uint32_t panel_speed_step(uint32_t speed_milli, int dir);

/** "x0.1", "x1", "x2.5", "x1000" or "max" (always NUL-terminates). */
void panel_speed_format(uint32_t speed_milli, char *buf, size_t len);

#endif
