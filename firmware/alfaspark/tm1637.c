/*
 * tm1637.c: bit-banged TM1637 driver and the SOC display (spec §8.2). See tm1637.h.
 */
#include "tm1637.h"

#include <string.h>

#include "hal.h"

static const uint8_t digit_segs[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};

uint8_t fw_tm1637_digit(unsigned d) {
    return d < 10u ? digit_segs[d] : FW_SEG_BLANK;
}

void fw_tm1637_encode(uint8_t segs[FW_TM1637_DIGITS], bool soc_valid, uint8_t soc_pct) {
    if (!FW_MUT_DASHES(soc_valid)) {
        memset(segs, FW_SEG_MINUS, FW_TM1637_DIGITS);
        return;
    }
    unsigned v = soc_pct > 100u ? 100u : soc_pct;
    segs[0] = v >= 100u ? fw_tm1637_digit(v / 100u) : FW_SEG_BLANK;
    segs[1] = v >= 10u ? fw_tm1637_digit((v / 10u) % 10u) : FW_SEG_BLANK;
    segs[2] = fw_tm1637_digit(v % 10u);
}

static void line(hal_signal_t sig, bool high) {
    hal_gpio_write(sig, high);
    hal_delay_us(FW_TM1637_EDGE_US);
}

static void bus_start(void) {
    line(HAL_SIG_TM1637_CLK, true);
    line(HAL_SIG_TM1637_DIO, true);
    line(HAL_SIG_TM1637_DIO, false);
}

static void bus_stop(void) {
    line(HAL_SIG_TM1637_CLK, false);
    line(HAL_SIG_TM1637_DIO, false);
    line(HAL_SIG_TM1637_CLK, true);
    line(HAL_SIG_TM1637_DIO, true);
}

static void bus_byte(uint8_t b) {
    for (unsigned i = 0; i < 8u; i++) {
        line(HAL_SIG_TM1637_CLK, false);
        line(HAL_SIG_TM1637_DIO, ((b >> i) & 1u) != 0u);
        line(HAL_SIG_TM1637_CLK, true);
    }
    /* ACK slot: release DIO and clock it; the chip's answer is not checked (spec §1.3). */
    line(HAL_SIG_TM1637_CLK, false);
    line(HAL_SIG_TM1637_DIO, true);
    line(HAL_SIG_TM1637_CLK, true);
    line(HAL_SIG_TM1637_CLK, false);
}

void fw_tm1637_write(const uint8_t segs[FW_TM1637_DIGITS], uint8_t brightness) {
    bus_start();
    bus_byte(FW_TM1637_CMD_DATA);
    bus_stop();
    bus_start();
    bus_byte(FW_TM1637_CMD_ADDR);
    for (unsigned i = 0; i < FW_TM1637_DIGITS; i++) {
        bus_byte(segs[i]);
    }
    bus_stop();
    bus_start();
    bus_byte((uint8_t)(FW_TM1637_CMD_DISPLAY_ON | (brightness & 0x07u)));
    bus_stop();
}

void fw_display_update(fw_display_t *d, bool soc_valid, uint8_t soc_pct, bool blink_on) {
    uint8_t segs[FW_TM1637_DIGITS];
    fw_tm1637_encode(segs, soc_valid, soc_pct);
    if (soc_valid && soc_pct < FW_TM1637_BLINK_BELOW_PCT && !blink_on && !FW_MUT_NO_BLINK) {
        memset(segs, FW_SEG_BLANK, sizeof segs);
    }
    if (d->written && memcmp(d->last, segs, sizeof segs) == 0) {
        return;
    }
    memcpy(d->last, segs, sizeof segs);
    d->written = true;
    d->updates++;
    fw_tm1637_write(segs, FW_TM1637_BRIGHTNESS);
}
