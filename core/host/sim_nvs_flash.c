/*
 * sim_nvs_flash.c: the NVS flash as a page-based log of items with two-phase writes
 * (sim_nvs_int.h draws it), its garbage collection, and the power cut.
 *
 * Every change of flash state is one operation, counted: writing an item into a slot,
 * committing it, marking it erased, marking a page for collection, erasing a page. A power cut
 * armed at operation k makes the k-th operation fail: a slot write is then torn (the slot holds a
 * WRITING item with garbage, exactly what a write interrupted half-way leaves), any other
 * operation simply does not happen, and the flash is dead until mount. There is no operation
 * whose interruption could leave a key with neither its old nor its new value; the exhaustive
 * test (tests/unit/test_nvs_powerloss.c) checks that claim at every cut point.
 */
#include <string.h>

#include "sim_nvs_int.h"

bool sim_nvs__flash_op(nvs_flash_t *f) {
    if (f->dead) {
        return false;
    }
    f->ops++;
    if (f->cut_at != 0 && f->ops >= f->cut_at) {
        f->dead = true;
        f->cut_at = 0;
        f->cuts++;
        return false;
    }
    return true;
}

static bool slot_is(const nvs_slot_t *s, const char *ns, const char *key) {
    return strcmp(s->ns, ns) == 0 && strcmp(s->key, key) == 0;
}

nvs_slot_t *sim_nvs__flash_find(nvs_flash_t *f, const char *ns, const char *key) {
    nvs_slot_t *best = NULL;
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        for (unsigned i = 0; i < NVS_SLOTS; i++) {
            nvs_slot_t *s = &f->page[p].slot[i];
            if (s->state == SLOT_VALID && slot_is(s, ns, key) &&
                (best == NULL || s->seq > best->seq)) {
                best = s;
            }
        }
    }
    return best;
}

static bool page_empty(const nvs_page_t *pg) {
    for (unsigned i = 0; i < NVS_SLOTS; i++) {
        if (pg->slot[i].state != SLOT_EMPTY) {
            return false;
        }
    }
    return !pg->freeing;
}

static unsigned garbage(const nvs_page_t *pg) {
    unsigned n = 0;
    for (unsigned i = 0; i < NVS_SLOTS; i++) {
        n += pg->slot[i].state == SLOT_ERASED || pg->slot[i].state == SLOT_WRITING;
    }
    return n;
}

/* The next empty slot of a page in use (pages fill in order), or NULL. */
static nvs_slot_t *slot_in_used_pages(nvs_flash_t *f) {
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        nvs_page_t *pg = &f->page[p];
        if (pg->freeing || page_empty(pg)) {
            continue;
        }
        for (unsigned i = 0; i < NVS_SLOTS; i++) {
            if (pg->slot[i].state == SLOT_EMPTY) {
                return &pg->slot[i];
            }
        }
    }
    return NULL;
}

nvs_slot_t *sim_nvs__flash_free_slot(nvs_flash_t *f) {
    nvs_slot_t *s = slot_in_used_pages(f);
    for (unsigned p = 0; s == NULL && p < NVS_PAGES; p++) {
        if (page_empty(&f->page[p])) {
            s = &f->page[p].slot[0];
        }
    }
    return s;
}

static nvs_page_t *first_empty_page(nvs_flash_t *f, unsigned *count) {
    nvs_page_t *first = NULL;
    *count = 0;
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        if (page_empty(&f->page[p])) {
            first = first != NULL ? first : &f->page[p];
            (*count)++;
        }
    }
    return first;
}

static int write_slot(nvs_flash_t *f, nvs_slot_t *s, uint32_t seq, const char *ns, const char *key,
                      const void *value, size_t len) {
    if (f->dead) {
        return -SIM_EIO;
    }
    if (!sim_nvs__flash_op(f)) {
        /* Torn: the slot is no longer empty, and what it holds is not the item. */
        memset(s, 0xA5, sizeof *s);
        s->state = SLOT_WRITING;
        s->ns[SIM_NVS_NAME_MAX] = s->key[SIM_NVS_NAME_MAX] = '\0';
        return -SIM_EIO;
    }
    memset(s, 0, sizeof *s);
    s->state = SLOT_WRITING;
    s->seq = seq;
    s->len = (uint8_t)len;
    memcpy(s->ns, ns, strlen(ns) + 1);
    memcpy(s->key, key, strlen(key) + 1);
    if (len > 0) {
        memcpy(s->value, value, len);
    }
    if (!sim_nvs__flash_op(f)) {
        return -SIM_EIO; /* written, never committed */
    }
    s->state = SLOT_VALID;
    return 0;
}

int sim_nvs__flash_copy(nvs_flash_t *f, const nvs_slot_t *from, nvs_slot_t *to) {
    return write_slot(f, to, from->seq, from->ns, from->key, from->value, from->len);
}

/* Copies the valid items of the page with the most garbage into the reserve page, then erases
 * it: it becomes the reserve. */
static int collect(nvs_flash_t *f, nvs_page_t *reserve) {
    nvs_page_t *victim = NULL;
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        nvs_page_t *pg = &f->page[p];
        if (pg != reserve && !page_empty(pg) && (victim == NULL || garbage(pg) > garbage(victim))) {
            victim = pg;
        }
    }
    SIM_ASSERT(victim != NULL && garbage(victim) > 0); /* 64 keys never fill 3 pages of 32 */
    if (!sim_nvs__flash_op(f)) {
        return -SIM_EIO;
    }
    f->collections++;
    victim->freeing = true;
    unsigned at = 0;
    for (unsigned i = 0; i < NVS_SLOTS; i++) {
        if (victim->slot[i].state == SLOT_VALID &&
            sim_nvs__flash_copy(f, &victim->slot[i], &reserve->slot[at++]) != 0) {
            return -SIM_EIO;
        }
    }
    if (!sim_nvs__flash_op(f)) {
        return -SIM_EIO;
    }
    memset(victim, 0, sizeof *victim);
    return 0;
}

/* A slot for a new item, keeping one page empty as the collector's reserve. */
static int alloc(nvs_flash_t *f, nvs_slot_t **out) {
    for (;;) {
        *out = slot_in_used_pages(f);
        if (*out != NULL) {
            return 0;
        }
        unsigned empty = 0;
        nvs_page_t *pg = first_empty_page(f, &empty);
        SIM_ASSERT(pg != NULL);
        if (empty >= 2) {
            *out = &pg->slot[0];
            return 0;
        }
        int rc = collect(f, pg);
        if (rc != 0) {
            return rc;
        }
    }
}

int sim_nvs__flash_put(nvs_flash_t *f, const char *ns, const char *key, const void *value,
                       size_t len) {
    if (f->dead) {
        return -SIM_EIO;
    }
    nvs_slot_t *s = NULL;
    int rc = alloc(f, &s);
    if (rc != 0) {
        return rc;
    }
    nvs_slot_t *old = sim_nvs__flash_find(f, ns, key); /* after alloc: collection moves items */
    rc = write_slot(f, s, f->next_seq++, ns, key, value, len);
    if (rc != 0) {
        return rc;
    }
    if (old != NULL) {
        if (!sim_nvs__flash_op(f)) {
            return -SIM_EIO; /* two valid items: the newer wins at mount */
        }
        old->state = SLOT_ERASED;
    }
    return 0;
}

int sim_nvs__flash_erase(nvs_flash_t *f, const char *ns, const char *key) {
    nvs_slot_t *s = sim_nvs__flash_find(f, ns, key);
    if (s == NULL) {
        return f->dead ? -SIM_EIO : 0;
    }
    if (!sim_nvs__flash_op(f)) {
        return -SIM_EIO;
    }
    s->state = SLOT_ERASED;
    return 0;
}
