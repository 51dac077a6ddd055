/*
 * bench_replay.c: baseline 2, the firmware alone, and the efficiency
 *
 *   E = T(firmware alone) / T(full simulation)
 *
 * on the scale_4 workload (the first hour of S4: four packs at full fidelity).
 *
 *   1. The workload runs as `alfasim run` runs it: T(full) is its run loop (see bench_scenario.h).
 *   2. It runs again with fw_alfaspark_rec.so, the same firmware and port with a recording
 *      host table in between (rec_wrap.c): every entry-point call with its arguments and every
 *      answer of the host go to one record per node. The run's trace digest must equal the first
 *      run's: recording changed nothing.
 *   3. Each record is replayed into copies of the real fw_alfaspark.so: the entry points are
 *      called in the recorded order with the recorded arguments, and a replay host table answers
 *      every host operation from the record (the time cell holds each entry point's recorded
 *      time, as the host's does). No kernel, no models, no bus, no traces: what is
 *      left is the firmware, its port and the cheapest possible HAL. Every operation must be the
 *      one recorded, and the digest of everything the firmware passed out must match the
 *      recorder's, or the replay failed. T(firmware alone) is its CPU time from each node's
 *      first entry at or after 1 s (the same window as T(full)) to its end, loading excluded.
 *
 * Nodes replay one after another, each over its own record, which favours the replay a little
 * (one node's code and data stay in cache); the simulation interleaves them.
 *
 * firmware_scaling compares the firmware alone at 126 packs with itself at 4 (further down).
 * The replaying itself is bench_replay_run.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_replay.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_rec.h"
#include "bench_replay_run.h"
#include "bench_scenario.h"
#include "sim_plugin.h"

#define WORKLOAD "scale_4.json"
#define QUICK_NS (60 * SIM_NS_PER_S)

/* ---- the benchmark ------------------------------------------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1U)) != NULL &&
        fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = size > 0 ? (size_t)size : 0;
    return buf;
}

/* Each record is replayed this many times and its least CPU time kept, as the full run's
 * (bench_scenario_best): a node's hour replays in a few ms, where a single reading is noise. */
#define REPLAY_ROUNDS 5

typedef struct {
    bench_record_t *recs;
    size_t n;
} records_t;

static void records_free(records_t *rs) {
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->recs[i].data);
    }
    free(rs->recs);
    *rs = (records_t){0};
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const bench_record_t *)a)->name, ((const bench_record_t *)b)->name);
}

/* Reads every record in dir into memory, in name order, and removes the files; false with r
 * failed. */
static bool records_load(const char *dir, records_t *rs, bench_result_t *r) {
    *rs = (records_t){0};
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        bench_fail(r, "no records in %s", dir);
        return false;
    }
    bool ok = true;
    size_t cap = 0;
    struct dirent *de;
    while (ok && (de = readdir(dp)) != NULL) {
        size_t nl = strlen(de->d_name);
        char path[4096];
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".rec") != 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path) {
            continue;
        }
        if (rs->n == cap) {
            cap = cap != 0 ? 2 * cap : 8;
            bench_record_t *grown = realloc(rs->recs, cap * sizeof *grown);
            if (grown == NULL) {
                bench_fail(r, "out of memory");
                ok = false;
                break;
            }
            rs->recs = grown;
        }
        bench_record_t *rec = &rs->recs[rs->n];
        snprintf(rec->name, sizeof rec->name, "%s", de->d_name);
        rec->data = read_file(path, &rec->len);
        remove(path);
        if (rec->data == NULL) {
            bench_fail(r, "%s: unreadable", de->d_name);
            ok = false;
            break;
        }
        rs->n++;
    }
    closedir(dp);
    if (ok && rs->n == 0) {
        bench_fail(r, "the recording run left no records");
        ok = false;
    }
    if (!ok) {
        records_free(rs);
        return false;
    }
    qsort(rs->recs, rs->n, sizeof *rs->recs, by_name);
    return true;
}

/* Replays each record alone, the least of REPLAY_ROUNDS each; total timed CPU seconds, or -1
 * with r failed. */
static double replay_each(sim_plugin_image_t *img, const records_t *rs, bench_result_t *r,
                          uint64_t *entries) {
    double total = 0;
    for (size_t i = 0; i < rs->n; i++) {
        char err[160] = "";
        double s = -1.0;
        for (unsigned round = 0; round < REPLAY_ROUNDS; round++) {
            uint64_t counted = 0; /* the calls are counted once */
            double t = bench_replay_one(img, &rs->recs[i], err, sizeof err, &counted);
            if (t < 0) {
                bench_fail(r, "%s", err);
                return -1.0;
            }
            s = round == 0 || t < s ? t : s;
            *entries += round == 0 ? counted : 0;
        }
        total += s;
    }
    return total;
}

/* Replays every record interleaved, the least of REPLAY_ROUNDS; -1 with r failed. Every round
 * must call as many entry points as the replays one by one did (`entries`). */
static double replay_together(sim_plugin_image_t *img, const records_t *rs, uint64_t entries,
                              bench_result_t *r) {
    double s = -1.0;
    for (unsigned round = 0; round < REPLAY_ROUNDS; round++) {
        char err[160] = "";
        uint64_t counted = 0;
        double t = bench_replay_interleaved(img, rs->recs, rs->n, err, sizeof err, &counted);
        if (t < 0) {
            bench_fail(r, "interleaved: %s", err);
            return -1.0;
        }
        if (counted != entries) {
            bench_fail(r, "the interleaved replay called %llu entry points, one by one %llu",
                       (unsigned long long)counted, (unsigned long long)entries);
            return -1.0;
        }
        s = round == 0 || t < s ? t : s;
    }
    return s;
}

/* Runs the workload with the recording plugin into dir; false with r failed. */
static bool record(const bench_opts_t *o, const char *workload, sim_time_ns_t dur, const char *dir,
                   const bench_run_t *full, bench_result_t *r) {
    char plugin[4096];
    if (!bench_find_plugin(o, "fw_alfaspark_rec.so", plugin, sizeof plugin)) {
        bench_fail(r, "fw_alfaspark_rec.so is not on the plugin path");
        return false;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        bench_fail(r, "cannot create %s", dir);
        return false;
    }
    setenv(BENCH_REC_ENV, dir, 1);
    bench_run_t rec;
    int rc = bench_scenario_run(o, workload, dur, plugin, &rec, r);
    unsetenv(BENCH_REC_ENV);
    if (rc == 0 && strcmp(rec.digest, full->digest) != 0) {
        bench_fail(r, "recording changed the run: digest %.16s, without recording %.16s",
                   rec.digest, full->digest);
        return false;
    }
    return rc == 0;
}

/* The simulation and the firmware alone over one window of one workload. */
typedef struct {
    bench_run_t full;  /* the simulation (bench_scenario_best) */
    double fw_s;       /* CPU seconds of the firmware alone over the same window, every node */
    double fw_inter_s; /* the same, the nodes interleaved (when asked for), else -1 */
    uint64_t entries;  /* entry-point calls replayed */
} replay_pair_t;

/* Runs workload for dur (0: the scenario's), records it and replays the records into copies of
 * img, in a records folder of its own, each alone and, with `interleaved`, all together; false
 * with r failed. */
static bool replay_pair(const bench_opts_t *o, sim_plugin_image_t *img, const char *workload,
                        sim_time_ns_t dur, bool interleaved, replay_pair_t *out,
                        bench_result_t *r) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/records-%s", o->work_dir, workload);
    *out = (replay_pair_t){.fw_s = -1.0, .fw_inter_s = -1.0};
    records_t rs = {0};
    bool ok = bench_scenario_best(o, workload, dur, NULL, &out->full, r) == 0 &&
              record(o, workload, dur, dir, &out->full, r) && records_load(dir, &rs, r);
    rmdir(dir);
    if (ok) {
        out->fw_s = replay_each(img, &rs, r, &out->entries);
        ok = out->fw_s >= 0;
    }
    if (ok && interleaved) {
        out->fw_inter_s = replay_together(img, &rs, out->entries, r);
        ok = out->fw_inter_s >= 0;
    }
    records_free(&rs);
    return ok;
}

/* fw_alfaspark.so's image, or NULL with r failed. */
static sim_plugin_image_t *firmware_image(const bench_opts_t *o, bench_result_t *r) {
    char plugin[4096], err[512];
    sim_plugin_image_t *img = NULL;
    if (!bench_find_plugin(o, "fw_alfaspark.so", plugin, sizeof plugin) ||
        sim_plugin_image_read(plugin, &img, err, sizeof err) != 0) {
        bench_fail(r, "fw_alfaspark.so is not on the plugin path");
        return NULL;
    }
    return img;
}

void bench_replay(const bench_opts_t *o, const void *param, bench_result_t *r) {
    (void)param;
    sim_plugin_image_t *img = firmware_image(o, r);
    replay_pair_t m;
    bool ok = img != NULL && replay_pair(o, img, WORKLOAD, o->quick ? QUICK_NS : 0, false, &m, r);
    sim_plugin_image_release(img);
    if (!ok) {
        return;
    }
    snprintf(r->digest, sizeof r->digest, "%.64s", m.full.digest);
    snprintf(r->subject, sizeof r->subject, "full sim");
    snprintf(r->baseline, sizeof r->baseline, "firmware alone");
    r->ops = (uint64_t)m.full.sim_s;
    r->subject_ns = m.full.run_cpu_s * 1e9 / m.full.sim_s;
    r->baseline_ns = m.fw_s * 1e9 / m.full.sim_s;
    r->target = 0.5;
    r->aim = 0.75;
    snprintf(r->note, sizeof r->note,
             "E = T(firmware alone) / T(full) on %s, ns per simulated s; %llu entry calls; "
             "least of %u full runs and %d replays",
             WORKLOAD, (unsigned long long)m.entries, m.full.rounds, REPLAY_ROUNDS);
}

/*
 * The firmware's own scaling (firmware_scaling): the work the firmware itself does per pack at
 * 126 packs against 4, both workloads recorded and replayed over the same window. A pack among
 * 126 hears 125 peers where one among 4 hears 3, and handles every frame it hears; a simulator
 * can make that work no smaller. The row's ratio is the per-pack throughput of the firmware alone
 * at 126 packs over that at 4 (the quantity the per-node target, 0.5, asks of the simulation),
 * each node replayed one after another, its code and data hot in the cache: the least the
 * firmware can cost. Its note adds the 126 packs replayed interleaved, a millisecond of each
 * node at a time (bench_replay_run.h), which is how any simulator on one thread must run them:
 * each copy has gone cold again by its next frame. E at 126 packs both ways closes the note.
 */
typedef struct {
    const char *small, *large; /* workloads, relative to tests/bench/scenarios */
    unsigned small_packs, large_packs;
    sim_time_ns_t window_ns, quick_ns; /* the window replayed: from 1 s to here */
} scaling_param_t;

static void bench_firmware_scaling(const bench_opts_t *o, const void *param, bench_result_t *r) {
    const scaling_param_t *p = param;
    sim_time_ns_t dur = o->quick ? p->quick_ns : p->window_ns;
    sim_plugin_image_t *img = firmware_image(o, r);
    replay_pair_t s, l;
    bool ok = img != NULL && replay_pair(o, img, p->small, dur, false, &s, r) &&
              replay_pair(o, img, p->large, dur, true, &l, r);
    sim_plugin_image_release(img);
    if (!ok) {
        return;
    }
    if (s.fw_s <= 0 || l.fw_s <= 0 || l.fw_inter_s <= 0 || l.full.run_cpu_s <= 0) {
        bench_fail(r, "a replay timed nothing: the window ends before 1 s");
        return;
    }
    /* Both runs' digests, 32 hex digits of each: either run changing is a mismatch. */
    snprintf(r->digest, sizeof r->digest, "%.32s%.32s", s.full.digest, l.full.digest);
    snprintf(r->subject, sizeof r->subject, "%u packs", p->large_packs);
    snprintf(r->baseline, sizeof r->baseline, "%u packs", p->small_packs);
    r->ops = (uint64_t)l.full.sim_s;
    /* ns of firmware per pack per simulated second: the ratio is per-pack throughput */
    r->subject_ns = l.fw_s * 1e9 / l.full.sim_s / p->large_packs;
    r->baseline_ns = s.fw_s * 1e9 / s.full.sim_s / p->small_packs;
    r->target = 0.5;
    snprintf(r->note, sizeof r->note,
             "fw alone, ns/pack/simulated s, first %.0f s, nodes one by one; %u packs "
             "interleaved: %.0f ns; E %.2f one by one, %.2f interleaved",
             l.full.sim_s + 1.0, p->large_packs, l.fw_inter_s * 1e9 / l.full.sim_s / p->large_packs,
             l.fw_s / l.full.run_cpu_s, l.fw_inter_s / l.full.run_cpu_s);
}

static const scaling_param_t scaling = {"scale_4.json",     "scale_127.json", 4, 126,
                                        300 * SIM_NS_PER_S, 20 * SIM_NS_PER_S};

static const bench_def_t defs[] = {
    {"efficiency_E", BENCH_RATIO, bench_replay, NULL, false},
    {"firmware_scaling", BENCH_RATIO, bench_firmware_scaling, &scaling, true},
};

const bench_group_t bench_replay_group = {defs, sizeof defs / sizeof defs[0]};
