/*
 * SHA-256 against the FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf" and the SHA-2 test
 * vectors): empty, "abc", the 448-bit two-block message, and one million 'a'. Also checks that
 * chunking never changes the digest, which the trace relies on (it hashes as it writes).
 */
#include <stdlib.h>
#include <string.h>

#include "sim_sha256.h"
#include "test_support.h"

static void hex_of(const char *msg, char out[SIM_SHA256_HEX_LEN]) {
    sim_sha256_hex_of(msg, strlen(msg), out);
}

static void test_empty(void) {
    char h[SIM_SHA256_HEX_LEN];
    hex_of("", h);
    ASSERT_EQ_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void) {
    char h[SIM_SHA256_HEX_LEN];
    hex_of("abc", h);
    ASSERT_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_448_bits(void) {
    char h[SIM_SHA256_HEX_LEN];
    hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h);
    ASSERT_EQ_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void) {
    char h[SIM_SHA256_HEX_LEN];
    hex_of(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
        "nopqrsmnopqrstnopqrstu",
        h);
    ASSERT_EQ_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void) {
    sim_sha256_t c;
    uint8_t d[SIM_SHA256_LEN];
    char h[SIM_SHA256_HEX_LEN];
    char chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    sim_sha256_init(&c);
    for (int i = 0; i < 1000; i++) {
        sim_sha256_update(&c, chunk, sizeof chunk);
    }
    sim_sha256_final(&c, d);
    sim_sha256_hex(d, h);
    ASSERT_EQ_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every split of a 200-byte message (crossing the 55/56/64-byte padding edges) hashes alike. */
static void test_chunking_is_invisible(void) {
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof msg; i++) {
        msg[i] = (uint8_t)(i * 7u + 3u);
    }
    char whole[SIM_SHA256_HEX_LEN];
    sim_sha256_hex_of(msg, sizeof msg, whole);
    int mismatches = 0;
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        sim_sha256_t c;
        uint8_t d[SIM_SHA256_LEN];
        char h[SIM_SHA256_HEX_LEN];
        sim_sha256_init(&c);
        sim_sha256_update(&c, msg, cut);
        sim_sha256_update(&c, NULL, 0);
        sim_sha256_update(&c, msg + cut, sizeof msg - cut);
        sim_sha256_final(&c, d);
        sim_sha256_hex(d, h);
        mismatches += strcmp(h, whole) != 0;
    }
    ASSERT_EQ_I64(mismatches, 0);
}

/* Lengths 55, 56 and 64 straddle the one-or-two padding blocks decision. */
static void test_padding_edges(void) {
    char buf[65];
    char h[SIM_SHA256_HEX_LEN];
    memset(buf, 'a', sizeof buf);
    sim_sha256_hex_of(buf, 55, h);
    ASSERT_EQ_STR(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    sim_sha256_hex_of(buf, 56, h);
    ASSERT_EQ_STR(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    sim_sha256_hex_of(buf, 64, h);
    ASSERT_EQ_STR(h, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

void test_register(void) {
    TEST_SUITE("trace_sha256", TEST(test_empty), TEST(test_abc), TEST(test_448_bits),
               TEST(test_896_bits), TEST(test_million_a), TEST(test_chunking_is_invisible),
               TEST(test_padding_edges));
}
