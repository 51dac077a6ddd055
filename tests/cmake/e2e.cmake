# End-to-end tests through the real command line (tests/e2e/).
if(TARGET alfasim)
    set(E2E ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
    add_test(NAME e2e_cli COMMAND sh ${E2E}/cli.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR})
    add_test(NAME e2e_malformed
             COMMAND sh ${E2E}/malformed.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR})
    add_test(NAME e2e_interop
             COMMAND sh ${E2E}/interop.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR})
    add_test(NAME e2e_seed_changes_digest
             COMMAND sh ${E2E}/seed.sh $<TARGET_FILE:alfasim>
                     ${CMAKE_SOURCE_DIR}/scenarios/test/three_nodes_faults.json)
    file(GLOB e2e_scenarios CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/test/*.json)
    foreach(s ${e2e_scenarios})
        get_filename_component(n ${s} NAME_WE)
        add_test(NAME determinism_${n} COMMAND $<TARGET_FILE:alfasim> check-determinism ${s})
    endforeach()
    add_test(NAME e2e_suite COMMAND $<TARGET_FILE:alfasim> suite ${CMAKE_SOURCE_DIR}/scenarios/test
             -j 2 --out ${CMAKE_BINARY_DIR}/e2e-suite --junit ${CMAKE_BINARY_DIR}/e2e-suite/junit.xml
             --quiet)
    # Run folders on a full and a read-only tmpfs (root only; skipped otherwise).
    add_test(NAME e2e_full_fs
             COMMAND sh ${E2E}/full_fs.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR})
    set_tests_properties(e2e_cli e2e_malformed e2e_interop e2e_seed_changes_digest e2e_suite
                         e2e_full_fs PROPERTIES TIMEOUT 600 LABELS e2e)
endif()

# The plant and the firmware through a day: assertions on the day's shape, then the firmware's
# grid-energy estimate against the true meter (within 3 %).
if(TARGET alfasim)
    add_test(NAME e2e_day_one_pack
             COMMAND sh -c "$<TARGET_FILE:alfasim> run ${CMAKE_SOURCE_DIR}/scenarios/day_one_pack.json --out ${CMAKE_BINARY_DIR}/e2e-day --quiet --no-pcap && /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/day_energy.py ${CMAKE_BINARY_DIR}/e2e-day")
    set_tests_properties(e2e_day_one_pack PROPERTIES TIMEOUT 900 LABELS e2e)
endif()

# A bridged run through the command line, a python-can client on socketcand, and its replay.
if(TARGET alfasim)
    add_test(NAME e2e_bridge_replay
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/bridge_replay.sh $<TARGET_FILE:alfasim>
                     ${CMAKE_SOURCE_DIR})
    set_tests_properties(e2e_bridge_replay PROPERTIES TIMEOUT 120 LABELS e2e)
endif()
