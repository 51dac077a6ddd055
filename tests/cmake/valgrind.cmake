# Valgrind memcheck runs (docs/robustness.md, "Sanitizers and valgrind").
#
#   valgrind_<suite>   with -DSIM_VALGRIND=ON only (label valgrind): the node host's suites under
#                      memcheck (tests/valgrind.sh)
#
# The build must be without sanitizers: valgrind and ASan do not mix.
option(SIM_VALGRIND "Register valgrind runs of the node host's suites (label valgrind)" OFF)
find_program(SIM_VALGRIND_EXE valgrind)
if(SIM_VALGRIND AND SIM_VALGRIND_EXE)
    file(GLOB vg_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_host_*.c
         ${CMAKE_SOURCE_DIR}/tests/unit/test_isolate_*.c
         ${CMAKE_SOURCE_DIR}/tests/unit/test_nvs_powerloss.c)
    foreach(src ${vg_srcs})
        get_filename_component(t ${src} NAME_WE)
        if(TARGET ${t})
            add_test(NAME valgrind_${t}
                     COMMAND sh ${CMAKE_SOURCE_DIR}/tests/valgrind.sh ${CMAKE_BINARY_DIR} ${t})
            set_tests_properties(valgrind_${t} PROPERTIES TIMEOUT 1800 LABELS valgrind)
        endif()
    endforeach()
elseif(SIM_VALGRIND)
    message(WARNING "SIM_VALGRIND=ON but valgrind was not found: no valgrind tests")
endif()
