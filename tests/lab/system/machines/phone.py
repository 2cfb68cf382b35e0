#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The phone, as installed: carguard.service and bluetooth.service enabled, the USB
device role guarding the phone's gadget, which a composer unit creates and binds at
boot as postmarketOS and Mobian do. The car is dummy_hcd's host side: loading dummy_hcd
at boot (modules-load.d) is the phone booting with the car's cable in.

Boot "install": the package, the phone's policy and the boot-time units. Boot "boot": the
car plugged in and in range from early boot; then a SIGKILL of carguardd while the car
replugs. Boot "broken": a broken file in /etc/carguard at boot."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "guest"))
import systemkit as sk  # noqa: E402
import usb_watch  # noqa: E402

labkit, usblab = sk.labkit, sk.usblab
machine = sk.Machine()
# The phone's own policy: the shipped defaults, and the laptop-role guard off (the
# phone's host port is the lab's car, which must be judged by the gadget guard alone).
PHONE_CONF = sk.SHIPPED_DEFAULTS + "[USBHost]\nGuard=no\n"
BROKEN = "/etc/carguard/vendors.d/broken.conf"
BROKEN_TEXT = "[Vendor]\nName=Half-written by a fleet tool\n[Device\nPreset=trusted\n"
UNDID_BIND = "undid a bind to"  # CARGUARD_ENFORCED of the gadget guard


def car_sees_nothing(port, watch_log):
    """Nothing on the car's side, as a watch that saw dummy_hcd's root hub come tells."""
    seen = usb_watch.devices_seen(watch_log)
    got = usb_watch.data_paths(watch_log)
    rep = port.report()
    return (seen and not got and not rep["interfaces"] and not rep["netdev"],
            {"devices the watch saw come": seen, "events": got, "now": rep})


@machine.phase("install")
def install(tap):
    sk.section(tap, "apt-get install ./carguard_*.deb on the phone")
    out = sk.install_deb(sk.ENV["LAB_DEB"])
    tap.ok(out.returncode == 0 and sk.active("carguard.service"),
           "apt-get install ./carguard_*.deb: carguard.service runs", out.stdout[-1500:] + out.stderr[-800:])
    target = sk.unit("usb-gadget.target")
    tap.ok("carguard.service" in target["Requires"] and "carguard.service" in target["After"],
           "usb-gadget.target requires carguard.service and comes after it (the package's drop-in)", target)
    sk.write(sk.ASK_FILE, PHONE_CONF)
    sk.write(sk.PHONE_VENDOR_FILE, sk.PHONE_VENDOR_TEXT)
    sk.write("/etc/modules-load.d/lab-phone.conf", "# the car's cable: dummy_hcd's UDC and host side\n"
             "dummy_hcd\nlibcomposite\nusb_f_ncm\n")
    sk.install_lab_units("lab-btvirt.service", "lab-usb-watch.service", "lab-composer.service")
    for name in ("lab-btvirt.service", "lab-usb-watch.service", "lab-composer.service"):
        sk.systemctl("enable", name)
    listed = sk.sh("systemctl", "list-dependencies", "--plain", "--no-pager", "usb-gadget.target").stdout
    tap.ok("lab-composer.service" in listed, "the composer is wanted by usb-gadget.target", listed)


@machine.phase("boot")
def boot(tap):
    sk.section(tap, "booted with the car's cable in and the car in range")
    watch_log = sk.log_path("boot-usb-watch.jsonl")
    port = usblab.CarUsbPort("1-1")
    composer = sk.unit_timestamp("lab-composer.service", "ExecMainStartTimestampMonotonic")
    guard = sk.unit_timestamp("carguard.service", "ActiveEnterTimestampMonotonic")
    tap.ok(sk.active("usb-gadget.target") and composer and guard and guard < composer,
           "udev started usb-gadget.target; the composer ran only after carguardd was up",
           {"composer": composer, "carguardd ready": guard})
    gadget = usblab.PhoneGadget()
    tap.ok(gadget.exists() and gadget.udc() is None, "the composer's gadget g1 exists and is unbound now",
           {"exists": gadget.exists(), "UDC": gadget.udc()})
    undone = [e for e in sk.events(sk.MESSAGE_ID_ENFORCED, transport="usb")
              if (e.get("CARGUARD_ENFORCED") or "").startswith(UNDID_BIND)]
    tap.ok(undone, "the journal has carguardd undoing the composer's bind",
           sk.unit_log("carguard.service")[-20:])
    tap.check("at no point of the boot did the car get an interface or a network interface from the phone",
              lambda: car_sees_nothing(port, watch_log))
    tap.diag({"host-side events of the boot": [e for e in usb_watch.events(watch_log)
                                               if "dummy_hcd" in e.get("DEVPATH", "")][:20]})
    # The car in range is asked last: a car's RFCOMM session alive across the SIGKILL's
    # restart of bluetoothd has panicked the lab's kernel (laptop.py, L2CAP_ONLY).
    kill_while_replugging(tap)
    bt = sk.Bluetooth()
    try:
        bt.wait_adapters()
        bt.start_phone()
        report = bt.car(pairing="just-works", services=["hfp", "pbap", "map", "pan"])
        hfp = report["services"].get("hfp", {})
        tap.ok(report.get("paired") and hfp.get("connected"),
               "the car in range pairs and gets HFP (audio-only)", report)
        tap.ok(sk.no_data(report)[0], "the car gets no phonebook, messages or network", report["services"])
        bt.forget()
    finally:
        bt.close()
    sk.write(BROKEN, BROKEN_TEXT)


def kill_while_replugging(tap):
    sk.section(tap, "systemctl kill -s KILL carguard while the car replugs the cable")
    watch_log = sk.log_path("boot-kill-usb-watch.jsonl")
    lab = labkit.Lab()
    try:
        lab.spawn("usb-watch", ["/usr/bin/python3",
                                os.path.join(sk.SRC, "tests/lab/system/guest/usb_watch.py"), watch_log])
        sk.wait(lambda: usb_watch.events(watch_log), 20, "the USB watch")
        before = sk.unit("carguard.service")
        sk.systemctl("kill", "-s", "KILL", "carguard.service")
        sk.modprobe("-r", "dummy_hcd")
        sk.modprobe("dummy_hcd")
        labkit.wait_until(lambda: "dummy_udc.0" in usblab.udcs(), 20, "dummy_udc.0")
        t_replugged = time.monotonic()
        gadget = usblab.PhoneGadget()
        unbound_while_down = gadget.udc() is None
        sk.wait_unit("carguard.service",
                     lambda u: u["ActiveState"] == "active" and u["NRestarts"] > before["NRestarts"],
                     30, "restarted by systemd")
        back = sk.unit_timestamp("carguard.service", "ActiveEnterTimestampMonotonic") / 1e6
        tap.ok(t_replugged < back and unbound_while_down,
               "the car replugged while carguardd was down, and the gadget stayed unbound",
               {"replugged at": t_replugged, "carguardd back at": back})
        # carguardd judges the host again once it is back: still charge-only.
        decided = sk.wait(lambda: [e for e in sk.events(sk.MESSAGE_ID_DECISION, transport="usb")
                                   if e.get("_PID") == str(sk.main_pid("carguard.service"))], 30,
                          "the restarted carguardd's decision on the car")
        tap.ok(all(e.get("CARGUARD_DECISION") == "charge-only" for e in decided),
               "the restarted carguardd decides charge-only for the car",
               [{k: e.get(k) for k in ("CARGUARD_DEVICE", "CARGUARD_DECISION", "CARGUARD_RULE")}
                for e in decided])
        tap.ok(gadget.udc() is None, "after the restart the gadget is still unbound", gadget.udc())
        lab.stop("usb-watch")
        tap.check("the car got nothing while carguardd was down or after", lambda: car_sees_nothing(
            usblab.CarUsbPort("1-1"), watch_log))
    finally:
        lab.close()


@machine.phase("broken")
def broken(tap):
    sk.section(tap, "booted with a broken file in /etc/carguard")
    rejected = sk.messages(sk.events(sk.MESSAGE_ID_POLICY_REJECTED))
    errors = [m for m in rejected if m.startswith(BROKEN + ":") and ": error: " in m]
    tap.ok(rejected and errors, "the journal names the error as file:line:col: error:",
           sk.unit_log("carguard.service")[-15:])
    tap.ok(sk.active("carguard.service") and sk.active("bluetooth.service"),
           "carguard.service runs on the fail-closed policy, and Bluetooth runs with it",
           [sk.unit("carguard.service"), sk.unit("bluetooth.service")])
    gadget = usblab.PhoneGadget()
    tap.check("the car's cable is in: the gadget is unbound and the car sees nothing",
              lambda: (gadget.udc() is None and car_sees_nothing(usblab.CarUsbPort("1-1"),
                                                                 sk.log_path("broken-usb-watch.jsonl"))[0],
                       {"UDC": gadget.udc()}))
    bt = sk.Bluetooth()
    try:
        bt.wait_adapters()
        bt.start_phone()
        report = bt.car(pairing="just-works", services=["hfp", "pbap"])
        tap.ok(report.get("pair_error") and not report["bond"]["phone"]["bonded"] and sk.no_data(report)[0],
               "fail closed, as carguardd(8) says: the car cannot pair, no bond, no data", report)
        os.unlink(BROKEN)
        mark = sk.cursor()
        sk.systemctl("reload", "carguard.service")
        sk.wait(lambda: sk.events(sk.MESSAGE_ID_POLICY_LOADED, after=mark), 30, "the policy to load")
        report = bt.car(pairing="just-works", services=["hfp", "pbap"])
        hfp = report["services"].get("hfp", {})
        tap.ok(report.get("paired") and hfp.get("connected") and sk.no_data(report)[0],
               "the file fixed and carguard reloaded: the car pairs with audio only", report)
        bt.forget()
    finally:
        bt.close()


if __name__ == "__main__":
    sys.exit(machine.main())
