/*
 * TM1637 decoding from a recorded bit sequence. The sequences below are written by hand from the
 * protocol: 'S' start, a byte's eight bits LSB first, 'A' the ACK clock, 'P' stop. The player
 * turns each symbol into the GPIO edges a bit-banging driver makes, 5 us apart.
 */
#include "test_support.h"
#include "tm1637.h"

typedef struct {
    tm1637_t *tm;
    sim_time_ns_t t;
    bool clk, dio;
    int acks_seen; /* ACK clocks at which DIO read low */
} player_t;

static void edge(player_t *p, tm1637_line_t line, bool level) {
    bool *cur = line == TM1637_CLK ? &p->clk : &p->dio;
    if (*cur == level) {
        return;
    }
    *cur = level;
    p->t += 5 * SIM_NS_PER_US;
    tm1637_on_edge(p->tm, line, level, p->t);
}

static void play(player_t *p, const char *seq) {
    for (; *seq; seq++) {
        switch (*seq) {
            case 'S': /* DIO falls while CLK is high */
                edge(p, TM1637_CLK, true);
                edge(p, TM1637_DIO, true);
                edge(p, TM1637_DIO, false);
                break;
            case '0':
            case '1':
                edge(p, TM1637_CLK, false);
                edge(p, TM1637_DIO, *seq == '1');
                edge(p, TM1637_CLK, true);
                break;
            case 'A': /* release DIO, clock the 9th bit, read the chip's pull-down */
                edge(p, TM1637_CLK, false);
                edge(p, TM1637_DIO, true);
                edge(p, TM1637_CLK, true);
                p->acks_seen += !tm1637_dio_input(p->tm);
                edge(p, TM1637_CLK, false);
                break;
            case 'P': /* DIO rises while CLK is high */
                edge(p, TM1637_CLK, false);
                edge(p, TM1637_DIO, false);
                edge(p, TM1637_CLK, true);
                edge(p, TM1637_DIO, true);
                break;
            default: /* spaces for readability */
                break;
        }
    }
}

static tm1637_t *make(void) {
    tm1637_cfg_t cfg;
    tm1637_cfg_default(&cfg);
    tm1637_t *tm = NULL;
    ASSERT_EQ_I64(tm1637_create(&cfg, &tm), 0);
    return tm;
}

/* " 14": 0x40 (auto-increment), 0xC0 then 0x00 0x06 0x66, 0x8F (on, brightness 7). */
static const char SEQ_14[] = "S 00000010 A P "
                             "S 00000011 A 00000000 A 01100000 A 01100110 A P "
                             "S 11110001 A P";

static void decodes_recorded_sequence(void) {
    player_t p = {.tm = make(), .clk = true, .dio = true};
    char text[4];
    tm1637_text(p.tm, text, sizeof text);
    ASSERT_EQ_STR(text, "   "); /* off until the display-control command */
    play(&p, SEQ_14);
    tm1637_text(p.tm, text, sizeof text);
    ASSERT_EQ_STR(text, " 14");
    CU_ASSERT_TRUE(tm1637_display_on(p.tm));
    ASSERT_EQ_U64(tm1637_brightness(p.tm), 7);
    ASSERT_EQ_U64(tm1637_segments(p.tm, 2), 0x66);
    ASSERT_EQ_I64(p.acks_seen, 6);
    CU_ASSERT_TRUE(tm1637_dio_input(p.tm)); /* released after the last ACK */
    tm1637_stats_t st;
    tm1637_stats(p.tm, &st);
    ASSERT_EQ_U64(st.transactions, 3);
    ASSERT_EQ_U64(st.bytes, 6);
    ASSERT_EQ_U64(st.acks, 6);
    ASSERT_EQ_U64(st.protocol_errors + st.partial_bytes + st.timing_violations, 0);
    /* "100", then display off (0x80): the text goes blank, the registers stay. */
    play(&p, "S 00000011 A 01100000 A 11111100 A 11111100 A P S 00000001 A P");
    tm1637_text(p.tm, text, sizeof text);
    ASSERT_EQ_STR(text, "   ");
    CU_ASSERT_FALSE(tm1637_display_on(p.tm));
    ASSERT_EQ_U64(tm1637_segments(p.tm, 0), 0x06);
    play(&p, "S 11110001 A P");
    tm1637_text(p.tm, text, sizeof text);
    ASSERT_EQ_STR(text, "100");
    tm1637_destroy(p.tm);
}

static void fixed_address_and_errors(void) {
    player_t p = {.tm = make(), .clk = true, .dio = true};
    /* 0x44 fixed address; 0xC1 then 0x40 ('-') and 0x3F: both land in register 1. */
    play(&p, "S 00100010 A P S 10000011 A 00000010 A 11111100 A P S 11110001 A P");
    ASSERT_EQ_U64(tm1637_segments(p.tm, 1), 0x3F);
    ASSERT_EQ_U64(tm1637_segments(p.tm, 2), 0x00);
    /* 0x40 then '-' in fixed mode at register 1 */
    play(&p, "S 00000010 A P S 10000011 A 00000010 A P");
    char text[4];
    tm1637_text(p.tm, text, sizeof text);
    ASSERT_EQ_STR(text, " - ");
    tm1637_stats_t st;
    tm1637_stats(p.tm, &st);
    ASSERT_EQ_U64(st.protocol_errors, 0);
    /* 0xC7: no such register; a data byte after a display command; 3 bits then stop. */
    play(&p, "S 11100011 A 00000000 A P S 11110001 A 00000000 A P S 101 P");
    tm1637_stats(p.tm, &st);
    ASSERT_EQ_U64(st.protocol_errors, 3);
    ASSERT_EQ_U64(st.partial_bytes, 1);
    tm1637_destroy(p.tm);
}

static void edges_too_close_are_counted(void) {
    tm1637_t *tm = make();
    tm1637_on_edge(tm, TM1637_DIO, false, 1000);
    tm1637_on_edge(tm, TM1637_CLK, false, 1500);
    tm1637_on_edge(tm, TM1637_CLK, true, 10000);
    tm1637_stats_t st;
    tm1637_stats(tm, &st);
    ASSERT_EQ_U64(st.timing_violations, 1);
    ASSERT_EQ_U64(st.transactions, 1);
    tm1637_destroy(tm);
}

static void segment_characters(void) {
    const char *digits = "0123456789";
    const uint8_t segs[] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(tm1637_char(segs[i]), digits[i]);
        CU_ASSERT_EQUAL(tm1637_char((uint8_t)(segs[i] | 0x80)), digits[i]); /* colon ignored */
    }
    CU_ASSERT_EQUAL(tm1637_char(0x40), '-');
    CU_ASSERT_EQUAL(tm1637_char(0x00), ' ');
    CU_ASSERT_EQUAL(tm1637_char(0x79), 'E');
    CU_ASSERT_EQUAL(tm1637_char(0x49), '?');
}

void test_register(void) {
    TEST_SUITE("model_tm1637", TEST(decodes_recorded_sequence), TEST(fixed_address_and_errors),
               TEST(edges_too_close_are_counted), TEST(segment_characters));
}
