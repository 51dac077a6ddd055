# Firmware-core test registrations (included by tests/CMakeLists.txt after the unit tests):
#   - the core rebuilt with other build options, each with the suite that checks that option;
#   - the poisoned-identifier check of the core;
#   - the DBC file: it loads in canmatrix and decodes every frame the core sends.
if(NOT TARGET fw_alfaspark_core)
    return()
endif()

file(GLOB fw_core_variant_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/firmware/alfaspark/*.c)

# fw_core_variant(NAME DEFS...): the firmware core as a static library built with DEFS; the
# definitions are PUBLIC so the suite compiled against it sees the same options.
function(fw_core_variant name)
    add_library(${name} STATIC ${fw_core_variant_srcs})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/firmware/hal
                               ${CMAKE_SOURCE_DIR}/firmware/alfaspark)
    target_compile_definitions(${name} PUBLIC ${ARGN})
    target_link_libraries(${name} PUBLIC m PRIVATE sim_warnings)
endfunction()

# fw_variant_test(TEST CORE SOURCE): a CUnit suite from tests/unit linked against a core variant.
function(fw_variant_test test core src)
    add_executable(${test} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${src}
                   ${SIM_TEST_SUPPORT}/cunit_main.c ${SIM_TEST_SUPPORT}/fake_hal.c)
    target_link_libraries(${test} PRIVATE ${core} PkgConfig::CUNIT sim_warnings m)
    target_include_directories(${test} PRIVATE ${SIM_TEST_SUPPORT})
    target_compile_definitions(${test} PRIVATE
        SIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}" SIM_BINARY_DIR="${CMAKE_BINARY_DIR}")
    add_test(NAME ${test} COMMAND ${test})
    set_tests_properties(${test} PROPERTIES TIMEOUT 300 LABELS unit)
endfunction()

fw_core_variant(fw_alfaspark_core_fresh GRIDLIMIT_BOOT_POLICY=START_FRESH)
fw_variant_test(test_fw_bootpolicy_fresh fw_alfaspark_core_fresh test_fw_bootpolicy.c)

fw_core_variant(fw_alfaspark_core_eco3 ECO_SHED_INVERTER_LAST=1
                ECO_CONSUMPTION=INVERTER_PLUS_LOADS)
fw_variant_test(test_fw_eco_variant fw_alfaspark_core_eco3 test_fw_eco.c)

# The poison check on the firmware core alone: a tree that holds only firmware/alfaspark, so the
# verdict is about the core and not about models/ (checked by their own gate).
set(fw_poison_root ${CMAKE_CURRENT_BINARY_DIR}/fw_poison_root)
add_test(NAME fw_check_poison COMMAND sh -c
    "mkdir -p '${fw_poison_root}/firmware' && ln -sfn '${CMAKE_SOURCE_DIR}/firmware/alfaspark' '${fw_poison_root}/firmware/alfaspark' && '${CMAKE_SOURCE_DIR}/scripts/check-poison' '${fw_poison_root}'")
set_tests_properties(fw_check_poison PROPERTIES LABELS lint)

# The DBC file in Debian's python3-canmatrix: it converts (every frame listed), and it decodes
# every frame of the firmware session that test_fw_dbc writes, to the same physical values as
# the signal table in that suite.
set(fw_dbc_check ${CMAKE_CURRENT_BINARY_DIR}/fw_dbc_check.py)
file(WRITE ${fw_dbc_check} [=[
import json, os, subprocess, sys, tempfile
import canmatrix
import canmatrix.formats

def convert(dbc):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "alfaspark.json")
        rc = subprocess.run([sys.executable, "-m", "canmatrix.cli.convert", dbc, out]).returncode
        if rc != 0 or not os.path.exists(out):
            print(f"canmatrix.cli.convert exited {rc}")
            return 1
        ids = {m["id"] for m in json.load(open(out))["messages"]}
    want = (set(range(0x100, 0x17F)) | {0x180, 0x181, 0x182} | set(range(0x201, 0x210)) |
            set(range(0x280, 0x2FF)) | set(range(0x300, 0x37F)) | set(range(0x400, 0x47F)) |
            {0x7FF})
    missing, extra = sorted(want - ids), sorted(ids - want)
    print(f"{len(ids)} frames in the DBC; missing {[hex(i) for i in missing]}; "
          f"unexpected {[hex(i) for i in extra]}")
    return 0 if not missing and not extra else 1

def decode(dbc, log, expect):
    db = list(canmatrix.formats.loadp(dbc).values())[0]
    want = {}
    for line in open(expect):
        i, name, value = line.split()
        want.setdefault(int(i), {})[name] = float(value)
    bad = n = 0
    for i, line in enumerate(open(log)):
        frame = line.split()[2]
        can_id, data = frame.split("#")
        f = db.frame_by_id(canmatrix.ArbitrationId(int(can_id, 16)))
        if f is None:
            print(f"frame {i}: {can_id} not in the DBC")
            bad += 1
            continue
        got = {k: float(s.phys_value) for k, s in f.decode(bytes.fromhex(data)).items()}
        exp = want.get(i, {})
        if set(got) != set(exp) or any(abs(got[k] - exp[k]) > 1e-6 for k in exp):
            print(f"frame {i} {frame}: canmatrix {got} != table {exp}")
            bad += 1
        n += 1
    print(f"{n} frames decoded through the DBC, {bad} mismatches")
    return 1 if bad or n == 0 else 0

if __name__ == "__main__":
    sys.exit(convert(sys.argv[2]) if sys.argv[1] == "convert" else decode(*sys.argv[2:5]))
]=])

add_test(NAME fw_dbc_canmatrix_convert
         COMMAND /usr/bin/python3 ${fw_dbc_check} convert ${CMAKE_SOURCE_DIR}/docs/alfaspark.dbc)
add_test(NAME fw_dbc_canmatrix_decode
         COMMAND /usr/bin/python3 ${fw_dbc_check} decode ${CMAKE_SOURCE_DIR}/docs/alfaspark.dbc
                 ${CMAKE_BINARY_DIR}/fw_frames.log ${CMAKE_BINARY_DIR}/fw_frames_expect.txt)
set_tests_properties(fw_dbc_canmatrix_convert fw_dbc_canmatrix_decode PROPERTIES
                     TIMEOUT 300 LABELS dbc)
if(TEST test_fw_dbc)
    set_tests_properties(test_fw_dbc PROPERTIES FIXTURES_SETUP fw_frames)
    set_tests_properties(fw_dbc_canmatrix_decode PROPERTIES FIXTURES_REQUIRED fw_frames)
endif()

# End to end in the simulator: three packs running the firmware plugin elect the highest NodeID
# within one announce period (60 s), and every frame in bus.log decodes through the DBC to
# values that agree with the firmware's own rules (SOC from V_pack, the solar balance, the
# master flag). The scenario is written here so the check owns its input.
if(TARGET alfasim AND TARGET fw_alfaspark)
    set(fw_e2e_dir ${CMAKE_CURRENT_BINARY_DIR}/fw_e2e)
    file(WRITE ${fw_e2e_dir}/three_packs.json [=[
{
  "name": "fw_three_packs",
  "description": "Three Alfaspark packs boot together and elect the highest NodeID",
  "seed": 1,
  "duration": "70s",
  "plugin": "alfaspark",
  "bus": {"name": "can0", "bitrate": 500000},
  "nodes": [
    {"name": "pack1", "mac": "24:6F:28:00:00:01"},
    {"name": "pack2", "mac": "24:6F:28:00:00:22"},
    {"name": "pack3", "mac": "24:6F:28:00:00:13", "power_on": "700ms"}
  ]
}
]=])
    file(WRITE ${fw_e2e_dir}/check_three_packs.py [=[
import sys
import canmatrix
import canmatrix.formats

dbc, log = sys.argv[1], sys.argv[2]
macs = ["24:6F:28:00:00:01", "24:6F:28:00:00:22", "24:6F:28:00:00:13"]
ids = []
for m in macs:
    x = 0
    for b in m.split(":"):
        x ^= int(b, 16)
    ids.append(x % 127)
master = max(ids)
db = list(canmatrix.formats.loadp(dbc).values())[0]
bad, agreed_at, pages = 0, None, {}
flags = {n: None for n in ids}
for line in open(log):
    ts, _, frame = line.split()
    t = float(ts.strip("()"))
    can_id, data = frame.split("#")
    cid = int(can_id, 16)
    f = db.frame_by_id(canmatrix.ArbitrationId(cid))
    if f is None:
        print(f"{t:.6f} {frame}: not in the DBC")
        bad += 1
        continue
    v = {k: float(s.phys_value) for k, s in f.decode(bytes.fromhex(data)).items()}
    if 0x100 <= cid <= 0x17E:
        node = cid - 0x100
        pages.setdefault(node, {})[int(v["Page"])] = v
        if v["Page"] == 0:
            flags[node] = v["St_Master"]
            soc, volts = v["SOC"], v["V_pack"]
            if soc != 255 and soc != max(0, min(100, int((round(volts * 1000) - 46400) * 100 // 16000))):
                print(f"{t:.6f} node {node}: SOC {soc} does not match V_pack {volts}")
                bad += 1
        if v["Page"] == 2 and 1 in pages[node]:
            p1 = pages[node][1]
            want = max(0.0, p1["P_home"] - p1["P_grid"] + p1["P_batt"])
            if v["P_solar"] != want:
                print(f"{t:.6f} node {node}: P_solar {v['P_solar']} != {want}")
                bad += 1
    if cid == 0x180 and v["MasterNodeID"] != master and t > 62.0:
        print(f"{t:.6f} aggregate from master {v['MasterNodeID']}, expected {master}")
        bad += 1
    if agreed_at is None and all(flags[n] == (1.0 if n == master else 0.0) for n in ids):
        agreed_at = t
print(f"NodeIDs {ids}; master {master}; every node agreed at {agreed_at} s")
if agreed_at is None or agreed_at > 60.0:
    print("the election did not settle within one announce period")
    bad += 1
sys.exit(1 if bad else 0)
]=])
    add_test(NAME fw_e2e_three_packs_run
             COMMAND alfasim run ${fw_e2e_dir}/three_packs.json --out ${fw_e2e_dir}/out)
    add_test(NAME fw_e2e_three_packs_check
             COMMAND /usr/bin/python3 ${fw_e2e_dir}/check_three_packs.py
                     ${CMAKE_SOURCE_DIR}/docs/alfaspark.dbc ${fw_e2e_dir}/out/bus.log)
    set_tests_properties(fw_e2e_three_packs_run PROPERTIES FIXTURES_SETUP fw_e2e_three
                         TIMEOUT 300 LABELS e2e)
    set_tests_properties(fw_e2e_three_packs_check PROPERTIES FIXTURES_REQUIRED fw_e2e_three
                         TIMEOUT 300 LABELS e2e)
endif()

# The plugin's CAN receive path gathered on one stretch of code (firmware/ports/sim/rx_path.ld).
# Its length is checked in optimised builds only: sanitizer checks make the path several pages.
if(TARGET fw_alfaspark)
    set(fw_rx_max_bytes 0)
    if(NOT SIM_SANITIZE_FLAGS AND CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo)$")
        set(fw_rx_max_bytes 4096)
    endif()
    add_test(NAME fw_rx_layout COMMAND bash ${CMAKE_SOURCE_DIR}/tests/layout/fw_rx_layout.sh
             ${CMAKE_SOURCE_DIR} $<TARGET_FILE:fw_alfaspark> ${fw_rx_max_bytes})
    set_tests_properties(fw_rx_layout PROPERTIES TIMEOUT 60 LABELS unit)
endif()
