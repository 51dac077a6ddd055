/*
 * tm1637.h: the TM1637 LED driver chip, decoded from the firmware's CLK/DIO edges.
 *
 * The device face takes every level change of the two open-drain lines as the node drives them
 * (true = released/high) with its edge time, and tells the node what the chip does to DIO (its
 * ACK pull-down). The backend face gives the six display registers, brightness, on/off, and the
 * text the digits show.
 *
 * Wire protocol (TM1637 datasheet, two-wire, not I2C: no address byte, LSB first):
 *
 *   CLK ‾‾‾‾‾‾‾\__/‾‾\__/‾‾\_ … _/‾‾\__/‾‾\______/‾‾‾‾‾
 *   DIO ‾‾‾\____X_b0_X_b1_X_ … _X_b7_X_ACK_X_____/‾‾‾‾
 *          start                      9th clock        stop
 *
 *   start   DIO falls while CLK is high          stop   DIO rises while CLK is high
 *   data    DIO is sampled on each CLK rising edge, bit 0 first, 8 bits a byte
 *   ACK     after the 8th bit's falling CLK edge the chip pulls DIO low, through the 9th
 *           clock, and releases it at the 9th falling edge
 *
 * A transaction (start .. stop) begins with a command byte:
 *   0x40 | flags   data command: bit 2 = fixed address (else auto-increment); bits 1..0 = 00
 *                  write display (10 = read keys, not modelled: counted as unsupported)
 *   0xC0 | addr    address command (addr 0..5), followed in the same transaction by data bytes
 *                  written from addr on (auto-incrementing unless fixed mode)
 *   0x80 | 0x08 | b   display control: on, brightness b (0..7); 0x80 alone turns it off
 * Bytes after a data or display command in the same transaction are counted as protocol errors;
 * a stop in the middle of a byte drops the partial byte (counted; the single clock of the stop
 * sequence itself is not a partial byte).
 *
 * Segments: bit 0..6 = a..g, bit 7 = the colon/decimal point (ignored for text). Text decodes
 * the digits 0-9 (and the 7 drawn with segment f), '-' (g only), ' ' (blank) and the letters
 * A b C c d E F H L n o P r t U; any other pattern is '?'. While the display is off the visible
 * text is all blanks.
 */
#ifndef TM1637_H
#define TM1637_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_types.h"

#define TM1637_REGS 6

typedef enum { TM1637_CLK = 0, TM1637_DIO = 1 } tm1637_line_t;

typedef struct {
    uint8_t digits;            /* digits shown, from register 0; default 3 (max 6) */
    sim_time_ns_t min_edge_ns; /* edges closer than this count as timing violations; 1000 */
    /** Display content changed (registers, brightness or on/off) at t_ns; may be NULL. */
    void (*on_change)(void *ctx, sim_time_ns_t t_ns);
    void *ctx;
} tm1637_cfg_t;

typedef struct tm1637 tm1637_t;

typedef struct {
    uint64_t transactions;      /* start conditions */
    uint64_t bytes;             /* complete bytes */
    uint64_t acks;              /* ACK pulses given */
    uint64_t partial_bytes;     /* stop or start in the middle of a byte */
    uint64_t protocol_errors;   /* unexpected bytes, bad addresses, unsupported commands */
    uint64_t timing_violations; /* edges closer than min_edge_ns */
} tm1637_stats_t;

void tm1637_cfg_default(tm1637_cfg_t *cfg);
/** 0, -SIM_EINVAL (digits 0 or > 6), -SIM_ENOMEM. Starts with the display off and blank. */
int tm1637_create(const tm1637_cfg_t *cfg, tm1637_t **out);
void tm1637_destroy(tm1637_t *tm);

/* ---- device face ------------------------------------------------------------------------- */

/** The node drives `line` to `level` (true = released high) at t_ns (non-decreasing). */
void tm1637_on_edge(tm1637_t *tm, tm1637_line_t line, bool level, sim_time_ns_t t_ns);
/** What the chip lets DIO be: false while it pulls DIO low for an ACK, else true. */
bool tm1637_dio_input(const tm1637_t *tm);

/* ---- backend face ------------------------------------------------------------------------ */

uint8_t tm1637_segments(const tm1637_t *tm, unsigned reg); /* reg < 6 */
bool tm1637_display_on(const tm1637_t *tm);
uint8_t tm1637_brightness(const tm1637_t *tm); /* 0..7 */
/** One segment pattern as a character (see above). */
char tm1637_char(uint8_t segments);
/** The visible text: `digits` characters and a NUL into out (size >= digits + 1). */
void tm1637_text(const tm1637_t *tm, char *out, size_t size);
void tm1637_stats(const tm1637_t *tm, tm1637_stats_t *out);

#endif
