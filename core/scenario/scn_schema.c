/*
 * scn_schema.c: the three-step object check of scn_schema.h.
 */
#include <stdio.h>
#include <string.h>

#include "scn_schema.h"

#define MAX_TABLE_KEYS 64
#define LIST_MAX       150 /* characters of key names listed in a message; more end in "..." */

const scn_key_t *scn_find_key(const scn_key_t *keys, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

const char *scn_type_name(const cJSON *item) {
    if (cJSON_IsString(item)) {
        return "a string";
    }
    if (cJSON_IsNumber(item)) {
        return "a number";
    }
    if (cJSON_IsBool(item)) {
        return "a boolean";
    }
    if (cJSON_IsObject(item)) {
        return "an object";
    }
    if (cJSON_IsArray(item)) {
        return "an array";
    }
    return "null";
}

static bool type_ok(const cJSON *item, unsigned types) {
    return ((types & SCN_T_STRING) && cJSON_IsString(item)) ||
           ((types & SCN_T_NUMBER) && cJSON_IsNumber(item)) ||
           ((types & SCN_T_BOOL) && cJSON_IsBool(item)) ||
           ((types & SCN_T_OBJECT) && cJSON_IsObject(item)) ||
           ((types & SCN_T_ARRAY) && cJSON_IsArray(item));
}

/* "a, b, c" of every key name, or as many as fit LIST_MAX followed by ", ...". */
static void list_keys(const scn_key_t *keys, size_t n, char *list, size_t cap) {
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t need = strlen(keys[i].name) + (i ? 2 : 0);
        if (used + need > LIST_MAX || used + need + 5 >= cap) {
            snprintf(list + used, cap - used, ", ...");
            return;
        }
        snprintf(list + used, cap - used, "%s%s", i ? ", " : "", keys[i].name);
        used += need;
    }
}

static int unknown_key(scn_ctx_t *c, const cJSON *member, const scn_key_t *keys, size_t n) {
    const char *names[MAX_TABLE_KEYS] = {NULL};
    char list[LIST_MAX + 8];
    SIM_ASSERT(n <= MAX_TABLE_KEYS);
    for (size_t i = 0; i < n; i++) {
        names[i] = keys[i].name;
    }
    const char *near = scn_suggest(member->string, names, n);
    if (near != NULL) {
        return scn_fail_key(c, member, "unknown key; did you mean \"%s\"?", near);
    }
    list_keys(keys, n, list, sizeof list);
    return scn_fail_key(c, member, "unknown key (expected one of: %s)", list);
}

int scn_check_keys(scn_ctx_t *c, const cJSON *obj, const scn_key_t *keys, size_t n) {
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        if (scn_find_key(keys, n, m->string) == NULL) {
            return unknown_key(c, m, keys, n);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (keys[i].required && cJSON_GetObjectItemCaseSensitive(obj, keys[i].name) == NULL) {
            return scn_fail_missing(c, obj, keys[i].name, "missing required key (expected %s)",
                                    keys[i].expect);
        }
    }
    return 0;
}

int scn_check_values(scn_ctx_t *c, const cJSON *obj, const scn_key_t *keys, size_t n,
                     void *target) {
    for (size_t i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, keys[i].name);
        if (v == NULL) {
            continue;
        }
        if (!type_ok(v, keys[i].types)) {
            return scn_fail_value(c, v, "expected %s, got %s", keys[i].expect, scn_type_name(v));
        }
        int rc = keys[i].handler(c, v, target);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int scn_check_object(scn_ctx_t *c, const cJSON *obj, const scn_key_t *keys, size_t n,
                     void *target) {
    int rc = scn_check_keys(c, obj, keys, n);
    return rc != 0 ? rc : scn_check_values(c, obj, keys, n, target);
}
