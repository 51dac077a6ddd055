/*
 * What the two report writers share: verdict names, counting failures, freeing a report, and
 * atomic files.
 *
 * Reports are read by CI while runs may still be going on: a reader must see the previous file
 * or the complete new one. Each report is written to "<path>.tmp" and renamed over <path>, which
 * is atomic within a file system.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_report.h"
#include "sim_trace_int.h"

const char *sim_verdict_name(sim_verdict_t v) {
    switch (v) {
        case SIM_VERDICT_PASS:
            return "pass";
        case SIM_VERDICT_FAIL:
            return "fail";
        case SIM_VERDICT_ERROR:
            return "error";
        case SIM_VERDICT_CUT:
            return "cut";
    }
    return "error";
}

bool sim_report_open(const sim_report_t *r, size_t i) {
    SIM_ASSERT(i < r->n_asserts);
    return r->asserts_open != NULL && r->asserts_open[i];
}

size_t sim_report_failures(const sim_report_t *r) {
    size_t n = 0;
    for (size_t i = 0; i < r->n_asserts; i++) {
        n += !r->asserts[i].passed && !sim_report_open(r, i);
    }
    return n;
}

void sim_report_clear(sim_report_t *r) {
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n_nodes; i++) {
        free(r->nodes[i].name);
    }
    for (size_t i = 0; i < r->n_asserts; i++) {
        free(r->asserts[i].name);
        free(r->asserts[i].expected);
        free(r->asserts[i].actual);
    }
    free(r->nodes);
    free(r->asserts);
    free(r->asserts_open);
    free(r->tool_version);
    free(r->scenario_path);
    free(r->scenario_name);
    free(r->error_message);
    free(r->repro);
    free(r->bridge_json);
    free(r->hostname);
    memset(r, 0, sizeof *r);
}

FILE *sim_report__begin(const char *path, char **tmp) {
    size_t n = strlen(path);
    *tmp = malloc(n + sizeof ".tmp");
    if (*tmp == NULL) {
        return NULL;
    }
    memcpy(*tmp, path, n);
    memcpy(*tmp + n, ".tmp", sizeof ".tmp");
    FILE *f = fopen(*tmp, "wb");
    if (f == NULL) {
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

int sim_report__commit(FILE *f, char *tmp, const char *path) {
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (!bad) {
        bad = rename(tmp, path) != 0;
    }
    if (bad) {
        remove(tmp);
    }
    free(tmp);
    return bad ? -SIM_EIO : 0;
}
