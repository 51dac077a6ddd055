/*
 * sim_trace_names.h: the set of (scope, name) pairs a trace has declared as VCD signals, so that
 * a duplicate declaration is found in constant expected time. A scan of every earlier
 * declaration made loading quadratic: 127 nodes declare 3 906 signals, which took 7.7 million
 * string comparisons.
 *
 * An open-addressing hash table with linear probing. A slot holds the pair's hash, the index the
 * caller gave it and pointers to the caller's strings: the set copies nothing, so the strings
 * must stay valid and unchanged while the set holds them. Equal hashes are never taken for equal
 * pairs; the strings decide. The table doubles before it is half full, which keeps probe runs
 * short, and keeps its memory until sim_trace_names_free.
 *
 * The hash depends on the bytes of the pair only, never on an address, so the table's layout is
 * the same on every host and in every run (the trace takes no order from it anyway: declarations
 * are written sorted, see sim_trace_vcd.c).
 *
 * A zeroed sim_trace_names_t is an empty set. Single-threaded. Private to core/trace.
 */
#ifndef SIM_TRACE_NAMES_H
#define SIM_TRACE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** One slot; scope == NULL marks it empty. */
typedef struct {
    const char *scope, *name; /* the caller's strings, not copies */
    uint32_t hash;            /* sim_trace_names_hash(scope, name) */
    uint32_t index;           /* the caller's number for the pair */
} sim_trace_name_slot_t;

typedef struct {
    sim_trace_name_slot_t *slots; /* cap slots */
    size_t cap;                   /* 0 (nothing allocated yet) or a power of two >= 16 */
    size_t n;                     /* pairs held; always n < cap / 2 once allocated */
} sim_trace_names_t;

/**
 * The 32-bit hash of a pair: FNV-1a over the scope's bytes, one zero byte (so "ab"+"c" and
 * "a"+"bc" differ) and the name's bytes, then a mix that spreads every bit into the low ones
 * the table indexes with. The mix is a bijection: two pairs share a hash exactly when their
 * FNV-1a values are equal.
 */
uint32_t sim_trace_names_hash(const char *scope, const char *name);

/** Whether the pair is held; if so and index != NULL, *index receives its index. */
bool sim_trace_names_find(const sim_trace_names_t *s, const char *scope, const char *name,
                          uint32_t *index);

/**
 * Adds the pair under `index`. The set keeps the two pointers (not copies).
 * @retval 0
 * @retval -SIM_EEXIST  an equal pair is held already; the set is unchanged
 * @retval -SIM_ENOMEM  the table could not grow; the set is unchanged
 */
int sim_trace_names_add(sim_trace_names_t *s, const char *scope, const char *name, uint32_t index);

/** Releases the table (never the strings) and leaves an empty set; a zeroed set is fine. */
void sim_trace_names_free(sim_trace_names_t *s);

#endif
