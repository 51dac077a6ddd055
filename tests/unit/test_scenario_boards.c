/*
 * test_scenario_boards.c: board descriptions: the bundled version-B board against the spec's pin
 * map, the lookup rule (boards/ or scenarios/boards/ in the scenario's directory or above it,
 * nearest first; a path relative to the scenario; an inline object), one load per file however
 * many nodes use it, a missing board (exit 66), errors reported inside the board file itself,
 * and the ESP32 pin rules.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_scenario.h"
#include "test_support.h"

#define MAX_PATHS 16

static char root[512];
static char made[MAX_PATHS][700]; /* created files and directories, removed in reverse */
static bool made_dir[MAX_PATHS];
static size_t n_made;

static const char *mk(const char *rel, const char *text) {
    CU_ASSERT_FATAL(n_made < MAX_PATHS);
    char *p = made[n_made];
    snprintf(p, sizeof made[0], "%s/%s", root, rel);
    made_dir[n_made++] = text == NULL;
    if (text == NULL) {
        CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
        return p;
    }
    FILE *f = fopen(p, "w");
    CU_ASSERT_FATAL(f != NULL);
    for (const char *c = text; *c != '\0'; c++) {
        fputc(*c == '\'' ? '"' : *c, f);
    }
    fclose(f);
    return p;
}

static void begin(void) {
    snprintf(root, sizeof root, "%s/scn_boards_XXXXXX", SIM_BINARY_DIR);
    CU_ASSERT_FATAL(mkdtemp(root) != NULL);
    n_made = 0;
    mk("fw_testnode.so", "");
}

static void end(void) {
    while (n_made > 0) {
        n_made--;
        CU_ASSERT_EQUAL(made_dir[n_made] ? rmdir(made[n_made]) : remove(made[n_made]), 0);
    }
    CU_ASSERT_EQUAL(rmdir(root), 0);
}

/* A board whose R1 relay is on `r1_gpio` (the rest as version B). */
static char *board_text(int r1_gpio) {
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{'relays': {'R1': {'gpio': %d}, 'R2': {'gpio': 27}, 'R3': {'gpio': 23}, 'R4': "
             "{'gpio': 22}}, 'leds': {'green': {'gpio': 2}, 'yellow': {'gpio': 13}, 'red': "
             "{'gpio': 15, 'active': 'low'}}, 'tm1637': {'clk': 14, 'dio': 12}, 'ws2812': "
             "{'gpio': 25, 'pixels': 8}, 'ct': {'CT1': {'gpio': 34, 'adc_channel': 6}, 'CT2': "
             "{'gpio': 35, 'adc_channel': 7}, 'CT3': {'gpio': 32, 'adc_channel': 4}, 'CT4': "
             "{'gpio': 33, 'adc_channel': 5, 'full_scale_a': 20}}, 'rs485': {'uart': 2, 'rx': 16, "
             "'tx': 17, 'de': 18}, 'can': {'tx': 4, 'rx': 5}}",
             r1_gpio);
    return buf;
}

/* Loads text as if it were the file at `path`; on failure the diagnostic is in *diag. */
static int load_at(const char *path, const char *text, sim_scenario_t **s, char *diag) {
    char buf[4096];
    size_t n = 0;
    for (const char *c = text; *c != '\0' && n + 1 < sizeof buf; c++) {
        buf[n++] = *c == '\'' ? '"' : *c;
    }
    buf[n] = '\0';
    const char *dirs[] = {root, NULL};
    sim_diag_t d;
    int rc = sim_scenario_load_buffer(path, buf, n, dirs, s, &d);
    if (rc != 0) {
        sim_diag_format(&d, diag, 1024);
    }
    return rc;
}

static void test_bundled_board(void) {
    char path[600], diag[1024];
    sim_scenario_t *s = NULL;
    begin();
    snprintf(path, sizeof path, "%s/scenarios/x.json", SIM_SOURCE_DIR);
    ASSERT_EQ_I64(load_at(path,
                          "{'duration': '1s', 'plugin': 'testnode', 'board': 'alfaspark_b', "
                          "'nodes': [{'name': 'p', 'type': 'pack'}]}",
                          &s, diag),
                  0);
    CU_ASSERT_FATAL(s != NULL && s->n_boards == 1);
    const sim_scn_board_t *b = &s->boards[0];
    const uint8_t relays[] = {26, 27, 23, 22}, leds[] = {2, 13, 15}, cts[] = {34, 35, 32, 33};
    const uint8_t adc[] = {6, 7, 4, 5};
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ_U64(b->relays[i].gpio, relays[i]);
        ASSERT_EQ_U64(b->ct[i].gpio, cts[i]);
        ASSERT_EQ_U64(b->ct[i].adc_channel, adc[i]);
        ASSERT_NEAR(b->ct[i].full_scale_a, 50, 0);
        CU_ASSERT_FALSE(b->relays[i].active_low);
    }
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_U64(b->leds[i].gpio, leds[i]);
    }
    ASSERT_EQ_U64(b->tm1637_clk_gpio, 14);
    ASSERT_EQ_U64(b->tm1637_dio_gpio, 12);
    ASSERT_EQ_U64(b->tm1637_digits, 3);
    ASSERT_EQ_U64(b->ws2812_gpio, 25);
    ASSERT_EQ_U64(b->ws2812_pixels, 10);
    ASSERT_EQ_U64(b->rs485_uart, 2);
    ASSERT_EQ_U64(b->rs485_rx_gpio, 16);
    ASSERT_EQ_U64(b->rs485_tx_gpio, 17);
    ASSERT_EQ_U64(b->rs485_de_gpio, 18);
    ASSERT_EQ_U64(b->can_tx_gpio, 4);
    ASSERT_EQ_U64(b->can_rx_gpio, 5);
    ASSERT_EQ_STR(b->name, "alfaspark_b");
    sim_scenario_free(s);
    end();
}

static void test_lookup_walks_up(void) {
    begin();
    char path[700], want[800], diag[1024];
    sim_scenario_t *s = NULL;
    mk("a", NULL);
    mk("a/b", NULL);
    mk("scenarios", NULL);
    mk("scenarios/boards", NULL);
    mk("scenarios/boards/x.json", board_text(26));
    snprintf(path, sizeof path, "%s/a/b/s.json", root);
    const char *two_refs = "{'duration': '1s', 'plugin': 'testnode', 'board': 'x', 'nodes': "
                           "[{'name': 'p', 'type': 'pack'}, {'name': 'q', 'type': 'pack', "
                           "'board': '../../scenarios/boards/x.json'}]}";
    ASSERT_EQ_I64(load_at(path, two_refs, &s, diag), 0);
    CU_ASSERT_FATAL(s != NULL);
    ASSERT_EQ_U64(s->n_boards, 1); /* the name and the path are the same file: loaded once */
    snprintf(want, sizeof want, "%s/a/b/../../scenarios/boards/x.json", root);
    ASSERT_EQ_STR(s->boards[0].path, want);
    ASSERT_EQ_STR(s->boards[0].name, "x");
    ASSERT_EQ_I64(s->nodes[1].board, 0);
    CU_ASSERT_TRUE(s->boards[0].leds[2].active_low);
    ASSERT_NEAR(s->nodes[0].pack->plant.ct[3].full_scale_a, 20, 0); /* the board sets CT4 */
    sim_scenario_free(s);
    /* a nearer boards/ folder wins */
    mk("a/boards", NULL);
    mk("a/boards/x.json", board_text(21));
    ASSERT_EQ_I64(load_at(path, two_refs, &s, diag), 0);
    CU_ASSERT_FATAL(s != NULL);
    ASSERT_EQ_U64(s->n_boards, 2);
    ASSERT_EQ_U64(s->boards[0].relays[0].gpio, 21);
    snprintf(want, sizeof want, "%s/a/b/../boards/x.json", root);
    ASSERT_EQ_STR(s->boards[0].path, want);
    sim_scenario_free(s);
    end();
}

static void test_missing_and_broken_boards(void) {
    begin();
    char path[700], diag[1024], want[2400];
    sim_scenario_t *s = NULL;
    snprintf(path, sizeof path, "%s/s.json", root);
    ASSERT_EQ_I64(load_at(path,
                          "{'duration': '1s', 'plugin': 'testnode', 'nodes': [{'name': 'p', "
                          "'type': 'pack', 'board': 'nowhere'}]}",
                          &s, diag),
                  -SIM_ENOENT);
    snprintf(want, sizeof want,
             "%s:1:91: error: /nodes/0/board: board \"nowhere\" not found (no "
             "boards/nowhere.json or scenarios/boards/nowhere.json in %s or a directory above it)",
             path, root);
    ASSERT_EQ_STR(diag, want);
    mk("boards", NULL);
    mk("boards/bad.json", "{\n  'name': 'bad',\n  'relais': {}\n}\n");
    ASSERT_EQ_I64(load_at(path,
                          "{'duration': '1s', 'plugin': 'testnode', 'board': 'bad', 'nodes': "
                          "[{'name': 'p'}]}",
                          &s, diag),
                  -SIM_EFORMAT);
    /* the error is in the board file, at its own line and column */
    snprintf(want, sizeof want,
             "%s/boards/bad.json:3:3: error: /relais: unknown key; did you mean \"relays\"?", root);
    ASSERT_EQ_STR(diag, want);
    ASSERT_EQ_I64(load_at(path,
                          "{'duration': '1s', 'plugin': 'testnode', 'nodes': [{'name': 'p', "
                          "'type': 'pack'}]}",
                          &s, diag),
                  -SIM_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "a pack needs a board"));
    end();
}

/* The diagnostic of an inline board whose R1 is on `gpio`, after "error: ". */
static const char *pin_error(int gpio) {
    static char diag[1024];
    char text[2048];
    sim_scenario_t *s = NULL;
    snprintf(text, sizeof text,
             "{'duration': '1s', 'plugin': 'testnode', 'board': %s, 'nodes': [{'name': 'p'}]}",
             board_text(gpio));
    if (load_at("t/s.json", text, &s, diag) == 0) {
        sim_scenario_free(s);
        return "ok";
    }
    return strstr(diag, "error: ") + 7;
}

static void test_pin_rules(void) {
    begin();
    ASSERT_EQ_STR(pin_error(21), "ok");
    ASSERT_EQ_STR(pin_error(7),
                  "/board/relays/R1/gpio: GPIO7 cannot be used (the ESP32-WROOM-32 has no such "
                  "pin, or it belongs to the flash)");
    ASSERT_EQ_STR(pin_error(24), "/board/relays/R1/gpio: GPIO24 cannot be used (the "
                                 "ESP32-WROOM-32 has no such pin, or it belongs to the flash)");
    ASSERT_EQ_STR(pin_error(36),
                  "/board/relays/R1/gpio: GPIO36 is input-only; relays.R1 needs an output");
    ASSERT_EQ_STR(pin_error(25), "/board/ws2812/gpio: GPIO25 is already used by relays.R1");
    ASSERT_EQ_STR(pin_error(40), "/board/relays/R1/gpio: expected a whole number from 0 to 39");
    end();
}

void test_register(void) {
    TEST_SUITE("scenario_boards", TEST(test_bundled_board), TEST(test_lookup_walks_up),
               TEST(test_missing_and_broken_boards), TEST(test_pin_rules));
}
