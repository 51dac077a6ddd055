/*
 * scn_load.c: the public entry points of sim_scenario.h: read the file, parse and index it,
 * check it part by part (scn_parts.h), resolve plugins, sort the timeline.
 *
 * Reading is bounded (SIM_SCN_MAX_FILE_BYTES) and works for pipes as well as files. The text is
 * copied with a terminating NUL, which cJSON needs to reject trailing garbage. On any error the
 * half-built scenario is freed, so callers see either a whole scenario or a diagnostic.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scn_board.h"
#include "sim_file.h"
#include "scn_pack.h"
#include "scn_parts.h"

#define READ_CHUNK 65536u

char *scn_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* Reads the whole stream into a NUL-terminated buffer; 0, an errno value, or EFBIG. */
static int read_all(FILE *f, char **out, size_t *len) {
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        if (cap - n < READ_CHUNK + 1) {
            cap = cap ? 2 * cap : READ_CHUNK + 1;
            char *b = realloc(buf, cap);
            if (b == NULL) {
                free(buf);
                return ENOMEM;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, READ_CHUNK, f);
        n += got;
        if (n > SIM_SCN_MAX_FILE_BYTES) {
            free(buf);
            return EFBIG;
        }
        if (got < READ_CHUNK) {
            int err = ferror(f) ? (errno != 0 ? errno : EIO) : 0;
            if (err != 0) {
                free(buf);
                return err;
            }
            break;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int scn_read_file(const char *path, size_t max, char **text, size_t *len) {
    int fd = sim_open_regular(path);
    if (fd < 0) {
        return errno;
    }
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : (uintmax_t)st.st_size > max ? EFBIG : 0;
    char *buf = err == 0 ? malloc(max + 1) : NULL;
    size_t n = 0;
    if (err == 0 && buf == NULL) {
        err = ENOMEM;
    }
    while (err == 0 && n <= max) { /* reads one byte past max to see a file that grew */
        ssize_t got = read(fd, buf + n, max + 1 - n);
        if (got == 0) {
            break;
        }
        if (got < 0 && errno != EINTR) {
            err = errno;
        }
        n += got > 0 ? (size_t)got : 0;
    }
    close(fd);
    if (err == 0 && n > max) {
        err = EFBIG;
    }
    if (err != 0) {
        free(buf);
        return err;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

const char *scn_read_error(int err) {
    return err == ENODEV ? "not a regular file" : err == EFBIG ? "file too large" : strerror(err);
}

static int fail_read(const char *path, int err, sim_diag_t *diag) {
    char msg[160];
    if (err == EFBIG) {
        snprintf(msg, sizeof msg, "file too large (more than %u bytes)", SIM_SCN_MAX_FILE_BYTES);
        scn_diag_file(diag, path, SCN_EXIT_DATAERR, msg);
        return -SIM_EFORMAT;
    }
    if (err == ENOMEM) {
        scn_diag_file(diag, path, SCN_EXIT_SOFTWARE, "out of memory");
        return -SIM_ENOMEM;
    }
    snprintf(msg, sizeof msg, "cannot read: %s", strerror(err));
    scn_diag_file(diag, path, SCN_EXIT_NOINPUT, msg);
    return -SIM_ENOENT;
}

int sim_scenario_load(const char *path, const char *const *plugin_dirs, sim_scenario_t **out,
                      sim_diag_t *diag) {
    *out = NULL;
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return fail_read(path, errno, diag);
    }
    char *text = NULL;
    size_t len = 0;
    int err = read_all(f, &text, &len);
    fclose(f);
    if (err != 0) {
        return fail_read(path, err, diag);
    }
    int rc = sim_scenario_load_buffer(path, text, len, plugin_dirs, out, diag);
    free(text);
    return rc;
}

/* path's directory ("." when it has none) and its basename without ".json". */
static int set_names(sim_scenario_t *s, const char *path) {
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    s->path = scn_strdup(path);
    s->dir = scn_strdup(slash == NULL ? "." : slash == path ? "/" : path);
    if (s->path == NULL || s->dir == NULL) {
        return -SIM_ENOMEM;
    }
    if (slash != NULL && slash != path) {
        s->dir[slash - path] = '\0';
    }
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0) {
        n -= 5;
    }
    snprintf(s->name, sizeof s->name, "%.*s", (int)(n < sizeof s->name ? n : sizeof s->name - 1),
             base);
    return 0;
}

static sim_scenario_t *new_scenario(const char *path) {
    sim_scenario_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    if (set_names(s, path) != 0) {
        sim_scenario_free(s);
        return NULL;
    }
    s->seed = 1;
    scn_env_default(&s->env);
    snprintf(s->bus_name, sizeof s->bus_name, "can0");
    s->bus_bitrate_bps = 500000;
    return s;
}

static int check(scn_ctx_t *c) {
    int rc = scn_check_top(c, c->doc->root);
    if (rc == 0) {
        rc = scn_resolve_plugins(c);
    }
    if (rc == 0 && scn_sort_actions(c->s) != 0) {
        rc = scn_fail_nomem(c);
    }
    if (rc == 0) {
        scn_fix_profiles(c->s);
    }
    return rc;
}

static int parse_error(const char *path, const char *text, size_t len, int rc,
                       const scn_doc_error_t *err, sim_diag_t *diag) {
    if (rc == -SIM_ENOMEM) {
        scn_diag_file(diag, path, SCN_EXIT_SOFTWARE, "out of memory");
        return rc;
    }
    scn_diag_at(diag, path, text, len, err->off,
                rc == -SIM_EIO ? SCN_EXIT_SOFTWARE : SCN_EXIT_DATAERR, err->message);
    return rc;
}

int sim_scenario_load_buffer(const char *path, const char *text, size_t len,
                             const char *const *plugin_dirs, sim_scenario_t **out,
                             sim_diag_t *diag) {
    *out = NULL;
    if (len > SIM_SCN_MAX_FILE_BYTES) {
        return fail_read(path, EFBIG, diag);
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        return fail_read(path, ENOMEM, diag);
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    scn_doc_t doc;
    scn_doc_error_t err;
    int rc = scn_doc_parse(&doc, copy, len, &err);
    if (rc != 0) {
        rc = parse_error(path, copy, len, rc, &err, diag);
        free(copy);
        return rc;
    }
    scn_ctx_t c = {
        .path = path, .doc = &doc, .diag = diag, .plugin_dirs = plugin_dirs, .top_board = -1};
    c.s = new_scenario(path);
    rc = c.s != NULL ? check(&c) : fail_read(path, ENOMEM, diag);
    scn_doc_free(&doc);
    free(copy);
    if (rc != 0) {
        sim_scenario_free(c.s);
        return rc;
    }
    memset(diag, 0, sizeof *diag);
    *out = c.s;
    return 0;
}

void sim_scenario_free(sim_scenario_t *s) {
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        free(s->nodes[i].plugin);
        free(s->nodes[i].pack);
        free(s->nodes[i].nvs);
    }
    free(s->nodes);
    for (size_t i = 0; i < s->n_boards; i++) {
        scn_board_clear(&s->boards[i]);
    }
    free(s->boards);
    for (size_t i = 0; i < s->n_profiles; i++) {
        free(s->profiles[i].points);
    }
    free(s->profiles);
    free(s->asserts);
    free(s->actions);
    free(s->description);
    free(s->dir);
    free(s->path);
    free(s);
}
