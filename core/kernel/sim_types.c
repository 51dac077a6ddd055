/*
 * sim_types.c: names for the SIM_E* codes and the assertion failure path.
 *
 * Both are deliberately dull: sim_strerror() is a table generated from the same X-macro as the
 * enum, so a code cannot exist without a message; sim_assert_fail() writes one line and aborts,
 * because after a broken invariant nothing the simulator says can be trusted (TigerStyle: crash,
 * do not limp on).
 */
#include "sim_types.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const error_messages[SIM_ERR_COUNT_] = {[SIM_OK] = "success",
#define SIM_ERR_MSG_(name, msg) [SIM_##name] = msg,
                                                           SIM_ERRNO_MAP(SIM_ERR_MSG_)
#undef SIM_ERR_MSG_
};

const char *sim_strerror(int err) {
    /* Accept both signs: callers pass the negative return value, tables hold positive codes. */
    if (err < 0) {
        err = err == INT_MIN ? SIM_ERR_COUNT_ : -err;
    }
    if (err >= SIM_ERR_COUNT_) {
        return "unknown error";
    }
    return error_messages[err];
}

_Noreturn void sim_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "alfasim: internal error: assertion `%s' failed at %s:%d\n", expr, file, line);
    fflush(stderr);
    abort();
}
