/*
 * panel_demo: the panel driven by a synthetic installation (demo_world.h), for trying the
 * controls under a real or virtual display, making documentation screenshots, and measuring the
 * panel's CPU cost. It plays the run layer's part: it fills a snapshot per frame, paces virtual
 * time to the requested speed, and prints each operator input with its virtual time, one line
 * each, as the run layer would record it.
 *
 *   panel_demo [--packs N] [--size WxH] [--headless] [--replay] [--frames N]
 *              [--shot-at SECONDS FILE]... [--bench FRAMES] [--measure SECONDS]
 *
 * --bench draws FRAMES frames headless as fast as it can and reports the CPU time per frame;
 * --measure runs paced at 60 fps (with the window unless --headless) for SECONDS of wall time
 * and reports the process's CPU use. Host clocks are used here for pacing and measuring only:
 * this is a tool, not the simulator.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo_world.h"
#include "panel.h"

#define FRAME_NS  16666667LL /* 60 fps */
#define STEP_NS   100000000LL
#define MAX_SHOTS 16

typedef struct {
    int64_t at_ns;
    const char *path;
    int done;
} shot_t;

typedef struct {
    unsigned packs;
    int width, height;
    int headless, replay;
    long frames, bench_frames;
    double measure_s;
    shot_t shots[MAX_SHOTS];
    unsigned n_shots;
} opts_t;

typedef struct {
    int64_t t_ns;
    int paused, quit;
    uint32_t speed_milli;
} run_t;

static int usage(void) {
    fprintf(stderr, "usage: panel_demo [--packs N] [--size WxH] [--headless] [--replay] "
                    "[--frames N] [--shot-at SECONDS FILE]... [--bench FRAMES] "
                    "[--measure SECONDS]\n");
    return 64;
}

static int parse_args(int argc, char **argv, opts_t *o) {
    memset(o, 0, sizeof *o);
    o->packs = 3;
    o->width = 1280;
    o->height = 800;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--headless") == 0 || strcmp(a, "--replay") == 0) {
            *(a[2] == 'h' ? &o->headless : &o->replay) = 1;
            continue;
        }
        if (!v) {
            return usage();
        }
        i++;
        if (strcmp(a, "--packs") == 0) {
            o->packs = (unsigned)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--size") == 0) {
            if (sscanf(v, "%dx%d", &o->width, &o->height) != 2) {
                return usage();
            }
        } else if (strcmp(a, "--frames") == 0) {
            o->frames = strtol(v, NULL, 10);
        } else if (strcmp(a, "--bench") == 0) {
            o->bench_frames = strtol(v, NULL, 10);
            o->headless = 1;
        } else if (strcmp(a, "--measure") == 0) {
            o->measure_s = strtod(v, NULL);
        } else if (strcmp(a, "--shot-at") == 0 && i + 1 < argc && o->n_shots < MAX_SHOTS) {
            o->shots[o->n_shots].at_ns = (int64_t)(strtod(v, NULL) * 1e9);
            o->shots[o->n_shots++].path = argv[++i];
        } else {
            return usage();
        }
    }
    return 0;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void handle(run_t *r, demo_world_t *w, const panel_input_t *in) {
    char text[160];
    switch (in->kind) {
        case PANEL_IN_QUIT:
            r->quit = 1;
            break;
        case PANEL_IN_PAUSE:
            r->paused = in->on;
            break;
        case PANEL_IN_STEP:
        case PANEL_IN_STEP_EVENT: /* the demo's "events" are its 100 ms ticks */
            r->t_ns = (r->t_ns / STEP_NS + 1) * STEP_NS;
            r->paused = 1;
            break;
        case PANEL_IN_SPEED:
            r->speed_milli = in->speed_milli;
            break;
        case PANEL_IN_SEEK:
            r->t_ns = in->t_ns;
            break;
        default:
            demo_world_apply(w, in, r->t_ns);
            panel_input_describe(in, text, sizeof text);
            printf("%lld %s\n", (long long)r->t_ns, text);
            fflush(stdout);
            break;
    }
}

static void take_shots(panel_t *p, opts_t *o, int64_t t_ns) {
    for (unsigned i = 0; i < o->n_shots; i++) {
        if (!o->shots[i].done && t_ns >= o->shots[i].at_ns) {
            int rc = panel_screenshot(p, o->shots[i].path);
            fprintf(stderr, "panel_demo: %s %s\n", rc == 0 ? "wrote" : "FAILED", o->shots[i].path);
            o->shots[i].done = rc == 0 ? 1 : -1;
        }
    }
}

/* Next frame's virtual time: exactly on a pending screenshot instant if one falls in between. */
static int64_t advance(const run_t *r, const opts_t *o, int64_t end_ns) {
    int64_t dt = r->speed_milli == PANEL_SPEED_ASAP ? 10 * 1000000000LL
                                                    : FRAME_NS * (int64_t)r->speed_milli / 1000;
    int64_t next = r->t_ns + dt;
    for (unsigned i = 0; i < o->n_shots; i++) {
        if (!o->shots[i].done && o->shots[i].at_ns > r->t_ns && o->shots[i].at_ns < next) {
            next = o->shots[i].at_ns;
        }
    }
    return next > end_ns ? end_ns : next;
}

static int all_shots_done(const opts_t *o) {
    for (unsigned i = 0; i < o->n_shots; i++) {
        if (!o->shots[i].done) {
            return 0;
        }
    }
    return 1;
}

static void pace(double *deadline) {
    *deadline += (double)FRAME_NS / 1e9;
    double now = wall_s();
    if (*deadline > now) {
        struct timespec ts = {(time_t)(*deadline - now),
                              (long)((*deadline - now - (double)(time_t)(*deadline - now)) * 1e9)};
        nanosleep(&ts, NULL);
    } else {
        *deadline = now; /* fell behind: do not try to catch up */
    }
}

static int loop(panel_t *p, opts_t *o, demo_world_t *w) {
    run_t r = {.speed_milli = 1000, .paused = 0};
    panel_snapshot_t snap;
    panel_input_t in;
    double deadline = wall_s(), t0 = deadline, c0 = cpu_s();
    long frame = 0;
    int paced = !o->headless || o->measure_s > 0;
    while (!r.quit) {
        demo_world_snapshot(w, r.t_ns, &snap);
        snap.paused = r.paused;
        snap.speed_milli = r.speed_milli;
        panel_draw(p, &snap);
        take_shots(p, o, r.t_ns);
        while (panel_poll(p, &in) > 0) {
            handle(&r, w, &in);
        }
        frame++;
        if ((o->frames && frame >= o->frames) || (o->bench_frames && frame >= o->bench_frames) ||
            (o->measure_s > 0 && wall_s() - t0 >= o->measure_s) ||
            (o->headless && !o->frames && !o->bench_frames && o->measure_s <= 0 &&
             (all_shots_done(o) || r.t_ns >= w->end_ns))) {
            break;
        }
        if (!r.paused) {
            r.t_ns = advance(&r, o, w->end_ns);
        }
        if (paced) {
            pace(&deadline);
        }
    }
    double cpu = cpu_s() - c0, wall = wall_s() - t0;
    if (o->bench_frames || o->measure_s > 0) {
        printf("frames %ld  cpu %.3f s  wall %.3f s  %.1f us/frame  %.2f %% of one core at 60 fps"
               "  (%.2f %% measured)\n",
               frame, cpu, wall, cpu / (double)frame * 1e6, cpu / (double)frame * 60.0 * 100.0,
               cpu / wall * 100.0);
    }
    return all_shots_done(o) ? 0 : 1;
}

int main(int argc, char **argv) {
    opts_t o;
    if (parse_args(argc, argv, &o) != 0) {
        return 64;
    }
    demo_world_t w;
    demo_world_init(&w, o.packs, 600 * 1000000000LL);
    w.replay = o.replay;
    panel_opts_t po;
    panel_opts_default(&po);
    po.title = "alfasim panel demo";
    po.width = o.width;
    po.height = o.height;
    po.headless = o.headless;
    panel_t *p = NULL;
    char err[256];
    if (panel_open(&po, &p, err, sizeof err) != 0) {
        fprintf(stderr, "panel_demo: %s\n", err);
        return 70;
    }
    int rc = loop(p, &o, &w);
    panel_close(p);
    return rc;
}
