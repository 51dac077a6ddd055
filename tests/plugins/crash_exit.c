/* crash_exit.c: a crash fixture (crash_common.h) that calls exit(3), as firmware ported from a
 * desktop program might on an error path. */
#include <stdlib.h>

#include "crash_common.h"

static void crash_now(void) {
    exit(3);
}
