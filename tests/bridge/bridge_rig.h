/*
 * bridge_rig.h: a bridge on a bridge_world, linked through socketpair(AF_UNIX, SOCK_SEQPACKET)
 * to a "host" end the test reads and writes as a SocketCAN application would (struct can_frame
 * records). Used by the bridge unit suites.
 */
#ifndef BRIDGE_RIG_H
#define BRIDGE_RIG_H

#include <linux/can.h>

#include "bridge_world.h"
#include "sim_bridge.h"

#define RIG_LOG_MAX 32

typedef struct {
    bw_world_t w;
    sim_bridge_t *b;
    int host;         /* the test's end of the socketpair */
    uint64_t fake_ns; /* the bridge's host clock when cfg.clock is rig_fake_clock */
    unsigned n_logs;
    char logs[RIG_LOG_MAX][512];
} rig_t;

/** The rig's fake host clock (reads rig->fake_ns), for cfg.clock. */
sim_bridge_clock_t rig_fake_clock(rig_t *r);

/**
 * World with n_nodes nodes (period_ns, seed 1), trace in dir when not NULL, and a seqpacket
 * bridge with cfg (NULL: defaults; log always goes to the rig). 0 or the failing code.
 */
int rig_open(rig_t *r, unsigned n_nodes, sim_time_ns_t period_ns, const char *dir,
             const sim_bridge_cfg_t *cfg);
/** A second seqpacket bridge on the same world (host end in *host). */
int rig_add_bridge(rig_t *r, const sim_bridge_cfg_t *cfg, sim_bridge_t **out, int *host);
/** Destroys the bridge and the world (trace committed), digest copied when not NULL. */
void rig_close(rig_t *r, char digest[65]);

/** True when a log line containing needle was written. */
bool rig_logged(const rig_t *r, const char *needle);

/** Writes one record from the host end: a can_frame built from f. 0 or -errno. */
int host_write(int fd, const sim_can_frame_t *f);
/** Writes raw bytes as one record. 0 or -errno. */
int host_write_raw(int fd, const void *rec, size_t len);
/** Reads every pending record into out (max), returns the count; frames converted back. */
size_t host_read(int fd, sim_can_frame_t *out, size_t max);

/** Runs the world unpaced with the bridge to t_end in 1 ms slices; the run loop's result. */
int rig_run(rig_t *r, sim_time_ns_t t_end);

/** Frames equal (id, flags, dlc, data). */
bool frame_eq(const sim_can_frame_t *a, const sim_can_frame_t *b);

/** Reads a whole file into a malloc'd NUL-terminated string (NULL on error). */
char *read_text(const char *path);
/** Counts lines of text containing needle. */
size_t count_lines_with(const char *text, const char *needle);

/** Creates SIM_BINARY_DIR/test-tmp/<name> and returns the path of a run folder in it. */
const char *rig_tmp_dir(const char *suite, const char *run, char *buf, size_t len);

#endif
