/*
 * ct_noise.c: ziggurat normal deviates (contract in ct_noise.h).
 *
 * The strip edges were computed once from their definition and are stored as constants, so every
 * host uses the same edges. With f(x) = exp(-x^2/2), strip area V = R f(R) + integral of f from
 * R to infinity, and
 *     x[1] = R,  x[i+1] = sqrt(-2 ln(V / x[i] + f(x[i]))),  x[0] = V / f(R),  x[256] = 0,
 * R = 3.6541528853610092 is the root that makes the top strip end at f = 1 (V = 0.0049286732).
 *
 * A pass's rectangle tests run on the portable loop below or, where the host has AVX2, four at
 * a time in ct_noise_avx.c (ct_simd.h); both note the misses in the same order, and the misses
 * are resolved here in that order, so the two give the same deviates from the same draws.
 */
#include "ct_noise.h"

#include <math.h>

#include "ct_noise_int.h"
#include "ct_simd.h"
#include "sim_types.h"

static const double ZIG_R = 3.6541528853610092;
static const double ZIG_V = 0.004928673233974648;

/* clang-format off */
const double ct_noise_zig_x[CT_NOISE_LAYERS + 1] = {
    3.9107579595249167, 3.6541528853610092, 3.4492782985614316, 3.320244733839826,
    3.2245750520478023, 3.1478892895180013, 3.083526132002144, 3.027837791769594,
    2.9786032798818436, 2.934366867208888, 2.8941210536134125, 2.857138730873225,
    2.8228773968264433, 2.790921174001928, 2.760944005279987, 2.7326853590440123,
    2.7059336561230634, 2.680514643285746, 2.656283037576744, 2.6331163936315836,
    2.6109105184888244, 2.5895759867082875, 2.5690354526818444, 2.5492215503247837,
    2.5300752321598545, 2.5115444416266945, 2.4935830412710467, 2.476149939670523,
    2.459208374334705, 2.442725318200364, 2.4266709849371466, 2.4110184139011195,
    2.3957431197819274, 2.3808227951720857, 2.366237056717291, 2.3519672273791445,
    2.3379961487965284, 2.3243080188711325, 2.310888250601372, 2.2977233489028634,
    2.284800802724492, 2.2721089902283818, 2.2596370951737876, 2.247375032947389,
    2.235313384929921, 2.22344334009251, 2.2117566428841604, 2.200245546611276,
    2.1889027716263603, 2.1777214677402923, 2.1666951803543077, 2.1558178198767366,
    2.145083634047888, 2.134487182846016, 2.1240233156895227, 2.1136871506866526,
    2.1034740557148766, 2.0933796311387916, 2.083399693998304, 2.0735302635187427,
    2.063767547811732, 2.054107931650652, 2.0445479652175313, 2.035084353729619,
    2.025713947863854, 2.016433734906204, 2.0072408305605287, 1.9981324713584196,
    1.989106007617438, 1.9801588969004766, 1.9712886979336592, 1.962493064944363,
    1.9537697423846467, 1.9451165600086784, 1.9365314282756947, 1.9280123340526658,
    1.9195573365931882, 1.9111645637712535, 1.9028322085504297, 1.8945585256707052,
    1.8863418285367834, 1.8781804862929965, 1.8700729210712674, 1.8620176053996749,
    1.8540130597602025, 1.846057850285186, 1.8381505865828072, 1.8302899196827576,
    1.8224745400938864, 1.8147031759662833, 1.8069745913508215, 1.7992875845497207,
    1.791640986552163, 1.784033659549442, 1.7764644955245235, 1.768932414911269,
    1.7614363653189107, 1.753975320317672, 1.7465482782817228, 1.739154261285912,
    1.7317923140529636, 1.7244615029480455, 1.7171609150178238, 1.7098896570713025,
    1.7026468547999238, 1.6954316519345622, 1.6882432094371962, 1.6810807047251746,
    1.6739433309261256, 1.6668302961616661, 1.6597408228581831, 1.6526741470830566,
    1.645629517904783, 1.6386061967755485, 1.6316034569348743, 1.6246205828330356,
    1.6176568695730162, 1.6107116223698308, 1.6037841560260953, 1.5968737944227889,
    1.5899798700241916, 1.58310172339603, 1.5762387027359073, 1.5693901634151246,
    1.5625554675310458, 1.5557339834691772, 1.5489250854741743, 1.542128153229003,
    1.5353425714415152, 1.5285677294377134, 1.5218030207609992, 1.5150478427767158,
    1.5083015962813129, 1.501563685115465, 1.494833515780495, 1.488110497057449,
    1.4813940396281888, 1.4746835556978568, 1.4679784586180809, 1.4612781625102769,
    1.4545820818884116, 1.4478896312805773, 1.4412002248487252, 1.4345132760058934,
    1.427828197030257, 1.4211443986753103, 1.4144612897754725, 1.4077782768464002,
    1.4010947636792523, 1.3944101509281424, 1.3877238356899773, 1.3810352110758566,
    1.3743436657731674, 1.3676485835974772, 1.3609493430332842, 1.354245316762636,
    1.3475358711805883, 1.340820365896405, 1.334098153219361, 1.327368577627927,
    1.3206309752210572, 1.3138846731502214, 1.307128989030732, 1.3003632303308381,
    1.2935866937369487, 1.2867986644932445, 1.279998415713819, 1.2731852076653574,
    1.2663582870182304, 1.2595168860637151, 1.2526602218948981, 1.245787495548628,
    1.2388978911056883, 1.2319905747461368, 1.2250646937565315, 1.2181193754854824,
    1.2111537262437, 1.2041668301443824, 1.1971577478794424, 1.1901255154266928,
    1.1830691426826876, 1.1759876120154529, 1.1688798767308342, 1.1617448594456123,
    1.1545814503599288, 1.1473885054208501, 1.1401648443681522, 1.132909248652535,
    1.1256204592155346, 1.1182971741193461, 1.110938046013577, 1.103541679424641,
    1.0961066278520228, 1.0886313906539813, 1.0811144097034053, 1.0735540657924376,
    1.0659486747621238, 1.0582964833306765, 1.0505956645909313, 1.0428443131441505,
    1.0350404398334425, 1.0271819660356476, 1.019266717465486, 1.0112924174399973,
    1.0032566795446747, 0.9951569996350926, 0.9869907470990642, 0.9787551552942263,
    0.9704473110642261, 0.9620641432230422, 0.9536024098810878, 0.9450586844681672,
    0.9364293402865769, 0.9277105334020018, 0.9188981836495924, 0.9099879534967203,
    0.9009752244612236, 0.8918550707329435, 0.8826222295851675, 0.8732710680888626,
    0.8637955455533108, 0.8541891710081658, 0.8444449549091559, 0.8345553540863843,
    0.8245122087522943, 0.8143066701352175, 0.8039291169899736, 0.7933690588406257,
    0.7826150233072355, 0.7716544242245705, 0.7604734064301106, 0.749056662017818,
    0.7373872114342983, 0.7254461409100025, 0.7132122851909788, 0.7006618411068181,
    0.6877678927957916, 0.674499822837297, 0.660822574244423, 0.6466957148949973,
    0.6320722363860648, 0.6168969900077552, 0.6011046177559964, 0.5846167661063835,
    0.5673382570538232, 0.5491517023271699, 0.5299097206615632, 0.5094233296020972,
    0.48744396613924196, 0.4636343367908887, 0.4375184022078789, 0.4083891346119995,
    0.3751213328783903, 0.33573751921443695, 0.28617459179208804, 0.2152418959849064, 0.0,
};
/* clang-format on */

double ct_noise_layer_x(unsigned i) {
    return i <= CT_NOISE_LAYERS ? ct_noise_zig_x[i] : 0.0;
}

/* Beyond R: an exponential proposal accepted with the exact ratio (two logs per attempt). */
static double tail(sim_prng_t *p) {
    for (;;) {
        double a = -log(1.0 - sim_prng_unit(p)) / ZIG_R;
        double b = -log(1.0 - sim_prng_unit(p));
        if (b + b >= a * a) {
            return ZIG_R + a;
        }
    }
}

/* One draw of 32 bits: 8 pick the strip, 1 the sign, 23 the abscissa in [0, x[i]). */
static inline double abscissa(uint32_t h) {
    return (double)(int32_t)(h >> 9) * 0x1.0p-23 * ct_noise_zig_x[h & 0xffu];
}

/*
 * Per-strip numbers derived from the edges, computed once with the same expressions the
 * formulas below would evaluate in place (the same libm call, IEEE division and exact scaling),
 * so they are bit for bit what those expressions give, on this host as before.
 */
typedef struct {
    ct_noise_strip_t strip[CT_NOISE_LAYERS]; /* the vector path's {x[i] 2^-23, x[i+1]} */
    double f_lo[CT_NOISE_LAYERS];            /* f(x[i]), the wedge's floor */
    double height[CT_NOISE_LAYERS];          /* V / x[i], the strip's height */
    /* Only for the bounds of wedge_accepts(): f(x[i+1]), the chord's slope, and the shape of f
     * over the strip (+1 convex, x >= 1; -1 concave, x <= 1; 0 both). */
    double f_next[CT_NOISE_LAYERS];
    double slope[CT_NOISE_LAYERS];
    int shape[CT_NOISE_LAYERS];
    int ready;
} derived_t;

static derived_t derived; /* one thread (ct_simd.h) */

static const derived_t *derived_tables(void) {
    if (!derived.ready) {
        for (unsigned i = 0; i < CT_NOISE_LAYERS; i++) {
            double x = ct_noise_zig_x[i], x_next = ct_noise_zig_x[i + 1];
            derived.strip[i] = (ct_noise_strip_t){x * 0x1.0p-23, x_next};
            derived.f_lo[i] = exp(-0.5 * x * x);
            derived.height[i] = ZIG_V / x;
            derived.f_next[i] = exp(-0.5 * x_next * x_next);
            derived.slope[i] = (derived.f_lo[i] - derived.f_next[i]) / (x - x_next);
            derived.shape[i] = x_next >= 1.0 ? 1 : x <= 1.0 ? -1 : 0;
        }
        derived.ready = 1;
    }
    return &derived;
}

/* Far above the relative error of the bounds below (a few 1e-16) and of libm's exp (under
 * 1e-15 here, the argument's rounding included), far below the wedge's width. */
#define WEDGE_MARGIN 1e-9

/*
 * y < exp(-z^2 / 2), z in strip i (i >= 1), decided without exp where a bound settles it. The
 * chord through the strip's ends and the tangent at x[i] enclose f there: chord above and
 * tangent below where f is convex, the other way round where it is concave. When y lies below
 * the lower bound, or above the upper one, by more than WEDGE_MARGIN relative, the exp it would
 * be compared with lies on the same side, so the answer is the one exp gives; otherwise (about
 * one wedge test in ten, and the strip holding the inflection at 1) it calls exp.
 */
static int wedge_accepts(const derived_t *d, unsigned i, double z, double y) {
    double x = ct_noise_zig_x[i];
    double chord = d->f_next[i] + d->slope[i] * (z - ct_noise_zig_x[i + 1]);
    double tangent = d->f_lo[i] * (1.0 + x * (x - z));
    double lower = d->shape[i] > 0 ? tangent : chord, upper = d->shape[i] > 0 ? chord : tangent;
    if (d->shape[i] != 0) {
        if (y < lower * (1.0 - WEDGE_MARGIN)) {
            return 1;
        }
        if (y > upper * (1.0 + WEDGE_MARGIN)) {
            return 0;
        }
    }
    return y < exp(-0.5 * z * z);
}

int ct_noise_wedge_accepts(unsigned i, double z, double y) {
    SIM_ASSERT(i >= 1 && i < CT_NOISE_LAYERS);
    return wedge_accepts(derived_tables(), i, z, y);
}

/* The 1 % of draws that miss the rectangle: tail or wedge test, else draw again. */
static double gauss_slow(sim_prng_t *p, const derived_t *d, uint32_t h) {
    for (;;) {
        unsigned i = h & 0xffu;
        double z = abscissa(h);
        double sign = (h & 0x100u) ? -1.0 : 1.0;
        if (z < ct_noise_zig_x[i + 1]) {
            return sign * z;
        }
        if (i == 0) {
            return sign * tail(p);
        }
        /* The strip is V / x[i] high by construction, from f(x[i]) up. */
        if (wedge_accepts(d, i, z, d->f_lo[i] + sim_prng_unit(p) * d->height[i])) {
            return sign * z;
        }
        h = (uint32_t)(sim_prng_next(p) >> 32);
    }
}

static const double SIGN[2] = {1.0, -1.0};

/* out[k] from the 32 bits h when they land in their rectangle, else noted in `m`. */
static inline void take(uint32_t h, size_t k, double sd_counts, double *out, ct_noise_misses_t *m) {
    double z = abscissa(h);
    if (z < ct_noise_zig_x[(h & 0xffu) + 1]) {
        /* Bit 8 is the sign, applied without a branch mispredicted half the time. */
        out[k] = sd_counts * z * SIGN[(h >> 8) & 1u];
    } else {
        m->h[m->n] = h;
        m->k[m->n++] = (uint16_t)k;
    }
}

/* The portable fast path, samples [k, n) with k even: on a copy of the stream's state with no
 * call in the loop, so the state stays in registers. */
static void take_portable(sim_prng_t *p, double sd_counts, double *out, size_t k, size_t n,
                          ct_noise_misses_t *m) {
    sim_prng_t s = *p;
    for (; k + 1 < n; k += 2) {
        uint64_t u = sim_prng_next(&s);
        take((uint32_t)u, k, sd_counts, out, m);
        take((uint32_t)(u >> 32), k + 1, sd_counts, out, m);
    }
    if (k < n) {
        take((uint32_t)sim_prng_next(&s), k, sd_counts, out, m);
    }
    *p = s;
}

/*
 * One pass of at most CT_NOISE_PASS deviates. A draw that misses its rectangle is noted by the
 * fast path and resolved after the pass, in order, with draws that follow the pass's own.
 */
static void fill_pass(sim_prng_t *p, ct_simd_t path, const derived_t *d, double sd_counts,
                      double *out, size_t n) {
    ct_noise_misses_t m;
    m.n = 0;
    size_t k = 0;
#if CT_SIMD_X86
    if (path == CT_SIMD_AVX2) {
        k = ct_noise_take_avx2(p, d->strip, n, sd_counts, out, &m);
    }
#else
    (void)path;
#endif
    take_portable(p, sd_counts, out, k, n, &m); /* all of it, or the last 1 to 3 samples */
    for (size_t j = 0; j < m.n; j++) {
        out[m.k[j]] = sd_counts * gauss_slow(p, d, m.h[j]);
    }
}

void ct_noise_fill(sim_prng_t *p, double sd_counts, double *out, size_t n) {
    ct_simd_t path = ct_simd_path();
    const derived_t *d = derived_tables();
    for (size_t k = 0; k < n; k += CT_NOISE_PASS) {
        fill_pass(p, path, d, sd_counts, out + k, n - k < CT_NOISE_PASS ? n - k : CT_NOISE_PASS);
    }
}
