/*
 * bench_report.c: the results as tables (one per kind) and as a JSON document.
 *
 * Derived figures are computed here from what the benchmarks measured, in one place:
 *   sim s per wall s  = simulated seconds / run-loop CPU seconds
 *   events/s          = events / run-loop CPU seconds
 *   events per sim s  = events / simulated seconds
 *   ratio             = baseline / subject (x faster), or subject / baseline for costs
 * The C locale is the process default and nothing here calls setlocale, so numbers print with
 * a decimal point whatever the environment says.
 */
#include <math.h>
#include <string.h>

#include "bench_int.h"

double bench_ratio(const bench_result_t *r) {
    if (r->subject_ns <= 0 || r->baseline_ns <= 0) {
        return 0.0;
    }
    return r->lower_is_better ? r->subject_ns / r->baseline_ns : r->baseline_ns / r->subject_ns;
}

static double per(double a, double b) {
    return b > 0 ? a / b : 0.0;
}

bool bench_met(const bench_result_t *r) {
    if (r->target <= 0) {
        return true;
    }
    switch (r->kind) {
        case BENCH_RATIO:
            return r->lower_is_better ? bench_ratio(r) <= r->target : bench_ratio(r) >= r->target;
        case BENCH_MEMORY:
            return r->bytes_per_unit <= r->target;
        case BENCH_WORKLOAD:
            return per(r->sim_s, r->run_cpu_s) >= r->target;
    }
    return false;
}

static const char *verdict(const bench_result_t *r) {
    if (r->failed) {
        return "FAILED";
    }
    if (r->target <= 0) {
        return "-";
    }
    return bench_met(r) ? "met" : "MISSED";
}

static const char *check(const bench_result_t *r) {
    return r->digest_check[0] ? r->digest_check : "-";
}

static void workload_table(FILE *out, const bench_result_t *rs, size_t n) {
    fprintf(out, "%-22s %5s %12s %10s %12s %9s %9s %8s %8s %-8s %s\n", "workload", "nodes",
            "sim s/wall s", "Mevents/s", "events/sim s", "run CPU s", "load CPU", "RSS MiB",
            "target", "digest", "verdict");
    for (size_t i = 0; i < n; i++) {
        const bench_result_t *r = &rs[i];
        if (r->kind != BENCH_WORKLOAD) {
            continue;
        }
        char target[16] = "-";
        if (r->target > 0) {
            snprintf(target, sizeof target, "%.0f", r->target);
        }
        fprintf(out, "%-22s %5u %12.1f %10.3f %12.1f %9.3f %9.3f %8.1f %8s %-8s %s\n", r->name,
                r->nodes, per(r->sim_s, r->run_cpu_s), per((double)r->events, r->run_cpu_s) / 1e6,
                per((double)r->events, r->sim_s), r->run_cpu_s, r->load_cpu_s,
                (double)r->peak_rss_kib / 1024.0, target, check(r), verdict(r));
    }
    fputc('\n', out);
}

static void ratio_table(FILE *out, const bench_result_t *rs, size_t n) {
    fprintf(out, "%-22s %-14s %9s %-14s %9s %8s %7s %6s %-8s %s\n", "comparison", "subject",
            "ns/op", "baseline", "ns/op", "ratio", "target", "aim", "digest", "verdict");
    for (size_t i = 0; i < n; i++) {
        const bench_result_t *r = &rs[i];
        if (r->kind != BENCH_RATIO) {
            continue;
        }
        char aim[16] = "-", target[16] = "-";
        if (r->aim > 0) {
            snprintf(aim, sizeof aim, "%.2fx", r->aim);
        }
        if (r->target > 0) {
            snprintf(target, sizeof target, "%s%.2fx", r->lower_is_better ? "<" : "", r->target);
        }
        fprintf(out, "%-22s %-14s %9.2f %-14s %9.2f %7.2fx %7s %6s %-8s %s\n", r->name, r->subject,
                r->subject_ns, r->baseline, r->baseline_ns, bench_ratio(r), target, aim, check(r),
                verdict(r));
    }
    fputc('\n', out);
}

static void memory_table(FILE *out, const bench_result_t *rs, size_t n) {
    fprintf(out, "%-22s %12s %-10s %12s %8s %s\n", "memory", "KiB per", "unit", "target KiB",
            "RSS MiB", "verdict");
    for (size_t i = 0; i < n; i++) {
        const bench_result_t *r = &rs[i];
        if (r->kind != BENCH_MEMORY) {
            continue;
        }
        fprintf(out, "%-22s %12.1f %-10s %12.1f %8.1f %s\n", r->name, r->bytes_per_unit / 1024.0,
                r->unit, r->target / 1024.0, (double)r->peak_rss_kib / 1024.0, verdict(r));
    }
    fputc('\n', out);
}

/* Per-node throughput: node-seconds simulated per CPU second of the run loop. */
static double per_node_tput(const bench_result_t *r) {
    return per((double)r->nodes * r->sim_s, r->run_cpu_s);
}

static const bench_result_t *find(const bench_result_t *rs, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rs[i].name, name) == 0 && !rs[i].failed && rs[i].run_cpu_s > 0) {
            return &rs[i];
        }
    }
    return NULL;
}

void bench_scaling(const bench_result_t *rs, size_t n, bench_scaling_t *out) {
    memset(out, 0, sizeof *out);
    const bench_result_t *a = find(rs, n, "s4"), *b = find(rs, n, "s127");
    if (a != NULL && b != NULL) {
        out->full_ratio = per_node_tput(b) / per_node_tput(a);
    }
    a = find(rs, n, "scale_4");
    b = find(rs, n, "scale_127");
    if (a != NULL && b != NULL) {
        out->series_ratio = per_node_tput(b) / per_node_tput(a);
    }
    /* Growth exponent between consecutive points of the series: cost ~ nodes^k. */
    static const char *const series[] = {"scale_1",  "scale_2",  "scale_4",  "scale_8",
                                         "scale_16", "scale_32", "scale_64", "scale_127"};
    const bench_result_t *prev = NULL, *first = NULL;
    bool have_k = false;
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
        const bench_result_t *r = find(rs, n, series[i]);
        if (r == NULL) {
            continue;
        }
        if (prev != NULL) {
            double k = log((r->run_cpu_s / r->sim_s) / (prev->run_cpu_s / prev->sim_s)) /
                       log((double)r->nodes / (double)prev->nodes);
            out->max_exponent = have_k && out->max_exponent > k ? out->max_exponent : k;
            have_k = true;
        }
        first = first ? first : r;
        prev = r;
        out->points++;
    }
    if (out->points > 1) {
        out->exponent = log((prev->run_cpu_s / prev->sim_s) / (first->run_cpu_s / first->sim_s)) /
                        log((double)prev->nodes / (double)first->nodes);
    }
}

static void scaling_lines(FILE *out, const bench_result_t *rs, size_t n) {
    bench_scaling_t sc;
    bench_scaling(rs, n, &sc);
    if (sc.full_ratio > 0) {
        fprintf(out, "scaling: per-node throughput s127 / s4 = %.2f (target >= 0.50: %s)\n",
                sc.full_ratio, sc.full_ratio >= 0.5 ? "met" : "MISSED");
    }
    if (sc.series_ratio > 0) {
        fprintf(out,
                "scaling: per-node throughput scale_127 / scale_4 = %.2f (target >= 0.50: %s)\n",
                sc.series_ratio, sc.series_ratio >= 0.5 ? "met" : "MISSED");
    }
    for (size_t i = 0; i < n; i++) {
        const bench_result_t *r = &rs[i];
        if (strcmp(r->name, "firmware_scaling") == 0 && !r->failed && r->subject_ns > 0) {
            /* What the firmware alone reaches: the per-node target's context (bench_replay.c). */
            fprintf(out,
                    "scaling: per-pack throughput of the firmware alone, every copy hot, %s / "
                    "%s = %.2f (firmware_scaling)\n",
                    r->subject, r->baseline, bench_ratio(r));
        }
    }
    if (sc.points > 1) {
        fprintf(out,
                "scaling: cost ~ nodes^k, k = %.2f first to last, at most %.2f between neighbours "
                "(super-quadratic above 2: %s)\n\n",
                sc.exponent, sc.max_exponent, sc.max_exponent <= 2.0 ? "no" : "YES");
    }
}

static bool has_kind(const bench_result_t *rs, size_t n, bench_kind_t k) {
    for (size_t i = 0; i < n; i++) {
        if (rs[i].kind == k) {
            return true;
        }
    }
    return false;
}

void bench_report_tables(FILE *out, const bench_result_t *rs, size_t n, bool quick) {
    if (quick) {
        fprintf(out, "(--quick: short runs, the numbers are not measurements)\n\n");
    }
    if (has_kind(rs, n, BENCH_WORKLOAD)) {
        workload_table(out, rs, n);
        scaling_lines(out, rs, n);
    }
    if (has_kind(rs, n, BENCH_RATIO)) {
        ratio_table(out, rs, n);
    }
    if (has_kind(rs, n, BENCH_MEMORY)) {
        memory_table(out, rs, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (rs[i].note[0] != '\0') {
            fprintf(out, "%s%s: %s\n", rs[i].failed ? "FAILED " : "", rs[i].name, rs[i].note);
        }
    }
}

/* A JSON string: the harness's own text, so escaping quotes, backslashes and controls does. */
static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static void json_result(FILE *f, const bench_result_t *r) {
    static const char *const kinds[] = {"workload", "ratio", "memory"};
    fprintf(f, "    {\"name\": ");
    json_str(f, r->name);
    fprintf(f, ", \"kind\": \"%s\", \"failed\": %s, \"verdict\": ", kinds[r->kind],
            r->failed ? "true" : "false");
    json_str(f, verdict(r));
    fprintf(f, ",\n     \"note\": ");
    json_str(f, r->note);
    fprintf(f, ", \"digest\": ");
    json_str(f, r->digest);
    fprintf(f, ", \"digest_check\": ");
    json_str(f, check(r));
    fprintf(f,
            ",\n     \"nodes\": %u, \"sim_s\": %.6g, \"run_cpu_s\": %.6g, \"load_cpu_s\": %.6g,"
            " \"events\": %llu, \"sim_s_per_wall_s\": %.6g, \"events_per_s\": %.6g,"
            " \"events_per_sim_s\": %.6g,\n",
            r->nodes, r->sim_s, r->run_cpu_s, r->load_cpu_s, (unsigned long long)r->events,
            per(r->sim_s, r->run_cpu_s), per((double)r->events, r->run_cpu_s),
            per((double)r->events, r->sim_s));
    fprintf(f, "     \"subject\": ");
    json_str(f, r->subject);
    fprintf(f, ", \"baseline\": ");
    json_str(f, r->baseline);
    fprintf(f, ", \"subject_ns\": %.6g, \"baseline_ns\": %.6g, \"ops\": %llu, \"ratio\": %.6g,\n",
            r->subject_ns, r->baseline_ns, (unsigned long long)r->ops, bench_ratio(r));
    fprintf(f, "     \"bytes_per_unit\": %.6g, \"unit\": ", r->bytes_per_unit);
    json_str(f, r->unit);
    fprintf(f, ", \"target\": %.6g, \"aim\": %.6g, \"peak_rss_kib\": %llu}", r->target, r->aim,
            (unsigned long long)r->peak_rss_kib);
}

int bench_report_json(const char *path, const bench_result_t *rs, size_t n, bool quick,
                      const char *machine) {
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return -1;
    }
    fprintf(f, "{\n  \"machine\": ");
    json_str(f, machine);
    bench_scaling_t sc;
    bench_scaling(rs, n, &sc);
    fprintf(f, ",\n  \"quick\": %s,\n", quick ? "true" : "false");
    fprintf(f,
            "  \"scaling\": {\"per_node_s127_over_s4\": %.6g, \"per_node_scale127_over_scale4\":"
            " %.6g, \"exponent\": %.6g, \"max_exponent\": %.6g, \"points\": %u},\n",
            sc.full_ratio, sc.series_ratio, sc.exponent, sc.max_exponent, sc.points);
    fprintf(f, "  \"results\": [\n");
    for (size_t i = 0; i < n; i++) {
        json_result(f, &rs[i]);
        fprintf(f, "%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}
