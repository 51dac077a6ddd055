/*
 * nvs_wear.h: flash-wear projection for a node's NVS, from its write counts.
 *
 * The store itself (keys, values, per-key write counters, survival across power cycles) is the
 * node host's per-node image (core/host/sim_nvs.h). This model turns what that image counted
 * into the question that matters for the product: at this rate of writes, how many years until
 * the flash reaches its rated erase cycles?
 *
 * Geometry assumptions (ESP-IDF nvs_flash on the ESP32's SPI flash, documented defaults):
 *   - the NVS partition is `pages` sectors of 4096 bytes (default 6, a 0x6000 partition), one of
 *     which is always kept erased for garbage collection (`reserved_pages`, default 1);
 *   - each page holds 126 entries of 32 bytes after its header and entry-state bitmap;
 *   - a value of at most 8 bytes (u8/u16/u32, the firmware's nodeID, modeMask, ecoLimit,
 *     gridLimit) takes 1 entry; a longer blob takes 1 header entry + ceil(len / 32) data entries
 *     (the firmware's touWindow and scThresh are 4 and 2 bytes, so 1 entry each);
 *   - a write appends new entries and marks the old ones erased; pages fill in turn and, when the
 *     spare must be used, the oldest page's live entries are copied forward and it is erased. So
 *     the whole partition rotates, and each page is erased once per rotation (wear levelling).
 *
 *   entries_per_day = sum over keys of writes_per_day * entries(len)
 *   room            = (pages - reserved_pages) * 126 - live_entries   (fresh entries a rotation)
 *   erases/page/day = entries_per_day / room
 *   years           = rated_cycles / (365.25 * erases/page/day)
 *
 * Also given, for comparison with single-sector arithmetic, the worst case without levelling:
 * every write erasing the same sector, years = rated_cycles / (365.25 * writes_per_day).
 * Rated erase cycles default to 100 000 (the flash datasheets' figure).
 */
#ifndef NVS_WEAR_H
#define NVS_WEAR_H

#include <stddef.h>
#include <stdint.h>

#define NVS_WEAR_ENTRY_BYTES      32u
#define NVS_WEAR_ENTRIES_PER_PAGE 126u

typedef struct {
    uint16_t pages;          /* partition sectors; default 6 */
    uint16_t reserved_pages; /* kept erased; default 1 */
    uint32_t rated_cycles;   /* erase cycles per sector; default 100000 */
} nvs_wear_geom_t;

typedef struct {
    size_t value_len;      /* bytes */
    double writes_per_day; /* >= 0 */
} nvs_wear_key_t;

typedef struct {
    double writes_per_day; /* all keys */
    double entries_per_day;
    uint32_t live_entries; /* one copy of every key */
    uint32_t room_entries; /* fresh entries per rotation */
    double erases_per_page_per_day;
    double years;               /* with levelling; INFINITY when nothing is written */
    double years_single_sector; /* worst case; INFINITY when nothing is written */
} nvs_wear_result_t;

void nvs_wear_geom_default(nvs_wear_geom_t *g);

/** Entries one write of a value of `len` bytes uses. */
uint32_t nvs_wear_entries(size_t len);

/** Writes per day from a count observed over `elapsed_ns` (> 0) of virtual time. */
double nvs_wear_rate_per_day(uint64_t writes, int64_t elapsed_ns);

/**
 * Projects the wear of `n` keys.
 * @retval 0
 * @retval -SIM_EINVAL   pages <= reserved_pages, rated_cycles 0, a negative rate, or n > 0 with
 *                       keys NULL
 * @retval -SIM_ERANGE   the live data does not fit the usable pages (room would be <= 0)
 */
int nvs_wear_project(const nvs_wear_geom_t *g, const nvs_wear_key_t *keys, size_t n,
                     nvs_wear_result_t *out);

#endif
