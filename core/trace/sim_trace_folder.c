/*
 * The run folder on disk: "<dir>.partial" while a run writes, renamed to <dir> when it commits.
 *
 * Replacing an older <dir> takes three steps, each one a rename or a removal, so that at every
 * instant either the old or the new run folder exists under <dir>:
 *
 *   <dir>          ──rename──▶ <dir>.old
 *   <dir>.partial  ──rename──▶ <dir>          (on failure, <dir>.old goes back)
 *   <dir>.old      ──remove──▶ gone
 *
 * An existing <dir> is replaced only when it looks like a run folder (a directory holding
 * events.jsonl, which every run writes) or is empty: `--out ~` must never delete a home folder.
 *
 * A run owns its partial folder. Two runs given the same --out must not share it: the second
 * used to delete the first one's files as "stale" and both went on writing. So the folder is
 * born locked: it is made under a unique temporary name ("<dir>.partial.XXXXXX"), an exclusive
 * flock is taken on its descriptor, and only then is it renamed to "<dir>.partial" with
 * RENAME_NOREPLACE, which fails if that name exists. No instant exists at which another process
 * sees an unlocked live partial folder. (A file system without RENAME_NOREPLACE, such as a 9p
 * share, gets mkdir, lock, then a check that the name still holds that folder: claim_by_mkdir.)
 * The lock lives as long as the descriptor: it is released when the folder is committed or
 * removed, and the kernel drops it when the process dies, which is how a stale partial folder
 * (a killed run) is told from a live one: its lock can be taken. The descriptors are kept in a
 * small table here (core is single-threaded).
 */
#define _GNU_SOURCE /* renameat2 and RENAME_NOREPLACE (Linux 3.15, glibc 2.28) */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_trace_int.h"

/* Run folders are flat; a deeper tree means something else lives there. */
#define REMOVE_DEPTH_MAX 16

/* Partial folders one process may write at once; a run writes one. */
#define OWNED_MAX 32

/* Rounds of "the partial folder exists, it is stale, remove it, try again" before giving up. */
#define CLAIM_TRIES_MAX 8

/*
 * A partial folder this process created and holds the lock of. The owner is the trace that
 * created it, known by the identity of the path string it passes to create, commit and remove
 * (see sim_trace_int.h): a second trace of the same process naming the same folder is refused
 * exactly like another process, and its clean-up removes nothing.
 */
typedef struct {
    int fd;
    const char *partial; /* compared by address only, never printed or ordered by */
} owned_t;

static owned_t owned[OWNED_MAX];
static size_t n_owned;

static char *concat(const char *a, const char *b, const char *c) {
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *p = malloc(la + lb + lc + 1);
    if (p != NULL) {
        memcpy(p, a, la);
        memcpy(p + la, b, lb);
        memcpy(p + la + lb, c, lc + 1);
    }
    return p;
}

static int remove_at(const char *path, unsigned depth) {
    struct stat st;
    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : -SIM_EIO;
    }
    if (!S_ISDIR(st.st_mode)) {
        return unlink(path) == 0 ? 0 : -SIM_EIO;
    }
    if (depth >= REMOVE_DEPTH_MAX) {
        return -SIM_EIO;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        return -SIM_EIO;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char *child = concat(path, "/", e->d_name);
        int crc = child != NULL ? remove_at(child, depth + 1) : -SIM_ENOMEM;
        free(child);
        if (crc != 0 && rc == 0) {
            rc = crc;
        }
    }
    closedir(d);
    if (rc == 0 && rmdir(path) != 0) {
        rc = -SIM_EIO;
    }
    return rc;
}

/* The slot of the partial folder this path string owns, or OWNED_MAX. */
static size_t owned_find(const char *partial) {
    for (size_t i = 0; i < n_owned; i++) {
        if (owned[i].partial == partial) {
            return i;
        }
    }
    return OWNED_MAX;
}

/* Closes the descriptor (so drops the lock) of an owned folder. */
static void owned_release(size_t i) {
    close(owned[i].fd);
    owned[i] = owned[--n_owned];
}

/* Opens a directory for its lock; no symbolic link is followed, no child inherits it. */
static int open_dir(const char *path) {
    return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* 1 when the lock of the directory open at fd was free and is now ours, 0 when a live run holds
 * it, -1 on another error. */
static int lock_dir(int fd) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        return 1;
    }
    return errno == EWOULDBLOCK ? 0 : -1;
}

/* True when path still names the directory open at fd (it was not removed or replaced). */
static bool same_dir(int fd, const char *path) {
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/*
 * Removes a tree unless a live run holds it locked (-SIM_EBUSY), this process included: a
 * partial folder this process writes is never stale. The lock is taken for the time of the
 * removal, so two processes never remove the same stale folder while a third replaces it.
 */
static int remove_stale(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return remove_at(path, 0);
    }
    int fd = open_dir(path);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -SIM_EIO;
    }
    int locked = lock_dir(fd);
    int rc = locked == 0 ? -SIM_EBUSY : locked < 0 ? -SIM_EIO : 0;
    if (rc == 0) {
        rc = same_dir(fd, path) ? remove_at(path, 0) : -SIM_EAGAIN;
    }
    close(fd);
    return rc;
}

/* A folder this process owns is removed and its lock released; any other one only if stale. */
int sim_trace__remove_tree(const char *path) {
    size_t i = owned_find(path);
    if (i == OWNED_MAX) {
        return remove_stale(path);
    }
    int rc = remove_at(path, 0);
    owned_release(i);
    return rc;
}

/* 1 when dir is an empty directory or holds events.jsonl; 0 when not; -1 when absent. */
static int replaceable(const char *dir) {
    struct stat st;
    if (lstat(dir, &st) != 0) {
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return 0;
    }
    char *marker = concat(dir, "/", "events.jsonl");
    int ok = marker != NULL && lstat(marker, &st) == 0 && S_ISREG(st.st_mode);
    free(marker);
    if (ok) {
        return 1;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    int empty = 1;
    struct dirent *e;
    while (empty && (e = readdir(d)) != NULL) {
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    }
    closedir(d);
    return empty;
}

/* The parent of path: "a/b" -> "a", "b" -> ".", "/b" -> "/". */
static void parent_of(const char *path, char *out, size_t len) {
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(out, len, ".");
    } else if (slash == path) {
        snprintf(out, len, "/");
    } else {
        snprintf(out, len, "%.*s", (int)(slash - path), path);
    }
}

static int check_parent(const char *partial, const char *dir, char *errbuf, size_t errlen) {
    char parent[4096];
    struct stat st;
    parent_of(partial, parent, sizeof parent);
    if (stat(parent, &st) != 0) {
        snprintf(errbuf, errlen, "%s: error: cannot create run folder: parent folder '%s': %s", dir,
                 parent, strerror(errno));
        return -SIM_EIO;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(errbuf, errlen, "%s: error: cannot create run folder: '%s' is not a folder", dir,
                 parent);
        return -SIM_EIO;
    }
    if (access(parent, W_OK | X_OK) != 0) {
        snprintf(errbuf, errlen,
                 "%s: error: cannot create run folder: parent folder '%s' is not writable", dir,
                 parent);
        return -SIM_EIO;
    }
    return 0;
}

/* The process's file mode creation mask, read without changing it (umask(2) can only set it, and
 * setting it, even back, races with other threads creating files). 022 when /proc is absent. */
static mode_t process_umask(void) {
    unsigned mask = 022;
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[128];
        while (fgets(line, sizeof line, f) != NULL) {
            if (sscanf(line, "Umask: %o", &mask) == 1) {
                break;
            }
        }
        fclose(f);
    }
    return (mode_t)(mask & 0777u);
}

/* Makes a fresh directory under a unique name next to partial and locks it; its fd or -1.
 * mkdtemp makes it 0700: it gets the mode mkdir would have given it, so that a run folder is as
 * readable as any other folder its user makes (CI artifact uploads, shared result folders). */
static int make_locked_temp(const char *partial, char *tmp, size_t cap) {
    snprintf(tmp, cap, "%s.XXXXXX", partial);
    if (mkdtemp(tmp) == NULL) {
        return -1;
    }
    int fd = open_dir(tmp);
    if (fd >= 0 && fchmod(fd, 0777 & ~process_umask()) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0 && lock_dir(fd) == 1) {
        return fd;
    }
    int e = errno;
    if (fd >= 0) {
        close(fd);
    }
    rmdir(tmp);
    errno = e;
    return -1;
}

/* Records the folder open at fd as owned by the trace whose path string is partial. */
static int own(int fd, const char *partial) {
    if (n_owned == OWNED_MAX) {
        errno = EMFILE;
        return -SIM_EIO;
    }
    owned[n_owned++] = (owned_t){.fd = fd, .partial = partial};
    return 0;
}

/*
 * Moves the locked temporary folder to partial. An existing partial is either live (its lock is
 * held: -SIM_EBUSY) or stale (removed under its lock, then the move is tried again).
 */
static int claim(const char *tmp, const char *partial) {
    for (unsigned attempt = 0; attempt < CLAIM_TRIES_MAX; attempt++) {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, partial, RENAME_NOREPLACE) == 0) {
            return 0;
        }
        if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
            return -SIM_ENOTSUP; /* a file system without RENAME_NOREPLACE (9p, some NFS) */
        }
        if (errno != EEXIST) {
            return -SIM_EIO;
        }
        int rc = remove_stale(partial);
        if (rc == -SIM_EBUSY || (rc != 0 && rc != -SIM_EAGAIN)) {
            return rc;
        }
    }
    return -SIM_EBUSY; /* the name kept coming back: someone else is busy creating it */
}

/* The folder made under a unique name, locked, then moved into place: never seen unlocked. */
static int claim_by_rename(const char *partial, int *fd) {
    char *tmp = concat(partial, ".XXXXXX", "");
    if (tmp == NULL) {
        return -SIM_ENOMEM;
    }
    *fd = make_locked_temp(partial, tmp, strlen(tmp) + 1);
    int rc = *fd < 0 ? -SIM_EIO : claim(tmp, partial);
    if (rc != 0 && *fd >= 0) {
        int e = errno;
        rmdir(tmp); /* still ours and empty when the move failed */
        close(*fd);
        *fd = -1;
        errno = e;
    }
    free(tmp);
    return rc;
}

/*
 * Where rename cannot refuse to replace: mkdir (exclusive), then the lock, then a check that
 * the name still holds that folder. Between mkdir and the lock another run may take the empty
 * folder for stale and remove it; the check sees that and the loop tries again. A folder that
 * passed the check is locked, and only a lock holder removes a folder, so it stays ours.
 */
static int claim_by_mkdir(const char *partial, int *fd) {
    for (unsigned attempt = 0; attempt < CLAIM_TRIES_MAX; attempt++) {
        if (mkdir(partial, 0777) == 0) {
            *fd = open_dir(partial);
            if (*fd >= 0 && lock_dir(*fd) == 1 && same_dir(*fd, partial)) {
                return 0;
            }
            if (*fd >= 0) {
                close(*fd);
            }
            *fd = -1;
            continue;
        }
        if (errno != EEXIST) {
            return -SIM_EIO;
        }
        int rc = remove_stale(partial);
        if (rc == -SIM_EBUSY || (rc != 0 && rc != -SIM_EAGAIN)) {
            return rc;
        }
    }
    return -SIM_EBUSY;
}

static int create_failed(int rc, const char *partial, const char *dir, char *errbuf,
                         size_t errlen) {
    if (rc == -SIM_EBUSY) {
        snprintf(errbuf, errlen, "%s: error: another alfasim run is writing this run folder", dir);
        return rc;
    }
    snprintf(errbuf, errlen, "%s: error: cannot create run folder '%s': %s", dir, partial,
             errno != 0 ? strerror(errno) : "cannot remove the stale one");
    return rc == -SIM_ENOMEM ? rc : -SIM_EIO;
}

int sim_trace__folder_create(const char *partial, const char *dir, char *errbuf, size_t errlen) {
    int rc = check_parent(partial, dir, errbuf, errlen);
    if (rc != 0) {
        return rc;
    }
    if (replaceable(dir) == 0) {
        snprintf(errbuf, errlen,
                 "%s: error: exists and is not a run folder (no events.jsonl): refusing to "
                 "replace it",
                 dir);
        return -SIM_EIO;
    }
    int fd = -1;
    errno = 0;
    rc = claim_by_rename(partial, &fd);
    if (rc == -SIM_ENOTSUP) {
        errno = 0;
        rc = claim_by_mkdir(partial, &fd);
    }
    if (rc == 0 && (rc = own(fd, partial)) != 0) {
        close(fd); /* unlocked, the folder is stale: the caller's clean-up removes it */
    }
    return rc == 0 ? 0 : create_failed(rc, partial, dir, errbuf, errlen);
}

static int commit_rename(const char *partial, const char *dir) {
    int r = replaceable(dir);
    if (r < 0) {
        return rename(partial, dir) == 0 ? 0 : -SIM_EIO;
    }
    if (r == 0) {
        return -SIM_EIO;
    }
    char *old = concat(dir, ".old", "");
    if (old == NULL) {
        return -SIM_ENOMEM;
    }
    int rc = -SIM_EIO;
    if (sim_trace__remove_tree(old) == 0 && rename(dir, old) == 0) {
        if (rename(partial, dir) == 0) {
            rc = 0;
            sim_trace__remove_tree(old); /* the new run is in place; leftovers are harmless */
        } else {
            (void)rename(old, dir);
        }
    }
    free(old);
    return rc;
}

int sim_trace__folder_commit(const char *partial, const char *dir) {
    int rc = commit_rename(partial, dir);
    size_t i = owned_find(partial);
    if (rc == 0 && i != OWNED_MAX) {
        owned_release(i); /* committed, it is no longer a partial folder: nothing to guard */
    }
    return rc;
}

int sim_trace_remove_folder(const char *path) {
    return sim_trace__remove_tree(path);
}
