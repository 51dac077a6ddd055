/*
 * A run owns its "<dir>.partial" folder: a second run given the same folder while the first is
 * alive is refused with one clear message and deletes nothing; a partial folder whose owner died
 * (killed child, or no lock at all) is stale and is replaced as before. The folder's mode is what
 * mkdir would give it.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_trace.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_folder_lock"

enum { PATH_LEN = 512 };

static bool existsf(const char *dir, const char *file) {
    char p[PATH_LEN + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    struct stat st;
    return stat(p, &st) == 0;
}

/* A fresh run folder path under the suite's temp root; leftovers of earlier runs are removed. */
static void fresh(char *out, const char *name) {
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    snprintf(out, PATH_LEN, TMP_ROOT "/%s", name);
    char cmd[3 * PATH_LEN + 64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'.partial*", out, out);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
}

static sim_trace_t *open_ok(const char *dir) {
    sim_trace_t *t = NULL;
    char err[256] = "";
    int rc = sim_trace_open(dir, NULL, &t, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  open %s: %s\n", dir, err);
    }
    ASSERT_EQ_I64(rc, 0);
    return t;
}

static void expect_refused(const char *dir) {
    sim_trace_t *t = NULL;
    char err[PATH_LEN + 128] = "", want[PATH_LEN + 128];
    ASSERT_EQ_I64(sim_trace_open(dir, NULL, &t, err, sizeof err), -SIM_EBUSY);
    CU_ASSERT_PTR_NULL(t);
    snprintf(want, sizeof want, "%s: error: another alfasim run is writing this run folder", dir);
    ASSERT_EQ_STR(err, want);
}

static void test_second_run_in_process_is_refused(void) {
    char dir[PATH_LEN], partial[PATH_LEN + 16];
    fresh(dir, "same_process");
    snprintf(partial, sizeof partial, "%s.partial", dir);
    sim_trace_t *a = open_ok(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    expect_refused(dir);
    /* The refused run's clean-up left the first run's files alone; it still commits them all. */
    CU_ASSERT_TRUE(existsf(partial, "events.jsonl"));
    CU_ASSERT_TRUE(existsf(partial, "bus.log"));
    ASSERT_EQ_I64(sim_trace_close(a, true), 0);
    sim_trace_free(a);
    CU_ASSERT_TRUE(existsf(dir, "events.jsonl"));
    CU_ASSERT_TRUE(existsf(dir, "bus.log"));
    CU_ASSERT_TRUE(existsf(dir, "signals.vcd"));
    /* Committed, the folder is free again: the next run replaces it. */
    sim_trace_t *b = open_ok(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ASSERT_EQ_I64(sim_trace_close(b, true), 0);
    sim_trace_free(b);
}

/* Forks a child that opens the run folder, reports on `ready`, and waits to be killed. */
static pid_t child_holding(const char *dir) {
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        sim_trace_t *t = NULL;
        char c = sim_trace_open(dir, NULL, &t, NULL, 0) == 0 ? 'y' : 'n';
        if (write(p[1], &c, 1) != 1) {
            _exit(1);
        }
        for (;;) {
            pause();
        }
    }
    close(p[1]);
    char c = 0;
    CU_ASSERT_EQUAL(read(p[0], &c, 1), 1);
    close(p[0]);
    CU_ASSERT_EQUAL(c, 'y');
    return pid;
}

static void test_live_child_refuses_then_stale_after_kill(void) {
    char dir[PATH_LEN], partial[PATH_LEN + 16];
    fresh(dir, "child");
    snprintf(partial, sizeof partial, "%s.partial", dir);
    pid_t pid = child_holding(dir);
    expect_refused(dir);
    CU_ASSERT_TRUE(existsf(partial, "events.jsonl"));
    CU_ASSERT_TRUE(existsf(partial, "bus.log"));
    /* Killed, the child leaves a stale partial folder: its lock died with it. */
    kill(pid, SIGKILL);
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    sim_trace_t *t = open_ok(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    CU_ASSERT_TRUE(existsf(dir, "events.jsonl"));
}

static void test_unlocked_partial_is_replaced(void) {
    char dir[PATH_LEN], partial[PATH_LEN + 16], junk[PATH_LEN + 32];
    fresh(dir, "stale");
    snprintf(partial, sizeof partial, "%s.partial", dir);
    CU_ASSERT_FATAL(mkdir(partial, 0777) == 0);
    snprintf(junk, sizeof junk, "%s/junk.txt", partial);
    FILE *f = fopen(junk, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    sim_trace_t *t = open_ok(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_FALSE(existsf(partial, "junk.txt"));
    CU_ASSERT_TRUE(existsf(partial, "events.jsonl"));
    /* An aborted run removes its own partial folder, lock and all. */
    ASSERT_EQ_I64(sim_trace_close(t, false), 0);
    sim_trace_free(t);
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(partial, &st), 0);
    CU_ASSERT_NOT_EQUAL(stat(dir, &st), 0);
}

/* The folder gets the mode a plain mkdir would give it under the process's umask, not the 0700
 * of the unique temporary name it is made under. */
static void test_folder_mode_follows_umask(void) {
    static const mode_t masks[] = {022, 027, 077};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char dir[PATH_LEN];
        fresh(dir, "mode");
        mode_t old = umask(masks[i]);
        sim_trace_t *t = open_ok(dir);
        umask(old);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        ASSERT_EQ_I64(sim_trace_close(t, true), 0);
        sim_trace_free(t);
        struct stat st;
        CU_ASSERT_EQUAL_FATAL(stat(dir, &st), 0);
        ASSERT_EQ_I64(st.st_mode & 0777, 0777 & ~masks[i]);
    }
}

void test_register(void) {
    TEST_SUITE("trace_folder_lock", TEST(test_second_run_in_process_is_refused),
               TEST(test_live_child_refuses_then_stale_after_kill),
               TEST(test_unlocked_partial_is_replaced), TEST(test_folder_mode_follows_umask));
}
