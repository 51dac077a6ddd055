# alfasim_add_plugin(NAME SOURCES...): a firmware plugin (MODULE) built with the sim port glue.
# Only alfasim_plugin_entry is exported (-fvisibility=hidden); the plugin links nothing of the
# host: the host passes its HAL operations in at init (docs/plugin-abi.md).
function(alfasim_add_plugin name)
    add_library(${name} MODULE ${ARGN} ${CMAKE_SOURCE_DIR}/firmware/ports/sim/port_sim.c)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/firmware/hal
                               ${CMAKE_SOURCE_DIR}/firmware/ports/sim)
    target_compile_definitions(${name} PRIVATE ALFASIM_PLUGIN_NAME="${name}")
    set_target_properties(${name} PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden
                          LIBRARY_OUTPUT_DIRECTORY ${SIM_PLUGIN_DIR})
    target_link_libraries(${name} PRIVATE sim_warnings m)
endfunction()
