#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lab's phone on hci0: registers its servers with BlueZ as a phone does
(ProfileManager1 with RequireAuthorization, Media1, NetworkServer1) and answers
OBEX with a small canary phonebook and message listing. Optionally runs an
accept-everything default agent standing in for the phone's UI (not when
carguardd is the default agent).

Prints "ready" on stdout once everything is registered, then runs until SIGTERM.
Every event (agent request, connection, OBEX request) is a JSON line in --events."""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import dbus
import dbus.service
from gi.repository import GLib

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import labkit  # noqa: E402
import obex  # noqa: E402

# name: (uuid, RFCOMM channel, OBEX target or None)
PROFILES = {
    "pbap": ("0000112f-0000-1000-8000-00805f9b34fb", 19, obex.PBAP_TARGET),
    "map": ("00001132-0000-1000-8000-00805f9b34fb", 16, obex.MAP_MAS_TARGET),
    "opp": ("00001105-0000-1000-8000-00805f9b34fb", 9, None),
    "hfp": ("0000111f-0000-1000-8000-00805f9b34fb", 13, None),
    "hsp": ("00001112-0000-1000-8000-00805f9b34fb", 12, None),
}
A2DP_SOURCE_UUID = "0000110a-0000-1000-8000-00805f9b34fb"
ALL_SERVICES = list(PROFILES) + ["a2dp", "pan"]
BRIDGE = "pan0"

CANARY_CONTACTS = [
    ("Canary", "Alice", "+15550100001"),
    ("Canary", "Bob", "+15550100002"),
    ("Canary", "Carol", "+15550100003"),
]
CANARY_MESSAGES = [
    ("20260101T090000", "Canary: the door code is 4711"),
    ("20260102T100000", "Canary: meet at 10"),
]


def phonebook(name):
    if not name.endswith("pb.vcf"):
        return None
    cards = []
    for i, (family, given, tel) in enumerate(CANARY_CONTACTS):
        cards.append("BEGIN:VCARD\r\nVERSION:2.1\r\n"
                     f"N:{family};{given}\r\nFN:{given} {family}\r\nTEL;CELL:{tel}\r\n"
                     "END:VCARD\r\n")
    return "".join(cards).encode()


def message_listing(name):
    msgs = "".join(f'<msg handle="{i + 1:016x}" subject="{subject}" datetime="{when}" '
                   'type="SMS_GSM" read="no" size="32"/>'
                   for i, (when, subject) in enumerate(CANARY_MESSAGES))
    return f'<MAP-msg-listing version="1.0">{msgs}</MAP-msg-listing>'.encode()


OBEX_OBJECTS = {
    "pbap": {"x-bt/phonebook": phonebook},
    "map": {"x-bt/MAP-msg-listing": message_listing,
            "x-obex/folder-listing": lambda name: b'<folder-listing version="1.0"/>'},
    "opp": {},
}


class Events:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a") if path else None

    def __call__(self, **event):
        event["t"] = round(time.monotonic(), 3)
        with self.lock:
            if self.f:
                self.f.write(json.dumps(event, default=str) + "\n")
                self.f.flush()
            print(json.dumps(event, default=str), file=sys.stderr, flush=True)


class Rejected(dbus.DBusException):
    _dbus_error_name = "org.bluez.Error.Rejected"


class Agent(dbus.service.Object):
    """The phone's UI, accepting everything."""

    def __init__(self, bus, path, events):
        super().__init__(bus, path)
        self.events = events

    @dbus.service.method("org.bluez.Agent1", in_signature="", out_signature="")
    def Release(self):
        self.events(event="agent-release")

    @dbus.service.method("org.bluez.Agent1", in_signature="o", out_signature="s")
    def RequestPinCode(self, device):
        self.events(event="agent", method="RequestPinCode", device=device)
        return "0000"

    @dbus.service.method("org.bluez.Agent1", in_signature="o", out_signature="u")
    def RequestPasskey(self, device):
        self.events(event="agent", method="RequestPasskey", device=device)
        return dbus.UInt32(0)

    @dbus.service.method("org.bluez.Agent1", in_signature="ouq", out_signature="")
    def DisplayPasskey(self, device, passkey, entered):
        self.events(event="agent", method="DisplayPasskey", device=device, passkey=int(passkey))

    @dbus.service.method("org.bluez.Agent1", in_signature="os", out_signature="")
    def DisplayPinCode(self, device, pincode):
        self.events(event="agent", method="DisplayPinCode", device=device)

    @dbus.service.method("org.bluez.Agent1", in_signature="ou", out_signature="")
    def RequestConfirmation(self, device, passkey):
        self.events(event="agent", method="RequestConfirmation", device=device, passkey=int(passkey))

    @dbus.service.method("org.bluez.Agent1", in_signature="o", out_signature="")
    def RequestAuthorization(self, device):
        self.events(event="agent", method="RequestAuthorization", device=device)

    @dbus.service.method("org.bluez.Agent1", in_signature="os", out_signature="")
    def AuthorizeService(self, device, uuid):
        self.events(event="agent", method="AuthorizeService", device=device, uuid=str(uuid))

    @dbus.service.method("org.bluez.Agent1", in_signature="", out_signature="")
    def Cancel(self):
        self.events(event="agent", method="Cancel")


class Profile(dbus.service.Object):
    def __init__(self, bus, path, name, events):
        super().__init__(bus, path)
        self.name = name
        self.events = events
        self.held = []

    @dbus.service.method("org.bluez.Profile1", in_signature="", out_signature="")
    def Release(self):
        pass

    @dbus.service.method("org.bluez.Profile1", in_signature="oha{sv}", out_signature="")
    def NewConnection(self, device, fd, properties):
        sock = socket.socket(fileno=fd.take())
        # bluetoothd hands the fd over non-blocking; the servers below block in threads.
        sock.setblocking(True)
        self.events(event="connection", profile=self.name, device=str(device))
        if self.name in OBEX_OBJECTS:
            threading.Thread(target=self._serve_obex, args=(sock,), daemon=True).start()
        else:
            threading.Thread(target=self._serve_at, args=(sock,), daemon=True).start()

    @dbus.service.method("org.bluez.Profile1", in_signature="o", out_signature="")
    def RequestDisconnection(self, device):
        self.events(event="disconnection-request", profile=self.name, device=str(device))

    def _serve_obex(self, sock):
        _, _, target = PROFILES[self.name]
        with sock:
            obex.serve(sock, target, OBEX_OBJECTS[self.name],
                       lambda e: self.events(profile=self.name, **e))

    def _serve_at(self, sock):
        # A hands-free audio gateway answers the car's AT commands with OK.
        with sock:
            while True:
                try:
                    data = sock.recv(1024)
                except OSError:
                    return
                if not data:
                    return
                self.events(event="at", profile=self.name, data=data.decode(errors="replace").strip())
                try:
                    sock.sendall(b"\r\nOK\r\n")
                except OSError:
                    return


class Endpoint(dbus.service.Object):
    """An A2DP source endpoint (SBC), as a phone's media stack registers one."""

    def __init__(self, bus, path, events):
        super().__init__(bus, path)
        self.events = events

    @dbus.service.method("org.bluez.MediaEndpoint1", in_signature="oa{sv}", out_signature="")
    def SetConfiguration(self, transport, properties):
        self.events(event="a2dp-configured", transport=str(transport))

    @dbus.service.method("org.bluez.MediaEndpoint1", in_signature="ay", out_signature="ay")
    def SelectConfiguration(self, capabilities):
        return dbus.Array([0x21, 0x15, 2, 32], signature="y")

    @dbus.service.method("org.bluez.MediaEndpoint1", in_signature="o", out_signature="")
    def ClearConfiguration(self, transport):
        self.events(event="a2dp-cleared", transport=str(transport))

    @dbus.service.method("org.bluez.MediaEndpoint1", in_signature="", out_signature="")
    def Release(self):
        pass


def register(bus, services, agent, events):
    objects = []
    mgr = dbus.Interface(bus.get_object(labkit.BLUEZ, "/org/bluez"), "org.bluez.ProfileManager1")
    for name in services:
        if name not in PROFILES:
            continue
        uuid, channel, _ = PROFILES[name]
        path = f"/carguard/lab/phone/{name}"
        objects.append(Profile(bus, path, name, events))
        mgr.RegisterProfile(path, uuid, {
            "Name": dbus.String(f"lab phone {name}"),
            "Role": dbus.String("server"),
            "Channel": dbus.UInt16(channel),
            "RequireAuthentication": dbus.Boolean(True),
            "RequireAuthorization": dbus.Boolean(True),
            "AutoConnect": dbus.Boolean(False),
        })
    adapter = bus.get_object(labkit.BLUEZ, labkit.adapter_path(labkit.PHONE_ADAPTER))
    if "a2dp" in services:
        objects.append(Endpoint(bus, "/carguard/lab/phone/a2dp", events))
        dbus.Interface(adapter, "org.bluez.Media1").RegisterEndpoint("/carguard/lab/phone/a2dp", {
            "UUID": dbus.String(A2DP_SOURCE_UUID),
            "Codec": dbus.Byte(0),
            "Capabilities": dbus.Array([0xFF, 0xFF, 2, 64], signature="y"),
        })
    if "pan" in services:
        subprocess.run(["ip", "link", "add", BRIDGE, "type", "bridge"], check=False,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)
        dbus.Interface(adapter, "org.bluez.NetworkServer1").Register("nap", BRIDGE)
    if agent:
        objects.append(Agent(bus, "/carguard/lab/phone/agent", events))
        am = dbus.Interface(bus.get_object(labkit.BLUEZ, "/org/bluez"), "org.bluez.AgentManager1")
        am.RegisterAgent("/carguard/lab/phone/agent", "DisplayYesNo")
        am.RequestDefaultAgent("/carguard/lab/phone/agent")
    return objects


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", default=None)
    ap.add_argument("--no-agent", action="store_true")
    ap.add_argument("--services", default=",".join(ALL_SERVICES))
    ap.add_argument("--name", default="Lab Phone")
    args = ap.parse_args()
    labkit.setup_mainloop()
    bus = labkit.system_bus()
    events = Events(args.events)
    path = labkit.adapter_path(labkit.PHONE_ADAPTER)
    labkit.set_prop(bus, path, "org.bluez.Adapter1", "Alias", dbus.String(args.name))
    labkit.set_prop(bus, path, "org.bluez.Adapter1", "Pairable", dbus.Boolean(True))
    labkit.set_prop(bus, path, "org.bluez.Adapter1", "Discoverable", dbus.Boolean(True))
    objects = register(bus, args.services.split(","), not args.no_agent, events)
    # Major class phone (2), minor smartphone (3 << 2).
    subprocess.run(["btmgmt", "--index", "0", "class", "2", "12"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=20)
    events(event="ready", services=args.services.split(","), agent=not args.no_agent)
    print("ready", flush=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    for obj in objects:
        obj.remove_from_connection()


if __name__ == "__main__":
    main()
