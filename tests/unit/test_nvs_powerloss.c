/*
 * test_nvs_powerloss.c: the NVS image survives a power cut at every flash operation.
 *
 * The reference workload is 300 changes to 15 keys in two namespaces (new keys, overwrites with
 * other lengths, single erases, whole-namespace erases), enough to make the flash collect
 * garbage many times. It is run once to count its flash operations, then once per operation
 * index with the power cut there: the call in progress must fail with -SIM_EIO, a mount must
 * bring the image back, and every key must then hold the value it had before that call or the
 * one the call was writing (keys the call did not touch: exactly their old value). After that the
 * rest of the workload runs on the mounted image and must end in the same state as an
 * uninterrupted run. A second test cuts the power again at every operation of the mount itself.
 * A third does the same through a node: the testnode firmware writes its boot counter and a run
 * of NVS writes; the cut browns the board out, and the next boot must read old or new values,
 * in process and isolated alike.
 */
#include <stdlib.h>

#include "sim_nvs.h"
#include "test_isolate_world.h"

#define N_STEPS 300
#define N_KEYS  15

typedef enum { W_SET, W_ERASE, W_ERASE_ALL } wop_t;

typedef struct {
    wop_t op;
    unsigned key; /* W_SET, W_ERASE */
    uint8_t len;
    uint8_t first; /* value bytes: first, first + 1, ... */
} step_t;

typedef struct {
    bool present[N_KEYS];
    uint8_t len[N_KEYS];
    uint8_t value[N_KEYS][SIM_NVS_VALUE_MAX];
} model_t;

static const char *ns_of(unsigned key) {
    return key < 10 ? "cfg" : "stat";
}

static const char *name_of(unsigned key) {
    static const char *const names[N_KEYS] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7",
                                              "k8", "k9", "s0", "s1", "s2", "s3", "s4"};
    return names[key];
}

static step_t step_at(unsigned i) {
    if (i % 37 == 36) {
        return (step_t){.op = W_ERASE_ALL};
    }
    if (i % 11 == 10) {
        return (step_t){.op = W_ERASE, .key = i % 10};
    }
    unsigned key = i % 3 == 0 ? 10 + i % 5 : (i * 7) % 10;
    return (step_t){.op = W_SET, .key = key, .len = (uint8_t)(1 + i % 9), .first = (uint8_t)i};
}

static void model_apply(model_t *m, const step_t *s) {
    if (s->op == W_ERASE_ALL) {
        for (unsigned k = 10; k < N_KEYS; k++) {
            m->present[k] = false;
        }
    } else if (s->op == W_ERASE) {
        m->present[s->key] = false;
    } else {
        m->present[s->key] = true;
        m->len[s->key] = s->len;
        for (unsigned b = 0; b < s->len; b++) {
            m->value[s->key][b] = (uint8_t)(s->first + b);
        }
    }
}

/* Runs one step; returns the call's result (erase of an absent key counts as success). */
static int run_step(sim_nvs_t *nvs, const step_t *s) {
    if (s->op == W_ERASE_ALL) {
        int rc = sim_nvs_erase_all(nvs, "stat");
        return rc >= 0 ? 0 : rc;
    }
    if (s->op == W_ERASE) {
        int rc = sim_nvs_erase_key(nvs, ns_of(s->key), name_of(s->key));
        return rc == -SIM_ENOENT ? 0 : rc;
    }
    uint8_t v[SIM_NVS_VALUE_MAX];
    for (unsigned b = 0; b < s->len; b++) {
        v[b] = (uint8_t)(s->first + b);
    }
    return sim_nvs_set(nvs, ns_of(s->key), name_of(s->key), v, s->len);
}

/* The image before the workload: some keys with values the workload will replace. */
static sim_nvs_t *prepared(void) {
    sim_nvs_t *nvs = NULL;
    CU_ASSERT_EQUAL_FATAL(sim_nvs_create(&nvs), 0);
    for (unsigned k = 0; k < N_KEYS; k += 2) {
        uint8_t v[4] = {0xEE, (uint8_t)k, 0xEE, (uint8_t)k};
        CU_ASSERT_EQUAL_FATAL(sim_nvs_set(nvs, ns_of(k), name_of(k), v, sizeof v), 0);
    }
    return nvs;
}

static void model_prepared(model_t *m) {
    memset(m, 0, sizeof *m);
    for (unsigned k = 0; k < N_KEYS; k += 2) {
        m->present[k] = true;
        m->len[k] = 4;
        const uint8_t v[4] = {0xEE, (uint8_t)k, 0xEE, (uint8_t)k};
        memcpy(m->value[k], v, 4);
    }
}

static bool key_is(const sim_nvs_t *nvs, const model_t *m, unsigned k) {
    uint8_t v[SIM_NVS_VALUE_MAX];
    size_t len = sizeof v;
    int rc = sim_nvs_get(nvs, ns_of(k), name_of(k), v, &len);
    if (!m->present[k]) {
        return rc == -SIM_ENOENT;
    }
    return rc == 0 && len == m->len[k] && memcmp(v, m->value[k], len) == 0;
}

/* Every key is old or new; a key the step did not change is exactly old. */
static bool consistent(const sim_nvs_t *nvs, const model_t *before, const model_t *after) {
    for (unsigned k = 0; k < N_KEYS; k++) {
        if (!key_is(nvs, before, k) && !key_is(nvs, after, k)) {
            fprintf(stderr, "\n  key %s/%s holds neither its old nor its new value\n", ns_of(k),
                    name_of(k));
            return false;
        }
    }
    return true;
}

static uint64_t workload_ops(uint64_t *collections) {
    sim_nvs_t *nvs = prepared();
    uint64_t start = sim_nvs_flash_ops(nvs);
    for (unsigned i = 0; i < N_STEPS; i++) {
        step_t s = step_at(i);
        CU_ASSERT_EQUAL_FATAL(run_step(nvs, &s), 0);
    }
    uint64_t ops = sim_nvs_flash_ops(nvs) - start;
    sim_nvs_stats_t st;
    sim_nvs_stats(nvs, &st);
    *collections = st.collections;
    sim_nvs_destroy(nvs);
    return ops;
}

/* Runs the workload with the power cut at operation k; returns the step it struck, with the
 * model before and after that step. */
static unsigned cut_run(sim_nvs_t *nvs, uint64_t k, model_t *before, model_t *after) {
    model_prepared(before);
    sim_nvs_cut_power_at(nvs, k);
    for (unsigned i = 0; i < N_STEPS; i++) {
        step_t s = step_at(i);
        *after = *before;
        model_apply(after, &s);
        int rc = run_step(nvs, &s);
        if (rc != 0) {
            ASSERT_EQ_I64(rc, -SIM_EIO);
            CU_ASSERT_FALSE(sim_nvs_powered(nvs));
            return i;
        }
        *before = *after;
    }
    CU_FAIL("the power cut never struck");
    return N_STEPS;
}

/* After the mount: the rest of the workload, from the interrupted step, ends like a clean run. */
static bool finishes(sim_nvs_t *nvs, unsigned from) {
    model_t m;
    model_prepared(&m);
    for (unsigned i = 0; i < N_STEPS; i++) {
        step_t s = step_at(i);
        model_apply(&m, &s);
        if (i >= from && run_step(nvs, &s) != 0) {
            return false;
        }
    }
    for (unsigned k = 0; k < N_KEYS; k++) {
        if (!key_is(nvs, &m, k)) {
            return false;
        }
    }
    return true;
}

static void test_every_cut_point_is_consistent(void) {
    uint64_t collections = 0;
    uint64_t n_ops = workload_ops(&collections);
    CU_ASSERT(n_ops > 3 * 250);  /* three operations a set, plus garbage collection */
    CU_ASSERT(collections >= 5); /* so cuts strike inside collections too */
    uint64_t good = 0;
    for (uint64_t k = 1; k <= n_ops; k++) {
        sim_nvs_t *nvs = prepared();
        model_t before, after;
        unsigned step = cut_run(nvs, k, &before, &after);
        CU_ASSERT_EQUAL(sim_nvs_mount(nvs), 0);
        CU_ASSERT_TRUE(sim_nvs_powered(nvs));
        bool ok = consistent(nvs, &before, &after) && finishes(nvs, step);
        if (!ok) {
            fprintf(stderr,
                    "\n  cut at flash operation %llu (step %u) left the image inconsistent\n",
                    (unsigned long long)k, step);
        }
        good += ok;
        sim_nvs_destroy(nvs);
    }
    ASSERT_EQ_U64(good, n_ops); /* 100 % of the cut points */
}

static void test_cut_during_mount(void) {
    uint64_t collections = 0;
    uint64_t n_ops = workload_ops(&collections);
    unsigned mounts_cut = 0;
    for (uint64_t k = 1; k <= n_ops; k += 7) {
        sim_nvs_t *nvs = prepared();
        model_t before, after;
        unsigned step = cut_run(nvs, k, &before, &after);
        size_t len;
        const void *bytes = sim_nvs_snapshot(nvs, &len);
        void *cut_image = malloc(len);
        memcpy(cut_image, bytes, len);
        /* How many operations a clean mount of this image takes, then a cut at each. */
        uint64_t ops0 = sim_nvs_flash_ops(nvs);
        CU_ASSERT_EQUAL(sim_nvs_mount(nvs), 0);
        uint64_t mount_ops = sim_nvs_flash_ops(nvs) - ops0;
        for (uint64_t m = 1; m <= mount_ops; m++) {
            CU_ASSERT_EQUAL(sim_nvs_restore(nvs, cut_image, len), 0);
            sim_nvs_cut_power_at(nvs, m);
            ASSERT_EQ_I64(sim_nvs_mount(nvs), -SIM_EIO);
            ASSERT_EQ_I64(sim_nvs_mount(nvs), 0);
            CU_ASSERT_TRUE(consistent(nvs, &before, &after) && finishes(nvs, step));
            mounts_cut++;
        }
        free(cut_image);
        sim_nvs_destroy(nvs);
    }
    CU_ASSERT(mounts_cut > 10); /* cuts that leave repairs to do happened, and were cut too */
}

static void test_healthy_mount_changes_nothing(void) {
    sim_nvs_t *nvs = prepared();
    for (unsigned i = 0; i < 100; i++) {
        step_t s = step_at(i);
        CU_ASSERT_EQUAL(run_step(nvs, &s), 0);
    }
    uint64_t ops = sim_nvs_flash_ops(nvs);
    uint64_t writes = sim_nvs_key_writes(nvs, "cfg", "k1");
    CU_ASSERT_EQUAL(sim_nvs_mount(nvs), 0);
    ASSERT_EQ_U64(sim_nvs_flash_ops(nvs), ops); /* nothing to repair: no flash operation */
    ASSERT_EQ_U64(sim_nvs_key_writes(nvs, "cfg", "k1"), writes);
    CU_ASSERT_TRUE(finishes(nvs, 100));
    sim_nvs_destroy(nvs);
}

/* ---- through a node: testnode's boot counter and its command 6 -------------------------- */

typedef struct {
    uint8_t boots_before, boots_after; /* what a boot after the cut may read back */
    uint8_t same_before, same_after;
} node_expect_t;

/* Boots testnode (boot 1), lets it write "same" = 0x11 five times, then arms the cut at flash
 * operation k of: a reboot (boots = 2) and "same" = 0x22 written ten times. Returns false when
 * k is past the workload. */
static bool node_cut_run(bool isolate, uint64_t k, uint8_t *boots_read, uint8_t *same_read) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/test_nvs_powerloss.node.%s", SIM_BINARY_DIR,
             isolate ? "isolated" : "inproc");
    world_t *w = calloc(1, sizeof *w);
    world_open(w, dir, true);
    sim_node_t *n = world_node(
        w, &(world_node_cfg_t){.plugin = "fw_testnode.so", .mac_last = 1, .isolate = isolate});
    sim_nvs_t *nvs = sim_node_nvs(n);
    world_act(w, (act_t){.t_ms = 0, .kind = ACT_POWER_ON});
    world_act(
        w, (act_t){.t_ms = 20, .kind = ACT_SEND, .id = 0x125, .dlc = 4, .data = {1, 6, 0x11, 5}});
    world_run_ms(w, 50);
    sim_node_power_off(n);
    sim_nvs_cut_power_at(nvs, k);
    world_act(w, (act_t){.t_ms = 60, .kind = ACT_POWER_ON});
    world_act(
        w, (act_t){.t_ms = 80, .kind = ACT_SEND, .id = 0x125, .dlc = 4, .data = {1, 6, 0x22, 10}});
    world_run_ms(w, 150);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    bool struck = st.brownouts == 1;
    if (struck) {
        CU_ASSERT_FALSE(sim_nvs_powered(nvs));
        ASSERT_EQ_I64(sim_node_state(n), SIM_NODE_OFF);
        CU_ASSERT_PTR_NULL(sim_node_faulted(n)); /* a power cut is not a fault */
        ASSERT_EQ_I64(sim_node_power_on(n), 0);  /* the next boot mounts and reads */
        CU_ASSERT_TRUE(sim_nvs_powered(nvs));
        world_run_ms(w, 200);
        size_t len = 1;
        CU_ASSERT_EQUAL(sim_nvs_get(nvs, "test", "same", same_read, &len), 0);
        len = 1;
        CU_ASSERT_EQUAL(sim_nvs_get(nvs, "test", "boots", boots_read, &len), 0);
        (*boots_read)--; /* the boot after the cut counted itself */
    } else {
        sim_nvs_cut_power_at(nvs, 0);
    }
    world_close(w);
    free(w);
    return struck;
}

static void test_node_boots_consistent_after_every_cut(void) {
    unsigned cuts = 0;
    for (uint64_t k = 1;; k++) {
        uint8_t boots[2] = {0, 0}, same[2] = {0, 0};
        bool struck = node_cut_run(false, k, &boots[0], &same[0]);
        ASSERT_EQ_I64(node_cut_run(true, k, &boots[1], &same[1]), struck);
        if (!struck) {
            break;
        }
        cuts++;
        for (int mode = 0; mode < 2; mode++) {
            CU_ASSERT(boots[mode] == 1 || boots[mode] == 2);
            CU_ASSERT(same[mode] == 0x11 || same[mode] == 0x22);
        }
        ASSERT_EQ_U64(boots[1], boots[0]); /* isolated or not, the same value survived */
        ASSERT_EQ_U64(same[1], same[0]);
    }
    CU_ASSERT(cuts >= 3 * 11); /* the boot counter and ten writes, three operations each */
}

void test_register(void) {
    TEST_SUITE("nvs_powerloss", TEST(test_every_cut_point_is_consistent),
               TEST(test_cut_during_mount), TEST(test_healthy_mount_changes_nothing),
               TEST(test_node_boots_consistent_after_every_cut));
}
