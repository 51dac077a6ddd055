/*
 * bench_replay_run.h: replaying recorded firmware lives (bench_rec.h) into fresh copies of the
 * firmware, with a host table that answers every operation from the record: no kernel, no
 * models, no bus, no traces. Every operation must be the one recorded and every copy's digest of
 * what it passed out must match the recorder's, or the replay diverged. The time is CPU time
 * from the first entry point at or after BENCH_REPLAY_T0_US to the end, the loading of copies
 * excluded.
 */
#ifndef BENCH_REPLAY_RUN_H
#define BENCH_REPLAY_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "sim_plugin.h"

#define BENCH_REPLAY_T0_US 1000000U /* timing starts at the first entry point at or after 1 s */

/** One node's record, whole in memory. */
typedef struct {
    char name[256]; /* the file's name (a directory entry's d_name), for messages */
    uint8_t *data;
    size_t len;
} bench_record_t;

/**
 * Replays one record alone: its copy's code and data stay in the cache from one entry point to
 * the next. Returns the timed CPU seconds, or -1 with the reason in err; adds the entry points
 * called to *entries.
 */
double bench_replay_one(sim_plugin_image_t *img, const bench_record_t *rec, char *err,
                        size_t errlen, uint64_t *entries);

/**
 * Replays n records side by side in simulated time, a millisecond of every node's record at a
 * time, all n copies loaded at once: each copy has gone cold again by its next frame, as in the
 * simulation. Returns and counts as bench_replay_one, over every record.
 */
double bench_replay_interleaved(sim_plugin_image_t *img, const bench_record_t *recs, size_t n,
                                char *err, size_t errlen, uint64_t *entries);

#endif
