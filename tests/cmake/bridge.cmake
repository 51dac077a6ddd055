# Bridge tests (core/bridge): the SocketCAN / socketcand bridges, record and replay.
#
#   test_bridge_*            CUnit suites (registered by tests/CMakeLists.txt)
#   bridge_pycan_socketcand  python-can 4.1 (Debian) against the socketcand server of a
#                            bridged three-node world: every frame in order, its sends on the
#                            bus, and the replay's digest equal to the live run's
#   bridge_pycan_alfasim     the same against `alfasim run` of three Alfaspark packs, with a
#                            SET_ECO every pack ACKs and a burst sent while SIGUSR1 pauses it
#   bridge_vm_*              inside a QEMU VM with a real vcan0 (LABELS bridge;vm)
#

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
        if(TARGET alfasim AND TARGET fw_alfaspark)
            add_test(NAME bridge_pycan_alfasim
                     COMMAND /usr/bin/python3 ${BRIDGE_TEST_DIR}/pycan_alfasim.py
                             --alfasim $<TARGET_FILE:alfasim>
                             --scenario ${BRIDGE_TEST_DIR}/three_packs_eco.json
                             --tmp ${CMAKE_BINARY_DIR}/test-tmp/bridge_pycan_alfasim --factor 10)
            set_tests_properties(bridge_pycan_alfasim PROPERTIES LABELS "bridge;interop"
                                 TIMEOUT 180)
        endif()
    else()
        message(STATUS "python3-can missing: bridge_pycan_socketcand not registered")
    endif()
endif()

# bridge_vm_vcan: the bridge against a real vcan0 inside a QEMU VM (tests/bridge/vm/), for
# kernels without CAN. Registered when qemu-system-x86 and busybox-static are installed; the
# Debian kernel package is downloaded with apt-get on first use into <build>/vm-cache (or taken
# from SIM_VM_KERNEL_DIR). Boot and checks take well under a minute of wall time.
find_program(SIM_QEMU qemu-system-x86_64)
find_program(SIM_BUSYBOX busybox)
if(TARGET bridge_world AND SIM_QEMU AND SIM_BUSYBOX)
    set(bridge_vm_out ${CMAKE_BINARY_DIR}/test-tmp/bridge_vm)
    set(bridge_vm_suite "")
    if(TARGET test_bridge_socketcan)
        set(bridge_vm_suite $<TARGET_FILE:test_bridge_socketcan>)
    endif()
    add_test(NAME bridge_vm_vcan
             COMMAND sh ${BRIDGE_TEST_DIR}/vm/run-in-vm.sh ${bridge_vm_out}
                     sh ${BRIDGE_TEST_DIR}/vm/vcan_check.sh $<TARGET_FILE:bridge_world>
                     ${bridge_vm_out} ${bridge_vm_suite})
    set_tests_properties(bridge_vm_vcan PROPERTIES LABELS "bridge;vm" TIMEOUT 900
                         ENVIRONMENT "SIM_VM_CACHE=${CMAKE_BINARY_DIR}/vm-cache")
else()
    message(STATUS "qemu-system-x86_64 or busybox missing: bridge_vm_vcan not registered")
endif()

# bridge_vm_alfasim: the acceptance with the real firmware: `alfasim run` of three packs
# (tests/bridge/three_packs_eco.json) bridged to vcan0 inside the VM: candump equals bus.log, a
# SET_ECO from cansend is ACKed by every pack, a burst of 1000 frames sent while SIGUSR1 holds
# the run paused all arrives, and the replay gives the live digest (tests/bridge/vm/).
if(TARGET alfasim AND TARGET fw_alfaspark AND SIM_QEMU AND SIM_BUSYBOX)
    set(alfasim_vm_out ${CMAKE_BINARY_DIR}/test-tmp/bridge_vm_alfasim)
    add_test(NAME bridge_vm_alfasim
             COMMAND sh ${BRIDGE_TEST_DIR}/vm/run-in-vm.sh ${alfasim_vm_out}
                     sh ${BRIDGE_TEST_DIR}/vm/alfasim_vcan_check.sh $<TARGET_FILE:alfasim>
                     ${BRIDGE_TEST_DIR}/three_packs_eco.json ${alfasim_vm_out} 20)
    set_tests_properties(bridge_vm_alfasim PROPERTIES LABELS "bridge;vm" TIMEOUT 600
                         ENVIRONMENT "SIM_VM_CACHE=${CMAKE_BINARY_DIR}/vm-cache")
endif()

# bridge_vm_gateway: the whole chain app → MQTT → gateway → CAN → packs over a real vcan0 inside
# the VM: alfasim runs three packs bridged to vcan0, the reference gateway (tests/gateway/) talks
# to it through SocketCAN and to mosquitto on the VM's loopback. The run is paced by the host
# clock (x2) inside a software-emulated VM, and the gateway's times are host times, so it runs
# alone: next to another test on a two-core machine it once took 376 s instead of 220 s, the
# gateway's first time broadcast came after the run's 30 s deadline and its clock origin slipped
# by 2.3 simulated seconds.
find_program(SIM_MOSQUITTO mosquitto PATHS /usr/sbin)
if(TARGET alfasim AND SIM_QEMU AND SIM_BUSYBOX AND SIM_MOSQUITTO)
    set(gw_vm_out ${CMAKE_BINARY_DIR}/test-tmp/gateway_vm)
    add_test(NAME bridge_vm_gateway
             COMMAND sh ${BRIDGE_TEST_DIR}/vm/run-in-vm.sh ${gw_vm_out}
                     bash ${CMAKE_CURRENT_SOURCE_DIR}/gateway/e2e_socketcand.sh
                     --alfasim $<TARGET_FILE:alfasim> --bridge socketcan:vcan0 --factor 2
                     --work ${gw_vm_out}/e2e)
    set_tests_properties(bridge_vm_gateway PROPERTIES LABELS "bridge;vm;gateway" TIMEOUT 900
                         SKIP_RETURN_CODE 77 RUN_SERIAL TRUE
                         ENVIRONMENT "SIM_VM_CACHE=${CMAKE_BINARY_DIR}/vm-cache")
endif()
