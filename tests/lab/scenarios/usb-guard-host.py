#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host role (a laptop): carguardd judges each USB device the laptop's side sees
(usb1 port 1, devpath 1-1) while it is unauthorized, and the kernel's authorization
does the rest. Asserted on the host side: authorized, interface drivers, netdevs.

  - a car head unit (Alpine VID 1c98, vendor file Preset=charge-only) stays
    unauthorized: no interface, no driver, no netdev;
  - a trusted VID (vendor file Preset=trusted) is authorized and gets its netdev;
  - an interface allowlist (USBMode=data, USBInterfaces=mass-storage) binds only
    usb-storage: the NCM interfaces stay unauthorized and driverless, no netdev.

The phone-role guard is off ([USBGadget] Guard=no), so the gadgets here are only
devices plugged into the laptop."""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

VENDORS = {
    "alpine": "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=charge-only\n",
    "dock": "[Vendor]\nName=Dock\n[Match]\nUSB=1d6b\n[Policy]\nPreset=trusted\n",
    "stick": "[Vendor]\nName=Stick\n[Match]\nUSB=0781\n"
             "[Policy]\nUSBMode=data\nUSBInterfaces=mass-storage\n",
}


def plug(gadget, watch, decision):
    """Bind the gadget (the cable goes in) and wait for carguardd's enforced decision."""
    gadget.create(bind=True, udc=usblab.UDC)
    return watch.wait(labkit.enforced(decision), f"{gadget.name}: {decision}")


def wait_authorized(port):
    port.wait_authorized(usblab.TIMEOUT)
    return True


def unplug(gadget, port):
    gadget.destroy()
    port.wait_gone(usblab.TIMEOUT)


def live_status(lab):
    """`carguard status --json` of the running carguardd: (its guards by name, the whole)."""
    out = lab.carguard("status", "--json")
    status = json.loads(out.stdout) if out.returncode == 0 else {}
    guards = {g.get(cgnames.CG_DBUS_GUARD_NAME): g for g in status.get(cgnames.CG_DBUS_STATUS_GUARDS, [])}
    return guards, status or out.stderr


def live_report_vendors(lab, mode):
    """The vendors `carguard policy report --live --json` says may get USB MODE."""
    out = lab.carguard("policy", "report", "--live", "--json")
    report = json.loads(out.stdout) if out.returncode == 0 else {}
    return {h.get("vendor") for h in report.get("usb", {}).get(mode, [])}, report or out.stderr


def check_live_view(t, lab):
    """What the admin sees of the running daemon: the guards it runs and the policy in force."""
    guards, status = live_status(lab)
    host = guards.get("usb-host", {})
    t.ok(host.get(cgnames.CG_DBUS_GUARD_RUNNING) is True
         and status.get(cgnames.CG_DBUS_STATUS_POLICY_FALLBACK) is False
         and status.get(cgnames.CG_DBUS_STATUS_POLICY_VENDORS) == len(VENDORS),
         "carguard status: the host guard runs, the policy in force is the lab's, no fallback",
         status)
    data, report = live_report_vendors(lab, "data")
    t.ok(data == {"dock", "stick"}, "carguard policy report --live: only dock and stick may get "
         "USB data", report)


def main():
    t = labkit.Tap(14)
    with labkit.Lab() as lab, usblab.LaptopRole(lab, VENDORS) as role:
        port, watch = role.port, role.watch
        t.check("usb1 authorized_default=0 once carguardd runs", role.wait_locked)
        check_live_view(t, lab)

        car = usblab.CarHeadUnitGadget()
        rec = plug(car, watch, "charge-only")
        port.wait_enumerated(usblab.TIMEOUT)
        t.ok(str(rec.get(cgnames.CG_DBUS_RECORD_VENDOR)) == "alpine",
             "head unit decided by the alpine vendor file", rec)
        t.ok(port.authorized() is False and port.interfaces() == [] and port.netdevs() == [],
             "head unit: authorized=0, no interface, no driver, no netdev", port.report_json())
        descriptors = f"{port.path}/descriptors"
        if os.path.exists(descriptors):
            shutil.copyfile(descriptors, lab.log_path("usb-head-unit-descriptors.bin"))
        unplug(car, port)

        dock = usblab.CarHeadUnitGadget(name="dock", vendor_id=0x1D6B, product_id=0x0104,
                                        manufacturer="Dock", product="Trusted dock",
                                        functions=("ncm",))
        plug(dock, watch, "data")
        t.check("trusted VID: authorized with its interfaces",
                lambda: (wait_authorized(port) and port.authorized(),
                         port.report_json()))
        t.check("trusted VID: host-side netdev",
                lambda: (port.wait_netdev(usblab.TIMEOUT) is not None, port.report_json()))
        unplug(dock, port)

        stick = usblab.CarHeadUnitGadget(name="stick", vendor_id=0x0781, product_id=0x5567,
                                         manufacturer="Stick", product="Allowlisted",
                                         functions=("ncm", "mass_storage"))
        plug(stick, watch, "data")
        t.check("allowlist: mass storage bound to usb-storage",
                lambda: port.wait_interface({"class": "08", "driver": "usb-storage"},
                                            usblab.TIMEOUT) is not None)
        others = [i for i in port.interfaces() if i["class"] != "08"]
        t.ok(others and all(i["driver"] is None and i["authorized"] is False for i in others),
             "allowlist: the NCM interfaces stay unauthorized with no driver",
             port.report_json())
        t.ok(port.netdevs() == [], "allowlist: no host-side netdev", port.report_json())
        unplug(stick, port)

        # A reload that trusts the head unit's vendor authorizes it while it stays plugged.
        car = usblab.CarHeadUnitGadget()
        plug(car, watch, "charge-only")
        role.reload(dict(VENDORS, alpine=VENDORS["dock"].replace("Dock", "Alpine")
                         .replace("1d6b", "1c98")))
        watch.wait(labkit.enforced("data"), "head unit after the reload: data")
        t.check("reload: a newly trusted device gets authorized",
                lambda: (labkit.wait_until(port.authorized, usblab.TIMEOUT, "authorized"),
                         port.report_json()))
        t.check("reload: the newly trusted head unit's netdev appears",
                lambda: (port.wait_netdev(usblab.TIMEOUT) is not None, port.report_json()))
        role.reload(VENDORS)
        watch.wait(labkit.enforced("charge-only"), "head unit after the second reload")
        t.check("reload: a newly forbidden device is deauthorized",
                lambda: (labkit.wait_until(lambda: port.authorized() is False and not
                                           port.netdevs(), usblab.TIMEOUT, "deauthorized"),
                         port.report_json()))
        unplug(car, port)
        t.ok(lab.carguardd_runs(), "carguardd still runs")
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
