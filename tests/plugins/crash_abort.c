/* crash_abort.c: a crash fixture (crash_common.h) that calls abort(), as a failed assert() does. */
#include <stdlib.h>

#include "crash_common.h"

static void crash_now(void) {
    abort();
}
