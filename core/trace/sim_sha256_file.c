/*
 * sim_sha256_file.c: the SHA-256 of a file's bytes, for the scenario hash in report.json, the
 * replay's check that the scenario has not changed, and the digest of a run folder's traces.
 * Kept apart from sim_sha256.c, which does no I/O.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_sha256.h"
#include "sim_types.h"

/*
 * Opens a regular file for reading. Anything else is refused (errno EINVAL, or EISDIR for a
 * folder): a FIFO put where a file belongs would block the open, or the read, for ever, and a
 * signal could not end a command waiting there. O_NONBLOCK keeps the open itself from waiting.
 */
static FILE *open_regular(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    struct stat st;
    FILE *f = NULL;
    if (fstat(fd, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        } else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0) {
            f = fdopen(fd, "rb");
        }
    }
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

int sim_sha256_file(const char *path, uint8_t out[SIM_SHA256_LEN]) {
    FILE *f = open_regular(path);
    if (f == NULL) {
        return errno == ENOENT ? -SIM_ENOENT : -SIM_EIO;
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
