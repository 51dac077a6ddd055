/*
 * signals.vcd: the header (no $date, 1 ns timescale, sorted scopes), identifier codes in sorted
 * (scope, name) order including multi-character codes, suppressed unchanged values, one "#t" per
 * instant, declaration errors, and the assertion that time never goes backwards.
 */
#define _POSIX_C_SOURCE 200809L

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_trace.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_vcd"

static sim_trace_t *open_run(const char *name, char *dir, size_t dirlen) {
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    snprintf(dir, dirlen, TMP_ROOT "/%s", name);
    sim_trace_t *t = NULL;
    ASSERT_EQ_I64(sim_trace_open(dir, NULL, &t, NULL, 0), 0);
    return t;
}

static char *close_and_read(sim_trace_t *t, const char *dir) {
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    char path[512];
    snprintf(path, sizeof path, "%s/signals.vcd", dir);
    return test_slurp(path);
}

static void test_header_order_and_changes(void) {
    char dir[256];
    sim_trace_t *t = open_run("basic", dir, sizeof dir);
    sim_vcd_sig_t soc, relay, load, alarm, mode;
    /* Declared out of order on purpose: codes follow (scope, name), not declaration order. */
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack2", "soc_pct", 0, 0, &soc), 0);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "grid_relay", 1, 0, &relay), 0);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "bus", "load", 16, 5, &load), 0);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "alarm", 1, 1, &alarm), 0);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "mode", 4, 0xFA, &mode), 0);
    sim_trace_vcd_set(t, relay, 100, 1);
    sim_trace_vcd_set(t, mode, 100, 3);
    sim_trace_vcd_set_real(t, soc, 100, 52.3);
    sim_trace_vcd_set(t, relay, 200, 1); /* unchanged: nothing, not even "#200" */
    sim_trace_vcd_set(t, alarm, 200, 1); /* equal to its initial value */
    sim_trace_vcd_set(t, load, 300, 0);
    sim_trace_vcd_set(t, mode, 300, 0x13); /* masked to 4 bits: 3, unchanged */
    sim_trace_vcd_set_real(t, soc, 300, 52.3);
    sim_trace_vcd_set_real(t, soc, 400, -1e-10);
    sim_trace_vcd_set(t, relay, 400, 0);
    char *text = close_and_read(t, dir);
    ASSERT_EQ_STR(text, "$version alfasim $end\n"
                        "$timescale 1ns $end\n"
                        "$scope module bus $end\n"
                        "$var wire 16 ! load $end\n"
                        "$upscope $end\n"
                        "$scope module pack1 $end\n"
                        "$var wire 1 \" alarm $end\n"
                        "$var wire 1 # grid_relay $end\n"
                        "$var wire 4 $ mode $end\n"
                        "$upscope $end\n"
                        "$scope module pack2 $end\n"
                        "$var real 64 % soc_pct $end\n"
                        "$upscope $end\n"
                        "$enddefinitions $end\n"
                        "#0\n"
                        "$dumpvars\n"
                        "b101 !\n"
                        "1\"\n"
                        "0#\n"
                        "b1010 $\n"
                        "r0 %\n"
                        "$end\n"
                        "#100\n"
                        "1#\n"
                        "b11 $\n"
                        "r52.3 %\n"
                        "#300\n"
                        "b0 !\n"
                        "#400\n"
                        "r-1e-10 %\n"
                        "0#\n");
    free(text);
}

static void test_declaration_errors(void) {
    char dir[256];
    sim_trace_t *t = open_run("errors", dir, sizeof dir);
    sim_vcd_sig_t a, b;
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "x", 1, 0, &a), 0);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "x", 8, 0, &b), -SIM_EEXIST);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack2", "x", 1, 0, &b), 0); /* other scope: fine */
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack 1", "y", 1, 0, &b), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "", 1, 0, &b), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "$end", 1, 0, &b), -SIM_EINVAL);
    sim_trace_vcd_set(t, a, 0, 1);
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "late", 1, 0, &b), -SIM_EBUSY);
    char *text = close_and_read(t, dir);
    /* A change at t=0 joins the #0 block: no second "#0". */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$end\n#0\n$dumpvars\n0!\n0\"\n$end\n1!\n"));
    CU_ASSERT_PTR_NULL(strstr(text, "late"));
    free(text);
}

/* 200 signals: codes run '!'..'~' (94 of them), then two characters, least significant first. */
static void test_multichar_ids(void) {
    char dir[256];
    sim_trace_t *t = open_run("many", dir, sizeof dir);
    for (int i = 199; i >= 0; i--) {
        char name[16];
        sim_vcd_sig_t s;
        snprintf(name, sizeof name, "s%03d", i);
        ASSERT_EQ_I64(sim_trace_vcd_declare(t, "node", name, 1, 0, &s), 0);
    }
    char *text = close_and_read(t, dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$var wire 1 ! s000 $end\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$var wire 1 ~ s093 $end\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$var wire 1 !\" s094 $end\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$var wire 1 \"\" s095 $end\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$var wire 1 ,# s199 $end\n"));
    /* Every code is distinct: collect them from the $var lines. */
    char ids[200][4];
    int n = 0, dup = 0;
    for (const char *p = strstr(text, "$var wire 1 "); p != NULL && n < 200;
         p = strstr(p + 1, "$var wire 1 ")) {
        sscanf(p, "$var wire 1 %3s", ids[n]);
        for (int j = 0; j < n; j++) {
            dup += strcmp(ids[j], ids[n]) == 0;
        }
        n++;
    }
    ASSERT_EQ_I64(n, 200);
    ASSERT_EQ_I64(dup, 0);
    free(text);
}

static void test_empty_trace_has_header(void) {
    char dir[256];
    sim_trace_t *t = open_run("empty", dir, sizeof dir);
    char *text = close_and_read(t, dir);
    ASSERT_EQ_STR(text, "$version alfasim $end\n$timescale 1ns $end\n$enddefinitions $end\n"
                        "#0\n$dumpvars\n$end\n");
    free(text);
}

/* Going back in time is a programmer error: the writer aborts instead of writing a bad VCD. */
static void test_time_backwards_aborts(void) {
    char dir[256];
    sim_trace_t *t = open_run("backwards", dir, sizeof dir);
    sim_vcd_sig_t s;
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "n", "x", 1, 0, &s), 0);
    sim_trace_vcd_set(t, s, 100, 1);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *quiet = freopen("/dev/null", "w", stderr); /* the expected assertion message */
        (void)quiet;
        sim_trace_vcd_set(t, s, 99, 0);
        _exit(0);
    }
    int status = 0;
    CU_ASSERT_TRUE(pid > 0 && waitpid(pid, &status, 0) == pid);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    sim_trace_vcd_set(t, s, 100, 0); /* the same instant is fine */
    char *text = close_and_read(t, dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "#100\n1!\n0!\n"));
    free(text);
}

/* Reals print with '.', whatever LC_NUMERIC says (checked when a comma locale is installed). */
static void test_reals_ignore_locale(void) {
    const char *comma[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    const char *set = NULL;
    for (size_t i = 0; i < sizeof comma / sizeof comma[0] && set == NULL; i++) {
        set = setlocale(LC_NUMERIC, comma[i]);
    }
    char dir[256];
    sim_trace_t *t = open_run("locale", dir, sizeof dir);
    sim_vcd_sig_t s;
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "n", "v", 0, 0, &s), 0);
    sim_trace_vcd_set_real(t, s, 1, 3.25);
    sim_trace_vcd_set_real(t, s, 2, 123456789.5);
    char *text = close_and_read(t, dir);
    setlocale(LC_NUMERIC, "C");
    if (set == NULL) {
        fprintf(stderr, "\n  (no comma locale installed: checked in the C locale only)\n");
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "#1\nr3.25 !\n#2\nr123456790 !\n"));
    free(text);
}

void test_register(void) {
    TEST_SUITE("trace_vcd", TEST(test_header_order_and_changes), TEST(test_declaration_errors),
               TEST(test_multichar_ids), TEST(test_empty_trace_has_header),
               TEST(test_time_backwards_aborts), TEST(test_reals_ignore_locale));
}
