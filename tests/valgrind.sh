#!/bin/sh
# valgrind.sh BUILD_DIR [SUITE...]
#
# Runs CUnit suites of a build under valgrind's memcheck and fails on the first one with a memory
# error or a definite leak. Without SUITE arguments it runs the node host's suites: test_host_*,
# test_isolate_* and test_nvs_powerloss (firmware children included: valgrind follows a fork).
# The build must be without sanitizers (valgrind and ASan do not mix):
#
#   cmake -S . -B build-valgrind -DSIM_ASAN=OFF -DSIM_UBSAN=OFF -DSIM_BUILD_GUI=OFF
#   cmake --build build-valgrind -j2
#   tests/valgrind.sh build-valgrind
#
# The crash fixtures die on purpose in their child processes; those processes are kept quiet
# (--child-silent-after-fork), the host side is checked in full. Exit 0 all clean, 1 a suite
# failed or valgrind found an error, 2 usage or missing valgrind.
set -u
if [ $# -lt 1 ] || [ ! -d "$1/tests" ]; then
    echo "usage: $0 BUILD_DIR [SUITE...]" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind not found (Debian package: valgrind)" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
shift
if [ $# -eq 0 ]; then
    set -- $(cd "$build/tests" && ls test_host_* test_isolate_* test_nvs_powerloss 2>/dev/null)
fi
# Children are slower under valgrind: give the firmware processes' watchdog room.
SIM_TEST_HANG_TIMEOUT_MS=${SIM_TEST_HANG_TIMEOUT_MS:-5000}
export SIM_TEST_HANG_TIMEOUT_MS
failed=0
for suite in "$@"; do
    exe=$build/tests/$suite
    if [ ! -x "$exe" ]; then
        echo "valgrind: $suite: not built" >&2
        failed=1
        continue
    fi
    log=$build/valgrind-$suite.log
    if (cd "$build" && valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
            --log-file="$log" "$exe" >"$log.out" 2>&1); then
        echo "valgrind: $suite: clean"
    else
        echo "valgrind: $suite: FAILED (see $log and $log.out)"
        cat "$log"
        failed=1
    fi
done
exit $failed
