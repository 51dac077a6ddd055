/*
 * test_host_plugin.c: the plugin loader (core/host/sim_plugin.h).
 *
 * Error lines and codes for every refused file (the fixtures in tests/fixtures), and isolation:
 * copies of fw_testnode.so driven through a minimal host table written here keep separate
 * globals but run one physical copy of the code, a reloaded copy starts from fresh RAM, and 127
 * copies load and unload leaving no mapping behind (the sanitizer build also checks for leaks).
 */
#include <stdlib.h>

#include "sim_plugin.h"
#include "test_support.h"

#define PLUGIN(name) SIM_PLUGIN_DIR "/" name

/* ---- error lines --------------------------------------------------------------------------- */

static void expect_refused(const char *path, int want_rc, const char *want_msg, int want_exit) {
    char err[512] = "";
    sim_plugin_t *p = (sim_plugin_t *)&err; /* must be reset to NULL on failure */
    int rc = sim_plugin_open(path, &p, err, sizeof err);
    ASSERT_EQ_I64(rc, want_rc);
    CU_ASSERT_PTR_NULL(p);
    ASSERT_EQ_STR(err, want_msg);
    ASSERT_EQ_I64(sim_plugin_exit_code(rc), want_exit);
}

static void test_missing_file(void) {
    expect_refused(PLUGIN("fw_missing.so"), -SIM_ENOENT,
                   PLUGIN("fw_missing.so") ": error: cannot open plugin: No such file or directory",
                   66);
}

static void test_not_elf(void) {
    expect_refused(PLUGIN("fw_notelf.so"), -SIM_EFORMAT,
                   PLUGIN("fw_notelf.so") ": error: not an alfasim plugin (not a shared object: "
                                          "invalid ELF header)",
                   65);
}

static void test_no_entry_symbol(void) {
    expect_refused(PLUGIN("fw_noentry.so"), -SIM_EFORMAT,
                   PLUGIN("fw_noentry.so") ": error: not an alfasim plugin (no "
                                           "alfasim_plugin_entry symbol)",
                   65);
}

static void test_newer_abi(void) {
    expect_refused(PLUGIN("fw_badabi.so"), -SIM_EVERSION,
                   PLUGIN("fw_badabi.so") ": error: plugin ABI version 99 is newer than this "
                                          "alfasim (supports 1..2)",
                   65);
}

static void test_abi_zero(void) {
    expect_refused(PLUGIN("fw_abizero.so"), -SIM_EVERSION,
                   PLUGIN("fw_abizero.so") ": error: plugin ABI version 0 is not supported "
                                           "(supports 1..2)",
                   65);
}

static void test_descriptor_without_ops(void) {
    expect_refused(PLUGIN("fw_noops.so"), -SIM_EFORMAT,
                   PLUGIN("fw_noops.so") ": error: plugin descriptor has no operations (or no "
                                         "init)",
                   65);
}

static void test_ops_table_too_small(void) {
    char want[256];
    snprintf(want, sizeof want,
             "%s: error: plugin operations table is 8 bytes, ABI version %d needs at least %zu",
             PLUGIN("fw_smallops.so"), ALFASIM_PLUGIN_ABI_VERSION, sizeof(alfasim_fw_ops_t));
    expect_refused(PLUGIN("fw_smallops.so"), -SIM_EFORMAT, want, 65);
}

static void test_directory_is_not_a_plugin(void) {
    char err[512] = "";
    sim_plugin_t *p = NULL;
    int rc = sim_plugin_open(SIM_PLUGIN_DIR, &p, err, sizeof err);
    ASSERT_EQ_I64(rc, -SIM_EIO);
    ASSERT_EQ_STR(err, SIM_PLUGIN_DIR ": error: cannot read plugin: Is a directory");
    ASSERT_EQ_I64(sim_plugin_exit_code(rc), 66);
}

static void test_good_plugin_descriptor(void) {
    char err[512] = "";
    sim_plugin_t *p = NULL;
    ASSERT_EQ_I64(sim_plugin_open(PLUGIN("fw_testnode.so"), &p, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    const alfasim_plugin_t *d = sim_plugin_descriptor(p);
    ASSERT_EQ_U64(d->abi_version, ALFASIM_PLUGIN_ABI_VERSION);
    ASSERT_EQ_U64(d->ops_size, sizeof(alfasim_fw_ops_t));
    ASSERT_EQ_STR(d->name, "fw_testnode");
    ASSERT_EQ_STR(sim_plugin_image_path(sim_plugin_image(p)), PLUGIN("fw_testnode.so"));
    sim_plugin_unload(p);
    ASSERT_EQ_I64(sim_plugin_exit_code(0), 0);
    ASSERT_EQ_I64(sim_plugin_exit_code(-SIM_ENOMEM), 70);
}

/* ---- a minimal host: enough of the table for testnode's boot and heartbeat ------------------ */

typedef struct {
    alfasim_host_ops_t ops;
    uint8_t mac[6];
    hal_can_frame_t last; /* last frame sent */
    unsigned sent;
    uint64_t now_us; /* what the now_us operation answers */
} fake_host_t;

static uint64_t f_now_us(void *ctx) {
    return ((fake_host_t *)ctx)->now_us;
}
static int f_timer_start(void *ctx, unsigned id, uint32_t period_us, bool periodic) {
    (void)ctx, (void)id, (void)period_us, (void)periodic;
    return HAL_OK;
}
static int f_timer_stop(void *ctx, unsigned id) {
    (void)ctx, (void)id;
    return HAL_OK;
}
static void f_gpio_write(void *ctx, unsigned sig, bool active) {
    (void)ctx, (void)sig, (void)active;
}
static bool f_gpio_read(void *ctx, unsigned sig) {
    (void)ctx, (void)sig;
    return false;
}
static void f_delay_us(void *ctx, uint32_t us) {
    (void)ctx, (void)us;
}
static int f_adc(void *ctx, const hal_adc_burst_cfg_t *cfg) {
    (void)ctx, (void)cfg;
    return HAL_ERR_UNSUPPORTED;
}
static int f_uart_open(void *ctx, uint32_t baud) {
    (void)ctx, (void)baud;
    return HAL_ERR_UNSUPPORTED;
}
static int f_uart_write(void *ctx, const uint8_t *d, size_t len) {
    (void)ctx, (void)d, (void)len;
    return HAL_ERR_UNSUPPORTED;
}
static int f_can_start(void *ctx, uint32_t bps) {
    (void)ctx, (void)bps;
    return HAL_OK;
}
static int f_can_stop(void *ctx) {
    (void)ctx;
    return HAL_OK;
}
static int f_can_send(void *ctx, const hal_can_frame_t *f) {
    fake_host_t *h = ctx;
    h->last = *f;
    h->sent++;
    return HAL_OK;
}
static int f_can_state(void *ctx, uint16_t *tec, uint16_t *rec) {
    (void)ctx, (void)tec, (void)rec;
    return HAL_CAN_ERROR_ACTIVE;
}
static int f_can_recover(void *ctx) {
    (void)ctx;
    return HAL_ERR_INVALID;
}
static int f_ws2812(void *ctx, const uint8_t *grb, size_t len) {
    (void)ctx, (void)grb, (void)len;
    return HAL_OK;
}
static int f_nvs_get(void *ctx, const char *ns, const char *key, void *buf, size_t *len) {
    (void)ctx, (void)ns, (void)key, (void)buf, (void)len;
    return HAL_ERR_NOT_FOUND;
}
static int f_nvs_set(void *ctx, const char *ns, const char *key, const void *buf, size_t len) {
    (void)ctx, (void)ns, (void)key, (void)buf, (void)len;
    return HAL_OK;
}
static int f_nvs_erase_key(void *ctx, const char *ns, const char *key) {
    (void)ctx, (void)ns, (void)key;
    return HAL_OK;
}
static int f_nvs_erase_all(void *ctx, const char *ns) {
    (void)ctx, (void)ns;
    return HAL_OK;
}
static int f_wdt_start(void *ctx, uint32_t ms) {
    (void)ctx, (void)ms;
    return HAL_OK;
}
static void f_wdt_feed(void *ctx) {
    (void)ctx;
}
static void f_efuse_mac(void *ctx, uint8_t mac[6]) {
    memcpy(mac, ((fake_host_t *)ctx)->mac, 6);
}
static int f_reset_reason(void *ctx) {
    (void)ctx;
    return HAL_RESET_POWER_ON;
}
static void f_restart(void *ctx) {
    (void)ctx;
}
static void f_log(void *ctx, int level, const char *line) {
    (void)ctx, (void)level, (void)line;
}

static void fake_host_init(fake_host_t *h, uint8_t node) {
    memset(h, 0, sizeof *h);
    h->mac[5] = node;
    h->ops = (alfasim_host_ops_t){.abi_version = ALFASIM_PLUGIN_ABI_VERSION,
                                  .size = sizeof(alfasim_host_ops_t),
                                  .ctx = h,
                                  .now_us = f_now_us,
                                  .timer_start = f_timer_start,
                                  .timer_stop = f_timer_stop,
                                  .gpio_write = f_gpio_write,
                                  .gpio_read = f_gpio_read,
                                  .delay_us = f_delay_us,
                                  .adc_burst_start = f_adc,
                                  .uart_open = f_uart_open,
                                  .uart_write = f_uart_write,
                                  .can_start = f_can_start,
                                  .can_stop = f_can_stop,
                                  .can_send = f_can_send,
                                  .can_get_state = f_can_state,
                                  .can_recover = f_can_recover,
                                  .ws2812_write = f_ws2812,
                                  .nvs_get = f_nvs_get,
                                  .nvs_set = f_nvs_set,
                                  .nvs_erase_key = f_nvs_erase_key,
                                  .nvs_erase_all = f_nvs_erase_all,
                                  .wdt_start = f_wdt_start,
                                  .wdt_feed = f_wdt_feed,
                                  .efuse_mac = f_efuse_mac,
                                  .reset_reason = f_reset_reason,
                                  .restart = f_restart,
                                  .log = f_log};
}

/* Heartbeat counter of a copy: tick it `ticks` times, read the counter from its last frame. */
static unsigned tick(sim_plugin_t *p, fake_host_t *h, unsigned ticks) {
    const alfasim_fw_ops_t *ops = sim_plugin_descriptor(p)->ops;
    for (unsigned i = 0; i < ticks; i++) {
        ops->on_timer(0);
    }
    return (unsigned)h->last.data[0] | (unsigned)h->last.data[1] << 8;
}

static sim_plugin_t *load_testnode(sim_plugin_image_t *img, fake_host_t *h, uint8_t node) {
    char err[512] = "";
    sim_plugin_t *p = NULL;
    int rc = sim_plugin_load(img, &p, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    fake_host_init(h, node);
    ASSERT_EQ_I64(sim_plugin_descriptor(p)->ops->init(&h->ops), 0);
    return p;
}

static sim_plugin_image_t *testnode_image(sim_plugin_cache_t *cache) {
    char err[512] = "";
    sim_plugin_image_t *img = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_get(cache, PLUGIN("fw_testnode.so"), &img, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    return img;
}

static void test_copies_have_separate_globals(void) {
    sim_plugin_cache_t *cache = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_create(&cache), 0);
    sim_plugin_image_t *img = testnode_image(cache);
    sim_plugin_image_t *again = testnode_image(cache);
    CU_ASSERT_PTR_EQUAL(img, again); /* read once */
    static fake_host_t ha, hb;
    sim_plugin_t *a = load_testnode(img, &ha, 1);
    sim_plugin_t *b = load_testnode(img, &hb, 2);
    CU_ASSERT_PTR_NOT_EQUAL(sim_plugin_descriptor(a), sim_plugin_descriptor(b));
    ASSERT_EQ_U64(tick(a, &ha, 3), 3);
    ASSERT_EQ_U64(tick(b, &hb, 1), 1);
    ASSERT_EQ_U64(ha.last.id, 0x701);
    ASSERT_EQ_U64(hb.last.id, 0x702);
    ASSERT_EQ_U64(tick(a, &ha, 1), 4);
    sim_plugin_unload(a);
    sim_plugin_unload(b);
    sim_plugin_image_release(img);
    sim_plugin_image_release(again);
    sim_plugin_cache_destroy(cache);
}

/* The copy made after an unload reuses the memfd number of the one before; it must still be a
 * fresh object (fresh RAM), not the old copy found again by name. */
static void test_reload_starts_from_fresh_ram(void) {
    sim_plugin_cache_t *cache = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_create(&cache), 0);
    sim_plugin_image_t *img = testnode_image(cache);
    sim_plugin_cache_destroy(cache); /* the image outlives the cache */
    static fake_host_t ha, hb;
    sim_plugin_t *keep = load_testnode(img, &hb, 9);
    ASSERT_EQ_U64(tick(keep, &hb, 2), 2);
    for (unsigned round = 0; round < 3; round++) {
        sim_plugin_t *a = load_testnode(img, &ha, 1);
        ASSERT_EQ_U64(tick(a, &ha, 5), 5);
        sim_plugin_unload(a);
    }
    ASSERT_EQ_U64(tick(keep, &hb, 1), 3); /* the other copy never saw those ticks */
    sim_plugin_unload(keep);
    sim_plugin_image_release(img);
}

/* The time the firmware reads (testnode's one-shot timer reports hal_now_ms) comes from the
 * host's time cell when the table has one, read afresh at every call, and from the now_us
 * operation when it does not. */
static unsigned shot_ms(const sim_plugin_t *p, const fake_host_t *h) {
    sim_plugin_descriptor(p)->ops->on_timer(1);
    CU_ASSERT_EQUAL(h->last.data[0], 0x87);
    return (unsigned)h->last.data[1] | (unsigned)h->last.data[2] << 8;
}

static void test_time_cell_or_operation(void) {
    sim_plugin_cache_t *cache = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_create(&cache), 0);
    sim_plugin_image_t *img = testnode_image(cache);
    static fake_host_t ha, hb;
    sim_plugin_t *a = load_testnode(img, &ha, 1); /* no cell */
    ha.now_us = 7000999;
    ASSERT_EQ_U64(shot_ms(a, &ha), 7000);

    char err[512] = "";
    sim_plugin_t *b = NULL;
    ASSERT_EQ_I64(sim_plugin_load(img, &b, err, sizeof err), 0);
    fake_host_init(&hb, 2);
    static uint64_t cell_us = 9000000;
    hb.ops.now_us_cell = &cell_us;
    hb.now_us = 7000999; /* must not be asked */
    ASSERT_EQ_I64(sim_plugin_descriptor(b)->ops->init(&hb.ops), 0);
    ASSERT_EQ_U64(shot_ms(b, &hb), 9000);
    cell_us = 12345678;
    ASSERT_EQ_U64(shot_ms(b, &hb), 12345);
    ASSERT_EQ_U64(shot_ms(a, &ha), 7000); /* the other copy still asks its operation */

    sim_plugin_unload(a);
    sim_plugin_unload(b);
    sim_plugin_image_release(img);
    sim_plugin_cache_destroy(cache);
}

/* Lines of /proc/self/maps that belong to plugin copies. */
static unsigned copy_mappings(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[1024];
    unsigned n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        n += strstr(line, "memfd:alfasim:fw_testnode.so") != NULL;
    }
    fclose(f);
    return n;
}

static void test_127_copies_load_and_unload(void) {
    enum { COPIES = 127 };
    sim_plugin_cache_t *cache = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_create(&cache), 0);
    sim_plugin_image_t *img = testnode_image(cache);
    static fake_host_t hosts[COPIES];
    static sim_plugin_t *copies[COPIES];
    unsigned before = copy_mappings();
    for (unsigned i = 0; i < COPIES; i++) {
        copies[i] = load_testnode(img, &hosts[i], (uint8_t)(i + 1));
    }
    CU_ASSERT(copy_mappings() >= before + COPIES);
    for (unsigned i = 0; i < COPIES; i++) {
        ASSERT_EQ_U64(tick(copies[i], &hosts[i], i % 7 + 1), i % 7 + 1);
    }
    for (unsigned i = 0; i < COPIES; i++) { /* again: nobody's ticks leaked into another copy */
        ASSERT_EQ_U64(tick(copies[i], &hosts[i], 1), i % 7 + 2);
        ASSERT_EQ_U64(hosts[i].last.id, 0x700 + i + 1);
    }
    for (unsigned i = 0; i < COPIES; i++) {
        sim_plugin_unload(copies[i]);
    }
    ASSERT_EQ_U64(copy_mappings(), before);
    sim_plugin_image_release(img);
    sim_plugin_cache_destroy(cache);
}

/* Inodes of the plugin copies' mappings with permissions `perms` ("r-xp", "rw-p"), distinct ones
 * only. */
static unsigned distinct_inodes(const char *perms, unsigned long *inodes, unsigned max) {
    FILE *f = fopen("/proc/self/maps", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[1024];
    unsigned n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char p[8] = "";
        unsigned long inode = 0;
        if (strstr(line, "memfd:alfasim:fw_testnode.so") == NULL ||
            sscanf(line, "%*s %7s %*s %*s %lu", p, &inode) != 2 || strcmp(p, perms) != 0) {
            continue;
        }
        unsigned k = 0;
        while (k < n && inodes[k] != inode) {
            k++;
        }
        if (k == n && n < max) {
            inodes[n++] = inode;
        }
    }
    fclose(f);
    return n;
}

/* Every copy runs the first copy's code pages (one physical copy of the code), while each keeps
 * its own writable pages. */
static void test_copies_share_code_not_data(void) {
    enum { COPIES = 5 };
    sim_plugin_cache_t *cache = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_create(&cache), 0);
    sim_plugin_image_t *img = testnode_image(cache);
    static fake_host_t hosts[COPIES];
    sim_plugin_t *copies[COPIES];
    for (unsigned i = 0; i < COPIES; i++) {
        copies[i] = load_testnode(img, &hosts[i], (uint8_t)(i + 1));
    }
    unsigned long inodes[2 * COPIES];
    ASSERT_EQ_U64(distinct_inodes("r-xp", inodes, 2 * COPIES), 1);
    ASSERT_EQ_U64(distinct_inodes("rw-p", inodes, 2 * COPIES), COPIES);
    for (unsigned i = 0; i < COPIES; i++) {
        ASSERT_EQ_U64(tick(copies[i], &hosts[i], i + 1), i + 1);
        ASSERT_EQ_U64(hosts[i].last.id, 0x700 + i + 1);
    }
    sim_plugin_unload(copies[0]); /* the code file outlives the copy that made it */
    sim_plugin_t *again = load_testnode(img, &hosts[0], 1);
    ASSERT_EQ_U64(tick(again, &hosts[0], 2), 2);
    ASSERT_EQ_U64(tick(copies[4], &hosts[4], 1), 6);
    ASSERT_EQ_U64(distinct_inodes("r-xp", inodes, 2 * COPIES), 1);
    sim_plugin_unload(again);
    for (unsigned i = 1; i < COPIES; i++) {
        sim_plugin_unload(copies[i]);
    }
    sim_plugin_image_release(img);
    sim_plugin_cache_destroy(cache);
}

static void test_cache_does_not_keep_failures(void) {
    sim_plugin_cache_t *cache = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_create(&cache), 0);
    char err[512] = "";
    sim_plugin_image_t *img = NULL;
    ASSERT_EQ_I64(sim_plugin_cache_get(cache, PLUGIN("fw_missing.so"), &img, err, sizeof err),
                  -SIM_ENOENT);
    CU_ASSERT_PTR_NULL(img);
    ASSERT_EQ_I64(sim_plugin_cache_get(cache, PLUGIN("fw_missing.so"), &img, err, sizeof err),
                  -SIM_ENOENT);
    /* An image that is not a plugin is cached (it is just bytes) and refused at load. */
    ASSERT_EQ_I64(sim_plugin_cache_get(cache, PLUGIN("fw_notelf.so"), &img, err, sizeof err), 0);
    sim_plugin_t *p = NULL;
    ASSERT_EQ_I64(sim_plugin_load(img, &p, err, sizeof err), -SIM_EFORMAT);
    CU_ASSERT_PTR_NULL(p);
    sim_plugin_image_release(img);
    sim_plugin_cache_destroy(cache);
}

void test_register(void) {
    TEST_SUITE("host_plugin", TEST(test_missing_file), TEST(test_not_elf),
               TEST(test_no_entry_symbol), TEST(test_newer_abi), TEST(test_abi_zero),
               TEST(test_descriptor_without_ops), TEST(test_ops_table_too_small),
               TEST(test_directory_is_not_a_plugin), TEST(test_good_plugin_descriptor),
               TEST(test_copies_have_separate_globals), TEST(test_reload_starts_from_fresh_ram),
               TEST(test_127_copies_load_and_unload), TEST(test_copies_share_code_not_data),
               TEST(test_cache_does_not_keep_failures), TEST(test_time_cell_or_operation));
}
