/*
 * scn_top.c: the top-level object of a scenario and its "bus" object.
 *
 * The key table below is the first format; later formats append rows. Its order matters (see
 * scn_schema.h): "duration" comes before "nodes" and "timeline", which are checked against it,
 * and "nodes" before "timeline", whose actions name nodes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_board.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_values.h"

#define SEED_NUMBER_MAX (1ull << 53) /* integers above this are not exact in JSON readers */

static const uint32_t std_bitrates_bps[] = {10000,  20000,  50000,  100000, 125000,
                                            250000, 500000, 800000, 1000000};

bool scn_name_ok(const char *s, size_t max_len) {
    size_t n = strlen(s);
    /* Names become file and folder names (out/<scenario>, boards/<board>.json): "." and ".."
     * would name the folder itself or its parent. */
    if (n == 0 || n > max_len || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static int on_name(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    if (!scn_name_ok(v->valuestring, sizeof s->name - 1)) {
        return scn_fail_value(c, v,
                              "expected a name of 1 to %zu letters, digits, '_', '.' or '-' "
                              "(not '.' or '..')",
                              sizeof s->name - 1);
    }
    snprintf(s->name, sizeof s->name, "%s", v->valuestring);
    return 0;
}

static int on_description(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    free(s->description);
    s->description = scn_strdup(v->valuestring);
    return s->description != NULL ? 0 : scn_fail_nomem(c);
}

static int on_seed(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    uint64_t seed = 0;
    if (cJSON_IsString(v)) {
        if (scn_parse_hex(v->valuestring, &seed) != 0) {
            return scn_fail_value(c, v,
                                  "expected a hex string of 1 to 16 digits such as \"0x5eed\"");
        }
    } else if (scn_parse_uint_text(scn_doc_value_text(c->doc, v), &seed) != 0 ||
               seed > SEED_NUMBER_MAX) {
        return scn_fail_value(c, v,
                              "expected an integer from 0 to 9007199254740992 (2^53), or a hex "
                              "string such as \"0x5eed\"");
    }
    s->seed = seed;
    return 0;
}

static int on_duration(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    sim_time_ns_t ns = 0;
    int rc = scn_duration_value(c, v, &ns);
    if (rc != 0) {
        return rc;
    }
    if (ns <= 0 || ns > SIM_SCN_MAX_DURATION_NS) {
        return scn_fail_value(c, v, "expected a duration more than 0 and at most 400 days");
    }
    s->duration_ns = ns;
    return 0;
}

static int on_plugin(scn_ctx_t *c, const cJSON *v, void *target) {
    (void)target;
    c->plugin = v; /* resolved once the whole file is known to be valid (scn_plugin.c) */
    return scn_plugin_value_ok(c, v);
}

static int on_board(scn_ctx_t *c, const cJSON *v, void *target) {
    (void)target;
    return scn_board_ref(c, v, &c->top_board);
}

static int on_bus_name(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    const char *p = v->valuestring;
    size_t n = strlen(p);
    bool ok = n >= 1 && n < sizeof s->bus_name;
    for (size_t i = 0; ok && i < n; i++) {
        ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9');
    }
    if (!ok) {
        return scn_fail_value(c, v, "expected an interface name of 1 to 15 characters a-z, 0-9");
    }
    memcpy(s->bus_name, p, n + 1);
    return 0;
}

static int on_bus_bitrate(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    uint64_t bps = 0;
    if (scn_parse_uint_text(scn_doc_value_text(c->doc, v), &bps) == 0) {
        for (size_t i = 0; i < sizeof std_bitrates_bps / sizeof std_bitrates_bps[0]; i++) {
            if (bps == std_bitrates_bps[i]) {
                s->bus_bitrate_bps = std_bitrates_bps[i];
                return 0;
            }
        }
    }
    return scn_fail_value(c, v,
                          "expected a standard CAN bit rate: 10000, 20000, 50000, 100000, "
                          "125000, 250000, 500000, 800000 or 1000000");
}

static const scn_key_t bus_keys[] = {
    {"name", SCN_T_STRING, false, "an interface name such as \"can0\"", on_bus_name},
    {"bitrate", SCN_T_NUMBER, false, "a bit rate in bit/s such as 500000", on_bus_bitrate},
};

static int on_bus(scn_ctx_t *c, const cJSON *v, void *target) {
    return scn_check_object(c, v, bus_keys, sizeof bus_keys / sizeof bus_keys[0], target);
}

static const scn_key_t top_keys[] = {
    {"name", SCN_T_STRING, false, "a scenario name such as \"two_packs\"", on_name},
    {"description", SCN_T_STRING, false, "a string", on_description},
    {"seed", SCN_T_NUMBER | SCN_T_STRING, false, "an integer or a hex string such as \"0x5eed\"",
     on_seed},
    {"duration", SCN_T_STRING, true, "a duration such as \"60s\"", on_duration},
    {"plugin", SCN_T_STRING, false, "a plugin name such as \"testnode\"", on_plugin},
    {"board", SCN_T_STRING | SCN_T_OBJECT, false, "a board name such as \"alfaspark_b\"", on_board},
    {"environment", SCN_T_OBJECT, false, "an object such as {\"start\": \"2024-06-21T06:00\"}",
     scn_on_environment},
    {"bus", SCN_T_OBJECT, false, "an object such as {\"name\": \"can0\", \"bitrate\": 500000}",
     on_bus},
    {"nodes", SCN_T_ARRAY, true, "an array of 1 to 127 node objects", scn_on_nodes},
    {"timeline", SCN_T_ARRAY, false, "an array of actions such as {\"at\": \"2s\", ...}",
     scn_on_timeline},
    {"assertions", SCN_T_ARRAY, false, "an array of assertions such as {\"name\": ..., ...}",
     scn_on_assertions},
};

int scn_check_top(scn_ctx_t *c, const cJSON *root) {
    if (!cJSON_IsObject(root)) {
        return scn_fail_value(c, root, "expected the document to be a JSON object, got %s",
                              scn_type_name(root));
    }
    return scn_check_object(c, root, top_keys, sizeof top_keys / sizeof top_keys[0], c->s);
}
