/*
 * scn_ctx.h: the state of one scenario load, shared by the files that check one part each
 * (top level, bus, nodes, timeline, plugins), and the helpers that report an error there.
 *
 * Every check that fails calls one scn_fail_* helper, which fills the caller's sim_diag_t with
 * "<JSON pointer>: <message>" at the line:col of the offending key or value and returns the
 * code to pass up (-SIM_EFORMAT for bad data, -SIM_ENOENT for a missing plugin). The first error
 * ends the load, so there is exactly one diagnostic.
 */
#ifndef SCN_CTX_H
#define SCN_CTX_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "scn_doc.h"
#include "scn_text.h"
#include "sim_scenario.h"

#define SCN_EXIT_DATAERR  65 /* sysexits EX_DATAERR */
#define SCN_EXIT_NOINPUT  66 /* sysexits EX_NOINPUT */
#define SCN_EXIT_SOFTWARE 70 /* sysexits EX_SOFTWARE: out of memory, internal error */

typedef struct {
    const char *path; /* as given, names the file in diagnostics */
    const scn_doc_t *doc;
    sim_diag_t *diag;
    sim_scenario_t *s;
    const char *const *plugin_dirs;
    const cJSON *plugin;                         /* the top-level "plugin" value, or NULL */
    const cJSON *node_obj[SIM_SCN_MAX_NODES];    /* each node's object */
    const cJSON *node_plugin[SIM_SCN_MAX_NODES]; /* each node's "plugin" value, or NULL */
    size_t actions_cap;
    int top_board; /* the top-level "board" (index into s->boards), or -1 */
} scn_ctx_t;

/** An error at an item's value: "<pointer>: <message>", exit 65. Returns -SIM_EFORMAT. */
SCN_PRINTF(3, 4) int scn_fail_value(scn_ctx_t *c, const cJSON *item, const char *fmt, ...);

/** An error at a member's key (unknown or misplaced keys). Returns -SIM_EFORMAT. */
SCN_PRINTF(3, 4) int scn_fail_key(scn_ctx_t *c, const cJSON *item, const char *fmt, ...);

/** A required `key` missing from `obj`: reported at the object, pointer "<obj>/<key>". */
SCN_PRINTF(4, 5)
int scn_fail_missing(scn_ctx_t *c, const cJSON *obj, const char *key, const char *fmt, ...);

/** Missing input at an item's value (a plugin): exit 66. Returns -SIM_ENOENT. */
SCN_PRINTF(3, 4) int scn_fail_input(scn_ctx_t *c, const cJSON *item, const char *fmt, ...);

/** Out of memory: exit 70, no position. Returns -SIM_ENOMEM. */
int scn_fail_nomem(scn_ctx_t *c);

/** Fills diag for an error at a byte offset with no JSON pointer (syntax, size, memory). */
void scn_diag_at(sim_diag_t *d, const char *path, const char *text, size_t len, size_t off,
                 int exit_code, const char *message);

/** Fills diag for an error about the whole file (no line:col). */
void scn_diag_file(sim_diag_t *d, const char *path, int exit_code, const char *message);

/** Writes a string value quoted for a message, e.g. "\"pack1\"". */
void scn_quote_item(const cJSON *item, char *buf, size_t cap);

#endif
