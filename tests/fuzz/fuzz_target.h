/*
 * fuzz_target.h: the contract between a fuzz target and the two programs that run it.
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput() and nothing else with external
 * linkage. The same file is linked twice:
 *   - with libFuzzer (clang, -fsanitize=fuzzer,address,undefined) as fuzz_<name>, which generates
 *     inputs (tests/fuzz/run-ci.sh);
 *   - with fuzz_driver.c as fuzz_<name>_replay, a plain program that feeds every file of the
 *     directories it is given through the same function, so any compiler's CTest run replays the
 *     corpus and the crash reproducers (tests/cmake/fuzz.cmake).
 *
 * A target must be deterministic for a given input: no host clock, no randomness, no state kept
 * from one input to the next other than set-up that does not depend on the input (a temporary
 * directory made once). It checks the invariants of the code under test with FUZZ_CHECK, which
 * prints what was violated and aborts: libFuzzer saves the input as a crash, and the replay
 * driver dies with the file name it was running on stderr.
 */
#ifndef FUZZ_TARGET_H
#define FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/** One input: returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** An invariant of the code under test; on failure prints where and what, and aborts. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant `%s' violated: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/**
 * Reads an input as a little stream of decisions: each call takes the next byte (0 once the
 * input is used up), so every input, however short, is a complete and valid sequence of steps.
 */
typedef struct {
    const uint8_t *data;
    size_t size, pos;
} fuzz_stream_t;

static inline uint8_t fuzz_u8(fuzz_stream_t *s) {
    return s->pos < s->size ? s->data[s->pos++] : 0u;
}

static inline uint16_t fuzz_u16(fuzz_stream_t *s) {
    uint16_t hi = fuzz_u8(s);
    return (uint16_t)(hi << 8 | fuzz_u8(s));
}

static inline size_t fuzz_left(const fuzz_stream_t *s) {
    return s->size - s->pos;
}

#endif
