/* crash_logflood.c: a crash fixture (crash_common.h) that floods its console: 100 000 lines of
 * about 100 characters from one callback, far beyond any log budget. The flood ends, so the same
 * fixture also runs in process, where the node host must mute it the same way. */
#include "crash_common.h"

#define FLOOD_LINES 100000u

static void crash_now(void) {
    for (unsigned i = 0; i < FLOOD_LINES; i++) {
        hal_log(HAL_LOG_DEBUG,
                "flood %6u: the quick brown fox jumps over the lazy dog, again and again, forever",
                i);
    }
}
