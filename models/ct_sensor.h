/*
 * ct_sensor.h: one AC current transformer channel and the board's ADC front end.
 *
 * The backend face takes the circuit's true RMS current (A) at a virtual time; the device face
 * fills an ADC continuous-sampling burst with the exact 12-bit counts at each sample instant,
 * as the ESP32 ADC would deliver them: a mains-frequency sine of that RMS current through the
 * CT, its burden resistor and the mid-rail bias, quantised, with seeded Gaussian noise, gain and
 * offset errors, and clipped at the rails.
 *
 * Front-end arithmetic (nominal values; full_scale_a = 50 A, ratio 2000:1, Vref 3.3 V):
 *
 *   primary   i_p(t)  = sqrt(2) * I_rms * sin(2*pi*f*t)
 *   secondary i_s(t)  = i_p(t) / ratio                         50 A rms -> 35.36 mA peak
 *   burden    v_b(t)  = i_s(t) * R_b,  R_b = V_peak_fs / i_s_peak_fs
 *             V_peak_fs = peak_counts_fs * Vref / 4096          2000 counts -> 1.611 V peak
 *             so R_b = 1.611 V / 35.36 mA = 45.6 Ohm            (the board's 68 Ohm would clip)
 *   ADC       v_adc   = Vbias + v_b(t),  Vbias ~ Vref/2 (2048 counts)
 *   counts    c(t)    = round(bias_counts + offset_error_counts
 *                             + (1 + gain_error) * i_p(t) / k  +  N(0, noise_sd_counts))
 *             clipped to 0..4095, where k = full_scale_a * sqrt(2) / peak_counts_fs
 *             (A per count; 0.03536 A/count nominally).
 *
 * The firmware's nominal conversion I = k * sqrt(mean((c - mean c)^2)) therefore reads the true
 * RMS current within quantisation and noise, and reads low once the peaks clip (above
 * full_scale_a * 2047 / peak_counts_fs, about 51 A rms with the defaults).
 *
 * Current changes are kept in a short history (CT_SENSOR_HISTORY entries), so a burst that spans
 * a physics step uses, at each sample instant, the RMS value in force at that instant. The
 * waveform's phase runs continuously from virtual time 0 (also across frequency changes), so
 * consecutive bursts join without a jump. Samples before the last frequency change use the new
 * frequency extrapolated backwards; bursts are filled in time order, so this does not arise.
 *
 * Cost: a few ns per sample. The phase is a 64-bit binary fraction of a turn advanced in exact
 * integer arithmetic (the frequency is rounded to 2^-64 turn per ns, a drift below 1e-5 cycles
 * in a day), the sine comes from ct_wave.h (a per-channel table of the sampling interval's
 * multiples when the interval is a whole number of ns, else a polynomial per sample), the history
 * is looked up once per burst, and the noise comes from the ziggurat of ct_noise.h, two deviates
 * per 64-bit draw of the channel's stream. The counts equal the rounded ideal waveform except
 * where the ideal value lies within about 1e-12 count of a rounding boundary.
 * Not re-entrant; one owner.
 */
#ifndef CT_SENSOR_H
#define CT_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "sim_prng.h"
#include "sim_types.h"

#define CT_SENSOR_HISTORY 64
#define CT_SENSOR_ADC_MAX 4095

typedef struct {
    double full_scale_a;        /* RMS current mapped to peak_counts_fs; default 50 A */
    double peak_counts_fs;      /* sine peak in counts at full scale; default 2000 */
    double ratio;               /* CT turns ratio; default 2000 (only for burden_ohm) */
    double vref_v;              /* ADC reference; default 3.3 V (only for burden_ohm) */
    double bias_counts;         /* nominal mid-scale bias; default 2048 */
    double offset_error_counts; /* added to the bias; default 0 */
    double gain_error;          /* fractional, e.g. 0.01 = +1 %; default 0 */
    double noise_sd_counts;     /* Gaussian noise per sample; default 0.5 */
    double mains_hz;            /* default 50 */
    double phase_rad;           /* waveform phase at t = 0; default 0 */
} ct_sensor_cfg_t;

typedef struct ct_sensor ct_sensor_t;

typedef struct {
    uint64_t samples;        /* samples produced */
    uint64_t clipped;        /* samples clipped at 0 or 4095 */
    uint64_t history_misses; /* samples older than the history (used the oldest value) */
} ct_sensor_stats_t;

void ct_sensor_cfg_default(ct_sensor_cfg_t *cfg);

/**
 * Creates a channel; `noise` seeds its private noise stream (copied), e.g. from
 * sim_kernel_prng(k, "ct.pack1.grid", &p).
 * @retval 0, -SIM_EINVAL (full scale, peak counts or mains frequency not > 0, mains frequency not
 *         below 1 MHz), -SIM_ENOMEM
 */
int ct_sensor_create(const ct_sensor_cfg_t *cfg, const sim_prng_t *noise, ct_sensor_t **out);
void ct_sensor_destroy(ct_sensor_t *ct);

/** Nominal amperes per count, k = full_scale_a * sqrt(2) / peak_counts_fs. */
double ct_sensor_amps_per_count(const ct_sensor_t *ct);
/** Burden resistance the nominal scaling implies (Ohm), from ratio and vref_v. */
double ct_sensor_burden_ohm(const ct_sensor_t *ct);

/* ---- backend face ------------------------------------------------------------------------ */

/** From t_ns on, the circuit carries rms_a (>= 0, A). t_ns must not go backwards. */
void ct_sensor_set_rms(ct_sensor_t *ct, sim_time_ns_t t_ns, double rms_a);
/** The RMS current in force at t_ns. */
double ct_sensor_rms_at(const ct_sensor_t *ct, sim_time_ns_t t_ns);
/** Changes the mains frequency (> 0, < 1 MHz) from t_ns on, keeping the waveform's phase
 *  continuous. */
void ct_sensor_set_mains_hz(ct_sensor_t *ct, sim_time_ns_t t_ns, double hz);

/* ---- device face ------------------------------------------------------------------------- */

/**
 * Fills out[0..n) with the counts at t_start_ns + i / sample_rate_hz (sample_rate_hz > 0).
 * Deterministic: the same calls in the same order give the same counts.
 */
void ct_sensor_fill_burst(ct_sensor_t *ct, sim_time_ns_t t_start_ns, uint32_t sample_rate_hz,
                          size_t n, uint16_t *out);

void ct_sensor_stats(const ct_sensor_t *ct, ct_sensor_stats_t *out);

#endif
