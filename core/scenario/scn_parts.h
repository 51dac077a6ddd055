/*
 * scn_parts.h: the checkers of each part of a scenario, private to the loader.
 *
 *   scn_top.c       top-level keys and "bus"          scn_check_top()
 *   scn_nodes.c     "nodes"                           scn_on_nodes()
 *   scn_node.c      one node object, by type          scn_check_node()
 *   scn_timeline.c  "timeline" entries and verbs      scn_on_timeline()
 *   scn_frame.c     CAN frames and fault matches      scn_on_can_send() ...
 *   scn_plugin.c    plugin references, resolved last  scn_resolve_plugins()
 *   scn_commands.c  dispatch-table command verbs      scn_on_command() ...
 *   scn_faults.c    model, grid and gateway verbs     scn_on_bms_fault() ...
 *   scn_asserts.c   "assertions"                      scn_on_assertions()
 * and, for packs, boards and the environment, scn_pack.h and scn_board.h.
 * Handlers follow scn_handler_fn (scn_schema.h): they check one value, store it into their
 * target and report the first error through scn_fail_*.
 */
#ifndef SCN_PARTS_H
#define SCN_PARTS_H

#include <stdbool.h>

#include "scn_ctx.h"
#include "scn_schema.h"

/** Checks the document root (an object) and fills c->s. */
int scn_check_top(scn_ctx_t *c, const cJSON *root);

/** "nodes": target is the scenario. */
int scn_on_nodes(scn_ctx_t *c, const cJSON *v, void *target);

/** Node i of "nodes" (scn_node.c): its type, keys and values into c->s->nodes[i]. */
int scn_check_node(scn_ctx_t *c, const cJSON *obj, size_t i);

/** "timeline": target is the scenario; appends to c->s->actions (unsorted). */
int scn_on_timeline(scn_ctx_t *c, const cJSON *v, void *target);

/** Sorts c->s->actions by time, stable. 0 or -SIM_ENOMEM. */
int scn_sort_actions(sim_scenario_t *s);

/** One timeline entry being checked: its time and the one or two actions it becomes. */
typedef struct {
    sim_time_ns_t at_ns;
    sim_scn_action_t act[2]; /* a held fault ("for", can_stuck_dominant) adds its release */
    size_t n_act;
} scn_entry_t;

/** Timeline verbs whose value is an object; target is the scn_entry_t to fill. */
int scn_on_can_send(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_can_babble(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_can_match(scn_ctx_t *c, const cJSON *v, void *target); /* drop, corrupt */

/** Timeline verbs of the full format; target is the scn_entry_t. */
int scn_on_command(scn_ctx_t *c, const cJSON *v, void *target); /* v->string names it */
int scn_on_raw_command(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_time_broadcast(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_set_clock(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_bms_fault(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_ct_fault(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_relay_fault(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_grid_outage(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_grid_restore(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_pv_scale(scn_ctx_t *c, const cJSON *v, void *target);
int scn_on_load(scn_ctx_t *c, const cJSON *v, void *target);

/** "assertions": target is the scenario. */
int scn_on_assertions(scn_ctx_t *c, const cJSON *v, void *target);

/** Node types as a mask (1u << type) for scn_node_ref_of. */
#define SCN_FIRMWARE_NODES ((1u << SIM_NODE_FIRMWARE) | (1u << SIM_NODE_PACK))
#define SCN_ANY_NODE       0xFu

/** The node named by a string value, which must have one of the types in `mask`; `what` words
 *  the requirement ("a pack node"). The index, or a scn_fail_value code (< 0). */
int scn_node_ref_of(scn_ctx_t *c, const cJSON *v, unsigned mask, const char *what);

/** The index of the first node of type gateway, or -1. */
int scn_first_gateway(const sim_scenario_t *s);

/** Sets each LOAD action's profile pointer from its index (once the profiles stop moving). */
void scn_fix_profiles(sim_scenario_t *s);

/** A "plugin" value is a bare name or a path; 0 or a scn_fail_value code. */
int scn_plugin_value_ok(scn_ctx_t *c, const cJSON *v);

/** Finds every plugin (top level, then per node) and sets each node's plugin path. */
int scn_resolve_plugins(scn_ctx_t *c);

/** A duration string value; on failure the message says why. */
int scn_duration_value(scn_ctx_t *c, const cJSON *v, sim_time_ns_t *out);

/** A time in the run: a duration value at most the scenario's duration. */
int scn_time_value(scn_ctx_t *c, const cJSON *v, sim_time_ns_t *out);

/** The index of the node named by a string value, or a scn_fail_value code (< 0). */
int scn_node_ref(scn_ctx_t *c, const cJSON *v);

/** 1..max_len characters of [A-Za-z0-9_.-], and not "." or "..". */
bool scn_name_ok(const char *s, size_t max_len);

/** strdup (not in C11). NULL when out of memory. */
char *scn_strdup(const char *s);

/**
 * Reads a whole file a scenario refers to (a board, a profile CSV) into a NUL-terminated buffer
 * to free(). It must be a regular file of at most `max` bytes: a FIFO would block the load for
 * ever, a device has no end. 0, or an errno value: EISDIR, ENODEV (not a regular file), EFBIG,
 * ENOMEM, or that of the failed open or read. scn_read_error() words it for a message.
 */
int scn_read_file(const char *path, size_t max, char **text, size_t *len);
const char *scn_read_error(int err);

#endif
