/*
 * sim_types.h: the two vocabularies every part of alfasim shares, virtual time and error codes.
 *
 * Virtual time is one signed 64-bit count of nanoseconds owned by the kernel (sim_kernel.h);
 * nothing else moves it, and no host clock ever reaches it. Public functions return 0 or a
 * negative SIM_E* code from one X-macro list; sim_strerror() names them. Programmer errors are
 * SIM_ASSERT failures, which stay on in every build (TigerStyle: assertions are documentation
 * that runs).
 */
#ifndef SIM_TYPES_H
#define SIM_TYPES_H

#include <stdint.h>

/** Virtual time in nanoseconds since the start of a run. */
typedef int64_t sim_time_ns_t;

#define SIM_TIME_NEVER INT64_MAX
#define SIM_NS_PER_US  1000LL
#define SIM_NS_PER_MS  1000000LL
#define SIM_NS_PER_S   1000000000LL

/** Saturating a + b for deadlines (libuv clamps now + timeout the same way). */
static inline sim_time_ns_t sim_time_add(sim_time_ns_t a, sim_time_ns_t b) {
    if (b > 0 && a > SIM_TIME_NEVER - b) {
        return SIM_TIME_NEVER;
    }
    return a + b;
}

/* X(name, message). Values are positive; functions return their negation. */
#define SIM_ERRNO_MAP(X)                                                                           \
    X(EINVAL, "invalid argument")                                                                  \
    X(ENOMEM, "out of memory")                                                                     \
    X(ENOENT, "no such item")                                                                      \
    X(EAGAIN, "queue full, try again later")                                                       \
    X(ENETDOWN, "controller stopped")                                                              \
    X(ENETUNREACH, "controller is bus-off")                                                        \
    X(ENOTSUP, "not supported")                                                                    \
    X(EIO, "input/output error")                                                                   \
    X(EFORMAT, "malformed data")                                                                   \
    X(EVERSION, "version mismatch")                                                                \
    X(ERANGE, "value out of range")                                                                \
    X(EEXIST, "already exists")                                                                    \
    X(EBUSY, "busy")                                                                               \
    X(ECANCELED, "cancelled")

enum {
    SIM_OK = 0,
#define SIM_ERR_ENUM_(name, msg) SIM_##name,
    SIM_ERRNO_MAP(SIM_ERR_ENUM_)
#undef SIM_ERR_ENUM_
        SIM_ERR_COUNT_
};

/** Message for a code, positive or negative; never NULL. */
const char *sim_strerror(int err);

/** Prints "alfasim: internal error: assertion `expr' failed at file:line" and aborts. */
_Noreturn void sim_assert_fail(const char *expr, const char *file, int line);

#define SIM_ASSERT(expr) ((expr) ? (void)0 : sim_assert_fail(#expr, __FILE__, __LINE__))

#endif
