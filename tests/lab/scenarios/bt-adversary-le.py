#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A car that comes over LE as a keyboard, against carguard, asserted at the car and at
the phone, in one boot (the baseline shows the phone making an input device of it
without carguard):
  (f) the car, vetted by address as audio-only, turns into an LE-only peripheral that
      advertises HID over GATT; the person pairs with it from the phone's settings, so
      carguard decides the LE pairing; an LE device that offers HID over GATT gets no
      bond under a grant without hid (BlueZ would connect HOGP to it unasked): no bond
      stays, no input device appears on the phone, and HOGP gets no subscription to the
      car's input report"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import adversary  # noqa: E402
import btguard_helpers as bt  # noqa: E402
import hid  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=5)
POOL = f"""[Vendor]
Name=Lab pool
[Device]
BluetoothAddress={bt.CAR}
Preset=audio-only
"""


def scenario(lab, root):
    car, watch = bt.guarded_phone(lab, root)
    try:
        outcome = adversary.le_keyboard_bonds(lab, car)
        phone_dev = labkit.props(lab.bus, labkit.device_path(labkit.PHONE_ADAPTER, bt.CAR),
                                 "org.bluez.Device1") or {}
        try:
            decided = watch.wait(lambda r: True, "carguard's decision about the LE car", timeout=10)
        except labkit.Timeout:
            decided = None
        tap.ok(decided is not None, "(f) carguard decides the LE device",
               {"record": labkit.plain(decided) if decided else None,
                "address_type": phone_dev.get("AddressType")})
        try:
            unbonded = labkit.wait_until(lambda: not bt.phone_bonded(lab), 20, "the LE keyboard's bond to go")
        except labkit.Timeout:
            unbonded = False
        tap.ok(unbonded, "(f) the LE keyboard keeps no bond: it offers HID over GATT, which BlueZ connects"
               " unasked, and audio-only grants no hid",
               {"outcome": outcome, "decided": labkit.plain(decided) if decided else None})
        tap.ok(not outcome["input"] and not hid.input_devices_of(bt.CAR),
               "(f) no input device from the car on the phone", {"inputs": hid.input_devices()})
        report = outcome["gatt"] or {}
        tap.ok("subscribed" not in report.get("report", []),
               "(f) at the car: the phone never subscribed to the HOGP input report", report)
    except Exception as e:
        tap.diag(f"{type(e).__name__}: {e}")
    tap.ok(lab.carguardd_runs(), "carguardd ran throughout")
    car.stop()


if __name__ == "__main__":
    sys.exit(bt.run(tap, scenario, policy=lambda lab: bt.write_shipped_policy(lab, vendors={"pool": POOL})))
