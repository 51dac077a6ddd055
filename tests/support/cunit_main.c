/*
 * One CUnit runner for every suite: each tests/unit/test_*.c defines test_register(), which adds
 * its suite(s) to the registry. The process exits non-zero when any assertion failed, so CTest
 * sees the result, and a run that executed no test at all is also a failure.
 */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "test_support.h"

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: cannot initialise the registry\n");
        return 2;
    }
    test_register();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();
    if (err != CUE_SUCCESS) {
        return 2;
    }
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 2;
    }
    return failed ? 1 : 0;
}
