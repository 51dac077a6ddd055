/*
 * sim_isolate_chan.h: the channel between the node host and a firmware child: two byte rings in
 * memory both processes map, with futex wake-ups. Internal to core/host (sim_isolate.c uses the
 * host end, sim_node_child.c the child end).
 *
 * Contract. Each direction is a byte stream with one writer and one reader, exactly like the
 * stream socket it replaces: the writer blocks while the ring is full, the reader while it is
 * empty, and a record may be split across reads. The region is mapped before the fork, so both
 * ends see the same bytes at the same addresses and no system call moves data. A round trip costs
 * the two wake-ups and nothing else: a side only makes the futex call that wakes its peer when the
 * peer said it is going to sleep, and a side that finds its data already there makes none at all.
 *
 * Trust. The child can write anything anywhere in the shared region (a firmware about to crash
 * may scribble over it), so the host keeps its own copies of the two counters it owns and checks
 * the two the child owns: a counter that moved further than a ring holds is a malformed stream
 * (-SIM_EFORMAT), never a host crash. The host trusts the region for nothing else.
 *
 * Death. The child registers a word of the region in the kernel's robust futex list with its
 * thread id in it; when the child dies, however it dies (a signal, exit(), SIGKILL), the kernel
 * marks that word and wakes the host. The host waits on its data word and that one together
 * (futex_waitv), so a crash is noticed at once, and it still polls the process at a coarse period
 * in case the child spoiled the word before dying.
 *
 * The host clock. The host's waits carry the hang watchdog: a wait that sees nothing from the
 * child for timeout_ms of wall time ends with -SIM_ECANCELED. The clock is read only once the host
 * is about to sleep, never on a round trip that finds its answer ready.
 */
#ifndef SIM_ISOLATE_CHAN_H
#define SIM_ISOLATE_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim_types.h"

typedef struct sim_iso_shm sim_iso_shm_t; /* the shared region */

/** The child's end of the channel (lives in the child's memory). */
typedef struct sim_iso_chan sim_iso_chan_t;

/* ---- the host end ---------------------------------------------------------------------------- */

/** Maps a fresh region (before the fork). NULL when out of memory. */
sim_iso_shm_t *sim_iso_shm_create(void);
/** After the fork, in the host: keeps the region out of every later fork, so that no other
 *  node's child can reach this node's channel. */
void sim_iso_shm_seal(sim_iso_shm_t *shm);
void sim_iso_shm_destroy(sim_iso_shm_t *shm);

typedef struct {
    sim_iso_shm_t *shm;
    pid_t pid;
    uint32_t timeout_ms;
    uint32_t down_head; /* bytes the host wrote: its own copy, the shared one is the child's view */
    uint32_t up_tail;   /* bytes the host read */
    bool dead;          /* reaped: status holds the wait status */
    int status;
} sim_iso_host_end_t;

/**
 * Writes `len` bytes to the child (the parts in order), waiting for room if the ring is full.
 * @retval 0
 * @retval -SIM_EIO        the child is gone
 * @retval -SIM_ECANCELED  the child made no room for timeout_ms
 * @retval -SIM_EFORMAT    the child's counter is corrupt
 */
int sim_iso_host_write(sim_iso_host_end_t *h, const void *const *parts, const size_t *lens,
                       unsigned n_parts);

/**
 * Reads at least one and at most `cap` bytes from the child, waiting for them.
 * @return bytes read (> 0), -SIM_EIO when the child is gone and left nothing unread,
 *         -SIM_ECANCELED when nothing came for timeout_ms, -SIM_EFORMAT for a corrupt counter
 */
long sim_iso_host_read(sim_iso_host_end_t *h, void *buf, size_t cap);

/** Whether the child lingers before it sleeps, waiting for its next batch (it sleeps at once
 *  until told; see sim_isolate_set_linger). */
void sim_iso_host_linger(sim_iso_host_end_t *h, bool on);

/** Reaps the child if it has ended (without waiting); true once it is reaped. */
bool sim_iso_host_reap(sim_iso_host_end_t *h, bool block);

/* ---- the child end --------------------------------------------------------------------------- */

/** Takes the child's end (after the fork, in the child): registers the death word. */
sim_iso_chan_t *sim_iso_chan_attach(sim_iso_shm_t *shm);

/** Writes all `len` bytes, waiting for room as long as needed (async-signal-safe). */
void sim_iso_chan_write(sim_iso_chan_t *c, const void *p, size_t len);

/** Reads at least one and at most `cap` bytes, waiting as long as needed. */
size_t sim_iso_chan_read(sim_iso_chan_t *c, void *buf, size_t cap);

#endif
