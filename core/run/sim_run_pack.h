/*
 * sim_run_pack.h: one Energy-Pack's world behind its firmware node.
 *
 *   firmware node (sim_node) ──GPIO R1..R4──▶ relays of the plant (coil → contact, with delays)
 *                            ──GPIO LEDs────▶ status LEDs (blink detection)
 *                            ──TM1637 CLK/DIO▶ TM1637 chip (segments, ACK on DIO)
 *                            ──WS2812 bytes──▶ LED chain (colours)
 *                            ◀─ADC bursts──── CT sensors of the plant (with scenario CT faults)
 *                            ◀▶RS-485 line──▶ BMS Modbus slave reading the plant's battery
 *
 * The plant (models/pack_plant.h) steps every 100 ms at SIM_PRIO_PHYSICS. What a person would see
 * goes to the trace: relay contacts, the display's segments, the SOC bar and the plant's key
 * quantities (sampled every SIM_RUN_PACK_SAMPLE_NS) into signals.vcd. Indicator changes are fed to
 * the assertion engine as they happen.
 */
#ifndef SIM_RUN_PACK_H
#define SIM_RUN_PACK_H

#include <stdbool.h>
#include <stdint.h>

#include "bms_modbus.h"
#include "pack_plant.h"
#include "sim_assert.h"
#include "sim_node.h"
#include "sim_scenario.h"
#include "sim_trace.h"
#include "sim_uart.h"
#include "status_leds.h"
#include "tm1637.h"
#include "ws2812.h"

/** Plant quantities reach signals.vcd at this period (relays and indicators on every change). */
#define SIM_RUN_PACK_SAMPLE_NS (10 * SIM_NS_PER_S)

typedef struct sim_run_pack sim_run_pack_t;

typedef struct {
    sim_kernel_t *k;
    const sim_scn_node_t *scn_node;
    int index;                    /* node index in the scenario */
    sim_trace_t *trace;           /* may be NULL */
    sim_assert_t *asserts;        /* may be NULL; feeds go here */
    const sim_scn_board_t *board; /* may be NULL: the default board (10 pixels) */
} sim_run_pack_cfg_t;

/**
 * Builds the plant, the RS-485 line and BMS, and the peripherals; declares VCD signals (call
 * before the run starts). The node is created by the caller with the returned line as its rs485
 * line, then attached with sim_run_pack_attach.
 */
int sim_run_pack_create(const sim_run_pack_cfg_t *cfg, sim_run_pack_t **out, char *err,
                        size_t errlen);
/** The RS-485 line the node's UART must use. */
sim_uart_line_t *sim_run_pack_line(sim_run_pack_t *p);
/** Binds the node's pins to the models and starts the plant's physics steps. */
int sim_run_pack_attach(sim_run_pack_t *p, sim_node_t *node);
/** Frees the models and the line; destroy the node first (its UART port is on the line). */
void sim_run_pack_destroy(sim_run_pack_t *p);

pack_plant_t *sim_run_pack_plant(sim_run_pack_t *p);
bms_modbus_t *sim_run_pack_bms(sim_run_pack_t *p);
const tm1637_t *sim_run_pack_display(const sim_run_pack_t *p);
const ws2812_t *sim_run_pack_bar(const sim_run_pack_t *p);
const status_leds_t *sim_run_pack_leds(const sim_run_pack_t *p);

/** Sets a CT channel fault (DROPOUT, NOISE, STUCK or NONE) applied to the ADC samples. */
void sim_run_pack_ct_fault(sim_run_pack_t *p, unsigned ct, sim_ct_fault_t fault,
                           double noise_sd_counts, uint16_t stuck_counts);

#endif
