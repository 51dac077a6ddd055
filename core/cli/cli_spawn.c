/*
 * cli_spawn.c: worker processes and reading their reports back (see cli_spawn.h).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_interrupt.h"
#include "cli_spawn.h"
#include "sim_file.h"
#include "sim_trace.h"

pid_t cli_spawn_run(const cli_opts_t *o, const char *scenario, const char *out_dir) {
    char seed[32], duration[48];
    const char *argv[32];
    size_t n = 0;
    argv[n++] = cli_self_path();
    argv[n++] = "run";
    argv[n++] = scenario;
    argv[n++] = "--out";
    argv[n++] = out_dir;
    argv[n++] = "--quiet";
    if (o->isolate) {
        argv[n++] = "--isolate";
    }
    if (o->seed_set) {
        snprintf(seed, sizeof seed, "0x%" PRIx64, o->seed);
        argv[n++] = "--seed";
        argv[n++] = seed;
    }
    if (o->duration_ns > 0) {
        snprintf(duration, sizeof duration, "%" PRId64 "ns", o->duration_ns);
        argv[n++] = "--duration";
        argv[n++] = duration;
    }
    for (size_t i = 0; i < o->n_plugin_paths && n + 3 < sizeof argv / sizeof argv[0]; i++) {
        argv[n++] = "--plugin-path";
        argv[n++] = o->plugin_paths[i];
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        cli_interrupt_in_child();
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "alfasim: error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(CLI_EXIT_SOFTWARE);
    }
    if (pid > 0) {
        cli_interrupt_child_started(pid);
    }
    return pid;
}

pid_t cli_wait_any(int *exit_code, int *signo) {
    int status = 0;
    pid_t pid;
    do {
        pid = waitpid(-1, &status, 0);
    } while (pid < 0 && errno == EINTR);
    if (pid > 0) {
        cli_interrupt_child_ended(pid);
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_SOFTWARE;
        *signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return pid;
}

static char *dup_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

/* 2^64 as a double: every double below it converts to uint64_t, none from it on does. */
#define TWO_POW_64 18446744073709551616.0

/* A counter of a report a worker wrote; anything else (missing, negative, too big) reads as 0,
 * never as a conversion out of range. */
static uint64_t get_u64(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < TWO_POW_64
               ? (uint64_t)v->valuedouble
               : 0;
}

static void copy_str(char *dst, size_t len, const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(dst, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static void read_asserts(const cJSON *root, sim_report_t *r) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "assertions");
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (n <= 0) {
        return;
    }
    r->asserts = calloc((size_t)n, sizeof *r->asserts);
    r->asserts_open = calloc((size_t)n, sizeof *r->asserts_open); /* "open": a cut run's */
    if (r->asserts == NULL || r->asserts_open == NULL) {
        return;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, arr) {
        r->asserts_open[r->n_asserts] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "open"));
        sim_report_assert_t *x = &r->asserts[r->n_asserts++];
        x->name = dup_str(a, "name");
        x->passed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "passed"));
        x->t_ns = (sim_time_ns_t)get_u64(a, "t_ns");
        x->expected = dup_str(a, "expected");
        x->actual = dup_str(a, "actual");
    }
}

/* Anything but a known verdict is an error, so a report is never mistaken for a pass. */
static sim_verdict_t parse_verdict(const char *v) {
    static const sim_verdict_t known[] = {SIM_VERDICT_PASS, SIM_VERDICT_FAIL, SIM_VERDICT_CUT};
    for (size_t i = 0; v != NULL && i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(v, sim_verdict_name(known[i])) == 0) {
            return known[i];
        }
    }
    return SIM_VERDICT_ERROR;
}

/* A file of a run folder, NULL when it is not a regular file (a FIFO would block the open). */
static FILE *open_trace(const char *path) {
    int fd = sim_open_regular(path);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (f == NULL && fd >= 0) {
        close(fd);
    }
    return f;
}

/* The whole of a regular file, NUL-terminated; NULL when it cannot be read. */
static char *slurp(const char *path) {
    FILE *f = open_trace(path);
    if (f == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* <dir>/report.json parsed; NULL when it cannot be read or parsed (*unreadable tells which). */
static cJSON *load_report(const char *dir, char *path, size_t len, bool *unreadable) {
    snprintf(path, len, "%s/report.json", dir);
    char *text = slurp(path);
    *unreadable = text == NULL;
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    return root;
}

static void fill_report(const cJSON *root, sim_report_t *r) {
    memset(r, 0, sizeof *r);
    const cJSON *scn = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    r->scenario_path = dup_str(scn, "path");
    r->scenario_name = dup_str(scn, "name");
    copy_str(r->scenario_sha256, sizeof r->scenario_sha256, scn, "sha256");
    const cJSON *seed_hex = cJSON_GetObjectItemCaseSensitive(root, "seed_hex");
    if (cJSON_IsString(seed_hex)) {
        r->seed = strtoull(seed_hex->valuestring, NULL, 16);
    } else {
        r->seed = get_u64(root, "seed");
    }
    char *verdict = dup_str(root, "verdict");
    r->verdict = parse_verdict(verdict);
    free(verdict);
    r->error_message = dup_str(root, "error");
    r->sim_duration_ns = (sim_time_ns_t)get_u64(root, "sim_duration_ns");
    r->cut_from_ns = (sim_time_ns_t)get_u64(root, "cut_from_ns");
    r->wall_ms = get_u64(root, "wall_ms");
    copy_str(r->digest, sizeof r->digest, root, "digest");
    r->repro = dup_str(root, "repro");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "statistics");
    r->events_run = get_u64(st, "events_run");
    r->can_frames = get_u64(st, "can_frames");
    r->can_error_frames = get_u64(st, "can_error_frames");
    r->can_load_ppm = (uint32_t)get_u64(st, "can_load_ppm");
    read_asserts(root, r);
}

int cli_report_read(const char *dir, sim_report_t *r) {
    char path[1100];
    bool unreadable;
    cJSON *root = load_report(dir, path, sizeof path, &unreadable);
    if (root == NULL) {
        return -1;
    }
    fill_report(root, r);
    cJSON_Delete(root);
    return 0;
}

int cli_report_read_replay(const char *dir, sim_report_t *r) {
    char path[1100];
    bool unreadable;
    cJSON *root = load_report(dir, path, sizeof path, &unreadable);
    if (unreadable) {
        fprintf(stderr, "%s: error: not a run folder (no readable report.json)\n", dir);
        return CLI_EXIT_NOINPUT;
    }
    if (!cJSON_IsObject(root)) {
        fprintf(stderr, "%s: error: not a JSON object (the file is damaged or cut short)\n", path);
        cJSON_Delete(root);
        return CLI_EXIT_DATAERR;
    }
    char why[160] = "";
    const char *field = cli_report_check_replay(root, why, sizeof why);
    if (field != NULL) {
        fprintf(stderr, "%s: error: %s: %s\n", path, field, why);
        cJSON_Delete(root);
        return CLI_EXIT_DATAERR;
    }
    fill_report(root, r);
    cJSON_Delete(root);
    return 0;
}

void cli_remove_tree(const char *path) {
    sim_trace_remove_folder(path);
}

/* One side's line under its label, or where the file ended. */
static void put_side(const char *label, const char *line, ssize_t len) {
    printf("    %s: ", label);
    if (len < 0) {
        puts("(end of file)");
    } else {
        cli_put_line(line, (size_t)len);
    }
}

/* Prints the first line where two files differ, lines of any length compared byte for byte;
 * returns true if they differ. */
static bool first_divergence(const char *a_path, const char *a_label, const char *b_path,
                             const char *b_label, const char *label) {
    FILE *a = open_trace(a_path), *b = open_trace(b_path);
    bool differ = false;
    if (a == NULL || b == NULL) {
        differ = (a == NULL) != (b == NULL);
    } else {
        char *la = NULL, *lb = NULL;
        size_t ca = 0, cb = 0;
        for (unsigned long long line = 1;; line++) {
            ssize_t na = getline(&la, &ca, a), nb = getline(&lb, &cb, b);
            if (na < 0 && nb < 0) {
                break;
            }
            if (na != nb || memcmp(la, lb, (size_t)na) != 0) {
                printf("  first divergence in %s line %llu:\n", label, line);
                put_side(a_label, la, na);
                put_side(b_label, lb, nb);
                differ = true;
                break;
            }
        }
        free(la);
        free(lb);
    }
    if (a) {
        fclose(a);
    }
    if (b) {
        fclose(b);
    }
    return differ;
}

void cli_explain_divergence(const char *dir1, const char *label1, const char *dir2,
                            const char *label2) {
    static const char *const files[] = {"bus.log", "events.jsonl", "signals.vcd"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p1[4400], p2[4400];
        snprintf(p1, sizeof p1, "%s/%s", dir1, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", dir2, files[i]);
        if (first_divergence(p1, label1, p2, label2, files[i])) {
            return;
        }
    }
}
