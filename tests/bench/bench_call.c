/*
 * bench_call.c: baseline 3, a direct call against a call through the plugin boundary.
 *
 * The same entry point (callee.c's fw_on_timer: one HAL call, a multiply and an add) is called N
 * times two ways:
 *
 *   direct    bench_callee_on_timer(id) → bench_callee_now_us(): two direct calls into code
 *             linked into this program (its own translation unit: nothing is inlined)
 *   boundary  ops->on_timer(id) through the descriptor of a loaded plugin copy (an indirect call
 *             into the memfd-loaded object), whose port calls host->now_us(host->ctx) back
 *             through the host table: what the node host does for every firmware callback
 *
 * Both read the same virtual clock (a counter here, advanced by each read) and must end with
 * the same accumulator, which each reports through its can_send. The ratio printed is
 * boundary / direct (a cost; the target is at most 2).
 */
#include <stdio.h>
#include <string.h>

#include "alfasim_plugin.h"
#include "bench.h"
#include "bench_call.h"
#include "sim_plugin.h"

#define ROUNDS       5
#define ROUNDS_QUICK 1

/* The direct build's entry points and the HAL it calls (callee_direct.c). */
void bench_callee_init(void);
void bench_callee_on_timer(unsigned id);
void bench_callee_on_can_rx(const hal_can_frame_t *f);
uint64_t bench_callee_now_us(void);
int bench_callee_can_send(const hal_can_frame_t *f);

typedef struct {
    uint64_t now_us; /* advanced by every read */
    uint64_t reported;
} callee_host_t;

static callee_host_t direct_clock;

uint64_t bench_callee_now_us(void) {
    return direct_clock.now_us++;
}

static uint64_t frame_value(const hal_can_frame_t *f) {
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)f->data[i] << (8 * i);
    }
    return v;
}

int bench_callee_can_send(const hal_can_frame_t *f) {
    direct_clock.reported = frame_value(f);
    return HAL_OK;
}

static uint64_t host_now_us(void *ctx) {
    callee_host_t *c = ctx;
    return c->now_us++;
}

static int host_can_send(void *ctx, const hal_can_frame_t *f) {
    callee_host_t *c = ctx;
    c->reported = frame_value(f);
    return HAL_OK;
}

static double time_direct(uint64_t n, uint64_t *result) {
    memset(&direct_clock, 0, sizeof direct_clock);
    bench_callee_init();
    double t0 = bench_cpu_s();
    for (uint64_t i = 0; i < n; i++) {
        bench_callee_on_timer((unsigned)(i & 7U));
    }
    double t1 = bench_cpu_s();
    hal_can_frame_t poke = {0};
    bench_callee_on_can_rx(&poke);
    *result = direct_clock.reported;
    return t1 - t0;
}

/*
 * The callee uses two host operations; the others stay NULL, which port_sim.c accepts (it checks
 * the version and size only), and which this callee never reaches.
 */
static double time_boundary(const alfasim_fw_ops_t *ops, uint64_t n, uint64_t *result) {
    callee_host_t c = {0};
    alfasim_host_ops_t host = {.abi_version = ALFASIM_PLUGIN_ABI_VERSION,
                               .size = sizeof host,
                               .ctx = &c,
                               .now_us = host_now_us,
                               .can_send = host_can_send};
    if (ops->init(&host) != 0) {
        return -1.0;
    }
    double t0 = bench_cpu_s();
    for (uint64_t i = 0; i < n; i++) {
        ops->on_timer((unsigned)(i & 7U));
    }
    double t1 = bench_cpu_s();
    hal_can_frame_t poke = {0};
    ops->on_can_rx(&poke);
    *result = c.reported;
    return t1 - t0;
}

void bench_call(const bench_opts_t *o, const void *param, bench_result_t *r) {
    (void)param;
    char path[4096], err[512];
    sim_plugin_t *p = NULL;
    if (!bench_find_plugin(o, "fw_benchcallee.so", path, sizeof path) ||
        sim_plugin_open(path, &p, err, sizeof err) != 0) {
        bench_fail(r, "cannot load fw_benchcallee.so from the plugin path");
        return;
    }
    const alfasim_fw_ops_t *ops = sim_plugin_descriptor(p)->ops;
    uint64_t n = o->quick ? 5000000U : 100000000U;
    int rounds = o->quick ? ROUNDS_QUICK : ROUNDS;
    double best_d = 0, best_b = 0;
    uint64_t rd = 0, rb = 0;
    for (int i = 0; i < rounds; i++) {
        double sd = time_direct(n, &rd);
        double sb = time_boundary(ops, n, &rb);
        if (sb < 0 || rd != rb) {
            bench_fail(r, "direct and boundary calls computed %016llx and %016llx",
                       (unsigned long long)rd, (unsigned long long)rb);
            sim_plugin_unload(p);
            return;
        }
        best_d = (i == 0 || sd < best_d) ? sd : best_d;
        best_b = (i == 0 || sb < best_b) ? sb : best_b;
    }
    sim_plugin_unload(p);
    snprintf(r->digest, sizeof r->digest, "%016llx", (unsigned long long)rd);
    snprintf(r->subject, sizeof r->subject, "plugin call");
    snprintf(r->baseline, sizeof r->baseline, "direct call");
    r->ops = n;
    r->subject_ns = best_b * 1e9 / (double)n;
    r->baseline_ns = best_d * 1e9 / (double)n;
    r->lower_is_better = true;
    r->target = 2.0;
    snprintf(r->note, sizeof r->note,
             "entry point + one HAL call each way; ratio = boundary / direct; best of %d", rounds);
}

static const bench_def_t defs[] = {
    {"plugin_call", BENCH_RATIO, bench_call, NULL, false},
};

const bench_group_t bench_call_group = {defs, sizeof defs / sizeof defs[0]};
