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

# `alfasim run --until`, which the scenario runs under valgrind rely on: an assertion decided
# before the cut is judged (the wrong one fails the run), one after it is "not reached", and the
# summary names no verdict; a cut before every assertion passes; the complete run still fails.
if(TARGET alfasim AND TARGET fw_testnode)
    set(until_scn ${CMAKE_BINARY_DIR}/test-tmp/until_cut.json)
    file(WRITE ${until_scn} [=[
{
  "name": "until_cut",
  "description": "Assertions either side of a cut at 5 s; the first is wrong on purpose.",
  "seed": 1,
  "duration": "10s",
  "plugin": "testnode",
  "nodes": [{"name": "pack1", "mac": "24:6F:28:00:00:01"}],
  "assertions": [
    {"name": "early_wrong", "kind": "at", "at": "2s", "subject": "node_state", "node": "pack1", "eq": "off"},
    {"name": "early_right", "kind": "at", "at": "3s", "subject": "node_state", "node": "pack1", "eq": "running"},
    {"name": "late", "kind": "at", "at": "8s", "subject": "node_state", "node": "pack1", "eq": "running"}
  ]
}
]=])
    add_test(NAME cli_until COMMAND sh -c [=[
a=$0; s=$1; o=$2; set -u; rm -rf "$o"; mkdir -p "$o"
out=$("$a" run "$s" --until 5s --out "$o/cut5"); rc=$?; echo "$out"
[ $rc -eq 1 ] || { echo "cut at 5s: exit $rc, want 1"; exit 1; }
echo "$out" | grep -q '^until_cut: cut at 5.000s of 10.000s, no verdict ' || exit 1
echo "$out" | grep -q '2 decided by the cut (1 failed), 1 not reached' || exit 1
echo "$out" | grep -q 'FAILED early_wrong' || exit 1
if echo "$out" | grep -q 'FAILED late'; then echo "late assertion judged"; exit 1; fi
out=$("$a" run "$s" --until 1s --out "$o/cut1" --seed 2) || { echo "cut at 1s failed"; exit 1; }
echo "$out" | grep -q '0 decided by the cut (0 failed), 3 not reached' || exit 1
"$a" run "$s" --until 1h --out "$o/full" >/dev/null && { echo "full run passed"; exit 1; }
"$a" run "$s" --until 1s --junit "$o/j.xml" 2>/dev/null; [ $? -eq 64 ] || exit 1
echo "cli_until: ok"
]=] $<TARGET_FILE:alfasim> ${until_scn} ${CMAKE_BINARY_DIR}/test-tmp/until)
    set_tests_properties(cli_until PROPERTIES TIMEOUT 60 LABELS e2e)
endif()
