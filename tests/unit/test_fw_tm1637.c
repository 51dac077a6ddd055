/*
 * test_fw_tm1637.c: the bit-banged TM1637 driver and the 3-digit SOC display (spec §8.2). The
 * GPIO edge log of the fake HAL is decoded like a logic analyser would: start and stop
 * conditions, bits sampled on CLK rising edges LSB first, the 9th (ACK) clock per byte.
 */
#include "fake_hal.h"
#include "fw_state.h"
#include "tm1637.h"
#include "test_support.h"

#define MAX_TX    8
#define MAX_BYTES 8

typedef struct {
    unsigned n_tx;
    unsigned n_bytes[MAX_TX];
    uint8_t bytes[MAX_TX][MAX_BYTES];
    unsigned bad_ack_slots; /* ACK clocks where DIO was not released */
    unsigned dio_changes_while_clk_high_in_byte;
    uint64_t min_gap_ns;
} decoded_t;

static void decode(size_t from, decoded_t *d) {
    memset(d, 0, sizeof *d);
    d->min_gap_ns = UINT64_MAX;
    bool clk = false, dio = false, in_tx = false;
    unsigned bit = 0;
    uint16_t acc = 0;
    uint64_t last_t = 0;
    bool have_last = false;
    for (size_t i = from; i < fake_hal_gpio_log_count(); i++) {
        const fake_gpio_edge_t *e = fake_hal_gpio_log(i);
        if (e->sig != HAL_SIG_TM1637_CLK && e->sig != HAL_SIG_TM1637_DIO) {
            continue;
        }
        if (have_last && e->t_ns - last_t < d->min_gap_ns) {
            d->min_gap_ns = e->t_ns - last_t;
        }
        last_t = e->t_ns;
        have_last = true;
        if (e->sig == HAL_SIG_TM1637_DIO) {
            if (clk && dio && !e->level) { /* start */
                in_tx = true;
                bit = 0;
                acc = 0;
            } else if (clk && !dio && e->level && in_tx) { /* stop */
                in_tx = false;
                d->n_tx++;
            } else if (clk && in_tx && e->level != dio) {
                d->dio_changes_while_clk_high_in_byte++;
            }
            dio = e->level;
            continue;
        }
        if (!clk && e->level && in_tx && d->n_tx < MAX_TX) { /* rising CLK: sample */
            if (bit < 8u) {
                acc |= (uint16_t)((dio ? 1u : 0u) << bit);
                bit++;
            } else {
                d->bad_ack_slots += dio ? 0u : 1u;
                unsigned k = d->n_bytes[d->n_tx];
                if (k < MAX_BYTES) {
                    d->bytes[d->n_tx][k] = (uint8_t)acc;
                    d->n_bytes[d->n_tx] = k + 1u;
                }
                bit = 0;
                acc = 0;
            }
        }
        clk = e->level;
    }
}

static void expect_update(const decoded_t *d, uint8_t s0, uint8_t s1, uint8_t s2) {
    ASSERT_EQ_U64(d->n_tx, 3);
    ASSERT_EQ_U64(d->n_bytes[0], 1);
    ASSERT_EQ_U64(d->bytes[0][0], 0x40); /* data command: write, auto-increment */
    ASSERT_EQ_U64(d->n_bytes[1], 4);
    ASSERT_EQ_U64(d->bytes[1][0], 0xC0); /* address 0 */
    ASSERT_EQ_U64(d->bytes[1][1], s0);
    ASSERT_EQ_U64(d->bytes[1][2], s1);
    ASSERT_EQ_U64(d->bytes[1][3], s2);
    ASSERT_EQ_U64(d->n_bytes[2], 1);
    ASSERT_EQ_U64(d->bytes[2][0], 0x8F); /* display on, brightness 0x0f */
    ASSERT_EQ_U64(d->bad_ack_slots, 0);
    ASSERT_EQ_U64(d->dio_changes_while_clk_high_in_byte, 0);
    CU_ASSERT_TRUE(d->min_gap_ns >= 5000u); /* edges spaced by hal_delay_us */
}

static void test_encode(void) {
    uint8_t s[3];
    fw_tm1637_encode(s, true, 42);
    ASSERT_EQ_U64(s[0], 0x00);
    ASSERT_EQ_U64(s[1], 0x66); /* 4 */
    ASSERT_EQ_U64(s[2], 0x5B); /* 2 */
    fw_tm1637_encode(s, true, 100);
    ASSERT_EQ_U64(s[0], 0x06);
    ASSERT_EQ_U64(s[1], 0x3F);
    ASSERT_EQ_U64(s[2], 0x3F);
    fw_tm1637_encode(s, true, 0);
    ASSERT_EQ_U64(s[0], 0x00);
    ASSERT_EQ_U64(s[1], 0x00);
    ASSERT_EQ_U64(s[2], 0x3F); /* "  0" */
    fw_tm1637_encode(s, true, 7);
    ASSERT_EQ_U64(s[2], 0x07);
    fw_tm1637_encode(s, false, 42);
    ASSERT_EQ_U64(s[0], 0x40);
    ASSERT_EQ_U64(s[1], 0x40);
    ASSERT_EQ_U64(s[2], 0x40);
    static const uint8_t digits[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};
    for (unsigned i = 0; i < 10; i++) {
        ASSERT_EQ_U64(fw_tm1637_digit(i), digits[i]);
    }
}

static void test_driver_bit_sequence(void) {
    fake_hal_reset();
    const uint8_t segs[3] = {0x06, 0x5B, 0x4F}; /* "123" */
    fw_tm1637_write(segs, 7);
    decoded_t d;
    decode(0, &d);
    expect_update(&d, 0x06, 0x5B, 0x4F);
    /* 6 bytes x 9 clocks (8 data + ACK), one rising edge per stop condition */
    unsigned rising = 0;
    bool clk = false;
    for (size_t i = 0; i < fake_hal_gpio_log_count(); i++) {
        const fake_gpio_edge_t *e = fake_hal_gpio_log(i);
        if (e->sig == HAL_SIG_TM1637_CLK) {
            rising += (!clk && e->level) ? 1u : 0u;
            clk = e->level;
        }
    }
    ASSERT_EQ_U64(rising, 6u * 9u + 3u + 1u); /* +1: the first start raises CLK from reset */
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_TM1637_CLK)); /* idle: both lines released */
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_TM1637_DIO));
}

static void boot(uint16_t dv) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, dv, 0);
    fw_init();
}

static void test_display_shows_soc(void) {
    boot(532); /* 53.2 V = 42 % */
    decoded_t d;
    decode(0, &d);
    expect_update(&d, 0x40, 0x40, 0x40); /* boot: no BMS data yet */
    fake_hal_run_until_ms(1999);
    size_t from = fake_hal_gpio_log_count();
    fake_hal_run_until_ms(2000);
    decode(from, &d);
    expect_update(&d, 0x00, 0x66, 0x5B);
    from = fake_hal_gpio_log_count();
    fake_hal_run_ms(10000);
    decode(from, &d);
    ASSERT_EQ_U64(d.n_tx, 0); /* unchanged digits are not re-sent */
}

static unsigned updates_in(uint64_t ms) {
    uint32_t u0 = fw_state.display.updates;
    fake_hal_run_ms(ms);
    return fw_state.display.updates - u0;
}

static void test_blink_below_15(void) {
    boot(487); /* 48.7 V = 14 % */
    fake_hal_run_until_ms(2050);
    ASSERT_EQ_U64(updates_in(2000), 4); /* 500 ms on, 500 ms off */
    fake_hal_run_until_ms(5000);
    ASSERT_EQ_U64(fw_state.display.last[2], 0x66); /* on phase shows " 14" */
    fake_hal_run_until_ms(5500);
    ASSERT_EQ_U64(fw_state.display.last[2], 0x00); /* off phase: blank */
    boot(488);                                     /* 48.8 V = 15 %: steady */
    fake_hal_run_until_ms(2050);
    ASSERT_EQ_U64(updates_in(2000), 0);
    ASSERT_EQ_U64(fw_state.display.last[2], 0x6D);
}

static void test_dashes_when_stale(void) {
    boot(487);
    fake_hal_run_until_ms(2050);
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0);
    fake_hal_run_ms(8000);
    CU_ASSERT_FALSE(fw_state.soc_valid);
    ASSERT_EQ_U64(fw_state.display.last[0], 0x40);
    ASSERT_EQ_U64(fw_state.display.last[2], 0x40);
    ASSERT_EQ_U64(updates_in(3000), 0); /* steady "---", no blinking */
}

void test_register(void) {
    TEST_SUITE("fw_tm1637", TEST(test_encode), TEST(test_driver_bit_sequence),
               TEST(test_display_shows_soc), TEST(test_blink_below_15),
               TEST(test_dashes_when_stale));
}
