#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Another local Bluetooth agent on the phone, as a desktop runs one: blueman and
bluedevil at login, GNOME Settings while its Bluetooth panel is open, `bluetoothctl`
on `default-agent`. It registers with AgentManager1, calls RequestDefaultAgent (BlueZ
keeps default agents last in, first out: carguardd is not told) and accepts every
pairing and every service. With --trust it also sets Trusted=true on each device once
it is paired, as GNOME and blueman do. With --trust-now ADDRESS it only sets Trusted on
the phone's device ADDRESS and exits.

The scenario runs it as root or as an ordinary user. Every event (what it was asked,
what BlueZ answered) is a JSON line on stdout; {"event": "ready", ...} says whether
RegisterAgent and RequestDefaultAgent succeeded."""

import argparse
import json
import os
import signal
import sys
import time

import dbus
from gi.repository import GLib

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import labkit  # noqa: E402
import phone  # noqa: E402

AGENT_PATH = "/carguard/lab/desktop/agent"


def emit(**event):
    event["t"] = round(time.monotonic(), 3)
    event["uid"] = os.getuid()
    sys.stdout.write(json.dumps(event, default=str) + "\n")
    sys.stdout.flush()


def set_trusted(bus, path):
    try:
        labkit.set_prop(bus, path, "org.bluez.Device1", "Trusted", dbus.Boolean(True))
        return None
    except dbus.exceptions.DBusException as e:
        return e.get_dbus_name()


def trust_after_pairing(bus):
    """GNOME's and blueman's habit: a device that has just paired becomes Trusted."""
    def changed(interface, props, invalidated, path=None):
        if interface == "org.bluez.Device1" and props.get("Paired") and path.startswith(
                labkit.adapter_path(labkit.PHONE_ADAPTER) + "/"):
            emit(event="trust", device=path, error=set_trusted(bus, path))

    bus.add_signal_receiver(changed, "PropertiesChanged", "org.freedesktop.DBus.Properties",
                            labkit.BLUEZ, path_keyword="path")


def register(bus, capability):
    am = dbus.Interface(bus.get_object(labkit.BLUEZ, "/org/bluez"), "org.bluez.AgentManager1")
    result = {}
    for step, call in (("register", lambda: am.RegisterAgent(AGENT_PATH, capability)),
                       ("default", lambda: am.RequestDefaultAgent(AGENT_PATH))):
        try:
            call()
            result[step] = None
        except dbus.exceptions.DBusException as e:
            result[step] = e.get_dbus_name()
            break
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trust", action="store_true", help="set Trusted on every device once paired")
    ap.add_argument("--trust-now", metavar="ADDRESS", help="only set Trusted on ADDRESS, then exit")
    ap.add_argument("--capability", default="DisplayYesNo")
    args = ap.parse_args()
    labkit.setup_mainloop()
    bus = labkit.system_bus()
    if args.trust_now:
        path = labkit.device_path(labkit.PHONE_ADAPTER, args.trust_now)
        emit(event="trust", device=path, error=set_trusted(bus, path))
        return 0
    agent = phone.Agent(bus, AGENT_PATH, lambda **e: emit(**e))
    result = register(bus, args.capability)
    if args.trust:
        trust_after_pairing(bus)
    emit(event="ready", **result)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    loop.run()
    agent.remove_from_connection()
    return 0


if __name__ == "__main__":
    sys.exit(main())
