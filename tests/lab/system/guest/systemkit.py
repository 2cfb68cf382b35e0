# SPDX-License-Identifier: LGPL-2.1-or-later
"""The systemd lab's toolkit, inside the guest: the machine as installed (systemctl,
the journal, the package), on top of the quick lab's phone, car and cable
(tests/lab/guest: labkit, car.py, phone.py, usblab), read from the source share.

A machine script (tests/lab/system/machines/*.py) lists its boots as phases:

    machine = systemkit.Machine()

    @machine.phase("install")
    def install(tap):
        ...

    machine.main()

`--phases` prints their names for the launcher; `PHASE` runs one, TAP on stdout."""

import json
import os
import shutil
import subprocess
import sys
import time
import traceback

RESULTS = "/run/lab"
try:
    with open(os.path.join(RESULTS, "lab.json")) as _f:
        ENV = json.load(_f)
except FileNotFoundError:  # on the host, for --phases
    ENV = {}
SRC = os.path.realpath(os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "lab", "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402,F401 (the machines use it as sk.usblab)

LabFailure = labkit.LabFailure
# carguardd's journal MESSAGE_IDs, from where the daemon defines them.
_IDS = cgnames.read(os.path.join(SRC, "daemon", "core", "cg-log.h"))
MESSAGE_ID_POLICY_LOADED = _IDS["CG_MESSAGE_ID_POLICY_LOADED"]
MESSAGE_ID_POLICY_REJECTED = _IDS["CG_MESSAGE_ID_POLICY_REJECTED"]
MESSAGE_ID_DECISION = _IDS["CG_MESSAGE_ID_DECISION"]
MESSAGE_ID_ENFORCED = _IDS["CG_MESSAGE_ID_ENFORCED"]
# The agent's registration has no MESSAGE_ID: its text is the one carguardd logs.
AGENT_REGISTERED = "Bluetooth agent registered as BlueZ's default agent"


def sh(*argv, timeout=120, input=None, env=None, check=False):
    """Runs a command; returns CompletedProcess with text stdout and stderr."""
    out = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, input=input,
                         env=None if env is None else dict(os.environ, **env))
    if check and out.returncode:
        raise LabFailure(f"{' '.join(argv)} exited {out.returncode}: {out.stderr.strip()[-400:]}")
    return out


def systemctl(*args, timeout=120):
    return sh("systemctl", *args, timeout=timeout)


def unit(name):
    """The unit's state as systemd reports it (a dict of `systemctl show` properties)."""
    props = "ActiveState,SubState,MainPID,NRestarts,Result,UnitFileState,InvocationID,BindsTo,After,Requires"
    out = sh("systemctl", "show", name, "-p", props).stdout
    state = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    for key in ("MainPID", "NRestarts"):
        state[key] = int(state.get(key) or 0)
    return state


def active(name):
    return unit(name)["ActiveState"] == "active"


def wait_unit(name, predicate, timeout, what):
    return wait(lambda: predicate(unit(name)), timeout, f"{name}: {what}")


# Waits with a deadline (labkit's: it serves the GLib loop meanwhile, which phone and
# car objects of ours may need). Unit states and files send no event we can follow.
wait = labkit.wait_until


def cursor():
    """The journal's current end, to read only what comes after."""
    out = sh("journalctl", "-n", "0", "--show-cursor", "--no-pager").stdout
    for line in out.splitlines():
        if line.startswith("-- cursor: "):
            return line[len("-- cursor: "):].strip()
    return None


def journal(*matches, after=None, unit_name=None):
    """This boot's journal entries (dicts) matching FIELD=VALUE MATCHES, after CURSOR."""
    argv = ["journalctl", "-b", "-o", "json", "--no-pager"]
    if after:
        argv += ["--after-cursor", after]
    if unit_name:
        argv += ["-u", unit_name]
    # journalctl 252 given both --after-cursor and field matches skips entries that are
    # there (seen with the entry right after a restart): after a cursor, they are matched here.
    wanted = [m.split("=", 1) for m in matches]
    out = sh(*argv, *([] if after else matches), timeout=60).stdout
    entries = []
    for line in out.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if all(entry.get(field) == value for field, value in wanted):
            entries.append(entry)
    return entries


def events(message_id, after=None, **fields):
    """carguardd's journal entries with MESSAGE_ID and CARGUARD_* FIELDS (transport="usb"
    matches CARGUARD_TRANSPORT=usb), after CURSOR."""
    matches = [f"MESSAGE_ID={message_id}"] + [f"CARGUARD_{k.upper()}={v}" for k, v in fields.items()]
    return journal(*matches, after=after)


def messages(entries):
    out = []
    for e in entries:
        m = e.get("MESSAGE")
        if isinstance(m, list):  # non-UTF-8 bytes
            m = bytes(m).decode("utf-8", "replace")
        out.append(m or "")
    return out


def unit_log(name, after=None):
    """MESSAGE lines of a unit's own log and of systemd about it."""
    return messages(journal(after=after, unit_name=name))


def main_pid(name):
    return unit(name)["MainPID"]


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


# ---------------------------------------------------------------- the package

def install_deb(path, *apt_args):
    """`apt-get install ./carguard_*.deb` from a copy in /root/debs, as a person would,
    with no network (the VM has none): everything it needs is in the image already."""
    os.makedirs("/root/debs", exist_ok=True)
    name = os.path.basename(path)
    shutil.copy2(path, os.path.join("/root/debs", name))
    return subprocess.run(["apt-get", "install", "-y", *apt_args, "./" + name],
                          cwd="/root/debs", capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def apt(*args):
    return sh("apt-get", "-y", *args, timeout=300, env={"DEBIAN_FRONTEND": "noninteractive"})


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


# ---------------------------------------------------------------- Bluetooth

class Bluetooth:
    """The phone and the car on btvirt's two controllers, under the system's own
    bluetoothd (bluetooth.service) with carguardd as its agent. labkit.Lab is used for
    what it does without starting daemons: processes, logs, phone.py and car.py."""

    def __init__(self):
        self.lab = labkit.Lab()
        self.lab.bus = labkit.system_bus()

    def close(self):
        self.lab.close()

    def start_controllers(self):
        """btvirt as a unit of its own: it outlives restarts of bluetoothd, like hardware."""
        labkit.warm_up_kernel_crypto()
        if not active("lab-btvirt.service"):
            sh("systemd-run", "--unit=lab-btvirt", "--property=StandardOutput=journal",
               "btvirt", "-l2", check=True)
        self.wait_adapters()

    def wait_adapters(self, timeout=60):
        labkit.wait_until(lambda: self._owner() and self._adapters_up(), timeout,
                          "hci0 and hci1 powered under bluetoothd")

    def _owner(self):
        try:
            return self.lab.name_has_owner(labkit.BLUEZ)
        except Exception:
            self.lab.bus = labkit.system_bus()
            return False

    def _adapters_up(self):
        try:
            names = self.lab.adapters()
        except Exception:
            return False
        if not all(a in names for a in (labkit.PHONE_ADAPTER, labkit.CAR_ADAPTER)):
            return False
        for a in (labkit.PHONE_ADAPTER, labkit.CAR_ADAPTER):
            p = labkit.props(self.lab.bus, labkit.adapter_path(a), "org.bluez.Adapter1") or {}
            if not p.get("Powered"):
                try:
                    self.lab.power(a)
                except Exception:
                    return False
        return True

    def start_phone(self):
        if "phone" not in self.lab.procs:
            self.lab.start_phone(agent=False)
            self.lab.start_sdp_watchdog()

    def car(self, **options):
        """car.py once; once more if it died before reporting (btmgmt has failed to set
        the car's class on a busy machine), which is said on stderr (PHASE-scenario.log)."""
        try:
            return self.lab.run_car(**options)
        except LabFailure as e:
            print(f"car.py again after: {e}", file=sys.stderr, flush=True)
            return self.lab.run_car(**options)

    def forget(self):
        self.lab.forget()

    def out_of_range(self, timeout=60):
        """The car drives off before bluetoothd is stopped: phone.py stops, the link
        drops and both emulated controllers are powered off through bluetoothd while
        it still runs. With one bluetoothd for both sides, its own power-off at exit
        with the car's link and the phone's sockets still there has oopsed the lab's
        6.1 kernel (list corruption in hci_chan_del) at the next connection, and
        removing the controllers instead made bluetoothd 5.66 crash (SIGSEGV).
        back_in_range() powers them on again, bonds kept."""
        self.lab.stop("phone")
        for adapter, address in ((labkit.CAR_ADAPTER, labkit.PHONE_ADDRESS),
                                 (labkit.PHONE_ADAPTER, labkit.CAR_ADDRESS)):
            try:
                dev = self.lab.bus.get_object(labkit.BLUEZ, labkit.device_path(adapter, address))
                labkit.call(labkit.dbus.Interface(dev, "org.bluez.Device1").Disconnect, timeout=10)
            except Exception:
                pass
        for adapter in (labkit.CAR_ADAPTER, labkit.PHONE_ADAPTER):
            self.lab.power(adapter, on=False, timeout=timeout)

    def back_in_range(self, timeout=60):
        self.wait_adapters(timeout)
        # bluetoothd gives a controller main.conf's class when it starts: the car shows its
        # own again (car.py's 4,32) before anything connects, as a real car's class does
        # not change when the laptop's bluetoothd restarts.
        subprocess.run(["btmgmt", "--index", labkit.CAR_ADAPTER[3:], "class", "4", "32"],
                       check=True, stdout=subprocess.DEVNULL, timeout=20)
        self.start_phone()


def refused(service):
    return (not service.get("connected") and service.get("offered", True) is not False
            and service.get("errno") == "ECONNREFUSED")


def no_data(report, services=("pbap", "map", "opp", "pan")):
    """Nothing personal reached the car: every data service refused or never connected."""
    got = {name: s for name, s in report.get("services", {}).items()
           if name in services and (s.get("connected") or s.get("vcards") or s.get("messages"))}
    return not got, got


# ---------------------------------------------------------------- the machine

class Machine:
    def __init__(self):
        self.phases = {}
        self.order = []

    def phase(self, name):
        def register(fn):
            self.phases[name] = fn
            self.order.append(name)
            return fn
        return register

    def main(self):
        if sys.argv[1:] == ["--phases"]:
            print(" ".join(self.order))
            return 0
        name = sys.argv[1]
        tap = labkit.Tap()
        try:
            self.phases[name](tap)
        except Exception:
            tap.ok(False, f"{name} ran to its end", traceback.format_exc())
        return tap.done()


def section(tap, title):
    tap.diag(f"--- {title}")
    print(f"[{time.monotonic():.1f}] {title}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the lab's own files

UNITS = os.path.join(SRC, "tests", "lab", "system", "units")
PHONE_VENDOR_FILE = "/etc/carguard/vendors.d/lab-phone.conf"
# carguardd also sees the phone from the car's controller (one bluetoothd serves both):
# the administrator vets the lab phone, so that only the phone's view of the car is
# under test (as in the quick lab, tests/lab/guest/btguard_helpers.py).
PHONE_VENDOR_TEXT = f"""[Vendor]
Name=Lab phone
[Device]
BluetoothAddress={labkit.PHONE_ADDRESS}
Preset=trusted
"""
ASK_FILE = "/etc/carguard/carguard.conf"
# The shipped [Default] and [CarDefault] (policy/shipped/carguard.conf), which a machine's
# own /etc/carguard/carguard.conf repeats, since that file replaces the shipped one whole.
SHIPPED_DEFAULTS = """[Default]
Pairing=ask
Profiles=a2dp avrcp hfp hsp hid pnp gatt
USBMode=charge-only
[CarDefault]
Preset=audio-only
"""


def install_lab_units(*names):
    """Copies lab units (and their drop-in folders) from tests/lab/system/units into
    /etc/systemd/system; systemd cannot load units from the 9p share at boot."""
    for name in names:
        shutil.copy2(os.path.join(UNITS, name), "/etc/systemd/system/")
        dropins = os.path.join(UNITS, name + ".d")
        if os.path.isdir(dropins):
            shutil.copytree(dropins, f"/etc/systemd/system/{name}.d", dirs_exist_ok=True)
    systemctl("daemon-reload")


def modprobe(*args):
    sh("/sbin/modprobe", *args, check=True)


def log_path(name):
    return os.path.join(RESULTS, name)


def jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def agent_registrations(after=None):
    return len(journal(f"MESSAGE={AGENT_REGISTERED}", "CARGUARD_TRANSPORT=bluetooth", after=after))


def unit_timestamp(name, prop):
    value = sh("systemctl", "show", name, "-p", prop, "--value").stdout.strip()
    return int(value) if value.isdigit() else 0


def guard_trace(after):
    """systemd's own journal lines about carguard.service and bluetooth.service since
    AFTER, in order: (unit, event) with event one of starting, started, stopping,
    stopped, exited (the main process died)."""
    trace = []
    for e in journal("_PID=1", after=after):
        name = e.get("UNIT")
        if name not in ("carguard.service", "bluetooth.service"):
            continue
        m = e.get("MESSAGE") or ""
        for prefix, event in (("Starting ", "starting"), ("Started ", "started"), ("Stopping ", "stopping"),
                              ("Stopped ", "stopped")):
            if m.startswith(prefix):
                trace.append((name, event))
                break
        else:
            if "Main process exited" in m:
                trace.append((name, "exited"))
    return trace


def bluetoothd_followed_guard(after):
    """True when, since AFTER, bluetoothd never started without carguardd running, and
    was stopped before carguardd was started again whenever carguardd went down."""
    guard_up, bt_up = True, True
    for name, event in guard_trace(after):
        if name == "carguard.service":
            if event in ("exited", "stopping", "stopped"):
                guard_up = False
            elif event == "starting" and bt_up:
                return False
            elif event == "started":
                guard_up = True
        else:
            if event in ("starting", "started"):
                if not guard_up:
                    return False
                bt_up = True
            elif event in ("stopping", "stopped"):
                bt_up = False
    return guard_up
