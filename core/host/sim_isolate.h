/*
 * sim_isolate.h: crash isolation, the firmware of a node running in a child process.
 *
 * With sim_node_cfg_t.isolate set, a node's plugin copy does not run in the alfasim process. At
 * every boot the node host forks a child; the child loads the copy and runs its entry points when
 * the host tells it to. The host keeps owning everything simulated (timers, GPIO levels, the CAN
 * controller, the UART, the NVS image, the trace): the child runs a proxy of the host operations
 * table, and the host performs each operation the firmware called, in order, at the same kernel
 * event as it would in process. Results are identical to in-process runs, traces and digests
 * included; a child that dies, stalls or misbehaves becomes a node fault instead of taking the
 * simulation down.
 *
 * Synchronisation. The child only ever runs entry points the host hands it, so it can never run
 * ahead of the world. Everything the firmware must see at one instant goes in one batch: all the
 * frames, bytes and state changes queued in the node's inbox are one round trip, not one each.
 * Within an entry point the child answers nearly every operation itself from a mirror of the
 * node's state shipped with the batch (time, levels, CAN state, counters and free queue slots,
 * UART state, its own copy of the NVS image) and records it; the host replays the records and
 * checks that each operation returns what the child predicted (a mismatch is a "protocol" fault,
 * so a mirror bug can never silently change a run). Only operations whose answer comes from the
 * world within the same instant are synchronous: a GPIO read a device model answers (the TM1637
 * ACK), and starting, stopping or recovering the CAN controller.
 *
 *   kernel event (timer, inbox, ADC) ──▶ host: BATCH(mirror, items) ──▶ child: entry points
 *                                       host: replays OPs in order ◀── child: OP records
 *
 * The child is a fork of the host, so it shares nothing afterwards but the channel's region: its
 * own copy of memory, the plugin bytes already read, stdin/stdout/stderr, and nothing else (every
 * other descriptor is closed, stdio buffers were flushed before the fork, core dumps are off, and
 * it dies with its parent).
 *
 * Faults, detected by the host, reported by the node (sim_node_faulted, "node_fault" in
 * events.jsonl):
 *   segfault        the child died of SIGSEGV (or SIGBUS)
 *   stack_overflow  SIGSEGV at the end of the stack (the child's handler runs on an alternate
 *                   stack and says so before dying)
 *   abort           SIGABRT
 *   signal          any other signal
 *   exit            the firmware called exit() (detail: the status)
 *   hang            nothing from the child for the watchdog timeout while the host waits for
 *                   it, or more than SIM_ISOLATE_OPS_MAX operations in one entry point
 *   log_flood       more log bytes in one second of virtual time than the node allows (this one
 *                   is the node host's own budget, enforced in process too)
 *   protocol        a malformed record, or an operation whose real result differs from the one
 *                   the child returned to the firmware
 *
 * The host clock. The hang watchdog is the one place wall time matters while alfasim simulates:
 * the channel's bounded waits (sim_isolate_chan.h), which only decide that a child is stuck after
 * `timeout_ms` in which it sent nothing the host was waiting for. It never decides a simulated
 * result; a child that is merely slow (valgrind, a loaded machine) gets the full timeout for every
 * reply. The default is generous (SIM_ISOLATE_TIMEOUT_MS_DEFAULT).
 *
 * Not thread-safe; one simulation uses its nodes from one thread. The process must not have
 * SIGCHLD ignored (children are reaped with waitpid).
 */
#ifndef SIM_ISOLATE_H
#define SIM_ISOLATE_H

#include <stddef.h>
#include <stdint.h>

#include "sim_isolate_chan.h"
#include "sim_isolate_proto.h"
#include "sim_types.h"

#define SIM_ISOLATE_TIMEOUT_MS_DEFAULT 10000u
#define SIM_ISOLATE_OPS_MAX            (1u << 20) /* operations in one entry point before "hang" */
#define SIM_ISOLATE_SETUP_FAILED       121        /* child exit status: could not prepare */

typedef struct sim_isolate sim_isolate_t;

/** Runs in the child after the fork, with its end of the channel (sim_isolate_chan.h); should
 *  end with _exit (returning exits with status 0). */
typedef void (*sim_isolate_main_fn)(void *arg, sim_iso_chan_t *chan);

/**
 * Forks a child that runs main(arg, chan) with its end of the channel.
 * @retval 0
 * @retval -SIM_ENOMEM  no memory, no shared region or no process (message in err)
 */
int sim_isolate_spawn(sim_isolate_main_fn main, void *arg, uint32_t timeout_ms, sim_isolate_t **out,
                      char *err, size_t errlen);

/**
 * Sends one record (header added here) whose payload is `head` then `tail` (either may be
 * empty; a NULL part must have length 0).
 * @retval 0
 * @retval -SIM_EIO        the child is gone
 * @retval -SIM_ECANCELED  the child took none of the bytes for timeout_ms
 */
int sim_isolate_send(sim_isolate_t *iso, uint16_t type, const void *head, size_t head_len,
                     const void *tail, size_t tail_len);

/**
 * Receives the next record from the child; *payload points into the channel's buffer and stays
 * valid until the next call.
 * @retval 0
 * @retval -SIM_EIO        the child is gone (end of stream)
 * @retval -SIM_ECANCELED  nothing came for timeout_ms (the child is stuck)
 * @retval -SIM_EFORMAT    a header that is not a record (bad magic or length)
 */
int sim_isolate_recv(sim_isolate_t *iso, sim_iso_hdr_t *hdr, const uint8_t **payload);

/**
 * Whether the child, between batches, yields its processor a while looking for the next one
 * before it sleeps (sim_isolate_chan.c, linger()). That pays while the children are few for the
 * processors, and costs when many of them linger at once. Off at spawn. Changes only speed.
 */
void sim_isolate_set_linger(sim_isolate_t *iso, bool on);

/** Kills (SIGKILL) and reaps the child; idempotent. The cause is kept for sim_isolate_cause. */
void sim_isolate_kill(sim_isolate_t *iso);

/** Notes the cause a DYING record gave (the child dies right after sending it). */
void sim_isolate_note_dying(sim_isolate_t *iso, uint32_t cause);

/**
 * Why a dead child died, as a node fault reason (see above; the static strings "segfault",
 * "stack_overflow", "abort", "signal", "exit") and a deterministic detail ("SIGSEGV",
 * "status 3"). Kills and reaps first if needed.
 */
const char *sim_isolate_cause(sim_isolate_t *iso, char *detail, size_t len);

/** Kills, reaps and frees. NULL is ignored. */
void sim_isolate_destroy(sim_isolate_t *iso);

#endif
