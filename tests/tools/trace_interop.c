/*
 * trace_interop: writes trace files for the interoperability checks of tests/cmake/trace.cmake,
 * where independent readers (can-utils log2asc, python-can, tshark, xmllint) judge them.
 *
 *   trace_interop buslog DIR          a run folder (bus.log, bus.pcap, ...) with standard,
 *                                     extended, remote, zero-length and error frames; prints
 *                                     "frames N" (lines in bus.log) and "digest HEX"
 *   trace_interop junit PATH          a junit.xml with a passing, a failing and an erroring run
 *   trace_interop junit-bad KIND PATH the same file with one deviation the schema must reject
 *
 * Exit status 0, or 2 on a usage or write error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_report.h"
#include "sim_trace.h"

static sim_can_frame_t frame(uint32_t id, uint8_t flags, uint8_t dlc, const uint8_t *data) {
    sim_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.flags = flags;
    f.dlc = dlc;
    if (data != NULL && (flags & SIM_CAN_FLAG_RTR) == 0) {
        memcpy(f.data, data, dlc);
    }
    return f;
}

/* The hand-picked edge cases: each kind of line the grammar has. */
static unsigned write_edge_cases(sim_trace_t *t) {
    static const uint8_t d8[8] = {0x30, 0x02, 0xE8, 0x03, 0xDC, 0x05, 0xE0, 0x01};
    static const uint8_t zero[8] = {0};
    static const uint8_t prot[8] = {
        0, 0, SIM_TRACE_ERR_PROT_BIT | SIM_TRACE_ERR_PROT_TX, SIM_TRACE_ERR_LOC_DATA, 0, 0, 0, 0};
    static const uint8_t passive[8] = {0, SIM_TRACE_ERR_CRTL_TX_PASSIVE, 0, 0, 0, 0, 128, 0};
    sim_can_frame_t f;
    /* Two frames in the first second, where log2asc's clock behaves differently. */
    f = frame(0x010, 0, 1, d8);
    sim_trace_can_frame(t, 130000, "can0", &f);
    f = frame(0x011, 0, 1, d8);
    sim_trace_can_frame(t, 500000000, "can0", &f);
    sim_time_ns_t t_ns = 1000250000;
    f = frame(0x351, 0, 8, d8);
    sim_trace_can_frame(t, t_ns, "can0", &f);
    f = frame(0x18FF50E5, SIM_CAN_FLAG_IDE, 2, d8);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    f = frame(0x123, SIM_CAN_FLAG_IDE, 1, d8 + 2);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    f = frame(0x123, SIM_CAN_FLAG_RTR, 3, NULL);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    f = frame(0x305, SIM_CAN_FLAG_RTR, 0, NULL);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    f = frame(0x1ABCDEF0, SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR, 8, NULL);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    f = frame(0x7FF, 0, 0, NULL);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    f = frame(0x1, SIM_CAN_FLAG_IDE, 0, NULL);
    sim_trace_can_frame(t, t_ns += 230000, "can0", &f);
    sim_trace_can_error(t, t_ns += 230000, "can0", SIM_TRACE_ERR_ACK | SIM_TRACE_ERR_BUSERROR,
                        zero);
    sim_trace_can_error(t, t_ns += 230000, "can0", SIM_TRACE_ERR_PROT | SIM_TRACE_ERR_BUSERROR,
                        prot);
    sim_trace_can_error(t, t_ns += 230000, "can0", SIM_TRACE_ERR_CRTL, passive);
    sim_trace_can_error(t, t_ns += 230000, "can0", SIM_TRACE_ERR_BUSOFF, zero);
    f = frame(0x100, 0, 4, d8);
    sim_trace_can_frame(t, 3600000000999LL, "can1", &f); /* an hour in, on a second bus */
    return 15;
}

/* A deterministic spread of identifiers, lengths and payloads (an LCG, not the host's rand). */
static unsigned write_spread(sim_trace_t *t) {
    uint64_t x = 0x5eed1234u;
    sim_time_ns_t t_ns = 3600000001000LL;
    for (unsigned i = 0; i < 200; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        uint8_t data[8];
        for (unsigned b = 0; b < 8; b++) {
            data[b] = (uint8_t)(x >> (8 * b));
        }
        bool ext = (x >> 60) & 1u, rtr = ((x >> 56) & 0xFu) == 0;
        uint32_t id = (uint32_t)(x >> 17) & (ext ? 0x1FFFFFFFu : 0x7FFu);
        uint8_t dlc = (uint8_t)((x >> 40) % 9u);
        uint8_t flags = (uint8_t)((ext ? SIM_CAN_FLAG_IDE : 0u) | (rtr ? SIM_CAN_FLAG_RTR : 0u));
        sim_can_frame_t f = frame(id, flags, dlc, data);
        t_ns += 111000 + (sim_time_ns_t)(x >> 54);
        sim_trace_can_frame(t, t_ns, "can0", &f);
    }
    return 200;
}

static int cmd_buslog(const char *dir) {
    sim_trace_cfg_t cfg = {.pcap = true};
    sim_trace_t *t = NULL;
    char err[512];
    if (sim_trace_open(dir, &cfg, &t, err, sizeof err) != 0) {
        fprintf(stderr, "trace_interop: %s\n", err);
        return 2;
    }
    unsigned n = write_edge_cases(t);
    n += write_spread(t);
    int rc = sim_trace_close(t, true);
    if (rc == 0) {
        printf("frames %u\ndigest %s\n", n, sim_trace_digest(t));
    }
    sim_trace_free(t);
    return rc == 0 ? 0 : 2;
}

static char *dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* Three runs: pass, fail (with text that needs escaping) and error. */
static int write_junit(const char *path) {
    sim_report_t r[3];
    memset(r, 0, sizeof r);
    static const char *const names[3] = {"boot", "bus_off", "crash & <burn>"};
    for (int i = 0; i < 3; i++) {
        r[i].scenario_name = dup(names[i]);
        r[i].seed = 0x5eed1234u + (uint64_t)i;
        r[i].wall_ms = 1250u * (uint64_t)i;
        memcpy(r[i].timestamp, "2024-05-01T12:00:00", 20);
        r[i].hostname = dup("ci-7");
        r[i].repro = dup("alfasim run scenarios/x.json --seed 0x5eed1234");
    }
    r[1].verdict = SIM_VERDICT_FAIL;
    r[1].n_asserts = 1;
    r[1].asserts = calloc(1, sizeof *r[1].asserts);
    r[1].asserts[0] = (sim_report_assert_t){dup("relay \"grid\" open"), false, 2500000000,
                                            dup("open"), dup("closed")};
    r[2].verdict = SIM_VERDICT_ERROR;
    r[2].error_message = dup("pack2: firmware hung\x01 (watchdog)");
    r[2].timestamp[0] = '\0';
    const sim_report_t *runs[3] = {&r[0], &r[1], &r[2]};
    int rc = sim_report_write_junit(runs, 3, path);
    for (int i = 0; i < 3; i++) {
        sim_report_clear(&r[i]);
    }
    return rc == 0 ? 0 : 2;
}

/* One deviation per kind: each must make xmllint reject the file. */
static const struct {
    const char *kind, *from, *to;
} MUTATIONS[] = {
    {"suites-attr", "<testsuites>", "<testsuites tests=\"3\">"},
    {"tz", "12:00:00\"", "12:00:00Z\""},
    {"fraction", "12:00:00\"", "12:00:00.250\""},
    {"no-system-err", "    <system-err/>\n", ""},
    {"order", "<system-out/>\n    <system-err/>", "<system-err/>\n    <system-out/>"},
    {"no-properties",
     "    <properties>\n      <property name=\"seed\" value=\"0x5eed1234\"/>\n"
     "    </properties>\n",
     ""},
    {"failure-no-type", "<failure type=\"assertion\" ", "<failure "},
    {"two-failures", "</failure>", "</failure><failure type=\"assertion\">again</failure>"},
    {"case-output", "\n      <failure", "\n      <system-out/>\n      <failure"},
    {"dup-id", "id=\"1\"", "id=\"0\""},
    {"comma-time", "time=\"1.250\"", "time=\"1,250\""},
    {"no-hostname", " hostname=\"ci-7\"", ""},
};

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n = buf != NULL ? fread(buf, 1, cap - 1, f) : 0;
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
    }
    return buf;
}

static int write_junit_bad(const char *kind, const char *path) {
    size_t m = 0, count = sizeof MUTATIONS / sizeof MUTATIONS[0];
    while (m < count && strcmp(MUTATIONS[m].kind, kind) != 0) {
        m++;
    }
    if (m == count || write_junit(path) != 0) {
        fprintf(stderr, "trace_interop: unknown kind '%s' or write error\n", kind);
        return 2;
    }
    char *text = slurp(path);
    char *at = text != NULL ? strstr(text, MUTATIONS[m].from) : NULL;
    if (at == NULL) {
        /* The mutation must apply, or the rejection it expects would prove nothing. */
        fprintf(stderr, "trace_interop: '%s' not found for %s\n", MUTATIONS[m].from, kind);
        free(text);
        return 2;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        free(text);
        return 2;
    }
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(MUTATIONS[m].to, f);
    fputs(at + strlen(MUTATIONS[m].from), f);
    int bad = fclose(f) != 0;
    free(text);
    return bad ? 2 : 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "buslog") == 0) {
        return cmd_buslog(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "junit") == 0) {
        return write_junit(argv[2]);
    }
    if (argc == 4 && strcmp(argv[1], "junit-bad") == 0) {
        return write_junit_bad(argv[2], argv[3]);
    }
    fprintf(stderr, "usage: trace_interop buslog DIR | junit PATH | junit-bad KIND PATH\n");
    return 2;
}
