/*
 * bus.log lines (the candump -l grammar of can-utils lib.h) and the matching bus.pcap packets:
 * standard, extended, remote and zero-length frames, error frames, and timestamps truncated from
 * nanoseconds to microseconds with fixed widths.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_trace.h"
#include "test_support.h"

#define TMP_ROOT SIM_BINARY_DIR "/test-tmp/trace_candump"

static char *slurp(const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[len] = '\0';
    }
    if (len_out != NULL) {
        *len_out = len;
    }
    return buf;
}

static sim_trace_t *open_run(const char *name, bool pcap, char *dir, size_t dirlen) {
    mkdir(SIM_BINARY_DIR "/test-tmp", 0777);
    mkdir(TMP_ROOT, 0777);
    snprintf(dir, dirlen, TMP_ROOT "/%s", name);
    sim_trace_cfg_t cfg = {.pcap = pcap};
    sim_trace_t *t = NULL;
    char err[256];
    int rc = sim_trace_open(dir, &cfg, &t, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  open %s: %s\n", dir, err);
    }
    ASSERT_EQ_I64(rc, 0);
    return t;
}

static char *close_and_read(sim_trace_t *t, const char *dir, const char *file, size_t *len) {
    ASSERT_EQ_I64(sim_trace_close(t, true), 0);
    sim_trace_free(t);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return slurp(path, len);
}

static sim_can_frame_t frame(uint32_t id, uint8_t flags, uint8_t dlc, const char *bytes) {
    sim_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.flags = flags;
    f.dlc = dlc;
    if (bytes != NULL) {
        memcpy(f.data, bytes, dlc);
    }
    return f;
}

static void test_frame_kinds(void) {
    char dir[256];
    sim_trace_t *t = open_run("kinds", false, dir, sizeof dir);
    sim_can_frame_t f = frame(0x351, 0, 8, "\x30\x02\xE8\x03\xDC\x05\xE0\x01");
    sim_trace_can_frame(t, 1000250000, "can0", &f);
    f = frame(0x18FF50E5, SIM_CAN_FLAG_IDE, 2, "\x01\x02");
    sim_trace_can_frame(t, 1000480999, "can0", &f);
    f = frame(0x123, SIM_CAN_FLAG_IDE, 1, "\xab");
    sim_trace_can_frame(t, 1000700000, "can0", &f);
    f = frame(0x123, SIM_CAN_FLAG_RTR, 3, NULL);
    sim_trace_can_frame(t, 1000900000, "can0", &f);
    f = frame(0x305, SIM_CAN_FLAG_RTR, 0, NULL);
    sim_trace_can_frame(t, 1001000000, "can0", &f);
    f = frame(0x1ABCDEF0, SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR, 8, NULL);
    sim_trace_can_frame(t, 1001100000, "can1", &f);
    f = frame(0x7FF, 0, 0, NULL);
    sim_trace_can_frame(t, 1001200000, "vcan0", &f);
    f = frame(0x000, 0, 1, "\x00");
    sim_trace_can_frame(t, 1001300000, "can0", &f);
    char *log = close_and_read(t, dir, "bus.log", NULL);
    ASSERT_EQ_STR(log, "(0000000001.000250) can0 351#3002E803DC05E001\n"
                       "(0000000001.000480) can0 18FF50E5#0102\n"
                       "(0000000001.000700) can0 00000123#AB\n"
                       "(0000000001.000900) can0 123#R3\n"
                       "(0000000001.001000) can0 305#R\n"
                       "(0000000001.001100) can1 1ABCDEF0#R8\n"
                       "(0000000001.001200) vcan0 7FF#\n"
                       "(0000000001.001300) can0 000#00\n");
    free(log);
}

static void test_error_frames(void) {
    char dir[256];
    sim_trace_t *t = open_run("errors", false, dir, sizeof dir);
    const uint8_t zero[8] = {0};
    const uint8_t prot[8] = {0, 0, 0x81, 0x0A, 0, 0, 0xF8, 0x01};
    sim_trace_can_error(t, 5000000000, "can0", 0x40, zero);
    sim_trace_can_error(t, 5000001000, "can0", 0x88, prot);
    char *log = close_and_read(t, dir, "bus.log", NULL);
    ASSERT_EQ_STR(log, "(0000000005.000000) can0 20000040#0000000000000000\n"
                       "(0000000005.000001) can0 20000088#0000810A0000F801\n");
    free(log);
}

/* Seconds are zero-padded to 10 digits, microseconds to exactly 6, nanoseconds truncated. */
static void test_timestamps(void) {
    char dir[256];
    sim_trace_t *t = open_run("stamps", false, dir, sizeof dir);
    sim_can_frame_t f = frame(0x001, 0, 0, NULL);
    sim_trace_can_frame(t, 0, "can0", &f);
    sim_trace_can_frame(t, 999, "can0", &f);
    sim_trace_can_frame(t, 1999, "can0", &f);
    sim_trace_can_frame(t, 999999999, "can0", &f);
    sim_trace_can_frame(t, 86400000000000LL, "can0", &f);
    sim_trace_can_frame(t, 12345678901234567LL, "can0", &f);
    char *log = close_and_read(t, dir, "bus.log", NULL);
    ASSERT_EQ_STR(log, "(0000000000.000000) can0 001#\n"
                       "(0000000000.000000) can0 001#\n"
                       "(0000000000.000001) can0 001#\n"
                       "(0000000000.999999) can0 001#\n"
                       "(0000086400.000000) can0 001#\n"
                       "(0012345678.901234) can0 001#\n");
    free(log);
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One pcap record: nanosecond stamp, 16 bytes (SocketCAN header + 8 data bytes). */
static void check_record(const unsigned char *r, uint32_t sec, uint32_t nsec, const char *hdr8,
                         const char *data8) {
    ASSERT_EQ_U64(le32(r), sec);
    ASSERT_EQ_U64(le32(r + 4), nsec);
    ASSERT_EQ_U64(le32(r + 8), 16);
    ASSERT_EQ_U64(le32(r + 12), 16);
    CU_ASSERT_EQUAL(memcmp(r + 16, hdr8, 8), 0);
    CU_ASSERT_EQUAL(memcmp(r + 24, data8, 8), 0);
}

static void test_pcap_packets(void) {
    char dir[256];
    sim_trace_t *t = open_run("pcap", true, dir, sizeof dir);
    sim_can_frame_t f = frame(0x18FF50E5, SIM_CAN_FLAG_IDE, 2, "\x01\x02");
    sim_trace_can_frame(t, 1000250123, "can0", &f);
    f = frame(0x123, SIM_CAN_FLAG_RTR, 3, NULL);
    sim_trace_can_frame(t, 2000000000, "can0", &f);
    const uint8_t err[8] = {0, 0x20, 0, 0, 0, 0, 0x80, 0};
    sim_trace_can_error(t, 2000000001, "can0", 0x04, (const uint8_t *)err);
    size_t len = 0;
    unsigned char *p = (unsigned char *)close_and_read(t, dir, "bus.pcap", &len);
    if (p == NULL) {
        /* Built without libpcap: cfg.pcap is documented to be ignored. */
        fprintf(stderr, "\n  bus.pcap not written (no libpcap in this build)\n");
        return;
    }
    ASSERT_EQ_U64(len, 24 + 3 * 32);
    if (len == 24 + 3 * 32) {
        ASSERT_EQ_U64(le32(p), 0xa1b23c4du); /* nanosecond-resolution magic */
        ASSERT_EQ_U64(le32(p + 20), 227);    /* LINKTYPE_CAN_SOCKETCAN */
        check_record(p + 24, 1, 250123, "\x98\xFF\x50\xE5\x02\0\0\0", "\x01\x02\0\0\0\0\0\0");
        check_record(p + 56, 2, 0, "\x40\x00\x01\x23\x03\0\0\0", "\0\0\0\0\0\0\0\0");
        check_record(p + 88, 2, 1, "\x20\x00\x00\x04\x08\0\0\0", "\0\x20\0\0\0\0\x80\0");
    }
    free(p);
}

void test_register(void) {
    TEST_SUITE("trace_candump", TEST(test_frame_kinds), TEST(test_error_frames),
               TEST(test_timestamps), TEST(test_pcap_packets));
}
