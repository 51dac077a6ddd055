/*
 * scn_asserts.c: the "assertions" array: a name, a kind, its times, a subject and a comparison.
 *
 *   {"name": "pack3 elected", "kind": "at", "at": "10s", "subject": "master", "eq": "pack3"}
 *   {"name": "failover", "kind": "within", "after": "100s", "within": "130s",
 *    "subject": "master", "eq": "pack2"}
 *   {"name": "red on stale", "kind": "within", "within": "2s",
 *    "after": {"subject": "signal", "signal": "TEL.St_BmsInvalid", "node": "pack1", "eq": 1},
 *    "subject": "led", "node": "pack1", "led": "red", "eq": "on"}
 *
 * Which time keys a kind takes is checked here (an "at" on an "always" is an error, not
 * ignored), and windows are checked to be possible at all: from <= to, a "for" that fits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_asserts.h"
#include "scn_parts.h"
#include "scn_schema.h"

static const char *const kind_names[] = {
    [SIM_CHECK_AT] = "at",         [SIM_CHECK_ALWAYS] = "always",
    [SIM_CHECK_NEVER] = "never",   [SIM_CHECK_EVENTUALLY] = "eventually",
    [SIM_CHECK_WITHIN] = "within",
};

const char *sim_check_kind_name(sim_check_kind_t kind) {
    size_t k = (size_t)kind;
    return k >= 1 && k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "unknown";
}

/* Time keys, and the kinds that take each (bit per kind). */
#define KB(k) (1u << (k))
static const struct {
    const char *key;
    unsigned kinds;
} time_keys[] = {
    {"at", KB(SIM_CHECK_AT)},
    {"from",
     KB(SIM_CHECK_ALWAYS) | KB(SIM_CHECK_NEVER) | KB(SIM_CHECK_EVENTUALLY) | KB(SIM_CHECK_WITHIN)},
    {"to",
     KB(SIM_CHECK_ALWAYS) | KB(SIM_CHECK_NEVER) | KB(SIM_CHECK_EVENTUALLY) | KB(SIM_CHECK_WITHIN)},
    {"within", KB(SIM_CHECK_WITHIN)},
    {"after", KB(SIM_CHECK_WITHIN)},
    {"for", KB(SIM_CHECK_EVENTUALLY) | KB(SIM_CHECK_WITHIN)},
};
#define N_TIME_KEYS (sizeof time_keys / sizeof time_keys[0])

#define N_OF(a) (sizeof a / sizeof a[0])

/* The key table of an assertion object (name, kind, time keys, subject keys, comparisons). */
static size_t assert_keys(scn_key_t *keys, bool trigger) {
    size_t n = 0;
    if (!trigger) {
        keys[n++] = (scn_key_t){"name", SCN_T_STRING, true, "a name for reports", NULL};
        keys[n++] =
            (scn_key_t){"kind", SCN_T_STRING, true,
                        "\"at\", \"always\", \"never\", \"eventually\" or \"within\"", NULL};
        for (size_t i = 0; i < N_TIME_KEYS; i++) {
            keys[n++] =
                (scn_key_t){time_keys[i].key, SCN_T_STRING | SCN_T_OBJECT, false, "a time", NULL};
        }
    }
    const char *const *names = NULL;
    size_t k = scn_subject_keys(&names);
    for (size_t i = 0; i < k; i++) {
        keys[n++] = (scn_key_t){names[i], 0, false, "a subject parameter", NULL};
    }
    k = scn_compare_keys(&names);
    for (size_t i = 0; i < k; i++) {
        keys[n++] = (scn_key_t){names[i], 0, false, "a value", NULL};
    }
    return n;
}

/* Subject and comparison of an assertion or trigger object. */
static int cond_object(scn_ctx_t *c, const cJSON *obj, sim_cond_t *cond) {
    int rc = scn_subject_object(c, obj, &cond->subj);
    return rc ? rc : scn_cond_compare(c, obj, cond);
}

static int on_name(scn_ctx_t *c, const cJSON *v, sim_scn_assert_t *a) {
    const char *s = v->valuestring;
    size_t n = strlen(s);
    bool ok = n >= 1 && n < sizeof a->name;
    for (size_t i = 0; ok && i < n; i++) {
        ok = s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"' && s[i] != '\\';
    }
    if (!ok) {
        return scn_fail_value(c, v,
                              "expected a name of 1 to %zu printable ASCII characters without "
                              "quotes or backslashes",
                              sizeof a->name - 1);
    }
    for (size_t i = 0; i < c->s->n_asserts; i++) {
        if (strcmp(c->s->asserts[i].name, s) == 0) {
            return scn_fail_value(c, v, "duplicate assertion name \"%s\" (already /assertions/%zu)",
                                  s, i);
        }
    }
    memcpy(a->name, s, n + 1);
    return 0;
}

static int on_kind(scn_ctx_t *c, const cJSON *v, sim_scn_assert_t *a) {
    for (size_t k = 1; k < N_OF(kind_names); k++) {
        if (strcmp(v->valuestring, kind_names[k]) == 0) {
            a->kind = (sim_check_kind_t)k;
            return 0;
        }
    }
    return scn_fail_value(c, v,
                          "expected a kind: \"at\", \"always\", \"never\", \"eventually\" or "
                          "\"within\"");
}

/* Every time key must belong to the kind; the kind's required ones must be there. */
static int time_keys_fit(scn_ctx_t *c, const cJSON *obj, const sim_scn_assert_t *a) {
    for (size_t i = 0; i < N_TIME_KEYS; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, time_keys[i].key);
        if (m != NULL && (time_keys[i].kinds & KB(a->kind)) == 0) {
            return scn_fail_key(c, m, "not valid for kind \"%s\"", kind_names[a->kind]);
        }
    }
    const char *need[2] = {a->kind == SIM_CHECK_AT ? "at" : NULL,
                           a->kind == SIM_CHECK_WITHIN ? "within" : NULL};
    for (size_t i = 0; i < 2; i++) {
        if (need[i] != NULL && cJSON_GetObjectItemCaseSensitive(obj, need[i]) == NULL) {
            return scn_fail_missing(c, obj, need[i], "kind \"%s\" needs \"%s\"",
                                    kind_names[a->kind], need[i]);
        }
    }
    if (a->kind == SIM_CHECK_WITHIN && cJSON_GetObjectItemCaseSensitive(obj, "after") == NULL) {
        return scn_fail_missing(c, obj, "after",
                                "kind \"within\" needs \"after\" (a time or a trigger condition)");
    }
    return 0;
}

/* A time value of key `key` (a string), or keeps *out when absent. */
static int time_of(scn_ctx_t *c, const cJSON *obj, const char *key, bool positive,
                   sim_time_ns_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL) {
        return 0;
    }
    if (!cJSON_IsString(v)) {
        return scn_fail_value(c, v, "expected a time such as \"10s\", got %s", scn_type_name(v));
    }
    int rc = positive ? scn_duration_value(c, v, out) : scn_time_value(c, v, out);
    if (rc == 0 && positive && *out == 0) {
        return scn_fail_value(c, v, "expected a duration more than 0");
    }
    return rc;
}

static int trigger(scn_ctx_t *c, const cJSON *v, sim_scn_assert_t *a) {
    if (cJSON_IsString(v)) {
        return scn_time_value(c, v, &a->after_ns);
    }
    if (!cJSON_IsObject(v)) {
        return scn_fail_value(c, v, "expected a time such as \"10s\" or a condition object");
    }
    scn_key_t keys[48];
    int rc = scn_check_keys(c, v, keys, assert_keys(keys, true));
    a->trigger_is_cond = true;
    return rc ? rc : cond_object(c, v, &a->trigger);
}

static int times(scn_ctx_t *c, const cJSON *obj, sim_scn_assert_t *a) {
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(obj, "after");
    a->to_ns = SIM_TIME_NEVER;
    int rc = time_of(c, obj, "at", false, &a->at_ns);
    rc = rc ? rc : time_of(c, obj, "from", false, &a->from_ns);
    rc = rc ? rc : time_of(c, obj, "to", false, &a->to_ns);
    rc = rc ? rc : time_of(c, obj, "within", true, &a->within_ns);
    rc = rc ? rc : time_of(c, obj, "for", true, &a->hold_ns);
    rc = rc || after == NULL ? rc : trigger(c, after, a);
    if (rc != 0) {
        return rc;
    }
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(obj, "to");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(obj, "from");
    if (to != NULL && a->to_ns < a->from_ns) {
        return scn_fail_value(c, to, "is before \"from\"");
    }
    if (a->kind == SIM_CHECK_WITHIN && !a->trigger_is_cond && (from != NULL || to != NULL)) {
        return scn_fail_key(c, from != NULL ? from : to,
                            "only valid when \"after\" is a trigger condition");
    }
    sim_time_ns_t room = a->kind == SIM_CHECK_WITHIN ? a->within_ns
                         : to != NULL                ? a->to_ns - a->from_ns
                                                     : c->s->duration_ns - a->from_ns;
    const cJSON *hold = cJSON_GetObjectItemCaseSensitive(obj, "for");
    if (hold != NULL && a->hold_ns > room) {
        return scn_fail_value(c, hold, "is longer than the window it must fit in");
    }
    return 0;
}

static int check_assert(scn_ctx_t *c, const cJSON *obj, sim_scn_assert_t *a) {
    scn_key_t keys[48];
    if (!cJSON_IsObject(obj)) {
        return scn_fail_value(c, obj,
                              "expected an assertion such as {\"name\": \"...\", \"kind\": \"at\", "
                              "...}, got %s",
                              scn_type_name(obj));
    }
    int rc = scn_check_keys(c, obj, keys, assert_keys(keys, false));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        const cJSON *m = i == 0 ? name : kind;
        if (!cJSON_IsString(m)) {
            rc = scn_fail_value(c, m, "expected %s, got %s", keys[i].expect, scn_type_name(m));
        }
    }
    rc = rc ? rc : on_name(c, name, a);
    rc = rc ? rc : on_kind(c, kind, a);
    rc = rc ? rc : time_keys_fit(c, obj, a);
    rc = rc ? rc : times(c, obj, a);
    rc = rc ? rc : cond_object(c, obj, &a->cond);
    if (rc == 0) {
        unsigned col;
        scn_doc_linecol(c->doc, scn_doc_pos(c->doc, obj)->val_off, &a->line, &col);
    }
    return rc;
}

int scn_on_assertions(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    int count = cJSON_GetArraySize(v);
    if ((unsigned)count > SIM_SCN_MAX_ASSERTS) {
        return scn_fail_value(c, v, "too many assertions (%d; at most %u)", count,
                              SIM_SCN_MAX_ASSERTS);
    }
    s->asserts = calloc(count > 0 ? (size_t)count : 1, sizeof *s->asserts);
    if (s->asserts == NULL) {
        return scn_fail_nomem(c);
    }
    for (const cJSON *e = v->child; e != NULL; e = e->next) {
        int rc = check_assert(c, e, &s->asserts[s->n_asserts]);
        if (rc != 0) {
            return rc;
        }
        s->n_asserts++;
    }
    return 0;
}
