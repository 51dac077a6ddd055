/* crash_opstorm.c: a crash fixture (crash_common.h) that, at its fifth heartbeat, calls its HAL
 * more times in one entry point than the node host allows (feeding a watchdog it never started,
 * in a loop that would otherwise only end much later), and that asks for its MAC into NULL at
 * boot (the HAL has no error to return: the host must neither crash nor write anywhere). Both
 * modes must stop it with the same "hang" at the same operation. */
#define OPSTORM_CALLS ((1u << 20) + 16u)

static void mac_into_null(void);
#define CRASH_AT_BOOT mac_into_null

#include "crash_common.h"

static void mac_into_null(void) {
    hal_efuse_mac(NULL);
}

static void crash_now(void) {
    for (unsigned i = 0; i < OPSTORM_CALLS; i++) {
        hal_wdt_feed();
    }
}
