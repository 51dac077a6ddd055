/*
 * scn_frame.c: the object-valued timeline verbs: can_send and can_babble (a CAN frame) and
 * can_drop / can_corrupt (which frames a bus fault matches, and how often).
 *
 * Frame fields are stored as given and checked together at the end, because they constrain
 * each other: an identifier above 0x7FF needs "ext", a remote frame has no data, and "dlc" may
 * only pad the data with zero bytes, never cut it.
 */
#include <stdio.h>
#include <string.h>

#include "scn_parts.h"
#include "scn_text.h"
#include "scn_values.h"

#define ID_EXPECT "a CAN identifier such as \"0x123\""

typedef struct {
    uint64_t id;
    const cJSON *id_item;
    bool ext, rtr;
    uint8_t data[8];
    size_t n_data;
    const cJSON *data_item;
    const cJSON *dlc_item;
    size_t dlc;
    int node;
    sim_time_ns_t for_ns; /* 0: until the end of the run */
    uint64_t mask;
    const cJSON *mask_item;
    uint32_t num, den;
} spec_t;

/* An identifier or mask: a hex string or an integer, at most 29 bits. */
static int read_id(scn_ctx_t *c, const cJSON *v, uint64_t *out) {
    int rc = cJSON_IsString(v) ? scn_parse_hex(v->valuestring, out)
                               : scn_parse_uint_text(scn_doc_value_text(c->doc, v), out);
    if (rc != 0) {
        return scn_fail_value(c, v, "expected a hex string such as \"0x123\" or an integer");
    }
    if (*out > SIM_CAN_EXT_ID_MASK) {
        return scn_fail_value(c, v, "0x%llX is wider than 29 bits (at most 0x1FFFFFFF)",
                              (unsigned long long)*out);
    }
    return 0;
}

static int on_id(scn_ctx_t *c, const cJSON *v, void *target) {
    spec_t *f = target;
    f->id_item = v;
    return read_id(c, v, &f->id);
}

static int on_mask(scn_ctx_t *c, const cJSON *v, void *target) {
    spec_t *f = target;
    f->mask_item = v;
    return read_id(c, v, &f->mask);
}

static int on_data(scn_ctx_t *c, const cJSON *v, void *target) {
    spec_t *f = target;
    f->data_item = v;
    int rc = scn_parse_hex_bytes(v->valuestring, f->data, sizeof f->data, &f->n_data);
    if (rc == -SIM_ERANGE) {
        return scn_fail_value(c, v, "%zu data bytes; a classic CAN frame carries at most 8",
                              f->n_data);
    }
    if (rc != 0) {
        return scn_fail_value(c, v, "expected hex bytes such as \"0102A0FF\" (two digits each)");
    }
    return 0;
}

static int on_ext(scn_ctx_t *c, const cJSON *v, void *target) {
    (void)c;
    ((spec_t *)target)->ext = cJSON_IsTrue(v);
    return 0;
}

static int on_rtr(scn_ctx_t *c, const cJSON *v, void *target) {
    (void)c;
    ((spec_t *)target)->rtr = cJSON_IsTrue(v);
    return 0;
}

static int on_dlc(scn_ctx_t *c, const cJSON *v, void *target) {
    spec_t *f = target;
    uint64_t dlc = 0;
    f->dlc_item = v;
    if (scn_parse_uint_text(scn_doc_value_text(c->doc, v), &dlc) != 0 || dlc > 8) {
        return scn_fail_value(c, v, "expected a data length code from 0 to 8");
    }
    f->dlc = (size_t)dlc;
    return 0;
}

static int on_node(scn_ctx_t *c, const cJSON *v, void *target) {
    int idx = scn_node_ref(c, v);
    ((spec_t *)target)->node = idx;
    return idx < 0 ? idx : 0;
}

static int on_for(scn_ctx_t *c, const cJSON *v, void *target) {
    spec_t *f = target;
    int rc = scn_duration_value(c, v, &f->for_ns);
    if (rc == 0 && f->for_ns == 0) {
        return scn_fail_value(c, v, "expected a duration more than 0 (omit \"for\" to keep it on)");
    }
    return rc;
}

static int on_probability(scn_ctx_t *c, const cJSON *v, void *target) {
    spec_t *f = target;
    char text[64];
    const char *why = "";
    if (cJSON_IsString(v)) {
        snprintf(text, sizeof text, "%s", v->valuestring);
    } else {
        /* A number is read from its source text, so 0.1 is exactly 1/10. */
        const char *raw = scn_doc_value_text(c->doc, v);
        size_t n = scn_text_scalar_end(raw, strlen(raw), 0);
        snprintf(text, sizeof text, "%.*s", (int)(n < 63 ? n : 63), raw);
    }
    if (scn_parse_ratio(text, &f->num, &f->den, &why) != 0) {
        char q[80];
        scn_text_quote(q, sizeof q, text, strlen(text));
        return scn_fail_value(c, v, "probability %s %s", q, why);
    }
    return 0;
}

/* The frame fields checked together, into a sim_can_frame_t. */
static int finish_frame(scn_ctx_t *c, const spec_t *f, sim_can_frame_t *out) {
    if (!f->ext && f->id > SIM_CAN_STD_ID_MASK) {
        return scn_fail_value(c, f->id_item,
                              "0x%llX is not a standard 11-bit identifier (at most 0x7FF; add "
                              "\"ext\": true for 29 bits)",
                              (unsigned long long)f->id);
    }
    if (f->rtr && f->n_data > 0) {
        return scn_fail_value(c, f->data_item,
                              "a remote frame (\"rtr\": true) carries no data; use \"dlc\" for "
                              "the requested length");
    }
    size_t dlc = f->n_data;
    if (f->dlc_item != NULL) {
        dlc = f->dlc;
        if (dlc < f->n_data) {
            return scn_fail_value(c, f->dlc_item, "dlc %zu is less than the %zu data bytes", dlc,
                                  f->n_data);
        }
    }
    memset(out, 0, sizeof *out);
    out->id = (uint32_t)f->id;
    out->dlc = (uint8_t)dlc;
    out->flags = (uint8_t)((f->ext ? SIM_CAN_FLAG_IDE : 0u) | (f->rtr ? SIM_CAN_FLAG_RTR : 0u));
    memcpy(out->data, f->data, f->n_data);
    return 0;
}

#define FRAME_KEYS(id_required)                                                                    \
    {"id", SCN_T_STRING | SCN_T_NUMBER, id_required, ID_EXPECT, on_id},                            \
        {"data", SCN_T_STRING, false, "hex bytes such as \"0102A0FF\"", on_data},                  \
        {"ext", SCN_T_BOOL, false, "true or false", on_ext},                                       \
        {"rtr", SCN_T_BOOL, false, "true or false", on_rtr}, {                                     \
        "dlc", SCN_T_NUMBER, false, "a data length code from 0 to 8", on_dlc                       \
    }

static const scn_key_t send_keys[] = {FRAME_KEYS(true)};

static const scn_key_t babble_keys[] = {
    {"node", SCN_T_STRING, true, "a node name such as \"pack1\"", on_node},
    FRAME_KEYS(false),
    {"for", SCN_T_STRING, false, "a duration such as \"100ms\"", on_for},
};

static const scn_key_t match_keys[] = {
    {"id", SCN_T_STRING | SCN_T_NUMBER, false, ID_EXPECT, on_id},
    {"mask", SCN_T_STRING | SCN_T_NUMBER, false, "a mask such as \"0x700\"", on_mask},
    {"probability", SCN_T_STRING | SCN_T_NUMBER, false,
     "a probability such as \"1/4\", \"0.25\" or 0.25", on_probability},
};

int scn_on_can_send(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    spec_t f = {.node = -1};
    int rc = scn_check_object(c, v, send_keys, sizeof send_keys / sizeof send_keys[0], &f);
    if (rc == 0) {
        rc = finish_frame(c, &f, &e->act[0].frame);
    }
    e->act[0].kind = SIM_ACT_CAN_SEND;
    e->act[0].node = -1;
    e->n_act = 1;
    return rc;
}

int scn_on_can_babble(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    spec_t f = {.node = -1};
    int rc = scn_check_object(c, v, babble_keys, sizeof babble_keys / sizeof babble_keys[0], &f);
    if (rc == 0) {
        rc = finish_frame(c, &f, &e->act[0].frame);
    }
    e->act[0].kind = SIM_ACT_CAN_BABBLE;
    e->act[0].node = f.node;
    e->act[0].on = true;
    e->n_act = 1;
    if (f.for_ns > 0) {
        e->act[1] = e->act[0];
        e->act[1].on = false;
        e->act[1].at_ns = sim_time_add(e->at_ns, f.for_ns);
        e->n_act = 2;
    }
    return rc;
}

int scn_on_can_match(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    spec_t f = {.node = -1, .num = 1, .den = 1};
    int rc = scn_check_object(c, v, match_keys, sizeof match_keys / sizeof match_keys[0], &f);
    /* An identifier alone means exactly that identifier; nothing at all matches every frame. */
    e->act[0].match_id = (uint32_t)f.id;
    e->act[0].match_mask = (uint32_t)(f.mask_item != NULL ? f.mask
                                      : f.id_item != NULL ? SIM_CAN_EXT_ID_MASK
                                                          : 0u);
    e->act[0].num = f.num;
    e->act[0].den = f.den;
    e->act[0].node = -1;
    e->n_act = 1;
    return rc;
}
