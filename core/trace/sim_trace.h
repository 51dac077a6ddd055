/*
 * sim_trace.h: the run folder, written as the simulation runs.
 *
 *   bus.log       candump -l lines with virtual timestamps, one per frame or error frame
 *   bus.pcap      the same frames as LINKTYPE_CAN_SOCKETCAN, nanosecond timestamps (libpcap)
 *   events.jsonl  one JSON object per line: t_ns, type, node first, then the event's fields
 *   signals.vcd   Value Change Dump (timescale 1 ns), one scope per node
 *
 * Nothing here reads a host clock; every line is a function of virtual time and simulated state,
 * printed without locale dependence. No half-written output: files go to "<dir>.partial/" and
 * sim_trace_close(commit=true) renames the folder to <dir> (replacing an older one); a failed or
 * abandoned run removes the partial folder.
 *
 * The trace digest is a SHA-256 over the bytes of bus.log, events.jsonl and signals.vcd, in that
 * order (bus.pcap is derived from the same frames). Same scenario + seed + build → same digest.
 *
 * Lifetime: sim_trace_t is not thread-safe; one per run. Write errors are sticky: the first one
 * is kept and returned by sim_trace_close().
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_can.h"
#include "sim_types.h"

typedef struct sim_trace sim_trace_t;

typedef struct {
    bool pcap; /* also write bus.pcap (when built with libpcap) */
} sim_trace_cfg_t;

/**
 * Creates "<dir>.partial/" and opens the files (a stale partial folder from a crashed run is
 * removed first). Fails with a message in errbuf when the parent folder is missing, not a folder
 * or not writable, or when <dir> exists but is not a run folder (a directory holding events.jsonl,
 * or empty): an existing folder of something else is never replaced.
 * 0, -SIM_EIO, -SIM_EINVAL (empty name), -SIM_ENOMEM.
 */
int sim_trace_open(const char *dir, const sim_trace_cfg_t *cfg, sim_trace_t **out, char *errbuf,
                   size_t errlen);

/**
 * Flushes and closes the files and computes the digest, leaving the folder at "<dir>.partial",
 * so that files that need the digest (report.json) can be added before the folder is committed.
 * Later trace calls write nothing. sim_trace_close does this itself when it was not done.
 * 0 or the first write error (-SIM_EIO).
 */
int sim_trace_finish(sim_trace_t *t);

/**
 * Flushes and closes the files (sim_trace_finish). With commit, renames the folder into place (an
 * older run folder at <dir> is renamed to "<dir>.old", replaced, then removed); otherwise removes
 * it. After a write error the folder is removed even with commit. Calls after the first return its
 * result. The digest stays readable until sim_trace_free. 0 or the first write error (-SIM_EIO).
 */
int sim_trace_close(sim_trace_t *t, bool commit);
/**
 * The first write error as "<file>: <reason>" ("bus.log: No space left on device"), or NULL
 * while every write succeeded. A run can stop as soon as it is set: a folder with an error is
 * never committed. Files are written through buffers, so an error shows within about 64 KiB of
 * output after the write that hit it. Valid until sim_trace_free.
 */
const char *sim_trace_error(const sim_trace_t *t);

/** Frees the trace; one never closed is closed without commit first. NULL is allowed. */
void sim_trace_free(sim_trace_t *t);

/**
 * Hex SHA-256 digest of the traces (valid after sim_trace_finish or sim_trace_close). 65 bytes
 * with the NUL.
 * It is sha256(h_buslog || h_events || h_vcd), where each h is the 32-byte SHA-256 of that file's
 * bytes: the files are hashed as they are written, and nothing is read back.
 */
const char *sim_trace_digest(const sim_trace_t *t);

#define SIM_TRACE_DIGEST_HEX_LEN 65 /* 64 hex digits and the NUL */

/**
 * The same digest recomputed from the plain bus.log, events.jsonl and signals.vcd of a committed
 * run folder, into `out`. 0; -SIM_ENOENT when one of the three is absent (a folder kept without
 * its traces, or with them compressed); -SIM_EIO when one cannot be read, with its name in
 * `*unreadable` when that is not NULL.
 */
int sim_trace_folder_digest(const char *dir, char out[SIM_TRACE_DIGEST_HEX_LEN],
                            const char **unreadable);

/**
 * Removes a folder tree (a run folder whose report could not be written, temporary run folders).
 * Symbolic links are removed, never followed; an absent path is not an error. 0 or -SIM_EIO.
 */
int sim_trace_remove_folder(const char *path);

/** The run folder as it is being written ("<dir>.partial", for report writers); <dir> once
 *  committed. */
const char *sim_trace_dir(const sim_trace_t *t);

/* ---- CAN ---------------------------------------------------------------------------------- */

/*
 * Error-frame classes (can_id bits) and data bytes of linux/can/error.h, written out here so the
 * trace builds on hosts without Linux headers. The values are the kernel's ABI.
 */
#define SIM_TRACE_ERR_FLAG      0x20000000u /* CAN_ERR_FLAG, added by sim_trace_can_error */
#define SIM_TRACE_ERR_CRTL      0x00000004u /* controller problems, details in data[1] */
#define SIM_TRACE_ERR_PROT      0x00000008u /* protocol violations, data[2] type, data[3] where */
#define SIM_TRACE_ERR_ACK       0x00000020u /* no acknowledge on transmission */
#define SIM_TRACE_ERR_BUSOFF    0x00000040u
#define SIM_TRACE_ERR_BUSERROR  0x00000080u /* a bus error; python-can needs it to see the frame */
#define SIM_TRACE_ERR_RESTARTED 0x00000100u /* restarted after bus-off */
#define SIM_TRACE_ERR_CNT       0x00000200u /* TEC in data[6], REC in data[7] */
/* data[1] with SIM_TRACE_ERR_CRTL */
#define SIM_TRACE_ERR_CRTL_RX_WARNING 0x04u
#define SIM_TRACE_ERR_CRTL_TX_WARNING 0x08u
#define SIM_TRACE_ERR_CRTL_RX_PASSIVE 0x10u
#define SIM_TRACE_ERR_CRTL_TX_PASSIVE 0x20u
#define SIM_TRACE_ERR_CRTL_ACTIVE     0x40u /* back to error-active */
/* data[2] with SIM_TRACE_ERR_PROT */
#define SIM_TRACE_ERR_PROT_BIT   0x01u
#define SIM_TRACE_ERR_PROT_FORM  0x02u
#define SIM_TRACE_ERR_PROT_STUFF 0x04u
#define SIM_TRACE_ERR_PROT_TX    0x80u /* detected while transmitting */
/* data[3] with SIM_TRACE_ERR_PROT */
#define SIM_TRACE_ERR_LOC_UNSPEC  0x00u
#define SIM_TRACE_ERR_LOC_ID28_21 0x02u
#define SIM_TRACE_ERR_LOC_SOF     0x03u
#define SIM_TRACE_ERR_LOC_SRTR    0x04u /* an extended frame's SRR, a standard frame's RTR */
#define SIM_TRACE_ERR_LOC_IDE     0x05u
#define SIM_TRACE_ERR_LOC_ID20_18 0x06u
#define SIM_TRACE_ERR_LOC_ID17_13 0x07u
#define SIM_TRACE_ERR_LOC_CRC_SEQ 0x08u
#define SIM_TRACE_ERR_LOC_RES0    0x09u
#define SIM_TRACE_ERR_LOC_DATA    0x0Au
#define SIM_TRACE_ERR_LOC_DLC     0x0Bu
#define SIM_TRACE_ERR_LOC_RTR     0x0Cu
#define SIM_TRACE_ERR_LOC_RES1    0x0Du
#define SIM_TRACE_ERR_LOC_ID04_00 0x0Eu
#define SIM_TRACE_ERR_LOC_ID12_05 0x0Fu
#define SIM_TRACE_ERR_LOC_ACK     0x19u /* ACK slot */

/** bus.log + bus.pcap: one data/remote frame at time t on interface `iface`. */
void sim_trace_can_frame(sim_trace_t *t, sim_time_ns_t t_ns, const char *iface,
                         const sim_can_frame_t *f);

/**
 * bus.log + bus.pcap: one error frame, as Linux reports it: can_id = CAN_ERR_FLAG | class bits
 * (linux/can/error.h, SIM_TRACE_ERR_*), 8 data bytes. Line: "(…) can0 200000A8#0000001900000000".
 */
void sim_trace_can_error(sim_trace_t *t, sim_time_ns_t t_ns, const char *iface, uint32_t err_class,
                         const uint8_t data[8]);

/**
 * Registers the trace as an observer of a bus: frames (stamped at their end), error frames and
 * state changes. State changes go to events.jsonl as {"type":"can_state","node":…,"bus":…,
 * "state":…,"prev":…,"tec":…,"rec":…} (states stopped, error_active, error_warning,
 * error_passive, bus_off) plus the error frame a Linux driver would report. The bus keeps a
 * pointer into the trace: stop running the bus before sim_trace_free. At most 8 buses.
 * 0, -SIM_EAGAIN (too many buses, or the bus has no observer slot left), -SIM_EINVAL (the bus
 * name is not a valid interface name: 1..15 printable characters, no space, '(' or '#').
 */
int sim_trace_attach_bus(sim_trace_t *t, sim_can_bus_t *bus);

/* ---- events.jsonl ------------------------------------------------------------------------- */

/** A line being built; fields keep the order in which they are added. */
typedef struct sim_trace_ev sim_trace_ev_t;

/**
 * Starts a line {"t_ns":…,"type":…,"node":…; node may be NULL (omitted). Never NULL. One line
 * is open at a time. Lines are at most 4 KiB: a field that does not fit is dropped with all later
 * ones and the line ends with "truncated":true (still valid JSON). Strings are JSON-escaped,
 * control characters as \u00XX, invalid UTF-8 as \ufffd. After close, lines are discarded.
 */
sim_trace_ev_t *sim_trace_ev_begin(sim_trace_t *t, sim_time_ns_t t_ns, const char *type,
                                   const char *node);
void sim_trace_ev_str(sim_trace_ev_t *e, const char *key, const char *val); /* JSON-escaped */
void sim_trace_ev_int(sim_trace_ev_t *e, const char *key, int64_t val);
void sim_trace_ev_uint(sim_trace_ev_t *e, const char *key, uint64_t val);
void sim_trace_ev_bool(sim_trace_ev_t *e, const char *key, bool val);
/** A fixed-point number: val / 10^decimals, printed exactly (e.g. 12345, 3 → 12.345). */
void sim_trace_ev_fixed(sim_trace_ev_t *e, const char *key, int64_t val, unsigned decimals);
/** Raw JSON (an array or object already formatted by the caller, on one line). */
void sim_trace_ev_raw(sim_trace_ev_t *e, const char *key, const char *json);
/** Ends and writes the line. */
void sim_trace_ev_end(sim_trace_ev_t *e);

/* ---- signals.vcd -------------------------------------------------------------------------- */

typedef uint32_t sim_vcd_sig_t;

/**
 * Declares a signal in scope `scope` (a node name, or "bus"/"world"); width 1..64 bits, or 0 for
 * a real. Declarations close at the first value change; identifier codes are assigned in sorted
 * (scope, name) order. Initial value: `init` (as bits; ignored for reals, which start at 0).
 * Scope and name are VCD identifiers: printable ASCII without spaces or '$', 1..255 bytes.
 * 0, -SIM_EBUSY after the first change, -SIM_EEXIST for a duplicate name, -SIM_EINVAL for an
 * invalid name, -SIM_ENOMEM.
 */
int sim_trace_vcd_declare(sim_trace_t *t, const char *scope, const char *name, unsigned width,
                          uint64_t init, sim_vcd_sig_t *out);
/** Records a value at t_ns (>= the previous change); unchanged values are not written. */
void sim_trace_vcd_set(sim_trace_t *t, sim_vcd_sig_t sig, sim_time_ns_t t_ns, uint64_t value);
void sim_trace_vcd_set_real(sim_trace_t *t, sim_vcd_sig_t sig, sim_time_ns_t t_ns, double value);

#endif
