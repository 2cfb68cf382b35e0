#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the generated seeds of the fuzz corpora (tests/fuzz/corpus/NAME/gen-*): kernel
uevents, USB descriptors, Device ID texts, Type-C id_headers, and the serialised GVariants
of Explain's facts, device records and BlueZ's Device1 properties. Seeds written by hand
and crash reproducers (crash-*) sit beside them and are left alone.

    /usr/bin/python3 tests/fuzz/make-seeds.py

The D-Bus keys come from common/cg-dbus-names.h (tests/lab/guest/cgnames.py)."""

import os
import struct
import sys

from gi.repository import GLib

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lab", "guest"))
import cgnames  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"gen-{name}"), "wb") as f:
        f.write(data)


def variant_bytes(value):
    return value.get_data_as_bytes().get_data()


# ---------------------------------------------------------------- uevents

def uevent(action, devpath, **fields):
    body = [f"{action}@{devpath}", f"ACTION={action}", f"DEVPATH={devpath}"]
    body += [f"{k}={v}" for k, v in fields.items()]
    return b"\0".join(s.encode() for s in body) + b"\0"


def uevents():
    dev = "/devices/platform/dummy_hcd.0/usb1/1-1"
    write("uevent", "usb-device-add", uevent("add", dev, SUBSYSTEM="usb", DEVTYPE="usb_device",
                                             PRODUCT="1d6b/104/510", TYPE="239/2/1", BUSNUM="001",
                                             DEVNUM="002", SEQNUM="1201"))
    write("uevent", "usb-interface-add", uevent("add", dev + "/1-1:1.0", SUBSYSTEM="usb",
                                                DEVTYPE="usb_interface", INTERFACE="2/13/0",
                                                MODALIAS="usb:v1D6Bp0104d0510dcEFdsc02dp01ic02isc0D"
                                                "ip00in00", SEQNUM="1202"))
    write("uevent", "usb-device-remove", uevent("remove", dev, SUBSYSTEM="usb", SEQNUM="1203"))
    write("uevent", "udc-change", uevent("change", "/devices/platform/dummy_udc.0/udc/dummy_udc.0",
                                         SUBSYSTEM="udc", USB_UDC_NAME="dummy_udc.0", SEQNUM="7"))
    write("uevent", "typec-partner-add", uevent("add", "/devices/platform/typec/typec/port0/"
                                                "port0-partner", SUBSYSTEM="typec",
                                                DEVTYPE="typec_partner", SEQNUM="9"))
    write("uevent", "bind", uevent("bind", dev, SUBSYSTEM="usb", DRIVER="usb", SEQNUM="1204"))
    # libudev's own format on the same socket family: not "ACTION@DEVPATH".
    write("uevent", "libudev", b"libudev\0" + struct.pack("<I", 0xfeedcafe) + b"\0" * 32)
    write("uevent", "no-fields", b"add@/devices/x\0")
    write("uevent", "repeated-keys", uevent("add", dev, ACTION="remove", DEVPATH="/devices/y"))


# ---------------------------------------------------------------- USB descriptors

def device_descriptor(vid, pid, device_class=0, n_configs=1):
    return struct.pack("<BBHBBBBHHHBBBB", 18, 1, 0x0200, device_class, 0, 0, 64, vid, pid,
                       0x0510, 1, 2, 3, n_configs)


def interface(number, cls, subclass=0, protocol=0, alternate=0, n_endpoints=1):
    endpoints = b"".join(struct.pack("<BBBBHB", 7, 5, 0x81 + i, 2, 512, 0)
                         for i in range(n_endpoints))
    return struct.pack("<BBBBBBBBB", 9, 4, number, alternate, n_endpoints, cls, subclass,
                       protocol, 0) + endpoints


def configuration(interfaces, value=1, total=None):
    body = b"".join(interfaces)
    length = 9 + len(body) if total is None else total
    return struct.pack("<BBHBBBBB", 9, 2, length, len(interfaces), value, 0, 0x80, 250) + body


def descriptors():
    ncm = [interface(0, 0x02, 0x0d), struct.pack("<BBBH", 5, 0x24, 0, 0x0110),
           interface(1, 0x0a, alternate=0, n_endpoints=0),
           interface(1, 0x0a, alternate=1, n_endpoints=2)]
    write("usb-descriptors", "dock-ncm", device_descriptor(0x1d6b, 0x0104, 0xef)
          + configuration(ncm))
    write("usb-descriptors", "mass-storage", device_descriptor(0x0781, 0x5581)
          + configuration([interface(0, 0x08, 0x06, 0x50, n_endpoints=2)]))
    write("usb-descriptors", "keyboard-and-storage", device_descriptor(0x1c98, 0x0001)
          + configuration([interface(0, 0x03, 1, 1), interface(1, 0x08, 6, 0x50)]))
    write("usb-descriptors", "two-configs", device_descriptor(0x1c98, 0x0002, n_configs=2)
          + configuration([interface(0, 0xff)]) + configuration([interface(0, 0x01, 1)], 2))
    write("usb-descriptors", "short-total", device_descriptor(0x1c98, 0x0003)
          + configuration([interface(0, 0x0e)], total=9))
    write("usb-descriptors", "long-total", device_descriptor(0x1c98, 0x0004)
          + configuration([interface(0, 0x0e)], total=0xffff))
    write("usb-descriptors", "truncated", (device_descriptor(0x1c98, 0x0005)
                                           + configuration([interface(0, 0x08)]))[:30])
    write("usb-descriptors", "zero-length", device_descriptor(0x1c98, 0x0006)
          + configuration([b"\0\x04"]))
    write("usb-descriptors", "many-interfaces", device_descriptor(0x1c98, 0x0007)
          + configuration([interface(i, i % 256, n_endpoints=0) for i in range(80)]))
    write("usb-descriptors", "device-only", device_descriptor(0x1d6b, 0x0002, 9))


# ---------------------------------------------------------------- Device ID, address, UUID, name

def device_ids():
    def fields(*parts):
        return b"\0".join(p.encode() if isinstance(p, str) else p for p in parts)
    write("device-id", "bluetooth", fields("bluetooth:v004Cp1200d0100", "00:1E:DE:12:34:56",
                                           "0000110d-0000-1000-8000-00805f9b34fb", "Head Unit"))
    write("device-id", "usb", fields("usb:v1D6Bp0246d0537", "00:1e:de:00:00:01", "110d",
                                     "DiLink"))
    write("device-id", "no-version", fields("bluetooth:v004Bp0001", "AA:BB:CC:DD:EE:FF", "0x1124",
                                            "\u202efdp.exe"))
    write("device-id", "bad", fields("bluetooth:v004", "00:1E:DE:12:34", "0000110d-0000",
                                     b"\xff\xfe\x1b[2J\x00"))
    write("device-id", "long-name", fields("usb:v1D6B", "00:1E:DE:12:34:567", "1234abcd",
                                           "\u00e9" * 200))


# ---------------------------------------------------------------- Type-C

def typec():
    write("typec", "one-partner", b"0x2e8a0000\n")
    write("typec", "no-identity", b"0x00000000\n")
    write("typec", "two-agree", b"0x2e8a0000\n\x000x6c002e8a\n")
    write("typec", "two-disagree", b"0x2e8a0000\n\x000x00001d6b\n")
    write("typec", "three-unset", b"\x00\x00")
    write("typec", "garbage", b"0x\n\x00 1d6b \x00zz\n")


# ---------------------------------------------------------------- Explain's facts

def facts():
    def vardict(values):
        return variant_bytes(GLib.Variant("a{sv}", values))
    n = cgnames.read()
    write("dbus-facts", "bluetooth", vardict({
        n["CG_DBUS_FACT_BLUETOOTH_ADDRESS"]: GLib.Variant("s", "00:1E:DE:12:34:56"),
        n["CG_DBUS_FACT_BLUETOOTH_CLASS"]: GLib.Variant("u", 0x200420),
        n["CG_DBUS_FACT_BLUETOOTH_NAME"]: GLib.Variant("s", "Head Unit 7"),
        n["CG_DBUS_FACT_MODALIAS"]: GLib.Variant("s", "bluetooth:v004Cp1200d0100")}))
    write("dbus-facts", "usb", vardict({
        n["CG_DBUS_FACT_USB_VENDOR"]: GLib.Variant("q", 0x1d6b),
        n["CG_DBUS_FACT_USB_PRODUCT"]: GLib.Variant("q", 0x0104),
        n["CG_DBUS_FACT_USB_MANUFACTURER"]: GLib.Variant("s", "Alpine"),
        n["CG_DBUS_FACT_USB_PRODUCT_NAME"]: GLib.Variant("s", "Trusted dock"),
        n["CG_DBUS_FACT_USB_SERIAL"]: GLib.Variant("s", "FUZZ-0001"),
        n["CG_DBUS_FACT_USB_INTERFACE_CLASSES"]: GLib.Variant("ay", b"\x02\x0a\x08"),
        n["CG_DBUS_FACT_TYPEC_PARTNER_VID"]: GLib.Variant("q", 0x2e8a)}))
    write("dbus-facts", "wrong-type", vardict({
        n["CG_DBUS_FACT_USB_VENDOR"]: GLib.Variant("u", 0x1d6b)}))
    write("dbus-facts", "unknown-key", vardict({"Colour": GLib.Variant("s", "red")}))
    write("dbus-facts", "bad-modalias", vardict({
        n["CG_DBUS_FACT_MODALIAS"]: GLib.Variant("s", "bluetooth:v00")}))
    write("dbus-facts", "empty", vardict({}))


# ---------------------------------------------------------------- device records

def records():
    n = cgnames.read()

    def record(question=None, **strings):
        values = {n[f"CG_DBUS_RECORD_{k}"]: GLib.Variant("s", v) for k, v in strings.items()}
        values[n["CG_DBUS_RECORD_ALLOWED"]] = GLib.Variant("as", ["a2dp", "avrcp"])
        values[n["CG_DBUS_RECORD_DENIED"]] = GLib.Variant("as", ["pbap", "map"])
        values[n["CG_DBUS_RECORD_ENFORCED"]] = GLib.Variant("b", True)
        values[n["CG_DBUS_RECORD_PENDING"]] = GLib.Variant("u", 3 if question else 0)
        if question:
            values[n["CG_DBUS_RECORD_QUESTION"]] = GLib.Variant("a{sv}", question)
        return variant_bytes(GLib.Variant("a{sv}", values))
    write("dbus-record", "bluetooth", record(ID="bluetooth/00:1E:DE:12:34:56", TRANSPORT="bluetooth",
                                             DEVICE="00:1E:DE:12:34:56", NAME="Head Unit",
                                             VENDOR="byd", VENDOR_NAME="BYD", DECISION="allow",
                                             RULE="/etc/carguard/vendors.d/byd.conf:5"))
    write("dbus-record", "usb-asking", record(
        question={n["CG_DBUS_QUESTION_ID"]: GLib.Variant("u", 3),
                  n["CG_DBUS_QUESTION_ASKS"]: GLib.Variant("s", "data"),
                  n["CG_DBUS_QUESTION_KIND"]: GLib.Variant("s", "usb-host"),
                  n["CG_DBUS_QUESTION_GRANTS"]: GLib.Variant("s", "data"),
                  n["CG_DBUS_QUESTION_WARNING"]: GLib.Variant("s", ""),
                  n["CG_DBUS_QUESTION_PASSKEY"]: GLib.Variant("u", 123456),
                  n["CG_DBUS_QUESTION_SECONDS_LEFT"]: GLib.Variant("u", 30)},
        ID="usb/gadget", TRANSPORT="usb", DEVICE="gadget", USB_ID="1d6b:0104", DECISION="ask",
        RULE="default"))
    write("dbus-record", "wrong-types", variant_bytes(GLib.Variant("a{sv}", {
        n["CG_DBUS_RECORD_ID"]: GLib.Variant("u", 1),
        n["CG_DBUS_RECORD_ALLOWED"]: GLib.Variant("s", "a2dp"),
        n["CG_DBUS_RECORD_QUESTION"]: GLib.Variant("a{sv}", {
            n["CG_DBUS_QUESTION_ID"]: GLib.Variant("s", "3")})})))
    write("dbus-record", "empty", variant_bytes(GLib.Variant("a{sv}", {})))


# ---------------------------------------------------------------- BlueZ Device1

def bluez_devices():
    def device(values):
        return variant_bytes(GLib.Variant("a{sv}", values))
    write("bluez-device", "car", device({
        "Address": GLib.Variant("s", "00:1E:DE:00:00:01"),
        "AddressType": GLib.Variant("s", "public"),
        "Name": GLib.Variant("s", "Head Unit X"),
        "Alias": GLib.Variant("s", "Pool car"),
        "Class": GLib.Variant("u", 0x200420),
        "Icon": GLib.Variant("s", "audio-card"),
        "Modalias": GLib.Variant("s", "bluetooth:v004Cp1200d0100"),
        "UUIDs": GLib.Variant("as", ["0000110b-0000-1000-8000-00805f9b34fb", "110e", "bogus"]),
        "Adapter": GLib.Variant("o", "/org/bluez/hci0"),
        "Paired": GLib.Variant("b", True), "Bonded": GLib.Variant("b", False),
        "Trusted": GLib.Variant("b", False), "Blocked": GLib.Variant("b", False),
        "Connected": GLib.Variant("b", True), "ServicesResolved": GLib.Variant("b", True)}))
    write("bluez-device", "lying", device({
        "Address": GLib.Variant("s", "00:1e:de:00:00:01\n"),
        "Name": GLib.Variant("s", "\u202eHead\u0007Unit" + "x" * 300),
        "Modalias": GLib.Variant("s", "usb:v1D6Bp0104d"),
        "UUIDs": GLib.Variant("as", ["0x1124"] * 70),
        "Class": GLib.Variant("s", "car")}))
    write("bluez-device", "empty", device({}))


def main():
    uevents()
    descriptors()
    device_ids()
    typec()
    facts()
    records()
    bluez_devices()


if __name__ == "__main__":
    main()
