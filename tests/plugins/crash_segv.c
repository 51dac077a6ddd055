/* crash_segv.c: a crash fixture (crash_common.h) that writes through a wild pointer. */
#include "crash_common.h"

/* Volatile, so the compiler can neither see the address nor drop the store. */
static volatile uintptr_t wild_address = 0x10;

static void crash_now(void) {
    volatile int *p = (volatile int *)wild_address;
    *p = 42;
}
