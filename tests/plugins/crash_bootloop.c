/* crash_bootloop.c: a crash fixture (crash_common.h) that restarts itself at its fifth heartbeat
 * and then again from fw_init at every boot that follows a software reset, as firmware that
 * restarts to apply a setting it can never apply would. Boots take no virtual time, so the node
 * host must catch the loop (a "reset_loop" fault) instead of booting forever. */
static void restart_again(void);
#define CRASH_AT_BOOT restart_again

#include "crash_common.h"

static void restart_again(void) {
    if (hal_reset_reason() == HAL_RESET_SOFTWARE) {
        hal_restart();
    }
}

static void crash_now(void) {
    hal_restart();
}
