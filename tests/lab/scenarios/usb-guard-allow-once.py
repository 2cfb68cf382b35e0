#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, a host the policy says `ask` about: the gadget stays unbound while the
question is pending; "allow once" (carguardd's D-Bus AllowOnce, as the notifier calls
it) binds it and the car sees the network interface; after a detach and re-attach the
next connection starts at charge-only and is asked about again."""

import importlib.machinery
import os

lib = importlib.machinery.SourceFileLoader(
    "usb_guard_lib", os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                  "usb-guard-lib.py")).load_module()
usblab = lib.usblab


def asking(rec):
    return rec.get("Decision") == "ask" and int(rec.get("Pending", 0)) != 0


def main():
    t = lib.Tap(10)
    role = lib.PhoneRole("[Default]\nPreset=charge-only\nUSBMode=ask\n", "carguardd-allow-once.log")
    bus, phone, port, daemon, watch = role.bus, role.phone, role.port, role.daemon, role.watch
    try:
        lib.car_attach()
        first = None

        def asked():
            nonlocal first
            first = watch.wait(asking, "a pending question about the host")
            return True, first
        t.check("carguardd asks about the attached host", asked)
        t.ok(phone.udc() is None, "while the question is pending the gadget stays unbound")
        t.check("... and the car's side sees nothing", lambda: lib.car_sees_nothing(port))

        daemon.proxy().AllowOnce(lib.USB_ID)
        t.check("after allow once the gadget is bound to the UDC",
                lambda: usblab.wait_until(lambda: phone.udc() == lib.UDC, lib.TIMEOUT,
                                          "g1 bound") and True)
        t.check("the car enumerates the phone",
                lambda: port.wait_enumerated(lib.TIMEOUT).enumerated())
        netdev = None

        def car_netdev():
            nonlocal netdev
            netdev = port.wait_netdev(lib.TIMEOUT)
            return (netdev is not None and netdev not in usblab.gadget_side_netdevs(lib.UDC),
                    port.report_json())
        t.check("the car sees the network interface", car_netdev)

        lib.car_detach()
        t.check("on detach carguardd unbinds the gadget",
                lambda: usblab.wait_until(lambda: phone.udc() is None, lib.TIMEOUT,
                                          "g1 unbound") and True)

        lib.car_attach()
        second = None

        def asked_again():
            nonlocal second
            # Records of the first connection may still be queued: wait for another id.
            second = watch.wait(lambda rec: asking(rec)
                                and int(rec["Pending"]) != int(first["Pending"]),
                                "a new question for the new connection")
            return True, (first, second)
        t.check("the re-attached host is asked about again (a new question)", asked_again)
        t.ok(phone.udc() is None, "the new connection starts at charge-only: unbound",
             phone.udc())
        t.check("the car's side sees nothing", lambda: lib.car_sees_nothing(port))
    finally:
        watch.close()
        daemon.stop()
        usblab.cleanup_all_gadgets()
    return 1 if t.failed else 0


if __name__ == "__main__":
    lib.run(main)
