/*
 * sim_nvs_int.h: the NVS image's private state, shared by its files and by nothing else.
 *
 *   sim_nvs.c        the API, and the index: the sorted records the API reads and iterates
 *   sim_nvs_flash.c  the flash: a page-based log of items with two-phase writes, its garbage
 *                    collection, and the power cut that can stop any of its operations
 *   sim_nvs_mount.c  power back: recovering the flash after a cut and rebuilding the index
 *
 * The flash (after ESP-IDF's nvs_flash, much simplified: one slot holds a whole item):
 *
 *   page 0  [VALID a=1 #1][ERASED a=0 #0][VALID b=7 #2][WRITING c=? #3][EMPTY]...[EMPTY]
 *   page 1  [EMPTY] ... all empty: the reserve, the garbage collector's destination
 *   page 2  ...
 *
 * A set is three operations: write the new item in a free slot (state WRITING, with the next
 * sequence number), commit it (VALID), erase the old item (ERASED). A cut leaves either the old
 * value (before the commit: the WRITING slot is garbage) or both as VALID (after it: the higher
 * sequence number wins at mount), so a key always reads old or new. Garbage collection marks a
 * page FREEING, copies its valid items (same sequence numbers) into the reserve page, and erases
 * the page, which becomes the reserve; mount finishes an interrupted collection.
 *
 * The index mirrors the flash while powered: record live <=> a VALID item; it also carries what
 * flash does not, the host's wear counters.
 */
#ifndef SIM_NVS_INT_H
#define SIM_NVS_INT_H

#include "sim_nvs.h"

#define NVS_PAGES 4u  /* one of them always empty (the reserve) */
#define NVS_SLOTS 32u /* items per page */

typedef enum { SLOT_EMPTY = 0, SLOT_WRITING, SLOT_VALID, SLOT_ERASED } slot_state_t;

typedef struct {
    uint8_t state; /* slot_state_t */
    uint8_t len;
    uint32_t seq;
    char ns[SIM_NVS_NAME_MAX + 1];
    char key[SIM_NVS_NAME_MAX + 1];
    uint8_t value[SIM_NVS_VALUE_MAX];
} nvs_slot_t;

typedef struct {
    bool freeing; /* garbage collection copies this page out */
    nvs_slot_t slot[NVS_SLOTS];
} nvs_page_t;

typedef struct {
    nvs_page_t page[NVS_PAGES];
    uint32_t next_seq;
    uint64_t ops;    /* flash operations attempted since creation */
    uint64_t cut_at; /* the operation count at which power fails; 0: never */
    uint64_t collections;
    uint64_t cuts;
    bool dead; /* power was cut; sim_nvs_mount restores it */
} nvs_flash_t;

typedef struct {
    char ns[SIM_NVS_NAME_MAX + 1];
    char key[SIM_NVS_NAME_MAX + 1];
    uint8_t value[SIM_NVS_VALUE_MAX];
    size_t len;
    uint64_t writes;
    bool live;
} nvs_record_t;

struct sim_nvs {
    nvs_record_t rec[SIM_NVS_ENTRIES_MAX];
    unsigned count; /* records in use, live or erased */
    sim_nvs_stats_t stats;
    uint64_t version;
    nvs_flash_t flash;
};

/* ---- sim_nvs_flash.c ---- */
/** Writes (ns, key) = value as a new item and erases the item it replaces. 0, or -SIM_EIO when
 *  the power failed (whatever the cut left is for mount to sort out). */
int sim_nvs__flash_put(nvs_flash_t *f, const char *ns, const char *key, const void *value,
                       size_t len);
/** Erases the valid item of (ns, key), if any. 0 or -SIM_EIO. */
int sim_nvs__flash_erase(nvs_flash_t *f, const char *ns, const char *key);
/** One flash operation is about to happen: false (and the flash dead) when power fails here. */
bool sim_nvs__flash_op(nvs_flash_t *f);
/** The slot holding the valid item of (ns, key) with the highest sequence number, or NULL. */
nvs_slot_t *sim_nvs__flash_find(nvs_flash_t *f, const char *ns, const char *key);
/** A free slot outside FREEING pages, without collecting garbage (mount); NULL if none. */
nvs_slot_t *sim_nvs__flash_free_slot(nvs_flash_t *f);
/** Copies an item into a free slot (write + commit, keeping its sequence number). 0 or EIO. */
int sim_nvs__flash_copy(nvs_flash_t *f, const nvs_slot_t *from, nvs_slot_t *to);

/* ---- sim_nvs.c ---- */
/** The index record of (ns, key), inserted (not live) when missing; NULL when the index is full
 *  of live records. */
nvs_record_t *sim_nvs__record(sim_nvs_t *nvs, const char *ns, const char *key);

#endif
