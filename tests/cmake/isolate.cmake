# Crash isolation and power-loss-safe NVS (docs/robustness.md).
#
#   test_isolate_*          unit suites (globbed by tests/CMakeLists.txt); the identity suite also
#                           runs the Alfaspark firmware, so it needs that plugin built first
foreach(t test_isolate_same)
    if(TARGET ${t} AND TARGET fw_alfaspark)
        add_dependencies(${t} fw_alfaspark)
    endif()
endforeach()
