/*
 * scn_schema.h: table-driven checking of one JSON object of a scenario.
 *
 * Each object kind (top level, bus, node, timeline entry, can_send, ...) is described by a table
 * of keys: name, accepted JSON types, required or not, what is expected (words for messages) and
 * a handler that checks the value and stores it. The format grows by adding rows, so an old
 * scenario keeps loading as long as keys are only added.
 *
 * Checking an object goes in three steps, each stopping at the first error:
 *   1. unknown keys, in file order, with the nearest known key suggested ("did you mean");
 *   2. required keys that are missing, in table order, reported at the object;
 *   3. present keys in table order: type, then the handler. Table order therefore decides which
 *      values are known when a later handler runs ("duration" before "timeline").
 * scn_check_object() runs all three; scn_check_keys() and scn_check_values() split it so a
 * caller can add a rule between them (a timeline entry holds exactly one action).
 */
#ifndef SCN_SCHEMA_H
#define SCN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "scn_ctx.h"

enum {
    SCN_T_STRING = 1u << 0,
    SCN_T_NUMBER = 1u << 1,
    SCN_T_BOOL = 1u << 2,
    SCN_T_OBJECT = 1u << 3,
    SCN_T_ARRAY = 1u << 4,
};

/** Checks and stores one value; `target` is what the object fills. 0 or a scn_fail_* code. */
typedef int (*scn_handler_fn)(scn_ctx_t *c, const cJSON *value, void *target);

typedef struct {
    const char *name;
    unsigned types; /* SCN_T_* mask */
    bool required;
    const char *expect; /* "a duration such as \"60s\"": completes "expected ..." */
    scn_handler_fn handler;
} scn_key_t;

int scn_check_keys(scn_ctx_t *c, const cJSON *obj, const scn_key_t *keys, size_t n);
int scn_check_values(scn_ctx_t *c, const cJSON *obj, const scn_key_t *keys, size_t n, void *target);
int scn_check_object(scn_ctx_t *c, const cJSON *obj, const scn_key_t *keys, size_t n, void *target);

/** The row for `name`, or NULL. */
const scn_key_t *scn_find_key(const scn_key_t *keys, size_t n, const char *name);

/** "a string", "a number", ... for messages. */
const char *scn_type_name(const cJSON *item);

/**
 * The candidate nearest to `word` by edit distance (adjacent swaps count as one edit), when it is
 * close enough to be a plausible typo (at most a third of the letters wrong), else NULL.
 */
const char *scn_suggest(const char *word, const char *const *candidates, size_t n);

#endif
