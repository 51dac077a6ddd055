/*
 * bridge_rig.c: the socketpair rig of the bridge unit suites (see bridge_rig.h).
 */
#include "bridge_rig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t fake_now(void *ctx) {
    return ((rig_t *)ctx)->fake_ns;
}

sim_bridge_clock_t rig_fake_clock(rig_t *r) {
    return (sim_bridge_clock_t){.now_ns = fake_now, .ctx = r};
}

static void rig_log(void *ctx, const char *line) {
    rig_t *r = ctx;
    if (r->n_logs < RIG_LOG_MAX) {
        snprintf(r->logs[r->n_logs], sizeof r->logs[0], "%s", line);
    }
    r->n_logs++;
}

bool rig_logged(const rig_t *r, const char *needle) {
    for (unsigned i = 0; i < r->n_logs && i < RIG_LOG_MAX; i++) {
        if (strstr(r->logs[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

int rig_add_bridge(rig_t *r, const sim_bridge_cfg_t *cfg, sim_bridge_t **out, int *host) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) {
        return -errno;
    }
    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
    sim_bridge_io_t io;
    int rc = sim_bridge_io_seqpacket(sv[0], &io);
    if (rc != 0) {
        close(sv[1]);
        return rc;
    }
    sim_bridge_cfg_t c = {0};
    if (cfg != NULL) {
        c = *cfg;
    }
    c.log = rig_log;
    c.log_ctx = r;
    char err[256] = "";
    rc = sim_bridge_create(r->w.k, r->w.bus, r->w.trace, io, &c, out, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "rig: %s\n", err);
        close(sv[1]);
        return rc;
    }
    *host = sv[1];
    return 0;
}

int rig_open(rig_t *r, unsigned n_nodes, sim_time_ns_t period_ns, const char *dir,
             const sim_bridge_cfg_t *cfg) {
    memset(r, 0, sizeof *r);
    r->host = -1;
    r->fake_ns = 1000000000000ull;
    int rc = bw_world_create(&r->w, 1, n_nodes, period_ns, dir);
    if (rc != 0) {
        return rc;
    }
    return rig_add_bridge(r, cfg, &r->b, &r->host);
}

void rig_close(rig_t *r, char digest[65]) {
    sim_bridge_destroy(r->b);
    r->b = NULL;
    if (r->host >= 0) {
        close(r->host);
        r->host = -1;
    }
    bw_world_destroy(&r->w, true, digest);
}

int host_write_raw(int fd, const void *rec, size_t len) {
    return send(fd, rec, len, MSG_DONTWAIT) == (ssize_t)len ? 0 : -errno;
}

int host_write(int fd, const sim_can_frame_t *f) {
    struct can_frame cf;
    memset(&cf, 0, sizeof cf);
    cf.can_id = f->id | ((f->flags & SIM_CAN_FLAG_IDE) ? CAN_EFF_FLAG : 0u) |
                ((f->flags & SIM_CAN_FLAG_RTR) ? CAN_RTR_FLAG : 0u);
    cf.len = f->dlc;
    memcpy(cf.data, f->data, f->dlc);
    return host_write_raw(fd, &cf, sizeof cf);
}

size_t host_read(int fd, sim_can_frame_t *out, size_t max) {
    size_t n = 0;
    struct can_frame cf;
    while (n < max && recv(fd, &cf, sizeof cf, MSG_DONTWAIT) == (ssize_t)sizeof cf) {
        sim_can_frame_t f = {.dlc = cf.len};
        f.flags = (uint8_t)(((cf.can_id & CAN_EFF_FLAG) ? SIM_CAN_FLAG_IDE : 0u) |
                            ((cf.can_id & CAN_RTR_FLAG) ? SIM_CAN_FLAG_RTR : 0u));
        f.id = cf.can_id & CAN_EFF_MASK;
        memcpy(f.data, cf.data, cf.len <= 8 ? cf.len : 8);
        out[n++] = f;
    }
    return n;
}

int rig_run(rig_t *r, sim_time_ns_t t_end) {
    return sim_bridge_run_until(r->w.k, r->b, NULL, t_end, SIM_NS_PER_MS);
}

bool frame_eq(const sim_can_frame_t *a, const sim_can_frame_t *b) {
    return a->id == b->id && a->flags == b->flags && a->dlc == b->dlc &&
           memcmp(a->data, b->data, a->dlc) == 0;
}

char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL) {
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

size_t count_lines_with(const char *text, const char *needle) {
    size_t n = 0;
    const char *line = text;
    while (line != NULL && *line != '\0') {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        char tmp[4200];
        if (len < sizeof tmp) {
            memcpy(tmp, line, len);
            tmp[len] = '\0';
            n += strstr(tmp, needle) != NULL;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    return n;
}

const char *rig_tmp_dir(const char *suite, const char *run, char *buf, size_t len) {
    snprintf(buf, len, "%s/test-tmp", SIM_BINARY_DIR);
    mkdir(buf, 0777);
    snprintf(buf, len, "%s/test-tmp/%s", SIM_BINARY_DIR, suite);
    mkdir(buf, 0777);
    snprintf(buf, len, "%s/test-tmp/%s/%s", SIM_BINARY_DIR, suite, run);
    return buf;
}
