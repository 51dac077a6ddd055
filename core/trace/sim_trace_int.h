/*
 * sim_trace_int.h: the inside of a sim_trace_t, shared by the files of core/trace.
 *
 *   sim_trace.c         open/close, the run folder's life, the digest, sticky write errors
 *   sim_trace_folder.c  "<dir>.partial" creation, commit by rename, recursive removal
 *   sim_trace_can.c     bus.log lines (frames and error frames), forwarded to bus.pcap
 *   sim_trace_bus.c     the CAN bus observer (frames, bus errors, controller states)
 *   sim_trace_pcap.c    bus.pcap through libpcap (only with SIM_HAVE_PCAP)
 *   sim_trace_events.c  events.jsonl lines
 *   sim_trace_vcd.c     signals.vcd
 *
 * Every byte of bus.log, events.jsonl and signals.vcd goes through sim_trace__write(), which
 * feeds that file's own SHA-256 context. The digest is SHA-256 over the three 32-byte file
 * digests concatenated (bus.log, events.jsonl, signals.vcd), so each file is hashed as it is
 * written and nothing needs to be buffered or read back.
 *
 * Internal: nothing outside core/trace includes this header.
 */
#ifndef SIM_TRACE_INT_H
#define SIM_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_can.h"
#include "sim_sha256.h"
#include "sim_trace.h"
#include "sim_trace_names.h"

/** Longest events.jsonl line including the newline; longer lines are truncated (see events). */
#define SIM_TRACE_EV_LINE_MAX 4096
/** Buses one trace can observe. */
#define SIM_TRACE_MAX_BUSES 8
/** Longest interface name in bus.log (Linux IFNAMSIZ - 1). */
#define SIM_TRACE_IFACE_MAX 15

/** Bytes a trace file gathers before they are hashed and written in one go. */
#define SIM_TRACE_FILE_BUF (64u * 1024u)

/** One hashed output file. Lines are gathered in buf: hashing and writing per line cost more
 *  than formatting them. */
typedef struct {
    FILE *f;
    const char *name; /* "bus.log", ...: for the error message */
    sim_sha256_t sha;
    size_t len; /* bytes waiting in buf */
    char buf[SIM_TRACE_FILE_BUF];
} trace_file_t;

struct sim_trace_ev {
    sim_trace_t *t;
    bool open;      /* between ev_begin and ev_end */
    bool truncated; /* a field was dropped: no later field is added */
    size_t len;     /* bytes in buf, without the closing brace */
    char buf[SIM_TRACE_EV_LINE_MAX];
};

/** A declared VCD signal. */
typedef struct {
    char *scope, *name;
    unsigned width;     /* 1..64, 0 for a real */
    uint64_t value;     /* current value (wires), masked to width */
    char real[32];      /* current value as printed (reals) */
    uint64_t real_bits; /* the double `real` was printed from (reals) */
    char id[4];         /* identifier code, assigned when declarations close */
} trace_vcd_sig_t;

typedef struct {
    trace_vcd_sig_t *sigs; /* indexed by sim_vcd_sig_t, in declaration order */
    size_t n, cap;
    sim_trace_names_t names; /* the sigs' (scope, name) pairs while declarations are open */
    bool started;            /* header written: declarations are closed */
    bool stamped;            /* a "#t" line for last_t has been written */
    sim_time_ns_t last_t;    /* time of the last change (0 after the header) */
} trace_vcd_t;

/** A controller's last reported state (to tell a recovery from a first start). */
typedef struct {
    const sim_can_ctrl_t *ctrl; /* identity only; never printed, never ordered by */
    sim_can_state_t state;
} trace_ctrl_state_t;

/** One observed bus: the observer context. */
typedef struct {
    sim_trace_t *t;
    char iface[SIM_TRACE_IFACE_MAX + 1];
    trace_ctrl_state_t *ctrls;
    size_t n_ctrls, cap_ctrls;
} trace_bus_t;

struct sim_trace {
    char *dir;     /* final folder */
    char *partial; /* "<dir>.partial" */
    bool closed;   /* files closed, digest final (sim_trace_finish) */
    bool settled;  /* committed or removed (sim_trace_close) */
    bool committed;
    int err;            /* first write error (0 or -SIM_EIO) */
    char err_what[160]; /* "<file>: <reason>" of that error */
    trace_file_t buslog, events, vcdf;
    void *pcap; /* sim_trace_pcap.c's writer, NULL when not written */
    sim_trace_ev_t ev;
    trace_vcd_t vcd;
    trace_bus_t buses[SIM_TRACE_MAX_BUSES];
    size_t n_buses;
    char digest[SIM_SHA256_HEX_LEN];
};

/** Records the first failure: the file it hit ("bus.log", "run folder", ...) and errno_value's
 *  text (0: no system error is known). Later failures keep the first one. */
void sim_trace__fail(sim_trace_t *t, const char *file, int errno_value);

/** Appends bytes to a trace file and its hash; records the first failure. No-op once closed. */
void sim_trace__write(sim_trace_t *t, trace_file_t *tf, const char *buf, size_t len);

/** The trace digest from the SHA-256 of bus.log, events.jsonl and signals.vcd, in that order:
 *  hex of sha256(h[0] || h[1] || h[2]). The one definition, for the run and for a folder. */
void sim_trace__digest_of(const uint8_t h[3 * SIM_SHA256_LEN], char out[SIM_SHA256_HEX_LEN]);

/** malloc'd copy of s, or NULL. */
char *sim_trace__strdup(const char *s);

/* ---- sim_trace_can.c ---- */

/** An interface name bus.log can carry: 1..15 printable bytes, no space, '(' or '#'. */
bool sim_trace__iface_ok(const char *iface);

/* ---- sim_trace_folder.c ---- */

/**
 * Checks that dir is absent or replaceable, removes a stale partial folder (one no live run holds
 * locked) and creates partial afresh, locked by this process until it is committed or removed.
 * 0; -SIM_EBUSY when another live run writes partial ("<dir>: another alfasim run is writing
 * this run folder" in errbuf, its files untouched); -SIM_EIO or -SIM_ENOMEM (message in errbuf).
 * The lock belongs to the caller's `partial` string (its address): pass that same pointer to
 * sim_trace__folder_commit and sim_trace__remove_tree, which release it; any other string that
 * names the folder is treated as another run's.
 */
int sim_trace__folder_create(const char *partial, const char *dir, char *errbuf, size_t errlen);
/** Moves partial to dir, replacing an older run folder at dir, and drops its lock. 0/-SIM_EIO. */
int sim_trace__folder_commit(const char *partial, const char *dir);
/**
 * Removes a folder and everything below it (symbolic links are removed, never followed), unless
 * it is a partial folder another live run holds locked: then -SIM_EBUSY and nothing is removed.
 */
int sim_trace__remove_tree(const char *path);

/* ---- sim_trace_pcap.c ---- */

/** Opens bus.pcap at path. 0, -SIM_ENOTSUP (built without libpcap) or -SIM_EIO. */
int sim_trace__pcap_open(const char *path, void **out);
/** One packet: can_id with its EFF/RTR/ERR flag bits, length byte and 8 data bytes. */
void sim_trace__pcap_write(void *p, sim_time_ns_t t_ns, uint32_t can_id, uint8_t len,
                           const uint8_t data[8]);
/** Flushes and closes. 0 or -SIM_EIO. */
int sim_trace__pcap_close(void *p);

/* ---- sim_trace_vcd.c ---- */

/** Writes the header if no value changed yet (a run without changes still gets one). */
void sim_trace__vcd_finish(sim_trace_t *t);
void sim_trace__vcd_free(trace_vcd_t *v);

/* ---- sim_report.c: atomic files for the report writers ---- */

/** Opens "<path>.tmp" for writing; *tmp receives its name (free it). NULL on failure. */
FILE *sim_report__begin(const char *path, char **tmp);
/** Closes f and renames tmp over path; on any error removes tmp. Frees tmp. 0 or -SIM_EIO. */
int sim_report__commit(FILE *f, char *tmp, const char *path);

#endif
