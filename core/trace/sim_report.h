/*
 * sim_report.h: report.json (one per run folder) and junit.xml (for CI systems).
 *
 * report.json carries schema_version, the tool (name, version, plugin ABI), the scenario (path,
 * sha256 of the file, name), seed, verdict, simulated duration, statistics, assertion results,
 * the trace digest, the wall-clock duration (the only host-dependent field; never part of the
 * digest) and the one-line reproduction command.
 *
 * A run cut short (`alfasim run --until`) has no verdict on its scenario: its verdict is CUT
 * (unless a node fault made it ERROR), cut_from_ns says how long the whole run would have been,
 * and each assertion whose window reaches past the cut is `open`: neither passed nor failed.
 * The assertions decided by the cut are judged as in a complete run. A complete run's report has
 * none of these fields.
 *
 * junit.xml follows the strict Ant JUnit schema subset (docs/traces.md): <testsuites> without
 * attributes, one <testsuite> per scenario with package/id/name/timestamp/hostname/tests/
 * failures/errors/time and children <properties>, <testcase>s, <system-out>, <system-err>; one
 * <testcase name="<scenario> seed=0x…"> per run with at most one <failure>/<error> (type set, the
 * repro command in its text).
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_types.h"

#define SIM_REPORT_SCHEMA_VERSION 1

typedef enum {
    SIM_VERDICT_PASS = 0,
    SIM_VERDICT_FAIL,
    SIM_VERDICT_ERROR,
    SIM_VERDICT_CUT, /* cut short before the end: no verdict on the scenario */
} sim_verdict_t;
/** "pass", "fail", "error", "cut". */
const char *sim_verdict_name(sim_verdict_t v);

typedef struct {
    char *name; /* assertion name */
    bool passed;
    sim_time_ns_t t_ns; /* when it was decided */
    char *expected;     /* text, may be NULL */
    char *actual;       /* text, may be NULL */
} sim_report_assert_t;

typedef struct {
    char *name;
    uint64_t tx_ok, rx_ok, tx_queue_full, tx_errors, bus_off_count;
    uint32_t resets, watchdog_resets;
} sim_report_node_t;

/*
 * Every char * in these structs is owned by the report (malloc'd; sim_report_clear frees it) and
 * may be NULL when unknown. The wall-clock facts (wall_ms, timestamp, hostname) are for people
 * and CI only: they never enter the trace digest.
 */
typedef struct {
    /* tool */
    char *tool_version;  /* NULL: SIM_VERSION when the build defines it, else "0.1.0" */
    uint32_t plugin_abi; /* ALFASIM_PLUGIN_ABI_VERSION of the host that ran the scenario */
    /* scenario */
    char *scenario_path;
    char *scenario_name;
    char scenario_sha256[65];
    uint64_t seed;
    /* outcome */
    sim_verdict_t verdict;
    char *error_message; /* for SIM_VERDICT_ERROR */
    sim_time_ns_t sim_duration_ns;
    sim_time_ns_t cut_from_ns; /* cut run: the duration it was cut from (> sim_duration_ns); 0 */
    uint64_t wall_ms;          /* host time, for people; excluded from the digest */
    char timestamp[20]; /* run start, local "YYYY-MM-DDTHH:MM:SS" (junit); "" writes the epoch */
    char *hostname;     /* junit; NULL writes "localhost" */
    char digest[65];
    char *repro;          /* one-line command reproducing the run */
    char *bridge_json;    /* a bridged run's statistics (one JSON object), or NULL */
    uint32_t node_faults; /* nodes whose firmware crashed, hung or flooded (verdict ERROR) */
    /* statistics */
    uint64_t events_run;
    uint64_t can_frames, can_error_frames;
    uint32_t can_load_ppm;
    sim_report_node_t *nodes;
    size_t n_nodes;
    sim_report_assert_t *asserts;
    size_t n_asserts;
    /* A cut run: asserts_open[i] says asserts[i]'s window reaches past the cut, so it was not
     * judged (its passed is false). NULL otherwise. Read it through sim_report_open(). */
    bool *asserts_open;
} sim_report_t;

/**
 * Writes <dir>/report.json, pretty-printed, keys in this order: schema_version, tool {name,
 * version, plugin_abi}, scenario {path, name, sha256}, seed (number), seed_hex ("0x…"), verdict
 * ("pass"/"fail"/"error"/"cut"), error (ERROR only), sim_duration_ns, cut_from_ns (cut runs
 * only), digest, statistics {events_run, can_frames, can_error_frames, can_load_ppm, nodes
 * [...]}, assertions [{name, passed, open (cut runs only), t_ns, expected, actual}...], repro,
 * wall_ms. Atomic (temp + rename). 0 or -SIM_EIO.
 */
int sim_report_write_json(const sim_report_t *r, const char *dir);

/** Whether assertion i of a cut run was open at the cut (false in a complete run). */
bool sim_report_open(const sim_report_t *r, size_t i);

/**
 * The assertions that failed: not passed and not open. In a cut run these are the ones decided
 * by the cut; in a complete run every one that did not pass.
 */
size_t sim_report_failures(const sim_report_t *r);

/**
 * Writes a JUnit file for one or more runs (a suite). 0 or -SIM_EIO. Atomic (temp + rename).
 * A cut run is never a passing testcase: a <failure> when an assertion decided by the cut
 * failed, else an <error type="cut">.
 */
int sim_report_write_junit(const sim_report_t *const *runs, size_t n, const char *path);

/** Frees the strings and arrays inside r (not r itself). */
void sim_report_clear(sim_report_t *r);

#endif
