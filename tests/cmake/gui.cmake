# The panel's tests and tools. They link sim_gui (SDL2), so their sources live in tests/gui/,
# outside the tests/unit glob that links only the core and the models. Without SDL2 the panel is
# not built and neither are these.
#
#   tests/gui/test_gui_*.c   one CUnit suite each (golden images in tests/gui/golden/;
#                            SIM_UPDATE_GOLDEN=1 rewrites them, review with git diff)
#   tests/gui/panel_demo.c   the panel on a synthetic installation: try the controls, make the
#                            screenshots in docs/img/, measure the CPU cost (docs/panel.md)
if(NOT TARGET sim_gui)
    return()
endif()

set(gui_test_dir ${CMAKE_CURRENT_SOURCE_DIR}/gui)
add_library(gui_demo_world STATIC ${gui_test_dir}/demo_world.c)
target_link_libraries(gui_demo_world PUBLIC sim_gui PRIVATE sim_warnings)
target_include_directories(gui_demo_world PUBLIC ${gui_test_dir})

file(GLOB gui_tests CONFIGURE_DEPENDS ${gui_test_dir}/test_gui_*.c)
foreach(src ${gui_tests})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src} ${SIM_TEST_SUPPORT}/cunit_main.c)
    target_link_libraries(${name} PRIVATE gui_demo_world sim_gui PkgConfig::CUNIT sim_warnings)
    target_include_directories(${name} PRIVATE ${SIM_TEST_SUPPORT})
    target_compile_definitions(${name} PRIVATE
        SIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}" SIM_PLUGIN_DIR="${SIM_PLUGIN_DIR}"
        SIM_BINARY_DIR="${CMAKE_BINARY_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    # The window path runs on SDL's dummy video driver: no display needed.
    set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS "unit;gui"
                         ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy")
endforeach()

add_executable(panel_demo ${gui_test_dir}/panel_demo.c)
target_link_libraries(panel_demo PRIVATE gui_demo_world sim_gui sim_warnings)

# The demo's headless path end to end: it must reach both instants and write both PNGs.
add_test(NAME gui_demo_headless
         COMMAND panel_demo --headless --packs 4 --size 960x640
                 --shot-at 2 ${CMAKE_BINARY_DIR}/test-tmp/gui_demo_2s.png
                 --shot-at 2.5 ${CMAKE_BINARY_DIR}/test-tmp/gui_demo_2500ms.png)
set_tests_properties(gui_demo_headless PROPERTIES TIMEOUT 120 LABELS gui)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/test-tmp)
