"""The firmware's grid-import energy estimate against the true meter, after a run of
scenarios/day_one_pack.json: the last TEL page 3 of the pack carries E_grid (u16, 0.01 kWh, bytes
4-5) and signals.vcd carries the plant's true meter (pack1.grid_import_wh, sampled every 10 s).
The estimate must be within 3 % of the meter. Usage: day_energy.py RUN_DIR"""
import sys

run = sys.argv[1]
e_fw_kwh = None
for line in open(f"{run}/bus.log"):
    _ts, _iface, frame = line.split()
    ident, data = frame.split("#")
    if 0x100 <= int(ident, 16) <= 0x17E and data.startswith("03") and len(data) == 16:
        e_fw_kwh = int(data[8:12], 16) / 100.0
if e_fw_kwh is None:
    sys.exit("no TEL page 3 in bus.log")

# The VCD: find pack1's grid_import_wh identifier, then its last value.
ident, scope, meter_wh = None, None, None
for line in open(f"{run}/signals.vcd"):
    parts = line.split()
    if parts[:2] == ["$scope", "module"]:
        scope = parts[2]
    elif parts[:1] == ["$var"] and scope == "pack1" and parts[4] == "grid_import_wh":
        ident = parts[3]
    elif ident and line.startswith("r") and parts[1] == ident:
        meter_wh = float(parts[0][1:])
if meter_wh is None:
    sys.exit("no pack1.grid_import_wh in signals.vcd")

meter_kwh = meter_wh / 1000.0
if meter_kwh < 1.0:
    sys.exit(f"the meter read only {meter_kwh:.3f} kWh: the run imported too little to compare")
error = abs(e_fw_kwh - meter_kwh) / meter_kwh
print(f"firmware estimate {e_fw_kwh:.2f} kWh, true meter {meter_kwh:.3f} kWh, error {error:.2%}")
if error > 0.03:
    print("0 passed, 1 failed")
    sys.exit(1)
print("1 passed, 0 failed")
