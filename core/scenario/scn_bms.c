/*
 * scn_bms.c: a pack's "bms" object (the Modbus BMS slave and a fault in force from power-on) and
 * a node's "nvs" preload (entries written into its NVS image before it first boots).
 *
 * NVS values are typed the way the firmware reads them: "u8", "u16", "u32" become 1, 2 or 4
 * bytes little-endian (the ESP32's byte order, which the firmware's settings use), "hex" is a
 * blob of 1 to 64 bytes. Keys are unique per namespace, as in the real store.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_schema.h"
#include "scn_values.h"

#define NVS_ENTRIES_MAX 64 /* sim_nvs.h SIM_NVS_ENTRIES_MAX */

static const char *const fault_names[] = {
    [BMS_FAULT_NONE] = "none",           [BMS_FAULT_SILENT] = "silent",
    [BMS_FAULT_CORRUPT_CRC] = "bad_crc", [BMS_FAULT_WRONG_ADDRESS] = "wrong_address",
    [BMS_FAULT_LATE_REPLY] = "late",     [BMS_FAULT_ALARM] = "alarm",
};

int scn_bms_fault_value(scn_ctx_t *c, const cJSON *v, int *fault) {
    for (size_t i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, fault_names[i]) == 0) {
            *fault = (int)i;
            return 0;
        }
    }
    return scn_fail_value(c, v,
                          "expected a BMS fault: \"none\", \"silent\", \"bad_crc\", "
                          "\"wrong_address\", \"late\" or \"alarm\"");
}

int scn_u16_value(scn_ctx_t *c, const cJSON *v, uint16_t *out) {
    uint64_t x = 0;
    int rc = cJSON_IsString(v) ? scn_parse_hex(v->valuestring, &x)
                               : scn_parse_uint_text(scn_doc_value_text(c->doc, v), &x);
    if (rc != 0 || x > 0xFFFF) {
        return scn_fail_value(c, v, "expected 0 to 65535, as an integer or hex \"0x0100\"");
    }
    *out = (uint16_t)x;
    return 0;
}

static const scn_field_t bms_fields[] = {
    SCN_UINT("address", bms_modbus_cfg_t, address, 1, 247),
    SCN_DUR("response_delay", bms_modbus_cfg_t, response_delay_ns, 0, 10),
    SCN_DUR("late_reply", bms_modbus_cfg_t, late_reply_ns, 0, 10),
    SCN_BOOL("check_t15", bms_modbus_cfg_t, check_t15),
};

int scn_on_node_bms(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    scn_key_t keys[SCN_FIELDS_MAX + 2];
    size_t nk = scn_field_keys(bms_fields, sizeof bms_fields / sizeof bms_fields[0], keys);
    keys[nk++] = (scn_key_t){"alarm_bits", SCN_T_NUMBER | SCN_T_STRING, false,
                             "alarm register bits such as \"0x0100\"", NULL};
    keys[nk++] = (scn_key_t){"fault", SCN_T_STRING, false, "a BMS fault such as \"silent\"", NULL};
    int rc = scn_check_keys(c, v, keys, nk);
    rc = rc ? rc
            : scn_store_fields(c, v, bms_fields, sizeof bms_fields / sizeof bms_fields[0],
                               &n->pack->bms);
    const cJSON *bits = cJSON_GetObjectItemCaseSensitive(v, "alarm_bits");
    if (rc == 0 && bits != NULL) {
        rc = scn_u16_value(c, bits, &n->pack->bms.forced_alarm_bits);
    }
    const cJSON *fault = cJSON_GetObjectItemCaseSensitive(v, "fault");
    int f = BMS_FAULT_NONE;
    if (rc == 0 && fault != NULL) {
        rc = scn_bms_fault_value(c, fault, &f);
    }
    n->pack->bms_fault = (bms_fault_t)f;
    return rc;
}

/* One NVS entry's value: exactly one of u8, u16, u32, hex. */
static int nvs_value(scn_ctx_t *c, const cJSON *obj, sim_scn_nvs_entry_t *e) {
    static const struct {
        const char *key;
        uint64_t max;
        size_t len;
    } ints[] = {{"u8", 0xFF, 1}, {"u16", 0xFFFF, 2}, {"u32", 0xFFFFFFFF, 4}};
    const cJSON *found = NULL;
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        bool value_key = strcmp(m->string, "ns") != 0 && strcmp(m->string, "key") != 0;
        if (value_key && found != NULL) {
            return scn_fail_key(c, m,
                                "second value (already \"%s\"); give one of u8, u16, u32, "
                                "hex",
                                found->string);
        }
        found = value_key ? m : found;
    }
    if (found == NULL) {
        return scn_fail_value(c, obj, "no value (expected one of: u8, u16, u32, hex)");
    }
    if (strcmp(found->string, "hex") == 0) {
        int rc = scn_parse_hex_bytes(found->valuestring, e->value, sizeof e->value, &e->len);
        if (rc != 0 || e->len == 0) {
            return scn_fail_value(c, found, "expected 1 to 64 hex bytes such as \"16001800\"");
        }
        return 0;
    }
    for (size_t i = 0; i < 3; i++) {
        uint64_t x = 0;
        if (strcmp(found->string, ints[i].key) != 0) {
            continue;
        }
        int rc = scn_uint_in(c, found, 0, ints[i].max, &x);
        for (size_t b = 0; b < ints[i].len; b++) {
            e->value[b] = (uint8_t)(x >> (8 * b));
        }
        e->len = ints[i].len;
        return rc;
    }
    return 0;
}

static int nvs_name(scn_ctx_t *c, const cJSON *v, char *out) {
    size_t n = strlen(v->valuestring);
    if (n == 0 || n > 15) {
        return scn_fail_value(c, v, "expected 1 to 15 characters (an ESP32 NVS name)");
    }
    memcpy(out, v->valuestring, n + 1);
    return 0;
}

static int nvs_entry(scn_ctx_t *c, const cJSON *obj, sim_scn_nvs_entry_t *e) {
    static const scn_key_t keys[] = {
        {"ns", SCN_T_STRING, false, "a namespace such as \"alfaspark\"", NULL},
        {"key", SCN_T_STRING, true, "a key such as \"modeMask\"", NULL},
        {"u8", SCN_T_NUMBER, false, "0 to 255", NULL},
        {"u16", SCN_T_NUMBER, false, "0 to 65535", NULL},
        {"u32", SCN_T_NUMBER, false, "0 to 4294967295", NULL},
        {"hex", SCN_T_STRING, false, "hex bytes such as \"16001800\"", NULL},
    };
    if (!cJSON_IsObject(obj)) {
        return scn_fail_value(c, obj,
                              "expected an entry such as {\"key\": \"modeMask\", "
                              "\"u8\": 1}, got %s",
                              scn_type_name(obj));
    }
    memcpy(e->ns, "alfaspark", sizeof "alfaspark");
    int rc = scn_check_keys(c, obj, keys, sizeof keys / sizeof keys[0]);
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(obj, "ns");
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(obj, "key");
    for (size_t i = 0; rc == 0 && i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, keys[i].name);
        bool str = (keys[i].types & SCN_T_STRING) != 0;
        if (m != NULL && (str ? !cJSON_IsString(m) : !cJSON_IsNumber(m))) {
            rc = scn_fail_value(c, m, "expected %s, got %s", keys[i].expect, scn_type_name(m));
        }
    }
    rc = rc || ns == NULL ? rc : nvs_name(c, ns, e->ns);
    rc = rc ? rc : nvs_name(c, key, e->key);
    return rc ? rc : nvs_value(c, obj, e);
}

int scn_on_node_nvs(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    int count = cJSON_GetArraySize(v);
    if (count > NVS_ENTRIES_MAX) {
        return scn_fail_value(c, v, "at most %d entries (the NVS image's size)", NVS_ENTRIES_MAX);
    }
    n->nvs = calloc(count > 0 ? (size_t)count : 1, sizeof *n->nvs);
    if (n->nvs == NULL) {
        return scn_fail_nomem(c);
    }
    for (const cJSON *e = v->child; e != NULL; e = e->next) {
        sim_scn_nvs_entry_t *ent = &n->nvs[n->n_nvs];
        int rc = nvs_entry(c, e, ent);
        for (size_t j = 0; rc == 0 && j < n->n_nvs; j++) {
            if (strcmp(n->nvs[j].ns, ent->ns) == 0 && strcmp(n->nvs[j].key, ent->key) == 0) {
                rc = scn_fail_value(c, cJSON_GetObjectItemCaseSensitive(e, "key"),
                                    "duplicate NVS key \"%s/%s\"", ent->ns, ent->key);
            }
        }
        if (rc != 0) {
            return rc;
        }
        n->n_nvs++;
    }
    return 0;
}
