#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""USB baseline, without carguard: what the car sees of a phone's postmarketOS
gadget, what kernel USB authorization keeps from a laptop, and what a hostile
car-head-unit gadget shows a host.  Later scenarios assert carguard changes this.

One cable: dummy_udc.0 (gadget side) <-> usb1 port 1, devpath 1-1."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402
from usblab import (TIMEOUT, UDC, CarHeadUnitGadget, CarUsbPort, FakeUsbSupply,  # noqa: E402
                    PhoneGadget, Udc,
                    USB_CDC_SUBCLASS_ACM, USB_CDC_SUBCLASS_NCM, USB_CLASS_CDC_DATA,
                    USB_CLASS_COMM, USB_CLASS_MASS_STORAGE)


def net_exists(name):
    return name is not None and os.path.exists(f"/sys/class/net/{name}")


def main():
    with labkit.Lab() as lab:
        return scenario(lab)


def scenario(lab):
    started = time.monotonic()
    t = labkit.Tap(49)
    port = CarUsbPort("1-1")
    udc = Udc(UDC)
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    usblab.set_authorized_default(1, bus=1)

    # --- the phone, as postmarketOS sets it up, left unbound
    phone = PhoneGadget()
    phone.create(bind=False)
    t.ok(phone.exists() and not phone.is_bound() and phone.udc() is None,
         "phone gadget g1 created unbound")
    t.ok(usblab.port_for_udc(UDC).devpath == port.devpath,
         f"{UDC} is cabled to port {port.devpath}", usblab.port_for_udc(UDC).devpath)
    t.ok(not port.enumerated(), "nothing at the car's port while the phone's gadget is unbound")

    # --- plugged into a car that trusts everything
    phone.bind(UDC)
    t.check("phone bound to dummy_udc.0, the car enumerates 1-1",
            lambda: (phone.udc() == UDC and port.wait_enumerated(TIMEOUT).enumerated(),
                     port.report_json()))
    rep = port.report()
    t.diag("car sees: " + json.dumps(rep, sort_keys=True))
    t.ok(rep["vendor"] == "18d1" and rep["product"] == "d001"
         and rep["manufacturer"] == phone.manufacturer and rep["serial"] == "postmarketOS",
         "the car reads postmarketOS's IDs and strings", rep)
    t.check("an NCM interface driven by the car's cdc_ncm", lambda: port.wait_interface(
        {"class": USB_CLASS_COMM, "subclass": USB_CDC_SUBCLASS_NCM, "driver": "cdc_ncm"},
        TIMEOUT))

    host_net = None

    def netdev_appears():
        nonlocal host_net
        host_net = port.wait_netdev(TIMEOUT)
        gadget_side = usblab.gadget_side_netdevs(UDC)
        return (net_exists(host_net) and host_net not in gadget_side
                and phone.ifname() in gadget_side,
                f"host {host_net}, gadget side {gadget_side}, phone ifname {phone.ifname()}")
    t.check("a network interface appears on the car's side (not the phone's own usb0)",
            netdev_appears)
    t.check("the phone's UDC reports configured",
            lambda: udc.wait_state("configured", TIMEOUT) == "configured")

    # --- cable out
    phone.unbind()
    t.check("unbinding the phone gadget unplugs it: 1-1 and its netdev are gone",
            lambda: (port.wait_gone(TIMEOUT) is None and not net_exists(host_net), host_net))

    # --- a car (or laptop) with authorized_default=0
    usblab.set_authorized_default(0, bus=1)
    t.ok(usblab.authorized_default(1) == 0, "usb1 authorized_default is 0")
    phone.bind(UDC)
    t.check("a newly plugged phone enumerates", lambda: port.wait_enumerated(TIMEOUT).enumerated())
    rep = port.report()
    t.diag("unauthorized: " + json.dumps(rep, sort_keys=True))
    t.ok(rep["authorized"] is False, "it is not authorized", rep)
    t.ok(rep["interfaces"] == [] and rep["netdev"] is None and port.netdevs() == [],
         "it has no interfaces and no host-side netdev", rep)
    t.ok(rep["vendor"] == "18d1" and rep["manufacturer"] == phone.manufacturer,
         "its idVendor and manufacturer are still readable", rep)

    usblab.authorize("1-1")
    t.check("authorized=1 brings its interfaces", lambda: (
        port.wait_authorized(TIMEOUT) is None
        and port.has_interface(USB_CLASS_COMM, USB_CDC_SUBCLASS_NCM), port.report_json()))
    t.check("... and the host-side netdev", lambda: net_exists(port.wait_netdev(TIMEOUT)))

    # --- per-interface authorization
    ctrl = next((i["name"] for i in port.interfaces()
                 if i["subclass"] == USB_CDC_SUBCLASS_NCM), None)
    usblab.set_interface_authorized(ctrl, 0)
    t.check("deauthorizing the NCM control interface unbinds cdc_ncm and drops the netdev",
            lambda: (port.wait_no_netdev(TIMEOUT) is None
                     and all(i["driver"] is None for i in port.interfaces()
                             if i["name"] == ctrl), port.report_json()))
    usblab.set_interface_authorized(ctrl, 1)
    iface = next((i for i in port.interfaces() if i["name"] == ctrl), {})
    t.ok(iface.get("authorized") is True and iface.get("driver") is None,
         "re-authorizing it alone binds no driver", iface)
    usblab.probe_interface(ctrl)
    t.check("probing it after re-authorizing brings the netdev back",
            lambda: net_exists(port.wait_netdev(TIMEOUT)))

    usblab.deauthorize("1-1")
    t.check("deauthorizing the device removes interfaces and netdev", lambda: (
        labkit.wait_until(lambda: not port.interface_paths() and not port.netdevs(),
                          TIMEOUT, "interfaces to go") and port.authorized() is False,
        port.report_json()))

    phone.unbind()
    port.wait_gone(TIMEOUT)
    usblab.set_authorized_default(1, bus=1)

    # --- soft_connect: a cable pull the gadget itself does not see
    phone.bind(UDC)
    port.wait_enumerated(TIMEOUT)
    udc.soft_connect(False)
    t.check("soft_connect=disconnect unplugs with the gadget still bound",
            lambda: (port.wait_gone(TIMEOUT) is None and phone.is_bound(), phone.udc()))
    # soft_connect=connect does not revive dummy_hcd's link on this kernel
    # (see Udc.soft_connect): unbind and bind is the lab's cable in.
    phone.unbind()
    phone.bind(UDC)
    t.check("unbind and bind plug it back", lambda: port.wait_enumerated(TIMEOUT).enumerated())
    phone.destroy()
    port.wait_gone(TIMEOUT)

    # --- postmarketOS's older default function, RNDIS
    rndis = PhoneGadget(network_function="rndis.usb0")
    rndis.create(bind=True, udc=UDC)
    t.check("an RNDIS phone gadget gets rndis_host and a host-side netdev", lambda: (
        port.wait_enumerated(TIMEOUT).enumerated()
        and port.wait_interface({"driver": "rndis_host"}, TIMEOUT)
        and net_exists(port.wait_netdev(TIMEOUT)), port.report_json()))
    rndis.destroy()
    port.wait_gone(TIMEOUT)

    # --- a car head unit toward a laptop: several interfaces
    hu = CarHeadUnitGadget()
    hu.create(bind=True, udc=UDC)
    t.check("the car-head-unit gadget enumerates", lambda: port.wait_enumerated(TIMEOUT).enumerated())
    rep = port.report()
    t.diag("laptop sees: " + json.dumps(rep, sort_keys=True))
    t.ok(rep["vendor"] == "1c98" and rep["product"] == "0001"
         and rep["manufacturer"] == "ALPINE ELECTRONICS, INC.", "with Alpine's vendor ID and strings", rep)
    classes = sorted((i["class"], i["subclass"]) for i in rep["interfaces"])
    t.ok((USB_CLASS_COMM, USB_CDC_SUBCLASS_NCM) in classes
         and (USB_CLASS_CDC_DATA, "00") in classes
         and (USB_CLASS_MASS_STORAGE, "06") in classes
         and (USB_CLASS_COMM, USB_CDC_SUBCLASS_ACM) in classes,
         "its interfaces: NCM, CDC data, mass storage, ACM", classes)
    t.check("usb-storage drives its mass-storage interface", lambda: port.wait_interface(
        {"class": USB_CLASS_MASS_STORAGE, "driver": "usb-storage"}, TIMEOUT))
    t.check("it brings a host-side netdev", lambda: net_exists(port.wait_netdev(TIMEOUT)))
    hu.unbind()
    port.wait_gone(TIMEOUT)

    # --- a laptop that authorizes the device but none of its interfaces
    usblab.set_interface_authorized_default(0, bus=1)
    t.ok(usblab.interface_authorized_default(1) == 0, "usb1 interface_authorized_default is 0")
    hu.bind(UDC)
    t.check("the head unit enumerates with all its interfaces unauthorized and undriven",
            lambda: (port.wait_enumerated(TIMEOUT).authorized() is True
                     and len(port.interfaces()) == 5
                     and all(i["authorized"] is False and i["driver"] is None
                             for i in port.interfaces())
                     and port.netdevs() == [], port.report_json()))
    storage = next((i["name"] for i in port.interfaces()
                    if i["class"] == USB_CLASS_MASS_STORAGE), None)
    usblab.set_interface_authorized(storage, 1)
    usblab.probe_interface(storage)
    t.check("authorizing and probing only its mass-storage interface drives that one alone",
            lambda: (port.wait_interface({"name": storage, "driver": "usb-storage"}, TIMEOUT)
                     and all(i["driver"] is None for i in port.interfaces() if i["name"] != storage)
                     and port.netdevs() == [], port.report_json()))
    hu.destroy()
    port.wait_gone(TIMEOUT)
    usblab.set_interface_authorized_default(1, bus=1)

    # --- hostile strings: longest possible, control characters, invalid UTF-8
    longest = b"\x1b[2J\x1b]0;pwned\x07%s%n$(reboot)`id`;\r\n\xe2\x80\xae" + b"A" * 90
    longest = longest[:usblab.USB_MAX_STRING_LEN]
    invalid = b"Head\xff\xfeUnit\xc3\x28\xed\xa0\x80"
    hostile = CarHeadUnitGadget(name="hostile", manufacturer=longest, product=invalid,
                                serial=b"\xe2\x80\xae1234", functions=("acm",))
    hostile.create(bind=True, udc=UDC)
    t.check("a gadget with hostile strings enumerates", lambda: port.wait_enumerated(TIMEOUT).enumerated())
    rep = port.report()
    t.diag("hostile: " + json.dumps(rep, sort_keys=True))
    raw = usblab._read_bytes(f"{port.path}/manufacturer")
    t.ok(raw == longest + b"\n", f"the host reads the {len(longest)}-byte control-character "
         "manufacturer verbatim", raw)
    raw_product = usblab._read_bytes(f"{port.path}/product")
    t.ok(raw_product is None,
         "an invalid UTF-8 product string is unreadable to the host (the gadget stalls it)",
         raw_product)
    t.check("the report of a hostile device is JSON", lambda: json.loads(port.report_json()) is not None)
    hostile.destroy()
    port.wait_gone(TIMEOUT)

    def configfs_refuses_overlong():
        probe = CarHeadUnitGadget(name="overlong", functions=())
        probe.create()
        try:
            usblab._write(f"{probe.path}/strings/{usblab.LANG_EN_US}/product",
                          b"B" * (usblab.USB_MAX_STRING_LEN + 1))
        except usblab.UsbLabError as e:
            return "Value too large" in str(e), str(e)
        finally:
            probe.destroy()
        return False, "configfs accepted a 127-byte string"
    t.check(f"configfs refuses strings over {usblab.USB_MAX_STRING_LEN} bytes",
            configfs_refuses_overlong)

    cable_signals(t, lab, port, udc)
    usblab.cleanup_all_gadgets()
    t.diag(f"scenario body took {time.monotonic() - started:.1f}s")
    return t.done()


class Uevents:
    """The kernel's uevents from now on, kept in order."""

    def __init__(self):
        self.monitor = labkit.UeventMonitor()
        self.seen = []

    def wait_for(self, predicate, what):
        """Every event up to and including the first one satisfying PREDICATE."""
        def arrived():
            self.seen += self.monitor.drain()
            return next((i for i, ev in enumerate(self.seen) if predicate(ev)), None) is not None
        labkit.wait_until(arrived, TIMEOUT, what)
        at = next(i for i, ev in enumerate(self.seen) if predicate(ev))
        events, self.seen = self.seen[:at + 1], self.seen[at + 1:]
        return events

    def close(self):
        self.monitor.close()


def supply_change(online):
    def match(ev):
        return (ev.get("SUBSYSTEM") == "power_supply" and ev.get("ACTION") == "change"
                and ev.get("POWER_SUPPLY_NAME") == FakeUsbSupply.NAME
                and ev.get("POWER_SUPPLY_ONLINE") == str(int(online)))
    return match


def brief(events):
    return [(e.get("ACTION"), e.get("SUBSYSTEM"), e.get("DEVPATH"), e.get("POWER_SUPPLY_ONLINE"))
            for e in events]


def cable_signals(t, lab, port, udc):
    """What each way of pulling the lab's cable does to the kernel's view, on both
    ends: the Cable (the UDC stays; the car's port power and the phone's USB supply
    change), soft_connect, and the ModuleCable (dummy_hcd goes)."""
    cable = usblab.Cable(lab.env["LAB_KROOT"], port)
    supply = cable.supply
    usb_type = usblab._read_text(f"{supply.PATH}/usb_type")
    t.ok(usblab._read_text(f"{supply.PATH}/type") == "USB" and usb_type.split() ==
         ["Unknown", "[SDP]", "DCP", "CDP"],
         "the lab's USB supply (a fake, tests/lab/kmod) is a power_supply of type USB, SDP",
         usb_type)
    events = None
    phone = PhoneGadget()
    try:
        cable.attach()
        phone.create(bind=True, udc=UDC)
        t.check("cable in, the phone bound: the car enumerates it with a netdev",
                lambda: (net_exists(port.wait_enumerated(TIMEOUT).wait_netdev(TIMEOUT)),
                         port.report_json()))
        state = udc.state()
        events = Uevents()
        cable.detach()
        t.check("cable out (the car's port unpowered): the car loses the phone and its netdev",
                lambda: (port.wait_gone(TIMEOUT) is None and port.netdevs() == [],
                         port.report_json()))
        t.ok(phone.udc() == UDC and udc.function() == phone.name and UDC in usblab.udcs(),
             "... the phone's gadget stays bound and its UDC stays", (phone.udc(), udc.function()))
        seen = events.wait_for(supply_change(False), "the supply's change uevent, online=0")
        t.ok(not supply.online() and not any(e.get("SUBSYSTEM") in ("udc", "gadget") for e in seen),
             "... the phone hears of it only through its supply (online=0), no udc or gadget uevent",
             brief(seen))
        t.ok(udc.state() == state, f"... dummy_udc's state still reads {state!r}: no cable signal",
             udc.state())
        cable.attach()
        t.check("cable back in: the car enumerates the still-bound phone again, with its netdev",
                lambda: (net_exists(port.wait_enumerated(TIMEOUT).wait_netdev(TIMEOUT)),
                         port.report_json()))
        seen = events.wait_for(supply_change(True), "the supply's change uevent, online=1")
        t.ok(supply.online() and supply.usb_type() == "SDP", "... and the supply is online as SDP",
             brief(seen))

        phone.unbind()
        port.wait_gone(TIMEOUT)  # the kernel sends a device's remove uevent before it goes
        events.close()
        events = Uevents()
        cable.detach()
        seen = events.wait_for(supply_change(False), "online=0")
        cable.attach()
        seen += events.wait_for(supply_change(True), "online=1")
        t.ok(not port.enumerated() and all(e.get("SUBSYSTEM") == "power_supply" for e in seen),
             "the gadget unbound: out and in, the car sees nothing and the only uevents are the "
             "supply's", brief(seen))

        def soft_connect_refused():
            try:
                udc.soft_connect(False)
            except usblab.UsbLabError as e:
                return "Operation not supported" in str(e), str(e)
            return False, "soft_connect accepted a disconnect with no gadget bound"
        t.check("soft_connect with the gadget unbound is refused (EOPNOTSUPP): no signal from it",
                soft_connect_refused)

        cable.detach()
        cable.attach("DCP")
        phone.bind(UDC)
        t.check("a wall charger (DCP): the supply is online as DCP, and a bound gadget finds no host",
                lambda: (supply.online() and supply.usb_type() == "DCP"
                         and not port.powered() and usblab.car_sees_nothing(port)[0],
                         (supply.usb_type(), port.report_json())))
        phone.unbind()
        cable.detach()

        module = usblab.ModuleCable(lab.env["LAB_KROOT"])
        module.detach()
        t.ok(UDC not in usblab.udcs() and not os.path.exists(usblab.root_hub(1))
             and not supply.online(),
             "ModuleCable out: the UDC and the car's bus are gone, the supply offline",
             usblab.udcs())
        module.attach()
        t.ok(UDC in usblab.udcs() and port.powered() and supply.online() and not port.enumerated(),
             "ModuleCable in: the UDC and the car's bus are back, the supply online, nothing "
             "enumerated", usblab.udcs())
    finally:
        if events is not None:
            events.close()
        phone.destroy()


if __name__ == "__main__":
    labkit.run(main)
