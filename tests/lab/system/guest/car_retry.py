#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A head unit that keeps asking for a data service: over its existing bond, it connects
to the phone's SERVICE (car.py's names: pbap gets the phonebook over OBEX, pan sets up
BNEP), again and again until SIGTERM, and writes one JSON line per try
(CLOCK_MONOTONIC time, connected, errno, what it got) to the file given. Used while
carguardd is killed and restarted.

One bluetoothd serves the phone's and the car's controllers here, and a scenario takes
the car out of range before it stops bluetoothd (systemkit.Bluetooth.out_of_range), so
the car tries only while its controller is there and powered, and not while
EVENTS_PATH.away exists: the scenario makes it before the car drives off and removes it
once the guard and the phone are back, for a try racing bluetoothd's power-up of both
controllers has oopsed the lab's 6.1 kernel (list corruption in hci_chan_del when the
car's socket closes). A try it does not make is written as "skipped". Between two tries
it waits for its link to drop and says so in EVENTS_PATH.idle for a second.

Usage: car_retry.py EVENTS_PATH [SERVICE=pbap]"""

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "guest"))
import car as carlib  # noqa: E402
import labkit  # noqa: E402

running = True


def stop(*_):
    global running
    running = False


def link_down(car, timeout=60):
    """The car's ACL link to the phone is down."""
    deadline = time.monotonic() + timeout
    while running and time.monotonic() < deadline:
        p = labkit.props(car.bus, car.phone_path, "org.bluez.Device1", timeout=2) or {}
        if not p.get("Connected"):
            return
        time.sleep(0.1)


def main():
    signal.signal(signal.SIGTERM, stop)
    path = sys.argv[1]
    service = sys.argv[2] if len(sys.argv) > 2 else "pbap"
    labkit.setup_mainloop()
    car = carlib.Car(labkit.system_bus())
    channels = ({carlib.RFCOMM_SERVICES[service][0]: carlib.RFCOMM_SERVICES[service][1]}
                if service in carlib.RFCOMM_SERVICES else None)
    with open(path, "a") as out:
        while running:
            t = time.monotonic()
            away = os.path.exists(path + ".away")
            adapter = {} if away else (labkit.props(car.bus, car.adapter, "org.bluez.Adapter1", timeout=2)
                                       or {})
            if away or not adapter.get("Powered"):
                why = "the car is out of range" if away else "the car's controller is off"
                out.write(json.dumps({"t": round(t, 3), "skipped": why}) + "\n")
                out.flush()
                time.sleep(0.2)
                continue
            try:
                result = car.connect_service(service, channels)
            except Exception as e:  # bluetoothd gone mid-try: that is a refusal too
                result = {"connected": False, "errno": type(e).__name__}
            out.write(json.dumps({"t": round(t, 3), **result}) + "\n")
            out.flush()
            link_down(car)
            with open(path + ".idle", "w"):
                pass
            time.sleep(1.0)
            os.unlink(path + ".idle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
