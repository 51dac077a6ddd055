/*
 * bench.h: the benchmark harness behind `alfasim bench` and the bench_* CTest entries.
 *
 * A benchmark is a named function that measures one thing and fills a bench_result_t. The
 * harness runs each selected benchmark in its own child process (so peak RSS is that
 * benchmark's own, and a crash or a leak stays there), collects the results through a pipe,
 * prints one table per kind and optionally writes them all as JSON.
 *
 *   kind        what a row says
 *   WORKLOAD    a scenario run: simulated s per wall s, events/s, events per simulated s, CPU
 *               time of the run loop (loading excluded), peak RSS, trace digest
 *   RATIO       one operation timed on the subject and on a baseline in the same process:
 *               ns per operation each, ratio baseline/subject ("x faster"), target
 *   MEMORY      a size per unit (bytes per node), target
 *
 * Timings are host CPU time (CLOCK_PROCESS_CPUTIME_ID) and peak RSS (VmHWM): host facts that are
 * printed and never reach a simulation. Targets are reported, never enforced: a benchmark fails
 * only when its digest differs from the recorded one (a faster run that changed behaviour) or
 * when the subject and its baseline disagree about what they computed.
 *
 * Recorded digests live in a text file (tests/bench/expected.txt), one "name mode digest" line
 * each, mode "quick" or "full"; --update rewrites the lines of the benchmarks that ran.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_NAME_MAX   48
#define BENCH_TEXT_MAX   160
#define BENCH_DIGEST_MAX 65
#define BENCH_SERIES_MAX 8

typedef enum { BENCH_WORKLOAD = 0, BENCH_RATIO = 1, BENCH_MEMORY = 2 } bench_kind_t;

/** Options of one harness run, shared by every benchmark. */
typedef struct {
    bool quick;                     /* shorter runs: a smoke test, not a measurement */
    const char *work_dir;           /* scratch space for run folders; exists */
    const char *src_dir;            /* the source tree (scenarios, expected digests) */
    const char *self;               /* the alfasim binary (NULL outside it) */
    const char *const *plugin_dirs; /* NULL-terminated plugin search path for scenarios */
} bench_opts_t;

/** One result row. Unused fields stay zero. Plain data: it crosses a pipe. */
typedef struct {
    char name[BENCH_NAME_MAX];
    bench_kind_t kind;
    bool failed;               /* a correctness check failed; `note` says which */
    char note[BENCH_TEXT_MAX]; /* a short remark, or the failure */

    /* WORKLOAD */
    double sim_s;      /* simulated seconds covered by the timed loop */
    double run_cpu_s;  /* CPU time of the run loop */
    double load_cpu_s; /* CPU time before the loop: loading, building, booting */
    uint64_t events;   /* kernel events run inside the timed loop */
    uint32_t nodes;
    char digest[BENCH_DIGEST_MAX]; /* the trace digest, or a digest of what was computed */
    char digest_check[12];         /* set by the harness: ok, new, updated, MISMATCH */

    /* RATIO */
    double subject_ns; /* per operation */
    double baseline_ns;
    uint64_t ops;
    char subject[24];
    char baseline[24];
    bool lower_is_better; /* ratio is subject/baseline (a cost), else baseline/subject */

    /* MEMORY */
    double bytes_per_unit;
    char unit[16];

    /* every kind */
    double target; /* the ratio or size to meet; 0 = none */
    double aim;    /* the stretch goal; 0 = none */
    uint64_t peak_rss_kib;
} bench_result_t;

/** Runs the benchmark, filling *r (name and kind are set by the harness beforehand). */
typedef void (*bench_fn)(const bench_opts_t *o, const void *param, bench_result_t *r);

typedef struct {
    const char *name; /* unique; --filter matches a substring */
    bench_kind_t kind;
    bench_fn fn;
    const void *param;
    bool heavy; /* skipped by --quick unless named by --filter */
} bench_def_t;

/** A list of benchmarks; the harness is given several. */
typedef struct {
    const bench_def_t *defs;
    size_t n;
} bench_group_t;

/** What the program embedding the harness provides. */
typedef struct {
    const bench_group_t *groups;
    size_t n_groups;
    const char *self_path;          /* may be NULL */
    const char *const *plugin_dirs; /* NULL-terminated; may be NULL */
    const char *src_dir;            /* default source tree (--source overrides) */
} bench_env_t;

/**
 * The harness: parses argv (argv[0] is the command name), runs the selected benchmarks, prints
 * the tables. Exit code 0 when every benchmark ran and its checks held, 1 when one failed, 64
 * on a usage error, 74 when the JSON or plot could not be written.
 */
int bench_main(int argc, char **argv, const bench_env_t *env);

/* ---- helpers for benchmarks --------------------------------------------------------------- */

/** CPU time of this process in seconds (CLOCK_PROCESS_CPUTIME_ID). */
double bench_cpu_s(void);

/** Peak resident set of this process in KiB (VmHWM), 0 if unknown. */
uint64_t bench_peak_rss_kib(void);

/** Current resident set of this process in KiB (VmRSS), 0 if unknown. */
uint64_t bench_rss_kib(void);

/** Finds `file` in the plugin search path; false when it is in none of its directories. */
bool bench_find_plugin(const bench_opts_t *o, const char *file, char *path, size_t len);

/** Marks the result failed with a formatted note. */
void bench_fail(bench_result_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * A 64-bit running digest of a sequence of words, order-sensitive, printed as 16 hex digits. One
 * multiply per word: it runs once per event inside timed loops, where a byte-wise hash would
 * cost as much as the queue operation being measured.
 */
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
    return (((h << 5) | (h >> 59)) ^ v) * UINT64_C(0x9e3779b97f4a7c15);
}
#define BENCH_MIX_INIT UINT64_C(0xcbf29ce484222325)

#endif
