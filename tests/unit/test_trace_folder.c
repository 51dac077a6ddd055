/*
 * The run folder's life (written under "<dir>.partial", renamed on commit, removed on abort, an
 * older run replaced, a foreign folder never replaced, clean failures on a bad parent) and the
 * digest (stable across identical runs, sensitive to one byte, built as documented).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_sha256.h"
#include "sim_trace.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_folder"

/* Every path a test builds fits PATH_LEN; the command that clears a fresh path names it three
 * times, so it gets room for three paths plus the words around them. */
enum { PATH_LEN = 512, CMD_LEN = 3 * PATH_LEN + 64 };

/* snprintf that stops the test when the result does not fit: a truncated path would make the
 * test create, check or remove some other file than the one it means. */
__attribute__((format(printf, 3, 4))) static void path_fmt(char *out, size_t len, const char *fmt,
                                                           ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len) {
        fprintf(stderr, "\n  path does not fit in %zu bytes: \"%s...\"\n", len, out);
    }
    CU_ASSERT_FATAL(n >= 0 && (size_t)n < len);
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static bool existsf(const char *dir, const char *file) {
    char p[PATH_LEN];
    path_fmt(p, sizeof p, "%s/%s", dir, file);
    return exists(p);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* A fresh path under the suite's temp root (whatever an earlier run left there is removed). */
static void fresh(char *out, size_t len, const char *name) {
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    path_fmt(out, len, TMP_ROOT "/%s", name);
    char cmd[CMD_LEN];
    path_fmt(cmd, sizeof cmd, "rm -rf '%s' '%s.partial' '%s.old'", out, out, out);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* A small but complete run: frames, an event and a signal. `variant` changes one data byte. */
static sim_trace_t *sample_run(const char *dir, uint8_t variant) {
    sim_trace_t *t = NULL;
    char err[256] = "";
    int rc = sim_trace_open(dir, NULL, &t, err, sizeof err);
    ASSERT_EQ_I64(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
        return NULL;
    }
    sim_can_frame_t f = {.id = 0x351, .dlc = 2, .data = {0x30, variant}};
    sim_trace_can_frame(t, 1000, "can0", &f);
    sim_trace_ev_t *e = sim_trace_ev_begin(t, 2000, "relay", "pack1");
    sim_trace_ev_bool(e, "closed", true);
    sim_trace_ev_end(e);
    sim_vcd_sig_t s;
    ASSERT_EQ_I64(sim_trace_vcd_declare(t, "pack1", "relay", 1, 0, &s), 0);
    sim_trace_vcd_set(t, s, 2000, 1);
    return t;
}

static void test_commit_renames(void) {
    char dir[PATH_LEN], partial[PATH_LEN];
    fresh(dir, sizeof dir, "commit");
    path_fmt(partial, sizeof partial, "%s.partial", dir);
    sim_trace_t *t = sample_run(dir, 1);
    CU_ASSERT_TRUE(exists(partial));
    CU_ASSERT_FALSE(exists(dir));
    ASSERT_EQ_STR(sim_trace_dir(t), partial);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    CU_ASSERT_FALSE(exists(partial));
    CU_ASSERT_TRUE(existsf(dir, "bus.log") && existsf(dir, "events.jsonl") &&
                   existsf(dir, "signals.vcd"));
    CU_ASSERT_FALSE(existsf(dir, "bus.pcap")); /* not asked for */
    ASSERT_EQ_STR(sim_trace_dir(t), dir);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0); /* a second close repeats the result */
    sim_trace_free(t);
}

static void test_abort_removes_everything(void) {
    char dir[PATH_LEN], partial[PATH_LEN], sub[PATH_LEN];
    fresh(dir, sizeof dir, "abort");
    path_fmt(partial, sizeof partial, "%s.partial", dir);
    sim_trace_t *t = sample_run(dir, 1);
    /* Other writers add files and folders to the run folder; abort removes them too. */
    path_fmt(sub, sizeof sub, "%s/nodes", partial);
    CU_ASSERT_EQUAL(mkdir(sub, 0777), 0);
    path_fmt(sub, sizeof sub, "%s/nodes/pack1.nvs", partial);
    write_file(sub, "nvs");
    ASSERT_EQ_I64(sim_trace_close(t, false), 0);
    CU_ASSERT_FALSE(exists(partial));
    CU_ASSERT_FALSE(exists(dir));
    sim_trace_free(t);
    /* Freeing a trace that was never closed aborts it as well. */
    t = sample_run(dir, 1);
    sim_trace_free(t);
    CU_ASSERT_FALSE(exists(partial));
    CU_ASSERT_FALSE(exists(dir));
}

static void test_old_run_replaced(void) {
    char dir[PATH_LEN], old[PATH_LEN];
    fresh(dir, sizeof dir, "replace");
    path_fmt(old, sizeof old, "%s.old", dir);
    sim_trace_t *t = sample_run(dir, 1);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    char extra[PATH_LEN];
    path_fmt(extra, sizeof extra, "%s/report.json", dir);
    write_file(extra, "{}");
    t = sample_run(dir, 2);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    CU_ASSERT_FALSE(exists(old));
    CU_ASSERT_FALSE(exists(extra)); /* the old folder went as a whole */
    char log[PATH_LEN];
    path_fmt(log, sizeof log, "%s/bus.log", dir);
    FILE *f = fopen(log, "r");
    char line[128] = "";
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    fclose(f);
    ASSERT_EQ_STR(line, "(0000000000.000001) can0 351#3002\n");
}

/* A folder that is not a run folder is never replaced (think `--out ~`). */
static void test_foreign_folder_kept(void) {
    char dir[PATH_LEN], keep[PATH_LEN], partial[PATH_LEN];
    fresh(dir, sizeof dir, "precious");
    path_fmt(keep, sizeof keep, "%s/keep.txt", dir);
    path_fmt(partial, sizeof partial, "%s.partial", dir);
    CU_ASSERT_EQUAL(mkdir(dir, 0777), 0);
    write_file(keep, "mine");
    sim_trace_t *t = NULL;
    char err[512] = "";
    ASSERT_EQ_I64(sim_trace_open(dir, NULL, &t, err, sizeof err), -SIM_EIO);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a run folder"));
    CU_ASSERT_TRUE(exists(keep));
    CU_ASSERT_FALSE(exists(partial));
}

static void test_stale_partial_cleared(void) {
    char dir[PATH_LEN], junk[PATH_LEN];
    fresh(dir, sizeof dir, "stale");
    path_fmt(junk, sizeof junk, "%s.partial", dir);
    CU_ASSERT_EQUAL(mkdir(junk, 0777), 0);
    path_fmt(junk, sizeof junk, "%s.partial/junk.txt", dir);
    write_file(junk, "left by a crash");
    sim_trace_t *t = sample_run(dir, 1);
    CU_ASSERT_FALSE(exists(junk));
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    CU_ASSERT_FALSE(existsf(dir, "junk.txt"));
}

static void expect_open_fails(const char *dir, const char *needle) {
    sim_trace_t *t = NULL;
    char err[512] = "";
    ASSERT_EQ_I64(sim_trace_open(dir, NULL, &t, err, sizeof err), -SIM_EIO);
    CU_ASSERT_PTR_NULL(t);
    if (strstr(err, needle) == NULL) {
        fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", err, needle);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void test_bad_parent_fails_cleanly(void) {
    char base[PATH_LEN], dir[PATH_LEN];
    fresh(base, sizeof base, "parent");
    CU_ASSERT_EQUAL(mkdir(base, 0777), 0);
    path_fmt(dir, sizeof dir, "%s/missing/run", base);
    expect_open_fails(dir, "parent folder");
    char file[PATH_LEN];
    path_fmt(file, sizeof file, "%s/file", base);
    write_file(file, "x");
    path_fmt(dir, sizeof dir, "%s/run", file);
    expect_open_fails(dir, "is not a folder");
    char ro[PATH_LEN];
    path_fmt(ro, sizeof ro, "%s/readonly", base);
    CU_ASSERT_EQUAL(mkdir(ro, 0555), 0);
    path_fmt(dir, sizeof dir, "%s/run", ro);
    if (geteuid() != 0) {
        expect_open_fails(dir, "not writable");
    } else {
        fprintf(stderr, "\n  (root ignores permissions: read-only parent checked via /proc)\n");
        expect_open_fails("/proc/alfasim-run", "cannot create run folder");
    }
    chmod(ro, 0755);
    CU_ASSERT_FALSE(exists(dir));
}

static char *digest_of(const char *dir, uint8_t variant) {
    sim_trace_t *t = sample_run(dir, variant);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    char *d = malloc(SIM_SHA256_HEX_LEN);
    memcpy(d, sim_trace_digest(t), SIM_SHA256_HEX_LEN);
    sim_trace_free(t);
    return d;
}

static void file_hash(const char *dir, const char *name, uint8_t out[SIM_SHA256_LEN]) {
    char p[PATH_LEN];
    path_fmt(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    sim_sha256_t c;
    sim_sha256_init(&c);
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sim_sha256_update(&c, buf, n);
    }
    fclose(f);
    sim_sha256_final(&c, out);
}

static void test_digest(void) {
    char dir[PATH_LEN];
    fresh(dir, sizeof dir, "digest");
    char *a = digest_of(dir, 1);
    char *b = digest_of(dir, 1);
    char *c = digest_of(dir, 2);
    ASSERT_EQ_U64(strlen(a), 64);
    ASSERT_EQ_STR(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
    /* As documented: sha256(h(bus.log) || h(events.jsonl) || h(signals.vcd)) of the files. */
    uint8_t h[3][SIM_SHA256_LEN];
    file_hash(dir, "bus.log", h[0]);
    file_hash(dir, "events.jsonl", h[1]);
    file_hash(dir, "signals.vcd", h[2]);
    char expect[SIM_SHA256_HEX_LEN];
    sim_sha256_hex_of(h, sizeof h, expect);
    ASSERT_EQ_STR(c, expect);
    free(a);
    free(b);
    free(c);
}

/* "out/" names the same folder as "out": the partial sibling is "out.partial", not "out/.partial".
 */
static void test_trailing_slash(void) {
    char dir[PATH_LEN], slash[PATH_LEN], partial[PATH_LEN];
    fresh(dir, sizeof dir, "slash");
    path_fmt(slash, sizeof slash, "%s/", dir);
    path_fmt(partial, sizeof partial, "%s.partial", dir);
    sim_trace_t *t = NULL;
    ASSERT_EQ_I64(sim_trace_open(slash, NULL, &t, NULL, 0), 0);
    CU_ASSERT_TRUE(exists(partial));
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    CU_ASSERT_TRUE(existsf(dir, "events.jsonl"));
}

/* finish: digest ready while the folder is still partial, so report.json joins the commit. */
static void test_finish_then_commit(void) {
    char dir[PATH_LEN], partial[PATH_LEN], report[PATH_LEN];
    fresh(dir, sizeof dir, "finish");
    path_fmt(partial, sizeof partial, "%s.partial", dir);
    sim_trace_t *t = sample_run(dir, 1);
    ASSERT_EQ_I64(sim_trace_finish(t), 0);
    ASSERT_EQ_U64(strlen(sim_trace_digest(t)), 64);
    ASSERT_EQ_STR(sim_trace_dir(t), partial);
    CU_ASSERT_TRUE(exists(partial));
    CU_ASSERT_FALSE(exists(dir));
    sim_can_frame_t f = {.id = 0x7, .dlc = 0};
    sim_trace_can_frame(t, 5000, "can0", &f); /* after finish: written nowhere */
    path_fmt(report, sizeof report, "%s/report.json", sim_trace_dir(t));
    write_file(report, "{}\n");
    char digest[SIM_SHA256_HEX_LEN];
    memcpy(digest, sim_trace_digest(t), sizeof digest);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    ASSERT_EQ_STR(sim_trace_digest(t), digest);
    sim_trace_free(t);
    CU_ASSERT_TRUE(existsf(dir, "report.json"));
    char log[PATH_LEN];
    path_fmt(log, sizeof log, "%s/bus.log", dir);
    FILE *lf = fopen(log, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
    int lines = 0;
    for (int c; (c = fgetc(lf)) != EOF;) {
        lines += c == '\n';
    }
    fclose(lf);
    ASSERT_EQ_I64(lines, 1);
}

/* sim_trace_remove_folder removes a tree but never follows a link out of it. */
static void test_remove_folder_keeps_link_targets(void) {
    char dir[PATH_LEN], outside[PATH_LEN], p[PATH_LEN];
    fresh(dir, sizeof dir, "remove");
    fresh(outside, sizeof outside, "remove-outside");
    CU_ASSERT_EQUAL(mkdir(outside, 0777), 0);
    path_fmt(p, sizeof p, "%s/precious.txt", outside);
    write_file(p, "keep");
    CU_ASSERT_EQUAL(mkdir(dir, 0777), 0);
    path_fmt(p, sizeof p, "%s/sub", dir);
    CU_ASSERT_EQUAL(mkdir(p, 0777), 0);
    path_fmt(p, sizeof p, "%s/sub/file", dir);
    write_file(p, "x");
    path_fmt(p, sizeof p, "%s/link", dir);
    CU_ASSERT_EQUAL(symlink(outside, p), 0);
    ASSERT_EQ_I64(sim_trace_remove_folder(dir), 0);
    CU_ASSERT_FALSE(exists(dir));
    CU_ASSERT_TRUE(existsf(outside, "precious.txt"));
    ASSERT_EQ_I64(sim_trace_remove_folder(dir), 0); /* already gone: nothing to do */
}

void test_register(void) {
    TEST_SUITE("trace_folder", TEST(test_commit_renames), TEST(test_abort_removes_everything),
               TEST(test_old_run_replaced), TEST(test_foreign_folder_kept),
               TEST(test_stale_partial_cleared), TEST(test_bad_parent_fails_cleanly),
               TEST(test_digest), TEST(test_trailing_slash), TEST(test_finish_then_commit),
               TEST(test_remove_folder_keeps_link_targets));
}
