/*
 * scn_board.c: finding, loading and sharing the board descriptions a scenario names.
 *
 * Lookup of a bare name walks up from the scenario's directory with relative paths ("d",
 * "d/..", "d/../..") rather than absolute ones, so diagnostics and reports name the file the way
 * the user sees it from where they run alfasim. The walk stops at the file system root, found
 * by comparing realpath() of consecutive candidates; the depth is also bounded.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scn_board.h"
#include "scn_parts.h"

#define MAX_BOARD_BYTES (1u << 20)
#define MAX_DEPTH       64
#define PATH_CAP        4096

void scn_board_clear(sim_scn_board_t *b) {
    free(b->description);
    free(b->path);
    memset(b, 0, sizeof *b);
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Candidate directories, nearest first: dir, dir/.., dir/../.., until the root. */
static bool find_by_name(const char *dir, const char *name, char *out) {
    char up[PATH_CAP - 64], prev_real[PATH_MAX] = "", real[PATH_MAX];
    snprintf(up, sizeof up, "%s", dir);
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
        if (realpath(up, real) == NULL || strcmp(real, prev_real) == 0) {
            return false;
        }
        static const char *const folders[] = {"boards", "scenarios/boards"};
        for (size_t i = 0; i < 2; i++) {
            int w = snprintf(out, PATH_CAP, "%s/%s/%.63s.json", up, folders[i], name);
            if (w > 0 && w < PATH_CAP && is_file(out)) {
                return true;
            }
        }
        memcpy(prev_real, real, sizeof real);
        size_t n = strlen(up);
        if (n + 4 >= sizeof up) {
            return false;
        }
        memcpy(up + n, "/..", 4);
    }
    return false;
}

/* The board file's basename without ".json": the default board name. */
static void default_name(const char *path, char *name, size_t cap) {
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);
    n = n > 5 && strcmp(base + n - 5, ".json") == 0 ? n - 5 : n;
    snprintf(name, cap, "%.*s", (int)(n < cap ? n : cap - 1), base);
}

/* Parses and checks the file at path into b, with diagnostics pointing into that file. */
static int load_file(scn_ctx_t *c, const cJSON *ref, const char *path, sim_scn_board_t *b) {
    size_t len = 0;
    char *text = NULL;
    int rc = scn_read_file(path, MAX_BOARD_BYTES, &text, &len);
    if (rc == ENOMEM) {
        return scn_fail_nomem(c);
    }
    if (rc != 0) {
        return scn_fail_input(c, ref, "cannot read board \"%.200s\": %s", path, scn_read_error(rc));
    }
    scn_doc_t doc;
    scn_doc_error_t err;
    rc = scn_doc_parse(&doc, text, len, &err);
    if (rc != 0) {
        scn_diag_at(c->diag, path, text, len, err.off,
                    rc == -SIM_EFORMAT ? SCN_EXIT_DATAERR : SCN_EXIT_SOFTWARE, err.message);
        free(text);
        return rc;
    }
    scn_ctx_t sub = *c; /* same scenario, another document */
    sub.path = path;
    sub.doc = &doc;
    default_name(path, b->name, sizeof b->name);
    rc = scn_board_check(&sub, doc.root, b);
    scn_doc_free(&doc);
    free(text);
    return rc;
}

static int add_board(scn_ctx_t *c, sim_scn_board_t *b, int *index) {
    sim_scenario_t *s = c->s;
    sim_scn_board_t *grown = realloc(s->boards, (s->n_boards + 1) * sizeof *grown);
    if (grown == NULL) {
        scn_board_clear(b);
        return scn_fail_nomem(c);
    }
    s->boards = grown;
    s->boards[s->n_boards] = *b;
    *index = (int)s->n_boards++;
    return 0;
}

/* The path a string value names, or a scn_fail_* code. */
static int resolve(scn_ctx_t *c, const cJSON *v, char *path) {
    const char *name = v->valuestring;
    if (strchr(name, '/') != NULL) {
        snprintf(path, PATH_CAP, "%s%s%s", name[0] == '/' ? "" : c->s->dir,
                 name[0] == '/' ? "" : "/", name);
        return 0;
    }
    if (!scn_name_ok(name, 63)) {
        return scn_fail_value(c, v,
                              "expected a board name such as \"alfaspark_b\" or a path to a "
                              "board file");
    }
    if (!find_by_name(c->s->dir, name, path)) {
        return scn_fail_input(c, v,
                              "board \"%s\" not found (no boards/%s.json or "
                              "scenarios/boards/%s.json in %.100s or a directory above it)",
                              name, name, name, c->s->dir);
    }
    return 0;
}

int scn_board_ref(scn_ctx_t *c, const cJSON *v, int *index) {
    sim_scn_board_t b;
    memset(&b, 0, sizeof b);
    if (cJSON_IsObject(v)) {
        snprintf(b.name, sizeof b.name, "inline");
        int rc = scn_board_check(c, v, &b);
        return rc != 0 ? (scn_board_clear(&b), rc) : add_board(c, &b, index);
    }
    char path[PATH_CAP], real[PATH_MAX], other[PATH_MAX];
    int rc = resolve(c, v, path);
    if (rc != 0) {
        return rc;
    }
    if (realpath(path, real) != NULL) {
        for (size_t i = 0; i < c->s->n_boards; i++) {
            const char *p = c->s->boards[i].path;
            if (p != NULL && realpath(p, other) != NULL && strcmp(real, other) == 0) {
                *index = (int)i;
                return 0;
            }
        }
    }
    rc = load_file(c, v, path, &b);
    b.path = rc == 0 ? scn_strdup(path) : NULL;
    if (rc == 0 && b.path == NULL) {
        rc = scn_fail_nomem(c);
    }
    return rc != 0 ? (scn_board_clear(&b), rc) : add_board(c, &b, index);
}
