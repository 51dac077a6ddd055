/* crash_hang.c: a crash fixture (crash_common.h) that never returns from its timer callback, as
 * firmware waiting on a flag no interrupt will ever set would. */
#include "crash_common.h"

static volatile unsigned spins;

static void crash_now(void) {
    for (;;) {
        spins++;
    }
}
