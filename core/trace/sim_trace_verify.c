/*
 * sim_trace_verify.c: the trace digest of a committed run folder, recomputed from its files.
 *
 * The run computes its digest while it writes (sim_trace.c) and never reads a file back; this is
 * the same definition applied to the bytes on disk, so that `alfasim replay` can tell a folder
 * whose traces were changed after the run from one that still holds what the run wrote.
 */
#include <stdio.h>

#include "sim_sha256.h"
#include "sim_trace.h"
#include "sim_trace_int.h"

/* SHA-256 of one file of the folder: 0, -SIM_ENOENT when absent, -SIM_EIO when unreadable. */
static int hash_file(const char *dir, const char *name, uint8_t out[SIM_SHA256_LEN]) {
    char path[4200];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        return -SIM_EIO;
    }
    return sim_sha256_file(path, out);
}

int sim_trace_folder_digest(const char *dir, char out[SIM_TRACE_DIGEST_HEX_LEN],
                            const char **unreadable) {
    static const char *const files[] = {"bus.log", "events.jsonl", "signals.vcd"};
    uint8_t h[3 * SIM_SHA256_LEN];
    for (size_t i = 0; i < 3; i++) {
        int rc = hash_file(dir, files[i], h + i * SIM_SHA256_LEN);
        if (rc != 0) {
            if (rc != -SIM_ENOENT && unreadable != NULL) {
                *unreadable = files[i];
            }
            return rc;
        }
    }
    sim_trace__digest_of(h, out);
    return 0;
}
