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

The phone-role guard is pointed at a gadget that does not exist ([USBGadget]
Gadget=phone), so the gadgets here are only devices plugged into the laptop."""

import importlib.machinery
import os
import shutil

lib = importlib.machinery.SourceFileLoader(
    "usb_guard_lib", os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                  "usb-guard-lib.py")).load_module()
usblab = lib.usblab

HOST_ID = "usb/1-1"
MAIN_CONF = "[Default]\nPreset=charge-only\n[USBGadget]\nGadget=phone\n"
VENDORS = {
    "alpine": "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=charge-only\n",
    "dock": "[Vendor]\nName=Dock\n[Match]\nUSB=1d6b\n[Policy]\nPreset=trusted\n",
    "stick": "[Vendor]\nName=Stick\n[Match]\nUSB=0781\n"
             "[Policy]\nUSBMode=data\nUSBInterfaces=mass-storage\n",
}


def plug(gadget, watch, decision):
    """Bind the gadget (the cable goes in) and wait for carguardd's enforced decision."""
    gadget.create(bind=True, udc=lib.UDC)
    return watch.wait(lib.enforced(decision), f"{gadget.name}: {decision}")


def wait_authorized(port):
    port.wait_authorized(lib.TIMEOUT)
    return True


def unplug(gadget, port):
    gadget.destroy()
    port.wait_gone(lib.TIMEOUT)


def main():
    t = lib.Tap(12)
    root = "/tmp/cg-root"
    lib.write_policy(root, MAIN_CONF, VENDORS)
    bus = lib.start_system_bus()
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    port = usblab.CarUsbPort("1-1")
    daemon = lib.Carguardd(bus, root, "/run/lab/carguardd-host.log").start()
    watch = lib.DecisionWatch(bus, HOST_ID)
    try:
        t.check("usb1 authorized_default=0 once carguardd runs",
                lambda: usblab.wait_until(lambda: usblab.authorized_default(1) == 0,
                                          lib.TIMEOUT, "authorized_default=0"))

        car = usblab.CarHeadUnitGadget()
        rec = plug(car, watch, "charge-only")
        port.wait_enumerated(lib.TIMEOUT)
        t.ok(str(rec.get("Vendor")) == "alpine", "head unit decided by the alpine vendor file",
             rec)
        t.ok(port.authorized() is False and port.interfaces() == [] and port.netdevs() == [],
             "head unit: authorized=0, no interface, no driver, no netdev", port.report_json())
        descriptors = f"{usblab.USB_DEVICES}/1-1/descriptors"
        if os.path.exists(descriptors):
            shutil.copyfile(descriptors, "/run/lab/usb-head-unit-descriptors.bin")
        unplug(car, port)

        dock = usblab.CarHeadUnitGadget(name="dock", vendor_id=0x1D6B, product_id=0x0104,
                                        manufacturer="Dock", product="Trusted dock",
                                        functions=("ncm",))
        plug(dock, watch, "data")
        t.check("trusted VID: authorized with its interfaces",
                lambda: (wait_authorized(port) and port.authorized(),
                         port.report_json()))
        t.check("trusted VID: host-side netdev",
                lambda: (port.wait_netdev(lib.TIMEOUT) is not None, port.report_json()))
        unplug(dock, port)

        stick = usblab.CarHeadUnitGadget(name="stick", vendor_id=0x0781, product_id=0x5567,
                                         manufacturer="Stick", product="Allowlisted",
                                         functions=("ncm", "mass_storage"))
        plug(stick, watch, "data")
        t.check("allowlist: mass storage bound to usb-storage",
                lambda: port.wait_interface({"class": "08", "driver": "usb-storage"},
                                            lib.TIMEOUT) is not None)
        others = [i for i in port.interfaces() if i["class"] != "08"]
        t.ok(others and all(i["driver"] is None and i["authorized"] is False for i in others),
             "allowlist: the NCM interfaces stay unauthorized with no driver",
             port.report_json())
        t.ok(port.netdevs() == [], "allowlist: no host-side netdev", port.report_json())
        unplug(stick, port)

        # A reload that trusts the head unit's vendor authorizes it while it stays plugged.
        car = usblab.CarHeadUnitGadget()
        plug(car, watch, "charge-only")
        lib.write_policy(root, MAIN_CONF, dict(VENDORS, alpine=VENDORS["dock"].replace(
            "Dock", "Alpine").replace("1d6b", "1c98")))
        daemon.proc.send_signal(1)  # SIGHUP: reload now, not after the file monitor's debounce
        watch.wait(lib.enforced("data"), "head unit after the reload: data")
        t.check("reload: a newly trusted device gets authorized",
                lambda: (usblab.wait_until(port.authorized, lib.TIMEOUT, "authorized"),
                         port.report_json()))
        t.check("reload: the newly trusted head unit's netdev appears",
                lambda: (port.wait_netdev(lib.TIMEOUT) is not None, port.report_json()))
        lib.write_policy(root, MAIN_CONF, VENDORS)
        daemon.proc.send_signal(1)
        watch.wait(lib.enforced("charge-only"), "head unit after the second reload")
        t.check("reload: a newly forbidden device is deauthorized",
                lambda: (usblab.wait_until(lambda: port.authorized() is False and not
                                           port.netdevs(), lib.TIMEOUT, "deauthorized"),
                         port.report_json()))
        unplug(car, port)
        t.ok(daemon.alive(), "carguardd still runs")
    finally:
        watch.close()
        daemon.stop()
        usblab.cleanup_all_gadgets()
    return 1 if t.failed else 0


if __name__ == "__main__":
    lib.run(main)
