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
 * duration) and, where transmitters of different frames collide, the bits as they go on the
 * wire (sim_can__frame_wire). Collisions are rare, so those come from plain bit arrays, easy to
 * check; the length of every frame sent is counted a byte at a time through tables
 * (sim_can_frame_bits).
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
 * The length of a frame a byte at a time: every frame sent costs this once. The bits from SOF to
 * the last CRC bit go through two tables of sim_can_frame_tables.c, the CRC-15 register eight
 * bits per step and the stuffing rule eight bits per step, with the run state (level, run length
 * 1..4) carried between steps. Same rules as sim_can__frame_raw and sim_can__stuff_before; the
 * unit tests compare the count with a bit-by-bit one on every standard identifier and millions of
 * random frames.
 *
 * The head (SOF, arbitration, control) is 19 or 39 bits: it is packed right-aligned into a whole
 * number of bytes, and the spare leading bits are padded twice over. For the CRC the pad is
 * zeros, which leave a zero register at zero. For the stuffing it is alternating bits ending
 * recessive, fed from a dominant run of one: no five equal bits, so no stuff bit, and SOF then
 * starts a fresh run exactly as it does after bus idle. The CRC field's 15 bits go as 8 + 7, the
 * 7 padded with the complement of their last bit, which starts a run of at most two.
 */
typedef struct {
    uint32_t crc;     /* CRC-15 register over the bytes so far */
    uint32_t stuffed; /* stuff bits so far */
    uint32_t state;   /* level * 4 + run - 1, as the stuffing table numbers states */
} byte_count_t;

static void count_stuff(byte_count_t *c, uint32_t byte) {
    uint32_t e = sim_can__stuff_table[c->state][byte];
    c->stuffed += e & 3u;
    c->state = e >> 2;
}

static void count_byte(byte_count_t *c, uint32_t crc_byte, uint32_t stuff_byte) {
    c->crc =
        ((c->crc << 8) & CRC15_MASK) ^ sim_can__crc15_table[((c->crc >> 7) ^ crc_byte) & 0xFFu];
    count_stuff(c, stuff_byte);
}

uint32_t sim_can_frame_bits(const sim_can_frame_t *f) {
    SIM_ASSERT(f->dlc <= 15);
    uint64_t head = ((f->flags & SIM_CAN_FLAG_RTR) ? 1u : 0u) << 6 | f->dlc; /* r0, r1/IDE: 0 */
    uint64_t pad;
    uint32_t head_bytes;
    if (f->flags & SIM_CAN_FLAG_IDE) {
        uint64_t id = f->id & SIM_CAN_EXT_ID_MASK;
        head |= (id >> 18) << 27 | 3u << 25 | (id & 0x3FFFFu) << 7; /* SRR, IDE recessive */
        pad = 1ull << 39;                                           /* 39 bits: one spare */
        head_bytes = 5;
    } else {
        head |= (uint64_t)(f->id & SIM_CAN_STD_ID_MASK) << 7;
        pad = 0x15ull << 19; /* 19 bits: five spare, 10101 */
        head_bytes = 3;
    }
    byte_count_t c = {.state = 0}; /* dominant, run of one */
    for (uint32_t k = head_bytes; k-- > 0;) {
        count_byte(&c, (uint32_t)(head >> (8 * k)) & 0xFFu,
                   (uint32_t)((head | pad) >> (8 * k)) & 0xFFu);
    }
    uint32_t data = data_bytes(f);
    for (uint32_t i = 0; i < data; i++) {
        count_byte(&c, f->data[i], f->data[i]);
    }
    count_stuff(&c, c.crc >> 7);
    count_stuff(&c, (c.crc & 0x7Fu) << 1 | (~c.crc & 1u));
    uint32_t raw = head_bytes * 8u - (head_bytes == 5 ? 1u : 5u) + 8u * data + 15u;
    return raw + c.stuffed + SIM_CAN__TAIL_BITS;
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

/* Stuffs r's bits into bit[] (the wire's bits) and, when raw_of is not NULL, notes for each
 * wire bit the unstuffed bit it is or follows as a stuff bit; returns the wire's bit count. */
static uint32_t stuff(const sim_can__raw_t *r, uint8_t *bit, uint8_t *raw_of) {
    uint32_t n = 0;
    uint32_t run = 0;
    uint8_t level = 2; /* as in sim_can__stuff_before */
    for (uint32_t i = 0; i < r->n; i++) {
        if (raw_of != NULL) {
            raw_of[n] = (uint8_t)i;
        }
        bit[n++] = r->bit[i];
        run = r->bit[i] == level ? run + 1u : 1u;
        level = r->bit[i];
        if (run == 5) {
            level ^= 1u;
            if (raw_of != NULL) {
                raw_of[n] = (uint8_t)i;
            }
            bit[n++] = level;
            run = 1;
        }
    }
    SIM_ASSERT(n <= SIM_CAN__WIRE_MAX);
    return n;
}

uint32_t sim_can__frame_wire(const sim_can_frame_t *f, uint8_t *bit) {
    sim_can__raw_t r;
    sim_can__frame_raw(f, &r);
    return stuff(&r, bit, NULL);
}

/* The field of unstuffed bit i (sim_can__frame_raw's layout). */
static sim_can_err_field_t raw_field(const sim_can_frame_t *f, uint32_t i, uint32_t n_raw) {
    static const sim_can_err_field_t std_head[15] = {
        SIM_CAN_FIELD_SOF,     SIM_CAN_FIELD_ID28_21, SIM_CAN_FIELD_ID28_21, SIM_CAN_FIELD_ID28_21,
        SIM_CAN_FIELD_ID28_21, SIM_CAN_FIELD_ID28_21, SIM_CAN_FIELD_ID28_21, SIM_CAN_FIELD_ID28_21,
        SIM_CAN_FIELD_ID28_21, SIM_CAN_FIELD_ID20_18, SIM_CAN_FIELD_ID20_18, SIM_CAN_FIELD_ID20_18,
        SIM_CAN_FIELD_SRTR,    SIM_CAN_FIELD_IDE,     SIM_CAN_FIELD_RES0};
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0;
    uint32_t head = ext ? 35u : 15u; /* SOF up to r0 */
    if (i >= n_raw - 15u) {
        return SIM_CAN_FIELD_CRC_SEQ;
    }
    if (i >= head + 4u) {
        return SIM_CAN_FIELD_DATA;
    }
    if (i >= head) {
        return SIM_CAN_FIELD_DLC;
    }
    if (!ext || i < 12u) {
        return std_head[i];
    }
    if (i < 14u) {
        return i == 12u ? SIM_CAN_FIELD_SRTR : SIM_CAN_FIELD_IDE;
    }
    if (i < 19u) {
        return SIM_CAN_FIELD_ID17_13;
    }
    if (i < 27u) {
        return SIM_CAN_FIELD_ID12_05;
    }
    if (i < 32u) {
        return SIM_CAN_FIELD_ID04_00;
    }
    return i == 32u ? SIM_CAN_FIELD_RTR : (i == 33u ? SIM_CAN_FIELD_RES1 : SIM_CAN_FIELD_RES0);
}

sim_can_err_field_t sim_can__frame_field_at(const sim_can_frame_t *f, uint32_t wire_bit) {
    sim_can__raw_t r;
    sim_can__frame_raw(f, &r);
    uint8_t bit[SIM_CAN__WIRE_MAX], raw_of[SIM_CAN__WIRE_MAX];
    uint32_t n = stuff(&r, bit, raw_of);
    /* A stuff bit belongs to the field of the bit it follows. */
    return wire_bit < n ? raw_field(f, raw_of[wire_bit], r.n) : SIM_CAN_FIELD_UNSPEC;
}
