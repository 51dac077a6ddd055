# Firmware-core test registrations (included by tests/CMakeLists.txt after the unit tests):
#   - the core rebuilt with other build options, each with the suite that checks that option;
#   - the poisoned-identifier check of the core;
#   - the DBC file: it loads in canmatrix and decodes every frame the core sends.
if(NOT TARGET fw_alfaspark_core)
    return()
endif()

file(GLOB fw_core_variant_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/firmware/alfaspark/*.c)

# fw_core_variant(NAME DEFS...): the firmware core as a static library built with DEFS; the
# definitions are PUBLIC so the suite compiled against it sees the same options.
function(fw_core_variant name)
    add_library(${name} STATIC ${fw_core_variant_srcs})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/firmware/hal
                               ${CMAKE_SOURCE_DIR}/firmware/alfaspark)
    target_compile_definitions(${name} PUBLIC ${ARGN})
    target_link_libraries(${name} PUBLIC m PRIVATE sim_warnings)
endfunction()

# fw_variant_test(TEST CORE SOURCE): a CUnit suite from tests/unit linked against a core variant.
function(fw_variant_test test core src)
    add_executable(${test} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${src}
                   ${SIM_TEST_SUPPORT}/cunit_main.c ${SIM_TEST_SUPPORT}/fake_hal.c)
    target_link_libraries(${test} PRIVATE ${core} PkgConfig::CUNIT sim_warnings m)
    target_include_directories(${test} PRIVATE ${SIM_TEST_SUPPORT})
    target_compile_definitions(${test} PRIVATE
        SIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}" SIM_BINARY_DIR="${CMAKE_BINARY_DIR}")
    add_test(NAME ${test} COMMAND ${test})
    set_tests_properties(${test} PROPERTIES TIMEOUT 300 LABELS unit)
endfunction()

fw_core_variant(fw_alfaspark_core_fresh GRIDLIMIT_BOOT_POLICY=START_FRESH)
fw_variant_test(test_fw_bootpolicy_fresh fw_alfaspark_core_fresh test_fw_bootpolicy.c)

fw_core_variant(fw_alfaspark_core_eco3 ECO_SHED_INVERTER_LAST=1
                ECO_CONSUMPTION=INVERTER_PLUS_LOADS)
fw_variant_test(test_fw_eco_variant fw_alfaspark_core_eco3 test_fw_eco.c)

# The poison check on the firmware core alone: a tree that holds only firmware/alfaspark, so the
# verdict is about the core and not about models/ (checked by their own gate).
set(fw_poison_root ${CMAKE_CURRENT_BINARY_DIR}/fw_poison_root)
add_test(NAME fw_check_poison COMMAND sh -c
    "mkdir -p '${fw_poison_root}/firmware' && ln -sfn '${CMAKE_SOURCE_DIR}/firmware/alfaspark' '${fw_poison_root}/firmware/alfaspark' && '${CMAKE_SOURCE_DIR}/scripts/check-poison' '${fw_poison_root}'")
set_tests_properties(fw_check_poison PROPERTIES LABELS lint)
