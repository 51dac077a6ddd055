# Trace interoperability: independent readers judge what core/trace writes.
#
#   trace_junit_xsd                 a generated junit.xml validates against tests/tools/junit.xsd
#   trace_junit_xsd_rejects_<kind>  the schema rejects each deviation from the strict subset
#   trace_candump_interop           bus.log read by python-can and log2asc, frame for frame
#   trace_pcap_tshark               bus.pcap read by capinfos and tshark, packet for packet against
#                                   bus.log (skipped when tshark is absent, as are the two below)
#   trace_pcap_tshark_rejects_<kind>  the same check refuses a copy with one deviation
#                                   (tests/tools/corrupt_pcap.py)
#   trace_pcap_tshark_bus_off       the same check on a run of scenarios/bus_off.json, whose
#                                   error frames include a bus-off
#   trace_digest_repeatable         two identical runs give identical files and digests
#
# trace_interop (tests/tools/trace_interop.c) writes the files; it links only the trace library.
add_executable(trace_interop ${CMAKE_CURRENT_SOURCE_DIR}/tools/trace_interop.c)
target_link_libraries(trace_interop PRIVATE sim_trace sim_warnings)

set(trace_tools ${CMAKE_CURRENT_SOURCE_DIR}/tools)
set(trace_tmp ${CMAKE_BINARY_DIR}/test-tmp/trace_interop)
find_program(SIM_XMLLINT xmllint)
find_program(SIM_LOG2ASC log2asc)
find_program(SIM_TSHARK tshark)
find_program(SIM_CAPINFOS capinfos)
# python3-can is a Debian package: use the system interpreter, not whatever is first on PATH.
set(SIM_SYSTEM_PYTHON /usr/bin/python3)
execute_process(COMMAND ${SIM_SYSTEM_PYTHON} -c "import can" RESULT_VARIABLE trace_pycan_rc
                OUTPUT_QUIET ERROR_QUIET)

if(SIM_XMLLINT)
    add_test(NAME trace_junit_xsd
             COMMAND sh -c "mkdir -p \"$1\" && \"$0\" junit \"$1/junit.xml\" && \
\"$3\" --noout --schema \"$2\" \"$1/junit.xml\""
                     $<TARGET_FILE:trace_interop> ${trace_tmp} ${trace_tools}/junit.xsd
                     ${SIM_XMLLINT})
    set_tests_properties(trace_junit_xsd PROPERTIES LABELS "trace;interop" TIMEOUT 60)
    # Each kind is one deviation trace_interop applies to a valid file (see its MUTATIONS).
    foreach(kind suites-attr tz fraction no-system-err order no-properties failure-no-type
                 two-failures case-output dup-id comma-time no-hostname)
        add_test(NAME trace_junit_xsd_rejects_${kind}
                 COMMAND sh -c "mkdir -p \"$1\" && f=\"$1/bad-$4.xml\" && \
\"$0\" junit-bad \"$4\" \"$f\" || exit 2; \
if \"$3\" --noout --schema \"$2\" \"$f\" 2>\"$f.err\"; then echo \"schema accepted $4\"; exit 1; fi; \
grep -q 'fails to validate' \"$f.err\""
                         $<TARGET_FILE:trace_interop> ${trace_tmp} ${trace_tools}/junit.xsd
                         ${SIM_XMLLINT} ${kind})
        set_tests_properties(trace_junit_xsd_rejects_${kind}
                             PROPERTIES LABELS "trace;interop" TIMEOUT 60)
    endforeach()
else()
    message(STATUS "xmllint not found: junit schema tests not registered")
endif()

if(SIM_LOG2ASC AND trace_pycan_rc EQUAL 0)
    add_test(NAME trace_candump_interop
             COMMAND sh -c "mkdir -p \"$1\" && d=\"$1/candump\" && \
\"$0\" buslog \"$d\" >\"$d.out\" && n=$(sed -n 's/^frames //p' \"$d.out\") && \
\"$3\" \"$2/check_candump.py\" \"$d/bus.log\" --log2asc \"$4\" --expect \"$n\""
                     $<TARGET_FILE:trace_interop> ${trace_tmp} ${trace_tools}
                     ${SIM_SYSTEM_PYTHON} ${SIM_LOG2ASC})
    set_tests_properties(trace_candump_interop PROPERTIES LABELS "trace;interop" TIMEOUT 120)
else()
    message(STATUS "log2asc or python3-can missing: trace_candump_interop not registered")
endif()

if(trace_pycan_rc EQUAL 0)
    set(trace_tshark_arg "")
    if(SIM_TSHARK)
        set(trace_tshark_arg --tshark ${SIM_TSHARK})
        if(SIM_CAPINFOS)
            list(APPEND trace_tshark_arg --capinfos ${SIM_CAPINFOS})
        endif()
    endif()
    add_test(NAME trace_pcap_tshark
             COMMAND sh -c "mkdir -p \"$1\" && d=\"$1/pcap\" && \"$0\" buslog \"$d\" >/dev/null && \
tools=\"$2\" && py=\"$3\" && shift 3 && \
\"$py\" \"$tools/check_candump.py\" \"$d/bus.log\" --pcap \"$d/bus.pcap\" \"$@\""
                     $<TARGET_FILE:trace_interop> ${trace_tmp} ${trace_tools}
                     ${SIM_SYSTEM_PYTHON} ${trace_tshark_arg})
    set_tests_properties(trace_pcap_tshark PROPERTIES LABELS "trace;interop" TIMEOUT 120
                         SKIP_RETURN_CODE 77)
    # Each kind is one deviation corrupt_pcap.py applies to the pcap above; the check must fail
    # (exit 1) naming the field that shows it, not pass and not skip unless tshark is absent.
    foreach(kind_field data:data.data time:frame.time_epoch xtd:can.flags.xtd rtr:can.flags.rtr
                       len:can.len padding:can.padding busoff:can.err.busoff
                       location:can.err.prot.location "drop:Number of packets"
                       "usec:File timestamp precision" "linktype:File encapsulation")
        string(REPLACE ":" ";" kind_field "${kind_field}")
        list(GET kind_field 0 kind)
        list(GET kind_field 1 field)
        add_test(NAME trace_pcap_tshark_rejects_${kind}
                 COMMAND sh -c "mkdir -p \"$1\" && d=\"$1/pcap-bad-$4\" && \
\"$0\" buslog \"$d\" >/dev/null && tools=\"$2\" && py=\"$3\" && kind=\"$4\" && field=\"$5\" && \
shift 5 && \"$py\" \"$tools/corrupt_pcap.py\" \"$kind\" \"$d/bus.pcap\" \"$d/bad.pcap\" || exit 2; \
\"$py\" \"$tools/check_candump.py\" \"$d/bus.log\" --pcap \"$d/bad.pcap\" \"$@\" 2>\"$d/err\"; \
rc=$?; cat \"$d/err\"; [ $rc = 77 ] && exit 77; \
if [ $rc != 1 ]; then echo \"check exited $rc on a pcap with a bad $kind\"; exit 1; fi; \
grep -qF \"$field\" \"$d/err\" || { echo \"the failure does not name $field\"; exit 1; }"
                         $<TARGET_FILE:trace_interop> ${trace_tmp} ${trace_tools}
                         ${SIM_SYSTEM_PYTHON} ${kind} ${field} ${trace_tshark_arg})
        set_tests_properties(trace_pcap_tshark_rejects_${kind} PROPERTIES
                             LABELS "trace;interop" TIMEOUT 120 SKIP_RETURN_CODE 77)
    endforeach()
    # A real run: the bundled bus-off scenario, whose bus.log has protocol-violation,
    # controller-problem, bus-off and restarted error frames among the data frames. A failed
    # assertion (exit 1) still writes the folder; judging the scenario is its own tests' job.
    if(TARGET alfasim AND TARGET fw_alfaspark)
        add_test(NAME trace_pcap_tshark_bus_off
                 COMMAND sh -c "mkdir -p \"$1\" && d=\"$1/bus_off\" && rm -rf \"$d\" && \
\"$0\" run \"$2\" --out \"$d\" --quiet; rc=$?; \
if [ $rc -gt 1 ]; then echo \"alfasim run exited $rc\"; exit 1; fi; \
grep -q ' 20000240#' \"$d/bus.log\" || { echo \"no bus-off error frame in $d/bus.log\"; exit 1; }; \
tools=\"$3\" && py=\"$4\" && shift 4 && \
\"$py\" \"$tools/check_candump.py\" \"$d/bus.log\" --pcap \"$d/bus.pcap\" \"$@\""
                         $<TARGET_FILE:alfasim> ${trace_tmp}
                         ${CMAKE_SOURCE_DIR}/scenarios/bus_off.json ${trace_tools}
                         ${SIM_SYSTEM_PYTHON} ${trace_tshark_arg})
        set_tests_properties(trace_pcap_tshark_bus_off PROPERTIES LABELS "trace;interop"
                             TIMEOUT 120 SKIP_RETURN_CODE 77)
    endif()
endif()

add_test(NAME trace_digest_repeatable
         COMMAND sh -c "mkdir -p \"$1\" && \"$0\" buslog \"$1/rep-a\" >\"$1/rep-a.out\" && \
\"$0\" buslog \"$1/rep-b\" >\"$1/rep-b.out\" && cmp \"$1/rep-a.out\" \"$1/rep-b.out\" && \
for f in bus.log bus.pcap events.jsonl signals.vcd; do cmp \"$1/rep-a/$f\" \"$1/rep-b/$f\" || exit 1; done"
                 $<TARGET_FILE:trace_interop> ${trace_tmp})
set_tests_properties(trace_digest_repeatable PROPERTIES LABELS "trace;interop" TIMEOUT 60)
