/*
 * test_scn_linecol.c: line:col lookups of a parsed document stay exact and cheap.
 *
 * The document's checkpoints must give, for every offset, what a scan from the first byte gives
 * (tabs, UTF-8, CRLF, offsets on and around checkpoint boundaries). And a load must read each
 * byte a bounded number of times: the test counts the bytes the line:col scans read (the
 * scanner's own counter, no clock) while loading a timeline of thousands of entries. A lookup
 * that rescanned the file from its start would read about entries * size / 2 bytes, hundreds of
 * times the bound asserted here.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scn_doc.h"
#include "scn_text.h"
#include "sim_scenario.h"
#include "test_support.h"

#define BIG_ENTRIES 5000u

/* A valid JSON text that mixes tabs, CRLF, LF and multi-byte UTF-8 over many checkpoints. */
static char *tricky_text(size_t *len) {
    static const char *const pieces[] = {"\t\"a\\\"\u00e9\"",
                                         " \r\n",
                                         "\"\u20ac\U0001F600\"",
                                         "\n\t\t",
                                         "12.5e3",
                                         " \t ",
                                         "true",
                                         "\n"};
    size_t cap = 64 * 1024, n = 0;
    char *t = malloc(cap);
    CU_ASSERT_FATAL(t != NULL);
    n += (size_t)snprintf(t, cap, "[");
    for (unsigned i = 0; n < cap - 256; i++) {
        const char *p = pieces[i % 8];
        int is_value = (i % 8) % 2 == 0;
        n += (size_t)snprintf(t + n, cap - n, "%s%s", is_value && i > 0 ? "," : "", p);
    }
    n += (size_t)snprintf(t + n, cap - n, "]");
    *len = n;
    return t;
}

static void test_checkpoints_match_full_scan(void) {
    size_t len;
    char *text = tricky_text(&len);
    scn_doc_t doc;
    scn_doc_error_t err;
    CU_ASSERT_FATAL(scn_doc_parse(&doc, text, len, &err) == 0);
    CU_ASSERT_TRUE(doc.n_marks > 100); /* the text spans many checkpoints */
    size_t mismatches = 0;
    for (size_t off = 0; off <= len + 3; off++) {
        unsigned l1, c1, l2, c2;
        scn_text_linecol(text, len, off, &l1, &c1);
        scn_doc_linecol(&doc, off, &l2, &c2);
        if (l1 != l2 || c1 != c2) {
            if (mismatches++ == 0) {
                fprintf(stderr, "\n  offset %zu: scan %u:%u, checkpoints %u:%u\n", off, l1, c1, l2,
                        c2);
            }
        }
    }
    ASSERT_EQ_U64(mismatches, 0);
    /* The last line really is far down and tabs did move the column: the text is not trivial. */
    unsigned line, col;
    scn_doc_linecol(&doc, len, &line, &col);
    CU_ASSERT_TRUE(line > 1000);
    scn_doc_free(&doc);
    free(text);
}

/* A scenario whose timeline has `n` entries, one per line from line 3; `bad` spoils the last. */
static char *big_timeline(unsigned n, int bad, size_t *len) {
    size_t cap = 256 + (size_t)n * 96, o = 0;
    char *t = malloc(cap);
    CU_ASSERT_FATAL(t != NULL);
    o += (size_t)snprintf(t, cap,
                          "{\"duration\": \"100s\", \"plugin\": \"testnode\",\n"
                          " \"nodes\": [{\"name\": \"a\"}], \"timeline\": [\n");
    for (unsigned i = 0; i < n; i++) {
        const char *id = bad && i + 1 == n ? "nope" : "0x123";
        o += (size_t)snprintf(t + o, cap - o,
                              "\t{\"at\": \"%uus\", \"can_send\": {\"id\": \"%s\", \"data\": "
                              "\"FF\"}}%s\n",
                              i, id, i + 1 < n ? "," : "");
    }
    o += (size_t)snprintf(t + o, cap - o, "]}\n");
    CU_ASSERT_FATAL(o < cap);
    *len = o;
    return t;
}

static char plugin_dir[512];
static const char *dirs[2];

static void plugin_dir_begin(void) {
    snprintf(plugin_dir, sizeof plugin_dir, "%s/scn_linecol_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(plugin_dir) != NULL);
    char so[600];
    snprintf(so, sizeof so, "%s/fw_testnode.so", plugin_dir);
    FILE *f = fopen(so, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    dirs[0] = plugin_dir;
    dirs[1] = NULL;
}

static void plugin_dir_end(void) {
    char so[600];
    snprintf(so, sizeof so, "%s/fw_testnode.so", plugin_dir);
    CU_ASSERT_EQUAL(remove(so), 0);
    CU_ASSERT_EQUAL(rmdir(plugin_dir), 0);
}

/* Each load reads the text once for checkpoints, then less than a stride per position. */
static size_t scan_bound(size_t len, unsigned entries) {
    return 2 * len + ((size_t)entries + 16) * SCN_LINECOL_STRIDE;
}

static void test_big_timeline_scans_linearly(void) {
    plugin_dir_begin();
    size_t len;
    char *text = big_timeline(BIG_ENTRIES, 0, &len);
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    size_t before = scn_text_linecol_scanned_bytes();
    int rc = sim_scenario_load_buffer("big.json", text, len, dirs, &s, &d);
    size_t scanned = scn_text_linecol_scanned_bytes() - before;
    ASSERT_EQ_I64(rc, 0);
    CU_ASSERT_FATAL(s != NULL);
    ASSERT_EQ_U64(s->n_actions, BIG_ENTRIES);
    for (size_t i = 0; i < s->n_actions; i++) {
        if (s->actions[i].line != i + 3) {
            ASSERT_EQ_U64(s->actions[i].line, i + 3);
            break;
        }
    }
    if (scanned > scan_bound(len, BIG_ENTRIES)) {
        fprintf(stderr, "\n  scanned %zu bytes for a %zu-byte file\n", scanned, len);
    }
    CU_ASSERT_TRUE(scanned <= scan_bound(len, BIG_ENTRIES));
    sim_scenario_free(s);
    free(text);
    plugin_dir_end();
}

static void test_error_at_the_end_of_a_big_timeline(void) {
    plugin_dir_begin();
    size_t len;
    char *text = big_timeline(BIG_ENTRIES, 1, &len);
    sim_scenario_t *s = NULL;
    sim_diag_t d;
    size_t before = scn_text_linecol_scanned_bytes();
    int rc = sim_scenario_load_buffer("big.json", text, len, dirs, &s, &d);
    size_t scanned = scn_text_linecol_scanned_bytes() - before;
    CU_ASSERT_TRUE(rc != 0);
    CU_ASSERT_TRUE(s == NULL);
    /* The id value of the last entry: after a tab (column 9) and `{"at": "4999us", ...`. */
    unsigned l, c;
    const char *id = strstr(text, "\"nope\"");
    CU_ASSERT_FATAL(id != NULL);
    scn_text_linecol(text, len, (size_t)(id - text), &l, &c);
    ASSERT_EQ_U64(d.line, BIG_ENTRIES + 2);
    ASSERT_EQ_U64(d.line, l);
    ASSERT_EQ_U64(d.col, c);
    CU_ASSERT_TRUE(strstr(d.message, "/timeline/4999/can_send/id") != NULL);
    CU_ASSERT_TRUE(scanned <= scan_bound(len, BIG_ENTRIES));
    free(text);
    plugin_dir_end();
}

/* Each case: bytes, and the offset of the first invalid one (SIZE_MAX: all valid). The bounds
 * of RFC 3629's table on both sides: the last and first code points of each length, the
 * overlong forms just below them, the surrogates, U+10FFFF and one past it, a lone continuation
 * byte, sequences cut short by the end and by an ASCII byte, and bytes never used (C0, C1,
 * F5..FF). */
static void test_utf8_validity(void) {
    static const struct {
        const char *bytes;
        size_t invalid_at;
    } cases[] = {
        {"plain ASCII", SIZE_MAX},
        {"\x7f", SIZE_MAX},
        {"caf\xc3\xa9", SIZE_MAX},
        {"\xc2\x80 \xdf\xbf", SIZE_MAX},
        {"\xe0\xa0\x80 \xef\xbf\xbf", SIZE_MAX},
        {"\xed\x9f\xbf \xee\x80\x80", SIZE_MAX},
        {"\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf", SIZE_MAX},
        {"ab\x80", 2},
        {"\xc0\xaf", 0},
        {"\xc1\xbf", 0},
        {"x\xe0\x9f\xbf", 1},
        {"\xed\xa0\x80", 0},
        {"\xed\xbf\xbf", 0},
        {"\xf0\x8f\xbf\xbf", 0},
        {"\xf4\x90\x80\x80", 0},
        {"\xf5\x80\x80\x80", 0},
        {"ok \xff", 3},
        {"\xe2\x82", 0},
        {"\xe2\x82z", 0},
        {"\xf0\x9f\x98", 0},
        {"\xc3", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *b = cases[i].bytes;
        size_t got = scn_text_utf8_invalid(b, strlen(b));
        if (got != cases[i].invalid_at) {
            fprintf(stderr, "case %zu: first invalid byte at %zu, expected %zu\n", i, got,
                    cases[i].invalid_at);
        }
        CU_ASSERT_EQUAL(got, cases[i].invalid_at);
    }
}

void test_register(void) {
    TEST_SUITE("scn_linecol", TEST(test_checkpoints_match_full_scan),
               TEST(test_big_timeline_scans_linearly),
               TEST(test_error_at_the_end_of_a_big_timeline), TEST(test_utf8_validity));
}
