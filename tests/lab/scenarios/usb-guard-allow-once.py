#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, a host the policy says `ask` about: the gadget stays unbound while the
question is pending; "allow once" (carguardd's D-Bus AllowOnce on that question, as the
notifier calls it) binds it and the car sees the network interface; after a detach and
re-attach the next connection starts at charge-only and is asked about again.

The cable here is the other kind (usblab.ModuleCable): the phone's UDC goes with it,
as a dual-role controller's does. usb-guard-phone-lies pulls the common kind, where the
UDC stays."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

POLICY = "[Default]\nPreset=charge-only\nUSBMode=ask\n"


def main():
    t = labkit.Tap(10)
    with labkit.Lab() as lab, usblab.PhoneRole(lab, POLICY, cable=usblab.ModuleCable) as role:
        phone, port, watch = role.phone, role.port, role.watch
        role.cable.attach()
        first = None

        def asked():
            nonlocal first
            first = watch.wait(labkit.asking, "a pending question about the host")
            return True, first
        t.check("carguardd asks about the attached host", asked)
        t.ok(phone.udc() is None, "while the question is pending the gadget stays unbound")
        t.check("... and the car's side sees nothing", lambda: usblab.car_sees_nothing(port))

        role.allow_once(first)
        t.check("after allow once the gadget is bound to the UDC",
                lambda: labkit.wait_until(lambda: phone.udc() == usblab.UDC, usblab.TIMEOUT,
                                          "g1 bound") and True)
        t.check("the car enumerates the phone",
                lambda: port.wait_enumerated(usblab.TIMEOUT).enumerated())
        netdev = None

        def car_netdev():
            nonlocal netdev
            netdev = port.wait_netdev(usblab.TIMEOUT)
            return (netdev is not None and netdev not in usblab.gadget_side_netdevs(usblab.UDC),
                    port.report_json())
        t.check("the car sees the network interface", car_netdev)

        role.cable.detach()
        t.check("on detach carguardd unbinds the gadget",
                lambda: labkit.wait_until(lambda: phone.udc() is None, usblab.TIMEOUT,
                                          "g1 unbound") and True)

        role.cable.attach()
        second = None

        def asked_again():
            nonlocal second
            # Records of the first connection may still be queued: wait for another id.
            second = watch.wait(lambda rec: labkit.asking(rec)
                                and int(rec[cgnames.CG_DBUS_RECORD_PENDING])
                                != int(first[cgnames.CG_DBUS_RECORD_PENDING]),
                                "a new question for the new connection")
            return True, (first, second)
        t.check("the re-attached host is asked about again (a new question)", asked_again)
        t.ok(phone.udc() is None, "the new connection starts at charge-only: unbound",
             phone.udc())
        t.check("the car's side sees nothing", lambda: usblab.car_sees_nothing(port))
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
