/* crash_livelock.c: a crash fixture (crash_common.h) that, from its fifth heartbeat on, restarts
 * its CAN controller from every state change, and every restart reports another state change at
 * the same instant. Entry points take no virtual time, so the node host must catch the loop (a
 * "livelock" fault) instead of running it forever. */
static void restart_can(int state);
#define CRASH_ON_CAN_STATE restart_can

#include "crash_common.h"

static bool looping;

static void restart_can(int state) {
    if (looping && state == HAL_CAN_ERROR_ACTIVE) {
        (void)hal_can_stop();
        (void)hal_can_start(500000);
    }
}

static void crash_now(void) {
    looping = true;
    (void)hal_can_stop();
    (void)hal_can_start(500000);
}
