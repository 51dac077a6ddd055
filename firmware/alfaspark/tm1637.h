/*
 * tm1637.h: the 3-digit TM1637 SOC display and its bit-banged driver (spec §8.2, §1.3).
 *
 * Driver. Two open-drain lines driven through hal_gpio_write (true = released high), with
 * hal_delay_us(FW_TM1637_EDGE_US) between edges. The chip's protocol:
 *
 *   start      CLK high, DIO falls                stop  DIO rises while CLK is high
 *   byte       8 bits LSB first: CLK low, DIO = bit, CLK high (the chip samples on the rise);
 *              then a 9th clock with DIO released for the chip's ACK, clocked but not checked
 *   update     start 0x40 stop | start 0xC0 d0 d1 d2 stop | start 0x88|brightness stop
 *              (data command: write, auto-increment; address 0; display on at brightness 0..7)
 *
 * An update is a bounded burst of GPIO writes and never waits on the device.
 *
 * Display. SOC 0..100 right-aligned without leading zeros; below 15 % it blinks 500 ms on / 500 ms
 * off (phase from the 100 ms sub-tick; the off phase writes blank digits); while SOC is not valid
 * it shows a steady "---". The chip is written only when the digits change.
 */
#ifndef FW_TM1637_H
#define FW_TM1637_H

#include <stdbool.h>
#include <stdint.h>

#include "fw_config.h"

#define FW_SEG_MINUS             0x40u
#define FW_SEG_BLANK             0x00u
#define FW_TM1637_CMD_DATA       0x40u
#define FW_TM1637_CMD_ADDR       0xC0u
#define FW_TM1637_CMD_DISPLAY_ON 0x88u

typedef struct {
    uint8_t last[FW_TM1637_DIGITS];
    bool written;
    uint32_t updates;
} fw_display_t;

/** Seven-segment pattern (bit0 = a ... bit6 = g) of a decimal digit 0..9. */
uint8_t fw_tm1637_digit(unsigned d);

/** The three digit patterns for a SOC (blank leading digits), or "---" when not valid. */
void fw_tm1637_encode(uint8_t segs[FW_TM1637_DIGITS], bool soc_valid, uint8_t soc_pct);

/** Sends the three digits and the display-control command (the bit-banged update). */
void fw_tm1637_write(const uint8_t segs[FW_TM1637_DIGITS], uint8_t brightness);

/** Display update; blink_on selects the on phase of the < 15 % blink. */
void fw_display_update(fw_display_t *d, bool soc_valid, uint8_t soc_pct, bool blink_on);

#endif
