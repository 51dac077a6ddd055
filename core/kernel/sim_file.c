/*
 * sim_file.c: opening a regular file without waiting (contract in sim_file.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "sim_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int sim_open_regular(const char *path) {
    /* O_NONBLOCK: opening a FIFO nobody writes to returns at once instead of waiting. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    int err = fstat(fd, &st) != 0                                         ? errno
              : S_ISDIR(st.st_mode)                                       ? EISDIR
              : !S_ISREG(st.st_mode)                                      ? ENODEV
              : fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ? errno
                                                                          : 0;
    if (err != 0) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}
