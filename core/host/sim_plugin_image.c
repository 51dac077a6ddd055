/*
 * sim_plugin_image.c: plugin file bytes, read once and shared by reference, and the per-run
 * cache of images by path. Copies are made from these bytes (sim_plugin.c), so the file is read
 * once however many nodes run it, and a file rebuilt during a run cannot mix two versions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_plugin_int.h"

/* Larger than any firmware plugin we build (a few hundred KiB); a bound, not a tuning knob. */
#define IMAGE_BYTES_MAX  (64u * 1024u * 1024u)
#define CACHE_IMAGES_MAX 64u

struct sim_plugin_image {
    unsigned refs;
    char *path;
    unsigned char *bytes;
    size_t size;
    int code_fd; /* see sim_plugin_int.h; -1 until the first copy is loaded */
};

struct sim_plugin_cache {
    sim_plugin_image_t *images[CACHE_IMAGES_MAX];
    unsigned count;
};

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* Reads the whole file; the file's size is found by reading, not by stat, so pipes and /proc
 * entries work and a file shrinking under us is not a problem. */
static int read_all(FILE *f, unsigned char **out, size_t *size) {
    size_t cap = 64u * 1024u, len = 0;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) {
        return -SIM_ENOMEM;
    }
    for (;;) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) {
            break;
        }
        if (cap >= IMAGE_BYTES_MAX) {
            free(buf);
            return -SIM_ERANGE;
        }
        unsigned char *grown = realloc(buf, cap * 2u);
        if (grown == NULL) {
            free(buf);
            return -SIM_ENOMEM;
        }
        buf = grown;
        cap *= 2u;
    }
    if (ferror(f)) {
        free(buf);
        return -SIM_EIO;
    }
    *out = buf;
    *size = len;
    return 0;
}

static int read_error(const char *path, int rc, int saved_errno, char *err, size_t errlen) {
    if (rc == -SIM_ENOMEM) {
        snprintf(err, errlen, "%s: error: cannot read plugin: out of memory", path);
    } else if (rc == -SIM_ERANGE) {
        snprintf(err, errlen, "%s: error: cannot read plugin: larger than %u bytes", path,
                 IMAGE_BYTES_MAX);
        rc = -SIM_EIO;
    } else {
        snprintf(err, errlen, "%s: error: cannot read plugin: %s", path, strerror(saved_errno));
    }
    return rc;
}

int sim_plugin_image_read(const char *path, sim_plugin_image_t **out, char *err, size_t errlen) {
    SIM_ASSERT(path != NULL && out != NULL);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        snprintf(err, errlen, "%s: error: cannot open plugin: %s", path, strerror(e));
        return e == ENOENT || e == ENOTDIR ? -SIM_ENOENT : -SIM_EIO;
    }
    unsigned char *bytes = NULL;
    size_t size = 0;
    errno = 0;
    int rc = read_all(f, &bytes, &size);
    int saved = errno != 0 ? errno : EIO;
    fclose(f);
    if (rc != 0) {
        return read_error(path, rc, saved, err, errlen);
    }
    sim_plugin_image_t *img = calloc(1, sizeof *img);
    char *p = dup_str(path);
    if (img == NULL || p == NULL) {
        free(img);
        free(p);
        free(bytes);
        return read_error(path, -SIM_ENOMEM, 0, err, errlen);
    }
    img->refs = 1;
    img->path = p;
    img->bytes = bytes;
    img->size = size;
    img->code_fd = -1;
    *out = img;
    return 0;
}

void sim_plugin_image_retain(sim_plugin_image_t *img) {
    SIM_ASSERT(img != NULL && img->refs > 0);
    img->refs++;
}

void sim_plugin_image_release(sim_plugin_image_t *img) {
    if (img == NULL) {
        return;
    }
    SIM_ASSERT(img->refs > 0);
    if (--img->refs == 0) {
        if (img->code_fd >= 0) {
            close(img->code_fd);
        }
        free(img->bytes);
        free(img->path);
        free(img);
    }
}

const char *sim_plugin_image_path(const sim_plugin_image_t *img) {
    return img->path;
}

size_t sim_plugin_image_size(const sim_plugin_image_t *img) {
    return img->size;
}

const void *sim_plugin_image_bytes(const sim_plugin_image_t *img) {
    return img->bytes;
}

int sim_plugin__image_code_fd(const sim_plugin_image_t *img) {
    return img->code_fd;
}

void sim_plugin__image_set_code_fd(sim_plugin_image_t *img, int fd) {
    SIM_ASSERT(img->code_fd < 0);
    img->code_fd = fd;
}

/* ---- cache ---------------------------------------------------------------------------------- */

int sim_plugin_cache_create(sim_plugin_cache_t **out) {
    SIM_ASSERT(out != NULL);
    *out = calloc(1, sizeof **out);
    return *out != NULL ? 0 : -SIM_ENOMEM;
}

void sim_plugin_cache_destroy(sim_plugin_cache_t *c) {
    if (c == NULL) {
        return;
    }
    for (unsigned i = 0; i < c->count; i++) {
        sim_plugin_image_release(c->images[i]);
    }
    free(c);
}

int sim_plugin_cache_get(sim_plugin_cache_t *c, const char *path, sim_plugin_image_t **out,
                         char *err, size_t errlen) {
    SIM_ASSERT(c != NULL && path != NULL && out != NULL);
    for (unsigned i = 0; i < c->count; i++) {
        if (strcmp(c->images[i]->path, path) == 0) {
            sim_plugin_image_retain(c->images[i]);
            *out = c->images[i];
            return 0;
        }
    }
    int rc = sim_plugin_image_read(path, out, err, errlen);
    if (rc != 0) {
        return rc;
    }
    /* A full cache still works: the image is simply not shared with later callers. */
    if (c->count < CACHE_IMAGES_MAX) {
        sim_plugin_image_retain(*out);
        c->images[c->count++] = *out;
    }
    return 0;
}
