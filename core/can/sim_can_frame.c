/*
 * sim_can_frame.c: the bit-level layout of a classic CAN data or remote frame.
 *
 * The frame is laid out bit by bit as ISO 11898-1 transmits it (0 dominant, 1 recessive):
 *
 *   standard  SOF | ID[10:0] | RTR | IDE=0 | r0 | DLC[3:0] | DATA | CRC[14:0]
 *   extended  SOF | ID[28:18] | SRR=1 | IDE=1 | ID[17:0] | RTR | r1 | r0 | DLC | DATA | CRC
 *   then      CRC delimiter | ACK slot | ACK delimiter | EOF x7 | intermission x3   (13 bits)
 *
 * Everything from SOF to the last CRC bit is stuffed: after five equal bits the transmitter
 * inserts their complement, which starts the next run. The bus needs the stuffed length (frame
 * duration) and, for bit errors, where a given raw bit lands on the wire. Frame durations are
 * computed once per queued frame, so a plain bit array is fast enough and easy to check.
 */
#include "sim_can_int.h"

#define CRC15_POLY 0x4599u
#define CRC15_MASK 0x7FFFu

static void raw_put(sim_can__raw_t *r, uint32_t value, uint32_t width) {
    for (uint32_t i = width; i-- > 0;) {
        r->bit[r->n++] = (uint8_t)((value >> i) & 1u);
    }
}

static uint16_t crc15_bits(const uint8_t *bit, uint32_t n) {
    uint32_t reg = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t feedback = bit[i] ^ ((reg >> 14) & 1u);
        reg = (reg << 1) & CRC15_MASK;
        if (feedback) {
            reg ^= CRC15_POLY;
        }
    }
    return (uint16_t)reg;
}

/* Data bytes on the wire: DLC 9..15 still means 8 bytes in classic CAN; remote frames none. */
static uint32_t data_bytes(const sim_can_frame_t *f) {
    if (f->flags & SIM_CAN_FLAG_RTR) {
        return 0;
    }
    return f->dlc > 8 ? 8u : f->dlc;
}

void sim_can__frame_raw(const sim_can_frame_t *f, sim_can__raw_t *r) {
    SIM_ASSERT(f->dlc <= 15);
    uint32_t rtr = (f->flags & SIM_CAN_FLAG_RTR) ? 1u : 0u;
    r->n = 0;
    raw_put(r, 0, 1); /* SOF */
    if (f->flags & SIM_CAN_FLAG_IDE) {
        uint32_t id = f->id & SIM_CAN_EXT_ID_MASK;
        raw_put(r, id >> 18, 11);
        raw_put(r, 3, 2); /* SRR, IDE: both recessive */
        raw_put(r, id & 0x3FFFFu, 18);
        raw_put(r, rtr, 1);
        raw_put(r, 0, 2); /* r1, r0 */
    } else {
        raw_put(r, f->id & SIM_CAN_STD_ID_MASK, 11);
        raw_put(r, rtr, 1);
        raw_put(r, 0, 2); /* IDE, r0 */
    }
    raw_put(r, f->dlc, 4);
    for (uint32_t i = 0; i < data_bytes(f); i++) {
        raw_put(r, f->data[i], 8);
    }
    r->crc = crc15_bits(r->bit, r->n);
    raw_put(r, r->crc, 15);
}

uint32_t sim_can__stuff_before(const sim_can__raw_t *r, uint32_t raw_index) {
    SIM_ASSERT(raw_index <= r->n);
    uint32_t stuffed = 0;
    uint32_t run = 0;
    uint8_t level = 2; /* neither level: SOF starts the first run */
    for (uint32_t i = 0; i < raw_index; i++) {
        if (r->bit[i] == level) {
            run++;
        } else {
            level = r->bit[i];
            run = 1;
        }
        if (run == 5) {
            /* The stuff bit is the complement and the first bit of the next run. */
            stuffed++;
            level ^= 1u;
            run = 1;
        }
    }
    return stuffed;
}

uint32_t sim_can_frame_stuff_bits(const sim_can_frame_t *f) {
    sim_can__raw_t r;
    sim_can__frame_raw(f, &r);
    return sim_can__stuff_before(&r, r.n);
}

/*
 * The length of a frame in one pass over its bits, without storing them: every frame sent costs
 * this once, and building the bit array first, then running the CRC and the stuffing over it,
 * took three times as long. Same rules as sim_can__frame_raw and sim_can__stuff_before (the unit
 * tests compare the two on many frames).
 */
typedef struct {
    uint32_t crc;     /* CRC-15 register over the bits so far */
    uint32_t n;       /* raw bits so far */
    uint32_t stuffed; /* stuff bits so far */
    uint32_t run;     /* length of the current run of equal bits */
    uint32_t level;   /* its level; 2 before SOF */
} bit_count_t;

static void count_put(bit_count_t *c, uint32_t value, uint32_t width, bool crc) {
    for (uint32_t i = width; i-- > 0;) {
        uint32_t b = (value >> i) & 1u;
        if (crc) {
            uint32_t feedback = b ^ ((c->crc >> 14) & 1u);
            c->crc = ((c->crc << 1) & CRC15_MASK) ^ ((0u - feedback) & CRC15_POLY);
        }
        c->n++;
        c->run = b == c->level ? c->run + 1u : 1u;
        c->level = b;
        if (c->run == 5) {
            c->stuffed++;
            c->level ^= 1u;
            c->run = 1;
        }
    }
}

uint32_t sim_can_frame_bits(const sim_can_frame_t *f) {
    SIM_ASSERT(f->dlc <= 15);
    uint32_t rtr = (f->flags & SIM_CAN_FLAG_RTR) ? 1u : 0u;
    bit_count_t c = {.level = 2};
    count_put(&c, 0, 1, true); /* SOF */
    if (f->flags & SIM_CAN_FLAG_IDE) {
        uint32_t id = f->id & SIM_CAN_EXT_ID_MASK;
        count_put(&c, id >> 18, 11, true);
        count_put(&c, 3, 2, true); /* SRR, IDE: both recessive */
        count_put(&c, id & 0x3FFFFu, 18, true);
        count_put(&c, rtr, 1, true);
        count_put(&c, 0, 2, true); /* r1, r0 */
    } else {
        count_put(&c, f->id & SIM_CAN_STD_ID_MASK, 11, true);
        count_put(&c, rtr, 1, true);
        count_put(&c, 0, 2, true); /* IDE, r0 */
    }
    count_put(&c, f->dlc, 4, true);
    for (uint32_t i = 0; i < data_bytes(f); i++) {
        count_put(&c, f->data[i], 8, true);
    }
    count_put(&c, c.crc, 15, false);
    return c.n + c.stuffed + SIM_CAN__TAIL_BITS;
}

uint16_t sim_can_frame_crc15(const sim_can_frame_t *f) {
    sim_can__raw_t r;
    sim_can__frame_raw(f, &r);
    return r.crc;
}

uint32_t sim_can__frame_key(const sim_can_frame_t *f) {
    uint32_t rtr = (f->flags & SIM_CAN_FLAG_RTR) ? 1u : 0u;
    if (f->flags & SIM_CAN_FLAG_IDE) {
        uint32_t id = f->id & SIM_CAN_EXT_ID_MASK;
        return ((id >> 18) << 21) | (1u << 20) | (1u << 19) | ((id & 0x3FFFFu) << 1) | rtr;
    }
    /* A standard frame's bits after IDE are not arbitration bits: pad with zeros. */
    return ((f->id & SIM_CAN_STD_ID_MASK) << 21) | (rtr << 20);
}

bool sim_can__frame_same(const sim_can_frame_t *a, const sim_can_frame_t *b) {
    if (sim_can__frame_key(a) != sim_can__frame_key(b) || a->dlc != b->dlc) {
        return false;
    }
    uint32_t n = data_bytes(a);
    return n == 0 || memcmp(a->data, b->data, n) == 0;
}

uint32_t sim_can__first_diff_bit(const sim_can_frame_t *a, const sim_can_frame_t *b) {
    sim_can__raw_t ra, rb;
    sim_can__frame_raw(a, &ra);
    sim_can__frame_raw(b, &rb);
    uint32_t n = ra.n < rb.n ? ra.n : rb.n;
    uint32_t i = 0;
    while (i < n && ra.bit[i] == rb.bit[i]) {
        i++;
    }
    /* Equal prefixes stuff identically, so the position on the wire is the same for both. */
    return i + sim_can__stuff_before(&ra, i);
}
