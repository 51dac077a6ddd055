/*
 * rec_inner.c: the simulator port, unchanged, under another entry-point name, inside the
 * recording plugin fw_alfaspark_rec.so. rec_wrap.c exports the real entry point and wraps this
 * one, so the firmware and its port run exactly as in fw_alfaspark.so and only the host table
 * they talk to is interposed.
 */
#define alfasim_plugin_entry bench_rec_inner_entry
#include "port_sim.c"
