/*
 * fuzz_scenario.c: the scenario loader (core/scenario/sim_scenario.h) on any bytes.
 *
 * The input is a scenario file's text, loaded with sim_scenario_load_buffer() as
 * "<empty dir>/fuzz.json" with that empty directory as the only plugin directory, so bare plugin
 * names are never found and relative plugin paths point into nothing: every lookup fails
 * cleanly. The directory is made once per process (mkdtemp) and removed at exit.
 *
 * Invariants, from the header's contract:
 *   - failure: *out is NULL; the code and exit_code agree (-SIM_EFORMAT 65, -SIM_ENOENT 66,
 *     -SIM_ENOMEM 70); file and message are NUL-terminated in their arrays, the message is not
 *     empty, and the formatted diagnostic is one line of printable text (no control bytes), with
 *     line:col inside the input when it names the input;
 *   - success: a scenario whose duration is in range, whose node names are unique and found by
 *     sim_scenario_node_index, whose actions are sorted, inside the run and aimed at existing
 *     nodes, and which sim_scenario_free releases completely (LeakSanitizer checks);
 *   - a second load of the same text gives the same result and the same diagnostic (the loader
 *     keeps no state between loads).
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "sim_scenario.h"

static char empty_dir[256];
static char input_path[300];

static void remove_empty_dir(void) {
    (void)rmdir(empty_dir);
}

static void make_empty_dir(void) {
    if (empty_dir[0] != '\0') {
        return;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(empty_dir, sizeof empty_dir, "%s/alfasim_fuzz_XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(empty_dir) != NULL, "cannot make a temporary directory in %s", empty_dir);
    snprintf(input_path, sizeof input_path, "%s/fuzz.json", empty_dir);
    atexit(remove_empty_dir);
}

static void check_terminated(const char *buf, size_t cap, const char *what) {
    FUZZ_CHECK(memchr(buf, '\0', cap) != NULL, "%s is not terminated within its %zu bytes", what,
               cap);
}

static void check_failure(int rc, const sim_scenario_t *s, const sim_diag_t *d, const char *text,
                          size_t len) {
    FUZZ_CHECK(s == NULL, "failed with %d but returned a scenario", rc);
    int want = rc == -SIM_EFORMAT ? 65 : rc == -SIM_ENOENT ? 66 : rc == -SIM_ENOMEM ? 70 : -1;
    FUZZ_CHECK(want > 0, "undocumented return code %d", rc);
    FUZZ_CHECK(d->exit_code == want, "rc %d with exit code %d", rc, d->exit_code);
    check_terminated(d->file, sizeof d->file, "diag.file");
    check_terminated(d->message, sizeof d->message, "diag.message");
    FUZZ_CHECK(d->message[0] != '\0', "an empty diagnostic message");
    char line[1024];
    sim_diag_format(d, line, sizeof line);
    for (const char *p = line; *p != '\0'; p++) {
        FUZZ_CHECK((unsigned char)*p >= 0x20u && *p != 0x7F, "control byte 0x%02x in \"%s\"",
                   (unsigned)(unsigned char)*p, line);
    }
    FUZZ_CHECK(strstr(line, ": error: ") != NULL, "not a GNU-style diagnostic: \"%s\"", line);
    if (d->line > 0 && strcmp(d->file, input_path) == 0) {
        unsigned lines = 1;
        for (size_t i = 0; i < len; i++) {
            lines += text[i] == '\n' ? 1u : 0u;
        }
        FUZZ_CHECK(d->line <= lines && d->col >= 1, "position %u:%u outside %u lines: \"%s\"",
                   d->line, d->col, lines, line);
    }
}

static void check_actions(const sim_scenario_t *s) {
    for (size_t i = 0; i < s->n_actions; i++) {
        const sim_scn_action_t *a = &s->actions[i];
        FUZZ_CHECK(a->at_ns >= 0 && a->at_ns <= s->duration_ns, "action %zu at %lld ns", i,
                   (long long)a->at_ns);
        FUZZ_CHECK(i == 0 || s->actions[i - 1].at_ns <= a->at_ns, "actions out of order at %zu", i);
        FUZZ_CHECK(a->node >= -1 && a->node < (int)s->n_nodes, "action %zu aims at node %d", i,
                   a->node);
    }
}

static void check_success(const sim_scenario_t *s) {
    FUZZ_CHECK(s != NULL, "success without a scenario");
    FUZZ_CHECK(s->duration_ns > 0 && s->duration_ns <= SIM_SCN_MAX_DURATION_NS, "duration %lld ns",
               (long long)s->duration_ns);
    FUZZ_CHECK(s->n_nodes <= SIM_SCN_MAX_NODES && (s->n_nodes == 0 || s->nodes != NULL),
               "%zu nodes", s->n_nodes);
    FUZZ_CHECK(s->sha256[0] == '\0', "the loader filled sha256");
    for (size_t i = 0; i < s->n_nodes; i++) {
        const sim_scn_node_t *n = &s->nodes[i];
        check_terminated(n->name, sizeof n->name, "a node name");
        FUZZ_CHECK(n->name[0] != '\0', "node %zu has no name", i);
        FUZZ_CHECK(sim_scenario_node_index(s, n->name) == (int)i, "node name \"%s\" not unique",
                   n->name);
        FUZZ_CHECK(n->board >= -1 && n->board < (int)s->n_boards, "node %zu board %d", i, n->board);
        FUZZ_CHECK((n->type == SIM_NODE_PACK) == (n->pack != NULL), "node %zu type %d pack %d", i,
                   (int)n->type, n->pack != NULL);
    }
    check_actions(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    make_empty_dir();
    const char *const dirs[] = {empty_dir, NULL};
    const char *text = (const char *)data;
    sim_scenario_t *s = NULL, *again = NULL;
    sim_diag_t d, d2;
    memset(&d, 0x5A, sizeof d); /* a diagnostic the loader does not fill stays visibly unset */
    memset(&d2, 0x5A, sizeof d2);
    int rc = sim_scenario_load_buffer(input_path, text, size, dirs, &s, &d);
    if (rc == 0) {
        check_success(s);
    } else {
        check_failure(rc, s, &d, text, size);
    }
    int rc2 = sim_scenario_load_buffer(input_path, text, size, dirs, &again, &d2);
    FUZZ_CHECK(rc2 == rc, "a second load gave %d after %d", rc2, rc);
    if (rc != 0) {
        FUZZ_CHECK(strcmp(d.message, d2.message) == 0 && d.line == d2.line && d.col == d2.col,
                   "a second load gave another diagnostic: \"%s\" vs \"%s\"", d.message,
                   d2.message);
    }
    sim_scenario_free(s);
    sim_scenario_free(again);
    return 0;
}
