#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A head unit that keeps asking for the phonebook: over its existing bond, it connects
to the phone's PBAP channel, OBEX CONNECTs and GETs the phonebook, again and again until
SIGTERM, and writes one JSON line per try (CLOCK_MONOTONIC time, connected, errno,
vCards received) to the file given. Used while carguardd is killed and restarted.

Between two tries the car waits for its link to the phone to drop, then says so in
EVENTS_PATH.idle for a second: tearing down a live RFCOMM session while bluetoothd
powers both controllers off at once (one bluetoothd serves the phone and the car here)
has panicked the lab's 6.1 kernel (list corruption in hci_chan_del), so a scenario that
stops bluetoothd does it between two tries.

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


def link_down(car, timeout=15):
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
    channels = {carlib.RFCOMM_SERVICES[service][0]: carlib.RFCOMM_SERVICES[service][1]}
    with open(path, "a") as out:
        while running:
            t = time.monotonic()
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
