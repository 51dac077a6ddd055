/* crash_stack.c: a crash fixture (crash_common.h) that recurses without end, each frame holding a
 * buffer, until the stack overflows. */
#include "crash_common.h"

/* Never equal to a depth reached in practice; volatile, so the recursion has an exit as far as
 * the compiler knows (no infinite-recursion warning, no tail call turned into a loop). */
static volatile unsigned stop_depth = 0xFFFFFFFFu;

static unsigned descend(unsigned depth) {
    volatile uint8_t frame[512];
    frame[depth % sizeof frame] = (uint8_t)depth;
    if (depth == stop_depth) {
        return frame[0];
    }
    return descend(depth + 1u) + frame[depth % sizeof frame];
}

static void crash_now(void) {
    (void)descend(0);
}
