/*
 * fuzz_bridge_replay.c: the reader of recorded bridge traffic that replay uses
 * (sim_bridge_replay_open, core/bridge/sim_bridge.h) on any events.jsonl content.
 *
 * Input: the first byte picks which bridge to replay (index 0..3), the rest is the file, written
 * to "<temporary dir>/events.jsonl" (made once per process, removed at exit). The bridge joins a
 * fresh 500 kbit/s bus that holds one more controller, a silent peer that acknowledges and
 * counts what it receives; the kernel then runs until its queue is empty or the replay stops it.
 *
 * Invariants, from the header's contract:
 *   - the result is 0 or one of the documented codes; on failure *out is NULL, and err is empty
 *     for -SIM_ENOENT (the file is readable, so that can only mean "no such bridge") and one
 *     non-empty line for -SIM_EFORMAT and -SIM_ENOMEM;
 *   - opening the same file twice gives the same result and the same message;
 *   - every recorded frame the controller took reaches the peer once, and a run that was not
 *     stopped by a recorded stop delivers every one of them; no more are injected than the file
 *     has "bridge_rx" records; every delivered frame is a valid classic frame.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "sim_bridge.h"

static char tmp_dir[256];
static char events_path[300];

static void remove_tmp(void) {
    (void)unlink(events_path);
    (void)rmdir(tmp_dir);
}

static void make_tmp(void) {
    if (tmp_dir[0] != '\0') {
        return;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/alfasim_fuzz_XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(tmp_dir) != NULL, "cannot make a temporary directory in %s", tmp_dir);
    snprintf(events_path, sizeof events_path, "%s/events.jsonl", tmp_dir);
    atexit(remove_tmp);
}

static void write_input(const uint8_t *data, size_t size) {
    FILE *f = fopen(events_path, "wb");
    FUZZ_CHECK(f != NULL, "cannot write %s", events_path);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size, "short write to %s", events_path);
    FUZZ_CHECK(fclose(f) == 0, "cannot close %s", events_path);
}

static void on_peer_rx(void *ctx, const sim_can_frame_t *f) {
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0u;
    FUZZ_CHECK(f->dlc <= 8u && f->id <= (ext ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK),
               "delivered frame id %X dlc %u", (unsigned)f->id, (unsigned)f->dlc);
    (*(uint64_t *)ctx)++;
}

static void check_error(int rc, const sim_bridge_t *b, const char *err, size_t cap) {
    FUZZ_CHECK(rc == -SIM_ENOENT || rc == -SIM_EFORMAT || rc == -SIM_ENOMEM,
               "undocumented result %d", rc);
    FUZZ_CHECK(b == NULL, "failed with %d but returned a bridge", rc);
    FUZZ_CHECK(memchr(err, '\0', cap) != NULL, "message not terminated for %d", rc);
    /* The file is always readable here, so -SIM_ENOENT can only mean "no such bridge". */
    FUZZ_CHECK((rc == -SIM_ENOENT) == (err[0] == '\0'), "result %d with message \"%s\"", rc, err);
    FUZZ_CHECK(strchr(err, '\n') == NULL, "message spans lines: \"%s\"", err);
}

static size_t count_rx_records(const uint8_t *data, size_t size) {
    static const char key[] = "\"bridge_rx\"";
    size_t n = 0;
    for (size_t i = 0; i + sizeof key - 1 <= size; i++) {
        n += memcmp(data + i, key, sizeof key - 1) == 0 ? 1u : 0u;
    }
    return n;
}

/* One replay on a fresh world; returns the result and leaves the message in err. */
static int replay_once(unsigned index, size_t rx_records, char *err, size_t cap) {
    sim_kernel_t *k = NULL;
    sim_can_bus_t *bus = NULL;
    sim_can_ctrl_t *peer = NULL;
    uint64_t peer_rx = 0;
    sim_can_bus_cfg_t bc = {.name = "can0", .bitrate_bps = 500000};
    sim_can_ctrl_cfg_t pc = {.name = "peer", .tx_queue_len = 1};
    sim_can_ctrl_cb_t cb = {.on_rx = on_peer_rx};
    FUZZ_CHECK(sim_kernel_create(1, &k) == 0 && sim_can_bus_create(k, &bc, &bus) == 0 &&
                   sim_can_ctrl_attach(bus, &pc, &cb, &peer_rx, &peer) == 0 &&
                   sim_can_ctrl_start(peer) == 0,
               "cannot build the world");
    static char not_a_bridge;
    sim_bridge_t *b = (sim_bridge_t *)(void *)&not_a_bridge; /* the call must reset it */
    memset(err, 0, cap);
    int rc = sim_bridge_replay_open(events_path, index, k, bus, NULL, &b, err, cap);
    if (rc != 0) {
        check_error(rc, b, err, cap);
    } else {
        FUZZ_CHECK(b != NULL, "success without a bridge");
        bool stopped = sim_kernel_run_until(k, SIM_TIME_NEVER) == -SIM_ECANCELED;
        sim_bridge_stats_t st;
        sim_bridge_stats(b, &st);
        FUZZ_CHECK(stopped == sim_bridge_stopped(b), "kernel stopped %d, bridge stopped %d",
                   stopped, sim_bridge_stopped(b));
        FUZZ_CHECK(st.rx_injected + st.replay_refused <= rx_records,
                   "%llu frames injected from %zu records", (unsigned long long)st.rx_injected,
                   rx_records);
        FUZZ_CHECK(stopped ? peer_rx <= st.rx_injected : peer_rx == st.rx_injected,
                   "%llu frames injected, %llu delivered", (unsigned long long)st.rx_injected,
                   (unsigned long long)peer_rx);
        sim_bridge_destroy(b);
    }
    sim_can_ctrl_detach(peer);
    sim_can_bus_destroy(bus);
    sim_kernel_destroy(k);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    make_tmp();
    write_input(data + 1, size - 1);
    unsigned index = data[0] % 4u;
    size_t rx_records = count_rx_records(data + 1, size - 1);
    char err[256], err2[256];
    int rc = replay_once(index, rx_records, err, sizeof err);
    int rc2 = replay_once(index, rx_records, err2, sizeof err2);
    FUZZ_CHECK(rc == rc2 && strcmp(err, err2) == 0,
               "a second replay gave %d \"%s\" after %d \"%s\"", rc2, err2, rc, err);
    return 0;
}
