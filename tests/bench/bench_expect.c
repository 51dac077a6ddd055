/*
 * bench_expect.c: recorded digests. The file holds one "name mode digest" line per benchmark
 * and mode (quick or full: the runs differ in length, so do their digests); '#' starts a
 * comment. A digest that differs from its recorded line fails the benchmark: the run computed
 * something else, and whatever it measured is not comparable. --update rewrites the file with
 * the lines of the benchmarks that ran replaced or added, and every other line kept.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include <stdlib.h>
#include <string.h>

#include "bench_int.h"

#define LINE_MAX_LEN 256
#define LINES_MAX    512

typedef struct {
    char *lines[LINES_MAX];
    size_t n;
} expect_file_t;

static void expect_free(expect_file_t *f) {
    for (size_t i = 0; i < f->n; i++) {
        free(f->lines[i]);
    }
    f->n = 0;
}

/* Reads the file's lines (a missing file is an empty one). */
static void expect_read(const char *path, expect_file_t *f) {
    f->n = 0;
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        return;
    }
    char line[LINE_MAX_LEN];
    while (f->n < LINES_MAX && fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        f->lines[f->n] = strdup(line);
        if (f->lines[f->n] != NULL) {
            f->n++;
        }
    }
    fclose(in);
}

/* Index of the line for (name, mode), or -1. */
static long expect_find(const expect_file_t *f, const char *name, const char *mode) {
    for (size_t i = 0; i < f->n; i++) {
        char n[BENCH_NAME_MAX], m[16];
        if (f->lines[i][0] != '#' && sscanf(f->lines[i], "%47s %15s", n, m) == 2 &&
            strcmp(n, name) == 0 && strcmp(m, mode) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static void check_one(const expect_file_t *f, bench_result_t *r, const char *mode) {
    long i = expect_find(f, r->name, mode);
    char want[BENCH_DIGEST_MAX] = "";
    if (i < 0 || sscanf(f->lines[i], "%*s %*s %64s", want) != 1) {
        snprintf(r->digest_check, sizeof r->digest_check, "new");
        return;
    }
    if (strcmp(want, r->digest) == 0) {
        snprintf(r->digest_check, sizeof r->digest_check, "ok");
        return;
    }
    snprintf(r->digest_check, sizeof r->digest_check, "MISMATCH");
    if (!r->failed) {
        bench_fail(r, "digest %s, recorded %s", r->digest, want);
    }
}

/* Replaces or appends the line of r; false when out of room. */
static bool record_one(expect_file_t *f, bench_result_t *r, const char *mode) {
    char line[LINE_MAX_LEN];
    snprintf(line, sizeof line, "%s %s %s", r->name, mode, r->digest);
    char *copy = strdup(line);
    long i = expect_find(f, r->name, mode);
    if (copy == NULL || (i < 0 && f->n == LINES_MAX)) {
        free(copy);
        return false;
    }
    if (i >= 0) {
        free(f->lines[i]);
        f->lines[i] = copy;
    } else {
        f->lines[f->n++] = copy;
    }
    snprintf(r->digest_check, sizeof r->digest_check, "updated");
    return true;
}

static int expect_write(const char *path, const expect_file_t *f) {
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        return -1;
    }
    for (size_t i = 0; i < f->n; i++) {
        fprintf(out, "%s\n", f->lines[i]);
    }
    return fclose(out) == 0 ? 0 : -1;
}

int bench_expect_apply(const char *path, bench_result_t *rs, size_t n, bool quick, bool update) {
    const char *mode = quick ? "quick" : "full";
    expect_file_t f;
    expect_read(path, &f);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        bench_result_t *r = &rs[i];
        if (r->digest[0] == '\0' || (r->failed && update)) {
            continue; /* nothing computed, or nothing worth recording */
        }
        if (update) {
            rc = record_one(&f, r, mode) ? rc : -1;
        } else {
            check_one(&f, r, mode);
        }
    }
    if (update && rc == 0) {
        rc = expect_write(path, &f);
    }
    expect_free(&f);
    return rc;
}
