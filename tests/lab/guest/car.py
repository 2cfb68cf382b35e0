#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lab's car head unit on hci1. It pairs with the phone from its own agent, then
does what a real head unit does: connects HFP, HSP, A2DP, AVRCP, PBAP, MAP, OPP and
PAN with real sockets bound to its own address, and for OBEX goes on to CONNECT and
GET (or PUT), so "the car got the contacts" is a number of vCards it received.

Prints one JSON report on stdout:
  {"paired": true, "pair_error": null,
   "bond": {"car": {"paired": ..., "bonded": ...}, "phone": {...}},
   "services": {"pbap": {"connected": true, "errno": null, "obex": "ok", "vcards": 3}, ...}}
A refused connection has "connected": false and the errno name ("ECONNREFUSED").

With --serve the car stays up and lies on request: it reads one JSON command a line on
stdin ({"op": "identity", "cls": "5,64"}) and answers each with one JSON line on stdout
(labkit.Lab.start_car() drives it). Between two connections it can change its class and
name, publish a keyboard's HID SDP record and connect HID as a keyboard (hid.py), forget
its link key and pair again under the same address (an address spoofer without the key),
drop the link, and become an LE keyboard (le.py). What it cannot change per connection
in the lab: the Device ID that bluetoothd's DeviceID= publishes (one bluetoothd serves
both adapters; the car adds its own PnP record instead, which the phone reads when it
browses the car's SDP records, that is at pairing) and its address."""

import argparse
import errno
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

import dbus
import dbus.service
from gi.repository import GLib

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import hid  # noqa: E402
import labkit  # noqa: E402
import le  # noqa: E402
import obex  # noqa: E402

CAR = labkit.CAR_ADDRESS
PHONE = labkit.PHONE_ADDRESS

# name: (SDP service class, RFCOMM channel the lab phone registers)
RFCOMM_SERVICES = {
    "hfp": (0x111F, 13),
    "hsp": (0x1112, 12),
    "pbap": (0x112F, 19),
    "map": (0x1132, 16),
    "opp": (0x1105, 9),
}
L2CAP_SERVICES = {"a2dp": 25, "avrcp": 23, "pan": 15}
ALL_SERVICES = ["hfp", "hsp", "a2dp", "avrcp", "pbap", "map", "opp", "pan"]
CONNECT_TIMEOUT = 20
SOL_BLUETOOTH = 274  # <bluetooth/bluetooth.h>
BT_SECURITY = 4
BT_SECURITY_MEDIUM = 2
KEYBOARD_TIMEOUT = 10  # a keyboard that gets no answer tries again rather than wait
# A head unit keeps calls and media up while it browses the phone. Not AVRCP: a second
# after AVRCP control connects, the phone's bluetoothd connects AVRCP browsing back to
# the car, the car's bluetoothd (which never saw the car's raw control channel) refuses
# it and keeps a reference to the phone's device, which then cannot be removed until
# bluetoothd exits (BlueZ 5.66).
KEPT_OPEN = ("hfp", "hsp", "a2dp")
AGENT_PATH = "/carguard/lab/car/agent"
HID_RECORD_PATH = "/carguard/lab/car/hid"
DEVICE_ID_PATH = "/carguard/lab/car/device_id"


class Agent(dbus.service.Object):
    """The head unit's pairing agent: confirms whatever number it is shown."""

    def __init__(self, bus, path):
        super().__init__(bus, path)
        self.calls = []

    @dbus.service.method("org.bluez.Agent1", in_signature="", out_signature="")
    def Release(self):
        pass

    @dbus.service.method("org.bluez.Agent1", in_signature="ou", out_signature="")
    def RequestConfirmation(self, device, passkey):
        self.calls.append(["RequestConfirmation", int(passkey)])

    @dbus.service.method("org.bluez.Agent1", in_signature="o", out_signature="")
    def RequestAuthorization(self, device):
        self.calls.append(["RequestAuthorization"])

    @dbus.service.method("org.bluez.Agent1", in_signature="os", out_signature="")
    def AuthorizeService(self, device, uuid):
        self.calls.append(["AuthorizeService", str(uuid)])

    @dbus.service.method("org.bluez.Agent1", in_signature="o", out_signature="s")
    def RequestPinCode(self, device):
        self.calls.append(["RequestPinCode"])
        return "0000"

    @dbus.service.method("org.bluez.Agent1", in_signature="ouq", out_signature="")
    def DisplayPasskey(self, device, passkey, entered):
        self.calls.append(["DisplayPasskey", int(passkey)])

    @dbus.service.method("org.bluez.Agent1", in_signature="", out_signature="")
    def Cancel(self):
        self.calls.append(["Cancel"])


class HidRecord(dbus.service.Object):
    """The object behind the car's HID SDP record (ProfileManager1 wants a Profile1)."""

    @dbus.service.method("org.bluez.Profile1", in_signature="", out_signature="")
    def Release(self):
        pass


class Car:
    def __init__(self, bus):
        self.bus = bus
        self.adapter = labkit.adapter_path(labkit.CAR_ADAPTER)
        self.phone_path = labkit.device_path(labkit.CAR_ADAPTER, PHONE)
        self.agent = None
        self.kept = []
        self.hid_record = None
        self.device_id = None
        self.keyboard = None
        self.peripheral = None

    # -- identity

    def set_identity(self, name=None, cls=None):
        """The class (btmgmt class MAJOR,MINOR_BYTE) and name the car shows from its next
        connection on; name "" is no name at all."""
        if name == "":
            subprocess.run(["btmgmt", "--index", labkit.CAR_ADAPTER[3:], "name", ""], check=True,
                           stdout=subprocess.DEVNULL, timeout=20)
        elif name:
            labkit.set_prop(self.bus, self.adapter, "org.bluez.Adapter1", "Alias", dbus.String(name))
        if cls:
            major, minor = cls.split(",")
            subprocess.run(["btmgmt", "--index", labkit.CAR_ADAPTER[3:], "class", major, minor],
                           check=True, stdout=subprocess.DEVNULL, timeout=20)
        return labkit.props(self.bus, self.adapter, "org.bluez.Adapter1")

    # -- pairing

    def find_phone(self, timeout=30):
        if labkit.props(self.bus, self.phone_path, "org.bluez.Device1") is not None:
            return True
        adapter = dbus.Interface(self.bus.get_object(labkit.BLUEZ, self.adapter), "org.bluez.Adapter1")
        adapter.SetDiscoveryFilter({"Transport": dbus.String("bredr")})
        adapter.StartDiscovery()
        try:
            labkit.wait_until(lambda: labkit.props(self.bus, self.phone_path, "org.bluez.Device1"),
                              timeout, "the phone in the car's inquiry")
        finally:
            try:
                adapter.StopDiscovery()
            except dbus.exceptions.DBusException:
                pass
        return True

    def register_agent(self, capability):
        """The car's own agent, which its Pair() uses, registered afresh for each pairing:
        a car picks Just Works or numeric comparison, and bluetoothd may have restarted."""
        am = dbus.Interface(self.bus.get_object(labkit.BLUEZ, "/org/bluez"), "org.bluez.AgentManager1")
        if self.agent is None:
            self.agent = Agent(self.bus, AGENT_PATH)
        try:
            am.UnregisterAgent(AGENT_PATH)
        except dbus.exceptions.DBusException:
            pass  # not registered yet, or bluetoothd restarted since
        am.RegisterAgent(AGENT_PATH, capability)

    def pair(self, mode, timeout=60):
        """Device1.Pair from the car's own agent. Returns None or the error name."""
        self.register_agent({"just-works": "NoInputNoOutput", "numeric": "DisplayYesNo"}[mode])
        try:
            self.find_phone()
        except labkit.LabFailure as e:
            return f"not-found: {e}"
        device = dbus.Interface(self.bus.get_object(labkit.BLUEZ, self.phone_path), "org.bluez.Device1")
        try:
            labkit.call(device.Pair, timeout=timeout)
        except dbus.exceptions.DBusException as e:
            return e.get_dbus_name() or str(e)
        return None

    # -- SDP

    def sdp_channels(self):
        """{service class: RFCOMM channel} from the phone's SDP records, or None."""
        try:
            out = subprocess.run(["sdptool", "-i", labkit.CAR_ADAPTER, "browse", PHONE],
                                 capture_output=True, text=True, timeout=30).stdout
        except subprocess.TimeoutExpired:
            return None
        channels = {}
        for record in re.split(r"\n(?=Service Name:|Service RecHandle:)", out):
            m = re.search(r"Channel: (\d+)", record)
            if not m:
                continue
            classes = re.search(r"Service Class ID List:\n((?:\s+.*\n)+?)(?=\S)", record + "\nX")
            for cls in re.findall(r"\(0x([0-9a-fA-F]{4})\)", classes.group(1) if classes else ""):
                channels.setdefault(int(cls, 16), int(m.group(1)))
        return channels

    # -- services

    def rfcomm(self, channel, retry=True):
        s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
        s.settimeout(CONNECT_TIMEOUT)
        s.bind((CAR, 0))
        try:
            s.connect((PHONE, channel))
        except OSError as e:
            s.close()
            # A connect that races the teardown of the RFCOMM session whose last
            # channel just closed is reset; a head unit tries again on a new session.
            if retry and e.errno == errno.ECONNRESET:
                return self.rfcomm(channel, retry=False)
            raise
        return s

    def hold_link(self):
        """An idle L2CAP channel to the phone's SDP server, held while the car pairs and
        both sides browse each other: without one the car's kernel drops a dedicated
        bonding link right after the bond, and a link that drops while bluetoothd opens
        its SDP channel on it can crash the lab's 6.1 kernel (list corruption in
        hci_chan_del from l2cap_sock_release). A head unit that pairs keeps its link."""
        try:
            return self.l2cap(1)
        except OSError:
            return None

    def secure_link(self):
        """The same idle SDP channel at medium security, for a bonded car that comes back:
        the link is authenticated and encrypted before its first service asks for it. A
        service that brings the encryption up itself races the lab's 6.1 kernel: the phone
        can read its Connection Request before its own read of the new key's size has
        completed, and refuses it (L2CAP "security block"), which no policy decided."""
        try:
            return self.l2cap(1, security=BT_SECURITY_MEDIUM)
        except OSError:
            return None

    def l2cap(self, psm, security=None):
        s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_SEQPACKET, socket.BTPROTO_L2CAP)
        s.settimeout(CONNECT_TIMEOUT)
        s.bind((CAR, 0))
        try:
            if security is not None:
                s.setsockopt(SOL_BLUETOOTH, BT_SECURITY, struct.pack("BB", security, 0))
            s.connect((PHONE, psm))
        except BaseException:
            s.close()
            raise
        return s

    def use(self, name, sock):
        """What the head unit does once connected; returns extra report fields."""
        if name in ("hfp", "hsp"):
            sock.sendall(b"AT+BRSF=0\r" if name == "hfp" else b"AT+CKPD=200\r")
            return {"at": "ok" if b"OK" in sock.recv(256) else "no-reply"}
        if name == "a2dp":
            sock.send(bytes([0x10, 0x01]))  # AVDTP DISCOVER, transaction 1
            reply = sock.recv(256)
            if len(reply) < 2 or reply[0] & 0x03 != 0x02:
                return {"avdtp": "rejected"}
            seps = [reply[i:i + 2] for i in range(2, len(reply) - 1, 2)]
            return {"avdtp": "ok", "sources": sum(1 for s in seps if not s[1] & 0x08)}
        if name == "pan":
            # BNEP setup connection request: PANU (0x1115) to NAP (0x1116).
            sock.send(bytes([0x01, 0x01, 0x02, 0x11, 0x16, 0x11, 0x15]))
            reply = sock.recv(64)
            ok = len(reply) >= 4 and reply[:2] == b"\x01\x02"
            code = struct.unpack(">H", reply[2:4])[0] if ok else None
            return {"bnep": "ok" if code == 0 else f"refused-{code}" if ok else "bad-reply"}
        if name in ("pbap", "map", "opp"):
            client = obex.Client(sock)
            target = {"pbap": obex.PBAP_TARGET, "map": obex.MAP_MAS_TARGET}.get(name)
            try:
                client.connect(target)
                if name == "pbap":
                    data = client.get("telecom/pb.vcf", "x-bt/phonebook")
                    extra = {"vcards": data.count(b"BEGIN:VCARD")}
                elif name == "map":
                    data = client.get("", "x-bt/MAP-msg-listing")
                    extra = {"messages": data.count(b"<msg ")}
                else:
                    client.put("car.vcf", "text/x-vcard",
                               b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Car\r\nEND:VCARD\r\n")
                    extra = {"pushed": True}
                client.disconnect()
            except (obex.ObexError, OSError) as e:
                return {"obex": f"failed: {e}"}
            return {"obex": "ok", **extra}
        return {}

    def connect_service(self, name, channels):
        result = {"connected": False, "errno": None}
        try:
            if name in RFCOMM_SERVICES:
                cls, default = RFCOMM_SERVICES[name]
                channel = (channels or {}).get(cls)
                result["channel"] = channel if channel is not None else default
                result["channel_from"] = "sdp" if channel is not None else "default"
                if channel is None and channels is not None and name != "hsp":
                    # The phone does not offer the service: a real head unit stops here.
                    result["errno"] = "ENOENT"
                    result["offered"] = False
                    return result
                sock = self.rfcomm(result["channel"])
            else:
                sock = self.l2cap(L2CAP_SERVICES[name])
        except (OSError, socket.timeout) as e:
            result["errno"] = labkit.errno_name(e)
            return result
        result["connected"] = True
        try:
            result.update(self.use(name, sock))
        except (OSError, socket.timeout) as e:
            result["use_errno"] = labkit.errno_name(e)
        if name in KEPT_OPEN:
            self.kept.append(sock)
        else:
            sock.close()
        return result

    def hang_up(self):
        for sock in self.kept:
            sock.close()
        self.kept = []

    def wait_services_resolved(self, timeout=20):
        """Lets bluetoothd finish its own SDP browses after pairing (the car's side
        of the phone, and the phone's reverse browse of the car) before the car's
        own SDP and connects. One bluetoothd serves both sides here, and its SDP
        server can block for good in accept() when a browse of its own is torn
        down mid-connect; a real head unit would also browse before connecting."""
        phone_side = labkit.device_path(labkit.PHONE_ADAPTER, CAR)

        def resolved():
            car = labkit.props(self.bus, self.phone_path, "org.bluez.Device1") or {}
            phone = labkit.props(self.bus, phone_side, "org.bluez.Device1") or {}
            return car.get("ServicesResolved") and phone.get("ServicesResolved")

        try:
            labkit.wait_until(resolved, timeout, "ServicesResolved on both sides")
            return True
        except labkit.LabFailure:
            return False

    def bonds(self):
        return {"car": labkit.bond_state(self.bus, labkit.CAR_ADAPTER, PHONE),
                "phone": labkit.bond_state(self.bus, labkit.PHONE_ADAPTER, CAR)}

    # -- lies

    def publish_hid_record(self, name="Keyboard"):
        """A keyboard's HID SDP record on the car's SDP server. The phone reads it when it
        browses the car (at pairing) and from then on takes the car for an input device.
        ProfileManager1 puts it on every adapter of this bluetoothd: the phone's
        adapter offers it too, which nothing in the lab reads."""
        if self.hid_record is None:
            self.hid_record = HidRecord(self.bus, HID_RECORD_PATH)
            mgr = dbus.Interface(self.bus.get_object(labkit.BLUEZ, "/org/bluez"), "org.bluez.ProfileManager1")
            mgr.RegisterProfile(HID_RECORD_PATH, hid.RECORD_PROFILE_UUID, {
                "Name": dbus.String(name),
                "Role": dbus.String("server"),
                "ServiceRecord": dbus.String(hid.sdp_record(name)),
                "RequireAuthentication": dbus.Boolean(False),
                "RequireAuthorization": dbus.Boolean(False),
                "AutoConnect": dbus.Boolean(False),
            })
        return True

    def open_keyboard(self):
        """Connects HID control and interrupt to the phone as a keyboard does and keeps
        them; what each connect got."""
        self.close_keyboard()
        result, self.keyboard = labkit.in_thread(lambda: hid.open_keyboard(CAR, PHONE, KEYBOARD_TIMEOUT),
                                                 2 * CONNECT_TIMEOUT + 5, "the car's HID connects")
        return result

    def type_key(self):
        """A key press on the open interrupt channel: {"typed": bool, "errno": ...}."""
        if not self.keyboard or len(self.keyboard) < 2:
            return {"typed": False, "errno": "ENOTCONN"}
        error = hid.type_key(self.keyboard[1])
        return {"typed": error is None, "errno": error}

    def keyboard_closed_by_phone(self):
        """Whether the phone has closed either HID channel (bluetoothd drops a HID
        connection it refuses, and the kernel's hidp session ends with the link)."""
        for sock in self.keyboard or []:
            try:
                if sock.recv(64, socket.MSG_DONTWAIT) == b"":
                    return True
            except BlockingIOError:
                continue
            except OSError:
                return True
        return False

    def close_keyboard(self):
        for sock in self.keyboard or []:
            sock.close()
        self.keyboard = None

    def forget_phone(self):
        """Removes the car's bond with the phone: from now on the car is an impostor
        with the real car's address and no link key."""
        adapter = dbus.Interface(self.bus.get_object(labkit.BLUEZ, self.adapter), "org.bluez.Adapter1")
        if labkit.props(self.bus, self.phone_path, "org.bluez.Device1") is not None:
            adapter.RemoveDevice(self.phone_path)
        labkit.wait_until(lambda: labkit.props(self.bus, self.phone_path, "org.bluez.Device1") is None,
                          20, "the car to forget the phone")
        return self.bonds()

    def disconnect(self, timeout=20):
        """Drops the car's link to the phone (every socket first)."""
        self.hang_up()
        self.close_keyboard()
        if (labkit.props(self.bus, self.phone_path, "org.bluez.Device1") or {}).get("Connected"):
            device = dbus.Interface(self.bus.get_object(labkit.BLUEZ, self.phone_path), "org.bluez.Device1")
            try:
                labkit.call(device.Disconnect, timeout=timeout)
            except dbus.exceptions.DBusException:
                pass
        labkit.wait_until(lambda: not (labkit.props(self.bus, self.phone_path, "org.bluez.Device1") or {})
                          .get("Connected"), timeout, "the car's link to drop")
        return True

    def publish_device_id(self, vendor, product, version, source=1):
        """A Device ID (PnP Information) record of the car's own, beside the one that
        bluetoothd's DeviceID= publishes for every adapter; replaced on each call. The
        phone reads it when it browses the car's SDP records."""
        mgr = dbus.Interface(self.bus.get_object(labkit.BLUEZ, "/org/bluez"), "org.bluez.ProfileManager1")
        if self.device_id is not None:
            mgr.UnregisterProfile(DEVICE_ID_PATH)
        else:
            self.device_id = HidRecord(self.bus, DEVICE_ID_PATH)
        attributes = [(0x0001, '<sequence><uuid value="0x1200"/></sequence>'),
                      (0x0200, '<uint16 value="0x0103"/>'),
                      (0x0201, f'<uint16 value="0x{vendor:04x}"/>'),
                      (0x0202, f'<uint16 value="0x{product:04x}"/>'),
                      (0x0203, f'<uint16 value="0x{version:04x}"/>'),
                      (0x0204, '<boolean value="true"/>'),
                      (0x0205, f'<uint16 value="0x{source:04x}"/>')]
        record = "".join(f'<attribute id="0x{a:04x}">{v}</attribute>' for a, v in attributes)
        mgr.RegisterProfile(DEVICE_ID_PATH, "00001200-0000-1000-8000-00805f9b34fb", {
            "Name": dbus.String("Device ID"), "Role": dbus.String("server"),
            "ServiceRecord": dbus.String(f'<?xml version="1.0" encoding="UTF-8" ?><record>{record}</record>'),
            "RequireAuthentication": dbus.Boolean(False), "RequireAuthorization": dbus.Boolean(False),
        })
        return True

    def become_le_keyboard(self, name):
        """The car adapter turns into an LE-only keyboard: BR/EDR off, advertising the
        HID service with HOGP behind it (le.py)."""
        index = labkit.CAR_ADAPTER[3:]
        for args in (["power", "off"], ["bredr", "off"], ["power", "on"]):
            subprocess.run(["btmgmt", "--index", index, *args], check=True, stdout=subprocess.DEVNULL,
                           timeout=20)
        labkit.set_prop(self.bus, self.adapter, "org.bluez.Adapter1", "Alias", dbus.String(name))
        self.peripheral = le.Peripheral(self.bus)
        self.peripheral.start(name)
        return labkit.props(self.bus, self.adapter, "org.bluez.Adapter1")

    def le_type_key(self):
        """A key press as a notification of the HOGP input report."""
        return {"typed": bool(self.peripheral and self.peripheral.keyboard.type()),
                "gatt": self.peripheral.keyboard.events() if self.peripheral else None}


def visit(car, pairing="just-works", services=ALL_SERVICES, name=None, cls="4,32"):
    """What a head unit does on a visit: shows its identity, pairs (unless PAIRING is
    None), lets the SDP browses finish, then opens each of SERVICES. The report."""
    report = {"car": {"address": CAR}, "pairing": pairing, "paired": None, "pair_error": None,
              "services": {}}
    ident = car.set_identity(name, cls)
    report["car"].update({"name": ident.get("Alias"), "class": ident.get("Class")})
    link = None
    if pairing:
        link = car.hold_link()
        t = time.monotonic()
        report["pair_error"] = car.pair(pairing)
        report["pair_seconds"] = round(time.monotonic() - t, 1)
        report["car_agent"] = list(car.agent.calls)
        car.agent.calls.clear()
    report["bond"] = car.bonds()
    report["paired"] = report["bond"]["car"]["paired"]
    if report["paired"]:
        report["services_resolved"] = car.wait_services_resolved()
    if link is not None:
        link.close()
        link = None
    elif report["paired"] and services:
        link = car.secure_link()
    channels = car.sdp_channels() if services else None
    report["sdp"] = {f"0x{k:04x}": v for k, v in (channels or {}).items()}
    for svc in services:
        report["services"][svc] = car.connect_service(svc, channels)
    car.hang_up()
    if link is not None:
        link.close()
    report["bond"] = car.bonds()
    return report


def connect_at_once(car, services):
    """Opens SERVICES on the channels the lab phone uses, without browsing its SDP
    records first: the shortest way from a decision to a connection."""
    report = {name: car.connect_service(name, None) for name in services}
    car.hang_up()
    return report


def serve(car):
    """The car's command loop (see the module's docstring): one JSON command a line on
    stdin, one JSON answer a line on stdout, {"ok": true, ...} or {"ok": false,
    "error": ...}. The D-Bus objects (agent, records, GATT) are served meanwhile."""
    ops = {
        "visit": lambda a: visit(car, a.get("pairing", "just-works"), a.get("services", ALL_SERVICES),
                                 a.get("name"), a.get("cls")),
        "identity": lambda a: car.set_identity(a.get("name"), a.get("cls")),
        "connect": lambda a: connect_at_once(car, a.get("services", [])),
        "pair": lambda a: {"pair_error": car.pair(a.get("mode", "just-works"), a.get("timeout", 60)),
                           "car_agent": car.agent.calls, "bond": car.bonds()},
        "hid-record": lambda a: car.publish_hid_record(a.get("name", "Keyboard")),
        "device-id": lambda a: car.publish_device_id(a["vendor"], a["product"], a.get("version", 1)),
        "keyboard": lambda a: car.open_keyboard(),
        "type": lambda a: car.type_key(),
        "keyboard-closed": lambda a: car.keyboard_closed_by_phone(),
        "forget": lambda a: car.forget_phone(),
        "disconnect": lambda a: car.disconnect(),
        "bonds": lambda a: car.bonds(),
        "le-keyboard": lambda a: car.become_le_keyboard(a.get("name", "Keyboard")),
        "le-type": lambda a: car.le_type_key(),
    }
    loop = GLib.MainLoop()

    def answer(reply):
        sys.stdout.write(json.dumps(reply, default=str) + "\n")
        sys.stdout.flush()

    def on_line(channel, condition):
        line = sys.stdin.readline()
        if not line:
            loop.quit()
            return False
        try:
            command = json.loads(line)
            answer({"ok": True, "result": labkit.plain(ops[command["op"]](command))})
        except Exception as e:
            answer({"ok": False, "error": f"{type(e).__name__}: {e}"})
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_line)
    answer({"ok": True, "result": "ready"})
    loop.run()
    car.close_keyboard()
    if car.peripheral:
        car.peripheral.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairing", default="just-works", help="just-works | numeric | none")
    ap.add_argument("--services", default=",".join(ALL_SERVICES))
    ap.add_argument("--name", default=None)
    ap.add_argument("--cls", default="4,32", help="MAJOR,MINOR_BYTE for btmgmt class")
    ap.add_argument("--serve", action="store_true", help="stay up and take commands on stdin")
    args = ap.parse_args()
    labkit.setup_mainloop()
    car = Car(labkit.system_bus())
    if args.serve:
        serve(car)
        return
    services = [s for s in args.services.split(",") if s]
    report = visit(car, None if args.pairing == "none" else args.pairing, services, args.name, args.cls)
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
