/*
 * sim_plugin.c: loading isolated copies of a plugin and checking their descriptor.
 *
 * Each copy is the image's bytes in a fresh memfd, dlopen()ed through /proc/self/fd/N. A memfd
 * has its own inode, so the dynamic linker sees a new object and maps new .data/.bss for it.
 * The descriptor stays open until the copy is unloaded because glibc matches dlopen() requests
 * against loaded objects by name first: had we closed fd N, the next copy would get number N
 * again, and dlopen("/proc/self/fd/N") would hand back the previous, still-loaded copy (shared
 * globals: the very bug this loader exists to prevent). memfd_create needs _GNU_SOURCE, which is
 * confined to this file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_plugin_int.h"

struct sim_plugin {
    sim_plugin_image_t *img;
    void *handle;
    int fd;
    const alfasim_plugin_t *desc;
};

/* dlsym returns an object pointer; POSIX guarantees it converts to a function pointer, ISO C
 * does not, so the bits are copied rather than cast (pedantic-clean). */
_Static_assert(sizeof(void *) == sizeof(alfasim_plugin_entry_fn), "function pointer size");

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static int write_all(int fd, const unsigned char *bytes, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* A memfd holding the image, named after the file so /proc/self/maps and debuggers show which
 * plugin a mapping belongs to. */
static int make_memfd(const sim_plugin_image_t *img, char *err, size_t errlen) {
    char name[64];
    snprintf(name, sizeof name, "alfasim:%s", base_name(sim_plugin_image_path(img)));
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0 || write_all(fd, sim_plugin_image_bytes(img), sim_plugin_image_size(img)) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
        }
        snprintf(err, errlen, "%s: error: cannot copy plugin into memory: %s",
                 sim_plugin_image_path(img), strerror(e));
        return -1;
    }
    return fd;
}

/* dlerror() names the /proc/self/fd path, which means nothing to the user and varies from run to
 * run; the message is reported under the plugin's own path instead. */
static const char *strip_fd_path(const char *msg, const char *fd_path) {
    size_t n = strlen(fd_path);
    if (msg == NULL) {
        return "unknown error";
    }
    if (strncmp(msg, fd_path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ') {
        return msg + n + 2;
    }
    return msg;
}

static int check_version(const char *path, const alfasim_plugin_t *d, char *err, size_t errlen) {
    if (d->abi_version > ALFASIM_PLUGIN_ABI_VERSION) {
        snprintf(err, errlen,
                 "%s: error: plugin ABI version %u is newer than this alfasim (supports 1..%u)",
                 path, (unsigned)d->abi_version, (unsigned)ALFASIM_PLUGIN_ABI_VERSION);
        return -SIM_EVERSION;
    }
    if (d->abi_version < 1) {
        snprintf(err, errlen, "%s: error: plugin ABI version %u is not supported (supports 1..%u)",
                 path, (unsigned)d->abi_version, (unsigned)ALFASIM_PLUGIN_ABI_VERSION);
        return -SIM_EVERSION;
    }
    return 0;
}

/* The operations table of ABI version 1 ends with on_adc_burst; later versions append, so a
 * version-v plugin must provide at least the version-v table. */
static size_t ops_size_needed(uint32_t abi_version) {
    (void)abi_version; /* version 2 added to the host table only: one entry-point table so far */
    return sizeof(alfasim_fw_ops_t);
}

static int check_descriptor(const char *path, const alfasim_plugin_t *d, char *err, size_t errlen) {
    if (d == NULL) {
        snprintf(err, errlen, "%s: error: plugin entry returned no descriptor", path);
        return -SIM_EFORMAT;
    }
    int rc = check_version(path, d, err, errlen);
    if (rc != 0) {
        return rc;
    }
    if (d->ops_size < ops_size_needed(d->abi_version)) {
        snprintf(err, errlen,
                 "%s: error: plugin operations table is %u bytes, ABI version %u needs at least "
                 "%zu",
                 path, (unsigned)d->ops_size, (unsigned)d->abi_version,
                 ops_size_needed(d->abi_version));
        return -SIM_EFORMAT;
    }
    if (d->ops == NULL || d->ops->init == NULL) {
        snprintf(err, errlen, "%s: error: plugin descriptor has no operations (or no init)", path);
        return -SIM_EFORMAT;
    }
    return 0;
}

/* Resolves the entry point of a freshly opened copy and validates what it returns. */
static int bind_entry(sim_plugin_t *p, char *err, size_t errlen) {
    const char *path = sim_plugin_image_path(p->img);
    void *sym = dlsym(p->handle, ALFASIM_PLUGIN_ENTRY_SYMBOL);
    if (sym == NULL) {
        snprintf(err, errlen, "%s: error: not an alfasim plugin (no %s symbol)", path,
                 ALFASIM_PLUGIN_ENTRY_SYMBOL);
        return -SIM_EFORMAT;
    }
    alfasim_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry);
    p->desc = entry();
    return check_descriptor(path, p->desc, err, errlen);
}

static void release_copy(sim_plugin_t *p) {
    if (p->handle != NULL) {
        dlclose(p->handle);
    }
    if (p->fd >= 0) {
        close(p->fd);
    }
    sim_plugin_image_release(p->img);
    free(p);
}

/* The first copy's memory file becomes the image's code file; later copies map their read-only
 * segments from it (sim_plugin_int.h). A copy whose pages could not be replaced is left loaded
 * (its code may be gone, so neither running nor closing it is safe) and reported. */
static int share_code(sim_plugin_t *p, char *err, size_t errlen) {
    int code_fd = sim_plugin__image_code_fd(p->img);
    if (code_fd < 0) {
        int fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0);
        if (fd >= 0) {
            sim_plugin__image_set_code_fd(p->img, fd);
        }
        return 0; /* out of descriptors: every copy keeps its own code, which still works */
    }
    long shared = sim_plugin__share_readonly(p->handle, sim_plugin_image_bytes(p->img),
                                             sim_plugin_image_size(p->img), code_fd);
    if (shared < 0) {
        snprintf(err, errlen, "%s: error: cannot map plugin code: %s",
                 sim_plugin_image_path(p->img), strerror(errno));
        p->handle = NULL;
        return -SIM_ENOMEM;
    }
    return 0;
}

int sim_plugin_load(sim_plugin_image_t *img, sim_plugin_t **out, char *err, size_t errlen) {
    SIM_ASSERT(img != NULL && out != NULL);
    *out = NULL;
    sim_plugin_t *p = calloc(1, sizeof *p);
    if (p == NULL) {
        snprintf(err, errlen, "%s: error: out of memory", sim_plugin_image_path(img));
        return -SIM_ENOMEM;
    }
    sim_plugin_image_retain(img);
    p->img = img;
    p->fd = make_memfd(img, err, errlen);
    if (p->fd < 0) {
        release_copy(p); /* out of descriptors or memory: a resource problem, not bad input */
        return -SIM_ENOMEM;
    }
    char fd_path[32];
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", p->fd);
    dlerror();
    p->handle = dlopen(fd_path, RTLD_NOW | RTLD_LOCAL);
    if (p->handle == NULL) {
        snprintf(err, errlen, "%s: error: not an alfasim plugin (not a shared object: %s)",
                 sim_plugin_image_path(img), strip_fd_path(dlerror(), fd_path));
        release_copy(p);
        return -SIM_EFORMAT;
    }
    int rc = share_code(p, err, errlen);
    if (rc == 0) {
        rc = bind_entry(p, err, errlen);
    }
    if (rc != 0) {
        release_copy(p);
        return rc;
    }
    *out = p;
    return 0;
}

int sim_plugin_open(const char *path, sim_plugin_t **out, char *err, size_t errlen) {
    sim_plugin_image_t *img = NULL;
    int rc = sim_plugin_image_read(path, &img, err, errlen);
    if (rc != 0) {
        *out = NULL;
        return rc;
    }
    rc = sim_plugin_load(img, out, err, errlen);
    sim_plugin_image_release(img); /* the copy holds its own reference */
    return rc;
}

void sim_plugin_unload(sim_plugin_t *p) {
    if (p != NULL) {
        release_copy(p);
    }
}

const alfasim_plugin_t *sim_plugin_descriptor(const sim_plugin_t *p) {
    return p->desc;
}

sim_plugin_image_t *sim_plugin_image(const sim_plugin_t *p) {
    return p->img;
}

int sim_plugin_exit_code(int err) {
    switch (err) {
        case 0:
            return 0;
        case -SIM_ENOENT:
        case -SIM_EIO:
            return 66;
        case -SIM_EFORMAT:
        case -SIM_EVERSION:
            return 65;
        default:
            return 70;
    }
}
