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

import importlib.machinery
import os

lib = importlib.machinery.SourceFileLoader(
    "usb_guard_lib", os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                  "usb-guard-lib.py")).load_module()
usblab = lib.usblab

HOST_ID = "usb/1-1"
LOG = "/run/lab/carguardd-hostile.log"
MAIN_CONF = "[Default]\nPreset=charge-only\n[USBGadget]\nGadget=phone\n"
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


def log_clean():
    with open(LOG, "rb") as f:
        data = f.read()
    bad = [b for b in RAW_FORBIDDEN if b in data]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append(f"invalid UTF-8 at {e.start}".encode())
    return not bad, bad


def main():
    t = lib.Tap(4 * len(STRINGS) + 1)
    root = "/tmp/cg-root"
    lib.write_policy(root, MAIN_CONF, VENDORS)
    bus = lib.start_system_bus()
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    port = usblab.CarUsbPort("1-1")
    daemon = lib.Carguardd(bus, root, LOG).start()
    watch = lib.DecisionWatch(bus, HOST_ID)
    try:
        usblab.wait_until(lambda: usblab.authorized_default(1) == 0, lib.TIMEOUT,
                          "usb1 authorized_default=0")
        for what, product, serial, manufacturer in STRINGS:
            car = usblab.CarHeadUnitGadget(product=product, serial=serial,
                                           manufacturer=manufacturer)
            car.create(bind=True, udc=lib.UDC)
            t.check(f"{what}: an enforced charge-only decision",
                    lambda: watch.wait(lib.enforced("charge-only"), what) is not None)
            t.check(f"{what}: unauthorized, no driver, no netdev",
                    lambda: (port.wait_enumerated(lib.TIMEOUT) and port.authorized() is False
                             and port.interfaces() == [] and port.netdevs() == [],
                             port.report_json()))
            car.destroy()
            port.wait_gone(lib.TIMEOUT)
            t.ok(daemon.alive(), f"{what}: carguardd still runs")
            t.check(f"{what}: carguardd's log is sanitised", log_clean)
        t.ok(daemon.alive(), "carguardd survived every hostile device")
    finally:
        watch.close()
        daemon.stop()
        usblab.cleanup_all_gadgets()
    return 1 if t.failed else 0


if __name__ == "__main__":
    lib.run(main)
