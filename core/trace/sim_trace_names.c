/*
 * sim_trace_names.c: the declared (scope, name) pairs as an open-addressing hash table. See
 * sim_trace_names.h for the contract.
 *
 * Linear probing: a pair lives in the first free slot at or after (hash & mask), wrapping around.
 * Nothing is ever removed (a trace never withdraws a declaration), so a probe may stop at the
 * first empty slot and no tombstones are needed. Keeping the table under half full bounds the
 * expected probe run to a couple of slots even when hashes cluster.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_trace_names.h"
#include "sim_types.h"

#define CAP_MIN 16u

#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

static uint32_t fnv1a(uint32_t h, const char *s) {
    for (; *s != '\0'; s++) {
        h = (h ^ (uint8_t)*s) * FNV_PRIME;
    }
    return h;
}

uint32_t sim_trace_names_hash(const char *scope, const char *name) {
    SIM_ASSERT(scope != NULL && name != NULL);
    uint32_t h = fnv1a(FNV_OFFSET, scope);
    h *= FNV_PRIME; /* the zero separator byte: h ^ 0 is h */
    h = fnv1a(h, name);
    /* FNV-1a's low bits depend only on the low bits of what came before, and the table indexes
     * with the low bits. Folding the high half down, multiplying by an odd constant (2^32 over
     * the golden ratio) and folding again lets every bit count; each step is invertible. */
    h ^= h >> 16;
    h *= 0x9e3779b1u;
    h ^= h >> 15;
    return h;
}

/* The slot holding the pair, or the empty slot where it would go. The table is never full. */
static sim_trace_name_slot_t *probe(const sim_trace_names_t *s, uint32_t hash, const char *scope,
                                    const char *name) {
    size_t mask = s->cap - 1u;
    for (size_t i = hash & mask;; i = (i + 1u) & mask) {
        sim_trace_name_slot_t *slot = &s->slots[i];
        if (slot->scope == NULL || (slot->hash == hash && strcmp(slot->scope, scope) == 0 &&
                                    strcmp(slot->name, name) == 0)) {
            return slot;
        }
    }
}

bool sim_trace_names_find(const sim_trace_names_t *s, const char *scope, const char *name,
                          uint32_t *index) {
    SIM_ASSERT(s != NULL);
    if (s->n == 0) {
        return false;
    }
    const sim_trace_name_slot_t *slot = probe(s, sim_trace_names_hash(scope, name), scope, name);
    if (slot->scope == NULL) {
        return false;
    }
    if (index != NULL) {
        *index = slot->index;
    }
    return true;
}

/* Moves every pair into a table twice the size (CAP_MIN at first). Hashes are kept, so nothing
 * is rehashed and no strings are compared: all pairs are distinct already. */
static int grow(sim_trace_names_t *s) {
    size_t cap = s->cap ? 2u * s->cap : CAP_MIN;
    sim_trace_name_slot_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) {
        return -SIM_ENOMEM;
    }
    for (size_t i = 0; i < s->cap; i++) {
        const sim_trace_name_slot_t *old = &s->slots[i];
        if (old->scope == NULL) {
            continue;
        }
        size_t j = old->hash & (cap - 1u);
        while (slots[j].scope != NULL) {
            j = (j + 1u) & (cap - 1u);
        }
        slots[j] = *old;
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

int sim_trace_names_add(sim_trace_names_t *s, const char *scope, const char *name, uint32_t index) {
    SIM_ASSERT(s != NULL && scope != NULL && name != NULL);
    if (s->cap == 0 && grow(s) != 0) {
        return -SIM_ENOMEM;
    }
    uint32_t hash = sim_trace_names_hash(scope, name);
    sim_trace_name_slot_t *slot = probe(s, hash, scope, name);
    if (slot->scope != NULL) {
        return -SIM_EEXIST;
    }
    /* Keep the table under half full; the pair then goes where a probe finds it in the new one. */
    if (2u * (s->n + 1u) >= s->cap) {
        int rc = grow(s);
        if (rc != 0) {
            return rc;
        }
        slot = probe(s, hash, scope, name);
    }
    SIM_ASSERT(slot->scope == NULL);
    *slot = (sim_trace_name_slot_t){scope, name, hash, index};
    s->n++;
    return 0;
}

void sim_trace_names_free(sim_trace_names_t *s) {
    SIM_ASSERT(s != NULL);
    free(s->slots);
    memset(s, 0, sizeof *s);
}
