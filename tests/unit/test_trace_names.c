/*
 * The set of declared VCD (scope, name) pairs (sim_trace_names.h) and what it guards in
 * signals.vcd: lookups and duplicates, pairs that share a full 32-bit hash, pairs that share a
 * slot and runs that wrap around the end of the table, growth with every pair kept, and a trace
 * with thousands of signals that refuses every duplicate and still writes its header sorted.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_trace.h"
#include "sim_trace_names.h"
#include "sim_types.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_names"

/* Names made by the tests: storage that outlives every set built from it. */
#define NAME_LEN 24
typedef char name_t[NAME_LEN];

static name_t *make_names(const char *prefix, size_t count) {
    name_t *names = malloc(count * sizeof *names);
    CU_ASSERT_FATAL(names != NULL);
    for (size_t i = 0; i < count; i++) {
        snprintf(names[i], sizeof names[i], "%s%u", prefix, (unsigned)i);
    }
    return names;
}

static void test_empty_set(void) {
    sim_trace_names_t s = {0};
    uint32_t index = 7;
    CU_ASSERT_FALSE(sim_trace_names_find(&s, "pack1", "soc", &index));
    ASSERT_EQ_U64(index, 7); /* untouched when absent */
    sim_trace_names_free(&s);
    ASSERT_EQ_U64(s.n, 0);
    CU_ASSERT_PTR_NULL(s.slots);
}

static void test_add_find_duplicate(void) {
    sim_trace_names_t s = {0};
    ASSERT_EQ_I64(sim_trace_names_add(&s, "pack1", "soc", 0), 0);
    ASSERT_EQ_I64(sim_trace_names_add(&s, "pack2", "soc", 1), 0); /* same name, other scope */
    ASSERT_EQ_I64(sim_trace_names_add(&s, "pack1", "relay", 2), 0);
    /* The separator: "ab"+"c" is not "a"+"bc". */
    ASSERT_EQ_I64(sim_trace_names_add(&s, "ab", "c", 3), 0);
    ASSERT_EQ_I64(sim_trace_names_add(&s, "a", "bc", 4), 0);
    CU_ASSERT_NOT_EQUAL(sim_trace_names_hash("ab", "c"), sim_trace_names_hash("a", "bc"));

    /* A duplicate is refused and changes nothing: the first index stays. */
    char scope[] = "pack1", name[] = "soc"; /* equal text, other storage */
    ASSERT_EQ_I64(sim_trace_names_add(&s, scope, name, 9), -SIM_EEXIST);
    ASSERT_EQ_U64(s.n, 5);
    uint32_t index = 99;
    CU_ASSERT_TRUE(sim_trace_names_find(&s, scope, name, &index));
    ASSERT_EQ_U64(index, 0);
    CU_ASSERT_TRUE(sim_trace_names_find(&s, "pack2", "soc", &index));
    ASSERT_EQ_U64(index, 1);
    CU_ASSERT_TRUE(sim_trace_names_find(&s, "a", "bc", NULL));
    CU_ASSERT_FALSE(sim_trace_names_find(&s, "pack2", "relay", &index));
    CU_ASSERT_FALSE(sim_trace_names_find(&s, "pack", "1soc", &index));
    sim_trace_names_free(&s);
}

typedef struct {
    uint32_t hash, i;
} hashed_t;

static int by_hash(const void *a, const void *b) {
    const hashed_t *x = a, *y = b;
    if (x->hash != y->hash) {
        return x->hash < y->hash ? -1 : 1;
    }
    return x->i < y->i ? -1 : (x->i > y->i);
}

/* Two distinct names in one scope with the same full hash, found by a birthday search over
 * "n<i>" (about eight such pairs among 2^20 names for a 32-bit hash). */
static bool find_hash_collision(name_t a, name_t b) {
    const uint32_t count = 1u << 20;
    hashed_t *h = malloc(count * sizeof *h);
    CU_ASSERT_FATAL(h != NULL);
    for (uint32_t i = 0; i < count; i++) {
        name_t n;
        snprintf(n, sizeof n, "n%u", (unsigned)i);
        h[i] = (hashed_t){sim_trace_names_hash("s", n), i};
    }
    qsort(h, count, sizeof *h, by_hash);
    bool found = false;
    for (uint32_t i = 1; i < count && !found; i++) {
        if (h[i].hash == h[i - 1].hash) {
            snprintf(a, NAME_LEN, "n%u", (unsigned)h[i - 1].i);
            snprintf(b, NAME_LEN, "n%u", (unsigned)h[i].i);
            found = true;
        }
    }
    free(h);
    return found;
}

static void test_full_hash_collision(void) {
    name_t a, b;
    CU_ASSERT_FATAL(find_hash_collision(a, b));
    CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
    ASSERT_EQ_U64(sim_trace_names_hash("s", a), sim_trace_names_hash("s", b));

    /* Only b is held: a, with b's hash, is still absent and can be added. */
    sim_trace_names_t s = {0};
    ASSERT_EQ_I64(sim_trace_names_add(&s, "s", b, 1), 0);
    CU_ASSERT_FALSE(sim_trace_names_find(&s, "s", a, NULL));
    ASSERT_EQ_I64(sim_trace_names_add(&s, "s", a, 0), 0);
    uint32_t ia = 9, ib = 9;
    CU_ASSERT_TRUE(sim_trace_names_find(&s, "s", a, &ia));
    CU_ASSERT_TRUE(sim_trace_names_find(&s, "s", b, &ib));
    ASSERT_EQ_U64(ia, 0);
    ASSERT_EQ_U64(ib, 1);
    ASSERT_EQ_I64(sim_trace_names_add(&s, "s", a, 2), -SIM_EEXIST);
    ASSERT_EQ_I64(sim_trace_names_add(&s, "s", b, 2), -SIM_EEXIST);
    ASSERT_EQ_U64(s.n, 2);
    /* And the same hash in another scope is another pair. */
    CU_ASSERT_FALSE(sim_trace_names_find(&s, "t", a, NULL));
    sim_trace_names_free(&s);
}

/* Pairs aimed at the last slot of the first table (16 slots) share it: the later ones probe on
 * and wrap around to slot 0 and up. Each is found, and so is a duplicate of each. */
static void test_slot_collisions_wrap(void) {
    name_t names[4];
    unsigned found = 0;
    for (unsigned i = 0; found < 4 && i < 100000; i++) {
        snprintf(names[found], NAME_LEN, "w%u", i);
        if ((sim_trace_names_hash("pack", names[found]) & 15u) == 15u) {
            found++;
        }
    }
    ASSERT_EQ_U64(found, 4);
    sim_trace_names_t s = {0};
    for (uint32_t i = 0; i < 4; i++) {
        ASSERT_EQ_I64(sim_trace_names_add(&s, "pack", names[i], i), 0);
    }
    ASSERT_EQ_U64(s.cap, 16); /* still the first table: the four really shared a run */
    const size_t slot_of[4] = {15, 0, 1, 2};
    for (uint32_t i = 0; i < 4; i++) {
        ASSERT_EQ_STR(s.slots[slot_of[i]].name, names[i]);
        uint32_t index = 99;
        CU_ASSERT_TRUE(sim_trace_names_find(&s, "pack", names[i], &index));
        ASSERT_EQ_U64(index, i);
        ASSERT_EQ_I64(sim_trace_names_add(&s, "pack", names[i], 9), -SIM_EEXIST);
    }
    /* A pair aimed at the same slot but never added ends its probe at slot 3 (empty). */
    CU_ASSERT_FALSE(sim_trace_names_find(&s, "pack", "absent", NULL));
    sim_trace_names_free(&s);
}

/* 5000 pairs: the table doubles from 16 and stays under half full, and every pair keeps its
 * index through every doubling. */
static void test_growth(void) {
    enum { COUNT = 5000 };
    name_t *scopes = make_names("pack", COUNT);
    name_t *names = make_names("sig", COUNT);
    sim_trace_names_t s = {0};
    size_t doublings = 0, last_cap = 0;
    for (uint32_t i = 0; i < COUNT; i++) {
        /* 40 scopes, each name once per scope position: many shared scopes and names. */
        ASSERT_EQ_I64(sim_trace_names_add(&s, scopes[i % 40], names[i], i), 0);
        ASSERT_EQ_U64(s.n, i + 1);
        CU_ASSERT_TRUE(2 * s.n < s.cap);
        CU_ASSERT_EQUAL(s.cap & (s.cap - 1), 0); /* a power of two */
        if (s.cap != last_cap) {
            doublings++;
            last_cap = s.cap;
            /* Right after a doubling, every earlier pair is still there. */
            for (uint32_t j = 0; j <= i; j++) {
                uint32_t index = UINT32_MAX;
                CU_ASSERT_TRUE(sim_trace_names_find(&s, scopes[j % 40], names[j], &index));
                ASSERT_EQ_U64(index, j);
            }
        }
    }
    ASSERT_EQ_U64(s.cap, 16384);  /* 5000 pairs need more than 8192 slots */
    ASSERT_EQ_U64(doublings, 11); /* 16, 32, ..., 16384 */
    for (uint32_t i = 0; i < COUNT; i++) {
        CU_ASSERT_FALSE(sim_trace_names_find(&s, scopes[(i + 1) % 40], names[i], NULL));
        ASSERT_EQ_I64(sim_trace_names_add(&s, scopes[i % 40], names[i], 0), -SIM_EEXIST);
    }
    ASSERT_EQ_U64(s.n, COUNT);
    sim_trace_names_free(&s);
    free(scopes);
    free(names);
}

static char *read_vcd(const char *dir) {
    char path[300];
    snprintf(path, sizeof path, "%s/signals.vcd", dir);
    return test_slurp(path);
}

/* Where `line` starts at or after `at` (just past it), or NULL when it is not there. */
static const char *next_line(const char *at, const char *line) {
    if (at == NULL) {
        return NULL;
    }
    const char *hit = strstr(at, line);
    if (hit == NULL) {
        fprintf(stderr, "\n  missing or out of order: %s", line);
        return NULL;
    }
    return hit + strlen(line);
}

/* 130 nodes of 31 signals declared in reverse order, each followed by a duplicate of an earlier
 * one: every duplicate is refused, and the header lists each signal once, sorted, with codes
 * in sorted order. */
static void test_trace_many_signals(void) {
    enum { NODES = 130, SIGS = 31 };
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    const char *dir = TMP_ROOT "/many";
    sim_trace_t *t = NULL;
    ASSERT_EQ_I64(sim_trace_open(dir, NULL, &t, NULL, 0), 0);
    CU_ASSERT_FATAL(t != NULL);
    for (int node = NODES - 1; node >= 0; node--) {
        for (int sig = SIGS - 1; sig >= 0; sig--) {
            char scope[16], name[16];
            snprintf(scope, sizeof scope, "pack%03d", node);
            snprintf(name, sizeof name, "sig%02d", sig);
            sim_vcd_sig_t id;
            ASSERT_EQ_I64(sim_trace_vcd_declare(t, scope, name, 1, 0, &id), 0);
            snprintf(scope, sizeof scope, "pack%03d", NODES - 1);
            snprintf(name, sizeof name, "sig%02d", SIGS - 1); /* the very first one */
            ASSERT_EQ_I64(sim_trace_vcd_declare(t, scope, name, 8, 0, &id), -SIM_EEXIST);
        }
    }
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    char *text = read_vcd(dir);
    CU_ASSERT_FATAL(text != NULL);
    /* Signal k in sorted order is node k / SIGS, signal k % SIGS, with code k in base 94, least
     * significant digit first; every line follows the one before it. */
    const char *at = text;
    for (int k = 0; k < NODES * SIGS && at != NULL; k++) {
        char id[3] = {(char)('!' + k % 94), k >= 94 ? (char)('!' + k / 94) : '\0', '\0'};
        char line[80];
        if (k % SIGS == 0) {
            snprintf(line, sizeof line, "$scope module pack%03d $end\n", k / SIGS);
            at = next_line(at, line);
        }
        snprintf(line, sizeof line, "$var wire 1 %s sig%02d $end\n", id, k % SIGS);
        at = next_line(at, line);
    }
    CU_ASSERT_PTR_NOT_NULL(at);
    CU_ASSERT_PTR_NULL(strstr(text, "$var wire 8")); /* no duplicate slipped in */
    free(text);
}

void test_register(void) {
    TEST_SUITE("trace_names", TEST(test_empty_set), TEST(test_add_find_duplicate),
               TEST(test_full_hash_collision), TEST(test_slot_collisions_wrap), TEST(test_growth),
               TEST(test_trace_many_signals));
}
