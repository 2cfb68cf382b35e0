#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The toolkit's own helpers do what they say: restart_bluetoothd brings both
adapters back powered and the car can pull the phonebook again; forget() removes
the bond; FakeLogind owns logind's name and locks its session; start_carguardd and
kill_carguardd run and SIGKILL the built daemon; start_car and visit_with_person
answer carguard's question about a car-class device (which then gets no PBAP);
explain() answers, and on the shipped policy asks about a car and denies an unknown
keyboard HID. Needs carguardd and the CLI built (skipped otherwise)."""

import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import btguard_helpers as bt  # noqa: E402
import cgnames  # noqa: E402
import labkit  # noqa: E402

POLICY = {
    "etc/carguard/carguard.conf": "[Default]\nPairing=ask\n[CarDefault]\nPreset=audio-only\nPairing=ask\n",
    # The car's side of the lab sees the phone as a device too.
    "etc/carguard/vendors.d/lab-phone.conf":
        f"[Vendor]\nName=Lab phone\n[Device]\nBluetoothAddress={labkit.PHONE_ADDRESS}\nPreset=trusted\n",
}

tap = labkit.Tap(plan=10)


def main():
    with labkit.Lab() as lab:
        lab.bluetooth_up()
        lab.start_phone(agent=True, services=["pbap"])
        lab.restart_bluetoothd()
        powered = {a: (labkit.props(lab.bus, labkit.adapter_path(a), "org.bluez.Adapter1") or {})
                   .get("Powered")
                   for a in (labkit.PHONE_ADAPTER, labkit.CAR_ADAPTER)}
        tap.ok(all(powered.values()), "restart_bluetoothd: both adapters are back and powered", powered)
        # The phone's registrations died with the old bluetoothd.
        lab.stop("phone")
        lab.start_phone(agent=True, services=["pbap"])
        r = lab.run_car(services=["pbap"])
        tap.ok(r["services"]["pbap"].get("vcards") == 3,
               "after the restart the car pairs and pulls the phonebook", r)
        lab.forget()
        gone = [labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, labkit.CAR_ADDRESS),
                labkit.bond_state(lab.bus, labkit.CAR_ADAPTER, labkit.PHONE_ADDRESS)]
        tap.ok(not any(g["exists"] for g in gone), "forget: no device or bond on either side", gone)
        logind = lab.start_fake_logind(locked=True)
        tap.ok(lab.name_has_owner(labkit.LOGIN1) and logind.locked(),
               "FakeLogind owns org.freedesktop.login1 and its session locks")
        if not (lab.carguardd_path and lab.carguard_path):
            for what in ("start_carguardd", "carguardd refuses PBAP", "kill_carguardd", "explain",
                         "explain on the shipped policy: car", "explain on the shipped policy: keyboard"):
                tap.skip(what, "carguardd or the CLI is not built")
            return tap.done()
        logind.set_locked(False)
        root = lab.write_policy("/tmp/carguard-toolkit", POLICY)
        lab.stop("phone")
        lab.start_phone(agent=False, services=["pbap"])
        proc = lab.start_carguardd(root, wait_name=cgnames.CG_DBUS_NAME)
        tap.ok(proc.poll() is None, "start_carguardd: carguardd owns its bus name and runs")
        car = lab.start_car()
        watch = labkit.DecisionWatch(lab.bus, f"bluetooth/{labkit.CAR_ADDRESS}")
        r, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once", services=["pbap"])
        car.stop()
        tap.ok(asked and r["pair_error"] is None and r["services"]["pbap"].get("errno") == "ECONNREFUSED",
               "start_car, visit_with_person: the person allows the car-class device once; its PBAP"
               " connect is refused", {"report": r, "asked": [labkit.plain(a) for a in asked]})
        status = lab.kill_carguardd()
        tap.ok(status == -signal.SIGKILL, f"kill_carguardd: SIGKILLed (status {status})")
        explain, err = lab.explain(root, bt_address=labkit.CAR_ADDRESS, bt_class="0x200420")
        tap.ok(explain is not None and "pbap" in explain["bluetooth"]["profiles"]["denied"],
               "explain: a car-class device is denied PBAP by [CarDefault]", explain or err)
        shipped = bt.write_shipped_policy(lab, "/tmp/carguard-shipped")
        car, err = lab.explain(shipped, bt_address=labkit.CAR_ADDRESS, bt_class="0x200420")
        tap.ok(car is not None and car["bluetooth"].get("pairing") == "ask",
               "explain on the shipped policy: a car-class device gets ask", car or err)
        keyboard, err = lab.explain(shipped, bt_address=labkit.CAR_ADDRESS, bt_class="0x002540")
        tap.ok(keyboard is not None and "hid" not in keyboard["bluetooth"]["profiles"].get("allowed", []),
               "explain on the shipped policy: an unknown keyboard-class device is denied HID",
               keyboard or err)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
