/*
 * test_isolate_chan.c: the channel of an isolated node (core/host/sim_isolate_chan.h) as a plain
 * byte stream between the host and a forked child: records of every size arrive whole and in
 * order across many turns of both rings (with the child lingering between them or sleeping at
 * once), the largest batch fits, what a child writes just before it dies is still read, every way
 * of dying ends the host's wait with the right cause, and a child that says nothing meets the
 * watchdog.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_isolate.h"
#include "test_support.h"

enum { REC_ECHO = 1, REC_SUM, REC_SIGKILL, REC_EXIT5, REC_LAST_WORDS, REC_SILENCE };

static void child_read_all(sim_iso_chan_t *ch, void *p, size_t len) {
    uint8_t *b = p;
    while (len > 0) {
        size_t n = sim_iso_chan_read(ch, b, len);
        b += n;
        len -= n;
    }
}

static void child_put(sim_iso_chan_t *ch, uint16_t type, const void *p, uint32_t len) {
    sim_iso_hdr_t h = {.len = len, .type = type, .magic = SIM_ISO_MAGIC};
    sim_iso_chan_write(ch, &h, sizeof h);
    sim_iso_chan_write(ch, p, len);
}

/* The child: echoes records back, sums big ones, and dies or falls silent on request. */
static void child_main(void *arg, sim_iso_chan_t *ch) {
    (void)arg;
    static uint8_t buf[SIM_ISO_DOWN_MAX];
    for (;;) {
        sim_iso_hdr_t h;
        child_read_all(ch, &h, sizeof h);
        child_read_all(ch, buf, h.len);
        if (h.type == REC_ECHO) {
            child_put(ch, REC_ECHO, buf, h.len);
        } else if (h.type == REC_SUM) {
            uint32_t sum = 0;
            for (uint32_t i = 0; i < h.len; i++) {
                sum = sum * 31u + buf[i];
            }
            child_put(ch, REC_SUM, &sum, sizeof sum);
        } else if (h.type == REC_SIGKILL) {
            raise(SIGKILL);
        } else if (h.type == REC_EXIT5) {
            _exit(5);
        } else if (h.type == REC_LAST_WORDS) {
            child_put(ch, REC_ECHO, "bye", 3);
            _exit(0);
        } else {
            pause();
        }
    }
}

static sim_isolate_t *spawn(uint32_t timeout_ms) {
    sim_isolate_t *iso = NULL;
    char err[128];
    CU_ASSERT_EQUAL_FATAL(sim_isolate_spawn(child_main, NULL, timeout_ms, &iso, err, sizeof err),
                          0);
    return iso;
}

static void test_records_of_every_size_cross_both_rings(void) {
    sim_isolate_t *iso = spawn(20000);
    sim_isolate_set_linger(iso, true); /* the child looks for the next record before it sleeps */
    static uint8_t out[SIM_ISO_UP_MAX];
    for (uint32_t i = 0; i < 400; i++) { /* about 1.6 MB each way: dozens of turns of each ring */
        uint32_t len = (i * 7919u) % (SIM_ISO_UP_MAX - 16u) + 1u;
        for (uint32_t j = 0; j < len; j++) {
            out[j] = (uint8_t)(i * 13u + j);
        }
        CU_ASSERT_EQUAL_FATAL(
            sim_isolate_send(iso, REC_ECHO, out, len / 2, out + len / 2, len - len / 2), 0);
        sim_iso_hdr_t h;
        const uint8_t *p;
        CU_ASSERT_EQUAL_FATAL(sim_isolate_recv(iso, &h, &p), 0);
        ASSERT_EQ_U64(h.type, REC_ECHO);
        ASSERT_EQ_U64(h.len, len);
        CU_ASSERT_FATAL(memcmp(p, out, len) == 0);
    }
    sim_isolate_destroy(iso);
}

static void test_the_largest_batch_arrives_whole(void) {
    sim_isolate_t *iso = spawn(20000);
    static uint8_t big[SIM_ISO_DOWN_MAX];
    for (int round = 0; round < 6; round++) { /* three times the ring's size */
        uint32_t want = 0;
        for (size_t j = 0; j < sizeof big; j++) {
            big[j] = (uint8_t)(j * 7u + (size_t)round);
            want = want * 31u + big[j];
        }
        CU_ASSERT_EQUAL_FATAL(sim_isolate_send(iso, REC_SUM, big, sizeof big, NULL, 0), 0);
        sim_iso_hdr_t h;
        const uint8_t *p;
        CU_ASSERT_EQUAL_FATAL(sim_isolate_recv(iso, &h, &p), 0);
        uint32_t got;
        ASSERT_EQ_U64(h.len, sizeof got);
        memcpy(&got, p, sizeof got);
        ASSERT_EQ_U64(got, want);
    }
    sim_isolate_destroy(iso);
}

/* Sends one request and returns the recv result that ends the conversation. */
static int ask_to_die(sim_isolate_t *iso, uint16_t how) {
    CU_ASSERT_EQUAL(sim_isolate_send(iso, how, NULL, 0, NULL, 0), 0);
    sim_iso_hdr_t h;
    const uint8_t *p;
    return sim_isolate_recv(iso, &h, &p);
}

static void test_each_death_ends_the_wait_with_its_cause(void) {
    char detail[64];
    sim_isolate_t *iso = spawn(20000);
    ASSERT_EQ_I64(ask_to_die(iso, REC_SIGKILL), -SIM_EIO);
    ASSERT_EQ_STR(sim_isolate_cause(iso, detail, sizeof detail), "signal");
    ASSERT_EQ_STR(detail, "SIGKILL");
    sim_isolate_destroy(iso);

    iso = spawn(20000);
    ASSERT_EQ_I64(ask_to_die(iso, REC_EXIT5), -SIM_EIO);
    ASSERT_EQ_STR(sim_isolate_cause(iso, detail, sizeof detail), "exit");
    ASSERT_EQ_STR(detail, "status 5");
    sim_isolate_destroy(iso);

    /* What it wrote before dying comes first, then the end. */
    iso = spawn(20000);
    CU_ASSERT_EQUAL(sim_isolate_send(iso, REC_LAST_WORDS, NULL, 0, NULL, 0), 0);
    sim_iso_hdr_t h;
    const uint8_t *p;
    CU_ASSERT_EQUAL_FATAL(sim_isolate_recv(iso, &h, &p), 0);
    ASSERT_EQ_U64(h.len, 3);
    CU_ASSERT(memcmp(p, "bye", 3) == 0);
    ASSERT_EQ_I64(sim_isolate_recv(iso, &h, &p), -SIM_EIO);
    ASSERT_EQ_STR(sim_isolate_cause(iso, detail, sizeof detail), "exit");
    ASSERT_EQ_STR(detail, "status 0");
    sim_isolate_destroy(iso);
}

static void test_a_silent_child_meets_the_watchdog(void) {
    sim_isolate_t *iso = spawn(150);
    ASSERT_EQ_I64(ask_to_die(iso, REC_SILENCE), -SIM_ECANCELED);
    sim_isolate_destroy(iso); /* kills it: destroy must not wait for it */
}

void test_register(void) {
    TEST_SUITE("isolate_chan", TEST(test_records_of_every_size_cross_both_rings),
               TEST(test_the_largest_batch_arrives_whole),
               TEST(test_each_death_ends_the_wait_with_its_cause),
               TEST(test_a_silent_child_meets_the_watchdog));
}
