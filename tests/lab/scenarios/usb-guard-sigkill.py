#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, fail closed: carguardd SIGKILLed while an untrusted host is attached
leaves no data path; a host that attaches while carguardd is not running gets none
either (unbound is the gadget's resting state, and nothing in carguard binds it)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402


def main():
    t = labkit.Tap(7)
    with labkit.Lab() as lab, usblab.PhoneRole(lab, "[Default]\nPreset=charge-only\n") as role:
        phone, port, watch = role.phone, role.port, role.watch
        role.cable.attach()
        t.check("carguardd enforces charge-only on the untrusted host",
                lambda: (watch.wait(labkit.enforced("charge-only"), "charge-only") is not None, None))
        lab.kill_carguardd()
        t.ok(not lab.carguardd_runs(), "carguardd is SIGKILLed")
        t.ok(phone.udc() is None, "the gadget is still unbound", phone.udc())
        t.check("the car's side sees nothing", lambda: usblab.car_sees_nothing(port))

        role.cable.detach()
        role.cable.attach()
        t.ok(phone.udc() is None, "a host attached while carguardd is down: still unbound",
             phone.udc())
        t.check("... the car's side sees nothing", lambda: usblab.car_sees_nothing(port))
        t.ok(usblab.Udc(usblab.UDC).state() == "not attached", "the UDC is not attached",
             usblab.Udc(usblab.UDC).state())
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
