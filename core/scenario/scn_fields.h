/*
 * scn_fields.h: objects made only of scalar parameters (numbers with a unit, whole numbers,
 * booleans, durations), checked from a table of fields, private to the loader.
 *
 * The plant sections of a pack ("battery", "inverter", ...) and the board's pins are such
 * objects. Each row names the JSON key, how the value is read and where it is stored (an offset
 * into the target struct), with its accepted range; unknown keys and wrong types are reported
 * like every other object of the format (scn_schema.h). Keys carry their unit ("capacity_ah",
 * "soc_percent"); a PERCENT field is stored as a fraction (50 -> 0.5), the unit the models use.
 */
#ifndef SCN_FIELDS_H
#define SCN_FIELDS_H

#include <stddef.h>

#include "scn_ctx.h"
#include "scn_schema.h"

#define SCN_FIELDS_MAX 32

typedef enum {
    SCN_F_NUM,      /* double in [lo, hi] */
    SCN_F_PERCENT,  /* number in [lo, hi] percent, stored as a double fraction */
    SCN_F_UINT,     /* whole number in [lo, hi], stored in `size` bytes (1, 2 or 4) */
    SCN_F_BOOL,     /* bool */
    SCN_F_DURATION, /* duration string in [lo, hi] seconds, stored as sim_time_ns_t */
} scn_field_kind_t;

typedef struct {
    const char *name;
    scn_field_kind_t kind;
    size_t offset; /* into the target */
    size_t size;   /* SCN_F_UINT: bytes of the target field */
    double lo, hi;
} scn_field_t;

#define SCN_NUM(key, type, member, lo, hi)                                                         \
    { key, SCN_F_NUM, offsetof(type, member), sizeof(double), lo, hi }
#define SCN_PCT(key, type, member, lo, hi)                                                         \
    { key, SCN_F_PERCENT, offsetof(type, member), sizeof(double), lo, hi }
#define SCN_UINT(key, type, member, lo, hi)                                                        \
    { key, SCN_F_UINT, offsetof(type, member), sizeof(((type *)0)->member), lo, hi }
#define SCN_BOOL(key, type, member)                                                                \
    { key, SCN_F_BOOL, offsetof(type, member), sizeof(bool), 0, 1 }
#define SCN_DUR(key, type, member, lo_s, hi_s)                                                     \
    { key, SCN_F_DURATION, offsetof(type, member), sizeof(sim_time_ns_t), lo_s, hi_s }

/**
 * Checks `obj` against the fields (unknown keys first, then each present value in table order)
 * and stores every value into target. Absent keys keep the target's value (the default).
 */
int scn_check_fields(scn_ctx_t *c, const cJSON *obj, const scn_field_t *fields, size_t n,
                     void *target);

/** The scn_key_t rows of the fields (for objects that mix fields with other keys); returns n. */
size_t scn_field_keys(const scn_field_t *fields, size_t n, scn_key_t *keys);

/** Stores the fields present in obj (no unknown-key check). */
int scn_store_fields(scn_ctx_t *c, const cJSON *obj, const scn_field_t *fields, size_t n,
                     void *target);

/** Stores one member `v` (its key names the row) whose JSON type was already checked. */
int scn_store_field(scn_ctx_t *c, const cJSON *v, const scn_field_t *fields, size_t n,
                    void *target);

/** A JSON number in [lo, hi] (finite); otherwise the error names the range. */
int scn_number_in(scn_ctx_t *c, const cJSON *v, double lo, double hi, double *out);

/** A whole JSON number in [lo, hi], read exactly from the text. */
int scn_uint_in(scn_ctx_t *c, const cJSON *v, uint64_t lo, uint64_t hi, uint64_t *out);

#endif
