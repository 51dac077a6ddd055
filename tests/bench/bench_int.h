/*
 * bench_int.h: the harness's own pieces, shared by its files (not by benchmarks).
 *
 *   bench_main.c     options, selection, one child process per benchmark
 *   bench_report.c   the tables and the JSON file
 *   bench_expect.c   recorded digests: lookup and --update
 *   bench_measure.c  host CPU time and RSS
 *   bench_plot.c     the scaling plot (PNG)
 */
#ifndef BENCH_INT_H
#define BENCH_INT_H

#include <stdio.h>

#include "bench.h"

#define BENCH_MAX_RESULTS 64

/** Prints one table per kind present in rs[0..n). */
void bench_report_tables(FILE *out, const bench_result_t *rs, size_t n, bool quick);

/** Writes every result as a JSON document. 0, or -1 if the file could not be written. */
int bench_report_json(const char *path, const bench_result_t *rs, size_t n, bool quick,
                      const char *machine);

/** What the scaling series and the two reference workloads say together (0: not measured). */
typedef struct {
    double full_ratio;   /* per-node throughput of s127 over that of s4 */
    double series_ratio; /* the same for scale_127 over scale_4 */
    double exponent;     /* cost per simulated second ~ nodes^k, first to last point */
    double max_exponent; /* the largest k between neighbouring points */
    unsigned points;
} bench_scaling_t;

void bench_scaling(const bench_result_t *rs, size_t n, bench_scaling_t *out);

/** A one-line description of the host: CPU model, cores, compiler. */
void bench_machine(char *buf, size_t len);

/** The machine's CPU time so far, all CPUs together, from /proc/stat (in clock ticks). */
typedef struct {
    uint64_t total; /* every state, idle included */
    uint64_t steal; /* taken by the hypervisor for other guests while this one wanted to run */
    bool ok;        /* false when /proc/stat was unreadable */
} bench_cpu_ticks_t;

bench_cpu_ticks_t bench_cpu_ticks(void);

/**
 * Appends ", hypervisor steal N % during the run" to the machine line buf (a string of capacity
 * len): the share of the machine's CPU time between `before` and now that a hypervisor gave to
 * other guests while this one wanted to run. On an overcommitted virtual machine it is one
 * reason timings of the same build differ between runs. Nothing is added without /proc/stat.
 */
void bench_machine_add_steal(char *buf, size_t len, bench_cpu_ticks_t before);

/** Ratio as printed: baseline/subject, or subject/baseline when lower is better. */
double bench_ratio(const bench_result_t *r);

/** True when the result meets its target (or has none). */
bool bench_met(const bench_result_t *r);

/**
 * Checks each result's digest against the file's recorded one (failing it on a mismatch) or,
 * with update, rewrites the file with the digests seen. 0, or -1 if the file could not be
 * written.
 */
int bench_expect_apply(const char *path, bench_result_t *rs, size_t n, bool quick, bool update);

/**
 * Writes the scaling plot of the scale_* workloads to a PNG file. 0 when written, 1 when there
 * is nothing to plot, -1 on a write error.
 */
int bench_plot_scaling(const char *path, const bench_result_t *rs, size_t n);

#endif
