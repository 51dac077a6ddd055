/*
 * cli_tracediff.c: `alfasim trace-diff DIR_A DIR_B`: compares two run folders trace file by
 * trace file (bus.log, events.jsonl, signals.vcd) and prints, for each file that differs, the
 * first divergent line of both sides with its virtual time.
 *
 * Either folder may hold a file gzip-compressed (`events.jsonl.gz`), as the golden traces in
 * traces/ do; it is read through `gzip -dc` in a child process, so no compression library is
 * linked. A file absent from both folders is skipped; a file present in only one is "missing".
 *
 * The virtual time of a line comes from the line itself: the `(seconds.micros)` stamp of a
 * candump line, the "t_ns" member of an events.jsonl object, or the last `#t` line before it in
 * a VCD. Lines are compared byte for byte, of any length; the files are streamed, never loaded.
 * A divergent line is printed through cli_put_line, so a NUL, a CR or a 10 MB line shows as
 * what it is. A compressed file that gzip cannot read to its end is an error (66), even when a
 * difference came first.
 *
 * Exit codes: 0 every file the same, 1 a file differs, 66 a folder or a file is missing (or a
 * compressed file cannot be read), 64 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opts.h"

static const char tracediff_usage[] =
    "Usage: alfasim trace-diff DIR_A DIR_B [--quiet]\n"
    "\n"
    "Compares the trace files of two run folders (bus.log, events.jsonl, signals.vcd, each\n"
    "possibly gzip-compressed as NAME.gz) and prints the first divergent line of each file that\n"
    "differs, with its virtual time.\n"
    "\n"
    "Examples:\n"
    "  alfasim trace-diff traces/eco_shedding out/eco_shedding\n"
    "  alfasim trace-diff out/run1 out/run2 --quiet\n"
    "\n"
    "Exit codes: 0 the same, 1 different, 66 a folder or file is missing.\n";

typedef enum { KIND_CANDUMP, KIND_JSONL, KIND_VCD } trace_kind_t;

typedef struct {
    const char *name;
    trace_kind_t kind;
} trace_file_t;

static const trace_file_t trace_files[] = {
    {"bus.log", KIND_CANDUMP},
    {"events.jsonl", KIND_JSONL},
    {"signals.vcd", KIND_VCD},
};

/* One side of a comparison: a plain file, or the output of a `gzip -dc` child. */
typedef struct {
    char path[4200];
    FILE *f;
    pid_t gzip_pid; /* 0 for a plain file */
    char *line;
    size_t cap;
    ssize_t len;              /* of the current line, -1 at the end */
    int64_t vcd_time_ns;      /* the last "#t" seen (VCD), -1 before the first */
    unsigned long long lines; /* read so far */
    int open_errno;           /* why the file could not be opened */
} side_t;

/* 1 a regular file, 0 absent, -1 there but not readable as one: *err is then the errno, or 0
 * for something other than a file or a folder (a FIFO, which would block the read, a device). */
static int file_kind(const char *path, int *err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = errno;
        return errno == ENOENT ? 0 : -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = S_ISDIR(st.st_mode) ? EISDIR : 0;
        return -1;
    }
    return 1;
}

/* Starts `gzip -dc -- path` with its output on a pipe; no shell, so any path is safe. */
static FILE *open_gzip(const char *path, pid_t *pid) {
    int fd[2];
    if (pipe(fd) != 0) {
        return NULL;
    }
    *pid = fork();
    if (*pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(fd[1], STDOUT_FILENO);
        if (devnull >= 0) {
            dup2(devnull, STDERR_FILENO);
        }
        close(fd[0]);
        close(fd[1]);
        execlp("gzip", "gzip", "-dc", "--", path, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    if (*pid < 0) {
        close(fd[0]);
        return NULL;
    }
    FILE *f = fdopen(fd[0], "r");
    if (f == NULL) {
        close(fd[0]); /* gzip then ends on a closed pipe; side_close reaps it */
    }
    return f;
}

/* Finds <dir>/<name> or <dir>/<name>.gz. 1 opened, 0 absent, -1 present but unreadable (the
 * reason in open_errno, 0 for "not a regular file"). */
static int side_open(side_t *s, const char *dir, const char *name) {
    memset(s, 0, sizeof *s);
    s->vcd_time_ns = -1;
    snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
    int kind = file_kind(s->path, &s->open_errno);
    if (kind == 0) {
        snprintf(s->path, sizeof s->path, "%s/%s.gz", dir, name);
        kind = file_kind(s->path, &s->open_errno);
        if (kind <= 0) {
            return kind;
        }
        s->f = open_gzip(s->path, &s->gzip_pid);
    } else if (kind > 0) {
        s->f = fopen(s->path, "r");
    }
    if (kind > 0 && s->f == NULL) {
        s->open_errno = errno;
    }
    return s->f != NULL ? 1 : -1;
}

/*
 * Closes a side; false when its gzip child failed (a corrupt or truncated file). A compressed
 * side left before its end is read to the end first, so damage past the first difference is
 * still reported as damage rather than passing for a difference in the trace.
 */
static bool side_close(side_t *s) {
    bool ok = true;
    if (s->f != NULL) {
        if (s->gzip_pid > 0) {
            char buf[65536];
            while (fread(buf, 1, sizeof buf, s->f) > 0) {
            }
        }
        fclose(s->f);
    }
    if (s->gzip_pid > 0) {
        int status = 0;
        while (waitpid(s->gzip_pid, &status, 0) < 0 && errno == EINTR) {
        }
        ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    free(s->line);
    return ok;
}

static bool side_next(side_t *s, trace_kind_t kind) {
    s->len = getline(&s->line, &s->cap, s->f);
    if (s->len < 0) {
        return false;
    }
    s->lines++;
    if (kind == KIND_VCD && s->line[0] == '#') {
        char *end = NULL;
        long long t = strtoll(s->line + 1, &end, 10);
        if (end != s->line + 1 && t >= 0) {
            s->vcd_time_ns = t;
        }
    }
    return true;
}

/* The virtual time of the current line in ns, or -1 when the line carries none. */
static int64_t line_time_ns(const side_t *s, trace_kind_t kind) {
    if (s->len < 0) {
        return -1;
    }
    if (kind == KIND_CANDUMP) {
        unsigned long long sec = 0, usec = 0;
        if (sscanf(s->line, "(%llu.%6llu)", &sec, &usec) == 2) {
            return (int64_t)(sec * 1000000000ull + usec * 1000ull);
        }
        return -1;
    }
    if (kind == KIND_JSONL) {
        const char *p = strstr(s->line, "\"t_ns\":");
        return p != NULL ? (int64_t)strtoll(p + 7, NULL, 10) : -1;
    }
    return s->vcd_time_ns;
}

static void print_side(const char *label, const side_t *s, trace_kind_t kind) {
    int64_t t = line_time_ns(s, kind);
    char when[48] = "t=?";
    if (t >= 0) {
        snprintf(when, sizeof when, "t=%" PRId64 ".%09" PRId64 "s", t / 1000000000, t % 1000000000);
    }
    if (s->len < 0) {
        printf("  %s %s: (end of file after %llu lines)\n", label, s->path, s->lines);
        return;
    }
    printf("  %s %s %s: ", label, s->path, when);
    cli_put_line(s->line, (size_t)s->len);
}

/* 0 same, 1 different; prints the first divergent line of both sides. */
static int compare_sides(side_t *a, side_t *b, const trace_file_t *tf, bool quiet) {
    for (;;) {
        bool more_a = side_next(a, tf->kind);
        bool more_b = side_next(b, tf->kind);
        if (!more_a && !more_b) {
            if (!quiet) {
                printf("%s: same (%llu lines)\n", tf->name, a->lines);
            }
            return 0;
        }
        if (more_a != more_b || a->len != b->len || memcmp(a->line, b->line, (size_t)a->len) != 0) {
            unsigned long long at = more_a ? a->lines : b->lines;
            printf("%s: first divergence at line %llu\n", tf->name, at);
            print_side("A", a, tf->kind);
            print_side("B", b, tf->kind);
            return 1;
        }
    }
}

/* 0 same (or absent from both: *compared stays false), 1 different, 66 missing on one side. */
static int compare_file(const char *dir_a, const char *dir_b, const trace_file_t *tf, bool quiet,
                        bool *compared) {
    side_t a, b;
    int ha = side_open(&a, dir_a, tf->name);
    int hb = side_open(&b, dir_b, tf->name);
    int rc = 0;
    *compared = ha != 0 || hb != 0;
    if (!*compared) {
        rc = 0; /* neither run wrote (or kept) this file */
    } else if (ha <= 0 || hb <= 0) {
        const side_t *bad = ha <= 0 ? &a : &b;
        const char *dir = ha <= 0 ? dir_a : dir_b;
        if ((ha <= 0 ? ha : hb) < 0) {
            fprintf(stderr, "%s: error: cannot read: %s\n", bad->path,
                    bad->open_errno != 0 ? strerror(bad->open_errno) : "not a regular file");
        } else {
            fprintf(stderr, "%s: error: %s missing (neither %s nor %s.gz)\n", dir, tf->name,
                    tf->name, tf->name);
        }
        rc = CLI_EXIT_NOINPUT;
    } else {
        rc = compare_sides(&a, &b, tf, quiet);
    }
    bool ok_a = side_close(&a), ok_b = side_close(&b);
    if (!ok_a || !ok_b) {
        fprintf(stderr, "%s: error: cannot decompress\n", ok_a ? b.path : a.path);
        rc = CLI_EXIT_NOINPUT;
    }
    return rc;
}

static bool check_dir(const char *dir) {
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "%s: error: cannot read: %s\n", dir, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: error: not a run folder\n", dir);
        return false;
    }
    return true;
}

int cli_tracediff(int argc, char **argv) {
    cli_opts_t o;
    int rc = cli_opts_parse(&o, "trace-diff", tracediff_usage, argc, argv, CLI_OPT_QUIET);
    if (rc >= 0) {
        return rc;
    }
    if (o.n_inputs != 2) {
        cli_opts_free(&o);
        return cli_usage_error("trace-diff", "expected two run folders, DIR_A and DIR_B");
    }
    const char *dir_a = o.inputs[0], *dir_b = o.inputs[1];
    if (!check_dir(dir_a) || !check_dir(dir_b)) {
        cli_opts_free(&o);
        return CLI_EXIT_NOINPUT;
    }
    int worst = 0;
    size_t compared = 0;
    for (size_t i = 0; i < sizeof trace_files / sizeof trace_files[0]; i++) {
        bool seen = false;
        int r = compare_file(dir_a, dir_b, &trace_files[i], o.quiet, &seen);
        compared += seen;
        if (r == CLI_EXIT_NOINPUT || (r == CLI_EXIT_FAIL && worst == 0)) {
            worst = r;
        }
    }
    if (worst == 0 && compared == 0) {
        fprintf(stderr, "%s, %s: error: no trace files (bus.log, events.jsonl, signals.vcd)\n",
                dir_a, dir_b);
        worst = CLI_EXIT_NOINPUT;
    } else if (worst == 0 && !o.quiet) {
        printf("%s and %s: the same (%zu trace files)\n", dir_a, dir_b, compared);
    }
    cli_opts_free(&o);
    return worst;
}
