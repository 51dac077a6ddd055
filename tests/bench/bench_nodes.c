/*
 * bench_nodes.c: memory per extra node. A scenario with many nodes and the same scenario with
 * one are each run for a short while in a process of their own, and the difference of their
 * peak resident sets, divided by the difference in nodes, is what one more node costs: its
 * plugin copy (code, data and bss of the firmware in its own memory file), its node host, its
 * models and its share of the trace writers.
 *
 *   mem_per_pack      Energy-Packs (firmware + plant + BMS): scale_1 against scale_127
 *   mem_per_testnode  plain firmware nodes running the small test firmware (fw_testnode.so):
 *                     mem_testnode_1 against mem_testnode_127; the floor of what a node costs
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_nodes.h"
#include "bench_scenario.h"

#define RUN_NS (10 * SIM_NS_PER_S)

typedef struct {
    const char *one;  /* scenario with one node of the kind */
    const char *many; /* scenario with many */
    uint32_t n_one, n_many;
} nodes_param_t;

typedef struct {
    uint64_t peak_kib;
    bool ok;
    char digest[65];
} child_out_t;

/* Runs the scenario in a child process; its peak RSS in KiB, or 0 with r failed. */
static uint64_t peak_of(const bench_opts_t *o, const char *file, bench_result_t *r) {
    int fds[2];
    if (pipe(fds) != 0) {
        bench_fail(r, "pipe: %s", strerror(errno));
        return 0;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_out_t out = {0};
        bench_run_t run;
        out.ok = bench_scenario_run(o, file, RUN_NS, NULL, &run, r) == 0;
        out.peak_kib = bench_peak_rss_kib();
        _exit(write(fds[1], &out, sizeof out) == (ssize_t)sizeof out ? 0 : 1);
    }
    close(fds[1]);
    child_out_t out = {0};
    ssize_t got = pid > 0 ? read(fds[0], &out, sizeof out) : -1;
    close(fds[0]);
    int status = 0;
    if (pid > 0) {
        waitpid(pid, &status, 0);
    }
    if (got != (ssize_t)sizeof out || !out.ok || out.peak_kib == 0) {
        bench_fail(r, "running %s for its memory failed", file);
        return 0;
    }
    return out.peak_kib;
}

static void bench_nodes(const bench_opts_t *o, const void *param, bench_result_t *r) {
    const nodes_param_t *p = param;
    uint64_t one = peak_of(o, p->one, r);
    uint64_t many = one ? peak_of(o, p->many, r) : 0;
    if (one == 0 || many == 0) {
        return;
    }
    double per = ((double)many - (double)one) * 1024.0 / (double)(p->n_many - p->n_one);
    r->bytes_per_unit = per;
    snprintf(r->unit, sizeof r->unit, "node");
    r->target = 256.0 * 1024.0;
    r->peak_rss_kib = many;
    snprintf(r->note, sizeof r->note, "peak RSS %.1f MiB with %u nodes, %.1f MiB with %u",
             (double)many / 1024.0, p->n_many, (double)one / 1024.0, p->n_one);
}

static const nodes_param_t packs = {"scale_1.json", "scale_127.json", 1, 126};
static const nodes_param_t testnodes = {"mem_testnode_1.json", "mem_testnode_127.json", 1, 127};

static const bench_def_t defs[] = {
    {"mem_per_pack", BENCH_MEMORY, bench_nodes, &packs, false},
    {"mem_per_testnode", BENCH_MEMORY, bench_nodes, &testnodes, false},
};

const bench_group_t bench_nodes_group = {defs, sizeof defs / sizeof defs[0]};
