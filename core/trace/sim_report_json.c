/*
 * report.json: the run's verdict and numbers for scripts, pretty-printed with two-space indents
 * and a fixed key order (sim_report.h), so reports diff cleanly and golden tests can compare them
 * once wall_ms is masked.
 *
 * Written by hand rather than through cJSON: the order and the number formats are part of the
 * contract, and 64-bit counters must print exactly (cJSON keeps numbers as doubles). The seed
 * appears twice for the same reason: as a number for humans and as "0x…" text, which survives
 * readers that would round it to 53 bits.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_report.h"
#include "sim_trace_int.h"
#include "sim_trace_text.h"

#ifndef SIM_VERSION
#define SIM_VERSION "0.1.0"
#endif

#define DEPTH_MAX 8

/* A tiny streaming writer: it knows when to print a comma and how far to indent. */
typedef struct {
    FILE *f;
    unsigned depth;
    bool empty[DEPTH_MAX]; /* nothing written yet in the container at this depth */
} jw_t;

static void jw_next(jw_t *w, const char *key) {
    fputs(w->empty[w->depth] ? "\n" : ",\n", w->f);
    w->empty[w->depth] = false;
    for (unsigned i = 0; i < w->depth; i++) {
        fputs("  ", w->f);
    }
    if (key != NULL) {
        sim_text_json_fput(w->f, key);
        fputs(": ", w->f);
    }
}

static void jw_open(jw_t *w, const char *key, char brace) {
    if (w->depth > 0) {
        jw_next(w, key);
    }
    fputc(brace, w->f);
    SIM_ASSERT(w->depth + 1 < DEPTH_MAX);
    w->empty[++w->depth] = true;
}

static void jw_close(jw_t *w, char brace) {
    bool empty = w->empty[w->depth--];
    if (!empty) {
        fputc('\n', w->f);
        for (unsigned i = 0; i < w->depth; i++) {
            fputs("  ", w->f);
        }
    }
    fputc(brace, w->f);
}

static void jw_str(jw_t *w, const char *key, const char *val) {
    jw_next(w, key);
    if (val == NULL) {
        fputs("null", w->f);
    } else {
        sim_text_json_fput(w->f, val);
    }
}

static void jw_u64(jw_t *w, const char *key, uint64_t val) {
    jw_next(w, key);
    fprintf(w->f, "%" PRIu64, val);
}

static void jw_i64(jw_t *w, const char *key, int64_t val) {
    jw_next(w, key);
    fprintf(w->f, "%" PRId64, val);
}

static void jw_bool(jw_t *w, const char *key, bool val) {
    jw_next(w, key);
    fputs(val ? "true" : "false", w->f);
}

static void put_head(jw_t *w, const sim_report_t *r) {
    char hex[24];
    jw_u64(w, "schema_version", SIM_REPORT_SCHEMA_VERSION);
    jw_open(w, "tool", '{');
    jw_str(w, "name", "alfasim");
    jw_str(w, "version", r->tool_version != NULL ? r->tool_version : SIM_VERSION);
    jw_u64(w, "plugin_abi", r->plugin_abi);
    jw_close(w, '}');
    jw_open(w, "scenario", '{');
    jw_str(w, "path", r->scenario_path);
    jw_str(w, "name", r->scenario_name);
    jw_str(w, "sha256", r->scenario_sha256[0] != '\0' ? r->scenario_sha256 : NULL);
    jw_close(w, '}');
    jw_u64(w, "seed", r->seed);
    snprintf(hex, sizeof hex, "0x%" PRIx64, r->seed);
    jw_str(w, "seed_hex", hex);
    jw_str(w, "verdict", sim_verdict_name(r->verdict));
    if (r->verdict == SIM_VERDICT_ERROR) {
        jw_str(w, "error", r->error_message != NULL ? r->error_message : "unknown error");
    }
    jw_i64(w, "sim_duration_ns", r->sim_duration_ns);
    if (r->cut_from_ns > 0) {
        jw_i64(w, "cut_from_ns", r->cut_from_ns);
    }
    jw_str(w, "digest", r->digest[0] != '\0' ? r->digest : NULL);
}

static void put_statistics(jw_t *w, const sim_report_t *r) {
    jw_open(w, "statistics", '{');
    jw_u64(w, "events_run", r->events_run);
    jw_u64(w, "can_frames", r->can_frames);
    jw_u64(w, "can_error_frames", r->can_error_frames);
    jw_u64(w, "can_load_ppm", r->can_load_ppm);
    jw_open(w, "nodes", '[');
    for (size_t i = 0; i < r->n_nodes; i++) {
        const sim_report_node_t *n = &r->nodes[i];
        jw_open(w, NULL, '{');
        jw_str(w, "name", n->name);
        jw_u64(w, "tx_ok", n->tx_ok);
        jw_u64(w, "rx_ok", n->rx_ok);
        jw_u64(w, "tx_queue_full", n->tx_queue_full);
        jw_u64(w, "tx_errors", n->tx_errors);
        jw_u64(w, "bus_off_count", n->bus_off_count);
        jw_u64(w, "resets", n->resets);
        jw_u64(w, "watchdog_resets", n->watchdog_resets);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_close(w, '}');
}

static void put_assertions(jw_t *w, const sim_report_t *r) {
    jw_open(w, "assertions", '[');
    for (size_t i = 0; i < r->n_asserts; i++) {
        const sim_report_assert_t *a = &r->asserts[i];
        jw_open(w, NULL, '{');
        jw_str(w, "name", a->name);
        jw_bool(w, "passed", a->passed);
        /* On every assertion of a cut run, so a reader need not guess what a missing key means;
         * never in a complete run's report, which stays as it was. */
        if (r->cut_from_ns > 0) {
            jw_bool(w, "open", sim_report_open(r, i));
        }
        jw_i64(w, "t_ns", a->t_ns);
        jw_str(w, "expected", a->expected);
        jw_str(w, "actual", a->actual);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

int sim_report_write_json(const sim_report_t *r, const char *dir) {
    SIM_ASSERT(r != NULL && dir != NULL);
    size_t n = strlen(dir);
    char *path = malloc(n + sizeof "/report.json");
    if (path == NULL) {
        return -SIM_EIO;
    }
    memcpy(path, dir, n);
    memcpy(path + n, "/report.json", sizeof "/report.json");
    char *tmp;
    FILE *f = sim_report__begin(path, &tmp);
    if (f == NULL) {
        free(path);
        return -SIM_EIO;
    }
    jw_t w = {.f = f};
    jw_open(&w, NULL, '{');
    put_head(&w, r);
    put_statistics(&w, r);
    put_assertions(&w, r);
    if (r->bridge_json != NULL) {
        jw_next(&w, "bridge");
        fputs(r->bridge_json, f); /* one line of JSON from the bridge's own writer */
    }
    jw_str(&w, "repro", r->repro);
    jw_u64(&w, "wall_ms", r->wall_ms); /* last: the one host-dependent field */
    jw_close(&w, '}');
    fputc('\n', f);
    int rc = sim_report__commit(f, tmp, path);
    free(path);
    return rc;
}
