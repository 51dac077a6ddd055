/*
 * signals.vcd: IEEE 1364 §18 Value Change Dump, written as values change.
 *
 *   $version alfasim $end
 *   $timescale 1ns $end
 *   $scope module pack1 $end
 *   $var wire 1 ! grid_relay $end
 *   $var real 64 " soc_pct $end
 *   $upscope $end
 *   $enddefinitions $end
 *   #0
 *   $dumpvars
 *   0!
 *   r0 "
 *   $end
 *   #1500000000
 *   1!
 *   r52.3 "
 *
 * There is no $date: it would be host time. Declarations are collected until the first value
 * change (or the close), then sorted by (scope, name) with strcmp, so identifier codes and scope
 * order never depend on the order in which models happened to declare their signals. Codes are
 * base-94 numbers over the printable ASCII range '!'..'~', least significant digit first: the 95th
 * signal gets a two-character code.
 *
 * A second declaration of a (scope, name) pair is refused with -SIM_EEXIST. The pairs are kept in
 * a hash set (sim_trace_names.h) until declarations close, so declaring n signals costs O(n).
 *
 * A change equal to the current value writes nothing; changes at the same time share one "#t"
 * line. Time going backwards is a programmer error (SIM_ASSERT), as in any VCD reader.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_trace_int.h"
#include "sim_trace_text.h"

#define ID_FIRST   33 /* '!' */
#define ID_RADIX   94 /* '!'..'~' */
#define SIGNAL_MAX 65536u

static uint64_t width_mask(unsigned width) {
    return width >= 64 ? UINT64_MAX : (((uint64_t)1 << width) - 1u);
}

/* Scope and signal names are VCD identifiers: printable, no spaces. */
static bool valid_name(const char *s) {
    if (s == NULL || s[0] == '\0' || strlen(s) > 255) {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s <= ' ' || *s >= 0x7f || *s == '$') {
            return false;
        }
    }
    return true;
}

/* Room for one more signal. 0 or -SIM_ENOMEM. */
static int grow_sigs(trace_vcd_t *v) {
    if (v->n < v->cap) {
        return 0;
    }
    size_t cap = v->cap ? 2 * v->cap : 16;
    trace_vcd_sig_t *n = realloc(v->sigs, cap * sizeof *n);
    if (n == NULL) {
        return -SIM_ENOMEM;
    }
    v->sigs = n;
    v->cap = cap;
    return 0;
}

int sim_trace_vcd_declare(sim_trace_t *t, const char *scope, const char *name, unsigned width,
                          uint64_t init, sim_vcd_sig_t *out) {
    SIM_ASSERT(t != NULL && out != NULL && width <= 64);
    trace_vcd_t *v = &t->vcd;
    if (v->started) {
        return -SIM_EBUSY;
    }
    if (!valid_name(scope) || !valid_name(name)) {
        return -SIM_EINVAL;
    }
    /* A duplicate is found by hash, not by comparing with every earlier declaration: a scan
     * made declaring n signals cost n^2/2 comparisons (7.7 million for 127 nodes). */
    if (sim_trace_names_find(&v->names, scope, name, NULL)) {
        return -SIM_EEXIST;
    }
    if (v->n == SIGNAL_MAX || grow_sigs(v) != 0) {
        return -SIM_ENOMEM;
    }
    trace_vcd_sig_t *s = &v->sigs[v->n];
    memset(s, 0, sizeof *s);
    s->scope = sim_trace__strdup(scope);
    s->name = sim_trace__strdup(name);
    /* The set keeps pointers to the signal's own copies, which live until sim_trace__vcd_free. */
    if (s->scope == NULL || s->name == NULL ||
        sim_trace_names_add(&v->names, s->scope, s->name, (uint32_t)v->n) != 0) {
        free(s->scope);
        free(s->name);
        return -SIM_ENOMEM;
    }
    s->width = width;
    s->value = width > 0 ? init & width_mask(width) : 0;
    if (width == 0) { /* only a real's text is ever read; formatting is most of a declaration */
        sim_text_real(s->real, sizeof s->real, 0.0);
        s->real_bits = 0; /* the bits of +0.0 */
    }
    *out = (sim_vcd_sig_t)v->n++;
    return 0;
}

static void vcd_puts(sim_trace_t *t, const char *s) {
    sim_trace__write(t, &t->vcdf, s, strlen(s));
}

/* "1!", "b1010 !" or "r52.3 !" plus the newline. */
static void put_value(sim_trace_t *t, const trace_vcd_sig_t *s) {
    char line[80];
    size_t n = 0;
    if (s->width == 0) {
        n = (size_t)snprintf(line, sizeof line, "r%s %s\n", s->real, s->id);
    } else if (s->width == 1) {
        n = (size_t)snprintf(line, sizeof line, "%c%s\n", s->value ? '1' : '0', s->id);
    } else {
        /* Binary without leading zeros (§18.2.1 extends them to the declared width). */
        line[n++] = 'b';
        unsigned top = 63;
        while (top > 0 && !((s->value >> top) & 1u)) {
            top--;
        }
        for (unsigned bit = top + 1; bit-- > 0;) {
            line[n++] = (char)('0' + ((s->value >> bit) & 1u));
        }
        n += (size_t)snprintf(line + n, sizeof line - n, " %s\n", s->id);
    }
    sim_trace__write(t, &t->vcdf, line, n);
}

static int by_scope_name(const void *a, const void *b) {
    const trace_vcd_sig_t *x = *(const trace_vcd_sig_t *const *)a;
    const trace_vcd_sig_t *y = *(const trace_vcd_sig_t *const *)b;
    int c = strcmp(x->scope, y->scope);
    return c != 0 ? c : strcmp(x->name, y->name);
}

static void assign_id(trace_vcd_sig_t *s, size_t index) {
    size_t n = 0;
    do {
        SIM_ASSERT(n + 1 < sizeof s->id); /* room for this digit and the terminator */
        s->id[n++] = (char)(ID_FIRST + index % ID_RADIX);
        index /= ID_RADIX;
    } while (index > 0);
    s->id[n] = '\0';
}

static void put_declarations(sim_trace_t *t, trace_vcd_sig_t **sorted, size_t n) {
    char line[600];
    for (size_t i = 0; i < n; i++) {
        const trace_vcd_sig_t *s = sorted[i];
        if (i == 0 || strcmp(sorted[i - 1]->scope, s->scope) != 0) {
            if (i > 0) {
                vcd_puts(t, "$upscope $end\n");
            }
            snprintf(line, sizeof line, "$scope module %s $end\n", s->scope);
            vcd_puts(t, line);
        }
        if (s->width == 0) {
            snprintf(line, sizeof line, "$var real 64 %s %s $end\n", s->id, s->name);
        } else {
            snprintf(line, sizeof line, "$var wire %u %s %s $end\n", s->width, s->id, s->name);
        }
        vcd_puts(t, line);
    }
    if (n > 0) {
        vcd_puts(t, "$upscope $end\n");
    }
}

/* Closes the declarations: sorts, assigns codes, writes the header and the values at #0. */
static void start(sim_trace_t *t) {
    trace_vcd_t *v = &t->vcd;
    trace_vcd_sig_t **sorted = malloc((v->n ? v->n : 1) * sizeof *sorted);
    SIM_ASSERT(sorted != NULL); /* declarations are bounded; running out here is fatal anyway */
    for (size_t i = 0; i < v->n; i++) {
        sorted[i] = &v->sigs[i];
    }
    qsort(sorted, v->n, sizeof *sorted, by_scope_name);
    for (size_t i = 0; i < v->n; i++) {
        assign_id(sorted[i], i);
    }
    vcd_puts(t, "$version alfasim $end\n$timescale 1ns $end\n");
    put_declarations(t, sorted, v->n);
    vcd_puts(t, "$enddefinitions $end\n#0\n$dumpvars\n");
    for (size_t i = 0; i < v->n; i++) {
        put_value(t, sorted[i]);
    }
    vcd_puts(t, "$end\n");
    free(sorted);
    sim_trace_names_free(&v->names); /* declarations are closed: no lookup comes any more */
    v->started = true;
    v->stamped = true;
    v->last_t = 0;
}

/* Time checks shared by both setters; returns the signal. */
static trace_vcd_sig_t *begin_change(sim_trace_t *t, sim_vcd_sig_t sig, sim_time_ns_t t_ns) {
    SIM_ASSERT(t != NULL && sig < t->vcd.n);
    if (!t->vcd.started) {
        start(t);
    }
    SIM_ASSERT(t_ns >= t->vcd.last_t); /* VCD time never goes backwards */
    return &t->vcd.sigs[sig];
}

static void stamp(sim_trace_t *t, sim_time_ns_t t_ns) {
    trace_vcd_t *v = &t->vcd;
    if (!v->stamped || t_ns != v->last_t) {
        char line[32];
        snprintf(line, sizeof line, "#%" PRId64 "\n", t_ns);
        vcd_puts(t, line);
        v->stamped = true;
    }
    v->last_t = t_ns;
}

void sim_trace_vcd_set(sim_trace_t *t, sim_vcd_sig_t sig, sim_time_ns_t t_ns, uint64_t value) {
    trace_vcd_sig_t *s = begin_change(t, sig, t_ns);
    SIM_ASSERT(s->width > 0);
    value &= width_mask(s->width);
    if (value == s->value) {
        return;
    }
    s->value = value;
    stamp(t, t_ns);
    put_value(t, s);
}

void sim_trace_vcd_set_real(sim_trace_t *t, sim_vcd_sig_t sig, sim_time_ns_t t_ns, double value) {
    trace_vcd_sig_t *s = begin_change(t, sig, t_ns);
    SIM_ASSERT(s->width == 0);
    /* The same bits print the same text: most samples repeat the last value, and formatting it
     * costs far more than the comparison. */
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    if (bits == s->real_bits) {
        return;
    }
    s->real_bits = bits;
    char text[sizeof s->real];
    sim_text_real(text, sizeof text, value);
    /* Compared as printed: a change below %.9g's resolution would write an identical line. */
    if (strcmp(text, s->real) == 0) {
        return;
    }
    memcpy(s->real, text, sizeof text);
    stamp(t, t_ns);
    put_value(t, s);
}

void sim_trace__vcd_finish(sim_trace_t *t) {
    if (!t->vcd.started) {
        start(t);
    }
}

void sim_trace__vcd_free(trace_vcd_t *v) {
    for (size_t i = 0; i < v->n; i++) {
        free(v->sigs[i].scope);
        free(v->sigs[i].name);
    }
    free(v->sigs);
    sim_trace_names_free(&v->names);
    memset(v, 0, sizeof *v);
}
