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
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_trace_int.h"

/* Run folders are flat; a deeper tree means something else lives there. */
#define REMOVE_DEPTH_MAX 16

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

int sim_trace__remove_tree(const char *path) {
    return remove_at(path, 0);
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

static int check_parent(const char *partial, char *errbuf, size_t errlen) {
    char parent[4096];
    struct stat st;
    parent_of(partial, parent, sizeof parent);
    if (stat(parent, &st) != 0) {
        snprintf(errbuf, errlen, "cannot create run folder '%s': parent folder '%s': %s", partial,
                 parent, strerror(errno));
        return -SIM_EIO;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(errbuf, errlen, "cannot create run folder '%s': '%s' is not a folder", partial,
                 parent);
        return -SIM_EIO;
    }
    if (access(parent, W_OK | X_OK) != 0) {
        snprintf(errbuf, errlen,
                 "cannot create run folder '%s': parent folder '%s' is not writable", partial,
                 parent);
        return -SIM_EIO;
    }
    return 0;
}

int sim_trace__folder_create(const char *partial, const char *dir, char *errbuf, size_t errlen) {
    int rc = check_parent(partial, errbuf, errlen);
    if (rc != 0) {
        return rc;
    }
    if (replaceable(dir) == 0) {
        snprintf(errbuf, errlen,
                 "'%s' exists and is not a run folder (no events.jsonl): refusing to replace it",
                 dir);
        return -SIM_EIO;
    }
    /* A partial folder left by a crashed run is garbage by definition. */
    if (sim_trace__remove_tree(partial) != 0) {
        snprintf(errbuf, errlen, "cannot remove the stale '%s'", partial);
        return -SIM_EIO;
    }
    if (mkdir(partial, 0777) != 0) {
        snprintf(errbuf, errlen, "cannot create run folder '%s': %s", partial, strerror(errno));
        return -SIM_EIO;
    }
    return 0;
}

int sim_trace__folder_commit(const char *partial, const char *dir) {
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

int sim_trace_remove_folder(const char *path) {
    return sim_trace__remove_tree(path);
}
