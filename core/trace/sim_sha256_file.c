/*
 * sim_sha256_file.c: the SHA-256 of a file's bytes, for the scenario hash in report.json, the
 * replay's check that the scenario has not changed, and the digest of a run folder's traces.
 * Kept apart from sim_sha256.c, which does no I/O.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "sim_file.h"
#include "sim_sha256.h"
#include "sim_types.h"

int sim_sha256_file(const char *path, uint8_t out[SIM_SHA256_LEN]) {
    int fd = sim_open_regular(path); /* a FIFO where the file belongs is refused, not waited on */
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (f == NULL) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
        }
        return e == ENOENT ? -SIM_ENOENT : -SIM_EIO;
    }
    sim_sha256_t c;
    sim_sha256_init(&c);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sim_sha256_update(&c, buf, n);
    }
    int rc = ferror(f) ? -SIM_EIO : 0;
    fclose(f);
    sim_sha256_final(&c, out);
    return rc;
}
