/*
 * sim_plugin_share.c: one physical copy of a plugin's read-only segments for all its loaded
 * copies. See sim_plugin_int.h for why. dlinfo() and mremap() need _GNU_SOURCE, which is confined
 * to this file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_plugin_int.h"

#if UINTPTR_MAX > 0xffffffffu
#define OWN_ELF_CLASS ELFCLASS64
#else
#define OWN_ELF_CLASS ELFCLASS32
#endif

/* The pages are compared as raw memory: in a sanitizer build the plugin's constants carry
 * redzones that an instrumented memcmp would report, though the bytes are plainly mapped. */
#if defined(__SANITIZE_ADDRESS__)
#define RAW_READ __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RAW_READ __attribute__((no_sanitize_address))
#endif
#endif
#ifndef RAW_READ
#define RAW_READ
#endif

/* A run of whole pages, as offsets from the copy's load base and into the file. */
typedef struct {
    uintptr_t start, end;
    size_t file_off;
    int prot;
} pages_t;

typedef struct {
    const unsigned char *bytes;
    size_t size;
    size_t phoff;
    unsigned phnum;
    uintptr_t page;
} elf_view_t;

static bool view_open(elf_view_t *v, const unsigned char *bytes, size_t size) {
    ElfW(Ehdr) eh;
    if (size < sizeof eh) {
        return false;
    }
    memcpy(&eh, bytes, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != OWN_ELF_CLASS ||
        eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phoff > size ||
        eh.e_phnum > (size - eh.e_phoff) / sizeof(ElfW(Phdr))) {
        return false;
    }
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) {
        return false;
    }
    *v = (elf_view_t){bytes, size, (size_t)eh.e_phoff, eh.e_phnum, (uintptr_t)page};
    return true;
}

static ElfW(Phdr) view_phdr(const elf_view_t *v, unsigned i) {
    ElfW(Phdr) ph;
    memcpy(&ph, v->bytes + v->phoff + (size_t)i * sizeof ph, sizeof ph);
    return ph;
}

static pages_t pages_of(const elf_view_t *v, const ElfW(Phdr) * ph) {
    pages_t p;
    p.start = (uintptr_t)ph->p_vaddr & ~(v->page - 1u);
    p.end = ((uintptr_t)ph->p_vaddr + (uintptr_t)ph->p_memsz + v->page - 1u) & ~(v->page - 1u);
    p.file_off = (size_t)ph->p_offset & ~(size_t)(v->page - 1u);
    p.prot = PROT_READ | ((ph->p_flags & PF_X) != 0u ? PROT_EXEC : 0);
    return p;
}

/* A read-only segment whose pages can be taken from another file with the same bytes: mapped
 * from the file in whole (no zero-filled tail), page-congruent, and sharing no page with a
 * writable segment (whose pages the dynamic linker wrote). */
static bool shareable(const elf_view_t *v, const ElfW(Phdr) * ph, pages_t *out) {
    if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) != 0u || ph->p_filesz != ph->p_memsz ||
        ph->p_memsz == 0u || ph->p_offset > v->size || ph->p_filesz > v->size - ph->p_offset ||
        ((uintptr_t)ph->p_vaddr - (uintptr_t)ph->p_offset) % v->page != 0u) {
        return false;
    }
    *out = pages_of(v, ph);
    for (unsigned i = 0; i < v->phnum; i++) {
        ElfW(Phdr) w = view_phdr(v, i);
        if (w.p_type != PT_LOAD || (w.p_flags & PF_W) == 0u) {
            continue;
        }
        pages_t wp = pages_of(v, &w);
        if (wp.start < out->end && out->start < wp.end) {
            return false;
        }
    }
    return true;
}

/* The pages as mapped now must hold the file's bytes: what the dynamic linker changed (text
 * relocations) stays private. Bytes past the end of the file read as zero in both mappings. */
RAW_READ static bool unchanged(const elf_view_t *v, uintptr_t base, const pages_t *p) {
    size_t len = (size_t)(p->end - p->start);
    size_t in_file = v->size - p->file_off < len ? v->size - p->file_off : len;
    const unsigned char *mapped = (const unsigned char *)(base + p->start);
    const unsigned char *file = v->bytes + p->file_off;
    unsigned char diff = 0;
    for (size_t i = 0; i < in_file; i++) {
        diff |= (unsigned char)(mapped[i] ^ file[i]);
    }
    return diff == 0;
}

/* Maps the pages from code_fd at a free address first, then moves them over the copy's own:
 * the copy's pages stay in place until the shared ones are ready. */
static long replace(uintptr_t base, const pages_t *p, int code_fd) {
    size_t len = (size_t)(p->end - p->start);
    void *fresh = mmap(NULL, len, p->prot, MAP_PRIVATE, code_fd, (off_t)p->file_off);
    if (fresh == MAP_FAILED) {
        return 0; /* keep the private pages: slower, not wrong */
    }
    if (mremap(fresh, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(base + p->start)) ==
        MAP_FAILED) {
        int e = errno; /* for the caller's message */
        munmap(fresh, len);
        errno = e;
        return -SIM_ENOMEM;
    }
    return (long)len;
}

long sim_plugin__share_readonly(void *handle, const unsigned char *bytes, size_t size,
                                int code_fd) {
    SIM_ASSERT(handle != NULL && bytes != NULL && code_fd >= 0);
    elf_view_t v;
    struct link_map *lm = NULL;
    if (!view_open(&v, bytes, size) || dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL) {
        return 0;
    }
    uintptr_t base = (uintptr_t)lm->l_addr;
    long shared = 0;
    for (unsigned i = 0; i < v.phnum; i++) {
        ElfW(Phdr) ph = view_phdr(&v, i);
        pages_t p;
        if (!shareable(&v, &ph, &p) || !unchanged(&v, base, &p)) {
            continue;
        }
        long n = replace(base, &p, code_fd);
        if (n < 0) {
            return n;
        }
        shared += n;
    }
    return shared;
}
