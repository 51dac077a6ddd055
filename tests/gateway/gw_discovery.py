"""Home Assistant MQTT discovery for the packs and the system totals.

Each entity is one retained config on <discovery>/<component>/<device id>/<object>/config
(IDs of [a-zA-Z0-9_-]); Home Assistant builds the devices and entities from them and reads the
values from the gateway's JSON state topics with value templates. The device of a pack is named
by its MAC tail, which survives a NodeID move (spec §9.6); its state topic is the NodeID's.

An entity is available while the gateway is online (its Last Will turns that off) and, for a
pack, while that pack's telemetry is fresh (<prefix>/<NodeID>/availability).
"""
import json

MANUFACTURER = "Alfaspark"

# (object id, name, JSON field or template, device class, unit, state class)
PACK_SENSORS = [
    ("soc", "SOC", "value_json.SOC", "battery", "%", "measurement"),
    ("v_pack", "Pack voltage", "value_json.V_pack", "voltage", "V", "measurement"),
    ("i_batt", "Battery current", "value_json.I_batt", "current", "A", "measurement"),
    ("p_grid", "Grid power", "value_json.P_grid", "power", "W", "measurement"),
    ("p_home", "Inverter output", "value_json.P_home", "power", "W", "measurement"),
    ("p_batt", "Battery power", "value_json.P_batt", "power", "W", "measurement"),
    ("p_solar", "Solar power", "value_json.P_solar", "power", "W", "measurement"),
    ("p_pool", "Pool pump power", "value_json.P_pool", "power", "W", "measurement"),
    ("p_heater", "Water heater power", "value_json.P_heater", "power", "W", "measurement"),
    ("e_grid", "Grid import today", "value_json.E_grid_kwh", "energy", "kWh", "total_increasing"),
]

# (object id, name, expression that is true when on)
PACK_BINARY = [
    ("relay_grid", "Grid relay", "value_json.relays.grid"),
    ("relay_inv", "Inverter relay", "value_json.relays.inv"),
    ("relay_pump", "Pool pump relay", "value_json.relays.pump"),
    ("relay_heater", "Water heater relay", "value_json.relays.heater"),
    ("mode_self_consumption", "Self-Consumption", "value_json.mode.self_consumption"),
    ("mode_eco", "Eco", "value_json.mode.eco"),
    ("mode_tou", "Time-of-Use", "value_json.mode.tou"),
    ("mode_backup", "Backup", "value_json.mode.backup"),
    ("mode_grid_limit", "Grid import limit", "value_json.mode.grid_limit"),
    ("master", "Master", "value_json.status.is_master"),
    ("loads_limit", "Loads limit warning", "value_json.warnings.loads_limit"),
]

SYSTEM_SENSORS = [
    ("total_solar", "Total solar power", "value_json.total_solar", "power", "W", "measurement"),
    ("total_grid", "Total grid power", "value_json.total_grid", "power", "W", "measurement"),
    ("total_home", "Total inverter output", "value_json.total_home", "power", "W", "measurement"),
    ("total_batt", "Total battery power", "value_json.total_batt", "power", "W", "measurement"),
    ("avg_soc", "Average SOC", "value_json.avg_soc", "battery", "%", "measurement"),
    ("online_packs", "Packs online", "value_json.online_packs", None, None, "measurement"),
]


def _dump(obj):
    return json.dumps(obj, separators=(",", ":"))


def _sensor(base, obj, name, expr, device_class, unit, state_class):
    cfg = dict(base, name=name, value_template="{{ " + expr + " }}")
    cfg["unique_id"] = f"{base['unique_id']}_{obj}"
    if device_class:
        cfg["device_class"] = device_class
    if unit:
        cfg["unit_of_measurement"] = unit
    if state_class:
        cfg["state_class"] = state_class
    return cfg


def pack_configs(discovery, prefix, node_id, mac_tail, fw_version):
    """[(topic, payload)] of every entity of the pack with this NodeID and MAC tail (8 hex)."""
    device_id = f"alfaspark_{mac_tail}"
    base = {
        "unique_id": device_id,
        "state_topic": f"{prefix}/{node_id}/telemetry",
        "availability": [
            {"topic": f"{prefix}/gateway/status"},
            {"topic": f"{prefix}/{node_id}/availability"},
        ],
        "availability_mode": "all",
        "device": {
            "identifiers": [device_id],
            "name": f"Alfaspark pack {node_id}",
            "manufacturer": MANUFACTURER,
            "model": "Energy-Pack",
            "sw_version": fw_version,
        },
    }
    out = []
    for obj, name, expr, dclass, unit, sclass in PACK_SENSORS:
        cfg = _sensor(base, obj, name, expr, dclass, unit, sclass)
        out.append((f"{discovery}/sensor/{device_id}/{obj}/config", _dump(cfg)))
    for obj, name, expr in PACK_BINARY:
        cfg = _sensor(base, obj, name, f"'ON' if {expr} else 'OFF'", None, None, None)
        out.append((f"{discovery}/binary_sensor/{device_id}/{obj}/config", _dump(cfg)))
    return out


def system_configs(discovery, prefix):
    """[(topic, payload)] of the system device: the master's aggregates and the master."""
    device_id = "alfaspark_system"
    base = {
        "unique_id": device_id,
        "state_topic": f"{prefix}/aggregate",
        "availability_topic": f"{prefix}/gateway/status",
        "device": {
            "identifiers": [device_id],
            "name": "Alfaspark system",
            "manufacturer": MANUFACTURER,
            "model": "Orange Pi gateway",
        },
    }
    out = []
    for obj, name, expr, dclass, unit, sclass in SYSTEM_SENSORS:
        cfg = _sensor(base, obj, name, expr, dclass, unit, sclass)
        out.append((f"{discovery}/sensor/{device_id}/{obj}/config", _dump(cfg)))
    master = _sensor(base, "master", "Master NodeID", "value", None, None, None)
    master["state_topic"] = f"{prefix}/master"
    out.append((f"{discovery}/sensor/{device_id}/master/config", _dump(master)))
    return out
