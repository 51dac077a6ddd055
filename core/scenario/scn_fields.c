/*
 * scn_fields.c: table-checked objects of scalar parameters (see scn_fields.h).
 */
#include "scn_fields.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_parts.h"
#include "scn_schema.h"
#include "scn_values.h"

int scn_number_in(scn_ctx_t *c, const cJSON *v, double lo, double hi, double *out) {
    double x = v->valuedouble;
    if (!cJSON_IsNumber(v) || !isfinite(x) || x < lo || x > hi) {
        return scn_fail_value(c, v, "expected a number from %g to %g", lo, hi);
    }
    *out = x;
    return 0;
}

int scn_uint_in(scn_ctx_t *c, const cJSON *v, uint64_t lo, uint64_t hi, uint64_t *out) {
    uint64_t x = 0;
    if (!cJSON_IsNumber(v) || scn_parse_uint_text(scn_doc_value_text(c->doc, v), &x) != 0 ||
        x < lo || x > hi) {
        return scn_fail_value(c, v, "expected a whole number from %llu to %llu",
                              (unsigned long long)lo, (unsigned long long)hi);
    }
    *out = x;
    return 0;
}

static void store_uint(void *dst, size_t size, uint64_t x) {
    if (size == 1) {
        uint8_t u = (uint8_t)x;
        memcpy(dst, &u, 1);
    } else if (size == 2) {
        uint16_t u = (uint16_t)x;
        memcpy(dst, &u, 2);
    } else {
        SIM_ASSERT(size == 4);
        uint32_t u = (uint32_t)x;
        memcpy(dst, &u, 4);
    }
}

static int duration_in(scn_ctx_t *c, const cJSON *v, const scn_field_t *f, sim_time_ns_t *out) {
    int rc = scn_duration_value(c, v, out);
    if (rc != 0) {
        return rc;
    }
    sim_time_ns_t lo = (sim_time_ns_t)(f->lo * (double)SIM_NS_PER_S);
    sim_time_ns_t hi = (sim_time_ns_t)(f->hi * (double)SIM_NS_PER_S);
    if (*out < lo || *out > hi) {
        char a[32], b[32];
        scn_format_duration(lo, a, sizeof a);
        scn_format_duration(hi, b, sizeof b);
        return scn_fail_value(c, v, "expected a duration from %s to %s", a, b);
    }
    return 0;
}

static int store_field(scn_ctx_t *c, const cJSON *v, const scn_field_t *f, void *target) {
    char *dst = (char *)target + f->offset;
    double d = 0;
    uint64_t u = 0;
    sim_time_ns_t ns = 0;
    int rc = 0;
    switch (f->kind) {
        case SCN_F_NUM:
        case SCN_F_PERCENT:
            rc = scn_number_in(c, v, f->lo, f->hi, &d);
            d = f->kind == SCN_F_PERCENT ? d / 100.0 : d;
            if (rc == 0) {
                memcpy(dst, &d, sizeof d);
            }
            return rc;
        case SCN_F_UINT:
            rc = scn_uint_in(c, v, (uint64_t)f->lo, (uint64_t)f->hi, &u);
            if (rc == 0) {
                store_uint(dst, f->size, u);
            }
            return rc;
        case SCN_F_BOOL: {
            bool b = cJSON_IsTrue(v);
            memcpy(dst, &b, sizeof b);
            return 0;
        }
        case SCN_F_DURATION:
            rc = duration_in(c, v, f, &ns);
            if (rc == 0) {
                memcpy(dst, &ns, sizeof ns);
            }
            return rc;
    }
    return 0;
}

static unsigned json_type(scn_field_kind_t k) {
    return k == SCN_F_BOOL ? SCN_T_BOOL : k == SCN_F_DURATION ? SCN_T_STRING : SCN_T_NUMBER;
}

static const char *expect_of(scn_field_kind_t k) {
    switch (k) {
        case SCN_F_BOOL:
            return "true or false";
        case SCN_F_DURATION:
            return "a duration such as \"30ms\"";
        case SCN_F_UINT:
            return "a whole number";
        case SCN_F_NUM:
        case SCN_F_PERCENT:
            break;
    }
    return "a number";
}

size_t scn_field_keys(const scn_field_t *fields, size_t n, scn_key_t *keys) {
    SIM_ASSERT(n <= SCN_FIELDS_MAX);
    for (size_t i = 0; i < n; i++) {
        keys[i] = (scn_key_t){fields[i].name, json_type(fields[i].kind), false,
                              expect_of(fields[i].kind), NULL};
    }
    return n;
}

int scn_store_fields(scn_ctx_t *c, const cJSON *obj, const scn_field_t *fields, size_t n,
                     void *target) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fields[i].name);
        if (v == NULL) {
            continue;
        }
        if ((json_type(fields[i].kind) == SCN_T_BOOL && !cJSON_IsBool(v)) ||
            (json_type(fields[i].kind) == SCN_T_STRING && !cJSON_IsString(v)) ||
            (json_type(fields[i].kind) == SCN_T_NUMBER && !cJSON_IsNumber(v))) {
            return scn_fail_value(c, v, "expected %s, got %s", expect_of(fields[i].kind),
                                  scn_type_name(v));
        }
        rc = store_field(c, v, &fields[i], target);
    }
    return rc;
}

int scn_check_fields(scn_ctx_t *c, const cJSON *obj, const scn_field_t *fields, size_t n,
                     void *target) {
    scn_key_t keys[SCN_FIELDS_MAX];
    int rc = scn_check_keys(c, obj, keys, scn_field_keys(fields, n, keys));
    return rc != 0 ? rc : scn_store_fields(c, obj, fields, n, target);
}

int scn_store_field(scn_ctx_t *c, const cJSON *v, const scn_field_t *fields, size_t n,
                    void *target) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fields[i].name, v->string) == 0) {
            return store_field(c, v, &fields[i], target);
        }
    }
    SIM_ASSERT(!"a key without a field row");
    return 0;
}
