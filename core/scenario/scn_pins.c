/*
 * scn_pins.c: the schema of a board description and the ESP32 pin rules (sim_scn_board.h).
 *
 * Every pin is recorded with its JSON item while the sections are read, then the whole set is
 * checked at once: a GPIO that the ESP32-WROOM-32 does not have or uses for its flash, an output
 * on an input-only pin, a pin used twice (reported at the second use, naming the first). CT
 * channels are checked against the ADC1 map, since a wrong channel reads another pin.
 */
#include <stdio.h>
#include <string.h>

#include "scn_board.h"
#include "scn_fields.h"
#include "scn_parts.h"
#include "scn_schema.h"

#define MAX_PINS 32

typedef struct {
    uint8_t gpio;
    bool output;
    const cJSON *item;
    char label[24]; /* "relays.R1" */
} pin_use_t;

typedef struct {
    sim_scn_board_t *b;
    pin_use_t pins[MAX_PINS];
    size_t n_pins;
} pins_t;

static const char *const relay_keys[SIM_SCN_BOARD_RELAYS] = {"R1", "R2", "R3", "R4"};
static const char *const led_keys[SIM_SCN_BOARD_LEDS] = {"green", "yellow", "red"};
static const char *const ct_keys[SIM_SCN_BOARD_CTS] = {"CT1", "CT2", "CT3", "CT4"};

/* ADC1 channel of each GPIO that has one (ESP32 datasheet, table "ADC"), else -1. */
static int adc1_channel(unsigned gpio) {
    static const int8_t map[40] = {
        [36] = 0, [37] = 1, [38] = 2, [39] = 3, [32] = 4, [33] = 5, [34] = 6, [35] = 7,
    };
    return gpio >= 32 && gpio <= 39 ? map[gpio] : -1;
}

static bool gpio_exists(unsigned g) {
    return g <= 39 && g != 20 && g != 24 && !(g >= 28 && g <= 31);
}

/* Reads a GPIO number value and records its use. */
static int read_gpio(scn_ctx_t *c, pins_t *p, const cJSON *v, bool output, const char *label,
                     uint8_t *out) {
    uint64_t g = 0;
    int rc = scn_uint_in(c, v, 0, 39, &g);
    if (rc != 0) {
        return rc;
    }
    if (!gpio_exists((unsigned)g) || (g >= 6 && g <= 11)) {
        return scn_fail_value(c, v,
                              "GPIO%u cannot be used (the ESP32-WROOM-32 has no such pin, or it "
                              "belongs to the flash)",
                              (unsigned)g);
    }
    if (output && g >= 34) {
        return scn_fail_value(c, v, "GPIO%u is input-only; %s needs an output", (unsigned)g, label);
    }
    for (size_t i = 0; i < p->n_pins; i++) {
        if (p->pins[i].gpio == g) {
            return scn_fail_value(c, v, "GPIO%u is already used by %s", (unsigned)g,
                                  p->pins[i].label);
        }
    }
    SIM_ASSERT(p->n_pins < MAX_PINS);
    pin_use_t *u = &p->pins[p->n_pins++];
    u->gpio = (uint8_t)g;
    u->output = output;
    u->item = v;
    snprintf(u->label, sizeof u->label, "%s", label);
    *out = (uint8_t)g;
    return 0;
}

/* A required member of a section object, as a number (GPIO) or an object. */
static const cJSON *member(const cJSON *obj, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int check_type(scn_ctx_t *c, const cJSON *v, bool object, const char *expect) {
    if (object ? !cJSON_IsObject(v) : !cJSON_IsNumber(v)) {
        return scn_fail_value(c, v, "expected %s, got %s", expect, scn_type_name(v));
    }
    return 0;
}

/* {"gpio": 26, "active": "high" | "low"} */
static int read_out_pin(scn_ctx_t *c, pins_t *p, const cJSON *obj, const char *label,
                        sim_scn_pin_t *out) {
    static const scn_key_t keys[] = {
        {"gpio", SCN_T_NUMBER, true, "a GPIO number such as 26", NULL},
        {"active", SCN_T_STRING, false, "\"high\" or \"low\"", NULL},
    };
    int rc = check_type(c, obj, true, "an object such as {\"gpio\": 26, \"active\": \"high\"}");
    rc = rc ? rc : scn_check_keys(c, obj, keys, 2);
    const cJSON *act = member(obj, "active");
    if (rc == 0 && act != NULL) {
        const char *a = cJSON_GetStringValue(act);
        if (a == NULL || (strcmp(a, "high") != 0 && strcmp(a, "low") != 0)) {
            return scn_fail_value(c, act, "expected \"high\" or \"low\"");
        }
        out->active_low = strcmp(a, "low") == 0;
    }
    const cJSON *g = member(obj, "gpio");
    rc = rc ? rc : check_type(c, g, false, "a GPIO number such as 26");
    return rc ? rc : read_gpio(c, p, g, true, label, &out->gpio);
}

/* An object whose members are exactly `names` (all required), each an output pin. */
static int read_pin_set(scn_ctx_t *c, pins_t *p, const cJSON *obj, const char *section,
                        const char *const *names, size_t n, sim_scn_pin_t *out) {
    scn_key_t keys[SIM_SCN_BOARD_RELAYS];
    for (size_t i = 0; i < n; i++) {
        keys[i] = (scn_key_t){names[i], SCN_T_OBJECT, true, "a pin object", NULL};
    }
    int rc = scn_check_keys(c, obj, keys, n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char label[24];
        snprintf(label, sizeof label, "%s.%s", section, names[i]);
        rc = read_out_pin(c, p, member(obj, names[i]), label, &out[i]);
    }
    return rc;
}

static int on_relays(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    return read_pin_set(c, p, v, "relays", relay_keys, SIM_SCN_BOARD_RELAYS, p->b->relays);
}

static int on_leds(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    return read_pin_set(c, p, v, "leds", led_keys, SIM_SCN_BOARD_LEDS, p->b->leds);
}

static int on_tm1637(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    static const scn_key_t keys[] = {
        {"clk", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"dio", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"digits", SCN_T_NUMBER, false, "a digit count from 1 to 6", NULL},
    };
    uint64_t digits = 3;
    int rc = scn_check_keys(c, v, keys, 3);
    rc = rc ? rc : check_type(c, member(v, "clk"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "clk"), true, "tm1637.clk", &p->b->tm1637_clk_gpio);
    rc = rc ? rc : check_type(c, member(v, "dio"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "dio"), true, "tm1637.dio", &p->b->tm1637_dio_gpio);
    if (rc == 0 && member(v, "digits") != NULL) {
        rc = scn_uint_in(c, member(v, "digits"), 1, 6, &digits);
    }
    p->b->tm1637_digits = (uint8_t)digits;
    return rc;
}

static int on_ws2812(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    static const scn_key_t keys[] = {
        {"gpio", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"pixels", SCN_T_NUMBER, true, "a pixel count from 1 to 64", NULL},
    };
    uint64_t px = 0;
    int rc = scn_check_keys(c, v, keys, 2);
    rc = rc ? rc : check_type(c, member(v, "gpio"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "gpio"), true, "ws2812.gpio", &p->b->ws2812_gpio);
    rc = rc ? rc : check_type(c, member(v, "pixels"), false, "a pixel count from 1 to 64");
    rc = rc ? rc : scn_uint_in(c, member(v, "pixels"), 1, 64, &px);
    p->b->ws2812_pixels = (uint8_t)px;
    return rc;
}

/* {"gpio": 34, "adc_channel": 6, "full_scale_a": 50} */
static int read_ct(scn_ctx_t *c, pins_t *p, const cJSON *obj, unsigned k) {
    static const scn_key_t keys[] = {
        {"gpio", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"adc_channel", SCN_T_NUMBER, true, "an ADC1 channel from 0 to 7", NULL},
        {"full_scale_a", SCN_T_NUMBER, false, "a current in A", NULL},
    };
    sim_scn_ct_pin_t *ct = &p->b->ct[k];
    char label[24];
    snprintf(label, sizeof label, "ct.%s", ct_keys[k]);
    uint64_t ch = 0;
    ct->full_scale_a = 50.0; /* spec §3.2 [DECIDED] */
    int rc = check_type(c, obj, true, "an object such as {\"gpio\": 34, \"adc_channel\": 6}");
    rc = rc ? rc : scn_check_keys(c, obj, keys, 3);
    rc = rc ? rc : check_type(c, member(obj, "gpio"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(obj, "gpio"), false, label, &ct->gpio);
    rc = rc ? rc : check_type(c, member(obj, "adc_channel"), false, "an ADC1 channel");
    rc = rc ? rc : scn_uint_in(c, member(obj, "adc_channel"), 0, 7, &ch);
    if (rc == 0 && adc1_channel(ct->gpio) != (int)ch) {
        int real = adc1_channel(ct->gpio);
        return real < 0 ? scn_fail_value(c, member(obj, "gpio"),
                                         "GPIO%u has no ADC1 channel (use GPIO32-39)", ct->gpio)
                        : scn_fail_value(c, member(obj, "adc_channel"),
                                         "GPIO%u is ADC1 channel %d, not %u", ct->gpio, real,
                                         (unsigned)ch);
    }
    ct->adc_channel = (uint8_t)ch;
    if (rc == 0 && member(obj, "full_scale_a") != NULL) {
        rc = scn_number_in(c, member(obj, "full_scale_a"), 1, 1000, &ct->full_scale_a);
    }
    return rc;
}

static int on_ct(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    scn_key_t keys[SIM_SCN_BOARD_CTS];
    for (size_t i = 0; i < SIM_SCN_BOARD_CTS; i++) {
        keys[i] = (scn_key_t){ct_keys[i], SCN_T_OBJECT, true, "a CT channel object", NULL};
    }
    int rc = scn_check_keys(c, v, keys, SIM_SCN_BOARD_CTS);
    for (unsigned i = 0; rc == 0 && i < SIM_SCN_BOARD_CTS; i++) {
        rc = read_ct(c, p, member(v, ct_keys[i]), i);
    }
    return rc;
}

static int on_rs485(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    static const scn_key_t keys[] = {
        {"uart", SCN_T_NUMBER, true, "a UART number from 0 to 2", NULL},
        {"rx", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"tx", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"de", SCN_T_NUMBER, true, "a GPIO number", NULL},
    };
    uint64_t u = 0;
    sim_scn_board_t *b = p->b;
    int rc = scn_check_keys(c, v, keys, 4);
    rc = rc ? rc : scn_uint_in(c, member(v, "uart"), 0, 2, &u);
    rc = rc ? rc : check_type(c, member(v, "rx"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "rx"), false, "rs485.rx", &b->rs485_rx_gpio);
    rc = rc ? rc : check_type(c, member(v, "tx"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "tx"), true, "rs485.tx", &b->rs485_tx_gpio);
    rc = rc ? rc : check_type(c, member(v, "de"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "de"), true, "rs485.de", &b->rs485_de_gpio);
    b->rs485_uart = (uint8_t)u;
    return rc;
}

static int on_can(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    static const scn_key_t keys[] = {
        {"tx", SCN_T_NUMBER, true, "a GPIO number", NULL},
        {"rx", SCN_T_NUMBER, true, "a GPIO number", NULL},
    };
    int rc = scn_check_keys(c, v, keys, 2);
    rc = rc ? rc : check_type(c, member(v, "tx"), false, "a GPIO number");
    rc = rc ? rc : read_gpio(c, p, member(v, "tx"), true, "can.tx", &p->b->can_tx_gpio);
    rc = rc ? rc : check_type(c, member(v, "rx"), false, "a GPIO number");
    return rc ? rc : read_gpio(c, p, member(v, "rx"), false, "can.rx", &p->b->can_rx_gpio);
}

static int on_name(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    if (!scn_name_ok(v->valuestring, sizeof p->b->name - 1)) {
        return scn_fail_value(c, v, "expected a board name of letters, digits, '_', '.' or '-'");
    }
    snprintf(p->b->name, sizeof p->b->name, "%s", v->valuestring);
    return 0;
}

static int on_description(scn_ctx_t *c, const cJSON *v, void *t) {
    pins_t *p = t;
    p->b->description = scn_strdup(v->valuestring);
    return p->b->description != NULL ? 0 : scn_fail_nomem(c);
}

#define SECTION(key, example, fn)                                                                  \
    { key, SCN_T_OBJECT, true, "an object such as " example, fn }

static const scn_key_t board_keys[] = {
    {"name", SCN_T_STRING, false, "a board name such as \"alfaspark_b\"", on_name},
    {"description", SCN_T_STRING, false, "a string", on_description},
    SECTION("relays", "{\"R1\": {\"gpio\": 26}, ...}", on_relays),
    SECTION("leds", "{\"green\": {\"gpio\": 2}, ...}", on_leds),
    SECTION("tm1637", "{\"clk\": 14, \"dio\": 12}", on_tm1637),
    SECTION("ws2812", "{\"gpio\": 25, \"pixels\": 10}", on_ws2812),
    SECTION("ct", "{\"CT1\": {\"gpio\": 34, \"adc_channel\": 6}, ...}", on_ct),
    SECTION("rs485", "{\"uart\": 2, \"rx\": 16, \"tx\": 17, \"de\": 18}", on_rs485),
    SECTION("can", "{\"tx\": 4, \"rx\": 5}", on_can),
};

int scn_board_check(scn_ctx_t *c, const cJSON *obj, sim_scn_board_t *b) {
    if (!cJSON_IsObject(obj)) {
        return scn_fail_value(c, obj, "expected a board object, got %s", scn_type_name(obj));
    }
    pins_t p = {.b = b};
    return scn_check_object(c, obj, board_keys, sizeof board_keys / sizeof board_keys[0], &p);
}
