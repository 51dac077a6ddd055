# The panel wired into runs and replays (core/run/sim_run_live.c, core/cli/cli_panel.c):
# tests/live/.
#
#   test_live_oprec   the "operator" record: written, read back, refused when damaged
#   test_live_loop    runs driven by a scripted front end (no SDL): frames, run control, digests,
#                     operator actions and their replay, scrubbing a replay
#   test_live_script  the --panel-script reader
#   test_live_shots   headless screenshots of real runs against pixels and golden PNGs (SDL2)
#   live_session      an operator session through the command line and its replay (SDL2)
#   live_bridge_session  the panel on a bridged run: bridged frames and operator actions
#                     recorded together replay to the same digest (SDL2, python-can)
#   live_xvfb_panel   the real window under Xvfb, driven by xdotool through every control of
#                     docs/panel.md, run and replay (skipped without xvfb-run or xdotool)
set(live_dir ${CMAKE_CURRENT_SOURCE_DIR}/live)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/test-tmp)

function(live_test name)
    add_executable(${name} ${live_dir}/${name}.c ${SIM_TEST_SUPPORT}/cunit_main.c ${ARGN})
    target_link_libraries(${name} PRIVATE sim_core sim_models PkgConfig::CUNIT sim_warnings)
    target_include_directories(${name} PRIVATE ${SIM_TEST_SUPPORT})
    target_compile_definitions(${name} PRIVATE
        SIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}" SIM_PLUGIN_DIR="${SIM_PLUGIN_DIR}"
        SIM_BINARY_DIR="${CMAKE_BINARY_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS "unit;live")
endfunction()

live_test(test_live_oprec)
live_test(test_live_loop)
live_test(test_live_script ${CMAKE_SOURCE_DIR}/core/cli/cli_panel_script.c)
target_include_directories(test_live_script PRIVATE ${CMAKE_SOURCE_DIR}/core/cli)
if(TARGET fw_alfaspark)
    add_dependencies(test_live_oprec fw_alfaspark)
    add_dependencies(test_live_loop fw_alfaspark)
endif()

# Through the command line: these need the panel in the alfasim binary.
if(TARGET sim_gui AND TARGET alfasim)
    live_test(test_live_shots)
    target_link_libraries(test_live_shots PRIVATE sim_gui)
    add_dependencies(test_live_shots alfasim fw_alfaspark)
    set_tests_properties(test_live_shots PROPERTIES LABELS "e2e;live")
    add_test(NAME live_session
             COMMAND sh ${live_dir}/session.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR}
                     ${CMAKE_BINARY_DIR}/test-tmp/live_session_e2e)
    set_tests_properties(live_session PROPERTIES TIMEOUT 300 LABELS "e2e;live")
    add_test(NAME live_bridge_session
             COMMAND sh ${live_dir}/bridge_session.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR})
    set_tests_properties(live_bridge_session PROPERTIES TIMEOUT 120 LABELS "e2e;live")
    # Real keys into a real window: paced by the host clock, so it runs alone.
    add_test(NAME live_xvfb_panel
             COMMAND sh ${live_dir}/xvfb_panel.sh $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR}
                     ${CMAKE_BINARY_DIR}/test-tmp/live_xvfb_panel)
    set_tests_properties(live_xvfb_panel PROPERTIES TIMEOUT 180 LABELS "gui;xvfb;live"
                         SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
endif()
