/*
 * relay.h: a relay or contactor: a coil the firmware drives, contacts the plant sees.
 *
 * The device face is the coil (relay_drive, from the node's GPIO after the board's polarity).
 * The contact follows the coil after a mechanical delay: operate_ns after the coil is energised,
 * release_ns after it is de-energised. A coil change before the contact has moved cancels the
 * pending move (chatter is counted). With `normally_closed`, the circuit is connected while the
 * coil is off (an NC contact); otherwise connected while it is on (NO, the default).
 *
 *   coil   ___/‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾\______________
 *   contact ______/‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾\_________      (NO contact)
 *             |operate|          |release|
 *
 * Faults: welded (the circuit stays connected whatever the coil does) and stuck open (it stays
 * disconnected). The coil and armature keep working underneath (and are counted), so setting or
 * clearing a fault changes the circuit at once: clearing it gives back the state the armature
 * position implies.
 *
 * The backend face reports the circuit state, the coil state, operation counters and the
 * measured delay of the last operate and release. on_change (optional) is called whenever the
 * circuit state changes, at the virtual time it changes.
 */
#ifndef RELAY_H
#define RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_kernel.h"

typedef enum {
    RELAY_FAULT_NONE = 0,
    RELAY_FAULT_WELDED,     /* contacts fused: always connected */
    RELAY_FAULT_STUCK_OPEN, /* contacts never close: always disconnected */
} relay_fault_t;

typedef struct {
    const char *name;         /* e.g. "pack1.R1"; not copied, must outlive the relay */
    sim_time_ns_t operate_ns; /* coil on -> contact moves; default 10 ms (contactor ~ 30 ms) */
    sim_time_ns_t release_ns; /* coil off -> contact moves; default 5 ms */
    bool normally_closed;     /* NC contact; default false (NO) */
    /** Circuit state changed (connected or not) at t_ns; may be NULL. */
    void (*on_change)(void *ctx, bool connected, sim_time_ns_t t_ns);
    void *ctx;
} relay_cfg_t;

typedef struct relay relay_t;

typedef struct {
    uint64_t coil_changes; /* coil edges */
    uint64_t operations;   /* contact movements (closing or opening) */
    uint64_t chatter;      /* coil changes that cancelled a pending contact movement */
    uint64_t refused;      /* movements that a fault prevented */
} relay_stats_t;

void relay_cfg_default(relay_cfg_t *cfg);

/** 0, -SIM_EINVAL (negative delay), -SIM_ENOMEM. Starts with the coil off, contact at rest. */
int relay_create(sim_kernel_t *k, const relay_cfg_t *cfg, relay_t **out);
/** Cancels a pending movement. */
void relay_destroy(relay_t *r);

/* ---- device face ------------------------------------------------------------------------- */

/** The coil goes on or off at t_ns (>= now; a GPIO edge time). Same level again: no effect. */
void relay_drive(relay_t *r, bool coil_on, sim_time_ns_t t_ns);

/* ---- backend face ------------------------------------------------------------------------ */

bool relay_connected(const relay_t *r); /* circuit through the contact */
bool relay_coil(const relay_t *r);
bool relay_moving(const relay_t *r); /* a contact movement is pending */
void relay_set_fault(relay_t *r, relay_fault_t fault);
relay_fault_t relay_fault(const relay_t *r);
/** Coil edge to contact movement of the last operate / release; -1 before the first. */
sim_time_ns_t relay_last_operate_ns(const relay_t *r);
sim_time_ns_t relay_last_release_ns(const relay_t *r);
void relay_stats(const relay_t *r, relay_stats_t *out);
const char *relay_name(const relay_t *r);

#endif
