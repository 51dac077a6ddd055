/*
 * sim_lines.c: zeroed memory on a cache-line boundary. See sim_lines.h.
 */
#include "sim_lines.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *sim_calloc_lines(size_t size) {
    if (size > SIZE_MAX - SIM_CACHE_LINE) {
        return NULL;
    }
    size_t whole = (size + SIM_CACHE_LINE - 1u) / SIM_CACHE_LINE * SIM_CACHE_LINE;
    void *p = aligned_alloc(SIM_CACHE_LINE, whole != 0 ? whole : SIM_CACHE_LINE);
    if (p != NULL) {
        memset(p, 0, whole);
    }
    return p;
}
