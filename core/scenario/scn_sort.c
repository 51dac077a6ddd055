/*
 * scn_sort.c: the timeline in time order. A stable merge sort (qsort is not stable), so actions
 * at the same instant keep their file order, which is what a reader of the file expects.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_parts.h"

static void merge(const sim_scn_action_t *a, size_t na, const sim_scn_action_t *b, size_t nb,
                  sim_scn_action_t *out) {
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        /* Take from the right run only when strictly earlier: that keeps the sort stable. */
        out[k++] = b[j].at_ns < a[i].at_ns ? b[j++] : a[i++];
    }
    while (i < na) {
        out[k++] = a[i++];
    }
    while (j < nb) {
        out[k++] = b[j++];
    }
}

int scn_sort_actions(sim_scenario_t *s) {
    size_t n = s->n_actions;
    if (n < 2) {
        return 0;
    }
    sim_scn_action_t *tmp = malloc(n * sizeof *tmp);
    if (tmp == NULL) {
        return -SIM_ENOMEM;
    }
    sim_scn_action_t *src = s->actions, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
        }
        sim_scn_action_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != s->actions) {
        memcpy(s->actions, src, n * sizeof *src);
    }
    free(tmp);
    return 0;
}
