# Fuzz targets (tests/fuzz, docs/robustness.md). Each tests/fuzz/fuzz_<name>.c is built as:
#
#   fuzz_<name>_replay  always: the target plus fuzz_driver.c, a plain program that feeds every
#                       file of tests/fuzz/corpus/<name> and tests/fuzz/regressions/<name> through
#                       the target; registered as the CTest test fuzz_<name>_corpus (label fuzz)
#   fuzz_<name>         with clang only: the target linked with libFuzzer, ASan and UBSan, and the
#                       code under test rebuilt with coverage instrumentation (fuzzer-no-link);
#                       tests/fuzz/run-ci.sh builds them in a clang build dir and fuzzes each one
#
# Both land in <build>/fuzz. The target "fuzz_all" builds every one of them that is configured.
set(FUZZ_SRC ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(FUZZ_OUT ${CMAKE_BINARY_DIR}/fuzz)
add_custom_target(fuzz_all)

set(FUZZ_WITH_LIBFUZZER OFF)
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    set(FUZZ_WITH_LIBFUZZER ON)
    set(FUZZ_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
endif()

# fuzz_link_items(TARGET ITEMS...): links ITEMS to TARGET. A pkg-config target imported in
# another directory (PkgConfig::NAME is not global) is not visible here: it is replaced by what
# pkg_check_modules left in the cache for NAME (flags, include directories, libraries).
function(fuzz_link_items tgt)
    foreach(item ${ARGN})
        if(item MATCHES "^PkgConfig::(.+)$" AND NOT TARGET ${item})
            set(pkg ${CMAKE_MATCH_1})
            target_link_libraries(${tgt} PUBLIC ${${pkg}_LDFLAGS})
            target_include_directories(${tgt} PUBLIC ${${pkg}_INCLUDE_DIRS})
            target_compile_options(${tgt} PUBLIC ${${pkg}_CFLAGS_OTHER})
        else()
            target_link_libraries(${tgt} PUBLIC ${item})
        endif()
    endforeach()
endfunction()

# fuzz_instrumented_copy(ORIG COPY): COPY is the static library ORIG rebuilt from the same
# sources, include directories, definitions and link items, with coverage instrumentation for
# libFuzzer and the sanitizers. ORIG itself stays as it is, so no other test sees the change.
function(fuzz_instrumented_copy orig copy)
    get_target_property(srcs ${orig} SOURCES)
    get_target_property(src_dir ${orig} SOURCE_DIR)
    add_library(${copy} STATIC EXCLUDE_FROM_ALL)
    foreach(s ${srcs})
        if(IS_ABSOLUTE ${s})
            target_sources(${copy} PRIVATE ${s})
        else()
            target_sources(${copy} PRIVATE ${src_dir}/${s})
        endif()
    endforeach()
    foreach(prop INCLUDE_DIRECTORIES COMPILE_DEFINITIONS LINK_LIBRARIES)
        get_target_property(v ${orig} ${prop})
        if(v)
            if(prop STREQUAL "INCLUDE_DIRECTORIES")
                target_include_directories(${copy} PUBLIC ${v})
            elseif(prop STREQUAL "COMPILE_DEFINITIONS")
                target_compile_definitions(${copy} PUBLIC ${v})
            else()
                fuzz_link_items(${copy} ${v})
            endif()
        endif()
    endforeach()
    target_compile_options(${copy} PRIVATE -fsanitize=fuzzer-no-link ${FUZZ_SANITIZE})
endfunction()

# fuzz_target(NAME LIBFUZZER_LIBS REPLAY_LIBS [EXTRA_SOURCES...]): both programs of one target.
# The library lists are ';'-separated strings; EXTRA_SOURCES are compiled into both programs.
function(fuzz_target name fuzz_libs replay_libs)
    set(src ${FUZZ_SRC}/fuzz_${name}.c)
    add_executable(fuzz_${name}_replay ${src} ${FUZZ_SRC}/fuzz_driver.c ${ARGN})
    target_include_directories(fuzz_${name}_replay PRIVATE ${FUZZ_SRC} ${SIM_TEST_SUPPORT})
    target_link_libraries(fuzz_${name}_replay PRIVATE ${replay_libs} sim_warnings)
    set_target_properties(fuzz_${name}_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FUZZ_OUT})
    add_dependencies(fuzz_all fuzz_${name}_replay)

    # The checked-in corpus, then the crash reproducers when the target has any.
    set(dirs ${FUZZ_SRC}/corpus/${name})
    file(GLOB regressions CONFIGURE_DEPENDS ${FUZZ_SRC}/regressions/${name}/*)
    if(regressions)
        list(APPEND dirs ${FUZZ_SRC}/regressions/${name})
    endif()
    add_test(NAME fuzz_${name}_corpus COMMAND fuzz_${name}_replay ${dirs})
    set_tests_properties(fuzz_${name}_corpus PROPERTIES TIMEOUT 300 LABELS fuzz)

    if(FUZZ_WITH_LIBFUZZER)
        add_executable(fuzz_${name} EXCLUDE_FROM_ALL ${src} ${ARGN})
        target_include_directories(fuzz_${name} PRIVATE ${FUZZ_SRC} ${SIM_TEST_SUPPORT})
        target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${FUZZ_SANITIZE})
        target_link_libraries(fuzz_${name} PRIVATE ${fuzz_libs} sim_warnings)
        target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${FUZZ_SANITIZE})
        set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FUZZ_OUT})
        add_dependencies(fuzz_all fuzz_${name})
    endif()
endfunction()

# The scenario loader; the socketcand protocol parser.
set(fuzz_scn_libs sim_scenario)
set(fuzz_bridge_libs sim_bridge)
if(FUZZ_WITH_LIBFUZZER)
    fuzz_instrumented_copy(sim_scenario fuzz_cov_scenario)
    fuzz_instrumented_copy(sim_bridge fuzz_cov_bridge)
    set(fuzz_scn_libs fuzz_cov_scenario)
    set(fuzz_bridge_libs fuzz_cov_bridge)
endif()
fuzz_target(scenario "${fuzz_scn_libs}" sim_scenario)
fuzz_target(scand "${fuzz_bridge_libs}" sim_bridge)
fuzz_target(bridge_replay "${fuzz_bridge_libs}" sim_bridge)

# The firmware core against the fake HAL: its Modbus master and its CAN command dispatch.
if(TARGET fw_alfaspark_core)
    set(fuzz_fw_libs fw_alfaspark_core m)
    if(FUZZ_WITH_LIBFUZZER)
        fuzz_instrumented_copy(fw_alfaspark_core fuzz_cov_fw_core)
        set(fuzz_fw_libs fuzz_cov_fw_core m)
    endif()
    set(fuzz_fw_support ${FUZZ_SRC}/fuzz_fw_common.c ${SIM_TEST_SUPPORT}/fake_hal.c)
    fuzz_target(fw_modbus "${fuzz_fw_libs}" "fw_alfaspark_core;m" ${fuzz_fw_support})
    fuzz_target(fw_can "${fuzz_fw_libs}" "fw_alfaspark_core;m" ${fuzz_fw_support})
endif()
