# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bluetooth helpers for the Bluetooth guard's lab scenarios: the stack (system bus,
btvirt's two controllers, bluetoothd), the phone's PBAP server and agents, the car's
side (class, pairing, raw RFCOMM connects), carguardd, and waits on D-Bus events with
deadlines. The phone and the car are two of btvirt's emulated controllers."""

import errno
import os
import signal  # noqa: F401 (scenarios signal carguardd)
import socket
import subprocess
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

# Set by Stack(): under TCG one of btvirt's controllers sometimes fails its Reset, so the
# phone and the car are the first two controllers that come up.
PHONE = PHONE_HCI = CAR = CAR_HCI = None
PBAP_SERVER_UUID = "0000112f-0000-1000-8000-00805f9b34fb"
PBAP_CHANNEL = 19
RESULTS = "/run/lab"

# dbus-python is not safe with exported objects served from a second thread, so the
# scenario only makes blocking calls; the phone's objects live in PhoneServer's process.
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)


def lab_env():
    """The launcher's lab.env (KEY=VALUE, shell-quoted) as a dict."""
    import shlex
    env = {}
    with open(os.path.join(RESULTS, "lab.env")) as f:
        for line in f:
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                env[key.replace("export ", "").strip()] = (shlex.split(value) or [""])[0]
    return env


LAB = lab_env()


class Tap:
    def __init__(self, plan):
        self.n = 0
        self.failed = 0
        print(f"1..{plan}", flush=True)

    def check(self, ok, what, diag=None):
        self.n += 1
        if not ok:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {what}", flush=True)
        if diag and not ok:
            for line in str(diag).splitlines():
                print(f"# {line}", flush=True)
        return ok

    def note(self, text):
        print(f"# {text}", flush=True)


def dev_path(adapter, address):
    return f"/org/bluez/{adapter}/dev_{address.replace(':', '_')}"


class Stack:
    """dbus-daemon, btvirt -l2 and bluetoothd, with a GLib loop in a thread."""

    def __init__(self, attach=False):
        self.procs = []
        if attach:
            global PHONE, PHONE_HCI, CAR, CAR_HCI
            self.bus = dbus.SystemBus()
            (PHONE_HCI, PHONE), (CAR_HCI, CAR) = sorted(self.adapters().items())[:2]
            return
        os.makedirs("/run/dbus", exist_ok=True)
        subprocess.run(["dbus-daemon", "--fork", f"--config-file={self.bus_config()}"], check=True)
        self.bus = dbus.SystemBus()
        self.spawn("btvirt", ["btvirt", "-l3"])
        self.start_bluetoothd()

    @staticmethod
    def bus_config():
        """The system bus as installed, plus carguardd's bus policy from the source tree
        (the host root the guest runs is not where carguard is installed)."""
        ours = os.path.join(LAB["LAB_SRC"], "data", "org.carguard.Daemon1.conf")
        path = "/run/lab-system-bus.conf"
        with open(path, "w") as f:
            f.write("<busconfig>\n<include>/usr/share/dbus-1/system.conf</include>\n")
            if os.path.exists(ours):
                f.write(f"<include>{ours}</include>\n")
            f.write("</busconfig>\n")
        return path

    def spawn(self, name, argv, **kw):
        log = open(os.path.join(RESULTS, f"{name}.log"), "ab")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def adapters(self):
        found = {}
        for path, ifaces in self.objects().items():
            if "org.bluez.Adapter1" in ifaces:
                found[str(path).rsplit("/", 1)[-1]] = str(ifaces["org.bluez.Adapter1"]["Address"])
        return found

    def start_bluetoothd(self):
        global PHONE, PHONE_HCI, CAR, CAR_HCI
        self.bluetoothd = self.spawn("bluetoothd", ["/usr/sbin/bluetoothd", "-n", "-d", "-E"])
        self.wait(lambda: len(self.adapters()) >= 2, 60, "two Bluetooth adapters")
        found = self.adapters()
        if PHONE_HCI is None:
            (PHONE_HCI, PHONE), (CAR_HCI, CAR) = sorted(found.items())[:2]
        for hci in (PHONE_HCI, CAR_HCI):
            self.set_adapter(hci, "Powered", True)
        self.set_adapter(PHONE_HCI, "Pairable", True)
        self.set_adapter(PHONE_HCI, "Discoverable", True)
        self.car_btmgmt("class", "4", "32")

    def car_btmgmt(self, *args):
        index = CAR_HCI[3:].encode()
        return subprocess.run([b"btmgmt", b"--index", index] + [a if isinstance(a, bytes) else a.encode() for a in args],
                              capture_output=True)

    def restart_bluetoothd(self):
        self.bluetoothd.terminate()
        self.bluetoothd.wait(20)
        self.wait(lambda: not self.has_name("org.bluez"), 20, "bluetoothd gone")
        self.start_bluetoothd()

    def has_name(self, name):
        return bool(self.bus.name_has_owner(name))

    def objects(self):
        if not self.has_name("org.bluez"):
            return {}
        om = dbus.Interface(self.bus.get_object("org.bluez", "/"),
                            "org.freedesktop.DBus.ObjectManager")
        return om.GetManagedObjects()

    def has_object(self, path):
        try:
            return dbus.ObjectPath(path) in self.objects()
        except dbus.DBusException:
            return False

    def device_props(self, path):
        return self.objects().get(dbus.ObjectPath(path), {}).get("org.bluez.Device1")

    def set_adapter(self, hci, prop, value):
        props = dbus.Interface(self.bus.get_object("org.bluez", f"/org/bluez/{hci}"),
                               "org.freedesktop.DBus.Properties")
        deadline = time.monotonic() + 20
        while True:
            try:
                props.Set("org.bluez.Adapter1", prop, dbus.Boolean(value, variant_level=1))
                return
            except dbus.DBusException as e:
                # A controller still initialising answers Busy; anything else is real.
                if "Busy" not in e.get_dbus_name() or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    @staticmethod
    def wait(cond, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return True
            time.sleep(0.1)
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}")

    def bonded(self, adapter, address):
        props = self.device_props(dev_path(adapter, address))
        return bool(props and (props.get("Paired") or props.get("Bonded")))

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()


class Agent(dbus.service.Object):
    """A do-nothing agent that accepts everything: the unguarded baseline, and the car's
    own NoInputNoOutput agent."""

    def __init__(self, bus, path):
        super().__init__(bus, path)
        self.calls = []

    @dbus.service.method("org.bluez.Agent1", in_signature="", out_signature="")
    def Release(self):
        pass

    @dbus.service.method("org.bluez.Agent1", in_signature="o", out_signature="")
    def RequestAuthorization(self, device):
        self.calls.append(("RequestAuthorization", str(device)))

    @dbus.service.method("org.bluez.Agent1", in_signature="ou", out_signature="")
    def RequestConfirmation(self, device, passkey):
        self.calls.append(("RequestConfirmation", str(device)))

    @dbus.service.method("org.bluez.Agent1", in_signature="os", out_signature="")
    def AuthorizeService(self, device, uuid):
        self.calls.append(("AuthorizeService", str(device), str(uuid)))

    @dbus.service.method("org.bluez.Agent1", in_signature="", out_signature="")
    def Cancel(self):
        pass


def agent_manager(bus):
    return dbus.Interface(bus.get_object("org.bluez", "/org/bluez"), "org.bluez.AgentManager1")


class Profile(dbus.service.Object):
    """The phone's PBAP server: the data a car must not get unless the policy says so."""

    def __init__(self, bus, path):
        super().__init__(bus, path)
        self.fds = []

    @dbus.service.method("org.bluez.Profile1", in_signature="oha{sv}", out_signature="")
    def NewConnection(self, device, fd, props):
        self.fds.append(fd.take())

    @dbus.service.method("org.bluez.Profile1", in_signature="o", out_signature="")
    def RequestDisconnection(self, device):
        pass

    @dbus.service.method("org.bluez.Profile1", in_signature="", out_signature="")
    def Release(self):
        pass


def register_pbap_server(bus):
    profile = Profile(bus, "/lab/phone/pbap")
    pm = dbus.Interface(bus.get_object("org.bluez", "/org/bluez"), "org.bluez.ProfileManager1")
    pm.RegisterProfile("/lab/phone/pbap", PBAP_SERVER_UUID, {
        "Name": "Phonebook", "Role": "server", "Channel": dbus.UInt16(PBAP_CHANNEL),
        "RequireAuthentication": True, "RequireAuthorization": True})
    return profile


def car_pair(bus, timeout=40):
    """The car pairs with the phone through its own NoInputNoOutput agent, as a head unit
    does, in a process of its own. Returns None on success, else the D-Bus error name."""
    r = subprocess.run([sys.executable, os.path.realpath(__file__), "car-pair", str(timeout)],
                       capture_output=True, text=True, timeout=timeout + 40)
    out = r.stdout.strip().splitlines()
    result = out[-1] if out else f"no result (rc {r.returncode}): {r.stderr.strip()[-200:]}"
    return None if result == "paired" else result


def _car_pair_main(timeout):
    bus = dbus.SystemBus()
    agent = Agent(bus, "/lab/car/agent")  # noqa: F841 (served while pairing)
    agent_manager(bus).RegisterAgent("/lab/car/agent", "NoInputNoOutput")
    found = Stack(attach=True)
    path = dev_path(CAR_HCI, PHONE)
    adapter = dbus.Interface(bus.get_object("org.bluez", f"/org/bluez/{CAR_HCI}"), "org.bluez.Adapter1")
    if not has_object(bus, path):
        try:
            adapter.ConnectDevice({"Address": PHONE, "AddressType": "public"}, timeout=timeout)
        except dbus.DBusException:
            pass  # the device object is what is needed; Pair reports real failures
    if not has_object(bus, path):
        adapter.StartDiscovery()
        try:
            found.wait(lambda: has_object(bus, path), 30, "the car to discover the phone")
        finally:
            adapter.StopDiscovery()
    loop = GLib.MainLoop()
    result = []

    def done(value):
        result.append(value)
        loop.quit()

    dev = dbus.Interface(bus.get_object("org.bluez", path), "org.bluez.Device1")
    dev.Pair(reply_handler=lambda: done("paired"),
             error_handler=lambda e: done(e.get_dbus_name()), timeout=timeout)
    loop.run()
    print(result[0], flush=True)


class PhoneServer:
    """The phone's PBAP server (and, for the unguarded runs, an accept-all default agent)
    in a process of its own with its own main loop."""

    def __init__(self, with_agent=False):
        argv = [sys.executable, os.path.realpath(__file__), "phone-serve"]
        if with_agent:
            argv.append("--agent")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"phone server did not start: {line!r}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def _phone_serve(with_agent):
    bus = dbus.SystemBus()
    keep = [register_pbap_server(bus)]
    if with_agent:
        keep.append(Agent(bus, "/lab/phone/agent"))
        am = agent_manager(bus)
        am.RegisterAgent("/lab/phone/agent", "DisplayYesNo")
        am.RequestDefaultAgent("/lab/phone/agent")
    print("ready", flush=True)
    GLib.MainLoop().run()


def has_object(bus, path):
    om = dbus.Interface(bus.get_object("org.bluez", "/"), "org.freedesktop.DBus.ObjectManager")
    return dbus.ObjectPath(path) in om.GetManagedObjects()


def forget(bus, adapter, address):
    """Removes the bond (and device object) on one side, as a person would in settings."""
    ad = dbus.Interface(bus.get_object("org.bluez", f"/org/bluez/{adapter}"), "org.bluez.Adapter1")
    try:
        ad.RemoveDevice(dev_path(adapter, address))
    except dbus.DBusException:
        pass


def car_rfcomm_connect(channel=PBAP_CHANNEL, timeout=30):
    """The car opens an RFCOMM channel to the phone; returns (errno or 0, socket or None)."""
    s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
    s.settimeout(timeout)
    try:
        s.bind((CAR, 0))
        s.connect((PHONE, channel))
        return 0, s
    except OSError as e:
        s.close()
        return (e.errno if e.errno else errno.ETIMEDOUT), None


def socket_closed_by_peer(sock, timeout):
    """Waits for the car's open socket to be closed from the phone's side."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


class Carguardd:
    """carguardd with a policy root of its own, its stderr kept for log assertions."""

    def __init__(self, stack, root):
        self.stack = stack
        self.root = root
        self.log_path = os.path.join(RESULTS, "carguardd.log")
        self.proc = None

    def write(self, rel, text):
        path = os.path.join(self.root, rel.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([LAB["LAB_CARGUARDD"], "--foreground", "--debug",
                                      "--root", self.root], stdout=log, stderr=log)
        self.stack.wait(lambda: "registered as BlueZ's default agent" in self.log(), 30,
                        "carguardd's agent registration")

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_bytes(self):
        with open(self.log_path, "rb") as f:
            return f.read()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.running():
            self.proc.terminate()
            self.proc.wait(10)

    def policy_cli(self, command, *args):
        """carguard policy COMMAND --root R ARGS...: the edit path a person uses."""
        return subprocess.run([LAB["LAB_CARGUARD"], "policy", command, "--root", self.root,
                               *args], capture_output=True, text=True)


if __name__ == "__main__" and sys.argv[1:2] == ["phone-serve"]:
    _phone_serve("--agent" in sys.argv)
elif __name__ == "__main__" and sys.argv[1:2] == ["car-pair"]:
    _car_pair_main(int(sys.argv[2]))
