/*
 * sim_nvs.c: the NVS API over its index, a sorted array of fixed-size records; every change goes
 * to the flash log first (sim_nvs_flash.c) and reaches the index only once the flash holds it.
 *
 * 64 records of 100-odd bytes: a linear scan is cheaper than any index and keeps the code
 * obvious. The array is kept sorted by (namespace, key), so iteration order is a property of the
 * contents alone. An erased key stays as a record with `live` false to keep its write count.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_nvs_int.h"

typedef nvs_record_t record_t;

static bool name_ok(const char *s) {
    return s != NULL && s[0] != '\0' && strlen(s) <= SIM_NVS_NAME_MAX;
}

static int rec_cmp(const record_t *r, const char *ns, const char *key) {
    int c = strcmp(r->ns, ns);
    return c != 0 ? c : strcmp(r->key, key);
}

/* Index of (ns, key), or -1 with *ins set to where it would be inserted. */
static int find(const sim_nvs_t *nvs, const char *ns, const char *key, unsigned *ins) {
    unsigned i = 0;
    for (; i < nvs->count; i++) {
        int c = rec_cmp(&nvs->rec[i], ns, key);
        if (c == 0) {
            return (int)i;
        }
        if (c > 0) {
            break;
        }
    }
    if (ins != NULL) {
        *ins = i;
    }
    return -1;
}

int sim_nvs_create(sim_nvs_t **out) {
    SIM_ASSERT(out != NULL);
    *out = calloc(1, sizeof **out);
    return *out != NULL ? 0 : -SIM_ENOMEM;
}

void sim_nvs_destroy(sim_nvs_t *nvs) {
    free(nvs);
}

int sim_nvs_get(const sim_nvs_t *nvs, const char *ns, const char *key, void *buf, size_t *len) {
    if (!name_ok(ns) || !name_ok(key) || len == NULL) {
        return -SIM_EINVAL;
    }
    if (nvs->flash.dead) {
        return -SIM_EIO;
    }
    int i = find(nvs, ns, key, NULL);
    if (i < 0 || !nvs->rec[i].live) {
        return -SIM_ENOENT;
    }
    const record_t *r = &nvs->rec[i];
    if (*len < r->len || (buf == NULL && r->len > 0)) {
        *len = r->len;
        return -SIM_ERANGE;
    }
    if (r->len > 0) {
        memcpy(buf, r->value, r->len);
    }
    *len = r->len;
    return 0;
}

/* Drops the erased record with the fewest writes (the first such in order), to make room. */
static bool evict_erased(sim_nvs_t *nvs) {
    int victim = -1;
    for (unsigned i = 0; i < nvs->count; i++) {
        if (!nvs->rec[i].live && (victim < 0 || nvs->rec[i].writes < nvs->rec[victim].writes)) {
            victim = (int)i;
        }
    }
    if (victim < 0) {
        return false;
    }
    memmove(&nvs->rec[victim], &nvs->rec[victim + 1],
            (nvs->count - (unsigned)victim - 1u) * sizeof(record_t));
    nvs->count--;
    return true;
}

static record_t *insert(sim_nvs_t *nvs, const char *ns, const char *key) {
    if (nvs->count == SIM_NVS_ENTRIES_MAX && !evict_erased(nvs)) {
        return NULL;
    }
    unsigned at = 0;
    (void)find(nvs, ns, key, &at); /* the eviction may have moved the insertion point */
    memmove(&nvs->rec[at + 1], &nvs->rec[at], (nvs->count - at) * sizeof(record_t));
    nvs->count++;
    record_t *r = &nvs->rec[at];
    memset(r, 0, sizeof *r);
    memcpy(r->ns, ns, strlen(ns) + 1);
    memcpy(r->key, key, strlen(key) + 1);
    return r;
}

record_t *sim_nvs__record(sim_nvs_t *nvs, const char *ns, const char *key) {
    int i = find(nvs, ns, key, NULL);
    return i >= 0 ? &nvs->rec[i] : insert(nvs, ns, key);
}

int sim_nvs_set(sim_nvs_t *nvs, const char *ns, const char *key, const void *buf, size_t len) {
    if (!name_ok(ns) || !name_ok(key) || len > SIM_NVS_VALUE_MAX || (buf == NULL && len > 0)) {
        return -SIM_EINVAL;
    }
    if (nvs->flash.dead) {
        return -SIM_EIO;
    }
    record_t *r = sim_nvs__record(nvs, ns, key);
    if (r == NULL) {
        nvs->stats.refused++;
        return -SIM_ENOMEM;
    }
    nvs->version++;
    int rc = sim_nvs__flash_put(&nvs->flash, ns, key, buf, len);
    if (rc != 0) {
        return rc; /* the power failed; mount decides what the key holds */
    }
    if (!r->live) {
        nvs->stats.keys++;
    }
    memset(r->value, 0, sizeof r->value);
    if (len > 0) {
        memcpy(r->value, buf, len);
    }
    r->len = len;
    r->live = true;
    r->writes++;
    nvs->stats.writes++;
    return 0;
}

static int erase_rec(sim_nvs_t *nvs, record_t *r) {
    nvs->version++;
    int rc = sim_nvs__flash_erase(&nvs->flash, r->ns, r->key);
    if (rc != 0) {
        return rc;
    }
    r->live = false;
    r->len = 0;
    memset(r->value, 0, sizeof r->value);
    nvs->stats.keys--;
    nvs->stats.erases++;
    return 0;
}

int sim_nvs_erase_key(sim_nvs_t *nvs, const char *ns, const char *key) {
    if (!name_ok(ns) || !name_ok(key)) {
        return -SIM_EINVAL;
    }
    if (nvs->flash.dead) {
        return -SIM_EIO;
    }
    int i = find(nvs, ns, key, NULL);
    if (i < 0 || !nvs->rec[i].live) {
        return -SIM_ENOENT;
    }
    return erase_rec(nvs, &nvs->rec[i]);
}

int sim_nvs_erase_all(sim_nvs_t *nvs, const char *ns) {
    if (ns != NULL && !name_ok(ns)) {
        return -SIM_EINVAL;
    }
    if (nvs->flash.dead) {
        return -SIM_EIO;
    }
    int erased = 0;
    for (unsigned i = 0; i < nvs->count; i++) {
        record_t *r = &nvs->rec[i];
        if (r->live && (ns == NULL || strcmp(r->ns, ns) == 0)) {
            int rc = erase_rec(nvs, r);
            if (rc != 0) {
                return rc; /* each key is old or erased; mount sorts out which */
            }
            erased++;
        }
    }
    return erased;
}

uint64_t sim_nvs_key_writes(const sim_nvs_t *nvs, const char *ns, const char *key) {
    if (!name_ok(ns) || !name_ok(key)) {
        return 0;
    }
    int i = find(nvs, ns, key, NULL);
    return i >= 0 ? nvs->rec[i].writes : 0;
}

void sim_nvs_stats(const sim_nvs_t *nvs, sim_nvs_stats_t *out) {
    *out = nvs->stats;
    out->flash_ops = nvs->flash.ops;
    out->collections = nvs->flash.collections;
    out->power_cuts = nvs->flash.cuts;
}

void sim_nvs_reset_counters(sim_nvs_t *nvs) {
    for (unsigned i = 0; i < nvs->count; i++) {
        nvs->rec[i].writes = 0;
    }
    uint32_t keys = nvs->stats.keys;
    memset(&nvs->stats, 0, sizeof nvs->stats);
    nvs->stats.keys = keys;
}

bool sim_nvs_next(const sim_nvs_t *nvs, size_t *cursor, sim_nvs_entry_t *out) {
    while (*cursor < nvs->count) {
        const record_t *r = &nvs->rec[(*cursor)++];
        if (r->live) {
            out->ns = r->ns;
            out->key = r->key;
            out->value = r->value;
            out->len = r->len;
            out->writes = r->writes;
            return true;
        }
    }
    return false;
}

uint64_t sim_nvs_version(const sim_nvs_t *nvs) {
    return nvs->version;
}

const void *sim_nvs_snapshot(const sim_nvs_t *nvs, size_t *len) {
    *len = sizeof *nvs;
    return nvs;
}

int sim_nvs_restore(sim_nvs_t *nvs, const void *bytes, size_t len) {
    if (len != sizeof *nvs) {
        return -SIM_EINVAL;
    }
    uint64_t v = nvs->version;
    memcpy(nvs, bytes, len);
    nvs->version = v + 1;
    return 0;
}

uint64_t sim_nvs_flash_ops(const sim_nvs_t *nvs) {
    return nvs->flash.ops;
}

void sim_nvs_cut_power_at(sim_nvs_t *nvs, uint64_t nth) {
    nvs->flash.cut_at = nth != 0 ? nvs->flash.ops + nth : 0;
    nvs->version++;
}

bool sim_nvs_powered(const sim_nvs_t *nvs) {
    return !nvs->flash.dead;
}
