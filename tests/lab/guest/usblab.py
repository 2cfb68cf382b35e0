# SPDX-License-Identifier: LGPL-2.1-or-later
"""USB half of the carguard lab: gadgets, the car's (host) side, authorization.

Runs inside the lab guest as root with /usr/bin/python3; waits are labkit's
wait_until, which wakes on the kernel's uevents.

Topology: dummy_hcd pairs each gadget controller dummy_udc.N with a host root
hub under dummy_hcd.N in the same kernel (usb1 for dummy_udc.0 in the lab), so one
guest holds both ends of the cable:

    PhoneGadget / CarHeadUnitGadget  --bind-->  dummy_udc.0
                                                    |  (virtual cable)
    CarUsbPort("1-1")                 <--------  usb1 root hub, port 1

With dummy_hcd loaded with its default num=1 there is one cable, so the phone
gadget and the car-head-unit gadget take turns on dummy_udc.0: both may exist in
configfs at once, but only one is bound at a time.  Reloading dummy_hcd with num=2
(all gadgets unbound first) adds a second cable, dummy_udc.1 <-> usb2, so both can
be plugged at once; port_for_udc() finds the host port that belongs to a UDC.

The cable itself (Cable) is what a phone without Type-C sees of one: the UDC stays,
the car powers its port or not (CarUsbPort.set_power), and the phone's USB power
supply goes online or offline. The lab kernel has no such supply, so FakeUsbSupply
is the lab's own (tests/lab/kmod), named as the fake it is. ModuleCable is the other
kind, whose UDC goes with the cable (dummy_hcd unloaded).

Everything a device tells the host (strings, descriptors) is hostile input, so
values read back from the host side are decoded with backslashreplace and never
trusted to be valid UTF-8 or of any particular length.
"""

import ctypes
import errno
import json
import os
import re
import subprocess
import sys

import cgnames
import dbus
import labkit

CONFIGFS = "/sys/kernel/config"
GADGETS = CONFIGFS + "/usb_gadget"
USB_DEVICES = "/sys/bus/usb/devices"
UDC_CLASS = "/sys/class/udc"

LANG_EN_US = "0x409"

# The kernel caps a configfs gadget string at USB_MAX_STRING_LEN bytes and
# rejects anything longer with EOVERFLOW: a string descriptor is at most 255
# bytes, a 2-byte header and then at most 126 UTF-16LE code units.  126 ASCII
# bytes are therefore the longest string a gadget can send.
USB_MAX_STRING_LEN = 126

# Alpine Electronics, Inc., a car head-unit maker, from
# /usr/lib/udev/hwdb.d/20-usb-vendor-model.hwdb: "usb:v1C98*
# ID_VENDOR_FROM_DATABASE=ALPINE ELECTRONICS, INC.".  The hwdb lists no products
# for it, so the product ID is the lab's own choice.
CAR_VENDOR_ID = 0x1C98
CAR_PRODUCT_ID = 0x0001

USB_CLASS_COMM = "02"
USB_CDC_SUBCLASS_NCM = "0d"
USB_CDC_SUBCLASS_ACM = "02"
USB_CLASS_MASS_STORAGE = "08"
USB_CLASS_CDC_DATA = "0a"

# The lab's one cable: dummy_udc.0 (the gadget side) <-> usb1 port 1 (devpath 1-1).
UDC = "dummy_udc.0"
# carguardd's ids for what it judges: the phone's host, as seen through the phone's UDC,
# and the device at the laptop's port 1-1.
GADGET_ID = "usb/" + UDC
HOST_ID = "usb/1-1"
# How long a scenario waits for the kernel or carguardd to act on a plug.
TIMEOUT = 20.0


class UsbLabError(RuntimeError):
    pass


# ---------------------------------------------------------------- sysfs access


def _write(path, data):
    """Write one value with a single write(2), so the kernel's error reaches us
    (a buffered file object would only report it at close, or not at all)."""
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, data)
    except OSError as e:
        raise UsbLabError(f"writing {data!r} to {path}: {e.strerror}") from e
    finally:
        os.close(fd)


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        # A device that stalls a request or vanishes mid-read must not take the
        # caller down; what it did not say is reported as missing.
        if e.errno in (errno.ENODEV, errno.ENOENT, errno.EIO, errno.EPIPE,
                       errno.ETIMEDOUT, errno.EPROTO, errno.EINVAL):
            return None
        raise


def _read_text(path):
    raw = _read_bytes(path)
    if raw is None:
        return None
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    return raw.decode("utf-8", errors="backslashreplace")


def _read_int(path, base=10):
    text = _read_text(path)
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip(), base)
    except ValueError:
        return None


def ensure_configfs():
    if not os.path.isdir(GADGETS):
        if not os.path.isdir(CONFIGFS):
            raise UsbLabError(f"{CONFIGFS} missing: is configfs loaded?")
        if not os.path.ismount(CONFIGFS):
            if subprocess.run(["mount", "-t", "configfs", "configfs", CONFIGFS]).returncode:
                raise UsbLabError("mounting configfs failed")
        if not os.path.isdir(GADGETS):
            raise UsbLabError(f"{GADGETS} missing: is libcomposite loaded?")


def udcs():
    try:
        return sorted(os.listdir(UDC_CLASS))
    except FileNotFoundError:
        return []


# ------------------------------------------------------------------- gadgets


class Function:
    """One configfs gadget function instance, e.g. Function("ncm", "usb0")."""

    def __init__(self, kind, instance, attrs=None, luns=None):
        self.kind = kind
        self.instance = instance
        self.attrs = dict(attrs or {})
        self.luns = {k: dict(v) for k, v in (luns or {}).items()}

    @property
    def name(self):
        return f"{self.kind}.{self.instance}"


class ConfigfsGadget:
    """A configfs USB gadget: device descriptor fields, strings, one configuration,
    functions.  Writing a UDC name to UDC plugs the cable in; writing an empty
    line unplugs it."""

    def __init__(self, name, vendor_id, product_id, manufacturer, product, serial,
                 functions, config_label="c.1", configuration=None,
                 device_class=None, max_power=None):
        self.name = name
        self.path = os.path.join(GADGETS, name)
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.manufacturer = manufacturer
        self.product = product
        self.serial = serial
        self.functions = list(functions)
        self.config_label = config_label
        self.configuration = configuration
        self.device_class = device_class
        self.max_power = max_power

    # -- lifecycle

    def exists(self):
        return os.path.isdir(self.path)

    def create(self, bind=False, udc=None):
        ensure_configfs()
        if self.exists():
            raise UsbLabError(f"gadget {self.path} already exists")
        os.mkdir(self.path)
        try:
            self._populate()
        except BaseException:
            self.destroy()
            raise
        if bind:
            self.bind(udc)
        return self

    def _populate(self):
        p = self.path
        _write(f"{p}/idVendor", f"0x{self.vendor_id:04x}")
        _write(f"{p}/idProduct", f"0x{self.product_id:04x}")
        if self.device_class is not None:
            cls, sub, proto = self.device_class
            _write(f"{p}/bDeviceClass", f"0x{cls:02x}")
            _write(f"{p}/bDeviceSubClass", f"0x{sub:02x}")
            _write(f"{p}/bDeviceProtocol", f"0x{proto:02x}")
        strings = f"{p}/strings/{LANG_EN_US}"
        os.mkdir(strings)
        for attr, value in (("manufacturer", self.manufacturer),
                            ("serialnumber", self.serial),
                            ("product", self.product)):
            if value is not None:
                _write_string(f"{strings}/{attr}", value)
        for fn in self.functions:
            self._make_function(fn)
        config = f"{p}/configs/{self.config_label}"
        os.mkdir(config)
        if self.configuration is not None:
            os.mkdir(f"{config}/strings/{LANG_EN_US}")
            _write_string(f"{config}/strings/{LANG_EN_US}/configuration", self.configuration)
        if self.max_power is not None:
            _write(f"{config}/MaxPower", str(self.max_power))
        for fn in self.functions:
            os.symlink(f"{p}/functions/{fn.name}", f"{config}/{fn.name}")

    def _make_function(self, fn):
        fpath = f"{self.path}/functions/{fn.name}"
        os.mkdir(fpath)
        for attr, value in fn.attrs.items():
            _write(f"{fpath}/{attr}", value)
        for lun, attrs in fn.luns.items():
            lpath = f"{fpath}/{lun}"
            if not os.path.isdir(lpath):  # lun.0 comes with the function
                os.mkdir(lpath)
            # "file" last: the other LUN attributes are refused once a medium is in.
            for attr in sorted(attrs, key=lambda a: a == "file"):
                _write(f"{lpath}/{attr}", attrs[attr])

    def destroy(self):
        """Unbind and remove the whole tree, children before parents, as configfs
        requires.  Safe on a half-built or absent gadget."""
        if not self.exists():
            return
        if self.is_bound():
            self.unbind()
        p = self.path
        for config in _listdir(f"{p}/configs"):
            cpath = f"{p}/configs/{config}"
            for entry in _listdir(cpath):
                if os.path.islink(f"{cpath}/{entry}"):
                    os.unlink(f"{cpath}/{entry}")
            for lang in _listdir(f"{cpath}/strings"):
                os.rmdir(f"{cpath}/strings/{lang}")
            os.rmdir(cpath)
        for fn in _listdir(f"{p}/functions"):
            fpath = f"{p}/functions/{fn}"
            for lun in _listdir(fpath):
                # Extra LUNs are directories the lab made; lun.0 goes with the function.
                if lun.startswith("lun.") and lun != "lun.0" and os.path.isdir(f"{fpath}/{lun}"):
                    os.rmdir(f"{fpath}/{lun}")
            os.rmdir(fpath)
        for lang in _listdir(f"{p}/strings"):
            os.rmdir(f"{p}/strings/{lang}")
        for entry in _listdir(f"{p}/os_desc"):
            if os.path.islink(f"{p}/os_desc/{entry}"):
                os.unlink(f"{p}/os_desc/{entry}")
        os.rmdir(p)

    # -- the cable

    def udc(self):
        """The UDC this gadget is bound to, or None."""
        text = _read_text(f"{self.path}/UDC")
        return (text.strip() or None) if text is not None else None

    def is_bound(self):
        return self.udc() is not None

    def bind(self, udc=None):
        """Plug the cable in: bind to `udc` (default: the first UDC, as
        postmarketOS's get_usb_udc does)."""
        if udc is None:
            names = udcs()
            if not names:
                raise UsbLabError("no UDC in /sys/class/udc: is dummy_hcd loaded?")
            udc = names[0]
        _write(f"{self.path}/UDC", udc)

    def unbind(self):
        """Pull the cable: the host side sees a disconnect."""
        _write(f"{self.path}/UDC", "\n")

    plug = bind
    unplug = unbind

    def function_path(self, fn_name):
        return f"{self.path}/functions/{fn_name}"

    def gadget_ifname(self, fn_name):
        """The gadget (phone) side's own netdev for a network function, e.g.
        usb0.  Not the host side's; see CarUsbPort.netdev()."""
        text = _read_text(f"{self.function_path(fn_name)}/ifname")
        if text is None or not text or text.startswith("("):  # "(unnamed net_device)"
            return None
        return text


def _write_string(path, value):
    """Gadget strings are raw bytes to configfs, which copies them verbatim (minus
    one trailing newline) into the string descriptor, so hostile values such as
    invalid UTF-8 or control characters can be planted by passing bytes."""
    data = value if isinstance(value, (bytes, bytearray)) else value.encode()
    if len(data) > USB_MAX_STRING_LEN:
        raise UsbLabError(f"{path}: {len(data)} bytes exceeds the kernel's limit "
                          f"of {USB_MAX_STRING_LEN}")
    _write(path, bytes(data))


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


class PhoneGadget(ConfigfsGadget):
    """The phone's gadget, set up the way postmarketOS's initramfs does it.

    Followed: pmaports main/postmarketos-initramfs/init_functions.sh,
    setup_usb_network_configfs() and setup_usb_configfs_udc():
      - gadget g1 under /sys/kernel/config/usb_gadget
      - idVendor ${deviceinfo_usb_idVendor:-0x18D1}  (Google Inc.)
        idProduct ${deviceinfo_usb_idProduct:-0xD001} (Nexus 4 fastboot)
      - strings/0x409: manufacturer=$deviceinfo_manufacturer,
        serialnumber=${deviceinfo_usb_serialnumber:-postmarketOS},
        product=$deviceinfo_name
      - function ${deviceinfo_usb_network_function:-ncm.usb0}, falling back to
        rndis.usb0 when the first cannot be created
      - config c.1 with strings/0x409/configuration "USB network", the function
        symlinked into it
      - binding: the UDC name (deviceinfo_usb_network_udc or the first entry of
        /sys/class/udc) written to g1/UDC, after clearing a previous one.
    postmarketOS binds at once; here create() leaves the gadget unbound unless
    asked, because carguard owns the binding.  The manufacturer and product
    defaults stand in for a device's deviceinfo; any pair will do."""

    def __init__(self, name="g1", vendor_id=0x18D1, product_id=0xD001,
                 manufacturer="PINE64", product="PINE64 PinePhone",
                 serial="postmarketOS", network_function="ncm.usb0"):
        self.network_function = network_function
        self.fallback_function = "rndis.usb0"
        super().__init__(name, vendor_id, product_id, manufacturer, product, serial,
                         functions=[_function_from_name(network_function)],
                         configuration="USB network")

    def _make_function(self, fn):
        try:
            super()._make_function(fn)
        except OSError:
            if fn.name == self.fallback_function:
                raise
            fallback = _function_from_name(self.fallback_function)
            self.functions = [fallback]
            self.network_function = fallback.name
            super()._make_function(fallback)

    def bind(self, udc=None):
        if self.is_bound():  # "Resource busy" otherwise, as postmarketOS notes
            self.unbind()
        super().bind(udc)

    def ifname(self):
        return self.gadget_ifname(self.network_function)


def _function_from_name(name):
    kind, _, instance = name.partition(".")
    return Function(kind, instance or "usb0")


class CarHeadUnitGadget(ConfigfsGadget):
    """A gadget that impersonates a car head unit as a USB device toward a laptop.

    functions: any of "ncm", "rndis", "ecm", "mass_storage", "acm", in interface
    order.  mass_storage gets a small sparse backing file.  Strings may be str or
    bytes; bytes go to the descriptor verbatim (hostile-input tests)."""

    def __init__(self, name="carhu", vendor_id=CAR_VENDOR_ID, product_id=CAR_PRODUCT_ID,
                 manufacturer="ALPINE ELECTRONICS, INC.", product="Car Head Unit",
                 serial="HU0000000001", functions=("ncm", "mass_storage", "acm"),
                 backing_file=None, backing_size=1 << 20):
        self.backing_file = backing_file or f"/tmp/usblab-{name}-lun0.img"
        self.backing_size = backing_size
        fns = [self._function(kind) for kind in functions]
        # Several functions with IADs: the USB-IF composite device triple.
        super().__init__(name, vendor_id, product_id, manufacturer, product, serial,
                         functions=fns, configuration="Head unit",
                         device_class=(0xEF, 0x02, 0x01), max_power=500)

    def _function(self, kind):
        if kind in ("ncm", "rndis", "ecm", "acm"):
            return Function(kind, "hu0")
        if kind == "mass_storage":
            return Function("mass_storage", "hu0",
                            luns={"lun.0": {"removable": "1", "ro": "1",
                                            "file": self.backing_file}})
        raise UsbLabError(f"unknown function kind {kind!r}")

    def _populate(self):
        if any(fn.kind == "mass_storage" for fn in self.functions):
            with open(self.backing_file, "wb") as f:
                f.truncate(self.backing_size)
        super()._populate()

    def destroy(self):
        super().destroy()
        try:
            os.unlink(self.backing_file)
        except FileNotFoundError:
            pass


# ----------------------------------------------------------------- host side


def root_hub(bus):
    return f"{USB_DEVICES}/usb{bus}"


def authorized_default(bus=1):
    return _read_int(f"{root_hub(bus)}/authorized_default")


def set_authorized_default(value, bus=1):
    """0: devices plugged from now on stay unauthorized (powered, enumerated,
    no configuration, no drivers); 1: authorized; 2: only internal ports."""
    _write(f"{root_hub(bus)}/authorized_default", str(int(value)))


def interface_authorized_default(bus=1):
    return _read_int(f"{root_hub(bus)}/interface_authorized_default")


def set_interface_authorized_default(value, bus=1):
    _write(f"{root_hub(bus)}/interface_authorized_default", str(int(value)))


def authorize(devpath="1-1"):
    _write(f"{USB_DEVICES}/{devpath}/authorized", "1")


def deauthorize(devpath="1-1"):
    _write(f"{USB_DEVICES}/{devpath}/authorized", "0")


def set_interface_authorized(iface, value):
    """iface like "1-1:1.0"; 0 unbinds its driver and keeps drivers off it.
    1 only lifts the ban: no driver is probed until probe_interface()."""
    _write(f"{USB_DEVICES}/{iface}/authorized", str(int(value)))


def probe_interface(iface):
    """Ask the USB bus to probe drivers for an interface.  Re-authorizing an
    interface does not do this by itself (the kernel's authorization.rst has the
    caller authorize every interface a driver needs first, then probe)."""
    _write("/sys/bus/usb/drivers_probe", iface)


def port_for_udc(udc="dummy_udc.0", port=1):
    """The host-side port cabled to a dummy_hcd UDC: dummy_udc.N's partner is the
    root hub under the platform device dummy_hcd.N (bus numbers follow probe
    order, so they are looked up rather than assumed)."""
    index = udc.rsplit(".", 1)[-1]
    hcd = f"/sys/devices/platform/dummy_hcd.{index}"
    buses = [n for n in _listdir(hcd) if n.startswith("usb") and n[3:].isdigit()]
    if len(buses) != 1:
        raise UsbLabError(f"{hcd} has root hubs {buses}, expected one")
    return CarUsbPort(f"{buses[0][3:]}-{port}")


class CarUsbPort:
    """One downstream port of dummy_hcd's host side: what the car sees when the
    phone is plugged in, or what the laptop sees when the head unit is."""

    def __init__(self, devpath="1-1"):
        self.devpath = devpath
        self.path = f"{USB_DEVICES}/{devpath}"
        bus, _, number = devpath.partition("-")
        # The root hub's port itself (usb_port), which stays when the device goes.
        self.hub_port = f"{USB_DEVICES}/usb{bus}/{bus}-0:1.0/usb{bus}-port{number}"

    def _attr(self, name):
        return _read_text(f"{self.path}/{name}")

    def powered(self):
        """Whether the port has power, or None while the port does not exist."""
        disabled = _read_int(f"{self.hub_port}/disable")
        return None if disabled is None else disabled == 0

    def set_power(self, on):
        """The car switches its port's VBUS on or off (the usb_port's `disable`): off,
        a device on it disconnects at both ends; on, it is enumerated again. A
        gadget that is not bound sees neither."""
        _write(f"{self.hub_port}/disable", "0" if on else "1")
        labkit.wait_until(lambda: self.powered() == on, TIMEOUT,
                          f"{self.hub_port} powered {'on' if on else 'off'}")

    def connect_type(self):
        """What the kernel knows of the port: "hotplug", "hardwired", "not used" or
        "unknown" (dummy_hcd's ports are "unknown")."""
        return _read_text(f"{self.hub_port}/connect_type")

    def enumerated(self):
        """A device is at the port and the host has read its device descriptor."""
        return os.path.isdir(self.path) and self._attr("idVendor") is not None

    def authorized(self):
        value = _read_int(f"{self.path}/authorized")
        return None if value is None else bool(value)

    def _settled(self):
        """Enumerated and bound to the generic "usb" device driver.  That driver's
        probe chooses the configuration and registers every interface, probing
        their drivers on the way, so once its driver link exists the host is done
        with the device.  An unauthorized device is bound too, with no
        configuration.  An authorization written later configures it again."""
        if not self.enumerated() or not os.path.exists(f"{self.path}/driver"):
            return False
        if not self.authorized():
            return True
        want = _read_int(f"{self.path}/bNumInterfaces")
        return want is not None and len(self.interfaces()) >= want

    def wait_enumerated(self, timeout=10.0):
        labkit.wait_until(self._settled, timeout, f"{self.devpath} to enumerate")
        return self

    def wait_gone(self, timeout=10.0):
        labkit.wait_until(lambda: not os.path.exists(self.path), timeout,
                          f"{self.devpath} to disappear")

    def wait_authorized(self, timeout=10.0):
        labkit.wait_until(lambda: self.authorized() and self._settled(), timeout,
                          f"{self.devpath} to be authorized with its interfaces")

    def interface_paths(self):
        prefix = self.devpath + ":"
        return [f"{USB_DEVICES}/{n}" for n in _listdir(USB_DEVICES) if n.startswith(prefix)]

    def interfaces(self):
        result = []
        for ipath in self.interface_paths():
            driver = None
            try:
                driver = os.path.basename(os.readlink(f"{ipath}/driver"))
            except OSError:
                pass
            auth = _read_int(f"{ipath}/authorized")
            result.append({
                "name": os.path.basename(ipath),
                "number": _read_int(f"{ipath}/bInterfaceNumber", 16),
                "class": _read_text(f"{ipath}/bInterfaceClass"),
                "subclass": _read_text(f"{ipath}/bInterfaceSubClass"),
                "protocol": _read_text(f"{ipath}/bInterfaceProtocol"),
                "driver": driver,
                "authorized": None if auth is None else bool(auth),
            })
        return result

    def wait_interface(self, match, timeout=10.0):
        """Wait for an interface whose fields include `match`, e.g.
        {"class": "08", "driver": "usb-storage"}; return it."""
        def found():
            return next((i for i in self.interfaces()
                         if all(i.get(k) == v for k, v in match.items())), None)
        return labkit.wait_until(found, timeout, f"an interface of {self.devpath} with {match}")

    def has_interface(self, cls, subclass=None):
        return any(i["class"] == cls and (subclass is None or i["subclass"] == subclass)
                   for i in self.interfaces())

    def netdevs(self):
        """Network interfaces the HOST side created for this device (under its
        interfaces' net/), never the gadget side's own usb0."""
        names = []
        for ipath in self.interface_paths():
            names.extend(_listdir(f"{ipath}/net"))
        return names

    def netdev(self):
        names = self.netdevs()
        return names[0] if names else None

    def wait_netdev(self, timeout=10.0):
        return labkit.wait_until(self.netdev, timeout, f"a host-side netdev for {self.devpath}")

    def wait_no_netdev(self, timeout=10.0):
        labkit.wait_until(lambda: not self.netdevs(), timeout,
                          f"host-side netdevs of {self.devpath} to go")

    def report(self):
        enumerated = self.enumerated()
        return {
            "devpath": self.devpath,
            "enumerated": enumerated,
            "authorized": self.authorized() if enumerated else None,
            "vendor": self._attr("idVendor") if enumerated else None,
            "product": self._attr("idProduct") if enumerated else None,
            "manufacturer": self._attr("manufacturer") if enumerated else None,
            "product_name": self._attr("product") if enumerated else None,
            "serial": self._attr("serial") if enumerated else None,
            "interfaces": self.interfaces() if enumerated else [],
            "netdev": self.netdev() if enumerated else None,
        }

    def report_json(self):
        return json.dumps(self.report(), sort_keys=True)


# ------------------------------------------------------------------ UDC side


class Udc:
    """The gadget-side controller, e.g. dummy_udc.0.

    A change of its `state` attribute is no uevent (only a sysfs_notify()), so a
    wait for it re-checks on wait_until's interval.  After an unbind it has been
    seen to keep saying "configured", so trust it only while a gadget is bound."""

    def __init__(self, name="dummy_udc.0"):
        self.name = name
        self.path = f"{UDC_CLASS}/{name}"

    def state(self):
        return _read_text(f"{self.path}/state")

    def function(self):
        """The gadget driver bound to this UDC (configfs: the gadget's name)."""
        return _read_text(f"{self.path}/function") or None

    def soft_connect(self, connected):
        """Pull-up on/off with the gadget staying bound: a cable pull that
        configfs does not see.  Needs a bound gadget.  On the lab's 6.1 kernel
        "disconnect" works, but after a later "connect" the gadget no longer
        answers: the host logs "device descriptor read/64, error -71" and gives
        up.  To plug back in, unbind and bind the gadget."""
        _write(f"{self.path}/soft_connect", "connect" if connected else "disconnect")

    def wait_state(self, wanted, timeout=10.0):
        """Wait until state is one of `wanted` (a str or a collection of str).
        Returns the state seen."""
        wanted = {wanted} if isinstance(wanted, str) else set(wanted)

        def reached():
            state = self.state()
            return state if state in wanted else None

        return labkit.wait_until(reached, timeout, f"{self.name} state in {sorted(wanted)}")


def gadget_side_netdevs(udc="dummy_udc.0"):
    """The netdevs the gadget (phone) side owns, e.g. usb0, for contrast with
    CarUsbPort.netdevs()."""
    names = []
    base = f"/sys/devices/platform/{udc}"
    for root, dirs, _ in os.walk(base):
        if os.path.basename(root) == "net":
            names.extend(dirs)
            dirs[:] = []
        elif root.count("/") - base.count("/") > 3:
            dirs[:] = []
    return sorted(names)


def cleanup_all_gadgets():
    """Remove every gadget in configfs: a scenario starts from an empty cable."""
    for name in _listdir(GADGETS):
        ConfigfsGadget(name, 0, 0, None, None, None, []).destroy()


# ------------------------------------------------------------ the lab's cable


class KernelModule:
    """A module of the lab kernel under KROOT (Lab.env["LAB_KROOT"]), loaded with
    init_module(2) and removed with delete_module(2). Not with modprobe: it re-reads
    the module indexes over 9p on every call, which made usb-guard-cycles' 100 plugs
    take minutes. The image is read once; what it needs is loaded at boot
    (guest/init)."""

    SYS_INIT_MODULE = 175  # x86_64
    SYS_DELETE_MODULE = 176

    def __init__(self, kroot, name):
        self.name = name
        out = subprocess.run(["/sbin/modprobe", "-d", kroot, "--show-depends", name],
                             capture_output=True, text=True)
        if out.returncode != 0 or not out.stdout.strip():
            raise labkit.LabFailure(f"no module {name} in the lab kernel ({out.stderr.strip()})")
        path = out.stdout.strip().splitlines()[-1].split()[1]
        with open(path, "rb") as f:
            self.image = f.read()
        self.libc = ctypes.CDLL(None, use_errno=True)

    def loaded(self):
        return os.path.isdir(f"/sys/module/{self.name}")

    def _check(self, rc, what):
        if rc != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")

    def load(self):
        if not self.loaded():
            rc = self.libc.syscall(self.SYS_INIT_MODULE, self.image,
                                   ctypes.c_ulong(len(self.image)), b"")
            if rc != 0 and ctypes.get_errno() != errno.EEXIST:
                self._check(rc, f"init_module {self.name}")

    def unload(self):
        if self.loaded():
            self._check(self.libc.syscall(self.SYS_DELETE_MODULE, self.name.encode(),
                                          os.O_NONBLOCK), f"delete_module {self.name}")


POWER_SUPPLY_CLASS = "/sys/class/power_supply"


class FakeUsbSupply:
    """FAKE: the phone's USB power supply, which the lab kernel cannot provide (no
    charger in the VM, and Debian builds no test_power). tests/lab/kmod's module,
    built by `lab prepare`, registers a real power_supply class device whose state the
    lab sets: /sys/class/power_supply/carguard-lab-usb, type USB, online 0/1, usb_type
    SDP (a host's data port), CDP (a charging data port) or DCP (a wall charger). Each
    change is the kernel's own change uevent (SUBSYSTEM=power_supply), as a charger's
    interrupt would make it; what reads it cannot tell it from a phone's charger."""

    NAME = "carguard-lab-usb"
    PATH = f"{POWER_SUPPLY_CLASS}/{NAME}"
    # enum power_supply_usb_type: sysfs takes the number.
    USB_TYPES = {"Unknown": 0, "SDP": 1, "DCP": 2, "CDP": 3}

    def __init__(self, kroot):
        self.module = KernelModule(kroot, "carguard_lab_usb_supply")

    def present(self):
        return os.path.isdir(self.PATH)

    def register(self):
        """The supply appears (offline unless it was left online)."""
        self.module.load()
        labkit.wait_until(self.present, TIMEOUT, self.PATH)

    def unregister(self):
        """The phone has no USB power supply at all."""
        self.module.unload()
        labkit.wait_until(lambda: not self.present(), TIMEOUT, f"{self.PATH} to go")

    def online(self):
        return _read_int(f"{self.PATH}/online") == 1

    def usb_type(self):
        """The bracketed entry of usb_type ("Unknown [SDP] DCP CDP": "SDP")."""
        text = _read_text(f"{self.PATH}/usb_type") or ""
        return next((w[1:-1] for w in text.split() if w.startswith("[")), None)

    def set(self, online, usb_type=None):
        if usb_type is not None and usb_type != self.usb_type():
            _write(f"{self.PATH}/usb_type", str(self.USB_TYPES[usb_type]))
        if online != self.online():
            _write(f"{self.PATH}/online", "1" if online else "0")
        labkit.wait_until(lambda: self.online() == online
                          and (usb_type is None or self.usb_type() == usb_type),
                          TIMEOUT, f"{self.NAME} online={int(online)} usb_type={usb_type}")


def wait_cable_ends(port):
    """Until dummy_hcd's two ends are there: the phone's UDC and the car's PORT."""
    labkit.wait_until(lambda: UDC in udcs() and port.powered() is not None, TIMEOUT,
                      f"{UDC} and {port.hub_port}")


class Cable:
    """The car's cable as a phone without Type-C sees it: its UDC stays (dummy_hcd
    stays loaded, as a phone's musb, dwc3 or chipidea does), and what changes is the
    phone's USB power supply and the car's port.

      attach(): the car powers its port (VBUS; an already bound gadget enumerates) and
                the phone's supply goes online as a host's data port (SDP; "CDP" for
                a charging data port). attach("DCP") is a wall charger: the supply
                goes online as DCP and no host is at the other end (the port stays
                off).
      detach(): the car's port goes off (a bound gadget disconnects at both ends) and
                the supply goes offline.

    dummy_udc says nothing of either (its state is "configured" after the first bind,
    whatever follows), so the supply is the phone's only cable signal while its gadget
    is unbound, as on a phone whose charger is its cable detector. ModuleCable is the
    other kind of phone, whose UDC goes with the cable."""

    def __init__(self, kroot, port=None):
        self.hcd = KernelModule(kroot, "dummy_hcd")
        self.supply = FakeUsbSupply(kroot)
        self.port = port or CarUsbPort("1-1")
        self.hcd.load()
        wait_cable_ends(self.port)
        self.supply.register()

    def attach(self, usb_type="SDP"):
        self.hcd.load()  # after a ModuleCable's pull
        wait_cable_ends(self.port)
        if usb_type != "DCP":
            self.port.set_power(True)
        self.supply.set(True, usb_type)

    def detach(self):
        self.port.set_power(False)
        self.supply.set(False)

    def attached(self):
        return self.supply.online()


class ModuleCable:
    """The cable of a phone whose UDC goes with it (a dual-role dwc3 leaves device mode
    when the cable goes): attach() loads dummy_hcd, so the UDC and the car's root hub
    appear, and puts the phone's supply online (SDP); detach() takes the supply offline
    and unloads dummy_hcd, taking the UDC, the gadget device under it and the car's side
    with it. The second kind of cable pull; Cable is the common one."""

    def __init__(self, kroot, port=None):
        self.hcd = KernelModule(kroot, "dummy_hcd")
        self.supply = FakeUsbSupply(kroot)
        self.supply.register()
        self.port = port or CarUsbPort("1-1")

    def attach(self, usb_type="SDP"):
        """Plug the car in: the UDC and the car's root hub appear."""
        self.hcd.load()
        wait_cable_ends(self.port)
        self.supply.set(True, usb_type)

    def detach(self):
        """Pull the car out: dummy_hcd goes, with the UDC and the car's side."""
        self.supply.set(False)
        self.hcd.unload()
        labkit.wait_until(lambda: UDC not in udcs(), TIMEOUT, f"{UDC} to go")

    def attached(self):
        return UDC in udcs()


def allow_once(lab, record):
    """Answers the question of RECORD (a Decision that asks) with "allow once", naming
    it as the person saw it: "ID#QUESTION" (carguardd refuses a bare device id, which
    could answer a newer question about a re-plugged device)."""
    question = f"{record[cgnames.CG_DBUS_RECORD_ID]}#{int(record[cgnames.CG_DBUS_RECORD_PENDING])}"
    return lab.carguardd_api().AllowOnce(question)


def car_sees_nothing(port):
    """The car's side of PORT: no device, no interface, no netdev. (condition, what
    it sees), for Tap.check."""
    return (not port.enumerated() and port.netdevs() == []
            and not any(n.startswith(port.devpath) for n in _listdir(USB_DEVICES)),
            port.report_json())


# ------------------------------------------------------------ the guarded roles

# The lab's car is this same kernel's host bus (dummy_hcd). A phone-role scenario turns
# the laptop-role guard off, so what the car sees is decided by the gadget guard alone and
# "no data path" cannot pass because the host side happened to be locked.
PHONE_ROLE_ONLY = "[USBHost]\nGuard=no\n"

# A laptop has no phone gadget: carguardd's phone-role guard is off, so the lab's gadgets
# are only devices plugged into the laptop (the guard would undo their binds).
LAPTOP_ROLE_CONF = "[Default]\nPreset=charge-only\n[USBGadget]\nGuard=no\n"


class Role:
    """What a USB guard scenario starts from, in LAB: a policy root, the system bus,
    the car's port (1-1), then carguardd (--debug, carguardd.log) and a
    DecisionWatch on the device it judges. As a context manager, leaving it stops
    carguardd and removes every gadget, so a second role can follow in the same boot."""

    def __init__(self, lab, root, files):
        self.lab = lab
        self.root = lab.write_policy(root, files)
        lab.start_system_bus()
        self.port = CarUsbPort("1-1")
        self.watch = None

    def _clear_gadgets(self):
        ensure_configfs()
        cleanup_all_gadgets()

    def _guard(self, device_id):
        # Subscribed first: a device already there is judged as carguardd starts.
        self.watch = labkit.DecisionWatch(self.lab.bus, device_id)
        log = self.lab.log_path("carguardd.log")
        self.log_start = os.path.getsize(log) if os.path.exists(log) else 0
        self.lab.start_carguardd(self.root, ["--debug"], wait_name=cgnames.CG_DBUS_NAME)

    def carguardd_log(self):
        """What this role's carguardd wrote to carguardd.log (its journal), as text."""
        with open(self.lab.log_path("carguardd.log"), "rb") as f:
            f.seek(self.log_start)
            return f.read().decode("utf-8", errors="backslashreplace")

    def wait_lock_state(self, state):
        """Until this carguardd's lock monitor has reached STATE ("locked", "unlocked"...):
        its journal's last "Lock state:" entry. Nothing else shows when it saw a lock
        screen change that changes no decision."""
        def reached():
            seen = re.findall(r"Lock state: (\w+)", self.carguardd_log())
            return bool(seen) and seen[-1] == state
        labkit.wait_until(reached, TIMEOUT, f"carguardd to see the session {state}")

    def allow_once(self, record):
        """The person's "allow once" to the question of RECORD (a Decision that asks), as
        the notifier sends it: naming the question the person saw."""
        return allow_once(self.lab, record)

    def allow_once_refused(self, record):
        """"allow once" to RECORD's question is refused with NotAsked: (condition, what
        happened), for Tap.check."""
        try:
            self.allow_once(record)
        except dbus.exceptions.DBusException as e:
            return e.get_dbus_name() == cgnames.CG_DBUS_ERROR_NAME_NOT_ASKED, e.get_dbus_name()
        return False, "allow once was accepted"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.watch is not None:
            self.watch.close()
        self.lab.stop_carguardd()
        cleanup_all_gadgets()


class PhoneRole(Role):
    """The phone (the USB device) under policy CARGUARD_CONF, the laptop-role guard
    off: the car's cable out (CABLE: Cable, the UDC stays; or ModuleCable), the
    phone's gadget (phone) created unbound, carguardd watching the phone's host
    (GADGET_ID)."""

    def __init__(self, lab, carguard_conf, root="/tmp/cg-root", network_function="ncm.usb0",
                 cable=None, present=None):
        super().__init__(lab, root, labkit.policy_files(carguard_conf + PHONE_ROLE_ONLY))
        self.cable = (cable or Cable)(lab.env["LAB_KROOT"])
        self._clear_gadgets()
        self.cable.detach()
        self.phone = PhoneGadget(network_function=network_function).create(bind=False)
        if present is not None:
            self.plug_before_guard(present)
        self._guard(GADGET_ID)

    def plug_before_guard(self, gadget):
        """The car plugged in and GADGET bound while nothing guards the phone (its
        initramfs binds before any service runs): the car enumerates it."""
        self.cable.attach()
        gadget.create(bind=True, udc=UDC)
        self.port.wait_enumerated(TIMEOUT)


class LaptopRole(Role):
    """The laptop (the USB host) under LAPTOP_ROLE_CONF and the vendor files VENDORS
    ({"alpine": text}): no gadget, its bus (usb1) and port 1 powered, carguardd watching
    the device at the laptop's port (HOST_ID). The scenario's gadgets are what is
    plugged in."""

    def __init__(self, lab, vendors, root="/tmp/cg-root", carguard_conf=LAPTOP_ROLE_CONF,
                 present=None):
        self.carguard_conf = carguard_conf
        super().__init__(lab, root, labkit.policy_files(carguard_conf, vendors))
        self._clear_gadgets()
        self.bus = KernelModule(lab.env["LAB_KROOT"], "dummy_hcd")
        self.bus.load()
        wait_cable_ends(self.port)
        if not self.port.powered():  # a phone role's Cable leaves the car's port off
            self.port.set_power(True)
        if present is not None:
            self.plug_before_guard(present)
        self._guard(HOST_ID)

    def plug_before_guard(self, gadget):
        """GADGET plugged in while nothing guards the laptop (the boot window): the
        kernel's default authorizes it, with every interface and driver."""
        set_authorized_default(1, bus=1)
        set_interface_authorized_default(1, bus=1)
        gadget.create(bind=True, udc=UDC)
        self.port.wait_authorized(TIMEOUT)

    def wait_locked(self):
        """Until carguardd has locked the laptop's bus: usb1 authorized_default=0."""
        return labkit.wait_until(lambda: authorized_default(1) == 0, TIMEOUT,
                                 "usb1 authorized_default=0")

    def reload(self, vendors):
        """The vendor files become VENDORS, and carguardd reloads them now."""
        self.lab.write_policy(self.root, labkit.policy_files(self.carguard_conf, vendors))
        self.lab.reload_carguardd()

    def plug_cycle(self, cycle, gadget, want, vendor):
        """GADGET plugged into the laptop's port and out again: carguardd's decision must
        be WANT by VENDOR, and then a "data" device is authorized with its network link,
        any other only enumerated with no interface, driver or link. What went wrong, as
        lines of text naming the cycle."""
        wrong = []
        gadget.bind(UDC)
        rec = self.watch.wait(lambda r: bool(r.get(cgnames.CG_DBUS_RECORD_ENFORCED)),
                              f"cycle {cycle}: a decision")
        if (rec.get(cgnames.CG_DBUS_RECORD_DECISION) != want
                or str(rec.get(cgnames.CG_DBUS_RECORD_VENDOR)) != vendor):
            wrong.append(f"cycle {cycle}: {rec.get(cgnames.CG_DBUS_RECORD_DECISION)}"
                         f" by {rec.get(cgnames.CG_DBUS_RECORD_VENDOR)}")
        if want == "data":
            self.port.wait_authorized(TIMEOUT)
            self.port.wait_netdev(TIMEOUT)
        else:
            self.port.wait_enumerated(TIMEOUT)
            if self.port.authorized() or self.port.interfaces() or self.port.netdevs():
                wrong.append(f"cycle {cycle}: head unit got in: {self.port.report_json()}")
        gadget.unbind()
        self.port.wait_gone(TIMEOUT)
        return wrong


def main(argv):
    """A look at the cable from a shell in the guest:
    usblab.py report [DEVPATH] | udc-state [UDC] | gadgets"""
    cmd = argv[1] if len(argv) > 1 else "report"
    arg = argv[2] if len(argv) > 2 else None
    if cmd == "report":
        print(json.dumps(CarUsbPort(arg or "1-1").report(), indent=2, sort_keys=True))
    elif cmd == "udc-state":
        print(Udc(arg or "dummy_udc.0").state())
    elif cmd == "gadgets":
        for name in _listdir(GADGETS):
            print(name, _read_text(f"{GADGETS}/{name}/UDC") or "-")
    else:
        print(main.__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
