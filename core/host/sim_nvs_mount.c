/*
 * sim_nvs_mount.c: power coming back. Mounting reads the whole flash, as nvs_flash_init does at
 * boot, and repairs what a power cut may have left (sim_nvs_int.h):
 *
 *   1. items still WRITING were never committed: they are marked erased;
 *   2. a key with two VALID items was cut between commit and erase: the higher sequence number
 *      is the new value and stays, the other is erased (on a tie, a copy made by the collector
 *      beats the original on the FREEING page);
 *   3. a FREEING page is a collection cut short: its items not yet copied are copied, then the
 *      page is erased;
 *   4. the index is rebuilt from the valid items; the wear counters are the host's and stay.
 *
 * Each repair is a counted flash operation, so an armed cut can strike during mount too; mount
 * then fails with -SIM_EIO and the next mount starts over (every step is idempotent).
 */
#include <string.h>

#include "sim_nvs_int.h"

static int discard_uncommitted(nvs_flash_t *f) {
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        for (unsigned i = 0; i < NVS_SLOTS; i++) {
            nvs_slot_t *s = &f->page[p].slot[i];
            if (s->state == SLOT_WRITING) {
                if (!sim_nvs__flash_op(f)) {
                    return -SIM_EIO;
                }
                s->state = SLOT_ERASED;
            }
        }
    }
    return 0;
}

/* Whether a beats b as the item of their key: newer, or as new and not on a FREEING page. */
static bool beats(const nvs_slot_t *a, bool a_freeing, const nvs_slot_t *b, bool b_freeing) {
    return a->seq > b->seq || (a->seq == b->seq && !a_freeing && b_freeing);
}

/* Whether another valid item of the same key beats slot i of page p. */
static bool superseded(const nvs_flash_t *f, unsigned p, unsigned i) {
    const nvs_slot_t *s = &f->page[p].slot[i];
    for (unsigned q = 0; q < NVS_PAGES; q++) {
        for (unsigned j = 0; j < NVS_SLOTS; j++) {
            const nvs_slot_t *o = &f->page[q].slot[j];
            if ((q != p || j != i) && o->state == SLOT_VALID && strcmp(o->ns, s->ns) == 0 &&
                strcmp(o->key, s->key) == 0 &&
                beats(o, f->page[q].freeing, s, f->page[p].freeing)) {
                return true;
            }
        }
    }
    return false;
}

static int drop_duplicates(nvs_flash_t *f) {
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        for (unsigned i = 0; i < NVS_SLOTS; i++) {
            nvs_slot_t *s = &f->page[p].slot[i];
            if (s->state == SLOT_VALID && superseded(f, p, i)) {
                if (!sim_nvs__flash_op(f)) {
                    return -SIM_EIO;
                }
                s->state = SLOT_ERASED;
            }
        }
    }
    return 0;
}

static int finish_collection(nvs_flash_t *f) {
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        nvs_page_t *pg = &f->page[p];
        if (!pg->freeing) {
            continue;
        }
        for (unsigned i = 0; i < NVS_SLOTS; i++) {
            if (pg->slot[i].state != SLOT_VALID) {
                continue;
            }
            nvs_slot_t *to = sim_nvs__flash_free_slot(f);
            SIM_ASSERT(to != NULL); /* the collector's destination had room for the whole page */
            if (sim_nvs__flash_copy(f, &pg->slot[i], to) != 0) {
                return -SIM_EIO;
            }
        }
        if (!sim_nvs__flash_op(f)) {
            return -SIM_EIO;
        }
        memset(pg, 0, sizeof *pg);
    }
    return 0;
}

static void rebuild_index(sim_nvs_t *nvs) {
    nvs_flash_t *f = &nvs->flash;
    uint32_t next = 0;
    for (unsigned p = 0; p < NVS_PAGES; p++) {
        for (unsigned i = 0; i < NVS_SLOTS; i++) {
            const nvs_slot_t *s = &f->page[p].slot[i];
            if (s->state == SLOT_VALID) {
                next = s->seq + 1u > next ? s->seq + 1u : next;
                (void)sim_nvs__record(nvs, s->ns, s->key); /* a key the index lost */
            }
        }
    }
    f->next_seq = next;
    nvs->stats.keys = 0;
    for (unsigned r = 0; r < nvs->count; r++) {
        nvs_record_t *rec = &nvs->rec[r];
        const nvs_slot_t *s = sim_nvs__flash_find(f, rec->ns, rec->key);
        rec->live = s != NULL;
        rec->len = s != NULL ? s->len : 0;
        memset(rec->value, 0, sizeof rec->value);
        if (s != NULL) {
            memcpy(rec->value, s->value, s->len);
            nvs->stats.keys++;
        }
    }
}

int sim_nvs_mount(sim_nvs_t *nvs) {
    nvs_flash_t *f = &nvs->flash;
    f->dead = false;
    nvs->version++;
    int rc = discard_uncommitted(f);
    if (rc == 0) {
        rc = drop_duplicates(f);
    }
    if (rc == 0) {
        rc = finish_collection(f);
    }
    if (rc != 0) {
        return rc;
    }
    rebuild_index(nvs);
    return 0;
}
