# SPDX-License-Identifier: LGPL-2.1-or-later
"""The scenario toolkit of the carguard lab, used inside the guest.

    import labkit
    tap = labkit.Tap()
    with labkit.Lab() as lab:
        lab.bluetooth_up(main_conf=labkit.main_conf(device_id="bluetooth:004B:1234:0001"))
        phone = lab.start_phone(agent=True)
        result = lab.run_car(pairing="just-works")
        tap.ok(result["paired"], "the car paired", result)
    sys.exit(tap.done())

Everything a scenario starts is stopped when the Lab closes; every log lands in the
run's log directory (/run/lab in the guest, DIR/lab/runs/ID on the host). The USB half
(gadgets, the car's port, the cable, the phone and laptop roles) is usblab.py."""

import errno
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

import cgnames

RESULTS = "/run/lab"
GUEST = os.path.dirname(os.path.realpath(__file__))
PYTHON = "/usr/bin/python3"

PHONE_ADAPTER = "hci0"
PHONE_ADDRESS = "00:AA:01:00:00:00"
CAR_ADAPTER = "hci1"
CAR_ADDRESS = "00:AA:01:01:00:01"

BLUEZ = "org.bluez"

NETLINK_KOBJECT_UEVENT = 15
SO_RCVBUFFORCE = 33


class LabFailure(Exception):
    """The lab did not get where the scenario needed it (a process did not come up, a
    wait ran out): what the scenario meant to observe cannot be observed."""


class Timeout(LabFailure):
    """What wait_until waited for did not happen by its deadline."""


# ---------------------------------------------------------------- TAP

class Tap:
    """TAP 13 for the launcher and meson: numbered test points with YAML-ish
    diagnostics. Without an explicit plan the plan is printed by done()."""

    def __init__(self, plan=None, out=None):
        self.out = out or sys.stdout
        self.count = 0
        self.failed = 0
        self.planned = None
        if plan is not None:
            self.plan(plan)

    def _print(self, line):
        self.out.write(line + "\n")
        self.out.flush()

    def plan(self, n):
        self.planned = n
        self._print(f"1..{n}")

    def ok(self, cond, description, diagnostics=None):
        self.count += 1
        if not cond:
            self.failed += 1
        self._print(f"{'ok' if cond else 'not ok'} {self.count} - {description}")
        if diagnostics is not None and not cond:
            self.diag(diagnostics)
        return bool(cond)

    def check(self, description, fn):
        """A test point whose body may raise (a timeout is a failure, not a crash). FN
        returns a condition, or (condition, diagnostics)."""
        try:
            result = fn()
        except Exception:
            return self.ok(False, description, traceback.format_exc())
        cond, diagnostics = result if isinstance(result, tuple) else (result, None)
        return self.ok(cond, description, diagnostics)

    def skip(self, description, reason):
        self.count += 1
        self._print(f"ok {self.count} - {description} # SKIP {reason}")

    def diag(self, message):
        if not isinstance(message, str):
            message = json.dumps(message, indent=2, sort_keys=True, default=str)
        for line in message.splitlines() or [""]:
            self._print(f"# {line}")

    def bail(self, reason):
        self._print(f"Bail out! {reason}")
        return 1

    def done(self):
        if self.planned is None:
            self._print(f"1..{self.count}")
        elif self.planned != self.count:
            self.diag(f"planned {self.planned} tests but ran {self.count}")
            return 1
        return 1 if self.failed else 0


# ---------------------------------------------------------------- waiting

def setup_mainloop():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)


class UeventMonitor:
    """Kernel uevents (NETLINK_KOBJECT_UEVENT, multicast group 1). Open it before
    checking a condition, then wait: an event that happens between the check and the
    wait is still queued on the socket, so nothing is missed."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC,
                                  NETLINK_KOBJECT_UEVENT)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20)
        except OSError:
            pass
        self.sock.bind((0, 1))
        self.sock.setblocking(False)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def fileno(self):
        return self.sock.fileno()

    def drain(self):
        """Every queued uevent, as dicts (ACTION, DEVPATH, SUBSYSTEM, ...)."""
        events = []
        while True:
            try:
                msg = self.sock.recv(65536)
            except BlockingIOError:
                return events
            except OSError as e:
                if e.errno == errno.ENOBUFS:  # overflowed: the waiter re-checks anyway
                    continue
                raise
            ev = {}
            for field in msg.split(b"\0")[1:]:
                key, sep, value = field.partition(b"=")
                if sep:
                    ev[key.decode(errors="replace")] = value.decode(errors="replace")
            events.append(ev)


def status_kb(pid, field):
    """A size from /proc/PID/status in kB ("VmRSS"), or None."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def heap_rss_kb(pid):
    """Resident size of the main thread's malloc arena ([heap] in smaps), in kB."""
    rss, in_heap = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                in_heap = line.rstrip().endswith("[heap]")
            elif in_heap and line.startswith("Rss:"):
                rss += int(line.split()[1])
    return rss


def wait_until(predicate, timeout, what="condition", interval=0.05):
    """Returns PREDICATE's first truthy value. Between checks it serves the GLib main
    loop, so D-Bus calls to our own objects (agents, profiles) are answered and signals
    delivered meanwhile, and it checks again on every D-Bus message, every kernel
    uevent (a USB device, interface or netdev coming or going) and at least every
    INTERVAL seconds (a property or a sysfs attribute can change without an event).
    Raises Timeout naming WHAT once TIMEOUT seconds have passed."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    with UeventMonitor() as uevents:
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout(f"timed out after {timeout:g}s waiting for {what}")
            _serve(ctx, uevents, min(remaining, interval))


def _serve(ctx, uevents, seconds):
    """Runs CTX until something is dispatched: a D-Bus message, a uevent or the end of
    SECONDS."""
    timer = GLib.timeout_source_new(max(1, int(seconds * 1000)))
    timer.set_callback(lambda *_: False)
    timer.attach(ctx)
    kernel = GLib.unix_fd_source_new(uevents.fileno(), GLib.IOCondition.IN)

    def drain(*_):
        uevents.drain()
        return False

    kernel.set_callback(drain)
    kernel.attach(ctx)
    try:
        # Attaching a source wakes the context: an iteration may dispatch nothing.
        while not ctx.iteration(True):
            pass
    finally:
        timer.destroy()
        kernel.destroy()


def errno_name(exc):
    """The name of the error a socket call raised ("ECONNREFUSED"): what the car got."""
    if isinstance(exc, socket.timeout):
        return "ETIMEDOUT"
    if isinstance(exc, OSError) and exc.errno:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return type(exc).__name__


def in_thread(fn, timeout, what):
    """FN() in a thread while this one serves the main loop (a blocking socket call must
    not stall the D-Bus objects that bluetoothd calls back meanwhile). Returns FN's
    value or raises its exception."""
    state = {}

    def body():
        try:
            state["value"] = fn()
        except BaseException as e:
            state["error"] = e

    worker = threading.Thread(target=body, daemon=True)
    worker.start()
    wait_until(lambda: not worker.is_alive(), timeout, what)
    if "error" in state:
        raise state["error"]
    return state.get("value")


def call(method, *args, timeout=30, **kwargs):
    """A D-Bus method call that keeps serving the main loop while it is pending (our
    own agent may be called back meanwhile). Returns the reply or raises the
    dbus.exceptions.DBusException."""
    state = {}
    method(*args, timeout=timeout,
           reply_handler=lambda *r: state.setdefault("reply", r),
           error_handler=lambda e: state.setdefault("error", e), **kwargs)
    wait_until(lambda: state, timeout + 5, what=f"a reply to {getattr(method, '_method_name', method)}")
    if "error" in state:
        raise state["error"]
    reply = state["reply"]
    return reply[0] if len(reply) == 1 else (reply or None)


# ---------------------------------------------------------------- BlueZ helpers

def system_bus():
    return dbus.SystemBus()


def adapter_path(adapter):
    return f"/org/bluez/{adapter}"


def device_path(adapter, address):
    return f"/org/bluez/{adapter}/dev_{address.replace(':', '_')}"


def managed_objects(bus):
    om = dbus.Interface(bus.get_object(BLUEZ, "/"), "org.freedesktop.DBus.ObjectManager")
    return om.GetManagedObjects()


def props(bus, path, interface, timeout=10):
    """All properties of INTERFACE on PATH, as plain Python values, or None."""
    try:
        obj = bus.get_object(BLUEZ, path, introspect=False)
        raw = dbus.Interface(obj, "org.freedesktop.DBus.Properties").GetAll(interface, timeout=timeout)
    except dbus.exceptions.DBusException:
        return None
    return plain(raw)


def set_prop(bus, path, interface, name, value):
    obj = bus.get_object(BLUEZ, path)
    dbus.Interface(obj, "org.freedesktop.DBus.Properties").Set(interface, name, value)


def plain(value):
    """dbus types to JSON-able Python values."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16,
                          dbus.UInt32, dbus.UInt64)):
        return int(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(value)
    if isinstance(value, dbus.Array) and value.signature == "y":
        return [int(b) for b in value]
    if isinstance(value, (dbus.Array, list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def bond_state(bus, adapter, address):
    """{"exists", "paired", "bonded", "trusted"} of ADDRESS as seen from ADAPTER."""
    p = props(bus, device_path(adapter, address), "org.bluez.Device1")
    if p is None:
        return {"exists": False, "paired": False, "bonded": False, "trusted": False}
    return {"exists": True, "paired": p.get("Paired", False),
            # Bonded is a BlueZ 5.66 addition; without it, a stored key is Paired.
            "bonded": p.get("Bonded", p.get("Paired", False)),
            "trusted": p.get("Trusted", False)}


def main_conf(device_id=None, name=None, extra="", just_works_repairing="always"):
    """Text of a bluetoothd main.conf. One bluetoothd serves both emulated
    controllers, so DEVICE_ID ("bluetooth:VVVV:PPPP:DDDD") is the car's Device ID as
    the phone sees it (and the phone's too). JUST_WORKS_REPAIRING "never" is BlueZ's
    default (a bonded address that pairs again with Just Works is refused without asking
    any agent); "always" lets the lab's honest car pair again after forget()."""
    lines = ["[General]", f"JustWorksRepairing = {just_works_repairing}", "DiscoverableTimeout = 0",
             "PairableTimeout = 0"]
    if device_id:
        lines.append(f"DeviceID = {device_id}")
    if name:
        lines.append(f"Name = {name}")
    return "\n".join(lines) + "\n" + extra


# ---------------------------------------------------------------- the lab

class Lab:
    def __init__(self):
        with open(os.path.join(RESULTS, "lab.json")) as f:
            self.env = json.load(f)
        self.src = self.env["LAB_SRC"]
        self.build = self.env["LAB_BUILD"]
        self.carguardd_path = self.env.get("LAB_CARGUARDD") or None
        self.carguard_path = self.env.get("LAB_CARGUARD") or None
        self.procs = {}
        self.bus = None
        self.bluetoothd_conf = None
        self.carguardd = None
        setup_mainloop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- processes

    def log_path(self, name):
        return os.path.join(RESULTS, name)

    def spawn(self, name, argv, stdout=None, stdin=subprocess.DEVNULL, **kwargs):
        """Starts a tracked process; its stderr (and stdout unless given) goes to
        NAME.log in the run's log directory."""
        log = open(self.log_path(f"{name}.log"), "ab")
        proc = subprocess.Popen(argv, stdin=stdin,
                                stdout=log if stdout is None else stdout,
                                stderr=log, **kwargs)
        self.procs[name] = proc
        return proc

    def stop(self, name, sig=signal.SIGTERM, timeout=10):
        """Stops a tracked process; returns its exit status."""
        proc = self.procs.pop(name, None)
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def bluetoothd_blocked_in_accept(self):
        """bluetoothd's SDP server accepts with a blocking accept(); when the incoming
        connection is torn down between poll() and accept() (seen here when the
        same bluetoothd's own SDP client on the other controller gives up), it blocks
        for good and answers nothing. Worth naming when a scenario fails."""
        proc = self.procs.get("bluetoothd")
        if proc is None or proc.poll() is not None:
            return False
        try:
            with open(f"/proc/{proc.pid}/stack") as f:
                return "l2cap_sock_accept" in f.read()
        except OSError:
            return False

    def close(self):
        import sdp_unstick

        for event in sdp_unstick.events(self.log_path("sdp-unstick.jsonl")):
            print("# labkit: bluetoothd's SDP server was stuck in accept(); the lab completed"
                  f" it: {event}", flush=True)
        if self.bluetoothd_blocked_in_accept():
            print("# labkit: bluetoothd is blocked in accept() on an L2CAP socket (its SDP server);"
                  " everything Bluetooth after that timed out. See processes.log.", flush=True)
        self.record_processes()
        for name in reversed(list(self.procs)):
            self.stop(name, timeout=5)

    def record_processes(self):
        """What every process the scenario started was doing at the end (state,
        wait channel, kernel stack), in processes.log: the first thing to read when
        a daemon stopped answering."""
        with open(self.log_path("processes.log"), "a") as log:
            for name, proc in self.procs.items():
                log.write(f"== {name} pid {proc.pid} exit {proc.poll()}\n")
                if proc.poll() is not None:
                    continue
                for entry in ("status", "wchan", "stack", "syscall"):
                    try:
                        with open(f"/proc/{proc.pid}/{entry}") as f:
                            text = f.read()
                    except OSError as e:
                        text = f"({e})"
                    if entry == "status":
                        text = "".join(line for line in text.splitlines(True)
                                       if line.startswith(("State", "Threads")))
                    log.write(f"-- {entry}\n{text.rstrip()}\n")

    # -- D-Bus and BlueZ

    def system_bus_config(self, carguard=True):
        """The system bus as Debian configures it, minus service activation: the lab
        runs no polkit, so carguardd's bouncer takes its documented "polkit is not
        running: root passes" path instead of an activated polkitd that knows no
        carguard actions and has no session for root. With CARGUARD, carguard's bus
        policy files from the source tree (data/*.conf with a <busconfig>: the guest runs
        the host root, where carguard is not installed) are read where the package installs
        them, in /usr/share/dbus-1/system.d: before /etc/dbus-1/system.d and its
        bluetooth.conf, so the rules combine as on a Debian system that has carguard."""
        path = "/run/carguard-lab-system-bus.conf"
        with open("/usr/share/dbus-1/system.conf") as f:
            text = f.read()
        text = text.replace("<standard_system_servicedirs/>", "")
        text = re.sub(r"<servicehelper>.*?</servicehelper>", "", text, flags=re.S)
        # A relative includedir is relative to the file that names it, which now lives
        # in /run: the policy files of /usr/share/dbus-1/system.d (logind's among them)
        # would be left out.
        shipped = "<includedir>/usr/share/dbus-1/system.d</includedir>"
        ours = self.carguard_bus_policies() if carguard else []
        text = text.replace("<includedir>system.d</includedir>",
                            "\n  ".join([shipped] + [f"<include>{p}</include>" for p in ours]))
        with open(path, "w") as f:
            f.write(text)
        return path

    def carguard_bus_policies(self):
        data = os.path.join(self.src, "data")
        found = []
        for name in sorted(os.listdir(data)):
            if name.endswith(".conf"):
                with open(os.path.join(data, name)) as f:
                    if "<busconfig" in f.read():
                        found.append(os.path.join(data, name))
        return found

    def start_system_bus(self, carguard=True):
        """The system bus (once per boot), with carguard's bus policy installed unless
        CARGUARD is false (an unguarded phone); returns the connection to it."""
        if self.bus is not None:
            return self.bus
        os.makedirs("/run/dbus", exist_ok=True)
        subprocess.run(["dbus-daemon", f"--config-file={self.system_bus_config(carguard)}", "--fork",
                        "--nopidfile"], check=True)
        wait_until(lambda: os.path.exists("/run/dbus/system_bus_socket"), 20, "the system bus")
        self.bus = system_bus()
        return self.bus

    def name_has_owner(self, name):
        dbus_obj = self.bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
        return bool(dbus.Interface(dbus_obj, "org.freedesktop.DBus").NameHasOwner(name))

    def start_bluetoothd(self, conf_text=None):
        """bluetoothd -n with main.conf CONF_TEXT (kept for restart_bluetoothd)."""
        if conf_text is not None:
            self.bluetoothd_conf = conf_text
        conf = "/run/carguard-lab-main.conf"
        with open(conf, "w") as f:
            f.write(self.bluetoothd_conf or main_conf())
        self.spawn("bluetoothd", ["/usr/libexec/bluetooth/bluetoothd", "-n", "-d", "-f", conf])
        wait_until(lambda: self.name_has_owner(BLUEZ), 30, "bluetoothd on the system bus")

    def restart_bluetoothd(self, sig=signal.SIGTERM):
        self.stop("bluetoothd", sig)
        wait_until(lambda: not self.name_has_owner(BLUEZ), 10, "bluetoothd to leave the bus")
        self.start_bluetoothd()
        self.wait_adapters()
        for adapter in (PHONE_ADAPTER, CAR_ADAPTER):
            self.power(adapter)

    def start_btmon(self):
        self.spawn("btmon", ["btmon", "-T"])  # its text goes to btmon.log

    def start_btvirt(self):
        warm_up_kernel_crypto()
        self.spawn("btvirt", ["stdbuf", "-oL", "-eL", "btvirt", "-l2"])

    def adapters(self):
        return sorted(str(p).rsplit("/", 1)[1] for p, ifs in managed_objects(self.bus).items()
                      if "org.bluez.Adapter1" in ifs)

    def wait_adapters(self, names=(PHONE_ADAPTER, CAR_ADAPTER), timeout=60):
        wait_until(lambda: all(n in self.adapters() for n in names), timeout,
                   f"adapters {' '.join(names)} on D-Bus")

    def power(self, adapter, on=True, timeout=20):
        path = adapter_path(adapter)
        what = f"{adapter} powered {'on' if on else 'off'}"

        def done():
            p = props(self.bus, path, "org.bluez.Adapter1")
            return p is not None and p.get("Powered") == on

        deadline = time.monotonic() + timeout
        while not done():
            try:
                set_prop(self.bus, path, "org.bluez.Adapter1", "Powered", dbus.Boolean(on))
            except dbus.exceptions.DBusException as e:
                # bluetoothd powers new adapters itself (AutoEnable); a Set that
                # meets its power-on half-way is Busy, and the state follows.
                if e.get_dbus_name() != "org.bluez.Error.Busy":
                    raise
            try:
                wait_until(done, max(0.1, min(5, deadline - time.monotonic())), what)
            except LabFailure:
                if time.monotonic() >= deadline:
                    raise

    def bluetooth_up(self, main_conf_text=None, carguard=True):
        """The whole Bluetooth stack: system bus (with carguard's bus policy unless
        CARGUARD is false), btmon, bluetoothd, two emulated controllers (hci0 = phone,
        hci1 = car), both powered."""
        self.start_system_bus(carguard)
        self.start_btmon()
        self.start_bluetoothd(main_conf_text)
        self.start_btvirt()
        try:
            self.wait_adapters(timeout=45)
        except LabFailure as e:
            # Seen under heavy host load: the first emulated controller never
            # answers its Reset. A fresh btvirt gets fresh controllers.
            print(f"labkit: {e}; restarting btvirt", file=sys.stderr, flush=True)
            self.stop("btvirt")
            wait_until(lambda: not self.adapters(), 30, "the emulated controllers to go")
            self.start_btvirt()
            self.wait_adapters()
        for adapter in (PHONE_ADAPTER, CAR_ADAPTER):
            self.power(adapter)
        self.start_sdp_watchdog()

    def start_sdp_watchdog(self):
        """See sdp_unstick.py: a lab-only hang of bluetoothd's SDP server, undone and
        recorded; close() reports every time it stepped in."""
        if "sdp-unstick" not in self.procs:
            here = os.path.dirname(os.path.realpath(__file__))
            self.spawn("sdp-unstick", [PYTHON, os.path.join(here, "sdp_unstick.py"),
                                       self.log_path("sdp-unstick.jsonl")])

    def forget(self, pairs=((CAR_ADAPTER, PHONE_ADDRESS), (PHONE_ADAPTER, CAR_ADDRESS)), timeout=30):
        """Removes the devices (bond included) of PAIRS [(adapter, address)...]. Waits
        for the link to drop first: a RemoveDevice racing bluetoothd's own removal at
        disconnect leaves a half-removed device that cannot pair again."""
        paths = [(adapter, device_path(adapter, address)) for adapter, address in pairs]

        def idle():
            return all(not (props(self.bus, p, "org.bluez.Device1") or {}).get("Connected")
                       for _, p in paths)

        wait_until(idle, timeout, "the links to drop")
        for adapter, path in paths:
            if props(self.bus, path, "org.bluez.Device1") is None:
                continue
            a = dbus.Interface(self.bus.get_object(BLUEZ, adapter_path(adapter)), "org.bluez.Adapter1")
            try:
                a.RemoveDevice(path)
            except dbus.exceptions.DBusException as e:
                if e.get_dbus_name() != "org.bluez.Error.DoesNotExist":
                    raise

        # An inquiry still running on the other adapter finds the device again at once, as
        # a temporary device without a bond (BlueZ drops it after TemporaryTimeout): that
        # one is forgotten too.
        def forgotten(path):
            p = props(self.bus, path, "org.bluez.Device1")
            return p is None or not (p.get("Paired") or p.get("Bonded") or p.get("Connected"))

        wait_until(lambda: all(forgotten(p) for _, p in paths), timeout, "the bonds to be removed")

    # -- carguardd

    def write_policy(self, root, files):
        """Writes a policy root: FILES maps paths relative to ROOT (e.g.
        "etc/carguard/vendors.d/acme.conf") to their text."""
        for rel, text in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        return root

    def start_carguardd(self, root, args=(), wait_name=None, timeout=30):
        """carguardd --foreground --root ROOT, stderr to carguardd.log. With WAIT_NAME,
        waits until it owns that bus name."""
        if not self.carguardd_path:
            raise LabFailure("carguardd is not built in " + self.build)
        self.carguardd = self.spawn("carguardd", [self.carguardd_path, "--foreground", "--root", root, *args])
        if wait_name:
            wait_until(lambda: self.carguardd.poll() is not None or self.name_has_owner(wait_name),
                       timeout, f"carguardd to own {wait_name}")
            if self.carguardd.poll() is not None:
                raise LabFailure(f"carguardd exited with {self.carguardd.returncode}")
        return self.carguardd

    def stop_carguardd(self):
        return self.stop("carguardd", signal.SIGTERM)

    def kill_carguardd(self):
        return self.stop("carguardd", signal.SIGKILL)

    def carguardd_runs(self):
        return self.carguardd is not None and self.carguardd.poll() is None

    def start_fake_logind(self, locked=True):
        """A fake logind (FakeLogind) on the system bus, its one session LOCKED or not."""
        self.start_system_bus()
        return FakeLogind(self, locked)

    def reload_carguardd(self):
        """SIGHUP: carguardd reloads its policy now, not after its file monitor's
        debounce."""
        self.carguardd.send_signal(signal.SIGHUP)

    def carguardd_api(self):
        """carguardd's D-Bus interface (what the CLI and the notifier call)."""
        obj = self.bus.get_object(cgnames.CG_DBUS_NAME, cgnames.CG_DBUS_PATH)
        return dbus.Interface(obj, cgnames.CG_DBUS_INTERFACE)

    def device_record(self, device_id):
        """carguardd's record of DEVICE_ID as ListDevices gives it now, or None. A device
        judged while carguardd starts may be judged before its Decision signal can go
        out; the list has it."""
        for record in self.carguardd_api().ListDevices():
            if str(record.get(cgnames.CG_DBUS_RECORD_ID, "")) == device_id:
                return {str(k): v for k, v in record.items()}
        return None

    def carguard(self, *args, root=None):
        """Runs the carguard CLI; returns CompletedProcess (text)."""
        if not self.carguard_path:
            raise LabFailure("the carguard CLI is not built in " + self.build)
        argv = [self.carguard_path] + (["--root", root] if root else []) + list(args)
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    def explain(self, root, **facts):
        """`carguard --root ROOT policy explain --json` with FACTS as options
        (bt_address="..." becomes --bt-address=...). Returns (json or None, error)."""
        if not self.carguard_path:
            return None, "the carguard CLI is not built"
        opts = [f"--{k.replace('_', '-')}={v}" for k, v in facts.items() if v is not None]
        tries = (["--root", root, "policy", "explain", "--json", *opts],
                 ["policy", "explain", "--root", root, "--json", *opts])
        error = None
        for argv in tries:
            out = subprocess.run([self.carguard_path, *argv], capture_output=True, text=True, timeout=60)
            if out.returncode == 0:
                try:
                    return json.loads(out.stdout), None
                except ValueError:
                    error = f"explain printed no JSON: {out.stdout[:200]!r}"
            else:
                error = out.stderr.strip() or f"exit {out.returncode}"
        return None, error

    # -- the phone and the car

    def start_phone(self, agent=True, services=None, timeout=60):
        """phone.py in the background on hci0; returns once its servers are
        registered. Its events go to phone-events.jsonl."""
        argv = [PYTHON, os.path.join(GUEST, "phone.py"), "--events", self.log_path("phone-events.jsonl")]
        if not agent:
            argv.append("--no-agent")
        if services:
            argv += ["--services", ",".join(services)]
        proc = self.spawn("phone", argv, stdout=subprocess.PIPE)
        line = _readline_with_deadline(proc.stdout, timeout)
        if line.strip() != "ready":
            raise LabFailure(f"the phone did not come up (said {line!r}, exit {proc.poll()})")
        return proc

    def phone_events(self):
        return self.events("phone")

    def events(self, name):
        """The JSON lines of NAME-events.jsonl (the phone's, a desktop agent's)."""
        try:
            with open(self.log_path(f"{name}-events.jsonl")) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def phone_pair(self, address, transport="le", timeout=60):
        """The person pairs from the phone's settings: the phone's adapter discovers
        ADDRESS over TRANSPORT, then Device1.Pair() from a caller with no agent of its
        own, so the default agent decides. Returns None or BlueZ's error name."""
        path = device_path(PHONE_ADAPTER, address)
        adapter = dbus.Interface(self.bus.get_object(BLUEZ, adapter_path(PHONE_ADAPTER)),
                                 "org.bluez.Adapter1")
        if props(self.bus, path, "org.bluez.Device1") is None:
            adapter.SetDiscoveryFilter({"Transport": dbus.String(transport)})
            adapter.StartDiscovery()
            try:
                wait_until(lambda: props(self.bus, path, "org.bluez.Device1"), 30,
                           f"{address} in the phone's discovery")
            finally:
                try:
                    adapter.StopDiscovery()
                except dbus.exceptions.DBusException:
                    pass
        device = dbus.Interface(self.bus.get_object(BLUEZ, path), "org.bluez.Device1")
        try:
            call(device.Pair, timeout=timeout)
        except dbus.exceptions.DBusException as e:
            return e.get_dbus_name() or str(e)
        return None

    def start_desktop_agent(self, name, uid=0, trust=False):
        """desktop_agent.py as UID (0, or NOBODY for an ordinary user): another agent that
        takes the default role and accepts everything; with TRUST it marks each newly
        paired device Trusted. Returns (process, its "ready" event: what RegisterAgent and
        RequestDefaultAgent answered, None for success)."""
        events = self.log_path(f"{name}-events.jsonl")
        argv = [PYTHON, os.path.join(GUEST, "desktop_agent.py")] + (["--trust"] if trust else [])
        proc = self.spawn(name, argv, stdout=open(events, "ab"), **_as_user(uid))
        ready = wait_until(lambda: proc.poll() is not None or _first_event(events, "ready"), 30,
                           f"{name} to register")
        if ready is True or ready is None:
            raise LabFailure(f"{name} exited with {proc.returncode}")
        return proc, ready

    def set_trusted_from(self, uid, address):
        """Another local process (as UID) sets Trusted=true on the phone's device ADDRESS;
        returns BlueZ's error name or None."""
        out = subprocess.run([PYTHON, os.path.join(GUEST, "desktop_agent.py"), "--trust-now", address],
                             capture_output=True, text=True, timeout=30, **_as_user(uid))
        try:
            return json.loads(out.stdout.splitlines()[-1]).get("error")
        except (ValueError, IndexError):
            raise LabFailure(f"the trust setter printed nothing (exit {out.returncode}): {out.stderr[-300:]}")

    def start_car(self):
        """The car as a process that stays up and takes commands (CarProcess); its
        stderr goes to car.log, every answer to car-reports.jsonl."""
        proc = self.spawn("car", [PYTHON, os.path.join(GUEST, "car.py"), "--serve"],
                          stdout=subprocess.PIPE, stdin=subprocess.PIPE)
        return CarProcess(proc, self.log_path("car-reports.jsonl"))

    def run_car(self, timeout=240, **options):
        """Runs car.py once (pair, then connect every service) and returns its JSON
        report. OPTIONS become car.py flags: pairing="just-works"|"numeric"|None,
        name=, cls="4,32", services=[...]."""
        argv = [PYTHON, os.path.join(GUEST, "car.py")]
        for key, value in options.items():
            if value is None:
                continue
            flag = "--" + key.replace("_", "-")
            if isinstance(value, (list, tuple)):
                value = ",".join(value)
            argv += [flag, str(value)]
        with open(self.log_path("car.log"), "ab") as log:
            out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=log, timeout=timeout)
        try:
            report = json.loads(out.stdout)
        except ValueError:
            raise LabFailure(f"car.py printed no report (exit {out.returncode}): {out.stdout[-500:]!r}")
        with open(self.log_path("car-reports.jsonl"), "a") as f:
            f.write(json.dumps(report) + "\n")
        return report


class CarProcess:
    """car.py --serve (Lab.start_car): the car stays up between connections and does
    one thing per command, so a scenario can make it lie between two of them. do()
    waits for the answer while serving the main loop; send() and answer() split it, for
    a scenario that acts (answers a question) while the car waits."""

    def __init__(self, proc, reports):
        self.proc = proc
        self.reports = reports
        self.buffer = b""
        os.set_blocking(proc.stdout.fileno(), False)
        ready = self.answer(60, "the car to come up")
        if ready != "ready":
            raise LabFailure(f"the car did not come up: {ready!r}")

    def send(self, op, **args):
        self.proc.stdin.write((json.dumps({"op": op, **args}) + "\n").encode())
        self.proc.stdin.flush()

    def _line(self):
        while b"\n" not in self.buffer:
            try:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
            except BlockingIOError:
                return None
            if not chunk:
                raise LabFailure(f"the car exited ({self.proc.poll()})")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def answer(self, timeout=240, what="the car's answer"):
        """The result of the last command sent; raises LabFailure if it failed."""
        reply = json.loads(wait_until(self._line, timeout, what))
        with open(self.reports, "a") as f:
            f.write(json.dumps(reply) + "\n")
        if not reply.get("ok"):
            raise LabFailure(f"the car failed: {reply.get('error')}")
        return reply["result"]

    def answered(self):
        """Whether the answer to the last command has come (answer() then returns it
        at once)."""
        line = self._line()
        if line is None:
            return False
        self.buffer = line + b"\n" + self.buffer
        return True

    def do(self, op, timeout=240, **args):
        self.send(op, **args)
        return self.answer(timeout, f"the car to {op}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


NOBODY = 65534  # an ordinary, unprivileged user: exists on every Debian system

LOGIN1 = "org.freedesktop.login1"
LOGIN1_PATH = "/org/freedesktop/login1"
DBUSMOCK = "org.freedesktop.DBus.Mock"


class FakeLogind:
    """FAKE: logind, as python3-dbusmock's logind template on the lab's system bus. The
    quick lab boots no systemd (the systemd lab, tests/lab/system, has the real logind),
    and carguardd's lock monitor reads only logind's seats and sessions. The machine
    here has a graphical seat (seat0) and one local wayland session of the person (UID,
    an ordinary user by default), locked or not; lock() and unlock() set the session's
    LockedHint as a lock screen does. It also writes the two files of logind's runtime
    state that dbus-daemon reads for at_console (sd_uid_get_seats), so the person's
    processes are "at the console" as a desktop session's are: start it before the
    processes whose bus policy it should set. Lab.start_fake_logind() starts it;
    Lab.close() stops it."""

    SEAT = "seat0"
    SESSION = "c1"

    def __init__(self, lab, locked, uid=NOBODY, username="nobody"):
        self.lab = lab
        self.session_path = f"{LOGIN1_PATH}/session/{self.SESSION}"
        os.makedirs("/run/systemd/seats", exist_ok=True)
        os.makedirs("/run/systemd/users", exist_ok=True)
        with open(f"/run/systemd/seats/{self.SEAT}", "w") as f:
            f.write(f"IS_SEAT0=1\nCAN_GRAPHICAL=1\nACTIVE={self.SESSION}\nACTIVE_UID={uid}\n")
        with open(f"/run/systemd/users/{uid}", "w") as f:
            f.write(f"NAME={username}\nSTATE=active\nSESSIONS={self.SESSION}\nSEATS={self.SEAT}\n"
                    f"ACTIVE_SESSIONS={self.SESSION}\nONLINE_SESSIONS={self.SESSION}\n"
                    f"ACTIVE_SEATS={self.SEAT}\nONLINE_SEATS={self.SEAT}\n")
        lab.spawn("fake-logind", [PYTHON, "-m", "dbusmock", "--system", "--template", "logind"])
        wait_until(lambda: lab.procs["fake-logind"].poll() is not None or lab.name_has_owner(LOGIN1),
                   20, "the fake logind on the system bus")
        if not lab.name_has_owner(LOGIN1):
            raise LabFailure("the fake logind (python3 -m dbusmock) exited: see fake-logind.log")
        manager = self._mock(LOGIN1_PATH)
        # The template's AddSeat and AddSession announce nothing; logind would.
        seat_path = str(manager.AddSeat(self.SEAT))
        self._mock(seat_path).UpdateProperties(f"{LOGIN1}.Seat", {"CanGraphical": True})
        manager.EmitSignal(f"{LOGIN1}.Manager", "SeatNew", "so",
                           [self.SEAT, dbus.ObjectPath(seat_path)])
        manager.AddSession(self.SESSION, self.SEAT, dbus.UInt32(uid), username, True)
        self._mock(self.session_path).UpdateProperties(
            f"{LOGIN1}.Session", {"Type": "wayland", "LockedHint": dbus.Boolean(locked)})
        manager.EmitSignal(f"{LOGIN1}.Manager", "SessionNew", "so",
                           [self.SESSION, dbus.ObjectPath(self.session_path)])

    def _mock(self, path):
        return dbus.Interface(self.lab.bus.get_object(LOGIN1, path), DBUSMOCK)

    def locked(self):
        session = self.lab.bus.get_object(LOGIN1, self.session_path)
        return bool(dbus.Interface(session, "org.freedesktop.DBus.Properties").Get(
            f"{LOGIN1}.Session", "LockedHint"))

    def set_locked(self, locked):
        self._mock(self.session_path).UpdateProperties(f"{LOGIN1}.Session",
                                                       {"LockedHint": dbus.Boolean(locked)})

    def lock(self):
        self.set_locked(True)

    def unlock(self):
        self.set_locked(False)


def _as_user(uid):
    """Popen arguments that run a child as UID (and its group), or nothing for root."""
    return {} if uid == 0 else {"user": uid, "group": uid, "extra_groups": [],
                                "env": dict(os.environ, HOME="/tmp")}


def _first_event(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.strip():
                    event = json.loads(line)
                    if event.get("event") == name:
                        return event
    except (OSError, ValueError):
        return None
    return None


def policy_files(carguard_conf, vendors=None):
    """The files of a policy root for Lab.write_policy: carguard.conf and one vendor
    file per entry of VENDORS ({"acme": text} is vendors.d/acme.conf)."""
    files = {"etc/carguard/carguard.conf": carguard_conf}
    for name, text in (vendors or {}).items():
        files[f"etc/carguard/vendors.d/{name}.conf"] = text
    return files


# ---------------------------------------------------------------- carguardd's decisions

class DecisionWatch:
    """carguardd's Decision signals about one device (its "Id", e.g. "usb/1-1"), in
    order. Subscribe before the action, then wait: nothing is missed."""

    def __init__(self, bus, device_id):
        self.records = []
        self.device_id = device_id
        self.match = bus.add_signal_receiver(self._on_decision, "Decision", cgnames.CG_DBUS_INTERFACE,
                                             path=cgnames.CG_DBUS_PATH)

    def _on_decision(self, record):
        if str(record.get(cgnames.CG_DBUS_RECORD_ID, "")) == self.device_id:
            self.records.append({str(k): v for k, v in record.items()})

    def take(self, predicate):
        """The first record so far satisfying PREDICATE (consumed with the ones before
        it), or None."""
        while self.records:
            record = self.records.pop(0)
            if predicate(record):
                return record
        return None

    def wait(self, predicate, what, timeout=20):
        """The first new record satisfying PREDICATE; the records before it are
        consumed with it."""
        return wait_until(lambda: self.take(predicate), timeout, f"a Decision: {what}")

    def close(self):
        self.match.remove()


def enforced(decision):
    """A DecisionWatch predicate: DECISION, enforced."""
    return lambda record: (record.get(cgnames.CG_DBUS_RECORD_DECISION) == decision
                           and bool(record.get(cgnames.CG_DBUS_RECORD_ENFORCED)))


def asking(record):
    """A DecisionWatch predicate: a question to the person is pending."""
    return (record.get(cgnames.CG_DBUS_RECORD_DECISION) == "ask"
            and int(record.get(cgnames.CG_DBUS_RECORD_PENDING, 0)) != 0)


def question(record):
    """The open question of a Decision record, as plain values ({} without one)."""
    return plain(record.get(cgnames.CG_DBUS_RECORD_QUESTION, {})) or {}


def visit_with_person(lab, car, watch, answer=None, give_up=False, timeout=240, **visit):
    """Sends CAR on a visit (car.py's "visit": identity, pairing, services) while a
    person stands by the phone. Each question carguard asks about the car meanwhile
    (a Decision with a pending question in WATCH) is recorded and, with ANSWER
    "allow-once", answered as the person would: `carguard allow-once ID#QUESTION`
    (what the notifier's button calls). Without ANSWER nobody answers and the question runs out.
    With GIVE_UP the car cancels its pairing once it has been asked (an impostor that
    gets no answer). Returns (the car's report, [the questions' Decision records])."""
    car.send("visit", **visit)
    asked = []

    def progress():
        if car.answered():
            return True
        record = watch.take(asking)
        if record is not None:
            asked.append(record)
            if answer == "allow-once":
                # The person answers the question they were shown, by its id.
                done = lab.carguard("allow-once", f"{watch.device_id}#{question(record).get('Id', 0)}")
                record["answered"] = done.returncode == 0 or done.stderr.strip()
            elif give_up:
                car_side = device_path(CAR_ADAPTER, PHONE_ADDRESS)
                try:
                    dbus.Interface(lab.bus.get_object(BLUEZ, car_side), "org.bluez.Device1").CancelPairing()
                except dbus.exceptions.DBusException as e:
                    record["gave_up"] = e.get_dbus_name()
        return False

    wait_until(progress, timeout, "the car's visit")
    return car.answer(), asked


def run_acts(t, lab, acts):
    """Runs each act of ACTS (act(t, lab)) in turn in one boot, saying how long each took."""
    for act in acts:
        started = time.monotonic()
        act(t, lab)
        t.diag(f"{act.__name__}: {time.monotonic() - started:.1f} s")


def run(main):
    """Exits with MAIN()'s status. An exception out of MAIN is a Bail out! (the
    launcher fails the run); its traceback goes to stderr (scenario.log)."""
    try:
        sys.exit(main())
    except Exception:
        print("Bail out! " + traceback.format_exc().strip().splitlines()[-1], flush=True)
        traceback.print_exc()
        sys.exit(1)


def warm_up_kernel_crypto():
    """btvirt's emulated controllers need AES-ECB and AES-CMAC through AF_ALG. The
    first use makes the kernel load and instantiate them (through the lab's modprobe
    over 9p); doing it here keeps that out of the controllers' HCI command timeout."""
    import socket
    for kind, name in (("skcipher", "ecb(aes)"), ("hash", "cmac(aes)")):
        try:
            with socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0) as s:
                s.bind((kind, name))
        except OSError as e:
            print(f"labkit: AF_ALG {name}: {e}", file=sys.stderr, flush=True)


def _readline_with_deadline(stream, timeout):
    r, _, _ = select.select([stream], [], [], timeout)
    return stream.readline().decode(errors="replace") if r else ""
