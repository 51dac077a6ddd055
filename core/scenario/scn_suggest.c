/*
 * scn_suggest.c: "did you mean" for unknown keys and node names.
 *
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, so "druation"
 * is one edit from "duration"). A suggestion is offered only when at most a third of the longer
 * word is wrong: "durration" suggests "duration", while "bogus" does not suggest "bus".
 */
#include <string.h>

#include "scn_schema.h"

#define MAX_WORD 64

static size_t min3(size_t a, size_t b, size_t c) {
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Distance between a and b (both shorter than MAX_WORD), with three rolling rows. */
static size_t osa_distance(const char *a, size_t la, const char *b, size_t lb) {
    size_t rows[3][MAX_WORD + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < cur[j]) {
                cur[j] = prev2[j - 2] + 1;
            }
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *scn_suggest(const char *word, const char *const *candidates, size_t n) {
    size_t lw = strlen(word);
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    if (lw >= MAX_WORD) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t lc = strlen(candidates[i]);
        if (lc >= MAX_WORD) {
            continue;
        }
        size_t d = osa_distance(word, lw, candidates[i], lc);
        size_t longer = lw > lc ? lw : lc;
        if (d > 0 && 3 * d <= longer && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}
