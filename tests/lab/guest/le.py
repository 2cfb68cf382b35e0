# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lab's car as an LE peripheral that claims to be a keyboard: an advertisement
(connectable, appearance "keyboard", the HID service UUID) and a GATT application with
HID over GATT (HOGP 1.0: HID Information, Report Map, one input Report with its Report
Reference, Protocol Mode, HID Control Point), registered with the car adapter's
bluetoothd through LEAdvertisingManager1 and GattManager1. A phone that bonds with it
and runs BlueZ's hog plugin reads the report map, subscribes to the input report and
makes an input device (through uhid); a notification of the report is a key press.

Written from the HOGP and GATT specifications and BlueZ's doc/gatt-api.txt and
doc/advertising-api.txt."""

import dbus
import dbus.service

import hid
import labkit

APP_PATH = "/carguard/lab/car/gatt"
ADV_PATH = "/carguard/lab/car/advertisement"

GATT_SERVICE = "org.bluez.GattService1"
GATT_CHARACTERISTIC = "org.bluez.GattCharacteristic1"
GATT_DESCRIPTOR = "org.bluez.GattDescriptor1"
PROPERTIES = "org.freedesktop.DBus.Properties"

HID_SERVICE = "00001812-0000-1000-8000-00805f9b34fb"
APPEARANCE_KEYBOARD = 0x03C1


def uuid16(value):
    return f"0000{value:04x}-0000-1000-8000-00805f9b34fb"


class _Object(dbus.service.Object):
    """A D-Bus object with one BlueZ interface whose properties bluetoothd reads."""

    interface = None

    def __init__(self, bus, path):
        self.path = path
        super().__init__(bus, path)

    def properties(self):
        return {}

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties() if interface == self.interface else {}

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.properties()[name]


class Advertisement(_Object):
    interface = "org.bluez.LEAdvertisement1"

    def __init__(self, bus, name):
        super().__init__(bus, ADV_PATH)
        self.name = name

    def properties(self):
        return {"Type": dbus.String("peripheral"),
                "ServiceUUIDs": dbus.Array([HID_SERVICE], signature="s"),
                "LocalName": dbus.String(self.name),
                "Appearance": dbus.UInt16(APPEARANCE_KEYBOARD),
                "Discoverable": dbus.Boolean(True)}

    @dbus.service.method("org.bluez.LEAdvertisement1", in_signature="", out_signature="")
    def Release(self):
        pass


class Descriptor(_Object):
    interface = GATT_DESCRIPTOR

    def __init__(self, bus, path, uuid, characteristic, value):
        super().__init__(bus, path)
        self.uuid, self.characteristic, self.value = uuid, characteristic, value

    def properties(self):
        return {"UUID": dbus.String(self.uuid), "Characteristic": dbus.ObjectPath(self.characteristic),
                "Flags": dbus.Array(["read"], signature="s")}

    @dbus.service.method(GATT_DESCRIPTOR, in_signature="a{sv}", out_signature="ay")
    def ReadValue(self, options):
        return dbus.Array(self.value, signature="y")


class Characteristic(_Object):
    interface = GATT_CHARACTERISTIC

    def __init__(self, bus, path, uuid, service, flags, value=b""):
        super().__init__(bus, path)
        self.uuid, self.service, self.flags, self.value = uuid, service, flags, value
        self.descriptors = []
        self.notifying = False
        self.events = []

    def properties(self):
        return {"UUID": dbus.String(self.uuid), "Service": dbus.ObjectPath(self.service),
                "Flags": dbus.Array(self.flags, signature="s")}

    @dbus.service.method(GATT_CHARACTERISTIC, in_signature="a{sv}", out_signature="ay")
    def ReadValue(self, options):
        self.events.append("read")
        return dbus.Array(self.value, signature="y")

    @dbus.service.method(GATT_CHARACTERISTIC, in_signature="aya{sv}", out_signature="")
    def WriteValue(self, value, options):
        self.events.append("write")

    @dbus.service.method(GATT_CHARACTERISTIC, in_signature="", out_signature="")
    def StartNotify(self):
        self.notifying = True
        self.events.append("subscribed")

    @dbus.service.method(GATT_CHARACTERISTIC, in_signature="", out_signature="")
    def StopNotify(self):
        self.notifying = False

    @dbus.service.signal(PROPERTIES, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    def notify(self, value):
        """Sends VALUE as a notification (bluetoothd relays a changed Value)."""
        self.value = value
        self.PropertiesChanged(GATT_CHARACTERISTIC, {"Value": dbus.Array(value, signature="y")}, [])


class Service(_Object):
    interface = GATT_SERVICE

    def __init__(self, bus, path, uuid):
        super().__init__(bus, path)
        self.uuid = uuid
        self.characteristics = []

    def properties(self):
        return {"UUID": dbus.String(self.uuid), "Primary": dbus.Boolean(True)}


class Application(dbus.service.Object):
    """The GATT application root: bluetoothd reads its objects through ObjectManager."""

    def __init__(self, bus):
        super().__init__(bus, APP_PATH)
        self.services = []

    @dbus.service.method("org.freedesktop.DBus.ObjectManager", in_signature="", out_signature="a{oa{sa{sv}}}")
    def GetManagedObjects(self):
        objects = {}
        for service in self.services:
            objects[dbus.ObjectPath(service.path)] = {GATT_SERVICE: service.properties()}
            for char in service.characteristics:
                objects[dbus.ObjectPath(char.path)] = {GATT_CHARACTERISTIC: char.properties()}
                for desc in char.descriptors:
                    objects[dbus.ObjectPath(desc.path)] = {GATT_DESCRIPTOR: desc.properties()}
        return objects


class Keyboard:
    """The HOGP keyboard: one HID service with a boot keyboard's report map."""

    def __init__(self, bus):
        self.app = Application(bus)
        svc = Service(bus, f"{APP_PATH}/hid", HID_SERVICE)
        chars = [
            ("info", 0x2A4A, ["read"], bytes([0x11, 0x01, 0x00, 0x02])),  # bcdHID 1.11, normally connectable
            ("map", 0x2A4B, ["read"], hid.BOOT_KEYBOARD),
            ("mode", 0x2A4E, ["read", "write-without-response"], bytes([0x01])),  # report protocol
            ("control", 0x2A4C, ["write-without-response"], b""),
            ("report", 0x2A4D, ["read", "notify"], hid.key_report(0)),
        ]
        for name, uuid, flags, value in chars:
            svc.characteristics.append(Characteristic(bus, f"{svc.path}/{name}", uuid16(uuid), svc.path,
                                                      flags, value))
        self.report = svc.characteristics[-1]
        # Report Reference: report id 0 (the map has none), type 1 (input).
        self.report.descriptors.append(Descriptor(bus, f"{self.report.path}/reference", uuid16(0x2908),
                                                  self.report.path, bytes([0x00, 0x01])))
        self.app.services.append(svc)

    def events(self):
        return {c.path.rsplit("/", 1)[1]: list(c.events) for c in self.app.services[0].characteristics}

    def type(self, usage=hid.USAGE_A):
        """A key press and release, as notifications of the input report; False when the
        phone never subscribed to it."""
        if not self.report.notifying:
            return False
        self.report.notify(hid.key_report(usage))
        self.report.notify(hid.key_report(0))
        return True


class Peripheral:
    """The car adapter as an LE keyboard: advertising, with the HOGP application."""

    def __init__(self, bus, adapter=labkit.CAR_ADAPTER):
        self.bus = bus
        self.adapter = bus.get_object(labkit.BLUEZ, labkit.adapter_path(adapter))
        self.keyboard = None
        self.advertisement = None

    def start(self, name, timeout=30):
        self.keyboard = Keyboard(self.bus)
        gatt = dbus.Interface(self.adapter, "org.bluez.GattManager1")
        labkit.call(gatt.RegisterApplication, dbus.ObjectPath(APP_PATH), {}, timeout=timeout)
        self.advertisement = Advertisement(self.bus, name)
        ads = dbus.Interface(self.adapter, "org.bluez.LEAdvertisingManager1")
        labkit.call(ads.RegisterAdvertisement, dbus.ObjectPath(ADV_PATH), {}, timeout=timeout)

    def stop(self):
        if self.advertisement:
            try:
                ads = dbus.Interface(self.adapter, "org.bluez.LEAdvertisingManager1")
                ads.UnregisterAdvertisement(ADV_PATH)
            except dbus.exceptions.DBusException:
                pass
        if self.keyboard:
            try:
                dbus.Interface(self.adapter, "org.bluez.GattManager1").UnregisterApplication(APP_PATH)
            except dbus.exceptions.DBusException:
                pass
