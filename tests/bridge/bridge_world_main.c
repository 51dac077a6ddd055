/*
 * bridge_world: a bridged three-node world as a program, for the end-to-end bridge tests with
 * real clients (python-can over socketcand, can-utils over vcan).
 *
 *   bridge_world live DIR SECONDS FACTOR SPEC [PORTFILE|- [PAUSE_AT_S PAUSE_MS]]
 *       Runs the world for SECONDS of virtual time, paced at FACTOR (0: unpaced), bridged
 *       through SPEC (socketcand:127.0.0.1:0 or socketcan:vcan0), writing the run folder DIR.
 *       For socketcand, writes the listening port to PORTFILE and waits (up to 30 s) for a
 *       client before starting. With PAUSE_AT_S, the simulation pauses at that virtual second
 *       for PAUSE_MS of host time (the bridge keeps reading the host), after creating the file
 *       DIR.paused. Prints the bridge statistics and "digest <hex>".
 *   bridge_world replay LIVE_DIR DIR SECONDS
 *       Replays LIVE_DIR's bridge into DIR without any socket; prints "digest <hex>".
 *
 * Exit status: 0 done, 64 usage, 69 bridge unavailable (as alfasim run), 70 anything else.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_world.h"
#include "sim_bridge.h"

#define NODES     3
#define PERIOD_NS (100 * SIM_NS_PER_MS)

static int usage(void) {
    fprintf(stderr, "usage: bridge_world live DIR SECONDS FACTOR SPEC [PORTFILE|- [PAUSE_AT_S "
                    "PAUSE_MS]]\n"
                    "       bridge_world replay LIVE_DIR DIR SECONDS\n");
    return 64;
}

static int write_port(const char *path, unsigned port) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
        return -1;
    }
    return rename(tmp, path);
}

static int finish(bw_world_t *w, sim_bridge_t *b, int rc) {
    char stats[1024], digest[65] = "";
    if (sim_bridge_stats_json(b, stats, sizeof stats) > 0) {
        printf("stats %s\n", stats);
    }
    sim_bridge_destroy(b);
    bw_world_destroy(w, rc == 0, digest);
    printf("digest %s\n", digest);
    return rc == 0 ? 0 : 70;
}

typedef struct {
    sim_time_ns_t at_ns; /* 0: no pause */
    int host_ms;
} pause_t;

/* A paused simulation: the kernel stands still while the bridge keeps taking host frames. */
static int pause_here(sim_bridge_t *b, sim_pacer_t *p, const char *dir, int host_ms,
                      sim_time_ns_t now_ns) {
    char marker[4096];
    snprintf(marker, sizeof marker, "%s.paused", dir);
    FILE *f = fopen(marker, "w");
    if (f == NULL || fclose(f) != 0) {
        return -SIM_EIO;
    }
    int rc = sim_bridge_service(b, host_ms);
    sim_pacer_rebase(p, sim_bridge_host_now_ns(), now_ns);
    return rc;
}

static int run_paced(bw_world_t *w, sim_bridge_t *b, uint32_t factor_milli, sim_time_ns_t end_ns,
                     const char *dir, const pause_t *pause) {
    sim_pacer_t p;
    sim_pacer_init(&p, factor_milli);
    int rc = 0;
    if (pause->at_ns > 0 && pause->at_ns < end_ns) {
        rc = sim_bridge_run_until(w->k, b, &p, pause->at_ns, SIM_NS_PER_MS);
        if (rc == 0) {
            rc = pause_here(b, &p, dir, pause->host_ms, sim_kernel_now(w->k));
        }
    }
    if (rc == 0) {
        rc = sim_bridge_run_until(w->k, b, &p, end_ns, SIM_NS_PER_MS);
    }
    return rc == 0 ? sim_bridge_drain(b, 5000) : rc;
}

static int live(const char *dir, sim_time_ns_t end_ns, const char *factor, const char *spec_text,
                const char *portfile, const pause_t *pause) {
    uint32_t factor_milli = 0;
    sim_bridge_spec_t spec;
    char err[512];
    if ((strcmp(factor, "0") != 0 && sim_pacer_parse_factor(factor, &factor_milli) != 0) ||
        sim_bridge_parse_spec(spec_text, &spec, err, sizeof err) != 0) {
        return usage();
    }
    bw_world_t w;
    if (bw_world_create(&w, 1, NODES, PERIOD_NS, dir) != 0) {
        return 70;
    }
    sim_bridge_cfg_t cfg = {.grace_ms = 100, .rate_milli = factor_milli};
    sim_bridge_t *b = NULL;
    if (sim_bridge_open(w.k, w.bus, w.trace, &spec, &cfg, &b, err, sizeof err) != 0) {
        fprintf(stderr, "bridge_world: %s\n", err);
        bw_world_destroy(&w, false, NULL);
        return 69;
    }
    if (portfile != NULL && strcmp(portfile, "-") != 0 &&
        write_port(portfile, sim_bridge_port(b)) != 0) {
        return finish(&w, b, -1);
    }
    if (spec.kind == SIM_BRIDGE_SOCKETCAND && sim_bridge_wait_ready(b, 30000) != 0) {
        fprintf(stderr, "bridge_world: no socketcand client within 30 s\n");
        return finish(&w, b, -1);
    }
    return finish(&w, b, run_paced(&w, b, factor_milli, end_ns, dir, pause));
}

static int replay(const char *live_dir, const char *dir, sim_time_ns_t end_ns) {
    bw_world_t w;
    if (bw_world_create(&w, 1, NODES, PERIOD_NS, dir) != 0) {
        return 70;
    }
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/events.jsonl", live_dir);
    sim_bridge_t *b = NULL;
    if (sim_bridge_replay_open(path, 0, w.k, w.bus, w.trace, &b, err, sizeof err) != 0) {
        fprintf(stderr, "bridge_world: %s\n", err);
        bw_world_destroy(&w, false, NULL);
        return 66;
    }
    return finish(&w, b, sim_kernel_run_until(w.k, end_ns));
}

int main(int argc, char **argv) {
    if (argc >= 6 && argc <= 9 && argc != 8 && strcmp(argv[1], "live") == 0) {
        sim_time_ns_t end = (sim_time_ns_t)atoi(argv[3]) * SIM_NS_PER_S;
        pause_t pause = {0};
        if (argc == 9) {
            pause.at_ns = (sim_time_ns_t)atoi(argv[7]) * SIM_NS_PER_S;
            pause.host_ms = atoi(argv[8]);
        }
        return live(argv[2], end, argv[4], argv[5], argc > 6 ? argv[6] : NULL, &pause);
    }
    if (argc == 5 && strcmp(argv[1], "replay") == 0) {
        return replay(argv[2], argv[3], (sim_time_ns_t)atoi(argv[4]) * SIM_NS_PER_S);
    }
    return usage();
}
