/*
 * The bridge's pure parts: the socketcand text protocol (frame formatting exactly as the daemon
 * writes it, the byte-stream parser whatever the segmentation, "send" in python-can 4.1's
 * spelling), the pacer's time mapping, --realtime factors and --bridge specs.
 */
#include <string.h>

#include "sim_bridge.h"
#include "sim_bridge_scand.h"
#include "test_support.h"

/* ---- socketcand formatting --------------------------------------------------------------- */

static void test_format_frames_like_the_daemon(void) {
    char buf[SIM_SCAND_FRAME_MAX];
    sim_can_frame_t std = {
        .id = 0x351, .dlc = 8, .data = {0x30, 0x02, 0xE8, 0x03, 0xDC, 0x05, 0xE0, 0x01}};
    const char *want = " < frame 351 1.000250 3002E803DC05E001 >";
    ASSERT_EQ_U64(sim_scand_format_frame(buf, &std, 1000250000), strlen(want));
    ASSERT_EQ_STR(buf, want);
    sim_can_frame_t ext = {.id = 0x123, .flags = SIM_CAN_FLAG_IDE, .dlc = 2, .data = {1, 0xAB}};
    sim_scand_format_frame(buf, &ext, 1000480999);
    ASSERT_EQ_STR(buf, " < frame 00000123 1.000480 01AB >");
    sim_can_frame_t empty = {.id = 0x5, .dlc = 0};
    sim_scand_format_frame(buf, &empty, 2 * SIM_NS_PER_S);
    ASSERT_EQ_STR(buf, " < frame 005 2.000000  >"); /* two spaces: python-can needs them */
    sim_can_frame_t rtr = {.id = 0x7DF, .flags = SIM_CAN_FLAG_RTR, .dlc = 8};
    sim_scand_format_frame(buf, &rtr, 12345678901000);
    ASSERT_EQ_STR(buf, " < frame 7DF 12345.678901  >");
    sim_can_frame_t widest = {.id = 0x1FFFFFFF,
                              .flags = SIM_CAN_FLAG_IDE,
                              .dlc = 8,
                              .data = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}};
    size_t n = sim_scand_format_frame(buf, &widest, 400LL * 86400 * SIM_NS_PER_S);
    ASSERT_EQ_STR(buf, " < frame 1FFFFFFF 34560000.000000 FFFFFFFFFFFFFFFF >");
    CU_ASSERT_TRUE(n < SIM_SCAND_FRAME_MAX);
}

/* ---- socketcand parsing ------------------------------------------------------------------ */

typedef struct {
    int n_cmd, n_junk;
    char cmd[16][SIM_SCAND_CMD_MAX + 1];
    char junk[8][64];
} seen_t;

static void on_cmd(void *ctx, const char *body) {
    seen_t *s = ctx;
    if (s->n_cmd < 16) {
        strcpy(s->cmd[s->n_cmd], body);
    }
    s->n_cmd++;
}

static void on_junk(void *ctx, const char *what) {
    seen_t *s = ctx;
    if (s->n_junk < 8) {
        snprintf(s->junk[s->n_junk], sizeof s->junk[0], "%s", what);
    }
    s->n_junk++;
}

/* Feeds text in pieces of `chunk` bytes (0: all at once). */
static void feed(sim_scand_parser_t *p, seen_t *s, const char *text, size_t chunk) {
    sim_scand_handler_t h = {.command = on_cmd, .junk = on_junk, .ctx = s};
    size_t n = strlen(text);
    if (chunk == 0) {
        chunk = n;
    }
    for (size_t i = 0; i < n; i += chunk) {
        sim_scand_feed(p, text + i, n - i < chunk ? n - i : chunk, &h);
    }
}

static void test_parser_is_independent_of_segmentation(void) {
    const char *stream = "< send 18FF50E5 3 1 2 ab >< send 123 0  >\n< rawmode >  < open can0 >";
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        sim_scand_parser_t p;
        sim_scand_parser_init(&p);
        seen_t s = {0};
        feed(&p, &s, stream, chunk);
        ASSERT_EQ_I64(s.n_cmd, 4);
        ASSERT_EQ_I64(s.n_junk, 0);
        ASSERT_EQ_STR(s.cmd[0], " send 18FF50E5 3 1 2 ab ");
        ASSERT_EQ_STR(s.cmd[1], " send 123 0  ");
        ASSERT_EQ_STR(s.cmd[2], " rawmode ");
        ASSERT_EQ_STR(s.cmd[3], " open can0 ");
    }
}

static void test_parser_reports_junk_and_recovers(void) {
    sim_scand_parser_t p;
    sim_scand_parser_init(&p);
    seen_t s = {0};
    char longcmd[400];
    memset(longcmd, 'x', sizeof longcmd);
    memcpy(longcmd, "< send ", 7);
    strcpy(longcmd + 390, " >");
    feed(&p, &s, "garbage here < send 1 0  >", 5);
    feed(&p, &s, longcmd, 0);
    feed(&p, &s, "< send 2 0  < send 3 0  >", 3);
    ASSERT_EQ_I64(s.n_junk, 3);
    ASSERT_EQ_STR(s.junk[0], "bytes outside '< >'");
    ASSERT_EQ_STR(s.junk[1], "a command longer than the protocol allows");
    ASSERT_EQ_STR(s.junk[2], "a command without its closing '>'");
    ASSERT_EQ_I64(s.n_cmd, 2);
    ASSERT_EQ_STR(s.cmd[0], " send 1 0  ");
    ASSERT_EQ_STR(s.cmd[1], " send 3 0  ");
}

/* A NUL inside a command must not cut it short into another valid command, and no other byte
 * that is not text may pass either: each such command is reported whole, naming the byte. */
static void test_parser_refuses_commands_with_binary_bytes(void) {
    static const char stream[] = "< send 123 1 1\0 9 >< send 7 0 \x01 >< open \xff >"
                                 "< send 2 1 a\tb >< send 3 0  >";
    sim_scand_parser_t p;
    sim_scand_parser_init(&p);
    seen_t s = {0};
    sim_scand_handler_t h = {.command = on_cmd, .junk = on_junk, .ctx = &s};
    sim_scand_feed(&p, stream, sizeof stream - 1, &h);
    ASSERT_EQ_I64(s.n_junk, 3);
    ASSERT_EQ_STR(s.junk[0], "a command holding a byte that is not text (0x00)");
    ASSERT_EQ_STR(s.junk[1], "a command holding a byte that is not text (0x01)");
    ASSERT_EQ_STR(s.junk[2], "a command holding a byte that is not text (0xFF)");
    ASSERT_EQ_I64(s.n_cmd, 2); /* a tab is whitespace */
    ASSERT_EQ_STR(s.cmd[0], " send 2 1 a\tb ");
    ASSERT_EQ_STR(s.cmd[1], " send 3 0  ");
}

static sim_bridge_in_kind_t send_of(const char *args, sim_can_frame_t *f) {
    char detail[96];
    memset(f, 0xEE, sizeof *f);
    return sim_scand_parse_send(args, f, detail, sizeof detail);
}

static void test_send_in_python_can_spelling(void) {
    sim_can_frame_t f;
    ASSERT_EQ_I64(send_of(" 18FF50E5 3 1 2 ab ", &f), SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.id == 0x18FF50E5 && f.flags == SIM_CAN_FLAG_IDE && f.dlc == 3 &&
                   f.data[0] == 1 && f.data[1] == 2 && f.data[2] == 0xAB);
    ASSERT_EQ_I64(send_of(" 123 0  ", &f), SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.id == 0x123 && f.flags == 0 && f.dlc == 0);
    ASSERT_EQ_I64(send_of(" 100 8 0 1 2 3 4 5 6 ff ", &f), SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.id == 0x100 && f.dlc == 8 && f.data[7] == 0xFF);
    /* Longer than 3 digits, or above 0x7FF, is extended (python-can 4.1 does not pad). */
    ASSERT_EQ_I64(send_of(" 0123 1 5 ", &f), SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.id == 0x123 && f.flags == SIM_CAN_FLAG_IDE);
    ASSERT_EQ_I64(send_of(" 800 0 ", &f), SIM_BRIDGE_IN_FRAME);
    CU_ASSERT_TRUE(f.flags == SIM_CAN_FLAG_IDE);
}

static void test_send_refusals(void) {
    sim_can_frame_t f;
    ASSERT_EQ_I64(send_of(" 123 9 1 2 3 4 5 6 7 8 9 ", &f), SIM_BRIDGE_IN_BAD_DLC);
    ASSERT_EQ_I64(send_of(" 123 C 1 2 3 4 5 6 7 8 9 a b c ", &f), SIM_BRIDGE_IN_FD);
    ASSERT_EQ_I64(send_of(" 123 40 ", &f), SIM_BRIDGE_IN_FD);
    static const char *const malformed[] = {
        "",              /* nothing */
        " xyz 0 ",       /* id not hex */
        " 123456789 0 ", /* 9 digits */
        " 3FFFFFFF 0 ",  /* wider than 29 bits */
        " 123 ",         /* no LEN */
        " 123 2 1 ",     /* fewer bytes */
        " 123 1 1 2 ",   /* more bytes */
        " 123 1 100 ",   /* a byte of 3 digits */
        " 123 1 g ",     /* not hex */
        " 123 -1 ",      /* negative */
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        if (send_of(malformed[i], &f) != SIM_BRIDGE_IN_MALFORMED) {
            fprintf(stderr, "\n  accepted \"%s\"\n", malformed[i]);
            CU_FAIL("malformed send accepted");
        }
    }
}

/* Only the first refusal of a run is printed, so it names the word at fault. */
static void test_send_refusals_name_the_word(void) {
    static const struct {
        const char *args, *detail;
    } cases[] = {
        {" xyz 0 ", "send: the identifier is not 1 to 8 hex digits ('xyz')"},
        {" 3FFFFFFF 0 ", "send: the identifier is wider than 29 bits ('3FFFFFFF')"},
        {" 123 -1 ", "send: LEN is not a hex number ('-1')"},
        {" 123 ", "send: LEN is not a hex number (nothing there)"},
        {" 123 2 1 ", "send: fewer data bytes than LEN, or not hex (nothing there)"},
        {" 123 1 100 ", "send: fewer data bytes than LEN, or not hex ('100')"},
        {" 123 1 1 2 ", "send: more data bytes than LEN ('2')"},
        {" 123 0 0123456789abcdefXYZ ", "send: more data bytes than LEN ('0123456789abcde...')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_can_frame_t f;
        char detail[96];
        ASSERT_EQ_I64(sim_scand_parse_send(cases[i].args, &f, detail, sizeof detail),
                      SIM_BRIDGE_IN_MALFORMED);
        ASSERT_EQ_STR(detail, cases[i].detail);
    }
}

static void test_verb(void) {
    char w[8];
    const char *rest = sim_scand_verb("  send 1 0 ", w, sizeof w);
    ASSERT_EQ_STR(w, "send");
    ASSERT_EQ_STR(rest, " 1 0 ");
    sim_scand_verb(" averyveryverylongverb x", w, sizeof w);
    ASSERT_EQ_STR(w, "averyve");
}

/* ---- pacer ------------------------------------------------------------------------------- */

static void test_pacer_maps_virtual_to_host_time(void) {
    sim_pacer_t p;
    sim_pacer_init(&p, 1000);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 5000, 0), 0); /* anchors (0 ↔ 5000) */
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 5000, 1000000), 1000000);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 505000, 1000000), 500000);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 1005000, 1000000), 0);
    sim_pacer_init(&p, 2500); /* 2.5x: 1 s of virtual time in 0.4 s */
    sim_pacer_wait_ns(&p, 0, 0);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 0, SIM_NS_PER_S), 400000000);
    sim_pacer_init(&p, 1); /* 0.001x: no overflow over 400 days */
    sim_pacer_wait_ns(&p, 0, 0);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 0, 3), 3000);
    CU_ASSERT_TRUE(sim_pacer_wait_ns(&p, 0, 400LL * 86400 * SIM_NS_PER_S) > 0);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 0, INT64_MAX), INT64_MAX);
    sim_pacer_init(&p, 0);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 0, SIM_NS_PER_S), 0);
}

static void test_pacer_rebases_when_far_behind(void) {
    sim_pacer_t p;
    sim_pacer_init(&p, 1000);
    sim_pacer_wait_ns(&p, 0, 0);
    /* 100 ms late: catch up (no wait, same anchor). */
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 200 * SIM_NS_PER_MS, 100 * SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(p.rebases, 0);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 200 * SIM_NS_PER_MS, 300 * SIM_NS_PER_MS),
                  100 * SIM_NS_PER_MS);
    /* A second late: re-anchor there, then real time again from that point. */
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 1400 * SIM_NS_PER_MS, 400 * SIM_NS_PER_MS), 0);
    ASSERT_EQ_U64(p.rebases, 1);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 1400 * SIM_NS_PER_MS, 410 * SIM_NS_PER_MS),
                  10 * SIM_NS_PER_MS);
    /* After a pause the caller re-anchors explicitly. */
    sim_pacer_rebase(&p, 9000 * SIM_NS_PER_MS, 410 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(sim_pacer_wait_ns(&p, 9000 * SIM_NS_PER_MS, 420 * SIM_NS_PER_MS),
                  10 * SIM_NS_PER_MS);
}

static void test_parse_factor(void) {
    uint32_t m = 0;
    static const struct {
        const char *text;
        uint32_t milli;
    } ok[] = {{"1", 1000},   {"2.5", 2500}, {"0.25", 250},     {".5", 500},
              {"10", 10000}, {"0.001", 1},  {"1000", 1000000}, {"007", 7000}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CU_ASSERT_EQUAL(sim_pacer_parse_factor(ok[i].text, &m), 0);
        ASSERT_EQ_U64(m, ok[i].milli);
    }
    static const char *const bad[] = {"",    "0",  "0.0", "1.2345", "1001",   "-1",
                                      "1e3", "2x", "1.",  ".",      "0.0001", "99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (sim_pacer_parse_factor(bad[i], &m) != -SIM_EINVAL) {
            fprintf(stderr, "\n  accepted factor \"%s\"\n", bad[i]);
            CU_FAIL("bad factor accepted");
        }
    }
}

/* ---- --bridge specs ---------------------------------------------------------------------- */

static void test_parse_specs(void) {
    sim_bridge_spec_t s;
    char err[256];
    CU_ASSERT_EQUAL(sim_bridge_parse_spec("socketcan:vcan0", &s, err, sizeof err), 0);
    CU_ASSERT_TRUE(s.kind == SIM_BRIDGE_SOCKETCAN);
    ASSERT_EQ_STR(s.iface, "vcan0");
    ASSERT_EQ_STR(s.text, "socketcan:vcan0");
    CU_ASSERT_EQUAL(sim_bridge_parse_spec("socketcand:127.0.0.1:29536", &s, err, sizeof err), 0);
    CU_ASSERT_TRUE(s.kind == SIM_BRIDGE_SOCKETCAND && s.port == 29536);
    ASSERT_EQ_STR(s.host, "127.0.0.1");
    CU_ASSERT_EQUAL(sim_bridge_parse_spec("socketcand:localhost:0", &s, err, sizeof err), 0);
    CU_ASSERT_TRUE(s.port == 0);
    static const struct {
        const char *spec, *msg;
    } bad[] = {
        {"socketcan:", "not an interface name"},
        {"socketcan:averyverylongname0", "not an interface name"},
        {"socketcan:can/0", "not an interface name"},
        {"socketcand:127.0.0.1", "missing host or port"},
        {"socketcand::29536", "missing host or port"},
        {"socketcand:example.org:29536", "not an IPv4 address"},
        {"socketcand:127.0.0.1:65536", "not a port"},
        {"socketcand:127.0.0.1:", "not a port"},
        {"slcan:/dev/ttyACM0", "unknown kind"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ASSERT_EQ_I64(sim_bridge_parse_spec(bad[i].spec, &s, err, sizeof err), -SIM_EINVAL);
        if (strstr(err, bad[i].msg) == NULL) {
            fprintf(stderr, "\n  %s: \"%s\" lacks \"%s\"\n", bad[i].spec, err, bad[i].msg);
            CU_FAIL("unclear spec error");
        }
    }
}

void test_register(void) {
    TEST_SUITE("bridge_proto", TEST(test_format_frames_like_the_daemon),
               TEST(test_parser_is_independent_of_segmentation),
               TEST(test_parser_reports_junk_and_recovers),
               TEST(test_parser_refuses_commands_with_binary_bytes),
               TEST(test_send_in_python_can_spelling), TEST(test_send_refusals),
               TEST(test_send_refusals_name_the_word), TEST(test_verb),
               TEST(test_pacer_maps_virtual_to_host_time), TEST(test_pacer_rebases_when_far_behind),
               TEST(test_parse_factor), TEST(test_parse_specs));
}
