"""A python-can 4.1 socketcand client: sends one broadcast query (0x123#FF), then counts the
frames it receives for 3 s. Usage: socketcand_client.py PORT"""
import can, time, sys
bus = can.Bus(interface="socketcand", channel="can0", host="127.0.0.1", port=int(sys.argv[1]))
n = 0
t0 = time.monotonic()
bus.send(can.Message(arbitration_id=0x123, data=[0xFF], is_extended_id=False))
while time.monotonic() - t0 < 3:
    m = bus.recv(0.2)
    if m: n += 1
print("received", n)
bus.shutdown()
