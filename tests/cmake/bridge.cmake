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
