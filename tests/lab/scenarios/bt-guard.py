#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Bluetooth guard end to end, in one boot (pairings are slow under TCG). Each
outcome is asserted at the car, beside the unguarded baseline:
  baseline  no carguardd, an accept-all agent: the car pairs and opens PBAP
  (c) vetted    car allowed by address: pairs, PBAP opens
  (f) edit      `carguard policy set` blocks it while PBAP is open: socket closed, bond gone
  (a) block     the car's Pair fails; no bond on either side
  (e) restart   bluetoothd restarts: the agent is back, the car still cannot pair
  (b)+(g)       car class, no vendor file, hostile name: pairs, PBAP refused (ECONNREFUSED)
  (d) behind    a bond made while carguardd was stopped is removed when it starts
  (g) logs      carguardd still runs; its log has no control bytes and is valid UTF-8"""

import errno
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "guest"))
import btguard_helpers as bt  # noqa: E402

MAIN_CONF = """[Default]
Pairing=ask
Profiles=a2dp avrcp hfp hsp hid
[CarDefault]
Preset=audio-only
"""
# Markup, control bytes and the full 248 bytes. Invalid UTF-8 is left to the unit tests:
# here the car is a local adapter of the same bluetoothd, and bluetoothd 5.66 aborts in
# libdbus when its own adapter name is not UTF-8 (a remote name is validated first).
HOSTILE_NAME = b"<b>Car</b>\x1b[31m\x01\x7f" + "\u00e9".encode() * 115 + b"X"
assert len(HOSTILE_NAME) == 248

tap = bt.Tap(16)
stack = bt.Stack()
tap.note(f"phone {bt.PHONE_HCI} {bt.PHONE}, car {bt.CAR_HCI} {bt.CAR}")
# The car's own view of the phone is also a device carguardd sees; the lab phone is
# vetted so that only the car's side of the lab is under test.
PHONE_CONF = f"""[Vendor]
Name=Lab phone
[Device]
BluetoothAddress={bt.PHONE}
Preset=trusted
"""
bus = stack.bus
car_dev = bt.dev_path(bt.PHONE_HCI, bt.CAR)


def both_sides_unbonded():
    return not stack.bonded(bt.PHONE_HCI, bt.CAR) and not stack.bonded(bt.CAR_HCI, bt.PHONE)


def forget_both():
    bt.forget(bus, bt.PHONE_HCI, bt.CAR)
    bt.forget(bus, bt.CAR_HCI, bt.PHONE)
    stack.wait(both_sides_unbonded, 20, "both sides to forget the bond")


def wait_quiet(cond, timeout):
    try:
        return stack.wait(cond, timeout, "")
    except TimeoutError:
        return False


# ---- baseline: unguarded
phone = bt.PhoneServer(with_agent=True)
err = bt.car_pair(bus)
tap.check(err is None and stack.bonded(bt.PHONE_HCI, bt.CAR), "baseline: unguarded, the car pairs", err)
rc, sock = bt.car_rfcomm_connect()
tap.check(rc == 0, "baseline: unguarded, the car opens PBAP", os.strerror(rc) if rc else None)
if sock:
    sock.close()
phone.stop()
forget_both()

# ---- (c) vetted pool car, allowed by address
cg = bt.Carguardd(stack, "/tmp/cgroot")
cg.write("etc/carguard/carguard.conf", MAIN_CONF)
cg.write("etc/carguard/vendors.d/lab-phone.conf", PHONE_CONF)
r = cg.policy_cli("add", "pool", f"--device={bt.CAR}", "Preset=trusted")
tap.note(f"policy add pool: rc={r.returncode} {r.stderr.strip()}")
cg.start()
phone = bt.PhoneServer()
err = bt.car_pair(bus)
tap.check(err is None and stack.bonded(bt.PHONE_HCI, bt.CAR), "vetted: the car pairs through carguard", err)
rc, sock = bt.car_rfcomm_connect()
tap.check(rc == 0, "vetted: the car opens PBAP", os.strerror(rc) if rc else None)

# ---- (f) a policy edit while connected
loads = cg.log().count("policy loaded")
r = cg.policy_cli("set", "pool", f"--device={bt.CAR}", "Preset=block")
tap.note(f"policy set block: rc={r.returncode} {r.stderr.strip()}")
reloaded = wait_quiet(lambda: cg.log().count("policy loaded") > loads, 10)
tap.check(reloaded, "edit: carguardd reloads the policy after the CLI edit")
if not reloaded:
    tap.note("no reload after the CLI edit: sending SIGHUP so enforcement is still checked")
    cg.proc.send_signal(bt.signal.SIGHUP)
closed = bt.socket_closed_by_peer(sock, 20) if sock else False
enforced = wait_quiet(lambda: "disconnected" in cg.log() or "bond removed" in cg.log(), 10)
tap.check(closed and enforced,
          "edit: the car's open PBAP socket is closed by carguard after the edit blocks it",
          f"closed={closed} enforced={enforced}")
removed = wait_quiet(lambda: not stack.bonded(bt.PHONE_HCI, bt.CAR), 20)
tap.check(removed, "edit: the phone's bond with the car is removed")
if sock:
    sock.close()

# ---- (a) block: the car cannot pair again
bt.forget(bus, bt.CAR_HCI, bt.PHONE)
err = bt.car_pair(bus)
tap.check(err is not None, "block: the car's Pair fails", f"Pair returned {err}")
tap.check(both_sides_unbonded(), "block: no bond on either side")

# ---- (e) bluetoothd restarts mid-session
before = cg.log().count("registered as BlueZ's default agent")
stack.restart_bluetoothd()
back = wait_quiet(lambda: cg.log().count("registered as BlueZ's default agent") > before, 30)
tap.check(back, "restart: carguard's agent registers again with the new bluetoothd")
phone.stop()
phone = bt.PhoneServer()
err = bt.car_pair(bus)
tap.check(err is not None and both_sides_unbonded(),
          "restart: the policy still holds (the blocked car cannot pair)", f"Pair returned {err}")

# ---- (b) + (g) car class, no vendor file, hostile name
r = cg.policy_cli("remove", "pool")
tap.note(f"policy remove pool: rc={r.returncode} {r.stderr.strip()}")
stack.car_btmgmt("name", HOSTILE_NAME)
# The device object kept Blocked=true from the block policy: forget it on both sides.
forget_both()
wait_quiet(lambda: cg.log().count("re-checked") >= 3, 10)
err = bt.car_pair(bus)
tap.check(err is None and stack.bonded(bt.PHONE_HCI, bt.CAR),
          "car default: a car-class device with no vendor file pairs", err)
rc, sock = bt.car_rfcomm_connect()
tap.check(rc == errno.ECONNREFUSED, "car default: PBAP is refused at the car with ECONNREFUSED",
          f"connect: {os.strerror(rc) if rc else 'succeeded'}")
if sock:
    sock.close()

# ---- (d) a bond made behind carguard's back
cg.stop()
forget_both()
r = cg.policy_cli("add", "pool", f"--device={bt.CAR}", "Preset=block")
phone.stop()
phone = bt.PhoneServer(with_agent=True)
err = bt.car_pair(bus)
made = err is None and stack.bonded(bt.PHONE_HCI, bt.CAR)
tap.note(f"bond made while carguardd was stopped: {made} ({err})")
phone.stop()
phone = bt.PhoneServer()
cg.start()
tap.check(made and wait_quiet(lambda: not stack.bonded(bt.PHONE_HCI, bt.CAR), 20),
          "behind the back: the bond is removed after carguardd starts")

# ---- (g) carguardd survived and its log is clean
tap.check(cg.running(), "hostile names: carguardd still runs")
raw = cg.log_bytes()
bad = [c for c in raw if (c < 0x20 and c not in (0x0a, 0x09)) or c == 0x7f]
try:
    raw.decode("utf-8")
    utf8 = True
except UnicodeDecodeError:
    utf8 = False
tap.check(not bad and utf8, "hostile names: carguardd's log has no control bytes, valid UTF-8",
          f"{len(bad)} control bytes, utf8={utf8}")

phone.stop()
cg.stop()
stack.stop()
sys.exit(1 if tap.failed else 0)
