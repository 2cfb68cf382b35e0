#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, an unknown host: carguardd keeps postmarketOS's gadget g1 unbound, so
the car's side sees no device, no data interface and no network interface; a bind by
another owner (as postmarketOS's NetworkManager dispatcher does) is undone.

The lab kernel has no Type-C class, so the host's identity is unknown and [Default]
decides; the cable is dummy_hcd (see usb-guard-lib.py)."""

import importlib.machinery
import os

lib = importlib.machinery.SourceFileLoader(
    "usb_guard_lib", os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                  "usb-guard-lib.py")).load_module()
usblab = lib.usblab


def main():
    t = lib.Tap(9)
    role = lib.PhoneRole("[Default]\nPreset=charge-only\n", "carguardd-untrusted.log")
    bus, phone, port, daemon, watch = role.bus, role.phone, role.port, role.daemon, role.watch
    try:
        t.ok(daemon.alive(), "carguardd runs")
        lib.car_attach()
        rec = None

        def judged():
            nonlocal rec
            rec = watch.wait(lib.enforced("charge-only"), "charge-only for the unknown host")
            return True, rec
        t.check("carguardd judges the unknown host charge-only and enforces it", judged)
        t.diag(f"decision: {dict(rec) if rec else None}")
        t.ok(rec is not None and str(rec.get("Rule")) == "/etc/carguard/carguard.conf:1",
             "the rule is [Default] of carguard.conf", rec)
        t.ok(phone.udc() is None, "the phone's gadget stays unbound", phone.udc())
        t.check("the car's side sees no device, no interface, no netdev",
                lambda: lib.car_sees_nothing(port))
        t.ok(usblab.Udc(lib.UDC).state() == "not attached", "the UDC is not attached",
             usblab.Udc(lib.UDC).state())

        # postmarketOS's NetworkManager dispatcher writes UDC on its own.
        phone.bind(lib.UDC)
        t.check("a bind by another owner is undone: the gadget is unbound again",
                lambda: usblab.wait_until(lambda: phone.udc() is None, lib.TIMEOUT,
                                          "carguardd to unbind g1") and True)
        t.check("... and the car's side is left with nothing",
                lambda: (port.wait_gone(lib.TIMEOUT) is None and lib.car_sees_nothing(port)[0],
                         port.report_json()))
        t.ok(daemon.alive(), "carguardd still runs")
    finally:
        watch.close()
        daemon.stop()
        usblab.cleanup_all_gadgets()
    return 1 if t.failed else 0


if __name__ == "__main__":
    lib.run(main)
