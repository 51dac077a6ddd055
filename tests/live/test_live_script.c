/*
 * test_live_script.c: the --panel-script reader (core/cli/cli_panel_script.c): every verb, and
 * a message with the file and line for each kind of mistake.
 */
#include <stdio.h>
#include <string.h>

#include "cli_panel_script.h"
#include "test_support.h"

static void test_every_verb(void) {
    const char *text = "# a session\n"
                       "\n"
                       "0s key F3\n"
                       "1500ms key Left+shift+ctrl\r\n"
                       "2s text G\n"
                       "2s text  spaces kept \n"
                       "3s click 210 188 right\n"
                       "3s click 5 6\n"
                       "4.5s command eco-limit 1500\n"
                       "5m resize 800 480\n"
                       "5m key return\n";
    cli_script_t s;
    char err[256] = "";
    int rc = cli_script_parse("t.script", text, &s, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    ASSERT_EQ_I64(rc, 0);
    ASSERT_EQ_U64(s.n, 9);
    if (s.n != 9) {
        cli_script_free(&s);
        return;
    }
    const cli_script_entry_t *e = s.entries;
    ASSERT_EQ_I64(e[0].verb, CLI_SCRIPT_KEY);
    ASSERT_EQ_I64(e[0].key, 2); /* F3 */
    ASSERT_EQ_I64(e[0].line, 3);
    ASSERT_EQ_I64(e[1].t_ns, 1500000000LL);
    ASSERT_EQ_I64(e[1].key, 16); /* Left */
    CU_ASSERT_TRUE(e[1].shift && e[1].ctrl);
    ASSERT_EQ_I64(e[2].verb, CLI_SCRIPT_TEXT);
    ASSERT_EQ_STR(e[2].text, "G");
    ASSERT_EQ_STR(e[3].text, " spaces kept ");
    ASSERT_EQ_I64(e[4].verb, CLI_SCRIPT_CLICK);
    ASSERT_EQ_I64(e[4].x, 210);
    ASSERT_EQ_I64(e[4].y, 188);
    ASSERT_EQ_I64(e[4].button, 3);
    ASSERT_EQ_I64(e[5].button, 1);
    ASSERT_EQ_I64(e[6].verb, CLI_SCRIPT_COMMAND);
    ASSERT_EQ_STR(e[6].text, "eco-limit 1500");
    ASSERT_EQ_I64(e[6].t_ns, 4500000000LL);
    ASSERT_EQ_I64(e[7].verb, CLI_SCRIPT_RESIZE);
    ASSERT_EQ_I64(e[7].x, 800);
    ASSERT_EQ_I64(e[7].t_ns, 300000000000LL);
    ASSERT_EQ_I64(e[8].key, 12); /* Return, any case */
    ASSERT_EQ_I64(e[8].line, 11);
    cli_script_free(&s);
}

static void expect_error(const char *text, const char *where, const char *what) {
    cli_script_t s;
    char err[256] = "";
    int rc = cli_script_parse("t.script", text, &s, err, sizeof err);
    ASSERT_EQ_I64(rc, -SIM_EFORMAT);
    if (strstr(err, where) == NULL || strstr(err, what) == NULL) {
        fprintf(stderr, "\n  for %s: got \"%s\", wanted \"%s\" and \"%s\"\n", text, err, where,
                what);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err, where));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, what));
    ASSERT_EQ_U64(s.n, 0);
}

static void test_errors(void) {
    expect_error("1s key F3\n2s dance\n", "t.script:2:", "unknown verb 'dance'");
    expect_error("soon key F3\n", "t.script:1:", "'soon' is not a time");
    expect_error("5s key F3\n4s key F4\n", "t.script:2:", "back in time");
    expect_error("1s key Q\n", "t.script:1:", "unknown key 'Q'");
    expect_error("1s key F1+alt\n", "t.script:1:", "unknown modifier 'alt'");
    expect_error("1s click 10\n", "t.script:1:", "click X Y");
    expect_error("1s click 10 20 pinky\n", "t.script:1:", "unknown button 'pinky'");
    expect_error("1s resize 800 480 1\n", "t.script:1:", "resize W H");
    expect_error("1s resize 16384 16384\n", "t.script:1:", "larger than 7680x4320");
    expect_error("# x\n1s text\n", "t.script:2:", "'text' needs");
    expect_error("1s\n", "t.script:1:", "TIME VERB");
}

static void test_missing_file(void) {
    cli_script_t s;
    char err[256] = "";
    ASSERT_EQ_I64(cli_script_load("/nonexistent/x.script", &s, err, sizeof err), -SIM_ENOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.script"));
}

static void test_bundled_session_loads(void) {
    cli_script_t s;
    char err[256] = "";
    int rc = cli_script_load(SIM_SOURCE_DIR "/tests/live/eco_session.script", &s, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    ASSERT_EQ_I64(rc, 0);
    CU_ASSERT_TRUE(s.n > 5);
    cli_script_free(&s);
}

void test_register(void) {
    TEST_SUITE("live_script", TEST(test_every_verb), TEST(test_errors), TEST(test_missing_file),
               TEST(test_bundled_session_loads));
}
