/*
 * test_kernel_lines.c: sim_calloc_lines (core/kernel/sim_lines.h): aligned to a cache line,
 * zeroed over whole lines, NULL for a size that cannot be rounded up.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sim_lines.h"
#include "test_support.h"

static void test_aligned_and_zeroed(void) {
    static const size_t sizes[] = {0, 1, 63, 64, 65, 488, 12464, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        /* Dirty the heap first, so zeroing is not the allocator's luck. */
        unsigned char *junk = malloc(sizes[i] + 128u);
        CU_ASSERT_PTR_NOT_NULL_FATAL(junk);
        memset(junk, 0xA5, sizes[i] + 128u);
        free(junk);
        unsigned char *p = sim_calloc_lines(sizes[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        ASSERT_EQ_U64((uintptr_t)p % SIM_CACHE_LINE, 0);
        size_t whole = (sizes[i] + SIM_CACHE_LINE - 1u) / SIM_CACHE_LINE * SIM_CACHE_LINE;
        size_t nonzero = 0;
        for (size_t b = 0; b < whole; b++) {
            nonzero += p[b] != 0;
        }
        ASSERT_EQ_U64(nonzero, 0);
        free(p);
    }
}

static void test_size_too_large(void) {
    CU_ASSERT_PTR_NULL(sim_calloc_lines(SIZE_MAX));
    CU_ASSERT_PTR_NULL(sim_calloc_lines(SIZE_MAX - SIM_CACHE_LINE + 2u));
}

void test_register(void) {
    TEST_SUITE("kernel_lines", TEST(test_aligned_and_zeroed), TEST(test_size_too_large));
}
