#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, fail closed: carguardd SIGKILLed while an untrusted host is attached
leaves no data path; a host that attaches while carguardd is not running gets none
either (unbound is the gadget's resting state, and nothing in carguard binds it)."""

import importlib.machinery
import os

lib = importlib.machinery.SourceFileLoader(
    "usb_guard_lib", os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                  "usb-guard-lib.py")).load_module()
usblab = lib.usblab


def main():
    t = lib.Tap(7)
    role = lib.PhoneRole("[Default]\nPreset=charge-only\n", "carguardd-sigkill.log")
    bus, phone, port, daemon, watch = role.bus, role.phone, role.port, role.daemon, role.watch
    try:
        lib.car_attach()
        t.check("carguardd enforces charge-only on the untrusted host",
                lambda: (watch.wait(lib.enforced("charge-only"), "charge-only") is not None, None))
        daemon.kill()
        t.ok(not daemon.alive(), "carguardd is SIGKILLed")
        t.ok(phone.udc() is None, "the gadget is still unbound", phone.udc())
        t.check("the car's side sees nothing", lambda: lib.car_sees_nothing(port))

        lib.car_detach()
        lib.car_attach()
        t.ok(phone.udc() is None, "a host attached while carguardd is down: still unbound",
             phone.udc())
        t.check("... the car's side sees nothing", lambda: lib.car_sees_nothing(port))
        t.ok(usblab.Udc(lib.UDC).state() == "not attached", "the UDC is not attached",
             usblab.Udc(lib.UDC).state())
    finally:
        watch.close()
        daemon.stop()
        usblab.cleanup_all_gadgets()
    return 1 if t.failed else 0


if __name__ == "__main__":
    lib.run(main)
