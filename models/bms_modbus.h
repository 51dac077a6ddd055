/*
 * bms_modbus.h: the BMS as a Modbus RTU slave on the pack's RS-485 line.
 *
 * The slave attaches its own port (auto DE) to a sim_uart_line_t and answers function 0x03 (read
 * holding registers) from the battery model's present state. Framing follows Modbus over Serial
 * Line V1.02: a request ends after t3.5 of silence (3.5 character times; 1.75 ms above
 * 19200 baud); the reply starts response_delay_ns after that, and its values are sampled then.
 * Optionally a gap longer than t1.5 inside a frame invalidates it (check_t15). After its own
 * reply the slave listens again only once the line has been silent for t3.5; bytes that start
 * sooner are dropped (counted in early_bytes), each restarting that wait.
 *
 *   master ──01 03 00 00 00 02 C4 0B──▶ [t3.5 silence][response delay] ──01 03 04 VH VL IH IL C
 * C──▶
 *
 * Register map (big-endian words; the firmware reads 0..1, and 2 for alarms):
 *   0  pack voltage       u16  x0.1 V       (terminal voltage at the last battery step)
 *   1  pack current       s16  x0.01 A      (+ charging; saturates at the s16 range)
 *   2  alarm bits         u16               (BATTERY_ALARM_*, | forced bits in BMS_FAULT_ALARM)
 *   3  state of charge    u16  x0.1 %       (the BMS's own coulomb-counted SOC)
 *   4  highest cell       u16  mV
 *   5  lowest cell        u16  mV
 *   6  status             u16  bit0 charge allowed, bit1 discharge allowed
 *   7  charge limit       u16  x0.1 A       (battery_max_charge_a)
 *   8  discharge limit    u16  x0.1 A       (battery_max_discharge_a)
 *
 * Answers (protocols.md §1): a well-formed request for this address gets a reply or an
 * exception: 01 illegal function (any function but 0x03), 02 illegal data address (a range
 * outside 0..8), 03 illegal data value (quantity 0 or > 125). It stays silent on a CRC error, a
 * garbled character, a malformed frame, another address and broadcast (address 0). A request that
 * arrives while a reply is pending is ignored (the slave is single-threaded), and counted.
 *
 * Fault modes (scenario data): silent, corrupt CRC (low CRC byte inverted), wrong address (the
 * reply carries address + 1), late reply (late_reply_ns instead of response_delay_ns, i.e. after
 * the master's 100 ms timeout), alarm set (forced_alarm_bits OR'ed into register 2).
 */
#ifndef BMS_MODBUS_H
#define BMS_MODBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "battery.h"
#include "sim_kernel.h"
#include "sim_uart.h"

#define BMS_MODBUS_REG_COUNT 9u
#define BMS_MODBUS_FRAME_MAX 256u

typedef enum {
    BMS_FAULT_NONE = 0,
    BMS_FAULT_SILENT,
    BMS_FAULT_CORRUPT_CRC,
    BMS_FAULT_WRONG_ADDRESS,
    BMS_FAULT_LATE_REPLY,
    BMS_FAULT_ALARM,
} bms_fault_t;

typedef struct {
    const char *name;                /* port name in the line's statistics; copied */
    uint8_t address;                 /* 1..247; default 1 */
    sim_time_ns_t response_delay_ns; /* after the t3.5 silence; default 3 ms */
    sim_time_ns_t late_reply_ns;     /* BMS_FAULT_LATE_REPLY; default 150 ms */
    uint16_t forced_alarm_bits;      /* BMS_FAULT_ALARM; default 0x0100 */
    bool check_t15;                  /* reject frames with an inner gap > t1.5; default off */
} bms_modbus_cfg_t;

typedef struct bms_modbus bms_modbus_t;

typedef struct {
    uint64_t requests;      /* well-formed requests for this address */
    uint64_t replies;       /* normal replies sent */
    uint64_t exceptions;    /* exception replies sent */
    uint64_t crc_errors;    /* frames dropped for a bad CRC */
    uint64_t malformed;     /* too short, garbled, over-long, or a t1.5 gap */
    uint64_t other_address; /* frames for another slave or broadcast */
    uint64_t busy_ignored;  /* requests that arrived while a reply was pending */
    uint64_t fault_dropped; /* requests left unanswered by BMS_FAULT_SILENT */
    uint64_t early_bytes;   /* bytes that began within t3.5 of the end of its own reply */
} bms_modbus_stats_t;

void bms_modbus_cfg_default(bms_modbus_cfg_t *cfg);

/**
 * Creates the slave and attaches its port to `line`. `batt` must outlive the slave.
 * @retval 0, -SIM_EINVAL (address 0 or > 247), -SIM_ENOMEM, or the port attach error
 */
int bms_modbus_create(sim_kernel_t *k, const bms_modbus_cfg_t *cfg, const battery_t *batt,
                      sim_uart_line_t *line, bms_modbus_t **out);
/** Detaches the port and cancels a pending reply. */
void bms_modbus_destroy(bms_modbus_t *m);

void bms_modbus_set_fault(bms_modbus_t *m, bms_fault_t fault);
/** The bits BMS_FAULT_ALARM forces into register 2 (a scenario's alarm fault). */
void bms_modbus_set_alarm_bits(bms_modbus_t *m, uint16_t bits);
bms_fault_t bms_modbus_fault(const bms_modbus_t *m);
void bms_modbus_stats(const bms_modbus_t *m, bms_modbus_stats_t *out);

/** Reads register `reg` as the slave would answer it now; -SIM_ERANGE beyond the map. */
int bms_modbus_read_register(const bms_modbus_t *m, uint16_t reg, uint16_t *out);

/**
 * The slave's decision for one complete frame, without the line: fills resp (at least
 * BMS_MODBUS_FRAME_MAX bytes) and returns its length, or 0 for silence. Applies the reply-shaping
 * fault modes (corrupt CRC, wrong address, alarm) but not silence or lateness, and counts in the
 * statistics like a frame from the line.
 */
size_t bms_modbus_process(bms_modbus_t *m, const uint8_t *req, size_t len, uint8_t *resp);

/** CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001); sent low byte first. */
uint16_t bms_modbus_crc16(const uint8_t *data, size_t len);

#endif
