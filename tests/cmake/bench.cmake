# Benchmarks (tests/bench/, docs/performance.md). Not part of the default test run: every entry
# here has the label "bench", which `ctest -LE bench` leaves out; run them with `ctest -L bench`
# or `alfasim bench`.
#
#   sim_bench_base   the harness, the baseline heap and the kernel benchmarks (kernel only)
#   bench_kernel     those as a standalone program (callgrind-friendly)
#   sim_bench        every benchmark; linked into alfasim for `alfasim bench`
set(BENCH_DIR ${CMAKE_SOURCE_DIR}/tests/bench)

find_package(ZLIB QUIET)

add_library(sim_bench_base STATIC
    ${BENCH_DIR}/bench_main.c ${BENCH_DIR}/bench_measure.c ${BENCH_DIR}/bench_report.c
    ${BENCH_DIR}/bench_expect.c ${BENCH_DIR}/bench_png.c ${BENCH_DIR}/bench_plot.c
    ${BENCH_DIR}/bench_heap.c ${BENCH_DIR}/bench_hold.c)
target_include_directories(sim_bench_base PUBLIC ${BENCH_DIR})
target_link_libraries(sim_bench_base PUBLIC sim_kernel m PRIVATE sim_warnings)
string(TOUPPER "${CMAKE_BUILD_TYPE}" bench_build_type)
target_compile_definitions(sim_bench_base PRIVATE
    BENCH_BUILD_FLAGS="${CMAKE_BUILD_TYPE} ${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${bench_build_type}}")
if(ZLIB_FOUND)
    target_link_libraries(sim_bench_base PRIVATE ZLIB::ZLIB)
    target_compile_definitions(sim_bench_base PRIVATE BENCH_HAVE_ZLIB=1)
endif()

add_executable(bench_kernel ${BENCH_DIR}/bench_kernel_main.c)
target_link_libraries(bench_kernel PRIVATE sim_bench_base sim_warnings)
target_compile_definitions(bench_kernel PRIVATE BENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

if(NOT TARGET alfasim)
    return()
endif()

add_library(sim_bench STATIC
    ${BENCH_DIR}/bench_all.c ${BENCH_DIR}/bench_scenario.c ${BENCH_DIR}/bench_call.c
    ${BENCH_DIR}/callee_direct.c ${BENCH_DIR}/bench_nodes.c ${BENCH_DIR}/bench_replay.c
    ${BENCH_DIR}/bench_replay_run.c)
target_link_libraries(sim_bench PUBLIC sim_bench_base sim_core sim_models PRIVATE sim_warnings)
target_compile_definitions(sim_bench PRIVATE BENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(alfasim PRIVATE sim_bench)

# Baseline 3's firmware as a plugin (the same source is in sim_bench as callee_direct.c).
alfasim_add_plugin(fw_benchcallee ${BENCH_DIR}/callee.c)
add_dependencies(alfasim fw_benchcallee)

# Baseline 2's recording firmware: the Alfaspark core and the simulator port exactly as in
# fw_alfaspark.so (rec_inner.c includes port_sim.c under another entry-point name), wrapped by
# rec_wrap.c, which records every call across the boundary. Built like alfasim_add_plugin does,
# but without a second copy of the port.
file(GLOB bench_fw_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/firmware/alfaspark/*.c)
if(bench_fw_srcs)
    add_library(fw_alfaspark_rec MODULE ${bench_fw_srcs} ${BENCH_DIR}/rec_inner.c
                ${BENCH_DIR}/rec_wrap.c)
    target_include_directories(fw_alfaspark_rec PRIVATE ${CMAKE_SOURCE_DIR}/firmware/hal
                               ${CMAKE_SOURCE_DIR}/firmware/ports/sim ${BENCH_DIR})
    target_compile_definitions(fw_alfaspark_rec PRIVATE ALFASIM_PLUGIN_NAME="fw_alfaspark"
                               ALFASIM_FW_VERSION="2.5")
    set_target_properties(fw_alfaspark_rec PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden
                          LIBRARY_OUTPUT_DIRECTORY ${SIM_PLUGIN_DIR})
    target_link_libraries(fw_alfaspark_rec PRIVATE sim_warnings m)
    add_dependencies(alfasim fw_alfaspark_rec)
endif()

# ---- CTest entries ---------------------------------------------------------------------------
# The kernel against the baseline heap on every hold workload, short: a check of event order
# (the two must run the same events in the same order, and match the recorded digests), not of
# speed, so it belongs to the default run.
add_test(NAME bench_kernel_order COMMAND bench_kernel --quick)
set_tests_properties(bench_kernel_order PROPERTIES TIMEOUT 300 LABELS kernel)

# Baseline 2's replays, short, both ways (each node alone, then all 126 packs interleaved): every
# replayed copy must make the recorded calls and pass out what the recorded one did, and both
# runs must keep their recorded digests. A check, not a measurement, so it belongs to the
# default run.
add_test(NAME bench_replay_check
         COMMAND alfasim bench --quick --filter firmware_scaling
                 --work ${CMAKE_BINARY_DIR}/bench-replay-check)
set_tests_properties(bench_replay_check PROPERTIES TIMEOUT 300 LABELS replay)

# The harness end to end, short runs of the light benchmarks (digests checked).
add_test(NAME bench_quick COMMAND alfasim bench --quick --work ${CMAKE_BINARY_DIR}/bench-quick)
# Everything, measured: the numbers of docs/performance.md, as JSON and the scaling plot.
add_test(NAME bench_full
         COMMAND alfasim bench --json ${CMAKE_BINARY_DIR}/bench/results.json
                 --plot ${CMAKE_BINARY_DIR}/bench/scaling.png --work ${CMAKE_BINARY_DIR}/bench)
set_tests_properties(bench_quick PROPERTIES TIMEOUT 900 LABELS bench)
set_tests_properties(bench_full PROPERTIES TIMEOUT 7200 LABELS bench)
