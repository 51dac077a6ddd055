/*
 * The socketcand server over loopback TCP, with a client written here that reads the way
 * python-can 4.1 does (one recv per handshake reply, compared whole): the handshake and its
 * replies, no frame before the second "< ok >" and its grace period, every bus frame out in
 * order in the daemon's format, sends in (several per segment, split across segments), junk and
 * refused lengths counted without harm, one client at a time, reconnecting, a port in use.
 */
#define _DEFAULT_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bridge_rig.h"
#include "sim_bridge_scand.h"
#include "test_support.h"

#define GRACE_MS 40

typedef struct {
    bw_world_t w;
    sim_bridge_t *b;
    unsigned n_logs;
    char logs[16][512];
} server_t;

static void server_log(void *ctx, const char *line) {
    server_t *s = ctx;
    if (s->n_logs < 16) {
        snprintf(s->logs[s->n_logs], sizeof s->logs[0], "%s", line);
    }
    s->n_logs++;
}

static bool server_logged(const server_t *s, const char *needle) {
    for (unsigned i = 0; i < s->n_logs && i < 16; i++) {
        if (strstr(s->logs[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

static int server_open(server_t *s, unsigned nodes, const char *spec_text) {
    memset(s, 0, sizeof *s);
    CU_ASSERT_EQUAL_FATAL(bw_world_create(&s->w, 1, nodes, 10 * SIM_NS_PER_MS, NULL), 0);
    sim_bridge_spec_t spec;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(sim_bridge_parse_spec(spec_text, &spec, err, sizeof err), 0);
    sim_bridge_cfg_t cfg = {.grace_ms = GRACE_MS, .log = server_log, .log_ctx = s};
    return sim_bridge_open(s->w.k, s->w.bus, NULL, &spec, &cfg, &s->b, err, sizeof err);
}

static void server_close(server_t *s) {
    sim_bridge_destroy(s->b);
    bw_world_destroy(&s->w, false, NULL);
}

static int client_connect(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1; /* no Nagle delay on our small writes: the test runs little virtual time */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* One recv(256), as python-can's _expect_msg does, after servicing the server a little. */
static void expect_reply(server_t *s, int fd, const char *want) {
    CU_ASSERT_EQUAL(sim_bridge_service(s->b, 5), 0);
    char buf[257];
    ssize_t n = recv(fd, buf, 256, 0);
    buf[n > 0 ? n : 0] = '\0';
    ASSERT_EQ_STR(buf, want);
}

static void client_send(int fd, const char *text) {
    CU_ASSERT_EQUAL(send(fd, text, strlen(text), 0), (ssize_t)strlen(text));
}

/* Nothing to read right now (after servicing). */
static bool client_quiet(server_t *s, int fd) {
    CU_ASSERT_EQUAL(sim_bridge_service(s->b, 5), 0);
    char buf[64];
    return recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static int handshake(server_t *s) {
    int fd = client_connect(sim_bridge_port(s->b));
    expect_reply(s, fd, "< hi >");
    client_send(fd, "< open can0 >");
    expect_reply(s, fd, "< ok >");
    client_send(fd, "< rawmode >");
    expect_reply(s, fd, "< ok >");
    return fd;
}

/* Everything the client can read within a short while, appended to buf. */
static size_t client_drain(server_t *s, int fd, char *buf, size_t len, size_t cap) {
    for (int i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL(sim_bridge_service(s->b, 2), 0);
        ssize_t n;
        while (len + 1 < cap && (n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT)) > 0) {
            len += (size_t)n;
        }
    }
    buf[len] = '\0';
    return len;
}

static void run(server_t *s, sim_time_ns_t t_end) {
    CU_ASSERT_EQUAL(sim_bridge_run_until(s->w.k, s->b, NULL, t_end, SIM_NS_PER_MS), 0);
}

#define STREAM_CAP (256 * 1024)
static char stream[STREAM_CAP];

static void test_handshake_then_frames_in_bus_order(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 3, "socketcand:127.0.0.1:0"), 0);
    CU_ASSERT_TRUE(sim_bridge_port(s.b) != 0);
    int fd = client_connect(sim_bridge_port(s.b));
    expect_reply(&s, fd, "< hi >");
    run(&s, 30 * SIM_NS_PER_MS); /* frames during the handshake are held, not sent */
    CU_ASSERT_TRUE(client_quiet(&s, fd));
    client_send(fd, "< open can0 >");
    expect_reply(&s, fd, "< ok >");
    run(&s, 60 * SIM_NS_PER_MS);
    CU_ASSERT_TRUE(client_quiet(&s, fd));
    client_send(fd, "< rawmode >");
    expect_reply(&s, fd, "< ok >"); /* alone: the grace period holds the frames back */
    run(&s, 2 * SIM_NS_PER_S);
    CU_ASSERT_EQUAL(sim_bridge_drain(s.b, 2000), 0);
    size_t len = client_drain(&s, fd, stream, 0, STREAM_CAP);
    /* The stream is exactly the bus's frames, formatted as the daemon does, each after a space. */
    size_t pos = 0, k = 0;
    for (size_t i = 0; i < s.w.n_seen; i++) {
        char want[SIM_SCAND_FRAME_MAX];
        size_t n = sim_scand_format_frame(want, &s.w.seen[i].f, s.w.seen[i].t_end);
        if (pos + n > len || memcmp(stream + pos, want, n) != 0) {
            fprintf(stderr, "\n  frame %zu: want \"%s\" at %zu\n", i, want, pos);
            break;
        }
        pos += n;
        k++;
    }
    CU_ASSERT_TRUE(s.w.n_seen > 500);
    ASSERT_EQ_U64(k, s.w.n_seen);
    ASSERT_EQ_U64(pos, len);
    CU_ASSERT_TRUE(server_logged(&s, "socketcand client 127.0.0.1:"));
    close(fd);
    server_close(&s);
}

static void test_sends_reach_the_bus(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 3, "socketcand:localhost:0"), 0);
    int fd = handshake(&s);
    client_send(fd, "< send 100 1 2a >< send 18FF50E5 3 1 2 ab >");
    const char *split = "< send 123 0  >< send 7 2 de ad >";
    for (size_t i = 0; split[i] != '\0'; i++) {
        CU_ASSERT_EQUAL(send(fd, split + i, 1, 0), 1);
        CU_ASSERT_EQUAL(sim_bridge_service(s.b, 1), 0);
    }
    run(&s, 50 * SIM_NS_PER_MS);
    for (unsigned i = 0; i < 3; i++) {
        ASSERT_EQ_U64(s.w.nodes[i].commands, 1);
        ASSERT_EQ_U64(s.w.nodes[i].last_cmd, 0x2A);
    }
    const sim_can_ctrl_t *me = sim_bridge_ctrl(s.b);
    sim_can_frame_t want[4] = {
        {.id = 0x100, .dlc = 1, .data = {0x2A}},
        {.id = 0x18FF50E5, .flags = SIM_CAN_FLAG_IDE, .dlc = 3, .data = {1, 2, 0xAB}},
        {.id = 0x123, .dlc = 0},
        {.id = 0x7, .dlc = 2, .data = {0xDE, 0xAD}},
    };
    size_t k = 0;
    for (size_t i = 0; i < s.w.n_seen; i++) {
        if (s.w.seen[i].sender == me) {
            CU_ASSERT_TRUE(k < 4 && frame_eq(&s.w.seen[i].f, &want[k]));
            k++;
        }
    }
    ASSERT_EQ_U64(k, 4);
    /* The client gets the ACKs, never its own frames. */
    CU_ASSERT_EQUAL(sim_bridge_drain(s.b, 1000), 0);
    client_drain(&s, fd, stream, 0, STREAM_CAP);
    CU_ASSERT_PTR_NOT_NULL(strstr(stream, " < frame 581 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(stream, " < frame 583 "));
    CU_ASSERT_PTR_NULL(strstr(stream, "frame 100 "));
    CU_ASSERT_PTR_NULL(strstr(stream, "frame 18FF50E5 "));
    close(fd);
    server_close(&s);
}

static void test_junk_is_counted_and_harmless(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 2, "socketcand:127.0.0.1:0"), 0);
    int fd = client_connect(sim_bridge_port(s.b));
    expect_reply(&s, fd, "< hi >");
    client_send(fd, "< send 100 1 1 >"); /* before rawmode: refused */
    client_send(fd, "< open can0 >");
    expect_reply(&s, fd, "< ok >");
    client_send(fd, "< rawmode >");
    expect_reply(&s, fd, "< ok >");
    client_send(fd, "garbage < send 123 9 1 2 3 4 5 6 7 8 9 >< send xyz 0 >< bogus >"
                    "< send 123 C 0 0 0 0 0 0 0 0 0 0 0 0 >< open can0 >\x01\xff");
    client_send(fd, "< send 100 1 7 >");
    run(&s, 20 * SIM_NS_PER_MS);
    sim_bridge_stats_t st;
    sim_bridge_stats(s.b, &st);
    ASSERT_EQ_U64(st.rx_malformed, 6); /* early send, garbage, xyz, bogus, open again, \x01 */
    ASSERT_EQ_U64(st.rx_bad_dlc, 1);
    ASSERT_EQ_U64(st.rx_fd, 1);
    ASSERT_EQ_U64(st.rx_injected, 1);
    ASSERT_EQ_U64(s.w.nodes[0].last_cmd, 7);
    CU_ASSERT_TRUE(server_logged(&s, "malformed input from the host ignored"));
    close(fd);
    server_close(&s);
}

static void test_one_client_at_a_time_and_reconnect(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 2, "socketcand:127.0.0.1:0"), 0);
    int fd = handshake(&s);
    int second = client_connect(sim_bridge_port(s.b));
    CU_ASSERT_EQUAL(sim_bridge_service(s.b, 5), 0);
    char buf[64];
    ASSERT_EQ_I64(recv(second, buf, sizeof buf, 0), 0); /* accepted and closed */
    close(second);
    CU_ASSERT_TRUE(server_logged(&s, "refused a second client"));
    CU_ASSERT_EQUAL(sim_bridge_service(s.b, GRACE_MS + 10), 0);
    run(&s, 100 * SIM_NS_PER_MS);
    CU_ASSERT_EQUAL(sim_bridge_drain(s.b, 1000), 0);
    CU_ASSERT_TRUE(client_drain(&s, fd, stream, 0, STREAM_CAP) > 0);
    close(fd);
    /* Without a client, frames have nowhere to go: counted, not queued. */
    CU_ASSERT_EQUAL(sim_bridge_service(s.b, 5), 0);
    sim_bridge_stats_t before, after;
    sim_bridge_stats(s.b, &before);
    run(&s, 200 * SIM_NS_PER_MS);
    sim_bridge_stats(s.b, &after);
    CU_ASSERT_TRUE(after.tx_no_peer > before.tx_no_peer);
    ASSERT_EQ_U64(after.tx_frames, before.tx_frames);
    CU_ASSERT_TRUE(server_logged(&s, "client gone"));
    /* A new client goes through the handshake and gets the frames from then on. */
    fd = handshake(&s);
    CU_ASSERT_EQUAL(sim_bridge_service(s.b, GRACE_MS + 10), 0);
    run(&s, 300 * SIM_NS_PER_MS);
    CU_ASSERT_EQUAL(sim_bridge_drain(s.b, 1000), 0);
    size_t len = client_drain(&s, fd, stream, 0, STREAM_CAP);
    CU_ASSERT_TRUE(len > 0 && strncmp(stream, " < frame ", 9) == 0);
    close(fd);
    server_close(&s);
}

/* A client that closes and connects again at once (a gateway restarting) is not the second
 * client: its close and the new connection arrive in one round, and the close comes first. */
static void test_immediate_reconnect_is_greeted(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 2, "socketcand:127.0.0.1:0"), 0);
    int fd = handshake(&s);
    for (int i = 0; i < 5; i++) {
        close(fd);
        fd = client_connect(sim_bridge_port(s.b));
        expect_reply(&s, fd, "< hi >");
    }
    client_send(fd, "< open can0 >");
    expect_reply(&s, fd, "< ok >");
    CU_ASSERT_FALSE(server_logged(&s, "refused a second client"));
    close(fd);
    server_close(&s);
}

/* A client that never finishes the handshake does not lock the gateway out: the next one
 * replaces it. A client in raw mode keeps its place (test_one_client_at_a_time_and_reconnect). */
static void test_client_stuck_in_handshake_yields(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 2, "socketcand:127.0.0.1:0"), 0);
    int stuck = client_connect(sim_bridge_port(s.b));
    expect_reply(&s, stuck, "< hi >");
    client_send(stuck, "< open can0 >");
    expect_reply(&s, stuck, "< ok >"); /* and then nothing: no rawmode */
    int fd = handshake(&s);
    CU_ASSERT_TRUE(server_logged(&s, "a newer client connected before it finished the handshake"));
    CU_ASSERT_FALSE(server_logged(&s, "refused a second client"));
    char buf[64];
    ASSERT_EQ_I64(recv(stuck, buf, sizeof buf, 0), 0); /* closed by the server */
    close(stuck);
    CU_ASSERT_EQUAL(sim_bridge_service(s.b, GRACE_MS + 10), 0);
    run(&s, 100 * SIM_NS_PER_MS);
    CU_ASSERT_EQUAL(sim_bridge_drain(s.b, 1000), 0);
    size_t len = client_drain(&s, fd, stream, 0, STREAM_CAP);
    CU_ASSERT_TRUE(len > 0 && strncmp(stream, " < frame ", 9) == 0);
    close(fd);
    server_close(&s);
}

static void test_port_in_use(void) {
    server_t s;
    CU_ASSERT_EQUAL_FATAL(server_open(&s, 1, "socketcand:127.0.0.1:0"), 0);
    char spec_text[64], err[256] = "";
    snprintf(spec_text, sizeof spec_text, "socketcand:127.0.0.1:%u", sim_bridge_port(s.b));
    sim_bridge_spec_t spec;
    CU_ASSERT_EQUAL(sim_bridge_parse_spec(spec_text, &spec, err, sizeof err), 0);
    sim_bridge_t *b2 = NULL;
    sim_bridge_cfg_t cfg = {.name = "bridge2"};
    ASSERT_EQ_I64(sim_bridge_open(s.w.k, s.w.bus, NULL, &spec, &cfg, &b2, err, sizeof err),
                  -SIM_EBUSY);
    CU_ASSERT_PTR_NULL(b2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot listen: Address already in use"));
    server_close(&s);
}

void test_register(void) {
    TEST_SUITE("bridge_socketcand", TEST(test_handshake_then_frames_in_bus_order),
               TEST(test_sends_reach_the_bus), TEST(test_junk_is_counted_and_harmless),
               TEST(test_one_client_at_a_time_and_reconnect),
               TEST(test_immediate_reconnect_is_greeted),
               TEST(test_client_stuck_in_handshake_yields), TEST(test_port_in_use));
}
