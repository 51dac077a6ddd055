/*
 * callee_direct.c: callee.c built into the harness under other names (see callee.c), reached by
 * direct calls. Its own translation unit, so the compiler cannot inline it into the caller.
 */
#define BENCH_CALLEE_DIRECT 1
#include "callee.c"
