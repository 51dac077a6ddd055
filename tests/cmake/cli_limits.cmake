# What the command line refuses and how an interrupted run ends (docs/usage.md, docs/traces.md).
#
#   cli_limits   tests/cli_limits/cli_limits.sh: --duration/--until beyond the 400-day limit of a
#                run (run, suite, check-determinism) exit 64; a replay of a report.json with a
#                missing, negative, fractional or out-of-range seed or duration exits 65 naming
#                the file and the field; the --bridge message has one prefix; --bridge-wait alone
#                exits 64; SIGINT/SIGTERM/SIGHUP during a run or a replay exit 128+N and leave no
#                partial or temporary folder, the previous run folder intact; a write that fails
#                (a file-size limit) ends the run at once with exit 74 naming the file; a signal
#                to suite or check-determinism reaches their child runs
if(TARGET alfasim AND TARGET fw_testnode)
    add_test(NAME cli_limits
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli_limits/cli_limits.sh
                     $<TARGET_FILE:alfasim> ${CMAKE_SOURCE_DIR}
                     ${CMAKE_BINARY_DIR}/test-tmp/cli_limits)
    set_tests_properties(cli_limits PROPERTIES TIMEOUT 300 LABELS e2e)
endif()
