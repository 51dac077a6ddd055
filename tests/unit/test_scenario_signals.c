/*
 * test_scenario_signals.c: the CAN signal table (sim_signals.h) against the protocol's own
 * descriptions and against frames built by hand.
 *
 * docs/can-signals.json is compared row for row (every message and signal, every field), and
 * every SG_ line of docs/alfaspark.dbc must be one of the table's signals with the same layout,
 * so the decoder cannot drift from the documented protocol. The decoder is then checked on
 * frames whose bytes were written from the spec: Motorola and Intel layouts, sign extension,
 * scale and offset, multiplexing and frames too short to carry a signal.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scn_check.h"
#include "sim_signals.h"
#include "test_support.h"

static char *read_doc(const char *rel) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", SIM_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_FATAL(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    CU_ASSERT_FATAL(n > 0 && fseek(f, 0, SEEK_SET) == 0);
    char *buf = malloc((size_t)n + 1);
    CU_ASSERT_FATAL(buf != NULL);
    CU_ASSERT_FATAL(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int64_t micro_of(double x) {
    return (int64_t)llround(x * (double)SIM_VALUE_MICRO);
}

/* One JSON signal against table row s (of message index m). */
static void check_json_signal(const cJSON *js, const sim_signal_def_t *s, size_t m) {
    const char *order = cJSON_GetObjectItem(js, "byte_order")->valuestring;
    ASSERT_EQ_STR(s->name, cJSON_GetObjectItem(js, "name")->valuestring);
    ASSERT_EQ_U64(s->msg, m);
    CU_ASSERT_EQUAL(s->multiplexer, cJSON_IsTrue(cJSON_GetObjectItem(js, "multiplexer")));
    ASSERT_EQ_I64(s->mux, cJSON_GetObjectItem(js, "mux")->valueint);
    ASSERT_EQ_I64(s->start_bit, cJSON_GetObjectItem(js, "start_bit")->valueint);
    ASSERT_EQ_I64(s->length, cJSON_GetObjectItem(js, "length")->valueint);
    CU_ASSERT_EQUAL(s->big_endian, strcmp(order, "big_endian") == 0);
    CU_ASSERT_EQUAL(s->is_signed, cJSON_IsTrue(cJSON_GetObjectItem(js, "signed")));
    ASSERT_EQ_I64(s->factor_micro, micro_of(cJSON_GetObjectItem(js, "scale")->valuedouble));
    ASSERT_EQ_I64(s->offset_micro, micro_of(cJSON_GetObjectItem(js, "offset")->valuedouble));
    ASSERT_EQ_STR(s->unit, cJSON_GetObjectItem(js, "unit")->valuestring);
}

static void test_table_matches_json(void) {
    char *text = read_doc("docs/can-signals.json");
    cJSON *root = cJSON_Parse(text);
    CU_ASSERT_FATAL(root != NULL);
    size_t nm = 0, ns = 0, row = 0;
    const sim_msg_def_t *msgs = sim_msg_defs(&nm);
    const sim_signal_def_t *sigs = sim_signal_defs(&ns);
    const cJSON *jm = cJSON_GetObjectItem(root, "messages");
    ASSERT_EQ_I64(cJSON_GetArraySize(jm), nm);
    size_t m = 0;
    for (const cJSON *msg = jm->child; msg != NULL && m < nm; msg = msg->next, m++) {
        const cJSON *last = cJSON_GetObjectItem(msg, "id_last");
        int first = cJSON_GetObjectItem(msg, "id")->valueint;
        ASSERT_EQ_STR(msgs[m].name, cJSON_GetObjectItem(msg, "name")->valuestring);
        ASSERT_EQ_U64(msgs[m].base_id, first);
        ASSERT_EQ_U64(msgs[m].id_count, (last ? last->valueint : first) - first + 1);
        CU_ASSERT_EQUAL(msgs[m].per_node, cJSON_IsTrue(cJSON_GetObjectItem(msg, "per_node")));
        ASSERT_EQ_U64(msgs[m].dlc, cJSON_GetObjectItem(msg, "dlc")->valueint);
        const cJSON *js = cJSON_GetObjectItem(msg, "signals")->child;
        for (; js != NULL && row < ns; js = js->next, row++) {
            check_json_signal(js, &sigs[row], m);
        }
        CU_ASSERT_PTR_NULL(js); /* the table has no fewer signals than the document */
    }
    ASSERT_EQ_U64(row, ns); /* nor more */
    cJSON_Delete(root);
    free(text);
}

/* The table's message carrying identifier id, or NULL. */
static const sim_msg_def_t *msg_of_id(unsigned id, size_t *index) {
    size_t nm = 0;
    const sim_msg_def_t *msgs = sim_msg_defs(&nm);
    for (size_t m = 0; m < nm; m++) {
        if (id >= msgs[m].base_id && id - msgs[m].base_id < msgs[m].id_count) {
            *index = m;
            return &msgs[m];
        }
    }
    return NULL;
}

/* One " SG_ name [M|mN] : start|len@order± (scale,offset) ..." line of message index m. */
static void check_dbc_signal(const char *line, size_t m, unsigned *count) {
    char name[64], mux[16] = "", rest[256];
    unsigned start = 0, len = 0;
    char order = 0, sign = 0;
    double scale = 0, offset = 0;
    int got = sscanf(line, " SG_ %63s %255[^\n]", name, rest);
    CU_ASSERT_FATAL(got == 2);
    const char *p = rest;
    if (rest[0] != ':') {
        CU_ASSERT_FATAL(sscanf(rest, "%15s", mux) == 1);
        p = strchr(rest, ':');
    }
    CU_ASSERT_FATAL(p != NULL && sscanf(p, ": %u|%u@%c%c (%lf,%lf)", &start, &len, &order, &sign,
                                        &scale, &offset) == 6);
    size_t ns = 0;
    const sim_signal_def_t *sigs = sim_signal_defs(&ns);
    const sim_signal_def_t *s = NULL;
    for (size_t i = 0; i < ns && s == NULL; i++) {
        s = sigs[i].msg == m && strcmp(sigs[i].name, name) == 0 ? &sigs[i] : NULL;
    }
    if (s == NULL) {
        fprintf(stderr, "\n  DBC signal %s of %s is not in the table\n", name,
                sim_msg_defs(&ns)[m].name);
        CU_FAIL("a DBC signal missing from the table");
        return;
    }
    ASSERT_EQ_I64(s->start_bit, start);
    ASSERT_EQ_I64(s->length, len);
    CU_ASSERT_EQUAL(s->big_endian, order == '0');
    CU_ASSERT_EQUAL(s->is_signed, sign == '-');
    ASSERT_EQ_I64(s->factor_micro, micro_of(scale));
    ASSERT_EQ_I64(s->offset_micro, micro_of(offset));
    CU_ASSERT_EQUAL(s->multiplexer, strcmp(mux, "M") == 0);
    ASSERT_EQ_I64(s->mux, mux[0] == 'm' ? atoi(mux + 1) : -1);
    (*count)++;
}

static void test_table_matches_dbc(void) {
    char *text = read_doc("docs/alfaspark.dbc");
    size_t m = 0, nm = 0;
    unsigned messages = 0, signals = 0, ids = 0;
    const sim_msg_def_t *cur = NULL;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        unsigned id = 0;
        if (sscanf(line, "BO_ %u", &id) == 1) {
            cur = msg_of_id(id, &m);
            CU_ASSERT_FATAL(cur != NULL);
            messages++;
        } else if (strncmp(line, " SG_ ", 5) == 0) {
            CU_ASSERT_FATAL(cur != NULL);
            check_dbc_signal(line, m, &signals);
        }
    }
    const sim_msg_def_t *msgs = sim_msg_defs(&nm);
    for (size_t i = 0; i < nm; i++) {
        ids += msgs[i].id_count;
    }
    ASSERT_EQ_U64(messages, ids); /* one BO_ per identifier: per-node messages 127 times */
    CU_ASSERT_TRUE(signals > messages);
    free(text);
}

static int sig(const char *name) {
    int i = sim_signal_find(name);
    if (i < 0) {
        fprintf(stderr, "\n  no signal %s\n", name);
    }
    CU_ASSERT_FATAL(i >= 0);
    return i;
}

static int64_t decode(const char *name, const sim_can_frame_t *f) {
    size_t n = 0;
    const sim_signal_def_t *s = &sim_signal_defs(&n)[sig(name)];
    CU_ASSERT_TRUE(sim_signal_in_frame(s, f));
    return sim_signal_decode_micro(s, f);
}

static void test_decode(void) {
    /* TEL page 0 of node 17: SOC 42, 52.0 V, -1.50 A, status master|charging, alarms 0x81 */
    sim_can_frame_t tel = {
        .id = 0x111, .dlc = 8, .data = {0, 42, 0x02, 0x08, 0xFF, 0x6A, 0x09, 0x81}};
    ASSERT_EQ_I64(decode("TEL.SOC", &tel), 42 * SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("TEL.V_pack", &tel), 52 * SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("TEL.I_batt", &tel), -1500000);
    ASSERT_EQ_I64(decode("TEL.St_Master", &tel), SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("TEL.St_Charging", &tel), SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("TEL.St_BmsAlarm", &tel), 0);
    ASSERT_EQ_I64(decode("TEL.BmsAlarmBits", &tel), 0x81 * SIM_VALUE_MICRO);
    size_t n = 0;
    const sim_signal_def_t *sigs = sim_signal_defs(&n);
    CU_ASSERT_FALSE(sim_signal_in_frame(&sigs[sig("TEL.P_grid")], &tel)); /* page 1 only */
    int node = -1;
    CU_ASSERT_TRUE(sim_msg_matches(&sim_msg_defs(&n)[sigs[sig("TEL.SOC")].msg], &tel, &node));
    ASSERT_EQ_I64(node, 17);
    /* aggregate page 1: sums in units of 10 W, signed */
    sim_can_frame_t agg = {.id = 0x181, .dlc = 6, .data = {0xFF, 0xFE, 0x01, 0x00, 0x80, 0x00}};
    ASSERT_EQ_I64(decode("AGG_P1.SumP_grid", &agg), -20 * SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("AGG_P1.SumP_home", &agg), 2560 * SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("AGG_P1.SumP_batt", &agg), -327680 * SIM_VALUE_MICRO);
    /* ANN: the 32-bit MAC tail, big-endian */
    sim_can_frame_t ann = {.id = 0x37E, .dlc = 8, .data = {2, 2, 5, 1, 0x28, 0x12, 0x34, 0x56}};
    ASSERT_EQ_I64(decode("ANN.MacTail", &ann), (int64_t)0x28123456 * SIM_VALUE_MICRO);
    ASSERT_EQ_I64(decode("ANN.DeviceType", &ann), 2 * SIM_VALUE_MICRO);
    /* TIME: the year carries an offset; an old 2-byte frame carries neither minute nor year */
    sim_can_frame_t time = {.id = 0x7FF, .dlc = 5, .data = {23, 21, 58, 6, 24}};
    ASSERT_EQ_I64(decode("TIME.Year", &time), 2024 * SIM_VALUE_MICRO);
    time.dlc = 2;
    CU_ASSERT_FALSE(sim_signal_in_frame(&sigs[sig("TIME.Minute")], &time));
    CU_ASSERT_TRUE(sim_signal_in_frame(&sigs[sig("TIME.Day")], &time));
    /* an extended or remote frame is never a protocol message */
    tel.flags = SIM_CAN_FLAG_IDE;
    CU_ASSERT_FALSE(sim_msg_matches(&sim_msg_defs(&n)[0], &tel, &node));
}

static void test_names(void) {
    char buf[64];
    CU_ASSERT_EQUAL(sim_signal_find("TEL"), -1);
    CU_ASSERT_EQUAL(sim_signal_find("TEL.soc"), -1); /* names are case-sensitive, as in the DBC */
    CU_ASSERT_EQUAL(sim_signal_find("TELX.SOC"), -1);
    CU_ASSERT_EQUAL(sim_signal_find(".SOC"), -1);
    sim_signal_qualified_name(sig("EVT.NewNodeID"), buf, sizeof buf);
    ASSERT_EQ_STR(buf, "EVT.NewNodeID");
}

void test_register(void) {
    TEST_SUITE("scenario_signals", TEST(test_table_matches_json), TEST(test_table_matches_dbc),
               TEST(test_decode), TEST(test_names));
}
