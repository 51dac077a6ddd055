/*
 * demo_world.h: a small synthetic Alfaspark installation that fills panel snapshots, for the
 * panel's demo, screenshots, benchmark and tests when no run layer is involved.
 *
 * It is a pure function of virtual time plus the operator inputs applied to it: packs follow the
 * firmware's indicator rules (SOC bar with the red threshold and the blue charging sweep, TM1637
 * right-aligned SOC blinking below 15 %, master and warning LED patterns), power flows follow a
 * simple solar/home profile. It is not the simulator: nothing here runs firmware.
 */
#ifndef DEMO_WORLD_H
#define DEMO_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "panel_input.h"
#include "panel_snapshot.h"

#define DEMO_PACKS_MAX 20

typedef struct {
    int16_t soc0_pct;
    int64_t off_until_ns; /* power cycle in progress */
    bool off, hung, unplugged;
    uint8_t mode_mask;
    int8_t relay_override[PANEL_RELAYS]; /* -1 automatic, 0 open, 1 closed */
} demo_pack_t;

typedef struct {
    unsigned n_packs;
    demo_pack_t packs[DEMO_PACKS_MAX];
    bool grid_up;
    int32_t pv_scale_pct, load_scale_pct;
    int64_t end_ns;
    bool replay;
    uint64_t frames_total;
} demo_world_t;

/** A world of n_packs (1..DEMO_PACKS_MAX) packs with varied SOCs (the second at 18 %). */
void demo_world_init(demo_world_t *w, unsigned n_packs, int64_t end_ns);
/** Applies an operator input at virtual time t_ns (run-control inputs are ignored). */
void demo_world_apply(demo_world_t *w, const panel_input_t *in, int64_t t_ns);
/** Fills *s for virtual time t_ns. */
void demo_world_snapshot(demo_world_t *w, int64_t t_ns, panel_snapshot_t *s);

#endif
