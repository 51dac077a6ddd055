/*
 * scn_board.h: board descriptions, private to the loader: the schema of one board (scn_pins.c)
 * and how a scenario names one (scn_board.c).
 *
 * A "board" value is an inline board object, a path (it contains '/'; relative to the scenario
 * file unless absolute), or a bare name looked up as boards/<name>.json or
 * scenarios/boards/<name>.json in the scenario's directory, then in each directory above it,
 * nearest first (as tools find their configuration). A board file is its own JSON document:
 * errors in it are reported at its own file:line:col. Each file is loaded once per scenario.
 */
#ifndef SCN_BOARD_H
#define SCN_BOARD_H

#include "scn_ctx.h"

/** Checks a board object of the context's document into *b (zeroed by the caller). */
int scn_board_check(scn_ctx_t *c, const cJSON *obj, sim_scn_board_t *b);

/** Resolves a "board" value to an index into c->s->boards (loading it if new). */
int scn_board_ref(scn_ctx_t *c, const cJSON *v, int *index);

/** Frees what a board owns (not the struct). */
void scn_board_clear(sim_scn_board_t *b);

#endif
