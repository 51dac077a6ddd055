# Bridge tests (core/bridge): the SocketCAN / socketcand bridges, record and replay.
#
#   test_bridge_*            CUnit suites (registered by tests/CMakeLists.txt)
#   bridge_pycan_socketcand  python-can 4.1 (Debian) against the socketcand server of a
#                            bridged three-node world: every frame in order, its sends on the
#                            bus, and the replay's digest equal to the live run's
#
# libsocketcan lets the SocketCAN transport compare a real controller's bit rate with the
# simulated bus's. core/CMakeLists.txt does not link it (yet), so it is added to sim_bridge here;
# without it the bit-rate check is compiled out and everything else works.
pkg_check_modules(SOCKETCAN IMPORTED_TARGET GLOBAL libsocketcan)
get_target_property(bridge_type sim_bridge TYPE)
if(SOCKETCAN_FOUND AND NOT bridge_type STREQUAL "INTERFACE_LIBRARY")
    target_link_libraries(sim_bridge PRIVATE PkgConfig::SOCKETCAN)
    target_compile_definitions(sim_bridge PRIVATE SIM_HAVE_LIBSOCKETCAN=1)
endif()

# The bridge suites share a small simulated world and the socketpair rig (tests/bridge/).
set(BRIDGE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/bridge)
file(GLOB bridge_suites CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_bridge_*.c)
foreach(src ${bridge_suites})
    get_filename_component(name ${src} NAME_WE)
    if(TARGET ${name})
        target_sources(${name} PRIVATE ${BRIDGE_TEST_DIR}/bridge_world.c
                       ${BRIDGE_TEST_DIR}/bridge_rig.c)
        target_include_directories(${name} PRIVATE ${BRIDGE_TEST_DIR})
        set_tests_properties(${name} PROPERTIES LABELS "unit;bridge" TIMEOUT 120)
    endif()
endforeach()

# bridge_world: the bridged three-node world as a program (tests/bridge/bridge_world_main.c). It
# links only the kernel, bus, trace and bridge libraries.
if(NOT bridge_type STREQUAL "INTERFACE_LIBRARY")
    add_executable(bridge_world ${BRIDGE_TEST_DIR}/bridge_world_main.c
                   ${BRIDGE_TEST_DIR}/bridge_world.c)
    target_include_directories(bridge_world PRIVATE ${BRIDGE_TEST_DIR})
    target_link_libraries(bridge_world PRIVATE sim_bridge sim_trace sim_can sim_kernel sim_warnings)

    # python3-can is a Debian package: the system interpreter, not whatever is first on PATH.
    execute_process(COMMAND /usr/bin/python3 -c "import can.interfaces.socketcand"
                    RESULT_VARIABLE bridge_pycan_rc OUTPUT_QUIET ERROR_QUIET)
    if(bridge_pycan_rc EQUAL 0)
        add_test(NAME bridge_pycan_socketcand
                 COMMAND /usr/bin/python3 ${BRIDGE_TEST_DIR}/pycan_socketcand.py
                         --world $<TARGET_FILE:bridge_world>
                         --tmp ${CMAKE_BINARY_DIR}/test-tmp/bridge_pycan --seconds 60 --factor 20)
        set_tests_properties(bridge_pycan_socketcand PROPERTIES LABELS "bridge;interop"
                             TIMEOUT 180)
    else()
        message(STATUS "python3-can missing: bridge_pycan_socketcand not registered")
    endif()
endif()
