#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, an unknown host: carguardd keeps postmarketOS's gadget g1 unbound, so
the car's side sees no device, no data interface and no network interface; a bind by
another owner (as postmarketOS's NetworkManager dispatcher does) is undone.

The lab kernel has no Type-C class, so the host's identity is unknown and [Default]
decides; the cable is usblab.Cable (the car's port and the phone's USB supply; the UDC
stays)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402


def main():
    t = labkit.Tap(9)
    with labkit.Lab() as lab, usblab.PhoneRole(lab, "[Default]\nPreset=charge-only\n") as role:
        phone, port, watch = role.phone, role.port, role.watch
        t.ok(lab.carguardd_runs(), "carguardd runs")
        role.cable.attach()
        rec = None

        def judged():
            nonlocal rec
            rec = watch.wait(labkit.enforced("charge-only"), "charge-only for the unknown host")
            return True, rec
        t.check("carguardd judges the unknown host charge-only and enforces it", judged)
        t.diag(f"decision: {dict(rec) if rec else None}")
        t.ok(rec is not None and str(rec.get(cgnames.CG_DBUS_RECORD_RULE)) == "/etc/carguard/carguard.conf:1",
             "the rule is [Default] of carguard.conf", rec)
        t.ok(phone.udc() is None, "the phone's gadget stays unbound", phone.udc())
        t.check("the car's side sees no device, no interface, no netdev",
                lambda: usblab.car_sees_nothing(port))
        t.ok(usblab.Udc(usblab.UDC).state() == "not attached", "the UDC is not attached",
             usblab.Udc(usblab.UDC).state())

        # postmarketOS's NetworkManager dispatcher writes UDC on its own.
        phone.bind(usblab.UDC)
        t.check("a bind by another owner is undone: the gadget is unbound again",
                lambda: labkit.wait_until(lambda: phone.udc() is None, usblab.TIMEOUT,
                                          "carguardd to unbind g1") and True)
        t.check("... and the car's side is left with nothing",
                lambda: (port.wait_gone(usblab.TIMEOUT) is None
                         and usblab.car_sees_nothing(port)[0], port.report_json()))
        t.ok(lab.carguardd_runs(), "carguardd still runs")
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
