/*
 * bench_nodes.h: memory per extra node (mem_per_pack, mem_per_testnode).
 */
#ifndef BENCH_NODES_H
#define BENCH_NODES_H

#include "bench.h"

extern const bench_group_t bench_nodes_group;

#endif
