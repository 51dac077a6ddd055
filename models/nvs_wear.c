/*
 * nvs_wear.c: erase-cycle projection (formulas and assumptions in nvs_wear.h).
 */
#include "nvs_wear.h"

#include <math.h>

#include "sim_types.h"

void nvs_wear_geom_default(nvs_wear_geom_t *g) {
    *g = (nvs_wear_geom_t){.pages = 6, .reserved_pages = 1, .rated_cycles = 100000};
}

uint32_t nvs_wear_entries(size_t len) {
    if (len <= 8) {
        return 1; /* fits the 8-byte data field of one entry */
    }
    return 1u + (uint32_t)((len + NVS_WEAR_ENTRY_BYTES - 1) / NVS_WEAR_ENTRY_BYTES);
}

double nvs_wear_rate_per_day(uint64_t writes, int64_t elapsed_ns) {
    SIM_ASSERT(elapsed_ns > 0);
    return (double)writes * (86400.0 * 1e9) / (double)elapsed_ns;
}

static int sum_keys(const nvs_wear_key_t *keys, size_t n, nvs_wear_result_t *out) {
    for (size_t i = 0; i < n; i++) {
        if (!(keys[i].writes_per_day >= 0.0)) {
            return -SIM_EINVAL;
        }
        uint32_t e = nvs_wear_entries(keys[i].value_len);
        out->writes_per_day += keys[i].writes_per_day;
        out->entries_per_day += keys[i].writes_per_day * e;
        out->live_entries += e;
    }
    return 0;
}

int nvs_wear_project(const nvs_wear_geom_t *g, const nvs_wear_key_t *keys, size_t n,
                     nvs_wear_result_t *out) {
    *out = (nvs_wear_result_t){0};
    if (g->pages <= g->reserved_pages || g->rated_cycles == 0 || (n > 0 && !keys)) {
        return -SIM_EINVAL;
    }
    int rc = sum_keys(keys, n, out);
    if (rc != 0) {
        return rc;
    }
    uint32_t usable = (uint32_t)(g->pages - g->reserved_pages) * NVS_WEAR_ENTRIES_PER_PAGE;
    if (out->live_entries >= usable) {
        return -SIM_ERANGE;
    }
    out->room_entries = usable - out->live_entries;
    out->erases_per_page_per_day = out->entries_per_day / out->room_entries;
    double cycles = g->rated_cycles;
    out->years = out->erases_per_page_per_day > 0.0
                     ? cycles / (365.25 * out->erases_per_page_per_day)
                     : (double)INFINITY;
    out->years_single_sector =
        out->writes_per_day > 0.0 ? cycles / (365.25 * out->writes_per_day) : (double)INFINITY;
    return 0;
}
