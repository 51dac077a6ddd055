/*
 * sim_lines.h: zeroed memory that starts on a cache-line boundary.
 *
 * For the structs whose first cache line is laid out as the one that a hot loop reads (a CAN
 * controller, a node): the layout only pays if the line is a whole line. The size is rounded up
 * to whole lines; free() releases the memory.
 */
#ifndef SIM_LINES_H
#define SIM_LINES_H

#include <stddef.h>

/** Bytes in a cache line of the machines alfasim runs on (x86-64, arm64). */
#define SIM_CACHE_LINE 64u

/** calloc(1, size), aligned to SIM_CACHE_LINE; NULL when out of memory. */
void *sim_calloc_lines(size_t size);

#endif
