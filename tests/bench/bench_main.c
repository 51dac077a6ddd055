/*
 * bench_main.c: `alfasim bench`: options, selection, and one child process per benchmark.
 *
 * Each benchmark runs in a fork()ed child that writes its bench_result_t into a pipe and exits:
 * peak RSS is then the benchmark's own (plus the small harness it inherited), memory a workload
 * leaks or fragments never slows the next one, and a crash is reported as that benchmark's
 * failure instead of ending the job. Children run one after another, never in parallel: they
 * would compete for the two cores and for cache, and the timings would say so.
 */
#define _DEFAULT_SOURCE /* mkdtemp, getopt_long */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_int.h"

static const char bench_usage[] =
    "Usage: alfasim bench [--filter TEXT] [--json FILE] [--plot FILE] [--quick] [--list]\n"
    "                     [--update] [--source DIR] [--work DIR]\n"
    "\n"
    "Runs the benchmarks (reference workloads and their baselines) and prints one table per\n"
    "kind. Each benchmark runs in its own process, one at a time. Timings are host CPU time;\n"
    "targets are reported, never enforced. A benchmark fails when what it computed differs from\n"
    "the recorded digest (tests/bench/expected.txt) or from its baseline.\n"
    "\n"
    "Examples:\n"
    "  alfasim bench --quick\n"
    "  alfasim bench --filter s4 --filter hold --json out/bench.json --plot out/scaling.png\n"
    "\n"
    "Options:\n"
    "  --filter TEXT   only the benchmark named TEXT, or else those whose name contains TEXT\n"
    "                  (repeatable)\n"
    "  --json FILE     also write the results as JSON\n"
    "  --plot FILE     write the scaling plot (PNG) when scale_* workloads ran\n"
    "  --quick         short runs and the light benchmarks only: a smoke test, not a measurement\n"
    "  --list          list the benchmarks and exit\n"
    "  --update        record the digests seen instead of checking them\n"
    "  --source DIR    the source tree (scenarios, recorded digests)\n"
    "  --work DIR      scratch directory for run folders (default: a fresh one in $TMPDIR)\n"
    "\n"
    "Exit codes: 0 every benchmark ran and its checks held, 1 one failed, 64 usage error,\n"
    "74 cannot write output.\n";

#define MAX_FILTERS 16

typedef struct {
    const char *filters[MAX_FILTERS];
    size_t n_filters;
    const char *json;
    const char *plot;
    const char *src_dir;
    const char *work_dir;
    bool quick, list, update;
} bench_args_t;

/* One line in the form every alfasim command uses, then where to read more. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("alfasim: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'alfasim bench --help'.\n", stderr);
    va_end(ap);
    return 64;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(bench_args_t *a, int argc, char **argv) {
    static const struct option longs[] = {
        {"filter", required_argument, NULL, 'f'}, {"json", required_argument, NULL, 'j'},
        {"plot", required_argument, NULL, 'p'},   {"quick", no_argument, NULL, 'q'},
        {"list", no_argument, NULL, 'l'},         {"update", no_argument, NULL, 'u'},
        {"source", required_argument, NULL, 's'}, {"work", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    /* The leading ':' makes a missing value ':' and an unknown option '?'. */
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
            case 'f':
                if (a->n_filters == MAX_FILTERS) {
                    return usage_error("option '%s' for 'bench' is given more than 16 times",
                                       "--filter");
                }
                a->filters[a->n_filters++] = optarg;
                break;
            case 'j':
                a->json = optarg;
                break;
            case 'p':
                a->plot = optarg;
                break;
            case 'q':
                a->quick = true;
                break;
            case 'l':
                a->list = true;
                break;
            case 'u':
                a->update = true;
                break;
            case 's':
                a->src_dir = optarg;
                break;
            case 'w':
                a->work_dir = optarg;
                break;
            case 'h':
                fputs(bench_usage, stdout);
                return 0;
            case ':':
                return usage_error("option '%s' needs a value", argv[optind - 1]);
            default:
                return usage_error("unknown option '%s' for 'bench'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s' for 'bench'", argv[optind]);
    }
    return -1;
}

/* True when some benchmark is called exactly `name`. */
static bool is_a_name(const bench_env_t *env, const char *name) {
    for (size_t g = 0; g < env->n_groups; g++) {
        for (size_t i = 0; i < env->groups[g].n; i++) {
            if (strcmp(env->groups[g].defs[i].name, name) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* A filter that names a benchmark selects it alone; any other text selects by substring. */
static bool selected(const bench_args_t *a, const bench_env_t *env, const bench_def_t *d) {
    if (a->n_filters == 0) {
        return !(a->quick && d->heavy);
    }
    for (size_t i = 0; i < a->n_filters; i++) {
        const char *f = a->filters[i];
        if (is_a_name(env, f) ? strcmp(d->name, f) == 0 : strstr(d->name, f) != NULL) {
            return true;
        }
    }
    return false;
}

/* Reads exactly len bytes; false on a short read (the child died first). */
static bool read_all(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t got = read(fd, p, len);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return false;
        }
        p += got;
        len -= (size_t)got;
    }
    return true;
}

static void child(int fd, const bench_opts_t *o, const bench_def_t *d, bench_result_t *r) {
    d->fn(o, d->param, r);
    if (r->peak_rss_kib == 0) {
        r->peak_rss_kib = bench_peak_rss_kib(); /* unless it measured a process of its own */
    }
    const char *p = (const char *)r;
    size_t left = sizeof *r;
    while (left > 0) {
        ssize_t put = write(fd, p, left);
        if (put < 0 && errno == EINTR) {
            continue;
        }
        if (put <= 0) {
            _exit(2);
        }
        p += put;
        left -= (size_t)put;
    }
    _exit(0);
}

/* Runs one benchmark in a child process; the result says whether it crashed. */
static void run_one(const bench_opts_t *o, const bench_def_t *d, bench_result_t *r) {
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", d->name);
    r->kind = d->kind;
    int fds[2];
    if (pipe(fds) != 0) {
        bench_fail(r, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        bench_fail(r, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], o, d, r);
    }
    close(fds[1]);
    bench_result_t got;
    bool ok = read_all(fds[0], &got, sizeof got);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (ok && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *r = got;
    } else if (WIFSIGNALED(status)) {
        bench_fail(r, "crashed (signal %d)", WTERMSIG(status));
    } else {
        bench_fail(r, "exited %d without a result", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
}

static void list_benchmarks(const bench_env_t *env) {
    for (size_t g = 0; g < env->n_groups; g++) {
        for (size_t i = 0; i < env->groups[g].n; i++) {
            const bench_def_t *d = &env->groups[g].defs[i];
            printf("%s%s\n", d->name, d->heavy ? "  (heavy: not in --quick)" : "");
        }
    }
}

/* Runs every selected benchmark; returns how many results were filled. */
static size_t run_selected(const bench_args_t *a, const bench_opts_t *o, const bench_env_t *env,
                           bench_result_t *rs) {
    size_t n = 0;
    for (size_t g = 0; g < env->n_groups; g++) {
        for (size_t i = 0; i < env->groups[g].n && n < BENCH_MAX_RESULTS; i++) {
            const bench_def_t *d = &env->groups[g].defs[i];
            if (!selected(a, env, d)) {
                continue;
            }
            fprintf(stderr, "bench: %s ...\n", d->name);
            run_one(o, d, &rs[n++]);
        }
    }
    return n;
}

/* The scratch directory: the one given, or a fresh one removed at the end. */
static bool make_work_dir(bench_args_t *a, char *buf, size_t len, bool *made) {
    *made = false;
    if (a->work_dir != NULL) {
        return mkdir(a->work_dir, 0777) == 0 || errno == EEXIST;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, len, "%s/alfasim-bench-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(buf) == NULL) {
        return false;
    }
    a->work_dir = buf;
    *made = true;
    return true;
}

/* Digests, tables, JSON and plot; returns the exit code. */
static int finish(const bench_args_t *a, bench_result_t *rs, size_t n, const char *machine) {
    char expect[4096];
    snprintf(expect, sizeof expect, "%s/tests/bench/expected.txt", a->src_dir);
    int code = 0;
    if (bench_expect_apply(expect, rs, n, a->quick, a->update) != 0) {
        fprintf(stderr, "alfasim: error: cannot write %s\n", expect);
        code = 74;
    }
    printf("machine: %s\n\n", machine);
    bench_report_tables(stdout, rs, n, a->quick);
    if (a->json != NULL && bench_report_json(a->json, rs, n, a->quick, machine) != 0) {
        fprintf(stderr, "alfasim: error: cannot write %s\n", a->json);
        code = 74;
    }
    if (a->plot != NULL && bench_plot_scaling(a->plot, rs, n) < 0) {
        fprintf(stderr, "alfasim: error: cannot write %s\n", a->plot);
        code = 74;
    }
    for (size_t i = 0; i < n && code == 0; i++) {
        code = rs[i].failed ? 1 : 0;
    }
    return code;
}

int bench_main(int argc, char **argv, const bench_env_t *env) {
    bench_args_t a = {.src_dir = env->src_dir};
    int rc = parse_args(&a, argc, argv);
    if (rc >= 0) {
        return rc;
    }
    if (a.list) {
        list_benchmarks(env);
        return 0;
    }
    char work[4096];
    bool made;
    if (!make_work_dir(&a, work, sizeof work, &made)) {
        fprintf(stderr, "alfasim: error: cannot create a scratch directory: %s\n", strerror(errno));
        return 74;
    }
    bench_opts_t o = {.quick = a.quick,
                      .work_dir = a.work_dir,
                      .src_dir = a.src_dir,
                      .self = env->self_path,
                      .plugin_dirs = env->plugin_dirs};
    bench_result_t *rs = calloc(BENCH_MAX_RESULTS, sizeof *rs);
    if (rs == NULL) {
        return 70;
    }
    char machine[384];
    bench_machine(machine, sizeof machine); /* before the runs: the load says who else ran */
    bench_cpu_ticks_t ticks = bench_cpu_ticks();
    size_t n = run_selected(&a, &o, env, rs);
    bench_machine_add_steal(machine, sizeof machine, ticks);
    if (made) {
        rmdir(work); /* benchmarks remove their own run folders */
    }
    rc = n == 0 ? usage_error("no benchmark matches --filter '%s' (--list shows them)",
                              a.n_filters ? a.filters[0] : "")
                : finish(&a, rs, n, machine);
    free(rs);
    return rc;
}
