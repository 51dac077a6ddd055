# Valgrind memcheck runs of the whole suite (docs/robustness.md, "Sanitizers and valgrind"),
# with -DSIM_VALGRIND=ON only, label valgrind, through tests/valgrind.sh:
#
#   valgrind_<suite>             every CUnit suite (tests/unit, tests/gui, tests/live)
#   valgrind_scenario_<s>        `alfasim run` of every bundled scenario (scenarios/*.json,
#                                scenarios/test/*.json, as valgrind_scenario_test_<s>), cut with
#                                --until at SIM_VALGRIND_UNTIL of virtual time
#
# Memory errors and definite leaks fail. The build must be without sanitizers (valgrind and ASan
# do not mix). CI: ctest -L valgrind -j2 (about 15 minutes on two cores, docs/robustness.md).
option(SIM_VALGRIND "Register valgrind runs of every suite and scenario (label valgrind)" OFF)
set(SIM_VALGRIND_UNTIL "10m" CACHE STRING "virtual time each scenario runs under valgrind")
find_program(SIM_VALGRIND_EXE valgrind)
if(SIM_VALGRIND AND (SIM_ASAN OR SIM_UBSAN))
    message(WARNING "SIM_VALGRIND=ON with sanitizers: valgrind and ASan do not mix, no valgrind tests")
elseif(SIM_VALGRIND AND SIM_VALGRIND_EXE)
    set(vg_sh ${CMAKE_SOURCE_DIR}/tests/valgrind.sh)
    file(GLOB vg_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c
         ${CMAKE_SOURCE_DIR}/tests/gui/test_*.c ${CMAKE_SOURCE_DIR}/tests/live/test_*.c)
    foreach(src ${vg_srcs})
        get_filename_component(t ${src} NAME_WE)
        if(TARGET ${t})
            add_test(NAME valgrind_${t} COMMAND sh ${vg_sh} ${CMAKE_BINARY_DIR} ${t})
            set_tests_properties(valgrind_${t} PROPERTIES TIMEOUT 1500 LABELS valgrind)
        endif()
    endforeach()
    # The firmware core's long suites run 50 to 80 times slower under memcheck (minutes each):
    # started first, they run beside the rest instead of after it.
    foreach(t test_fw_indicators test_fw_gridlimit test_fw_defects test_fw_tou)
        if(TEST valgrind_${t})
            set_tests_properties(valgrind_${t} PROPERTIES COST 1000)
        endif()
    endforeach()
    if(TARGET alfasim)
        file(GLOB vg_scenarios CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.json
             ${CMAKE_SOURCE_DIR}/scenarios/test/*.json)
        foreach(s ${vg_scenarios})
            get_filename_component(n ${s} NAME_WE)
            get_filename_component(d ${s} DIRECTORY)
            get_filename_component(d ${d} NAME)
            set(n ${d}_${n})
            string(REGEX REPLACE "^scenarios_" "" n ${n})
            add_test(NAME valgrind_scenario_${n}
                     COMMAND sh ${vg_sh} --until ${SIM_VALGRIND_UNTIL} ${CMAKE_BINARY_DIR} ${s})
            set_tests_properties(valgrind_scenario_${n} PROPERTIES TIMEOUT 1500 LABELS valgrind)
        endforeach()
    endif()
elseif(SIM_VALGRIND)
    message(WARNING "SIM_VALGRIND=ON but valgrind was not found: no valgrind tests")
endif()

# `alfasim run --until`, which the scenario runs under valgrind rely on: an assertion decided
# before the cut is judged (a wrong one, a violated "never", fail the run), one whose window
# reaches past it is open, and the summary names no verdict; a cut before every assertion
# passes; the complete run still fails.
if(TARGET alfasim AND TARGET fw_testnode)
    set(until_scn ${CMAKE_BINARY_DIR}/test-tmp/until_cut.json)
    file(WRITE ${until_scn} [=[
{
  "name": "until_cut",
  "description": "Assertions either side of a cut at 5 s; early_wrong and never_running fail.",
  "seed": 1,
  "duration": "10s",
  "plugin": "testnode",
  "nodes": [{"name": "pack1", "mac": "24:6F:28:00:00:01"}],
  "assertions": [
    {"name": "early_wrong", "kind": "at", "at": "2s", "subject": "node_state", "node": "pack1", "eq": "off"},
    {"name": "early_right", "kind": "at", "at": "3s", "subject": "node_state", "node": "pack1", "eq": "running"},
    {"name": "late", "kind": "at", "at": "8s", "subject": "node_state", "node": "pack1", "eq": "running"},
    {"name": "always_running", "kind": "always", "from": "1s", "subject": "node_state", "node": "pack1", "eq": "running"},
    {"name": "never_running", "kind": "never", "from": "1s", "to": "9s", "subject": "node_state", "node": "pack1", "eq": "running"}
  ]
}
]=])
    add_test(NAME cli_until COMMAND sh -c [=[
a=$0; s=$1; o=$2; set -u; rm -rf "$o"; mkdir -p "$o"
out=$("$a" run "$s" --until 5s --out "$o/cut5"); rc=$?; echo "$out"
[ $rc -eq 1 ] || { echo "cut at 5s: exit $rc, want 1"; exit 1; }
echo "$out" | grep -q '^until_cut: cut at 5.000s of 10.000s, no verdict ' || exit 1
echo "$out" | grep -q '3 decided by the cut (2 failed), 2 open at the cut' || exit 1
echo "$out" | grep -q 'FAILED early_wrong' || exit 1
echo "$out" | grep -q 'FAILED never_running' || exit 1
if echo "$out" | grep -q 'FAILED \(late\|always\)'; then echo "open assertion judged"; exit 1; fi
out=$("$a" run "$s" --until 500ms --out "$o/cut1") || { echo "cut at 500ms failed"; exit 1; }
echo "$out" | grep -q '0 decided by the cut (0 failed), 5 open at the cut' || exit 1
"$a" run "$s" --until 1h --out "$o/full" >/dev/null && { echo "full run passed"; exit 1; }
"$a" run "$s" --until 1s --junit "$o/j.xml" 2>/dev/null; [ $? -eq 64 ] || exit 1
echo "cli_until: ok"
]=] $<TARGET_FILE:alfasim> ${until_scn} ${CMAKE_BINARY_DIR}/test-tmp/until)
    set_tests_properties(cli_until PROPERTIES TIMEOUT 60 LABELS e2e)
endif()
