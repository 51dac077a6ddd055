/*
 * tm1637.c: bit-level decoder of the TM1637 two-wire protocol (contract in tm1637.h).
 *
 * Start and stop conditions are judged on the effective DIO line, the wired-AND of what the node
 * drives and the chip's own ACK pull-down, because that is what the chip's input sees: a node
 * that releases DIO while the chip acknowledges makes no edge at all.
 */
#include "tm1637.h"

#include <stdlib.h>
#include <string.h>

/* Where the byte shifter is: 8 data clocks, then the ACK's falling/rising/falling edges. */
typedef enum {
    PH_DATA = 0,    /* sampling bits on rising CLK */
    PH_ACK_WAIT,    /* 8 bits in; the chip pulls DIO at the next falling CLK */
    PH_ACK_PULL,    /* DIO pulled; the 9th rising CLK is the ACK clock */
    PH_ACK_CLOCKED, /* the chip releases DIO at the next falling CLK */
} phase_t;

/* What the transaction expects after its command byte. */
typedef enum { EXPECT_COMMAND = 0, EXPECT_DATA, EXPECT_NOTHING } expect_t;

struct tm1637 {
    tm1637_cfg_t cfg;
    bool clk, dio; /* levels the node drives (true = released) */
    bool ack_pull; /* the chip pulls DIO low */
    bool started;
    phase_t phase;
    uint8_t nbits, shift;
    expect_t expect;
    uint8_t addr;
    bool fixed_addr;
    uint8_t regs[TM1637_REGS];
    bool on;
    uint8_t brightness;
    sim_time_ns_t last_edge_ns;
    bool any_edge;
    tm1637_stats_t stats;
};

void tm1637_cfg_default(tm1637_cfg_t *cfg) {
    *cfg = (tm1637_cfg_t){.digits = 3, .min_edge_ns = 1000};
}

int tm1637_create(const tm1637_cfg_t *cfg, tm1637_t **out) {
    *out = NULL;
    if (cfg->digits == 0 || cfg->digits > TM1637_REGS) {
        return -SIM_EINVAL;
    }
    tm1637_t *tm = calloc(1, sizeof *tm);
    if (!tm) {
        return -SIM_ENOMEM;
    }
    tm->cfg = *cfg;
    tm->clk = true; /* both lines idle high on their pull-ups */
    tm->dio = true;
    *out = tm;
    return 0;
}

void tm1637_destroy(tm1637_t *tm) {
    free(tm);
}

static bool dio_line(const tm1637_t *tm) {
    return tm->dio && !tm->ack_pull;
}

static void changed(tm1637_t *tm, sim_time_ns_t t) {
    if (tm->cfg.on_change) {
        tm->cfg.on_change(tm->cfg.ctx, t);
    }
}

/* ---- bytes ------------------------------------------------------------------------------- */

static void command_byte(tm1637_t *tm, uint8_t b, sim_time_ns_t t) {
    tm->expect = EXPECT_NOTHING;
    switch (b & 0xC0u) {
        case 0x40u: /* data command */
            if ((b & 0x03u) != 0) {
                tm->stats.protocol_errors++; /* key scan: not modelled */
            }
            tm->fixed_addr = (b & 0x04u) != 0;
            break;
        case 0xC0u: /* address command */
            tm->addr = b & 0x3Fu;
            if (tm->addr >= TM1637_REGS) {
                tm->stats.protocol_errors++;
            } else {
                tm->expect = EXPECT_DATA;
            }
            break;
        case 0x80u: { /* display control */
            bool on = (b & 0x08u) != 0;
            uint8_t br = b & 0x07u;
            if (on != tm->on || br != tm->brightness) {
                tm->on = on;
                tm->brightness = br;
                changed(tm, t);
            }
            break;
        }
        default:
            tm->stats.protocol_errors++;
            break;
    }
}

static void data_byte(tm1637_t *tm, uint8_t b, sim_time_ns_t t) {
    if (tm->expect != EXPECT_DATA || tm->addr >= TM1637_REGS) {
        tm->stats.protocol_errors++;
        return;
    }
    if (tm->regs[tm->addr] != b) {
        tm->regs[tm->addr] = b;
        changed(tm, t);
    }
    if (!tm->fixed_addr) {
        tm->addr++;
    }
}

static void byte_done(tm1637_t *tm, sim_time_ns_t t) {
    tm->stats.bytes++;
    if (tm->expect == EXPECT_COMMAND) {
        command_byte(tm, tm->shift, t);
    } else {
        data_byte(tm, tm->shift, t);
    }
}

/* ---- edges ------------------------------------------------------------------------------- */

static void clk_rising(tm1637_t *tm, sim_time_ns_t t) {
    if (!tm->started) {
        return;
    }
    if (tm->phase == PH_DATA) {
        tm->shift |= (uint8_t)((dio_line(tm) ? 1u : 0u) << tm->nbits);
        if (++tm->nbits == 8) {
            tm->phase = PH_ACK_WAIT;
            byte_done(tm, t);
        }
    } else if (tm->phase == PH_ACK_PULL) {
        tm->phase = PH_ACK_CLOCKED;
    }
}

static void clk_falling(tm1637_t *tm) {
    if (!tm->started) {
        return;
    }
    if (tm->phase == PH_ACK_WAIT) {
        tm->ack_pull = true;
        tm->stats.acks++;
        tm->phase = PH_ACK_PULL;
    } else if (tm->phase == PH_ACK_CLOCKED) {
        tm->ack_pull = false;
        tm->phase = PH_DATA;
        tm->nbits = 0;
        tm->shift = 0;
    }
}

static void start_condition(tm1637_t *tm) {
    if (tm->started && tm->phase == PH_DATA && tm->nbits > 0) {
        tm->stats.partial_bytes++;
    }
    tm->started = true;
    tm->phase = PH_DATA;
    tm->nbits = 0;
    tm->shift = 0;
    tm->expect = EXPECT_COMMAND;
    tm->stats.transactions++;
}

static void stop_condition(tm1637_t *tm) {
    /* A stop is CLK low, DIO low, CLK high, DIO high: that CLK rise clocks one bit into the
     * shifter, so one bit before a stop is the stop itself, not a partial byte. */
    if (tm->started && tm->phase == PH_DATA && tm->nbits > 1) {
        tm->stats.partial_bytes++;
    }
    tm->started = false;
    tm->ack_pull = false;
}

void tm1637_on_edge(tm1637_t *tm, tm1637_line_t line, bool level, sim_time_ns_t t_ns) {
    if (tm->any_edge && t_ns - tm->last_edge_ns < tm->cfg.min_edge_ns) {
        tm->stats.timing_violations++;
    }
    tm->any_edge = true;
    tm->last_edge_ns = t_ns;
    if (line == TM1637_CLK) {
        bool was = tm->clk;
        tm->clk = level;
        if (!was && level) {
            clk_rising(tm, t_ns);
        } else if (was && !level) {
            clk_falling(tm);
        }
        return;
    }
    bool before = dio_line(tm);
    tm->dio = level;
    bool after = dio_line(tm);
    if (tm->clk && before && !after) {
        start_condition(tm);
    } else if (tm->clk && !before && after) {
        stop_condition(tm);
    }
}

bool tm1637_dio_input(const tm1637_t *tm) {
    return !tm->ack_pull;
}

/* ---- backend ----------------------------------------------------------------------------- */

uint8_t tm1637_segments(const tm1637_t *tm, unsigned reg) {
    SIM_ASSERT(reg < TM1637_REGS);
    return tm->regs[reg];
}

bool tm1637_display_on(const tm1637_t *tm) {
    return tm->on;
}

uint8_t tm1637_brightness(const tm1637_t *tm) {
    return tm->brightness;
}

char tm1637_char(uint8_t segments) {
    static const struct {
        uint8_t seg;
        char c;
    } map[] = {
        {0x3F, '0'}, {0x06, '1'}, {0x5B, '2'}, {0x4F, '3'}, {0x66, '4'}, {0x6D, '5'}, {0x7D, '6'},
        {0x07, '7'}, {0x27, '7'}, {0x7F, '8'}, {0x6F, '9'}, {0x40, '-'}, {0x00, ' '}, {0x77, 'A'},
        {0x7C, 'b'}, {0x39, 'C'}, {0x58, 'c'}, {0x5E, 'd'}, {0x79, 'E'}, {0x71, 'F'}, {0x76, 'H'},
        {0x38, 'L'}, {0x54, 'n'}, {0x5C, 'o'}, {0x73, 'P'}, {0x50, 'r'}, {0x78, 't'}, {0x3E, 'U'},
    };
    uint8_t s = segments & 0x7Fu;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (map[i].seg == s) {
            return map[i].c;
        }
    }
    return '?';
}

void tm1637_text(const tm1637_t *tm, char *out, size_t size) {
    SIM_ASSERT(size > tm->cfg.digits);
    for (unsigned i = 0; i < tm->cfg.digits; i++) {
        out[i] = tm->on ? tm1637_char(tm->regs[i]) : ' ';
    }
    out[tm->cfg.digits] = '\0';
}

void tm1637_stats(const tm1637_t *tm, tm1637_stats_t *out) {
    *out = tm->stats;
}
