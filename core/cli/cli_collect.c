/*
 * cli_collect.c: finding the scenario files of a command line (cli_collect.h).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include "cli_collect.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void *cli_grow(void *items, size_t *cap, size_t n, size_t size) {
    if (n < *cap) {
        return items;
    }
    size_t grown = *cap != 0 ? *cap * 2 : 64;
    if (grown < *cap || grown > SIZE_MAX / size) {
        return NULL;
    }
    unsigned char *p = realloc(items, grown * size);
    if (p == NULL) {
        return NULL;
    }
    memset(p + *cap * size, 0, (grown - *cap) * size);
    *cap = grown;
    return p;
}

/* Appends a copy of `path`; -1 when out of memory. The list has no fixed size: a suite of any
 * number of scenarios is run whole, never cut short in silence. */
static int paths_add(cli_paths_t *v, const char *path) {
    char **paths = cli_grow(v->paths, &v->cap, v->n, sizeof *paths);
    if (paths == NULL) {
        return -1;
    }
    v->paths = paths;
    char *copy = strdup(path);
    if (copy == NULL) {
        return -1;
    }
    v->paths[v->n++] = copy;
    return 0;
}

void cli_paths_free(cli_paths_t *p) {
    for (size_t i = 0; i < p->n; i++) {
        free(p->paths[i]);
    }
    free(p->paths);
    *p = (cli_paths_t){NULL, 0, 0};
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json(const char *name) {
    size_t len = strlen(name);
    return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static int out_of_memory(const char *cmd) {
    fprintf(stderr, "alfasim: error: %s: out of memory while listing scenarios\n", cmd);
    return CLI_EXIT_SOFTWARE;
}

/* The entries of `dir` that may hold scenarios, sorted; 0, or an exit code after its message. */
static int list_dir(const char *cmd, const char *dir, cli_paths_t *out) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "%s: error: cannot read: %s\n", dir, strerror(errno));
        return CLI_EXIT_NOINPUT;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && e->d_name[0] != '_' && strcmp(e->d_name, "boards") != 0 &&
            paths_add(out, e->d_name) != 0) {
            rc = out_of_memory(cmd);
        }
    }
    closedir(d);
    if (out->n > 1) { /* qsort's array may not be NULL, even for no entries */
        qsort(out->paths, out->n, sizeof out->paths[0], cmp_str);
    }
    return rc;
}

static int collect_dir(const char *cmd, const char *dir, cli_paths_t *out) {
    cli_paths_t names = {NULL, 0, 0};
    int rc = list_dir(cmd, dir, &names);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        size_t len = strlen(dir) + 1 + strlen(names.paths[i]) + 1;
        char *path = malloc(len);
        if (path == NULL) {
            rc = out_of_memory(cmd);
            break;
        }
        snprintf(path, len, "%s/%s", dir, names.paths[i]);
        struct stat st;
        bool known = stat(path, &st) == 0; /* a dangling link is the scenario's own failure */
        if (known && S_ISDIR(st.st_mode)) {
            rc = collect_dir(cmd, path, out);
        } else if (!is_json(names.paths[i])) {
            /* not a scenario */
        } else if (known && !S_ISREG(st.st_mode)) {
            fprintf(stderr, "%s: error: not a regular file\n", path);
            rc = CLI_EXIT_NOINPUT;
        } else if (paths_add(out, path) != 0) {
            rc = out_of_memory(cmd);
        }
        free(path);
    }
    cli_paths_free(&names);
    return rc;
}

int cli_collect_scenarios(const char *cmd, const char *const *inputs, size_t n_inputs,
                          cli_paths_t *out) {
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0) {
            fprintf(stderr, "%s: error: cannot read: %s\n", inputs[i], strerror(errno));
            return CLI_EXIT_NOINPUT;
        }
        int rc;
        if (S_ISDIR(st.st_mode)) {
            char *dir = strdup(inputs[i]);
            if (dir == NULL) {
                return out_of_memory(cmd);
            }
            size_t len = strlen(dir);
            while (len > 1 && dir[len - 1] == '/') {
                dir[--len] = '\0';
            }
            rc = collect_dir(cmd, dir, out);
            free(dir);
        } else {
            rc = paths_add(out, inputs[i]) != 0 ? out_of_memory(cmd) : 0;
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
