#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Laptop role (the host) against devices that were there first or lie about who they
are. Everything is asserted at the laptop's side of port 1-1: authorized, interfaces,
drivers, netdevs. One boot, one carguardd per act:

  (d) a head unit plugged in and authorized before carguardd starts (the boot window),
      on a port the kernel does not call hardwired, is judged: blocked, it loses its
      interfaces and netdev although PresentDevices=authorize. `carguard block` on a
      present, authorized device whose serial carries control bytes deauthorizes it at
      once, and the same device plugged in again stays blocked.
  (e) a blocked vendor's head unit, and a device of a vendor nobody vetted, copying a
      vetted dock's serial stay unauthorized; the dock itself gets data.
  (g) `carguard block` while a question about the device is pending: allow once on
      that question changes nothing."""

import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

DOCK_SERIAL = "DOCK-0001"
VENDORS = {
    "alpine": "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=block\n",
    # Only the one vetted dock gets data: by its serial, within the dock maker's VID.
    "dock": "[Vendor]\nName=Dock\n[Match]\nUSB=1d6b\n[Policy]\nPreset=charge-only\n"
            f"[Device]\nUSBSerial=\"{DOCK_SERIAL}\"\nPreset=trusted\n",
    "desk": "[Vendor]\nName=Desk\n[Match]\nUSB=0bda\n[Policy]\nPreset=trusted\n",
    "stick": "[Vendor]\nName=Stick\n[Match]\nUSB=0781\n[Policy]\nPreset=charge-only\nUSBMode=ask\n",
}
CONF = usblab.LAPTOP_ROLE_CONF + "[USBHost]\nPresentDevices=authorize\n"
# What a head unit can put in its serial: an escape sequence and a bell.
HOSTILE_SERIAL = b"\x1b[0mDESK\x07-7"


def gadget(name, vendor_id, serial, manufacturer="ALPINE ELECTRONICS, INC."):
    return usblab.CarHeadUnitGadget(name=name, vendor_id=vendor_id, product_id=0x0104,
                                    manufacturer=manufacturer, product=name, serial=serial,
                                    functions=("ncm",))


# vendors.d/local-blocked.conf, which `carguard block` writes.
BLOCK_VENDOR = "local-blocked"


def kept_out(record):
    """A DecisionWatch predicate: an enforced decision that gives no data path."""
    return (bool(record.get(cgnames.CG_DBUS_RECORD_ENFORCED)) and not labkit.asking(record)
            and record.get(cgnames.CG_DBUS_RECORD_DECISION) not in ("data", "allow once (person)"))


def by_block(record):
    return kept_out(record) and BLOCK_VENDOR in str(record.get(cgnames.CG_DBUS_RECORD_VENDOR))


def locked_out(port):
    """Until the device at PORT has no authorization, no interface, no netdev."""
    labkit.wait_until(lambda: port.authorized() is False and not port.interface_paths()
                      and not port.netdevs(), usblab.TIMEOUT, f"{port.devpath} deauthorized")
    return True, port.report_json()


def stays_out(port, watch, what):
    """Plugged in: a decision that keeps it out, and the laptop gives it nothing."""
    rec = watch.wait(lambda r: bool(r.get(cgnames.CG_DBUS_RECORD_ENFORCED)), what)
    port.wait_enumerated(usblab.TIMEOUT)
    return (kept_out(rec) and port.authorized() is False and port.interfaces() == []
            and port.netdevs() == [], (dict(rec), port.report_json()))


def gets_data(port, watch, what):
    watch.wait(labkit.enforced("data"), what)
    port.wait_authorized(usblab.TIMEOUT)
    return port.wait_netdev(usblab.TIMEOUT) is not None, port.report_json()


def unplug(g, port):
    g.destroy()
    port.wait_gone(usblab.TIMEOUT)


def block(lab, device=usblab.HOST_ID):
    out = lab.carguard("block", device)
    if out.returncode != 0:
        raise labkit.LabFailure(f"carguard block {device}: exit {out.returncode}: {out.stderr}")


def present_at_start(t, lab):
    car = gadget("carhu", usblab.CAR_VENDOR_ID, "HU0000000001")
    with usblab.LaptopRole(lab, VENDORS, root="/tmp/cg-root-d", carguard_conf=CONF,
                           present=car) as role:
        port, watch = role.port, role.watch
        t.ok(port.connect_type() != "hardwired", "(d) port 1-1 is not a hardwired port",
             port.connect_type())
        t.check("(d) the head unit authorized before carguardd started is deauthorized: "
                "no interface, no driver, no netdev", lambda: locked_out(port))
        rec = lab.device_record(usblab.HOST_ID)
        t.ok(rec is not None and kept_out(rec)
             and str(rec.get(cgnames.CG_DBUS_RECORD_VENDOR)) == "alpine",
             "(d) ... judged by the alpine vendor file", rec)
        unplug(car, port)

        desk = gadget("desk", 0x0BDA, HOSTILE_SERIAL, manufacturer="Desk")
        desk.create(bind=True, udc=usblab.UDC)
        t.check("(d) a trusted device gets data", lambda: gets_data(port, watch, "desk: data"))
        block(lab)
        t.check("(d) `carguard block` on it deauthorizes it at once",
                lambda: (watch.wait(by_block, "the block") is not None and locked_out(port)[0],
                         port.report_json()))
        desk.unbind()
        port.wait_gone(usblab.TIMEOUT)
        desk.bind(usblab.UDC)
        t.check("(d) plugged in again it stays out: the block holds its raw serial",
                lambda: stays_out(port, watch, "desk after the block"))
        unplug(desk, port)
        t.ok(lab.carguardd_runs(), "(d) carguardd still runs")


def copied_serial(t, lab):
    with usblab.LaptopRole(lab, VENDORS, root="/tmp/cg-root-e", carguard_conf=CONF) as role:
        port, watch = role.port, role.watch
        role.wait_locked()
        for name, vid, what in (("carhu", usblab.CAR_VENDOR_ID, "a blocked vendor's head unit"),
                                ("nobody", 0x1209, "a device of a vendor nobody vetted")):
            g = gadget(name, vid, DOCK_SERIAL).create(bind=True, udc=usblab.UDC)
            t.check(f"(e) {what} with the vetted dock's serial stays unauthorized, no netdev",
                    lambda: stays_out(port, watch, name))
            unplug(g, port)
        other = gadget("dock2", 0x1D6B, "DOCK-0002", manufacturer="Dock")
        other.create(bind=True, udc=usblab.UDC)
        t.check("(e) another of the dock maker's devices stays unauthorized",
                lambda: stays_out(port, watch, "the other dock"))
        unplug(other, port)
        dock = gadget("dock", 0x1D6B, DOCK_SERIAL, manufacturer="Dock")
        dock.create(bind=True, udc=usblab.UDC)
        t.check("(e) the vetted dock itself gets data", lambda: gets_data(port, watch, "dock"))
        unplug(dock, port)


def block_while_asking(t, lab):
    with usblab.LaptopRole(lab, VENDORS, root="/tmp/cg-root-g", carguard_conf=CONF) as role:
        port, watch = role.port, role.watch
        role.wait_locked()
        stick = gadget("stick", 0x0781, "STICK-1", manufacturer="Stick")
        stick.create(bind=True, udc=usblab.UDC)
        question = watch.wait(labkit.asking, "a question about the stick")
        t.ok(port.wait_enumerated(usblab.TIMEOUT).authorized() is False and not port.netdevs(),
             "(g) while it is asked about, the stick is unauthorized", port.report_json())
        block(lab)
        t.check("(g) blocked while the question is pending: the block is enforced",
                lambda: watch.wait(by_block, "the block") is not None)

        t.check("(g) allow once on the old question is refused (NotAsked)",
                lambda: role.allow_once_refused(question))
        t.ok(port.authorized() is False and port.interfaces() == [] and port.netdevs() == [],
             "(g) ... and changes nothing: unauthorized, no interface, no netdev",
             port.report_json())
        unplug(stick, port)
        t.ok(lab.carguardd_runs(), "(g) carguardd still runs")


def main():
    t = labkit.Tap(16)
    with labkit.Lab() as lab:
        labkit.run_acts(t, lab, (present_at_start, copied_serial, block_while_asking))
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
