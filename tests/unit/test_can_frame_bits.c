/*
 * sim_can_frame_bits counts a frame's bits in one pass; sim_can_frame_stuff_bits and
 * sim_can_frame_crc15 go through the stored bit array. Both must agree on every kind of frame:
 * standard and extended, data and remote, DLC 0..15, sparse and dense data (sparse data stuffs
 * the most), and the CRC field, which is stuffed too.
 */
#include <string.h>

#include "sim_can.h"
#include "sim_prng.h"
#include "test_support.h"

static sim_can_frame_t random_frame(sim_prng_t *p, int i) {
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

static void one_pass_count_matches_the_bit_array(void) {
    sim_prng_t p;
    sim_prng_init(&p, 7, sim_prng_stream_id("test.can.frame_bits"));
    unsigned ext = 0, rtr = 0;
    uint32_t most = 0;
    for (int i = 0; i < 100000; i++) {
        sim_can_frame_t f = random_frame(&p, i);
        ext += (f.flags & SIM_CAN_FLAG_IDE) != 0;
        rtr += (f.flags & SIM_CAN_FLAG_RTR) != 0;
        uint32_t stuff = sim_can_frame_stuff_bits(&f);
        most = stuff > most ? stuff : most;
        uint32_t want = raw_bits_before_crc(&f) + 15u + stuff + 13u;
        if (sim_can_frame_bits(&f) != want) {
            ASSERT_EQ_U64(sim_can_frame_bits(&f), want);
            break;
        }
    }
    CU_ASSERT_TRUE(ext > 40000 && rtr > 5000 && most >= 16);
}

void test_register(void) {
    TEST_SUITE("can_frame_bits", TEST(one_pass_count_matches_the_bit_array));
}
