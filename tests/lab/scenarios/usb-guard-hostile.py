#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host role against hostile USB strings: a head unit (Alpine VID, charge-only) whose
manufacturer, product and serial are 126-byte strings with control characters,
invalid UTF-8, shell syntax ("$(reboot)") and a right-to-left override. For each one:
carguardd is still running, still decides (an enforced charge-only Decision for
usb/1-1), the device stays unauthorized with no driver, and carguardd's log holds none
of the raw bytes (no ESC, no RTL override, no invalid UTF-8).

Malformed descriptors cannot be sent through configfs (the kernel builds them); the
parser's bounds are covered by tests/unit/test-usb-host-descriptor.c."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402

VENDORS = {"alpine": "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=charge-only\n"}

CONTROL = bytes(range(1, 32)).replace(b"\n", b"")  # all C0 controls but the newline
RTL = "\u202e".encode()
STRINGS = [
    ("126 bytes of control characters", (CONTROL * 5)[:126], b"HU-ctl", b"ALPINE"),
    ("escape sequences", b"\x1b[2J\x1b[31mCar\x07" + b"A" * 100, b"\x1b]0;pwn\x07", b"ALPINE"),
    ("shell syntax", b"$(reboot)`reboot`;reboot", b"$(reboot)", b"|| reboot &&"),
    ("right-to-left override", RTL + b"exe.fdp" + RTL, RTL + b"1000UH", b"ALPINE" + RTL),
    # The kernel stalls the string request of invalid UTF-8: the host reads no string.
    ("invalid UTF-8", b"\xff\xfe\xc3(" + b"\x80" * 60, b"\xed\xa0\x80", b"ALPINE\xc0\xaf"),
]
RAW_FORBIDDEN = [b"\x1b", b"\x07", RTL]


def log_clean(lab):
    with open(lab.log_path("carguardd.log"), "rb") as f:
        data = f.read()
    bad = [b for b in RAW_FORBIDDEN if b in data]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append(f"invalid UTF-8 at {e.start}".encode())
    return not bad, bad


def main():
    t = labkit.Tap(4 * len(STRINGS) + 1)
    with labkit.Lab() as lab, usblab.LaptopRole(lab, VENDORS) as role:
        port, watch = role.port, role.watch
        role.wait_locked()
        for what, product, serial, manufacturer in STRINGS:
            car = usblab.CarHeadUnitGadget(product=product, serial=serial,
                                           manufacturer=manufacturer)
            car.create(bind=True, udc=usblab.UDC)
            t.check(f"{what}: an enforced charge-only decision",
                    lambda: watch.wait(labkit.enforced("charge-only"), what) is not None)
            t.check(f"{what}: unauthorized, no driver, no netdev",
                    lambda: (port.wait_enumerated(usblab.TIMEOUT) and port.authorized() is False
                             and port.interfaces() == [] and port.netdevs() == [],
                             port.report_json()))
            car.destroy()
            port.wait_gone(usblab.TIMEOUT)
            t.ok(lab.carguardd_runs(), f"{what}: carguardd still runs")
            t.check(f"{what}: carguardd's log is sanitised", lambda: log_clean(lab))
        t.ok(lab.carguardd_runs(), "carguardd survived every hostile device")
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
