/*
 * Frame-level bit counts of the virtual CAN bus against an independent reference.
 *
 * The pinned CRCs, stuff counts and lengths come from tests/tools/can_bits.py, a separate model
 * of ISO 11898-1 framing (run it to reprint the table). The worst case is the maximum over every
 * identifier and data pattern of a standard 8-byte frame (can_bits.py --search): 22 stuff bits,
 * below the textbook bound of 24, which ignores the fixed RTR/IDE/r0/DLC bits.
 */
#include "sim_can.h"
#include "test_support.h"

typedef struct {
    const char *label;
    uint32_t id;
    uint8_t flags;
    uint8_t dlc;
    uint8_t data[8];
    uint16_t crc;
    uint32_t stuff;
    uint32_t bits;
} ref_frame_t;

#define STD 0
#define EXT SIM_CAN_FLAG_IDE
#define RTR SIM_CAN_FLAG_RTR

static const ref_frame_t REF[] = {
    {"std 0x000 8x00", 0x000, STD, 8, {0}, 0x145B, 16, 127},
    {"std 0x7FF empty", 0x7FF, STD, 0, {0}, 0x272F, 3, 50},
    {"std 0x555 AAx4 no stuffing", 0x555, STD, 4, {0xAA, 0xAA, 0xAA, 0xAA}, 0x1C47, 0, 79},
    {"std 0x555 55x8",
     0x555,
     STD,
     8,
     {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55},
     0x1B04,
     1,
     112},
    {"std 0x123 11 22 33", 0x123, STD, 3, {0x11, 0x22, 0x33}, 0x65ED, 1, 72},
    {"std 0x7FF 8xFF",
     0x7FF,
     STD,
     8,
     {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
     0x4C89,
     15,
     126},
    {"ext 0x18FF50E5 1..8", 0x18FF50E5, EXT, 8, {1, 2, 3, 4, 5, 6, 7, 8}, 0x1FE8, 12, 143},
    {"ext 0x00000000 empty", 0x00000000, EXT, 0, {0}, 0x4610, 7, 74},
    {"rtr std 0x123 dlc 8", 0x123, RTR, 8, {0}, 0x6F9A, 1, 48},
    {"rtr ext 0x1ABCDE01 dlc 2", 0x1ABCDE01, EXT | RTR, 2, {0}, 0x1341, 3, 70},
    {"worst std 0x078",
     0x078,
     STD,
     8,
     {0x01, 0xE1, 0xE1, 0xE1, 0xE1, 0xE1, 0xE0, 0x0F},
     0x041E,
     22,
     133},
    {"std 0x02F 3Cx8",
     0x02F,
     STD,
     8,
     {0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C},
     0x07DF,
     20,
     131},
};

static sim_can_frame_t frame_of(const ref_frame_t *r) {
    sim_can_frame_t f = {.id = r->id, .dlc = r->dlc, .flags = r->flags};
    memcpy(f.data, r->data, sizeof f.data);
    return f;
}

static void test_reference_table(void) {
    for (size_t i = 0; i < sizeof REF / sizeof REF[0]; i++) {
        sim_can_frame_t f = frame_of(&REF[i]);
        if (sim_can_frame_crc15(&f) != REF[i].crc || sim_can_frame_stuff_bits(&f) != REF[i].stuff ||
            sim_can_frame_bits(&f) != REF[i].bits) {
            fprintf(stderr, "\n  mismatch: %s\n", REF[i].label);
        }
        ASSERT_EQ_U64(sim_can_frame_crc15(&f), REF[i].crc);
        ASSERT_EQ_U64(sim_can_frame_stuff_bits(&f), REF[i].stuff);
        ASSERT_EQ_U64(sim_can_frame_bits(&f), REF[i].bits);
    }
}

/* 98 stuffable + 13 fixed bits for a standard 8-byte frame; 118 + 13 for an extended one. */
static void test_layout_lengths(void) {
    sim_can_frame_t f = {.id = 0x555, .dlc = 4, .data = {0xAA, 0xAA, 0xAA, 0xAA}};
    ASSERT_EQ_U64(sim_can_frame_bits(&f), 1 + 11 + 3 + 4 + 32 + 15 + 13);
    sim_can_frame_t e = {.id = 0x18FF50E5, .dlc = 8, .flags = SIM_CAN_FLAG_IDE};
    ASSERT_EQ_U64(sim_can_frame_bits(&e) - sim_can_frame_stuff_bits(&e), 118 + 13);
    sim_can_frame_t s = {.id = 0x7FF, .dlc = 8};
    ASSERT_EQ_U64(sim_can_frame_bits(&s) - sim_can_frame_stuff_bits(&s), 111);
}

/* A remote frame sends its DLC but no data field: data bytes do not change it. */
static void test_remote_ignores_data(void) {
    sim_can_frame_t a = {.id = 0x123, .dlc = 8, .flags = SIM_CAN_FLAG_RTR};
    sim_can_frame_t b = a;
    memset(b.data, 0xA5, sizeof b.data);
    ASSERT_EQ_U64(sim_can_frame_bits(&a), sim_can_frame_bits(&b));
    ASSERT_EQ_U64(sim_can_frame_crc15(&a), sim_can_frame_crc15(&b));
    sim_can_frame_t c = a;
    c.dlc = 2;
    CU_ASSERT_NOT_EQUAL(sim_can_frame_crc15(&a), sim_can_frame_crc15(&c));
    /* ... while in a data frame the same DLC means 8 more data bytes on the wire. */
    sim_can_frame_t d = {.id = 0x123, .dlc = 8};
    CU_ASSERT_TRUE(sim_can_frame_bits(&d) >= sim_can_frame_bits(&a) + 64);
}

/* No standard 8-byte frame exceeds the exhaustive maximum, and the bound holds for all. */
static void test_stuffing_never_exceeds_maximum(void) {
    sim_prng_t p;
    sim_prng_init(&p, 1, sim_prng_stream_id("test.can.frames"));
    uint32_t worst = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = sim_prng_next(&p);
        sim_can_frame_t f = {.id = (uint32_t)(r & 0x7FF), .dlc = 8};
        /* Sparse patterns (few set bits) stuff the most: bias half of the draws that way. */
        uint64_t d = sim_prng_next(&p);
        if (i & 1) {
            d &= sim_prng_next(&p) & sim_prng_next(&p);
        }
        memcpy(f.data, &d, 8);
        uint32_t s = sim_can_frame_stuff_bits(&f);
        worst = s > worst ? s : worst;
        ASSERT_EQ_U64(sim_can_frame_bits(&f), 111 + s);
    }
    CU_ASSERT_TRUE(worst <= 22);
    CU_ASSERT_TRUE(worst >= 16);
}

static void test_duration_at_bitrates(void) {
    sim_kernel_t *k = NULL;
    ASSERT_EQ_I64(sim_kernel_create(1, &k), 0);
    sim_can_bus_t *bus = NULL;
    ASSERT_EQ_I64(sim_can_bus_create(k, &(sim_can_bus_cfg_t){.name = "can0"}, &bus), 0);
    ASSERT_EQ_U64(sim_can_bus_bitrate(bus), 500000);
    ASSERT_EQ_I64(sim_can_bus_bit_ns(bus), 2000);
    ASSERT_EQ_STR(sim_can_bus_name(bus), "can0");
    sim_can_frame_t f = frame_of(&REF[0]);
    ASSERT_EQ_I64(sim_can_frame_bits(&f) * sim_can_bus_bit_ns(bus), 254000);
    sim_can_bus_destroy(bus);

    sim_can_bus_t *fast = NULL;
    ASSERT_EQ_I64(sim_can_bus_create(k, &(sim_can_bus_cfg_t){"can1", 1000000}, &fast), 0);
    ASSERT_EQ_I64(sim_can_bus_bit_ns(fast), 1000);
    sim_can_bus_destroy(fast);
    sim_can_bus_t *slow = NULL;
    ASSERT_EQ_I64(sim_can_bus_create(k, &(sim_can_bus_cfg_t){"can2", 125000}, &slow), 0);
    ASSERT_EQ_I64(sim_can_bus_bit_ns(slow), 8000);
    sim_can_bus_destroy(slow);

    sim_can_bus_t *bad = NULL;
    ASSERT_EQ_I64(sim_can_bus_create(k, &(sim_can_bus_cfg_t){"can3", 1000001}, &bad), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(bad);
    ASSERT_EQ_I64(sim_can_bus_create(k, &(sim_can_bus_cfg_t){"a_very_long_name0", 0}, &bad),
                  -SIM_EINVAL);
    sim_kernel_destroy(k);
}

static void test_names(void) {
    ASSERT_EQ_STR(sim_can_state_name(SIM_CAN_ERROR_ACTIVE), "error-active");
    ASSERT_EQ_STR(sim_can_state_name(SIM_CAN_ERROR_PASSIVE), "error-passive");
    ASSERT_EQ_STR(sim_can_state_name(SIM_CAN_BUS_OFF), "bus-off");
    ASSERT_EQ_STR(sim_can_err_kind_name(SIM_CAN_ERR_ACK), "ack");
    ASSERT_EQ_STR(sim_can_err_kind_name(SIM_CAN_ERR_CRC), "crc");
}

void test_register(void) {
    TEST_SUITE("can_frame", TEST(test_reference_table), TEST(test_layout_lengths),
               TEST(test_remote_ignores_data), TEST(test_stuffing_never_exceeds_maximum),
               TEST(test_duration_at_bitrates), TEST(test_names));
}
