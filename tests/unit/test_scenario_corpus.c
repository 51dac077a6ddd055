/*
 * test_scenario_corpus.c: every file of tests/malformed/ gives exactly its expected diagnostic.
 *
 * <name>.json is loaded by its path relative to the source root (so the diagnostic names it the
 * way a user at the root would see it), and the formatted diagnostic and exit code must equal
 * the two lines of <name>.expect. The plugin directory holds an empty fw_testnode.so, so only
 * the files meant to miss a plugin miss one. A second test loads every prefix of every corpus
 * file: whatever the cut, the loader must answer with a well-formed diagnostic or a scenario,
 * never crash (the sanitizer build checks the memory side).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_scenario.h"
#include "test_support.h"

#define CORPUS_DIR "tests/malformed"
#define MIN_CASES  30
#define MAX_CASES  256

static char plugin_dir[512];

static void make_plugin_dir(void) {
    snprintf(plugin_dir, sizeof plugin_dir, "%s/scn_corpus_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(plugin_dir) != NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/fw_testnode.so", plugin_dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
}

static void remove_plugin_dir(void) {
    char path[600];
    snprintf(path, sizeof path, "%s/fw_testnode.so", plugin_dir);
    CU_ASSERT_EQUAL(remove(path), 0);
    CU_ASSERT_EQUAL(rmdir(plugin_dir), 0);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus' .json base names, sorted so failures are reported in a stable order. */
static size_t list_cases(char **names) {
    DIR *d = opendir(CORPUS_DIR);
    CU_ASSERT_FATAL(d != NULL);
    size_t n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && n < MAX_CASES) {
            names[n] = malloc(len - 4);
            CU_ASSERT_FATAL(names[n] != NULL);
            memcpy(names[n], e->d_name, len - 5);
            names[n][len - 5] = '\0';
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

/* Reads <name>.expect: the diagnostic line and the exit code. */
static int read_expect(const char *name, char *line, size_t cap, int *code) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s.expect", CORPUS_DIR, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    int ok = fgets(line, (int)cap, f) != NULL && fscanf(f, "%d", code) == 1;
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    return ok ? 0 : -1;
}

static void check_case(const char *name, const char *const *dirs) {
    char want[1024], got[1024], path[600];
    int want_code = 0;
    if (read_expect(name, want, sizeof want, &want_code) != 0) {
        fprintf(stderr, "\n  %s: missing or unreadable %s.expect\n", name, name);
        CU_FAIL("missing .expect");
        return;
    }
    snprintf(path, sizeof path, "%s/%s.json", CORPUS_DIR, name);
    static sim_scenario_t sentinel;
    sim_scenario_t *s = &sentinel; /* the loader must reset it to NULL on failure */
    sim_diag_t d;
    int rc = sim_scenario_load(path, dirs, &s, &d);
    sim_diag_format(&d, got, sizeof got);
    ASSERT_EQ_STR(got, want);
    ASSERT_EQ_I64(d.exit_code, want_code);
    ASSERT_EQ_I64(rc, want_code == 66 ? -SIM_ENOENT : -SIM_EFORMAT);
    CU_ASSERT_PTR_NULL(s);
}

static void test_corpus_diagnostics(void) {
    CU_ASSERT_FATAL(chdir(SIM_SOURCE_DIR) == 0);
    make_plugin_dir();
    const char *dirs[] = {plugin_dir, NULL};
    char *names[MAX_CASES];
    size_t n = list_cases(names);
    for (size_t i = 0; i < n; i++) {
        check_case(names[i], dirs);
        free(names[i]);
    }
    if (n < MIN_CASES) {
        fprintf(stderr, "\n  only %zu malformed cases, at least %d expected\n", n, MIN_CASES);
    }
    CU_ASSERT_TRUE(n >= MIN_CASES);
    remove_plugin_dir();
}

/* An .expect without its .json would be a case that silently never runs. */
static void test_corpus_has_no_orphans(void) {
    CU_ASSERT_FATAL(chdir(SIM_SOURCE_DIR) == 0);
    DIR *d = opendir(CORPUS_DIR);
    CU_ASSERT_FATAL(d != NULL);
    size_t expects = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".expect") == 0) {
            char json[600];
            snprintf(json, sizeof json, "%s/%.*s.json", CORPUS_DIR, (int)(len - 7), e->d_name);
            if (access(json, R_OK) != 0) {
                fprintf(stderr, "\n  orphan %s\n", e->d_name);
            }
            CU_ASSERT_EQUAL(access(json, R_OK), 0);
            expects++;
        }
    }
    closedir(d);
    CU_ASSERT_TRUE(expects >= MIN_CASES);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    CU_ASSERT_FATAL(f != NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    CU_ASSERT_FATAL(buf != NULL);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* Every prefix of a file: a scenario, or a diagnostic whose line:col lies inside the text. */
static void check_prefixes(const char *name, const char *const *dirs) {
    char path[600];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s.json", CORPUS_DIR, name);
    char *text = slurp(path, &len);
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
    }
    for (size_t cut = 0; cut <= len; cut++) {
        sim_scenario_t *s = NULL;
        sim_diag_t d;
        int rc = sim_scenario_load_buffer(path, text, cut, dirs, &s, &d);
        if (rc == 0) {
            CU_ASSERT_PTR_NOT_NULL(s);
            sim_scenario_free(s);
            continue;
        }
        CU_ASSERT_TRUE(d.line >= 1 && d.line <= lines && d.col >= 1);
        CU_ASSERT_TRUE(d.exit_code == 65 || d.exit_code == 66);
        CU_ASSERT_TRUE(strstr(d.message, "internal error") == NULL);
    }
    free(text);
}

static void test_corpus_prefixes(void) {
    CU_ASSERT_FATAL(chdir(SIM_SOURCE_DIR) == 0);
    make_plugin_dir();
    const char *dirs[] = {plugin_dir, NULL};
    char *names[MAX_CASES];
    size_t n = list_cases(names);
    for (size_t i = 0; i < n; i++) {
        check_prefixes(names[i], dirs);
        free(names[i]);
    }
    remove_plugin_dir();
}

void test_register(void) {
    TEST_SUITE("scenario_corpus", TEST(test_corpus_diagnostics), TEST(test_corpus_has_no_orphans),
               TEST(test_corpus_prefixes));
}
