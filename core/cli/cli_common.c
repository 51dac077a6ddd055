/*
 * cli_common.c: helpers shared by the subcommands: error lines, the plugin search path, number
 * parsing, and the host-side facts (own path, wall clock, terminal) that only the command line is
 * allowed to know about. None of these reach a simulation or its traces.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sim_scenario.h"

#define MAX_PLUGIN_DIRS 16

static char self_path[4096];
static char *plugin_dirs[MAX_PLUGIN_DIRS + 1];
static size_t n_plugin_dirs;
static bool plugin_dirs_final;

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fputs("alfasim: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cmd != NULL) {
        fprintf(stderr, "Try 'alfasim %s --help'.\n", cmd);
    } else {
        fputs("Try 'alfasim --help'.\n", stderr);
    }
    return CLI_EXIT_USAGE;
}

const char *cli_self_path(void) {
    if (self_path[0] == '\0') {
        ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
        if (n <= 0) {
            strcpy(self_path, "alfasim");
        } else {
            self_path[n] = '\0';
        }
    }
    return self_path;
}

static void add_dir(const char *dir, size_t len) {
    if (len == 0 || n_plugin_dirs >= MAX_PLUGIN_DIRS) {
        return;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, dir, len);
    copy[len] = '\0';
    plugin_dirs[n_plugin_dirs++] = copy;
}

void cli_add_plugin_dir(const char *dir) {
    add_dir(dir, strlen(dir));
}

const char *const *cli_plugin_dirs(void) {
    if (!plugin_dirs_final) {
        plugin_dirs_final = true;
        const char *env = getenv("ALFASIM_PLUGIN_PATH");
        while (env != NULL && *env != '\0') {
            const char *colon = strchr(env, ':');
            size_t len = colon ? (size_t)(colon - env) : strlen(env);
            add_dir(env, len);
            env = colon ? colon + 1 : NULL;
        }
        char buf[4096 + 16];
        const char *self = cli_self_path();
        const char *slash = strrchr(self, '/');
        if (slash != NULL) {
            snprintf(buf, sizeof buf, "%.*s/plugins", (int)(slash - self), self);
            add_dir(buf, strlen(buf));
        }
        plugin_dirs[n_plugin_dirs] = NULL;
    }
    return (const char *const *)plugin_dirs;
}

bool cli_parse_u64(const char *text, uint64_t *out) {
    if (text == NULL || *text == '\0' || *text == '-' || *text == '+') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || end == text || *end != '\0') {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

bool cli_progress_enabled(void) {
    const char *term = getenv("TERM");
    if (term != NULL && strcmp(term, "dumb") == 0) {
        return false;
    }
    return isatty(STDERR_FILENO) == 1;
}

uint64_t cli_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void cli_put_line(const char *line, size_t len) {
    if (len > 0 && line[len - 1] == '\n') {
        len--;
    }
    size_t shown = len < CLI_LINE_SHOWN ? len : CLI_LINE_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            printf("\\x%02X", c);
        } else {
            putchar(c);
        }
    }
    if (shown < len) {
        printf(" ... (%zu bytes in all)", len);
    }
    putchar('\n');
}

int cli_load_scenario(const char *path, sim_scenario_t **out, char *errbuf, size_t errlen) {
    sim_diag_t diag;
    if (sim_scenario_load(path, cli_plugin_dirs(), out, &diag) == 0) {
        return 0;
    }
    char line[1024];
    sim_diag_format(&diag, line, sizeof line);
    if (errbuf != NULL) {
        snprintf(errbuf, errlen, "%s", line);
    } else {
        fprintf(stderr, "%s\n", line);
    }
    return diag.exit_code ? diag.exit_code : CLI_EXIT_DATAERR;
}

int cli_mkdir_parents(const char *path) {
    char dir[4200];
    if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return 0;
}

/* Finds out before anything runs whether an output file (the JUnit file, a screenshot) can be
 * written, so that a mistyped path does not cost a whole run or suite: it makes the file's
 * folders, as --out does, then creates and removes `path`.tmp (the JUnit writer's own temporary
 * name), which leaves any file already at `path` alone. */
int cli_output_writable(const char *path, const char *what) {
    struct stat st;
    const char *why = NULL;
    char tmp[4200];
    if (cli_mkdir_parents(path) != 0) {
        why = strerror(errno);
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        why = strerror(EISDIR);
    } else if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        why = strerror(ENAMETOOLONG);
    } else {
        FILE *f = fopen(tmp, "wb");
        if (f == NULL) {
            why = strerror(errno);
        } else {
            fclose(f);
            remove(tmp);
        }
    }
    if (why != NULL) {
        fprintf(stderr, "%s: error: cannot write %s: %s\n", path, what, why);
        return CLI_EXIT_IOERR;
    }
    return 0;
}
