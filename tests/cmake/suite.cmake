# The bundled behaviour suite (scenarios/*.json, docs/suite.md): golden traces, determinism,
# the JUnit file, trace-diff, and the broken-firmware (mutant) checks.
#
#   suite_golden_<s>       runs scenario <s>: it must pass, and its trace must equal traces/<s>/
#                          byte for byte (SIM_UPDATE_GOLDEN=1 rewrites traces/<s>/ instead)
#   suite_determinism_<s>  runs <s> again with the same build: the same digest as the golden run
#   suite_opt_build        builds alfasim and the firmware plugins again at -O0 (suite-O0/)
#   suite_opt_<s>          runs <s> with the -O0 build: the same digest as traces/<s>/digest
#   suite_junit            `alfasim suite scenarios/ -j 2`: everything passes and junit.xml
#                          validates against tests/tools/junit.xsd
#   suite_mutant_<m>       runs the scenario that guards rule <m> with a plugin built with
#                          -DFW_MUTATION_<M> (firmware/alfaspark/fw_mutations.h): it must fail,
#                          on the named assertions
#   suite_tracediff        `alfasim trace-diff` on hand-made run folders
if(NOT TARGET alfasim OR NOT TARGET fw_alfaspark)
    return()
endif()

set(SUITE_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/suite)
set(SUITE_OUT ${CMAKE_BINARY_DIR}/suite-out)
file(GLOB suite_fw_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/firmware/alfaspark/*.c)

# The firmware with the other grid-limit boot policy (spec §7.5): the boot-policy scenario runs
# one pack of each kind, so the plugin is part of every build ("plugin": "alfaspark_fresh").
alfasim_add_plugin(fw_alfaspark_fresh ${suite_fw_srcs})
target_compile_definitions(fw_alfaspark_fresh PRIVATE ALFASIM_FW_VERSION="2.5"
                           GRIDLIMIT_BOOT_POLICY=START_FRESH)

file(GLOB suite_scenarios CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.json)

# ---- golden traces and determinism --------------------------------------------------------------
# The second build for the determinism check: the same sources at another optimisation level
# (no sanitizers, no panel), configured and built by the suite_opt_build test into suite-O0/.
# Another level can be tried with -DSIM_SUITE_OPT_FLAGS=-O3; the digests must not change.
set(SIM_SUITE_OPT_FLAGS "-O0" CACHE STRING "C flags of the suite's second, differently optimised build")
set(suite_opt_dir ${CMAKE_BINARY_DIR}/suite-O0)
add_test(NAME suite_opt_build COMMAND sh -c
    "cmake -S \"$0\" -B \"$1\" -DCMAKE_BUILD_TYPE=None \"-DCMAKE_C_FLAGS=$2\" -DSIM_ASAN=OFF \
-DSIM_UBSAN=OFF -DSIM_WERROR=OFF -DSIM_BUILD_GUI=OFF >\"$1.configure.log\" 2>&1 \
|| { cat \"$1.configure.log\"; exit 1; }; \
cmake --build \"$1\" --target alfasim fw_alfaspark fw_alfaspark_fresh -j2"
    ${CMAKE_SOURCE_DIR} ${suite_opt_dir} "${SIM_SUITE_OPT_FLAGS}")
set_tests_properties(suite_opt_build PROPERTIES FIXTURES_SETUP suite_opt TIMEOUT 1200
                     LABELS suite)

foreach(s ${suite_scenarios})
    get_filename_component(n ${s} NAME_WE)
    add_test(NAME suite_golden_${n}
             COMMAND sh ${SUITE_SCRIPTS}/golden.sh $<TARGET_FILE:alfasim> ${s}
                     ${CMAKE_SOURCE_DIR}/traces/${n} ${SUITE_OUT}/golden/${n})
    set_tests_properties(suite_golden_${n} PROPERTIES FIXTURES_SETUP suite_run_${n}
                         TIMEOUT 900 LABELS suite)
    add_test(NAME suite_determinism_${n}
             COMMAND sh ${SUITE_SCRIPTS}/same_digest.sh $<TARGET_FILE:alfasim> ${s}
                     ${SUITE_OUT}/again/${n} ${SUITE_OUT}/golden/${n})
    set_tests_properties(suite_determinism_${n} PROPERTIES FIXTURES_REQUIRED suite_run_${n}
                         TIMEOUT 900 LABELS suite)
    add_test(NAME suite_opt_${n}
             COMMAND sh ${SUITE_SCRIPTS}/same_digest.sh ${suite_opt_dir}/alfasim ${s}
                     ${SUITE_OUT}/O0/${n} ${CMAKE_SOURCE_DIR}/traces/${n})
    set_tests_properties(suite_opt_${n} PROPERTIES FIXTURES_REQUIRED suite_opt
                         TIMEOUT 1800 LABELS suite)
endforeach()

# ---- the whole suite through `alfasim suite`, and its JUnit file -------------------------------
find_program(SUITE_XMLLINT xmllint)
if(SUITE_XMLLINT)
    add_test(NAME suite_junit COMMAND sh -c
        "rm -rf \"$1\" && \"$0\" suite \"$2/scenarios\" -j 2 --out \"$1\" --junit \"$1/junit.xml\" \
--quiet; rc=$?; [ -f \"$1/junit.xml\" ] || { echo 'no junit.xml written'; exit 1; }; \
\"$3\" --noout --schema \"$2/tests/tools/junit.xsd\" \"$1/junit.xml\" || exit 1; \
n=$(grep -c '<testcase ' \"$1/junit.xml\"); echo \"junit.xml: $n test cases, suite exit $rc\"; \
exit $rc"
        $<TARGET_FILE:alfasim> ${SUITE_OUT}/suite ${CMAKE_SOURCE_DIR} ${SUITE_XMLLINT})
    set_tests_properties(suite_junit PROPERTIES TIMEOUT 1800 LABELS suite)
else()
    message(STATUS "xmllint not found: suite_junit not registered")
endif()

# ---- broken firmware must fail its scenario ----------------------------------------------------
# Each row: FW_MUTATION_ suffix | the firmware file (without .c) that holds its hook | scenario |
# assertions that must fail (,-separated). The mutant's name is the suffix in lower case.
set(suite_mutants
    "SC_SWAPPED|modes|self_consumption_sunny|grid_open_in_band"
    "GRIDLIMIT_NO_OVERRIDE|arbitrate|grid_limit|latch_beats_backup"
    "ECO_RESTORE_ALL|eco|eco_shedding|heater_restored_after_pump"
    "TOU_UNSYNCED|arbitrate|tou_midnight|r2_held_before_sync"
    "ELECT_LOWEST|election|election_failover|highest_nodeid_master"
    "BAR_FLOOR|indicators|indicators|low_bar_two_red"
    "NO_BLINK|tm1637|indicators|low_display_blinks"
    "TTL_DOUBLE|election|election_failover|takeover_within_ttl,next_highest_master"
    "GW_NOT_PREFERRED|election|gateway_join_leave|gateway_takes_over,packs_defer_to_gateway"
    "SC_NO_HYSTERESIS|modes|self_consumption_cloudy|grid_open_in_band"
    "ECO_PUMP_FIRST|eco|eco_shedding|heater_shed_first,pump_kept_while_heater_shed"
    "ECO_NO_WARNING|eco|eco_shedding|loads_limit_warning,loads_limit_event"
    "LOADS_LED_DARK|node|eco_shedding|yellow_blinking,yellow_blinks_1hz"
    "TOU_NO_WRAP|modes|tou_midnight|r2_connects_at_22,r2_connected_through_jump_and_midnight"
    "BACKUP_KEEPS_SC|commands|backup|backup_ack_clears_sc"
    "BACKUP_YIELDS|arbitrate|backup|backup_holds_grid_closed"
    "GRID_NO_RESET|gridlimit|grid_limit|released_at_05,counter_zeroed_at_05"
    "BOOT_FORGETS_LATCH|gridlimit|grid_limit_boot|hold_open_boots_latched,hold_open_warns"
    "NO_DASHES|tm1637|bms_stale|display_dashes"
    "STALE_RED_DARK|node|bms_stale|red_led_on"
    "SC_STALE_HOLDS|modes|bms_stale|grid_forced_connected"
    "MB_NO_RETRY|modbus|modbus_crc|attempt_and_three_retries"
    "MB_NO_GAP|modbus|modbus_crc|retries_wait_for_silence"
    "CRC_UNCHECKED|modbus|modbus_crc|stale_after_three_failed_cycles,stale_event"
    "CAN_NO_RECOVERY|can_io|bus_off|recovered,bus_off_event_after_recovery"
    "COLLISION_HIGH_MOVES|election|nodeid_collision|lower_tail_moves,higher_tail_keeps"
    "SWEEP_STUCK|indicators|indicators|sweep_reaches_last"
    "ECO_LIMIT_LOST|settings|settings_power_cycle|mode_mask_survives_eco,eco_limit_survives"
    "WDT_UNREPORTED|fw_main|watchdog|watchdog_event"
    "NVS_REWRITE|settings|nvs_week|same_value_not_rewritten"
    "NVS_HOURLY|fw_main|nvs_week|no_periodic_writes"
    "E_GRID_PERSISTED|fw_main|settings_power_cycle|energy_starts_afresh"
    "NO_HOLDOFF|election|election_single|no_master_during_holdoff"
    "FOREIGN_MASTER|election|election_failover|rebooted_pack_defers"
    "BROADCAST_IGNORED|commands|eco_three_packs|pack2_accepts_eco,pack3_accepts_eco")

# The firmware compiled once for all mutants: a mutant compiles only the file that holds its hook,
# with its FW_MUTATION_ define, and links the other objects from here (a macro of fw_mutations.h
# changes nothing in a file that does not use it), so each mutant costs two compiles (the hook
# file and the port) instead of a whole plugin.
add_library(suite_fw_objects OBJECT ${suite_fw_srcs})
target_include_directories(suite_fw_objects PRIVATE ${CMAKE_SOURCE_DIR}/firmware/hal)
target_compile_definitions(suite_fw_objects PRIVATE ALFASIM_FW_VERSION="2.5")
set_target_properties(suite_fw_objects PROPERTIES POSITION_INDEPENDENT_CODE ON
                      C_VISIBILITY_PRESET hidden)
target_link_libraries(suite_fw_objects PRIVATE sim_warnings)

foreach(row ${suite_mutants})
    string(REPLACE "|" ";" fields "${row}")
    list(GET fields 0 def)
    list(GET fields 1 hook)
    list(GET fields 2 scn)
    list(GET fields 3 asserts)
    string(TOLOWER ${def} m)
    string(REPLACE "," ";" asserts "${asserts}")
    set(target fw_alfaspark_mut_${m})
    alfasim_add_plugin(${target} ${CMAKE_SOURCE_DIR}/firmware/alfaspark/${hook}.c
                       "$<FILTER:$<TARGET_OBJECTS:suite_fw_objects>,EXCLUDE,/${hook}\\.c\\.o$>")
    target_compile_definitions(${target} PRIVATE ALFASIM_FW_VERSION="2.5" FW_MUTATION_${def}=1)
    # Named fw_alfaspark.so in a folder of its own, which the test puts first on the plugin
    # path, so the scenario runs unchanged with the broken firmware.
    set_target_properties(${target} PROPERTIES OUTPUT_NAME fw_alfaspark
                          LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/mutants/${m})
    if(EXISTS ${CMAKE_SOURCE_DIR}/scenarios/${scn}.json)
        add_test(NAME suite_mutant_${m}
                 COMMAND sh ${SUITE_SCRIPTS}/mutant.sh $<TARGET_FILE:alfasim>
                         ${CMAKE_SOURCE_DIR}/scenarios/${scn}.json ${CMAKE_BINARY_DIR}/mutants/${m}
                         ${SUITE_OUT}/mutant/${m} ${asserts})
        set_tests_properties(suite_mutant_${m} PROPERTIES TIMEOUT 900 LABELS "suite;mutant")
    endif()
endforeach()

# ---- trace-diff itself ----------------------------------------------------------------------------
add_test(NAME suite_tracediff COMMAND sh ${SUITE_SCRIPTS}/tracediff.sh $<TARGET_FILE:alfasim>
                                      ${CMAKE_BINARY_DIR}/test-tmp/tracediff)
set_tests_properties(suite_tracediff PROPERTIES TIMEOUT 120 LABELS suite)

# ---- the flash-wear projection of the week-long run ------------------------------------------------
# suite_nvs_wear reads the NVS write counts the scenario's "nvs_writes.<key>" assertions report
# and projects them with the wear model; a week of ordinary use must last far beyond the
# product's life (spec/firmware.md §10.2: no periodic writes).
add_executable(suite_nvs_wear ${SUITE_SCRIPTS}/nvs_wear.c)
target_link_libraries(suite_nvs_wear PRIVATE sim_models PkgConfig::CJSON sim_warnings)
if(EXISTS ${CMAKE_SOURCE_DIR}/scenarios/nvs_week.json)
    add_test(NAME suite_nvs_wear_projection
             COMMAND $<TARGET_FILE:suite_nvs_wear> ${SUITE_OUT}/golden/nvs_week/report.json 100)
    set_tests_properties(suite_nvs_wear_projection PROPERTIES
                         FIXTURES_REQUIRED suite_run_nvs_week TIMEOUT 60 LABELS suite)
endif()
