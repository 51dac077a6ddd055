/*
 * The run folder's life: open creates "<dir>.partial" with its files, every writer appends
 * through sim_trace__write() (hash + sticky error), close finishes the digest and either commits
 * the folder by rename or removes it.
 *
 * Why a ".partial" folder and a rename: a crashed or interrupted run must never leave something
 * that looks like a finished run. rename(2) is atomic within a file system, so a reader sees
 * either the old folder, or the new one, never a mix.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_trace_int.h"

char *sim_trace__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* "<dir>/<name>" in a fresh allocation, or NULL. */
static char *path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p != NULL) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

static int open_file(sim_trace_t *t, trace_file_t *tf, const char *name, char *errbuf,
                     size_t errlen) {
    char *path = path_join(t->partial, name);
    if (path == NULL) {
        snprintf(errbuf, errlen, "%s: error: out of memory", t->dir);
        return -SIM_ENOMEM;
    }
    /* Binary mode: the bytes hashed are exactly the bytes on disk, on every host. */
    tf->f = fopen(path, "wb");
    if (tf->f == NULL) {
        snprintf(errbuf, errlen, "%s: error: cannot create: %s", path, strerror(errno));
        free(path);
        return -SIM_EIO;
    }
    free(path);
    tf->name = name;
    sim_sha256_init(&tf->sha);
    return 0;
}

static int open_pcap(sim_trace_t *t, char *errbuf, size_t errlen) {
    char *path = path_join(t->partial, "bus.pcap");
    if (path == NULL) {
        snprintf(errbuf, errlen, "%s: error: out of memory", t->dir);
        return -SIM_ENOMEM;
    }
    int rc = sim_trace__pcap_open(path, &t->pcap);
    if (rc == -SIM_ENOTSUP) {
        rc = 0; /* built without libpcap: the contract says cfg.pcap is then ignored */
    } else if (rc != 0) {
        snprintf(errbuf, errlen, "%s: error: cannot create the capture file", path);
    }
    free(path);
    return rc;
}

static int open_all(sim_trace_t *t, const sim_trace_cfg_t *cfg, char *errbuf, size_t errlen) {
    int rc = sim_trace__folder_create(t->partial, t->dir, errbuf, errlen);
    if (rc == 0) {
        rc = open_file(t, &t->buslog, "bus.log", errbuf, errlen);
    }
    if (rc == 0) {
        rc = open_file(t, &t->events, "events.jsonl", errbuf, errlen);
    }
    if (rc == 0) {
        rc = open_file(t, &t->vcdf, "signals.vcd", errbuf, errlen);
    }
    if (rc == 0 && cfg != NULL && cfg->pcap) {
        rc = open_pcap(t, errbuf, errlen);
    }
    return rc;
}

int sim_trace_open(const char *dir, const sim_trace_cfg_t *cfg, sim_trace_t **out, char *errbuf,
                   size_t errlen) {
    SIM_ASSERT(dir != NULL && out != NULL && (errbuf != NULL || errlen == 0));
    char dummy[1];
    if (errbuf == NULL) {
        errbuf = dummy;
        errlen = sizeof dummy;
    }
    errbuf[0] = '\0';
    *out = NULL;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') {
        n--; /* "out/" and "out" name the same folder; the partial sibling must be "out.partial" */
    }
    sim_trace_t *t = calloc(1, sizeof *t);
    if (t == NULL || n == 0 || (t->dir = malloc(n + 1)) == NULL ||
        (t->partial = malloc(n + sizeof ".partial")) == NULL) {
        snprintf(errbuf, errlen, n == 0 ? "empty run folder name" : "out of memory");
        sim_trace_free(t);
        return n == 0 ? -SIM_EINVAL : -SIM_ENOMEM;
    }
    memcpy(t->dir, dir, n);
    t->dir[n] = '\0';
    memcpy(t->partial, dir, n);
    memcpy(t->partial + n, ".partial", sizeof ".partial");
    t->ev.t = t;
    sim_sha256_init(&t->buslog.sha);
    sim_sha256_init(&t->events.sha);
    sim_sha256_init(&t->vcdf.sha);
    int rc = open_all(t, cfg, errbuf, errlen);
    if (rc != 0) {
        sim_trace_close(t, false);
        sim_trace_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void sim_trace__fail(sim_trace_t *t, const char *file, int errno_value) {
    if (t->err == 0) {
        t->err = -SIM_EIO;
        snprintf(t->err_what, sizeof t->err_what, "%s: %s", file,
                 errno_value != 0 ? strerror(errno_value) : "failed");
    }
}

/* Hashes and writes buf[0..len): the digest covers exactly the bytes on disk, in order. */
static void put_out(sim_trace_t *t, trace_file_t *tf, const char *buf, size_t len) {
    sim_sha256_update(&tf->sha, buf, len);
    errno = 0;
    if (fwrite(buf, 1, len, tf->f) != len) {
        sim_trace__fail(t, tf->name, errno);
    }
}

static void drain(sim_trace_t *t, trace_file_t *tf) {
    if (tf->len > 0) {
        put_out(t, tf, tf->buf, tf->len);
        tf->len = 0;
    }
}

void sim_trace__write(sim_trace_t *t, trace_file_t *tf, const char *buf, size_t len) {
    if (t->closed || tf->f == NULL) {
        return;
    }
    if (len > SIM_TRACE_FILE_BUF - tf->len) {
        drain(t, tf);
        if (len > SIM_TRACE_FILE_BUF) {
            put_out(t, tf, buf, len);
            return;
        }
    }
    memcpy(tf->buf + tf->len, buf, len);
    tf->len += len;
}

static void close_file(sim_trace_t *t, trace_file_t *tf, uint8_t digest[SIM_SHA256_LEN]) {
    if (tf->f != NULL) {
        drain(t, tf);
    }
    sim_sha256_final(&tf->sha, digest);
    if (tf->f != NULL) {
        errno = 0;
        if (ferror(tf->f) | (fclose(tf->f) != 0)) { /* both: the file is closed either way */
            sim_trace__fail(t, tf->name, errno);
        }
        tf->f = NULL;
    }
}

void sim_trace__digest_of(const uint8_t h[3 * SIM_SHA256_LEN], char out[SIM_SHA256_HEX_LEN]) {
    uint8_t all[SIM_SHA256_LEN];
    sim_sha256_t c;
    sim_sha256_init(&c);
    sim_sha256_update(&c, h, 3 * SIM_SHA256_LEN);
    sim_sha256_final(&c, all);
    sim_sha256_hex(all, out);
}

/* sha256(h_buslog || h_events || h_vcd): each file's digest is final when its file closes. */
static void finish_digest(sim_trace_t *t) {
    uint8_t h[3 * SIM_SHA256_LEN];
    close_file(t, &t->buslog, h);
    close_file(t, &t->events, h + SIM_SHA256_LEN);
    close_file(t, &t->vcdf, h + 2 * SIM_SHA256_LEN);
    sim_trace__digest_of(h, t->digest);
}

int sim_trace_finish(sim_trace_t *t) {
    SIM_ASSERT(t != NULL);
    if (t->closed) {
        return t->err;
    }
    SIM_ASSERT(!t->ev.open);
    if (t->vcdf.f != NULL) {
        sim_trace__vcd_finish(t);
    }
    if (t->pcap != NULL) {
        errno = 0;
        if (sim_trace__pcap_close(t->pcap) != 0) {
            sim_trace__fail(t, "bus.pcap", errno);
        }
        t->pcap = NULL;
    }
    finish_digest(t);
    t->closed = true;
    return t->err;
}

int sim_trace_close(sim_trace_t *t, bool commit) {
    SIM_ASSERT(t != NULL);
    if (t->settled) {
        return t->err;
    }
    sim_trace_finish(t);
    t->settled = true;
    /* A run whose files are incomplete is not committed: no half-written output, ever. */
    if (commit && t->err == 0) {
        errno = 0;
        if (sim_trace__folder_commit(t->partial, t->dir) != 0) {
            sim_trace__fail(t, "moving the run folder into place", errno);
        }
        t->committed = t->err == 0;
    }
    if (!t->committed) {
        sim_trace__remove_tree(t->partial);
    }
    return t->err;
}

const char *sim_trace_error(const sim_trace_t *t) {
    SIM_ASSERT(t != NULL);
    return t->err != 0 ? t->err_what : NULL;
}

void sim_trace_free(sim_trace_t *t) {
    if (t == NULL) {
        return;
    }
    if (!t->settled && t->partial != NULL) {
        sim_trace_close(t, false);
    }
    sim_trace__vcd_free(&t->vcd);
    for (size_t i = 0; i < t->n_buses; i++) {
        free(t->buses[i].ctrls);
    }
    free(t->dir);
    free(t->partial);
    free(t);
}

const char *sim_trace_digest(const sim_trace_t *t) {
    SIM_ASSERT(t != NULL && t->closed);
    return t->digest;
}

const char *sim_trace_dir(const sim_trace_t *t) {
    SIM_ASSERT(t != NULL);
    return t->committed ? t->dir : t->partial;
}
