#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the USB host side got, from the kernel's own events: one JSON line per uevent
about a USB device, a USB interface or a network interface (with CLOCK_MONOTONIC time
and each root hub's authorized_default at that moment), until SIGTERM. Run from early
boot (lab-usb-watch.service, Type=notify: ready once its socket is open) or around a
scenario; usb_watch.data_paths() reads it back, and usb_watch.devices_seen() shows the
watch was there to see: an empty data_paths() proves nothing without it.

Usage: usb_watch.py EVENTS_PATH"""

import json
import os
import re
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402

running = True


def stop(*_):
    global running
    running = False


def root_hubs():
    out = {}
    for name in usblab._listdir(usblab.USB_DEVICES):
        if name.startswith("usb"):
            out[name] = usblab._read_text(f"{usblab.USB_DEVICES}/{name}/authorized_default")
    return out


def notify_ready():
    """sd_notify(READY=1), so the units ordered after this one start once it listens."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.connect("\0" + path[1:] if path.startswith("@") else path)
        sock.sendall(b"READY=1")


def main():
    signal.signal(signal.SIGTERM, stop)
    phase = next((a.split("=", 1)[1] for a in open("/proc/cmdline").read().split()
                  if a.startswith("carguard.lab.phase=")), "boot")
    with labkit.UeventMonitor() as mon, open(sys.argv[1].replace("{phase}", phase), "a") as out:
        out.write(json.dumps({"t": round(time.monotonic(), 3), "start": True, "hubs": root_hubs()}) + "\n")
        out.flush()
        notify_ready()
        while running:
            select.select([mon], [], [], 0.5)
            for ev in mon.drain():
                if ev.get("SUBSYSTEM") not in ("usb", "net", "udc", "gadget"):
                    continue
                keep = {k: ev.get(k) for k in ("ACTION", "DEVPATH", "SUBSYSTEM", "DEVTYPE", "DRIVER",
                                               "INTERFACE", "PRODUCT") if ev.get(k)}
                keep["t"] = round(time.monotonic(), 3)
                keep["hubs"] = root_hubs()
                out.write(json.dumps(keep) + "\n")
                out.flush()
        out.write(json.dumps({"t": round(time.monotonic(), 3), "stop": True}) + "\n")
    return 0


def events(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def devices_seen(path, platform="dummy_hcd"):
    """The USB devices (root hub or on a port) the watch saw come on PLATFORM's bus."""
    return [ev.get("DEVPATH") for ev in events(path) if platform in ev.get("DEVPATH", "")
            and ev.get("SUBSYSTEM") == "usb" and ev.get("DEVTYPE") == "usb_device"
            and ev.get("ACTION") == "add"]


def data_paths(path, platform="dummy_hcd"):
    """Events in which the host side of PLATFORM's bus got a data path: an interface
    bound to a driver, or a network interface."""
    got = []
    for ev in events(path):
        devpath = ev.get("DEVPATH", "")
        if platform not in devpath:
            continue
        if ev.get("SUBSYSTEM") == "net" and ev.get("ACTION") == "add":
            got.append(ev)
        elif (ev.get("SUBSYSTEM") == "usb" and ev.get("DEVTYPE") == "usb_interface"
              and ev.get("ACTION") == "bind" and not re.match(r"\d+-0:", os.path.basename(devpath))):
            got.append(ev)  # an interface of a device on a port (not the root hub's own)
    return got


if __name__ == "__main__":
    sys.exit(main())
