# The warning set of the style guide (§14): libcanard's set plus -Wstrict-prototypes.
# sim_warnings is an INTERFACE target every first-party target links.
add_library(sim_warnings INTERFACE)
target_compile_options(sim_warnings INTERFACE
    -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wdouble-promotion -Wundef -Wcast-align -Wmissing-declarations -Wformat=2
    -Wvla -Wnull-dereference)
if(SIM_WERROR)
    target_compile_options(sim_warnings INTERFACE -Werror)
endif()
