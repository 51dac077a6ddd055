# What a run cut short by `alfasim run --until` reports (docs/usage.md, docs/traces.md).
#
#   cli_until_report     tests/cli_until/cli_until.sh: summary, exit status and report.json
#                        (verdict cut, cut_from_ns, open assertions) of a bundled scenario and of
#                        tests/cli_until/until_fail.json cut at several instants; --until past the
#                        end and --duration are complete runs; --junit is refused with a cut; a
#                        node fault still gives verdict error; a cut run replays
#   run_until_junit_xsd  the JUnit files test_run_until writes for cut runs (a <failure>, an
#                        <error type="cut">) validate against tests/tools/junit.xsd
#
# cli_until (valgrind.cmake) checks the terminal summary of a cut run as well.
if(TARGET alfasim AND TARGET fw_alfaspark AND TARGET fw_testnode AND TARGET fw_crash_exit)
    add_test(NAME cli_until_report
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli_until/cli_until.sh
                     $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR}
                     ${CMAKE_BINARY_DIR}/test-tmp/cli_until_report)
    set_tests_properties(cli_until_report PROPERTIES TIMEOUT 300 LABELS e2e)
endif()

find_program(SIM_XMLLINT xmllint)
if(TEST test_run_until AND SIM_XMLLINT)
    set_tests_properties(test_run_until PROPERTIES FIXTURES_SETUP run_until_junit)
    set(run_until_out ${CMAKE_BINARY_DIR}/test-tmp/run_until)
    add_test(NAME run_until_junit_xsd
             COMMAND ${SIM_XMLLINT} --noout --schema ${CMAKE_SOURCE_DIR}/tests/tools/junit.xsd
                     ${run_until_out}/cut_failed.xml ${run_until_out}/cut_open.xml)
    set_tests_properties(run_until_junit_xsd PROPERTIES FIXTURES_REQUIRED run_until_junit
                         TIMEOUT 60 LABELS trace)
endif()
