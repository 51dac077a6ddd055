/*
 * cli_suite.c: `alfasim suite PATH...`: finds scenario files, loads each (so a broken one is
 * reported with its file:line:col error and counted, not run), runs the rest in up to -j worker
 * processes, prints a summary table and writes one JUnit file for all of them.
 *
 * Directories are searched recursively for *.json, in sorted order; folders named "boards" and
 * files starting with '_' hold board descriptions and fragments, not scenarios, and are skipped.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_interrupt.h"
#include "cli_spawn.h"

static const char suite_usage[] =
    "Usage: alfasim suite PATH... [-j N] [--out DIR] [--junit FILE] [--shard K/N]\n"
    "                     [--seed N] [--duration T] [--plugin-path DIR] [--isolate]\n"
    "                     [--quiet]\n"
    "\n"
    "Runs every scenario found under the PATHs (files, or folders searched for *.json) in\n"
    "worker processes and prints a summary. Each run writes DIR/<scenario>/.\n"
    "\n"
    "Examples:\n"
    "  alfasim suite scenarios/ -j 2\n"
    "  alfasim suite scenarios/ --shard 2/4 --junit out/junit-2.xml\n"
    "\n"
    "Options:\n"
    "  -j N, -jN       worker processes (default 1)\n"
    "  --out DIR       parent of the run folders (default out/suite)\n"
    "  --junit FILE    write one JUnit XML file for the whole suite\n"
    "  --shard K/N     run only the K-th of N interleaved shards of the sorted list\n"
    "  --seed N        override every scenario's seed\n"
    "  --duration T    override every scenario's duration\n"
    "  --plugin-path DIR  look for firmware plugins in DIR first (repeatable)\n"
    "  --isolate       run each node's firmware in its own process (as run --isolate)\n"
    "  --quiet         print nothing but errors (no table)\n"
    "\n"
    "Exit codes: 0 all passed, 1 an assertion failed, 64 usage, 65 a scenario is malformed,\n"
    "66 missing input or no scenario found, 70 a run crashed or hit an internal error,\n"
    "74 the JUnit file cannot be written, 128+N ended by signal N (SIGINT, SIGTERM,\n"
    "SIGHUP: passed on to the running scenarios).\n";

typedef struct {
    char *path;
    char name[80];
    int exit_code;
    int signo;          /* the signal that killed its run, 0 when the run exited */
    char *repro;        /* the command that runs it alone, NULL when it did not load */
    uint64_t seed;      /* the seed its run uses */
    struct stat before; /* its run folder before the run, when there was one (had_folder) */
    bool had_folder;
    bool loaded;
    char load_error[1024];
    sim_report_t report;
    bool have_report;
} entry_t;

typedef struct {
    entry_t *items;
    size_t n, cap;
} list_t;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Room for one more element in a growable array holding n of *cap elements of `size` bytes:
 * `items` itself while n < *cap, else the array reallocated to twice the capacity (64 at first)
 * with the new slots zeroed and *cap updated. NULL when out of memory, `items` then unchanged.
 */
static void *grow(void *items, size_t *cap, size_t n, size_t size) {
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
static int add_path(list_t *l, const char *path) {
    entry_t *items = grow(l->items, &l->cap, l->n, sizeof *items);
    if (items == NULL) {
        return -1;
    }
    l->items = items;
    char *copy = strdup(path);
    if (copy == NULL) {
        return -1;
    }
    l->items[l->n++].path = copy;
    return 0;
}

typedef struct {
    char **names;
    size_t n, cap;
} names_t;

static int names_add(names_t *v, const char *name) {
    char **names = grow(v->names, &v->cap, v->n, sizeof *names);
    if (names == NULL) {
        return -1;
    }
    v->names = names;
    char *copy = strdup(name);
    if (copy == NULL) {
        return -1;
    }
    v->names[v->n++] = copy;
    return 0;
}

static void names_free(names_t *v) {
    for (size_t i = 0; i < v->n; i++) {
        free(v->names[i]);
    }
    free(v->names);
}

static bool is_json(const char *name) {
    size_t len = strlen(name);
    return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static int out_of_memory(void) {
    fprintf(stderr, "alfasim: error: suite: out of memory while listing scenarios\n");
    return CLI_EXIT_SOFTWARE;
}

/* The entries of `dir` that may hold scenarios, sorted; 0, or an exit code after its message. */
static int list_dir(const char *dir, names_t *out) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "%s: error: cannot read: %s\n", dir, strerror(errno));
        return CLI_EXIT_NOINPUT;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && e->d_name[0] != '_' && strcmp(e->d_name, "boards") != 0 &&
            names_add(out, e->d_name) != 0) {
            rc = out_of_memory();
        }
    }
    closedir(d);
    if (out->n > 1) { /* qsort's array may not be NULL, even for no entries */
        qsort(out->names, out->n, sizeof out->names[0], cmp_str);
    }
    return rc;
}

/* Every *.json under `dir`, in sorted order, folders entered where they sort. A folder that
 * cannot be read stops the suite with its name rather than leaving its scenarios out, and so does
 * a *.json that is not a regular file (a FIFO would block the suite for ever when opened). */
static int collect_dir(list_t *l, const char *dir) {
    names_t names = {NULL, 0, 0};
    int rc = list_dir(dir, &names);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        size_t len = strlen(dir) + 1 + strlen(names.names[i]) + 1;
        char *path = malloc(len);
        if (path == NULL) {
            rc = out_of_memory();
            break;
        }
        snprintf(path, len, "%s/%s", dir, names.names[i]);
        struct stat st;
        bool known = stat(path, &st) == 0; /* a dangling link is the scenario's own failure */
        if (known && S_ISDIR(st.st_mode)) {
            rc = collect_dir(l, path);
        } else if (!is_json(names.names[i])) {
            /* not a scenario */
        } else if (known && !S_ISREG(st.st_mode)) {
            fprintf(stderr, "%s: error: not a regular file\n", path);
            rc = CLI_EXIT_NOINPUT;
        } else if (add_path(l, path) != 0) {
            rc = out_of_memory();
        }
        free(path);
    }
    names_free(&names);
    return rc;
}

static int collect(list_t *l, const cli_opts_t *o) {
    for (size_t i = 0; i < o->n_inputs; i++) {
        struct stat st;
        if (stat(o->inputs[i], &st) != 0) {
            fprintf(stderr, "%s: error: cannot read: %s\n", o->inputs[i], strerror(errno));
            return CLI_EXIT_NOINPUT;
        }
        int rc;
        if (S_ISDIR(st.st_mode)) {
            char *dir = strdup(o->inputs[i]);
            if (dir == NULL) {
                return out_of_memory();
            }
            size_t len = strlen(dir);
            while (len > 1 && dir[len - 1] == '/') {
                dir[--len] = '\0';
            }
            rc = collect_dir(l, dir);
            free(dir);
        } else {
            rc = add_path(l, o->inputs[i]) != 0 ? out_of_memory() : 0;
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* Keeps the K-th of N interleaved shards: entries i with i % N == K - 1. */
static void shard(list_t *l, const cli_opts_t *o) {
    if (o->shard_n == 0) {
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i % o->shard_n == o->shard_k - 1) {
            l->items[kept++] = l->items[i];
        } else {
            free(l->items[i].path);
        }
    }
    l->n = kept;
}

static bool name_taken(const list_t *l, size_t i, const char *name) {
    for (size_t j = 0; j < i; j++) {
        if (l->items[j].loaded && strcmp(l->items[j].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Two scenarios with the same name (in different folders) get distinct run folders: the later
 * one becomes "<name>-<i>", its place in the list, cut so the suffix always fits. The new name is
 * checked again, since another scenario may be called that already.
 */
static void unique_name(list_t *l, size_t i) {
    entry_t *e = &l->items[i];
    char base[sizeof e->name];
    snprintf(base, sizeof base, "%s", e->name);
    for (size_t k = i; name_taken(l, i, e->name); k += l->n) {
        char suffix[24];
        int n = snprintf(suffix, sizeof suffix, "-%zu", k);
        snprintf(e->name, sizeof e->name, "%.*s%s", (int)(sizeof e->name - 1 - (size_t)n), base,
                 suffix);
    }
}

/* Loads every scenario in the parent: a broken file is reported here and never spawned. */
static void preload(list_t *l, const cli_opts_t *o) {
    for (size_t i = 0; i < l->n; i++) {
        entry_t *e = &l->items[i];
        sim_scenario_t *scn = NULL;
        e->exit_code = cli_load_scenario(e->path, &scn, e->load_error, sizeof e->load_error);
        if (e->exit_code != 0) {
            const char *base = strrchr(e->path, '/');
            snprintf(e->name, sizeof e->name, "%s", base ? base + 1 : e->path);
            continue;
        }
        e->loaded = true;
        char repro[4200];
        cli_opts_repro(o, scn, repro, sizeof repro);
        e->repro = strdup(repro);
        e->seed = o->seed_set ? o->seed : scn->seed;
        snprintf(e->name, sizeof e->name, "%s", scn->name);
        sim_scenario_free(scn);
        unique_name(l, i);
    }
}

static void run_all(list_t *l, const cli_opts_t *o, const char *out_root) {
    size_t next = 0, running = 0;
    pid_t pids[256];
    size_t owner[256];
    for (;;) {
        if (cli_interrupt_signal() != 0) {
            next = l->n; /* start no more; the running ones were passed the signal */
        }
        while (running < o->jobs && next < l->n) {
            entry_t *e = &l->items[next];
            if (e->loaded) {
                char out[4096];
                snprintf(out, sizeof out, "%s/%s", out_root, e->name);
                e->had_folder = stat(out, &e->before) == 0;
                pid_t pid = cli_spawn_run(o, e->path, out);
                if (pid < 0) {
                    e->exit_code = CLI_EXIT_SOFTWARE;
                } else {
                    pids[running] = pid;
                    owner[running++] = next;
                }
            }
            next++;
        }
        if (running == 0) {
            cli_interrupt_check(); /* ends the process when a signal stopped the suite */
            return;
        }
        int code = 0, signo = 0;
        pid_t done = cli_wait_any(&code, &signo);
        for (size_t i = 0; i < running; i++) {
            if (pids[i] == done) {
                l->items[owner[i]].exit_code = code;
                l->items[owner[i]].signo = signo;
                pids[i] = pids[running - 1];
                owner[i] = owner[running - 1];
                running--;
                break;
            }
        }
        if (done < 0) {
            return;
        }
    }
}

static const char *status_word(const entry_t *e) {
    if (!e->loaded) {
        return "INVALID";
    }
    switch (e->exit_code) {
        case CLI_EXIT_OK:
            return "pass";
        case CLI_EXIT_FAIL:
            return "FAIL";
        case CLI_EXIT_NODE_FAULT:
            return "FAULT";
        default:
            return "ERROR";
    }
}

/*
 * Whether the run committed a run folder, `dir`, with its report: it exited with a verdict (pass,
 * fail, node fault) and a new folder is in place (a commit renames a new folder to `dir`, so its
 * inode differs from the one there before). Any other end (a crash, an error exit, a sanitizer
 * that exits 1 on a crash) leaves whatever an earlier suite put at `dir`, whose report must not
 * stand in for this run.
 */
static bool wrote_report(const entry_t *e, const char *dir) {
    struct stat now;
    return e->loaded && e->signo == 0 &&
           (e->exit_code == CLI_EXIT_OK || e->exit_code == CLI_EXIT_FAIL ||
            e->exit_code == CLI_EXIT_NODE_FAULT) &&
           stat(dir, &now) == 0 &&
           (!e->had_folder || now.st_dev != e->before.st_dev || now.st_ino != e->before.st_ino);
}

/* Why an entry has no report, for the table's stderr line and the JUnit <error>. */
static void no_report_reason(const entry_t *e, char *buf, size_t len) {
    if (!e->loaded) {
        snprintf(buf, len, "%s", e->load_error);
    } else if (e->signo != 0) {
        snprintf(buf, len, "the run crashed: killed by signal %d (%s)", e->signo,
                 strsignal(e->signo));
    } else {
        snprintf(buf, len, "the run ended with exit code %d and wrote no report", e->exit_code);
    }
}

static int summarise(list_t *l, const char *out_root, bool quiet) {
    int worst = 0;
    size_t passed = 0;
    if (!quiet) {
        printf("%-32s %-8s %10s %9s %8s  %s\n", "scenario", "result", "sim", "frames", "wall",
               "digest");
    }
    for (size_t i = 0; i < l->n; i++) {
        entry_t *e = &l->items[i];
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", out_root, e->name);
        e->have_report = wrote_report(e, dir) && cli_report_read(dir, &e->report) == 0;
        if (!e->have_report) {
            char why[1100];
            no_report_reason(e, why, sizeof why);
            memset(&e->report, 0, sizeof e->report);
            e->report.scenario_path = strdup(e->path);
            e->report.scenario_name = strdup(e->name);
            e->report.seed = e->seed;
            e->report.verdict = SIM_VERDICT_ERROR;
            e->report.error_message = strdup(why);
            e->report.repro = e->repro != NULL ? strdup(e->repro) : NULL;
        }
        passed += e->exit_code == 0;
        if (e->exit_code != 0 && (worst == 0 || worst == CLI_EXIT_FAIL)) {
            worst = e->exit_code;
        }
        if (!quiet) {
            const sim_report_t *r = &e->report;
            printf("%-32s %-8s %9.1fs %9" PRIu64 " %7.2fs  %.16s\n", e->name, status_word(e),
                   (double)r->sim_duration_ns / 1e9, r->can_frames, (double)r->wall_ms / 1000.0,
                   e->have_report ? r->digest : "-");
        }
        if (!e->loaded) {
            fprintf(stderr, "%s\n", e->load_error);
        } else if (!e->have_report) {
            fprintf(stderr, "%s: %s: %s; reproduce: %s\n", e->name, status_word(e),
                    e->report.error_message, e->repro != NULL ? e->repro : e->path);
        } else if (e->exit_code != 0 && e->report.repro != NULL) {
            fprintf(stderr, "%s: %s; reproduce: %s\n", e->name, status_word(e), e->report.repro);
        }
    }
    if (!quiet) {
        printf("%zu scenarios: %zu passed, %zu failed\n", l->n, passed, l->n - passed);
    }
    return worst;
}

static int write_junit(list_t *l, const char *path) {
    const sim_report_t **runs = calloc(l->n ? l->n : 1, sizeof *runs);
    if (runs == NULL) {
        return CLI_EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < l->n; i++) {
        cli_fill_host_facts(&l->items[i].report);
        runs[i] = &l->items[i].report;
    }
    int rc = sim_report_write_junit(runs, l->n, path);
    free(runs);
    if (rc != 0) {
        fprintf(stderr, "%s: error: cannot write the JUnit file\n", path);
        return CLI_EXIT_IOERR;
    }
    return 0;
}

int cli_suite(int argc, char **argv) {
    cli_opts_t o;
    int rc = cli_opts_parse(&o, "suite", suite_usage, argc, argv, CLI_OPT_SUITE);
    if (rc >= 0) {
        return rc;
    }
    if (o.n_inputs == 0) {
        return cli_usage_error("suite", "expected at least one scenario file or folder");
    }
    if (o.junit != NULL && (rc = cli_output_writable(o.junit, "the JUnit file")) != 0) {
        return rc;
    }
    list_t l = {NULL, 0, 0};
    rc = collect(&l, &o);
    if (rc == 0 && l.n == 0) {
        /* A mistyped or empty folder would otherwise pass in CI with nothing run. An empty shard
         * (more shards than scenarios) is fine: the other shards run them. */
        fprintf(stderr, "%s: error: no scenario files (*.json) found\n", o.inputs[0]);
        rc = CLI_EXIT_NOINPUT;
    }
    if (rc == 0) {
        shard(&l, &o);
        const char *out_root = o.out ? o.out : "out/suite";
        if (cli_mkdir_parents(out_root) != 0 || (mkdir(out_root, 0777) != 0 && errno != EEXIST)) {
            fprintf(stderr, "%s: error: cannot create: %s\n", out_root, strerror(errno));
            rc = CLI_EXIT_IOERR;
        }
        if (rc == 0) {
            preload(&l, &o);
            cli_interrupt_set_outcome("the suite was stopped; the run folders of the "
                                      "scenarios that finished are kept");
            cli_interrupt_install();
            run_all(&l, &o, out_root);
            rc = summarise(&l, out_root, o.quiet);
            if (o.junit != NULL) {
                int jrc = write_junit(&l, o.junit);
                rc = rc ? rc : jrc;
            }
        }
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.items[i].path);
        free(l.items[i].repro);
        sim_report_clear(&l.items[i].report);
    }
    free(l.items);
    return rc;
}
