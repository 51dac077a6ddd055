/*
 * Test support shared by the CUnit suites: the registration hook each suite file defines, and
 * value-printing assertions on top of CU_ASSERT_* (libuv's ASSERT_EQ idea): on failure they print
 * both sides, so a red test says what it saw.
 */
#ifndef SIM_TEST_SUPPORT_H
#define SIM_TEST_SUPPORT_H

#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Reads a whole file into a NUL-terminated malloc'd buffer; NULL if it cannot be read. */
static inline char *test_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/** Defined by each test file: adds its suite(s) to the CUnit registry. */
void test_register(void);

/** Adds one suite with the given NULL-terminated test table. */
#define TEST_SUITE(name, ...)                                                                      \
    do {                                                                                           \
        CU_pSuite s_ = CU_add_suite(name, NULL, NULL);                                             \
        const struct {                                                                             \
            const char *n;                                                                         \
            CU_TestFunc f;                                                                         \
        } t_[] = {__VA_ARGS__};                                                                    \
        for (size_t i_ = 0; i_ < sizeof t_ / sizeof t_[0]; i_++) {                                 \
            CU_add_test(s_, t_[i_].n, t_[i_].f);                                                   \
        }                                                                                          \
    } while (0)
#define TEST(fn)                                                                                   \
    { #fn, fn }

#define ASSERT_EQ_I64(a, b)                                                                        \
    do {                                                                                           \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                                              \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "\n  %s:%d: %s == %s: %" PRId64 " != %" PRId64 "\n", __FILE__,         \
                    __LINE__, #a, #b, a_, b_);                                                     \
        }                                                                                          \
        CU_ASSERT_EQUAL(a_, b_);                                                                   \
    } while (0)

#define ASSERT_EQ_U64(a, b)                                                                        \
    do {                                                                                           \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                           \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "\n  %s:%d: %s == %s: %" PRIu64 " != %" PRIu64 "\n", __FILE__,         \
                    __LINE__, #a, #b, a_, b_);                                                     \
        }                                                                                          \
        CU_ASSERT_EQUAL(a_, b_);                                                                   \
    } while (0)

#define ASSERT_EQ_STR(a, b)                                                                        \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        int eq_ = a_ && b_ && strcmp(a_, b_) == 0;                                                 \
        if (!eq_) {                                                                                \
            fprintf(stderr, "\n  %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b, \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
        }                                                                                          \
        CU_ASSERT_TRUE(eq_);                                                                       \
    } while (0)

#define ASSERT_NEAR(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                             \
        int ok_ = (a_ - b_ <= t_) && (b_ - a_ <= t_);                                              \
        if (!ok_) {                                                                                \
            fprintf(stderr, "\n  %s:%d: %s ~= %s: %.9g vs %.9g (tol %.3g)\n", __FILE__, __LINE__,  \
                    #a, #b, a_, b_, t_);                                                           \
        }                                                                                          \
        CU_ASSERT_TRUE(ok_);                                                                       \
    } while (0)

#endif
