#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Laptop role: how fast a USB device allowed by policy gets authorized, carguardd
against Debian's usbguard-daemon with an equivalent allow rule, in one lab run.

Runs inside the lab (it needs dummy_hcd and configfs):

    tests/lab/lab run --build BUILD_DIR bench/usb-host-latency.py

A trusted gadget (VID:PID 1d6b:0104, one NCM function) is plugged 100 times per
daemon (bind = plug, unbind = unplug), in blocks of 20 that alternate between the
daemons, so a change of load on the machine (the lab VM is CPU-bound under TCG) falls
on both. The latency of one plug is measured on the kernel's uevents, both received
by this process: from the "add" of the device (1-1; the kernel enumerated it
unauthorized) to the "add" of its first interface (1-1:1.0),
which the kernel emits while carrying out the write of authorized=1. Both daemons pay
the same kernel work after the write, and this process's wake-up delay falls on both
ends of every sample. The write itself waits for the device lock, which the hub
thread holds until it is done enumerating: a kernel floor common to both daemons that
narrows the ratio (carguardd's fastest plugs take under 1 ms, its median 17-28 ms).

carguardd: vendor file USB=1d6b Preset=trusted, [Default] charge-only, and
[USBGadget] Gadget=phone UDC=none: a laptop has no UDC, but the lab's gadget side
lives in the same kernel, and carguardd's phone-role guard would otherwise re-read its
configuration on each of the UDC's state changes during every plug.
usbguard: `allow id 1d6b:0104`, ImplicitPolicyTarget=block, uevent backend,
AuthorizedDefault=none, no IPC clients.

Prints TAP (the lab's protocol) with the figures as diagnostics, and writes
/run/lab/usb-host-latency.json. The target is carguardd at least 2x faster (median)."""

import json
import os
import select
import statistics
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "lab", "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

PLUGS = 100
BLOCK = 20
DEVICE = "1-1"
INTERFACE = "1-1:1.0"


class Uevents(labkit.UeventMonitor):
    def wait_add(self, name, timeout=usblab.TIMEOUT):
        """Monotonic time at which the "add" of sysfs name `name` was received."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise labkit.Timeout(f"no add uevent for {name}")
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                continue
            msg = self.sock.recv(65536)
            now = time.monotonic()
            head = msg.split(b"\0", 1)[0].decode(errors="replace")
            if head.startswith("add@") and head.endswith("/" + name):
                return now


def measure(gadget, port):
    samples = []
    for _ in range(BLOCK):
        with Uevents() as events:
            gadget.bind(usblab.UDC)
            plugged = events.wait_add(DEVICE)
            authorized = events.wait_add(INTERFACE)
        samples.append((authorized - plugged) * 1000.0)
        gadget.unbind()
        port.wait_gone(usblab.TIMEOUT)
    return samples


def summary(samples):
    ordered = sorted(samples)
    return {"n": len(samples), "median_ms": statistics.median(ordered),
            "mean_ms": statistics.fmean(ordered),
            "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
            "min_ms": ordered[0], "max_ms": ordered[-1]}


def unlock_bus():
    usblab.set_authorized_default(1, 1)


def run_carguard(lab, root, gadget, port):
    unlock_bus()
    lab.start_carguardd(root, ["--debug"], wait_name=cgnames.CG_DBUS_NAME)
    try:
        labkit.wait_until(lambda: usblab.authorized_default(1) == 0, usblab.TIMEOUT,
                          "carguardd to lock usb1")
        return measure(gadget, port)
    finally:
        lab.stop_carguardd()


def run_usbguard(lab, gadget, port):
    conf_dir = "/tmp/usbguard-bench"
    os.makedirs(conf_dir, exist_ok=True)
    rules = os.path.join(conf_dir, "rules.conf")
    conf = os.path.join(conf_dir, "usbguard-daemon.conf")
    with open(rules, "w") as f:
        f.write("allow id 1d6b:0104\n")
    with open(conf, "w") as f:
        f.write(f"RuleFile={rules}\nImplicitPolicyTarget=block\nPresentDevicePolicy=apply-policy\n"
                "PresentControllerPolicy=keep\nInsertedDevicePolicy=apply-policy\n"
                "AuthorizedDefault=none\nRestoreControllerDeviceState=false\n"
                "DeviceManagerBackend=uevent\nIPCAllowedUsers=root\nAuditBackend=FileAudit\n"
                f"AuditFilePath={conf_dir}/audit.log\nHidePII=false\n")
    os.chmod(rules, 0o600)
    os.chmod(conf, 0o600)
    unlock_bus()
    lab.spawn("usbguard-daemon", ["/usr/sbin/usbguard-daemon", "-k", "-c", conf])
    try:
        labkit.wait_until(lambda: usblab.authorized_default(1) == 0, usblab.TIMEOUT,
                          "usbguard to lock usb1")
        return measure(gadget, port)
    finally:
        lab.stop("usbguard-daemon")


def main():
    t = labkit.Tap(2)
    with labkit.Lab() as lab:
        lab.start_system_bus()
        root = lab.write_policy("/tmp/cg-root-bench", labkit.policy_files(
            "[Default]\nPreset=charge-only\n[USBGadget]\nGadget=phone\nUDC=none\n",
            {"dock": "[Vendor]\nName=Dock\n[Match]\nUSB=1d6b\n[Policy]\nPreset=trusted\n"}))
        usblab.ensure_configfs()
        usblab.cleanup_all_gadgets()
        usblab.Cable(lab.env["LAB_KROOT"]).attach()
        gadget = usblab.CarHeadUnitGadget(name="dock", vendor_id=0x1D6B, product_id=0x0104,
                                          manufacturer="Dock", product="Trusted dock",
                                          functions=("ncm",)).create(bind=False)
        port = usblab.CarUsbPort(DEVICE)
        carguard, usbguard = [], []
        try:
            for _ in range(PLUGS // BLOCK):
                carguard += run_carguard(lab, root, gadget, port)
                usbguard += run_usbguard(lab, gadget, port)
            carguard, usbguard = summary(carguard), summary(usbguard)
        finally:
            usblab.cleanup_all_gadgets()
    ratio = usbguard["median_ms"] / carguard["median_ms"]
    result = {"plugs": PLUGS, "carguard": carguard, "usbguard": usbguard,
              "ratio_median": ratio, "target": 2.0}
    with open("/run/lab/usb-host-latency.json", "w") as f:
        json.dump(result, f, indent=2)
    t.diag(json.dumps(result, indent=2))
    t.ok(carguard["n"] == PLUGS and usbguard["n"] == PLUGS, f"{PLUGS} plugs each measured")
    t.ok(True, f"median uevent->authorized: carguard {carguard['median_ms']:.2f} ms, "
               f"usbguard {usbguard['median_ms']:.2f} ms, ratio {ratio:.2f} "
               f"({'meets' if ratio >= 2.0 else 'misses'} the 2x target)")
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
