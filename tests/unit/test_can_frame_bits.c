/*
 * sim_can_frame_bits counts a frame's bits a byte at a time through two tables (the CRC-15 step
 * and the stuffing step, core/can/sim_can_frame_tables.c). Its result must be the same as the
 * bit-by-bit count for every frame: standard and extended, data and remote, DLC 0..15, every
 * identifier and data pattern, the stuffed CRC field included.
 *
 * Three references: ref_frame_bits below (the bit-by-bit count, one bit at a time with the CRC
 * and the stuffing on the fly), sim_can_frame_stuff_bits (the stored bit array), and the tables'
 * own definition: this file also generates the table file's text and checks that the checked-in
 * file holds it verbatim (on a mismatch it writes the right text next to the test binary).
 */
#include <string.h>

#include "sim_can.h"
#include "sim_prng.h"
#include "test_support.h"

#define CRC15_POLY 0x4599u
#define CRC15_MASK 0x7FFFu
#define TAIL_BITS  13u

/* ---- the bit-by-bit reference ---- */

typedef struct {
    uint32_t crc;     /* CRC-15 register over the bits so far */
    uint32_t n;       /* raw bits so far */
    uint32_t stuffed; /* stuff bits so far */
    uint32_t run;     /* length of the current run of equal bits */
    uint32_t level;   /* its level; 2 before SOF */
} ref_count_t;

static uint32_t crc15_bit(uint32_t reg, uint32_t b) {
    uint32_t feedback = b ^ ((reg >> 14) & 1u);
    return ((reg << 1) & CRC15_MASK) ^ ((0u - feedback) & CRC15_POLY);
}

/* One bit through the stuffing rule: after five equal bits the complement is inserted, and it
 * starts the next run. Returns the stuff bits inserted (0 or 1). */
static uint32_t stuff_bit(uint32_t *run, uint32_t *level, uint32_t b) {
    *run = b == *level ? *run + 1u : 1u;
    *level = b;
    if (*run == 5) {
        *level ^= 1u;
        *run = 1;
        return 1;
    }
    return 0;
}

static void ref_put(ref_count_t *c, uint32_t value, uint32_t width, bool crc) {
    for (uint32_t i = width; i-- > 0;) {
        uint32_t b = (value >> i) & 1u;
        if (crc) {
            c->crc = crc15_bit(c->crc, b);
        }
        c->n++;
        c->stuffed += stuff_bit(&c->run, &c->level, b);
    }
}

static uint32_t ref_frame_bits(const sim_can_frame_t *f) {
    uint32_t rtr = (f->flags & SIM_CAN_FLAG_RTR) ? 1u : 0u;
    uint32_t data = rtr ? 0u : (f->dlc > 8 ? 8u : f->dlc);
    ref_count_t c = {.level = 2};
    ref_put(&c, 0, 1, true); /* SOF */
    if (f->flags & SIM_CAN_FLAG_IDE) {
        uint32_t id = f->id & SIM_CAN_EXT_ID_MASK;
        ref_put(&c, id >> 18, 11, true);
        ref_put(&c, 3, 2, true); /* SRR, IDE */
        ref_put(&c, id & 0x3FFFFu, 18, true);
        ref_put(&c, rtr, 1, true);
        ref_put(&c, 0, 2, true); /* r1, r0 */
    } else {
        ref_put(&c, f->id & SIM_CAN_STD_ID_MASK, 11, true);
        ref_put(&c, rtr, 1, true);
        ref_put(&c, 0, 2, true); /* IDE, r0 */
    }
    ref_put(&c, f->dlc, 4, true);
    for (uint32_t i = 0; i < data; i++) {
        ref_put(&c, f->data[i], 8, true);
    }
    ref_put(&c, c.crc, 15, false);
    return c.n + c.stuffed + TAIL_BITS;
}

/* ---- the table generator ---- */

/* The CRC-15 register after eight zero-input steps from (i << 7): the byte step's table. */
static uint32_t crc15_entry(uint32_t i) {
    uint32_t reg = i << 7;
    for (int k = 0; k < 8; k++) {
        reg = crc15_bit(reg, 0);
    }
    return reg;
}

/* State s = level * 4 + (run - 1), run 1..4; the entry is (new state << 2) | stuff bits. */
static uint32_t stuff_entry(uint32_t state, uint32_t byte) {
    uint32_t level = state >> 2, run = (state & 3u) + 1u, stuffed = 0;
    for (uint32_t i = 8; i-- > 0;) {
        stuffed += stuff_bit(&run, &level, (byte >> i) & 1u);
    }
    return ((level * 4u + run - 1u) << 2) | stuffed;
}

static size_t emit_tables(char *out, size_t cap) {
    size_t n = 0;
#define EMIT(...) n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__)
    EMIT("/* clang-format off */\nconst uint16_t sim_can__crc15_table[256] = {\n");
    for (uint32_t i = 0; i < 256; i++) {
        EMIT("%s0x%04X,%s", i % 12 == 0 ? "    " : " ", (unsigned)crc15_entry(i),
             i % 12 == 11 || i == 255 ? "\n" : "");
    }
    EMIT("};\n\nconst uint8_t sim_can__stuff_table[8][256] = {\n");
    for (uint32_t s = 0; s < 8; s++) {
        EMIT("    { /* level %u, run %u */\n", (unsigned)(s >> 2), (unsigned)(s & 3u) + 1u);
        for (uint32_t b = 0; b < 256; b++) {
            EMIT("%s0x%02X,%s", b % 14 == 0 ? "        " : " ", (unsigned)stuff_entry(s, b),
                 b % 14 == 13 || b == 255 ? "\n" : "");
        }
        EMIT("    },\n");
    }
    EMIT("};\n/* clang-format on */\n");
#undef EMIT
    return n;
}

static void tables_file_holds_the_generated_tables(void) {
    static char want[32768];
    size_t n = emit_tables(want, sizeof want);
    CU_ASSERT_FATAL(n < sizeof want);
    char *have = test_slurp(SIM_SOURCE_DIR "/core/can/sim_can_frame_tables.c");
    CU_ASSERT_FATAL(have != NULL);
    bool found = strstr(have, want) != NULL;
    if (!found) {
        const char *path = SIM_BINARY_DIR "/sim_can_frame_tables.generated";
        FILE *f = fopen(path, "w");
        if (f != NULL) {
            fputs(want, f);
            fclose(f);
        }
        fprintf(stderr, "\n  table file differs from its definition; right text in %s\n", path);
    }
    CU_ASSERT_TRUE(found);
    free(have);
}

/* ---- comparisons ---- */

/* Compares one frame against both references; counts failures so a bad table reports once. */
static unsigned mismatches;

static void check(const sim_can_frame_t *f) {
    uint32_t got = sim_can_frame_bits(f);
    uint32_t want = ref_frame_bits(f);
    if (got != want && mismatches++ < 5) {
        fprintf(stderr, "\n  id 0x%08X flags %u dlc %u: %u bits, reference %u\n", (unsigned)f->id,
                (unsigned)f->flags, (unsigned)f->dlc, (unsigned)got, (unsigned)want);
    }
}

static const uint8_t PATTERNS[][8] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
    {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55},
    {0x07, 0xC1, 0xF0, 0x7C, 0x1F, 0x07, 0xC1, 0xF0}, /* runs of five */
    {0x0F, 0x0F, 0x0F, 0x0F, 0xF0, 0xF0, 0xF0, 0xF0}, /* runs of four and eight */
    {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0},
    {0x83, 0xE0, 0xF8, 0x3E, 0x0F, 0x83, 0xE0, 0xF8}, /* fours after a stuff bit */
};

static void every_standard_identifier(void) {
    mismatches = 0;
    for (uint32_t id = 0; id <= SIM_CAN_STD_ID_MASK; id++) {
        for (uint32_t dlc = 0; dlc <= 15; dlc++) {
            for (size_t p = 0; p < sizeof PATTERNS / sizeof PATTERNS[0]; p++) {
                sim_can_frame_t f = {.id = id, .dlc = (uint8_t)dlc};
                memcpy(f.data, PATTERNS[p], 8);
                check(&f);
                f.flags = SIM_CAN_FLAG_RTR;
                check(&f);
            }
        }
    }
    ASSERT_EQ_U64(mismatches, 0);
}

/* Every 11-bit base of an extended identifier, and each of its 29 bits alone and cleared alone. */
static void extended_identifiers(void) {
    mismatches = 0;
    for (uint32_t k = 0; k < 2048 + 58; k++) {
        uint32_t id = k < 2048   ? (k << 18) | (k * 0x9Du & 0x3FFFFu)
                      : k < 2077 ? 1u << (k - 2048)
                                 : SIM_CAN_EXT_ID_MASK ^ (1u << (k - 2077));
        for (uint32_t dlc = 0; dlc <= 15; dlc++) {
            for (size_t p = 0; p < sizeof PATTERNS / sizeof PATTERNS[0]; p++) {
                sim_can_frame_t f = {.id = id, .flags = SIM_CAN_FLAG_IDE, .dlc = (uint8_t)dlc};
                memcpy(f.data, PATTERNS[p], 8);
                check(&f);
                f.flags |= SIM_CAN_FLAG_RTR;
                check(&f);
            }
        }
    }
    ASSERT_EQ_U64(mismatches, 0);
}

/* Runs of five (the most stuffing) and of four at every phase, over ids of all zeros and ones. */
static void worst_case_runs_at_every_phase(void) {
    static const uint32_t IDS[] = {0, SIM_CAN_STD_ID_MASK, SIM_CAN_EXT_ID_MASK, 0x1F, 0x3E0};
    mismatches = 0;
    for (uint32_t len = 4; len <= 6; len++) {
        for (uint32_t phase = 0; phase < 2 * len; phase++) {
            uint64_t bits = 0;
            for (uint32_t i = 0; i < 64; i++) {
                bits = bits << 1 | (((i + phase) / len) & 1u);
            }
            for (size_t k = 0; k < sizeof IDS / sizeof IDS[0] * 2; k++) {
                sim_can_frame_t f = {.id = IDS[k / 2], .dlc = 8};
                f.flags = k % 2 ? SIM_CAN_FLAG_IDE : 0;
                for (int b = 0; b < 8; b++) {
                    f.data[b] = (uint8_t)(bits >> (56 - 8 * b));
                }
                for (uint32_t dlc = 0; dlc <= 8; dlc++) {
                    f.dlc = (uint8_t)dlc;
                    check(&f);
                }
            }
        }
    }
    ASSERT_EQ_U64(mismatches, 0);
}

static sim_can_frame_t random_frame(sim_prng_t *p, uint32_t i) {
    uint64_t r = sim_prng_next(p);
    sim_can_frame_t f = {.dlc = (uint8_t)(r >> 40 & 0xFu)};
    f.flags = (uint8_t)(((r >> 44) & 1u ? SIM_CAN_FLAG_IDE : 0u) |
                        ((r >> 45 & 7u) == 0 ? SIM_CAN_FLAG_RTR : 0u));
    f.id =
        (uint32_t)(r & ((f.flags & SIM_CAN_FLAG_IDE) ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK));
    uint64_t d = sim_prng_next(p);
    if (i % 3 == 1) {
        d &= sim_prng_next(p) & sim_prng_next(p); /* sparse: long runs of zeros */
    } else if (i % 3 == 2) {
        d |= sim_prng_next(p) | sim_prng_next(p); /* dense: long runs of ones */
    }
    memcpy(f.data, &d, 8);
    return f;
}

/* Raw bits before the CRC: SOF, arbitration, control, data. */
static uint32_t raw_bits_before_crc(const sim_can_frame_t *f) {
    uint32_t data = (f->flags & SIM_CAN_FLAG_RTR) ? 0u : (f->dlc > 8 ? 8u : f->dlc);
    uint32_t arb_ctl =
        (f->flags & SIM_CAN_FLAG_IDE) ? 1u + 11u + 2u + 18u + 1u + 2u : 1u + 11u + 3u;
    return arb_ctl + 4u + 8u * data;
}

static void random_frames_match_both_references(void) {
    sim_prng_t p;
    sim_prng_init(&p, 7, sim_prng_stream_id("test.can.frame_bits"));
    unsigned ext = 0, rtr = 0;
    uint32_t most = 0;
    mismatches = 0;
    for (uint32_t i = 0; i < 2000000; i++) {
        sim_can_frame_t f = random_frame(&p, i);
        ext += (f.flags & SIM_CAN_FLAG_IDE) != 0;
        rtr += (f.flags & SIM_CAN_FLAG_RTR) != 0;
        check(&f);
        if (i % 16 == 0) { /* the stored bit array is slower: a sample is enough */
            uint32_t stuff = sim_can_frame_stuff_bits(&f);
            most = stuff > most ? stuff : most;
            uint32_t want = raw_bits_before_crc(&f) + 15u + stuff + TAIL_BITS;
            if (sim_can_frame_bits(&f) != want && mismatches++ < 5) {
                ASSERT_EQ_U64(sim_can_frame_bits(&f), want);
            }
        }
    }
    ASSERT_EQ_U64(mismatches, 0);
    CU_ASSERT_TRUE(ext > 900000 && rtr > 200000 && most >= 16);
}

void test_register(void) {
    TEST_SUITE("can_frame_bits", TEST(tables_file_holds_the_generated_tables),
               TEST(every_standard_identifier), TEST(extended_identifiers),
               TEST(worst_case_runs_at_every_phase), TEST(random_frames_match_both_references));
}
