/*
 * sim_nvs.h: one node's NVS flash image, a bounded key-value store that survives power cycles.
 *
 * The image belongs to the node host, not to the plugin copy, so unloading the firmware (power
 * off, watchdog or software reset) leaves it intact, as flash would. Entries are addressed by
 * (namespace, key), both at most 15 characters as on the ESP32, and hold a blob of at most 64
 * bytes. The store holds at most SIM_NVS_ENTRIES_MAX keys.
 *
 * Wear accounting is the point of simulating it: every successful set counts as one write, for
 * the key and in the total, even when the value is identical to what is stored (real firmware
 * must compare before writing; the counters show when it does not). Erasing a key keeps its
 * write count (the entry stays as an empty record), so a key that is erased and written again
 * accumulates. Empty records are reused for new keys only when no free slot is left; their count
 * is then lost.
 *
 * Iteration is in sorted (namespace, key) order, independent of write order, so traces and
 * tests that list the image are deterministic.
 *
 * Flash and power loss. Underneath, the image is a page-based log in simulated flash, written
 * like ESP-IDF's nvs_flash: a set writes the new item, commits it, then erases the old one; a
 * full flash is compacted by copying a page's live items out and erasing it (sim_nvs_int.h has
 * the layout). Each of those steps is one counted flash operation, and a power cut can be armed
 * at any of them (sim_nvs_cut_power_at): that operation does not complete (a write is left torn),
 * the call in progress fails with -SIM_EIO, and so does every call after it until the image is
 * mounted again (sim_nvs_mount, what a boot does). Mounting repairs the flash, and afterwards
 * every key holds either the value it had before the interrupted call or the one that call was
 * writing, never anything else. Wear counters count completed sets only.
 */
#ifndef SIM_NVS_H
#define SIM_NVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_types.h"

#define SIM_NVS_NAME_MAX    15u /* characters in a namespace or key, without the NUL */
#define SIM_NVS_VALUE_MAX   64u /* bytes in a value */
#define SIM_NVS_ENTRIES_MAX 64u /* keys, live or erased */

typedef struct sim_nvs sim_nvs_t;

/** An empty image. 0 or -SIM_ENOMEM. */
int sim_nvs_create(sim_nvs_t **out);
void sim_nvs_destroy(sim_nvs_t *nvs);

/**
 * Reads a value. On entry *len is the buffer size; on success it is the value's size.
 * @retval 0
 * @retval -SIM_ENOENT  no such key (or erased)
 * @retval -SIM_ERANGE  buffer too small; *len is set to the size needed
 * @retval -SIM_EINVAL  NULL or over-long namespace/key
 * @retval -SIM_EIO     the power was cut and the image is not mounted again yet
 */
int sim_nvs_get(const sim_nvs_t *nvs, const char *ns, const char *key, void *buf, size_t *len);

/**
 * Writes a value (0..64 bytes) and counts the write.
 * @retval 0
 * @retval -SIM_EINVAL  NULL or over-long namespace/key, len > 64, buf NULL with len > 0
 * @retval -SIM_ENOMEM  the image is full (SIM_NVS_ENTRIES_MAX keys); nothing written
 * @retval -SIM_EIO     the power was cut (now, or earlier and not mounted again)
 */
int sim_nvs_set(sim_nvs_t *nvs, const char *ns, const char *key, const void *buf, size_t len);

/** Erases one key. 0, -SIM_ENOENT (absent), -SIM_EINVAL, -SIM_EIO (power cut). */
int sim_nvs_erase_key(sim_nvs_t *nvs, const char *ns, const char *key);

/** Erases every key of a namespace (0 even when it had none), or of all namespaces when ns is
 *  NULL. Returns the number of keys erased (>= 0), -SIM_EINVAL, or -SIM_EIO (power cut: the
 *  keys before the cut are erased, the others not). */
int sim_nvs_erase_all(sim_nvs_t *nvs, const char *ns);

/** Writes of one key since creation (or the last counter reset); 0 for an unknown key. */
uint64_t sim_nvs_key_writes(const sim_nvs_t *nvs, const char *ns, const char *key);

typedef struct {
    uint64_t writes;  /* successful sets */
    uint64_t erases;  /* keys erased (erase_key, and each key erase_all removed) */
    uint64_t refused; /* sets refused because the image was full */
    uint32_t keys;    /* live keys now */
    /* Flash wear since creation (sim_nvs_reset_counters leaves these alone): */
    uint64_t flash_ops;   /* flash operations (sim_nvs_flash_ops) */
    uint64_t collections; /* garbage collections (a page copied out and erased) */
    uint64_t power_cuts;  /* cuts that struck (sim_nvs_cut_power_at) */
} sim_nvs_stats_t;
void sim_nvs_stats(const sim_nvs_t *nvs, sim_nvs_stats_t *out);

/** Zeroes every counter (after a scenario pre-loads the image, for instance). */
void sim_nvs_reset_counters(sim_nvs_t *nvs);

/** One live entry, as seen by iteration; pointers are valid until the next change. */
typedef struct {
    const char *ns;
    const char *key;
    const uint8_t *value;
    size_t len;
    uint64_t writes;
} sim_nvs_entry_t;

/**
 * Iterates over live entries in (namespace, key) order: start with *cursor = 0, call until it
 * returns false.
 */
bool sim_nvs_next(const sim_nvs_t *nvs, size_t *cursor, sim_nvs_entry_t *out);

/** Flash operations attempted since creation (writes, commits, erase marks, page erases). */
uint64_t sim_nvs_flash_ops(const sim_nvs_t *nvs);

/**
 * Arms a power cut at the nth flash operation from now (1: the next one); 0 disarms. The cut
 * happens once; arm again for another.
 */
void sim_nvs_cut_power_at(sim_nvs_t *nvs, uint64_t nth);

/** False from a power cut until the next successful mount. */
bool sim_nvs_powered(const sim_nvs_t *nvs);

/**
 * Mounts the image, as a boot does: restores power, repairs what a cut left in the flash, and
 * rebuilds the keys from it (wear counters are kept). Also harmless on a healthy image.
 * @retval 0
 * @retval -SIM_EIO  an armed cut struck during the repair (mount again)
 */
int sim_nvs_mount(sim_nvs_t *nvs);

/** A number that changes whenever the contents (or the power-cut setting) change. */
uint64_t sim_nvs_version(const sim_nvs_t *nvs);

/**
 * The whole image as bytes, and back: for the isolated child's copy (sim_isolate.h). The bytes
 * are only meaningful to the same executable (the child is a fork). Restore returns 0, or
 * -SIM_EINVAL when len is not the size snapshot gave.
 */
const void *sim_nvs_snapshot(const sim_nvs_t *nvs, size_t *len);
int sim_nvs_restore(sim_nvs_t *nvs, const void *bytes, size_t len);

#endif
