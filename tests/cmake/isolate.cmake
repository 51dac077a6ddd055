# Crash isolation and power-loss-safe NVS (docs/robustness.md).
#
#   test_isolate_* test_nvs_powerloss   unit suites, globbed by tests/CMakeLists.txt; the identity
#                                       suite also runs the Alfaspark firmware
#   suite_isolated_<s>                  runs bundled scenario <s> with `alfasim run --isolate`: its
#                                       digest must equal the golden one (traces/<s>/digest) of
#                                       the in-process run. Skipped (77) while the command line
#                                       has no --isolate.
#   isolate_s4_speed                    bench label: the s4 workload isolated must run at >= 1000x
#                                       real time (host wall clock; reported with the processor
#                                       time of the run and its children; a benchmark:
#                                       the default run and CI skip it, run it alone)
#
# The valgrind runs of these suites (and of every other one) live in valgrind.cmake.
foreach(t test_isolate_same)
    if(TARGET ${t} AND TARGET fw_alfaspark)
        add_dependencies(${t} fw_alfaspark)
    endif()
endforeach()

if(TARGET alfasim AND TARGET fw_alfaspark)
    set(ISOLATE_HAS_FLAG
        "\"$0\" run --help 2>&1 | grep -q -- --isolate || { echo 'alfasim run has no --isolate yet'; exit 77; }")
    file(GLOB isolate_scenarios CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.json)
    foreach(s ${isolate_scenarios})
        get_filename_component(n ${s} NAME_WE)
        if(NOT EXISTS ${CMAKE_SOURCE_DIR}/traces/${n})
            continue()
        endif()
        add_test(NAME suite_isolated_${n}
                 COMMAND sh -c "${ISOLATE_HAS_FLAG}; exec sh \"$1\" \"$0\" \"$2\" \"$3\" \"$4\" --isolate"
                         $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR}/tests/suite/same_digest.sh ${s}
                         ${CMAKE_BINARY_DIR}/suite-out/isolated/${n} ${CMAKE_SOURCE_DIR}/traces/${n})
        set_tests_properties(suite_isolated_${n} PROPERTIES TIMEOUT 1800 SKIP_RETURN_CODE 77
                             LABELS "suite;isolate")
    endforeach()

    set(s4 ${CMAKE_SOURCE_DIR}/tests/bench/scenarios/s4.json)
    if(EXISTS ${s4})
        add_test(NAME isolate_s4_speed COMMAND sh -c
            "${ISOLATE_HAS_FLAG}; out=\"$2\"; rm -rf \"$out\"; \
mkdir -p \"$(dirname \"$out\")\" || exit 1; \
\"$0\" run \"$1\" --isolate --quiet --no-pcap --out \"$out\"; [ -f \"$out/report.json\" ] || exit 1; \
sim=$(sed -n 's/^ *\"sim_duration_ns\": \\([0-9]*\\).*/\\1/p' \"$out/report.json\"); \
wall=$(sed -n 's/^ *\"wall_ms\": \\([0-9]*\\).*/\\1/p' \"$out/report.json\"); \
x=$((sim / 1000000 / (wall > 0 ? wall : 1))); \
echo \"isolated s4: $((sim / 1000000000)) s simulated in $wall ms: $x times real time\"; \
echo \"processor time (user, system): this shell, then the run and its firmware processes\"; times; \
[ \"$x\" -ge 1000 ]"
            $<TARGET_FILE:alfasim> ${s4} ${CMAKE_BINARY_DIR}/bench-out/isolate_s4)
        set_tests_properties(isolate_s4_speed PROPERTIES TIMEOUT 1800 SKIP_RETURN_CODE 77
                             LABELS "bench;isolate" RUN_SERIAL TRUE)
    endif()
endif()
