/*
 * junit.xml: the strict subset of the Ant JUnit schema that GitLab, Jenkins and GitHub reporters
 * all accept (tests/tools/junit.xsd encodes it; CTest validates our output against it):
 *
 *   <testsuites>                                    no attributes
 *     <testsuite package="alfasim" id="0" name="bus_off" timestamp="2024-05-01T12:00:00"
 *                hostname="ci-7" tests="1" failures="1" errors="0" time="1.250">
 *       <properties> <property name="seed" value="0x5eed1234"/> … </properties>
 *       <testcase name="bus_off seed=0x5eed1234" classname="scenarios.bus_off" time="1.250">
 *         <failure type="assertion" message="…">failed assertions, then the repro command</failure>
 *       </testcase>
 *       <system-out/>
 *       <system-err/>
 *     </testsuite>
 *   </testsuites>
 *
 * A run that failed has a <failure type="assertion">, one that errored an <error type="error">.
 * A run cut short (sim_report.h) has no verdict, which CI must never count as a pass: it has a
 * <failure> when an assertion decided by the cut failed (open ones are not listed), else an
 * <error type="cut">.
 *
 * One testsuite per run, because per-testcase properties are not allowed and every run carries
 * its own seed and digest. The seed is also in the testcase name, the only place CI shows it.
 * Times are printed from integer milliseconds, so no locale can turn "1.250" into "1,250".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_report.h"
#include "sim_trace_int.h"
#include "sim_trace_text.h"

static void attr(FILE *f, const char *name, const char *val) {
    fprintf(f, " %s=\"", name);
    sim_text_xml_fput(f, val, true);
    fputc('"', f);
}

static void attr_u64(FILE *f, const char *name, uint64_t val) {
    fprintf(f, " %s=\"%" PRIu64 "\"", name, val);
}

static void attr_seconds(FILE *f, uint64_t ms) {
    fprintf(f, " time=\"%" PRIu64 ".%03" PRIu64 "\"", ms / 1000u, ms % 1000u);
}

/* "YYYY-MM-DDTHH:MM:SS" exactly (digits where digits belong), else the schema would reject it. */
static bool valid_timestamp(const char *ts) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        bool ok = shape[i] == 'd' ? ts[i] >= '0' && ts[i] <= '9' : ts[i] == shape[i];
        if (!ok) {
            return false;
        }
    }
    return ts[sizeof shape - 1] == '\0';
}

static const char *scenario_name(const sim_report_t *r) {
    return r->scenario_name != NULL && r->scenario_name[0] != '\0' ? r->scenario_name : "unnamed";
}

static void put_property(FILE *f, const char *name, const char *val) {
    fputs("      <property", f);
    attr(f, "name", name);
    attr(f, "value", val);
    fputs("/>\n", f);
}

static void put_properties(FILE *f, const sim_report_t *r, const char *seed_hex) {
    fputs("    <properties>\n", f);
    put_property(f, "seed", seed_hex);
    if (r->scenario_path != NULL) {
        put_property(f, "scenario.path", r->scenario_path);
    }
    if (r->scenario_sha256[0] != '\0') {
        put_property(f, "scenario.sha256", r->scenario_sha256);
    }
    if (r->digest[0] != '\0') {
        put_property(f, "digest", r->digest);
    }
    fputs("    </properties>\n", f);
}

/* The first failed assertion, as a one-line message (an open one of a cut run did not fail). */
static void failure_message(const sim_report_t *r, char *buf, size_t len) {
    for (size_t i = 0; i < r->n_asserts; i++) {
        const sim_report_assert_t *a = &r->asserts[i];
        if (!a->passed && !sim_report_open(r, i)) {
            char t[32];
            sim_text_fixed(t, sizeof t, a->t_ns, 9);
            snprintf(buf, len, "%s failed at t=%s s: expected %s, actual %s",
                     a->name ? a->name : "assertion", t, a->expected ? a->expected : "?",
                     a->actual ? a->actual : "?");
            return;
        }
    }
    snprintf(buf, len, "scenario failed");
}

/* The failure body: every failed assertion on its own line, then the command that replays it. */
static void failure_text(FILE *f, const sim_report_t *r) {
    for (size_t i = 0; i < r->n_asserts; i++) {
        const sim_report_assert_t *a = &r->asserts[i];
        if (!a->passed && !sim_report_open(r, i)) {
            char msg[1024];
            char t[32];
            sim_text_fixed(t, sizeof t, a->t_ns, 9);
            snprintf(msg, sizeof msg, "%s: expected %s, actual %s at t=%s s\n",
                     a->name ? a->name : "assertion", a->expected ? a->expected : "?",
                     a->actual ? a->actual : "?", t);
            sim_text_xml_fput(f, msg, false);
        }
    }
    sim_text_xml_fput(f, r->repro != NULL ? r->repro : "", false);
}

/*
 * A <failure>: the run failed, or it was cut after an assertion that failed. A cut run with no
 * failed assertion gets no verdict, which CI must not read as a pass: it is an <error>.
 */
static bool is_failure(const sim_report_t *r) {
    return r->verdict == SIM_VERDICT_FAIL ||
           (r->verdict == SIM_VERDICT_CUT && sim_report_failures(r) > 0);
}

/* The <error> message: the run's error, or where a cut run stopped (buf holds that text). */
static const char *error_message(const sim_report_t *r, char *buf, size_t len) {
    if (r->verdict != SIM_VERDICT_CUT) {
        return r->error_message != NULL ? r->error_message : "unknown error";
    }
    char cut[32], full[32];
    sim_text_fixed(cut, sizeof cut, r->sim_duration_ns, 9);
    sim_text_fixed(full, sizeof full, r->cut_from_ns, 9);
    snprintf(buf, len, "cut at t=%s s of %s s: no verdict", cut, full);
    return buf;
}

static void put_testcase(FILE *f, const sim_report_t *r, const char *seed_hex) {
    const char *name = scenario_name(r);
    fputs("    <testcase name=\"", f);
    sim_text_xml_fput(f, name, true);
    fprintf(f, " seed=%s\" classname=\"scenarios.", seed_hex);
    sim_text_xml_fput(f, name, true);
    fputc('"', f);
    attr_seconds(f, r->wall_ms);
    if (r->verdict == SIM_VERDICT_PASS) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n", f);
    if (is_failure(r)) {
        char msg[1200];
        failure_message(r, msg, sizeof msg);
        fputs("      <failure type=\"assertion\"", f);
        attr(f, "message", msg);
        fputs(">", f);
        failure_text(f, r);
        fputs("</failure>\n", f);
    } else {
        char msg[96];
        fputs(r->verdict == SIM_VERDICT_CUT ? "      <error type=\"cut\""
                                            : "      <error type=\"error\"",
              f);
        attr(f, "message", error_message(r, msg, sizeof msg));
        fputs(">", f);
        sim_text_xml_fput(f, r->repro != NULL ? r->repro : "", false);
        fputs("</error>\n", f);
    }
    fputs("    </testcase>\n", f);
}

static void put_suite(FILE *f, const sim_report_t *r, size_t id) {
    char seed_hex[24];
    snprintf(seed_hex, sizeof seed_hex, "0x%" PRIx64, r->seed);
    fputs("  <testsuite", f);
    attr(f, "package", "alfasim");
    attr_u64(f, "id", id);
    attr(f, "name", scenario_name(r));
    /* An empty timestamp is a reproducible report: the epoch stands in for the wall clock. */
    attr(f, "timestamp", valid_timestamp(r->timestamp) ? r->timestamp : "1970-01-01T00:00:00");
    attr(f, "hostname", r->hostname != NULL && r->hostname[0] != '\0' ? r->hostname : "localhost");
    attr_u64(f, "tests", 1);
    bool failed = is_failure(r);
    attr_u64(f, "failures", failed ? 1u : 0u);
    attr_u64(f, "errors", r->verdict != SIM_VERDICT_PASS && !failed ? 1u : 0u);
    attr_seconds(f, r->wall_ms);
    fputs(">\n", f);
    put_properties(f, r, seed_hex);
    put_testcase(f, r, seed_hex);
    fputs("    <system-out/>\n    <system-err/>\n  </testsuite>\n", f);
}

int sim_report_write_junit(const sim_report_t *const *runs, size_t n, const char *path) {
    SIM_ASSERT(path != NULL && (runs != NULL || n == 0));
    char *tmp;
    FILE *f = sim_report__begin(path, &tmp);
    if (f == NULL) {
        return -SIM_EIO;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
    for (size_t i = 0; i < n; i++) {
        SIM_ASSERT(runs[i] != NULL);
        put_suite(f, runs[i], i);
    }
    fputs("</testsuites>\n", f);
    return sim_report__commit(f, tmp, path);
}
