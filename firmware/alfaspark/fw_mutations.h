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
 *   FW_MUTATION_TTL_DOUBLE            election.c    a peer expires at twice the TTL (§9.7)
 *   FW_MUTATION_GW_NOT_PREFERRED      election.c    a gateway is elected like a pack (§9.7)
 *   FW_MUTATION_SC_NO_HYSTERESIS      modes.c       Self-Consumption reconnects in the band (§7.1)
 *   FW_MUTATION_SC_STALE_HOLDS        modes.c       an unknown SOC holds R1 where it is (§7.1)
 *   FW_MUTATION_TOU_NO_WRAP           modes.c       a window past midnight never matches (§7.3)
 *   FW_MUTATION_ECO_PUMP_FIRST        eco.c         Eco sheds the pump before the heater (§7.2)
 *   FW_MUTATION_ECO_NO_WARNING        eco.c         the loads-limit warning is never raised (§7.2)
 *   FW_MUTATION_LOADS_LED_DARK        node.c        the loads-limit warning leaves yellow dark
 *   FW_MUTATION_STALE_RED_DARK        node.c        a stale BMS leaves the red LED dark (§8.3)
 *   FW_MUTATION_BACKUP_KEEPS_SC       commands.c    Backup does not switch Self-Consumption off
 *   FW_MUTATION_BACKUP_YIELDS         arbitrate.c   a manual open beats Backup on R1 (§7.6)
 *   FW_MUTATION_GRID_NO_RESET         gridlimit.c   no daily reset at 05:00 (§7.5)
 *   FW_MUTATION_BOOT_FORGETS_LATCH    gridlimit.c   HOLD_OPEN boots with the latch clear (§7.5)
 *   FW_MUTATION_NO_DASHES             tm1637.c      a stale SOC is shown as a number (§11.2)
 *   FW_MUTATION_MB_NO_RETRY           modbus.c      a failed poll is not retried (§6)
 *   FW_MUTATION_MB_NO_GAP             modbus.c      a retry goes out right after a bad reply (§6)
 *   FW_MUTATION_CRC_UNCHECKED         modbus.c      the reply CRC is not checked (§6)
 *   FW_MUTATION_CAN_NO_RECOVERY       can_io.c      bus-off never restarts the controller (§11.1)
 *   FW_MUTATION_COLLISION_HIGH_MOVES  election.c    the higher MAC tail moves on a collision
 *   FW_MUTATION_SWEEP_STUCK           indicators.c  the blue charging pixel does not move (§8.1)
 *   FW_MUTATION_ECO_LIMIT_LOST        settings.c    the Eco limit is not read back at boot (§10.2)
 *   FW_MUTATION_WDT_UNREPORTED        fw_main.c     a watchdog reset sends no event 7 (§11.1)
 *   FW_MUTATION_NVS_REWRITE           settings.c    a repeated value is written again (§10.2)
 *   FW_MUTATION_NVS_HOURLY            fw_main.c     E_grid written to NVS every hour (§10.2)
 *   FW_MUTATION_E_GRID_PERSISTED      fw_main.c     E_grid written each tick, restored at boot
 *   FW_MUTATION_NO_HOLDOFF            election.c    a booting node claims master at once (§9.7)
 *   FW_MUTATION_BROADCAST_IGNORED     commands.c    commands to NodeID 127 are ignored (§9.9)
 *   FW_MUTATION_FOREIGN_MASTER        election.c    a quickly rebooted pack claims master beside
 *                                                   the real one, whose ANN it has not heard
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

#if defined(FW_MUTATION_TTL_DOUBLE)
#define FW_MUT_NODE_TTL_MS(ttl_ms) (2u * (ttl_ms))
#else
#define FW_MUT_NODE_TTL_MS(ttl_ms) (ttl_ms)
#endif

#if defined(FW_MUTATION_GW_NOT_PREFERRED)
#define FW_MUT_GW_PREFERRED false
#else
#define FW_MUT_GW_PREFERRED true
#endif

#if defined(FW_MUTATION_SC_NO_HYSTERESIS)
#define FW_MUT_SC_IN_BAND(connected) ((void)(connected), true)
#else
#define FW_MUT_SC_IN_BAND(connected) (connected)
#endif

#if defined(FW_MUTATION_SC_STALE_HOLDS)
#define FW_MUT_SC_UNKNOWN_SOC(connected) (connected)
#else
#define FW_MUT_SC_UNKNOWN_SOC(connected) true
#endif

#if defined(FW_MUTATION_TOU_NO_WRAP)
#define FW_MUT_TOU_NO_WRAP true
#else
#define FW_MUT_TOU_NO_WRAP false
#endif

/* The first two stages of the shed order (the inverter output, when shed at all, comes last). */
#if defined(FW_MUTATION_ECO_PUMP_FIRST)
#define FW_MUT_ECO_FIRST_STAGES FW_RELAY_POOL, FW_RELAY_HEATER
#else
#define FW_MUT_ECO_FIRST_STAGES FW_RELAY_HEATER, FW_RELAY_POOL
#endif

#if defined(FW_MUTATION_ECO_NO_WARNING)
#define FW_MUT_ECO_WARNS false
#else
#define FW_MUT_ECO_WARNS true
#endif

#if defined(FW_MUTATION_LOADS_LED_DARK)
#define FW_MUT_LOADS_LED(loads_limit) ((void)(loads_limit), false)
#else
#define FW_MUT_LOADS_LED(loads_limit) (loads_limit)
#endif

#if defined(FW_MUTATION_STALE_RED_DARK)
#define FW_MUT_STALE_RED(stale) ((void)(stale), false)
#else
#define FW_MUT_STALE_RED(stale) (stale)
#endif

#if defined(FW_MUTATION_BACKUP_KEEPS_SC)
#define FW_MUT_BACKUP_EXCLUDES(modes) 0u
#else
#define FW_MUT_BACKUP_EXCLUDES(modes) (modes)
#endif

#if defined(FW_MUTATION_BACKUP_YIELDS)
#define FW_MUT_BACKUP_GRID(r) override_or_default((r), FW_RELAY_GRID)
#else
#define FW_MUT_BACKUP_GRID(r) true
#endif

#if defined(FW_MUTATION_GRID_NO_RESET)
#define FW_MUT_GRID_RESETS false
#else
#define FW_MUT_GRID_RESETS true
#endif

#if defined(FW_MUTATION_BOOT_FORGETS_LATCH)
#define FW_MUT_BOOT_LATCH(mode_on) ((void)(mode_on), false)
#else
#define FW_MUT_BOOT_LATCH(mode_on) (mode_on)
#endif

#if defined(FW_MUTATION_NO_DASHES)
#define FW_MUT_DASHES(soc_valid) ((void)(soc_valid), true)
#else
#define FW_MUT_DASHES(soc_valid) (soc_valid)
#endif

#if defined(FW_MUTATION_MB_NO_RETRY)
#define FW_MUT_MB_RETRY false
#else
#define FW_MUT_MB_RETRY true
#endif

#if defined(FW_MUTATION_MB_NO_GAP)
#define FW_MUT_MB_GAP false
#else
#define FW_MUT_MB_GAP true
#endif

#if defined(FW_MUTATION_CRC_UNCHECKED)
#define FW_MUT_CRC_CHECKED false
#else
#define FW_MUT_CRC_CHECKED true
#endif

#if defined(FW_MUTATION_CAN_NO_RECOVERY)
#define FW_MUT_CAN_RECOVER() ((void)0)
#else
#define FW_MUT_CAN_RECOVER() ((void)hal_can_recover())
#endif

#if defined(FW_MUTATION_COLLISION_HIGH_MOVES)
#define FW_MUT_COLLISION_MOVES(self_tail, other_tail) ((self_tail) > (other_tail))
#else
#define FW_MUT_COLLISION_MOVES(self_tail, other_tail) ((self_tail) < (other_tail))
#endif

#if defined(FW_MUTATION_SWEEP_STUCK)
#define FW_MUT_SWEEP_STEP 0u
#else
#define FW_MUT_SWEEP_STEP 1u
#endif

#if defined(FW_MUTATION_ECO_LIMIT_LOST)
#define FW_MUT_ECO_LIMIT_READ(found) ((void)(found), false)
#else
#define FW_MUT_ECO_LIMIT_READ(found) (found)
#endif

#if defined(FW_MUTATION_WDT_UNREPORTED)
#define FW_MUT_WDT_REPORTED false
#else
#define FW_MUT_WDT_REPORTED true
#endif

#if defined(FW_MUTATION_NVS_REWRITE)
#define FW_MUT_NVS_SAME_SKIPPED false
#else
#define FW_MUT_NVS_SAME_SKIPPED true
#endif

/*
 * Two ways of persisting E_grid, which §10.1 forbids: NVS_HOURLY writes it whenever a tick crosses
 * a whole hour of uptime; E_GRID_PERSISTED is the prototypes' defect, a write every tick and the
 * value read back at the first tick after boot. `s` is the firmware state (fw_state_t *).
 */
#if defined(FW_MUTATION_NVS_HOURLY)
#define FW_MUT_PERSIST_E_GRID(s, now_ms, dt_ms)                                                    \
    do {                                                                                           \
        if ((now_ms) / 3600000u != ((now_ms) - (dt_ms)) / 3600000u) {                              \
            uint64_t e_ = (s)->grid.energy_wms;                                                    \
            (void)hal_nvs_set(FW_NVS_NS, "eGrid", &e_, sizeof e_);                                 \
        }                                                                                          \
    } while (0)
#elif defined(FW_MUTATION_E_GRID_PERSISTED)
#define FW_MUT_PERSIST_E_GRID(s, now_ms, dt_ms)                                                    \
    do {                                                                                           \
        uint64_t e_ = 0;                                                                           \
        size_t n_ = sizeof e_;                                                                     \
        (void)(now_ms);                                                                            \
        (void)(dt_ms);                                                                             \
        if ((s)->ticks == 1u && hal_nvs_get(FW_NVS_NS, "eGrid", &e_, &n_) == HAL_OK &&             \
            n_ == sizeof e_) {                                                                     \
            (s)->grid.energy_wms = e_;                                                             \
        }                                                                                          \
        e_ = (s)->grid.energy_wms;                                                                 \
        (void)hal_nvs_set(FW_NVS_NS, "eGrid", &e_, sizeof e_);                                     \
    } while (0)
#else
#define FW_MUT_PERSIST_E_GRID(s, now_ms, dt_ms) ((void)0)
#endif

#if defined(FW_MUTATION_NO_HOLDOFF)
#define FW_MUT_HOLDOFF_OVER(over) ((void)(over), true)
#else
#define FW_MUT_HOLDOFF_OVER(over) (over)
#endif

#if defined(FW_MUTATION_FOREIGN_MASTER)
#define FW_MUT_FOREIGN_MASTER(seen) ((void)(seen), false)
#else
#define FW_MUT_FOREIGN_MASTER(seen) (seen)
#endif

#if defined(FW_MUTATION_BROADCAST_IGNORED)
#define FW_MUT_BROADCAST_ACCEPTED false
#else
#define FW_MUT_BROADCAST_ACCEPTED true
#endif

#endif
