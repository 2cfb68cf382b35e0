# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the usb-guard-* lab scenarios (loaded by path, not a scenario itself):
TAP output, the system bus, carguardd with a policy of the scenario's own, and the
car's cable.

The cable: dummy_hcd holds both the gadget controller (dummy_udc.0) and the car's host
controller (usb1). With the phone's gadget unbound, the car's side sees nothing at all
whatever happens, so the lab plugs the car in by loading dummy_hcd (the UDC appears:
carguardd's cable signal when the kernel has no Type-C port) and pulls it out by
unloading it."""

import os
import re
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402

import dbus  # noqa: E402
import dbus.mainloop.glib  # noqa: E402
from gi.repository import GLib  # noqa: E402

UDC = "dummy_udc.0"
USB_ID = "usb/" + UDC
TIMEOUT = 20.0
BUS_NAME = "org.carguard.Daemon1"
OBJECT_PATH = "/org/carguard/Daemon1"


# The toolkit's TAP writer: numbered points, diagnostics, check() for bodies that raise.
Tap = labkit.Tap


def modprobe(*args):
    subprocess.run(["/sbin/modprobe", "-d", lab_env("LAB_KROOT") or "/", *args], check=True)


def _lab_env():
    env = dict(os.environ)
    try:
        with open("/run/lab/lab.env") as f:
            for line in f:
                key, sep, value = line.strip().partition("=")
                if sep:
                    env.setdefault(key, value.strip("'\""))
    except FileNotFoundError:
        pass
    return env


def lab_env(key):
    return _lab_env().get(key)


def car_attach():
    """Plug the car in: the UDC and the car's root hub appear."""
    modprobe("dummy_hcd")
    usblab.wait_until(lambda: UDC in usblab.udcs() and os.path.isdir("/sys/bus/usb/devices/usb1"),
                      TIMEOUT, "dummy_udc.0 and usb1")


def car_detach():
    """Pull the car out: dummy_hcd goes, with the UDC and the car's side."""
    if os.path.isdir("/sys/module/dummy_hcd"):
        modprobe("-r", "dummy_hcd")
    usblab.wait_until(lambda: UDC not in usblab.udcs(), TIMEOUT, "dummy_udc.0 to go")


def start_system_bus():
    """The system bus as Debian configures it, plus carguardd's bus policy
    (data/org.carguard.Daemon1.conf, as the package installs it), minus service
    activation: the lab runs no polkit, so carguardd's bouncer takes its documented
    "polkit is not running: root passes" path instead of an activated polkitd that
    knows no carguard actions and has no session for root."""
    os.makedirs("/run/dbus", exist_ok=True)
    src = lab_env("LAB_SRC") or os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
    with open("/usr/share/dbus-1/system.conf") as f:
        text = f.read()
    for element in ("<standard_system_servicedirs/>",):
        text = text.replace(element, "")
    text = re.sub(r"<servicehelper>.*?</servicehelper>", "", text, flags=re.S)
    text = text.replace("</busconfig>",
                        f"  <include>{src}/data/org.carguard.Daemon1.conf</include>\n</busconfig>")
    config = "/tmp/usb-guard-system-bus.conf"
    with open(config, "w") as f:
        f.write(text)
    if not os.path.exists("/run/dbus/system_bus_socket"):
        subprocess.run(["dbus-daemon", f"--config-file={config}", "--fork"], check=True)
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    return dbus.SystemBus()


# The lab's car is this same kernel's host bus (dummy_hcd). A phone-role scenario turns
# the laptop-role guard off, so what the car sees is decided by the gadget guard alone and
# "no data path" cannot pass because the host side happened to be locked.
PHONE_ROLE_ONLY = "[USBHost]\nGuard=no\n"


def write_policy(root, main_conf, vendors=None):
    os.makedirs(os.path.join(root, "etc/carguard/vendors.d"), exist_ok=True)
    with open(os.path.join(root, "etc/carguard/carguard.conf"), "w") as f:
        f.write(main_conf)
    for name, text in (vendors or {}).items():
        with open(os.path.join(root, "etc/carguard/vendors.d", name + ".conf"), "w") as f:
            f.write(text)


class PhoneRole:
    """The common start of a phone-role scenario: policy MAIN_CONF (the laptop-role guard
    off), a system bus, the car's cable out, the phone's gadget created unbound, carguardd
    running (its log in /run/lab/LOG_NAME) and a watch on its decisions."""

    def __init__(self, main_conf, log_name, root="/tmp/cg-root"):
        write_policy(root, main_conf + PHONE_ROLE_ONLY)
        self.bus = start_system_bus()
        car_detach()
        usblab.ensure_configfs()
        usblab.cleanup_all_gadgets()
        self.phone = usblab.PhoneGadget()
        self.phone.create(bind=False)
        self.port = usblab.CarUsbPort("1-1")
        self.daemon = Carguardd(self.bus, root, f"/run/lab/{log_name}").start()
        self.watch = DecisionWatch(self.bus)


class Carguardd:
    """carguardd as built, in the foreground, with --root for its policy."""

    def __init__(self, bus, root, log_path):
        self.bus = bus
        self.root = root
        self.log_path = log_path
        self.proc = None

    def start(self):
        binary = lab_env("LAB_CARGUARDD")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([binary, "--foreground", "--debug", "--root", self.root],
                                     stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        self.wait_for_name()
        return self

    def wait_for_name(self):
        """The bus name is carguardd's sign of life: wait for NameOwnerChanged."""
        loop = GLib.MainLoop()
        seen = []

        def on_owner(name, old, new):
            if name == BUS_NAME and new:
                seen.append(new)
                loop.quit()
        match = self.bus.add_signal_receiver(on_owner, "NameOwnerChanged",
                                             "org.freedesktop.DBus", arg0=BUS_NAME)
        try:
            if not self.bus.name_has_owner(BUS_NAME):
                GLib.timeout_add(int(TIMEOUT * 1000), loop.quit)
                loop.run()
            if not self.bus.name_has_owner(BUS_NAME):
                raise TimeoutError(f"carguardd did not take {BUS_NAME}")
        finally:
            match.remove()

    def proxy(self):
        return dbus.Interface(self.bus.get_object(BUS_NAME, OBJECT_PATH), BUS_NAME)

    def pid(self):
        return self.proc.pid

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=TIMEOUT)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class DecisionWatch:
    """Decision signals for the phone's host (device "usb/dummy_udc.0"), in order.
    Subscribe before the action, then wait: nothing is missed."""

    def __init__(self, bus, device_id=USB_ID):
        self.records = []
        self.device_id = device_id
        self.match = bus.add_signal_receiver(self._on_decision, "Decision", BUS_NAME,
                                             path=OBJECT_PATH)

    def _on_decision(self, record):
        if str(record.get("Id", "")) == self.device_id:
            self.records.append({str(k): v for k, v in record.items()})

    def wait(self, predicate, what, timeout=TIMEOUT):
        """The first new record satisfying predicate (records are consumed)."""
        loop = GLib.MainLoop()
        deadline = time.monotonic() + timeout
        while True:
            while self.records:
                rec = self.records.pop(0)
                if predicate(rec):
                    return rec
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"timed out waiting for a Decision: {what}")
            ctx = loop.get_context()
            source = GLib.timeout_source_new(int(min(remaining, 0.5) * 1000))
            source.set_callback(lambda *a: False)
            source.attach(ctx)
            ctx.iteration(True)
            source.destroy()

    def close(self):
        self.match.remove()


def enforced(decision):
    return lambda rec: rec.get("Decision") == decision and bool(rec.get("Enforced"))


def car_sees_nothing(port):
    """The car's side: no device on its port, no interface, no netdev."""
    return (not port.enumerated() and port.netdevs() == []
            and not any(n.startswith("1-1") for n in usblab._listdir(usblab.USB_DEVICES)),
            port.report_json())


def run(main):
    try:
        sys.exit(main())
    except Exception:
        print("Bail out! " + traceback.format_exc().strip().splitlines()[-1], flush=True)
        traceback.print_exc()
        sys.exit(1)
