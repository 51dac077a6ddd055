/*
 * fw_mutations.h: deliberate defects, compiled only into the behaviour suite's mutant plugins.
 *
 * The bundled scenario suite (scenarios/, docs/suite.md) must fail when the firmware breaks a
 * rule it claims to check. To prove that, tests/cmake/suite.cmake builds extra plugins from these
 * same sources with one -DFW_MUTATION_<NAME>=1 each and expects the matching scenario to fail.
 * Each hook is a single line at the place that implements the rule. In every real build no
 * FW_MUTATION_* is defined and each macro below expands to the specified behaviour, so the
 * firmware that ships (and every unit test) is unchanged.
 *
 *   FW_MUTATION_SC_SWAPPED            modes.c       Self-Consumption thresholds swapped (§7.1)
 *   FW_MUTATION_GRIDLIMIT_NO_OVERRIDE arbitrate.c   Backup beats the grid-limit latch (§7.6)
 *   FW_MUTATION_ECO_RESTORE_ALL       eco.c         Eco restores every shed load at once (§7.2)
 *   FW_MUTATION_TOU_UNSYNCED          arbitrate.c   TOU switches R2 before the first time sync
 *   FW_MUTATION_ELECT_LOWEST          election.c    the lowest NodeID wins the election (§9.7)
 *   FW_MUTATION_BAR_FLOOR             indicators.c  SOC bar rounds down (§8.1, defect 19)
 *   FW_MUTATION_NO_BLINK              tm1637.c      the display never blinks below 15 % (§8.2)
 */
#ifndef FW_MUTATIONS_H
#define FW_MUTATIONS_H

#if defined(FW_MUTATION_SC_SWAPPED)
#define FW_MUT_SC_THRESHOLDS(low, high)                                                            \
    do {                                                                                           \
        uint8_t swap_ = (low);                                                                     \
        (low) = (high);                                                                            \
        (high) = swap_;                                                                            \
    } while (0)
#else
#define FW_MUT_SC_THRESHOLDS(low, high) ((void)0)
#endif

#if defined(FW_MUTATION_GRIDLIMIT_NO_OVERRIDE)
#define FW_MUT_BACKUP_BEATS_LATCH(mode_mask) (((mode_mask)&FW_MODE_BACKUP) != 0u)
#else
#define FW_MUT_BACKUP_BEATS_LATCH(mode_mask) false
#endif

#if defined(FW_MUTATION_ECO_RESTORE_ALL)
#define FW_MUT_ECO_RESTORE_ALL(shed_count) ((shed_count) = 0u)
#else
#define FW_MUT_ECO_RESTORE_ALL(shed_count) ((void)0)
#endif

#if defined(FW_MUTATION_TOU_UNSYNCED)
#define FW_MUT_TOU_UNSYNCED true
#else
#define FW_MUT_TOU_UNSYNCED false
#endif

#if defined(FW_MUTATION_ELECT_LOWEST)
#define FW_MUT_ELECT_BEATS(candidate, best) ((candidate) < (best))
#else
#define FW_MUT_ELECT_BEATS(candidate, best) ((candidate) > (best))
#endif

#if defined(FW_MUTATION_BAR_FLOOR)
#define FW_MUT_BAR_ROUNDING(round_up) 0u
#else
#define FW_MUT_BAR_ROUNDING(round_up) (round_up)
#endif

#if defined(FW_MUTATION_NO_BLINK)
#define FW_MUT_NO_BLINK true
#else
#define FW_MUT_NO_BLINK false
#endif

#endif
