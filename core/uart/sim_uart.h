/*
 * sim_uart.h: UART lines, including half-duplex RS-485, with per-byte timing.
 *
 * A sim_uart_line_t is one wire pair at one baud rate and frame format (8N1 by default: 10 bits
 * a character, so 1.0417 ms a byte at 9600 baud). Ports attach to it: the firmware node's UART
 * through its RS-485 transceiver, the BMS model's, a bridge's. A port's bytes reach the line only
 * while its driver enable (DE) is asserted; bytes shifted out while DE is low go nowhere. When
 * two ports drive the line during the same character time the character is garbled: every
 * receiver gets a byte with `garbled` set (a framing error), whatever either driver sent.
 *
 * Timing. sim_uart_port_write() queues bytes; the port shifts them out back to back, one per
 * character time, starting at the current instant (or after the byte in progress). A receiver
 * gets each byte when its stop bit ends. on_tx_idle fires when the last stop bit of the queue has
 * left, which is when an RS-485 port may release DE (the node host does so automatically for
 * ports created with auto_de).
 */
#ifndef SIM_UART_H
#define SIM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_kernel.h"

typedef struct sim_uart_line sim_uart_line_t;
typedef struct sim_uart_port sim_uart_port_t;

typedef struct {
    const char *name;  /* e.g. "pack1.rs485"; copied */
    uint32_t baud;     /* e.g. 9600 */
    uint8_t data_bits; /* 5..8; 0 means 8 */
    uint8_t parity;    /* 0 none, 1 odd, 2 even */
    uint8_t stop_bits; /* 1 or 2; 0 means 1 */
} sim_uart_line_cfg_t;

int sim_uart_line_create(sim_kernel_t *k, const sim_uart_line_cfg_t *cfg, sim_uart_line_t **out);
/** Destroys the line; every port must have been detached. */
void sim_uart_line_destroy(sim_uart_line_t *line);
/** Duration of one character (start + data + parity + stop bits) in ns. */
sim_time_ns_t sim_uart_line_char_ns(const sim_uart_line_t *line);

typedef struct {
    /** A character arrived (at the end of its stop bit). garbled: a collision or framing error. */
    void (*on_rx)(void *ctx, uint8_t byte, bool garbled);
    /** The TX queue drained: the last stop bit has left the port. */
    void (*on_tx_idle)(void *ctx);
} sim_uart_port_cb_t;

typedef struct {
    const char *name;     /* copied */
    bool auto_de;         /* DE asserted for each write and released after its last stop bit */
    uint16_t tx_capacity; /* queued bytes at most; 0 means 256 */
} sim_uart_port_cfg_t;

int sim_uart_port_attach(sim_uart_line_t *line, const sim_uart_port_cfg_t *cfg,
                         const sim_uart_port_cb_t *cb, void *cb_ctx, sim_uart_port_t **out);
/** Detaches: queued bytes are discarded; a character in flight on the line is finished. */
void sim_uart_port_detach(sim_uart_port_t *p);

/** Drives DE (ports without auto_de). Bytes shifted while DE is low do not reach the line. */
void sim_uart_port_set_de(sim_uart_port_t *p, bool asserted);
bool sim_uart_port_de(const sim_uart_port_t *p);

/**
 * Queues bytes for transmission; returns at once.
 * @retval 0, -SIM_EAGAIN (would exceed tx_capacity; nothing queued), -SIM_EINVAL
 */
int sim_uart_port_write(sim_uart_port_t *p, const uint8_t *data, size_t len);

/** Bytes waiting or being shifted out. */
size_t sim_uart_port_tx_pending(const sim_uart_port_t *p);

typedef struct {
    uint64_t tx_bytes;   /* characters this port put on the line */
    uint64_t tx_lost;    /* characters shifted out while DE was low */
    uint64_t rx_bytes;   /* characters received intact */
    uint64_t rx_garbled; /* characters received garbled */
} sim_uart_port_stats_t;
void sim_uart_port_stats(const sim_uart_port_t *p, sim_uart_port_stats_t *out);

#endif
