/*
 * sim_isolate_proto.h: the records the node host and a firmware child process exchange
 * (sim_isolate.h explains the mechanism). Internal to core/host.
 *
 * Both ends are the same executable (the child is a fork of the host), so records are packed C
 * structs rather than a portable encoding. The host still trusts nothing the child sends: a
 * firmware that is about to crash can write anything into the child's memory first, so every
 * record is checked (magic, type, length, the lengths inside it, ranges) before it is used, and a
 * record that fails a check is a node fault ("protocol"), never a host crash.
 *
 * One stream socket carries records both ways, each a header followed by `len` payload bytes:
 *
 *   host                                       child
 *   ────                                       ─────
 *                                  ◀────────── READY, or FAIL(rc, message)   after loading
 *   NVS(image)                     ──────────▶ (only when the image changed outside the child)
 *   BATCH(mirror, statics, items)  ──────────▶ runs the items, one entry point each
 *                                  ◀────────── OP … ITEM_END(0)  OP … ITEM_END(1) … BATCH_END
 *                                  ◀────────── OP(sync)           mid-item, then waits
 *   REPLY(result, mirror)          ──────────▶
 *                                  ◀────────── DYING(cause)       from the crash handler, then EOF
 *
 * An OP record carries one host operation the firmware called, its integer arguments, up to three
 * byte strings (frame, data, names, text), and the result the child already returned to the
 * firmware ("expect"); the host performs the operation for real and checks it got the same
 * result. A sync OP is one whose result the child cannot know: the host performs it and REPLYs.
 */
#ifndef SIM_ISOLATE_PROTO_H
#define SIM_ISOLATE_PROTO_H

#include <stdint.h>

#include "hal.h"

#define SIM_ISO_MAGIC 0xA15Fu
/* Payload bounds: host→child carries ADC bursts (4 channels × 4096 samples) and NVS images;
 * child→host records stay small (a UART write is at most SIM_ISO_BLOB_MAX bytes). */
#define SIM_ISO_DOWN_MAX  (96u * 1024u)
#define SIM_ISO_UP_MAX    (8u * 1024u)
#define SIM_ISO_BLOB_MAX  4096u /* bytes of one byte string in an OP record */
#define SIM_ISO_NAME_MAX  16u   /* NVS names are cut here: longer ones are invalid anyway */
#define SIM_ISO_TEXT_MAX  200u  /* log text kept (hal.h) */
#define SIM_ISO_ITEMS_MAX 64u   /* items in one batch */

typedef enum {
    /* child → host */
    SIM_ISO_READY = 1,
    SIM_ISO_FAIL,
    SIM_ISO_OP,
    SIM_ISO_ITEM_END,
    SIM_ISO_BATCH_END,
    SIM_ISO_DYING,
    /* host → child */
    SIM_ISO_BATCH = 16,
    SIM_ISO_REPLY,
    SIM_ISO_NVS,
} sim_iso_type_t;

typedef struct {
    uint32_t len; /* payload bytes after the header */
    uint16_t type;
    uint16_t magic; /* SIM_ISO_MAGIC: the stream is still in step */
} sim_iso_hdr_t;

/* What the child needs to answer operations without asking: the node's state at the start of a
 * batch (or after a sync operation). The child updates its copy with the effects it predicts of
 * the operations it records (a queued frame takes a slot, a write sets a level, ...). */
enum {
    SIM_ISO_M_GPIO_INPUT = 1u << 0, /* a device model answers GPIO reads: reads are sync */
    SIM_ISO_M_ADC = 1u << 1,        /* the binding has an ADC */
    SIM_ISO_M_ADC_BUSY = 1u << 2,
    SIM_ISO_M_UART = 1u << 3, /* the node has its RS-485 port */
    SIM_ISO_M_UART_OPEN = 1u << 4,
    SIM_ISO_M_CAN = 1u << 5, /* the node has a CAN controller */
};

typedef struct {
    uint64_t now_us;      /* hal_now_us() for every item of the batch */
    int64_t uart_char_ns; /* the line's character time (uart_open checks the baud rate) */
    uint16_t levels;      /* bit s: level driven on signal s */
    uint16_t can_tec, can_rec;
    uint16_t can_tx_free; /* free TX queue slots */
    uint16_t uart_tx_free;
    int8_t can_state; /* hal_can_state_t */
    uint8_t flags;    /* SIM_ISO_M_* */
} sim_iso_mirror_t;

typedef enum {
    SIM_ISO_IT_INIT = 1,
    SIM_ISO_IT_TIMER,
    SIM_ISO_IT_CAN_RX,
    SIM_ISO_IT_CAN_STATE,
    SIM_ISO_IT_UART_RX,
    SIM_ISO_IT_ADC, /* followed by popcount(mask) * spc samples */
} sim_iso_item_kind_t;

typedef struct {
    uint8_t kind;
    uint8_t byte;      /* UART_RX */
    int8_t can_state;  /* CAN_STATE */
    uint8_t adc_mask;  /* ADC */
    uint16_t adc_spc;  /* ADC samples per channel */
    uint16_t timer_id; /* TIMER */
    hal_can_frame_t frame;
} sim_iso_item_t;

/* BATCH payload: this, then `items` sim_iso_item_t (each ADC item followed by its samples). */
typedef struct {
    sim_iso_mirror_t m;
    uint32_t items;
    uint8_t mac[6];
    uint8_t reason; /* hal_reset_reason_t */
    uint8_t pad;
} sim_iso_batch_t;

typedef enum {
    SIM_ISO_OP_TIMER_START = 1,
    SIM_ISO_OP_TIMER_STOP,
    SIM_ISO_OP_GPIO_WRITE,
    SIM_ISO_OP_GPIO_READ, /* sync */
    SIM_ISO_OP_DELAY_US,
    SIM_ISO_OP_ADC_START,
    SIM_ISO_OP_UART_OPEN,
    SIM_ISO_OP_UART_WRITE,
    SIM_ISO_OP_CAN_START, /* sync */
    SIM_ISO_OP_CAN_STOP,  /* sync */
    SIM_ISO_OP_CAN_SEND,
    SIM_ISO_OP_CAN_RECOVER, /* sync */
    SIM_ISO_OP_WS2812,
    SIM_ISO_OP_NVS_SET,
    SIM_ISO_OP_NVS_ERASE_KEY,
    SIM_ISO_OP_NVS_ERASE_ALL,
    SIM_ISO_OP_WDT_START,
    SIM_ISO_OP_WDT_FEED,
    SIM_ISO_OP_RESTART,
    SIM_ISO_OP_LOG,
    SIM_ISO_OP_COUNT_
} sim_iso_op_code_t;

/* OP payload: this, then blob[0], blob[1], blob[2] bytes. A pointer argument that was NULL has
 * its bit set in `nulls` (bit i for blob i) and no bytes. */
typedef struct {
    uint16_t op;
    uint8_t sync;  /* the child waits for a REPLY */
    uint8_t nulls; /* bit i: pointer argument i was NULL */
    int32_t expect;
    uint32_t a, b, c; /* integer arguments, in the order of the operation's parameters */
    uint16_t blob[3];
    uint16_t pad;
} sim_iso_op_t;

typedef struct {
    int32_t result;
    uint32_t pad;
    sim_iso_mirror_t m;
} sim_iso_reply_t;

typedef struct {
    int32_t init_rc; /* the INIT item's result, 0 without one */
    uint32_t done;   /* items run (the child stops after an item that requested a restart) */
} sim_iso_batch_end_t;

typedef enum { SIM_ISO_DIED_SIGNAL = 1, SIM_ISO_DIED_STACK } sim_iso_cause_t;

/* FAIL payload: this, then the message (no NUL). */
typedef struct {
    int32_t rc;
    uint32_t pad;
} sim_iso_fail_t;

#endif
