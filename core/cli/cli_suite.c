/*
 * cli_suite.c: `alfasim suite PATH...`: finds scenario files, loads each (so a broken one is
 * reported with its file:line:col error and counted, not run), runs the rest in up to -j worker
 * processes, prints a summary table and writes one JUnit file for all of them.
 *
 * Folders are searched for scenarios as cli_collect.h describes (recursively, sorted, "boards"
 * folders and '_' fragments skipped).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_collect.h"
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

/* Appends an entry for `path` (copied); -1 when out of memory. */
static int add_path(list_t *l, const char *path) {
    entry_t *items = cli_grow(l->items, &l->cap, l->n, sizeof *items);
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

static int collect(list_t *l, const cli_opts_t *o) {
    cli_paths_t found = {NULL, 0, 0};
    int rc = cli_collect_scenarios("suite", o->inputs, o->n_inputs, &found);
    for (size_t i = 0; rc == 0 && i < found.n; i++) {
        if (add_path(l, found.paths[i]) != 0) {
            fprintf(stderr, "alfasim: error: suite: out of memory while listing scenarios\n");
            rc = CLI_EXIT_SOFTWARE;
        }
    }
    cli_paths_free(&found);
    return rc;
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
