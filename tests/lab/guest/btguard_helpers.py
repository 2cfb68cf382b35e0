# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Bluetooth guard's scenarios need beyond labkit, car.py and phone.py: a
policy root with carguardd behind it, the car's raw name, a connection the car holds
open across a policy edit, and the checks on carguardd's log and `carguard devices`."""

import json
import os
import socket
import subprocess
import traceback

import labkit

ROOT = "/tmp/carguard-root"
CAR = labkit.CAR_ADDRESS
PHONE = labkit.PHONE_ADDRESS
HFP_CHANNEL = 13  # the lab phone's HFP audio gateway (phone.py)

# As the shipped defaults: [Default] asks and grants no HID; a car-class device without
# a vendor file gets [CarDefault], which asks before it pairs and grants audio-only.
MAIN_CONF = """[Default]
Pairing=ask
Profiles=a2dp avrcp hfp hsp
[CarDefault]
Preset=audio-only
Pairing=ask
"""
# carguardd also sees the phone from the car's adapter (one bluetoothd serves both);
# the phone is vetted so that only the phone's view of the car is under test.
PHONE_VENDOR = f"""[Vendor]
Name=Lab phone
[Device]
BluetoothAddress={PHONE}
Preset=trusted
"""

# Markup, an escape sequence, control bytes, and the full 248 bytes of a Local Name.
HOSTILE_NAME = b"<b>Car</b>\x1b[31m\x01\x7f" + "\u00e9".encode() * 115 + b"X"
assert len(HOSTILE_NAME) == 248

AGENT_REGISTERED = "registered as BlueZ's default agent"
POLICY_RECHECKED = "re-checked"


def write_policy(lab, root=ROOT):
    lab.write_policy(root, {"etc/carguard/carguard.conf": MAIN_CONF,
                            "etc/carguard/vendors.d/lab-phone.conf": PHONE_VENDOR})
    return root


def write_shipped_policy(lab, root=ROOT, vendors=None):
    """A policy root as the package installs it: the source tree's policy/shipped/ under
    ROOT/usr/lib/carguard, nothing of an administrator's in /etc but the lab phone's
    vendor file and VENDORS ({"pool": text} is /etc/carguard/vendors.d/pool.conf)."""
    shipped = os.path.join(lab.src, "policy", "shipped")
    files = {"etc/carguard/vendors.d/lab-phone.conf": PHONE_VENDOR}
    for folder, _, names in os.walk(shipped):
        for name in names:
            rel = os.path.relpath(os.path.join(folder, name), shipped)
            with open(os.path.join(folder, name)) as f:
                files[f"usr/lib/carguard/{rel}"] = f.read()
    for name, text in (vendors or {}).items():
        files[f"etc/carguard/vendors.d/{name}.conf"] = text
    return lab.write_policy(root, files)


def guarded_phone(lab, root):
    """carguardd on ROOT, the phone (no agent of its own: carguard's decides), the car
    (car.py --serve) and a DecisionWatch on the car's record: what every scenario with
    a lying car starts from. Returns (car, watch)."""
    start_carguardd(lab, root)
    lab.start_phone(agent=False)
    return lab.start_car(), labkit.DecisionWatch(lab.bus, f"bluetooth/{CAR}")


def phone_bonded(lab, address=CAR):
    return labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, address)["bonded"]


def carguardd_log(lab):
    try:
        with open(lab.log_path("carguardd.log"), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def log_count(lab, text):
    return carguardd_log(lab).decode("utf-8", "replace").count(text)


def start_carguardd(lab, root=ROOT):
    """carguardd on ROOT; returns once its agent is BlueZ's default agent."""
    before = log_count(lab, AGENT_REGISTERED)
    lab.start_carguardd(root, args=["--debug"])
    labkit.wait_until(lambda: lab.carguardd.poll() is not None
                      or log_count(lab, AGENT_REGISTERED) > before, 30,
                      "carguardd's agent to register")
    if lab.carguardd.poll() is not None:
        raise labkit.LabFailure(f"carguardd exited with {lab.carguardd.returncode}")


def policy_edit(lab, *args, root=ROOT, timeout=15):
    """`carguard --root ROOT policy ARGS...` (the CLI's atomic write), then waits until
    carguardd has re-checked the Bluetooth devices under the new policy. Returns
    (CompletedProcess, reloaded)."""
    before = log_count(lab, POLICY_RECHECKED)
    done = lab.carguard("policy", *args, root=root)
    try:
        labkit.wait_until(lambda: log_count(lab, POLICY_RECHECKED) > before, timeout,
                          "carguardd to reload the policy")
        return done, True
    except labkit.LabFailure:
        return done, False


def set_car_name(raw):
    """The car adapter's Local Name as raw bytes (D-Bus Alias would need UTF-8)."""
    subprocess.run(["btmgmt", "--index", labkit.CAR_ADAPTER[3:], "name", raw], check=True,
                   stdout=subprocess.DEVNULL, timeout=20)


def car_holds_rfcomm(channel, timeout=20):
    """The car opens an RFCOMM channel to the phone and keeps it; (errno name or None,
    socket or None)."""
    s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
    s.settimeout(timeout)
    try:
        s.bind((CAR, 0))
        s.connect((PHONE, channel))
        return None, s
    except OSError as e:
        s.close()
        return labkit.errno_name(e) if e.errno else "ETIMEDOUT", None


def closed_by_phone(sock, timeout):
    """Whether the phone's side closed the car's open socket within TIMEOUT."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(256)
            if data == b"":
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def log_problems(raw):
    """Control bytes (other than newline and tab) and invalid UTF-8 in a log."""
    control = sum(1 for c in raw if (c < 0x20 and c not in (0x0a, 0x09)) or c == 0x7f)
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    return {"control_bytes": control, "utf8": utf8}


def listed_devices(lab):
    """`carguard devices --json` as a list, or (None, error)."""
    done = lab.carguard("devices", "--json")
    if done.returncode != 0:
        return None, done.stderr.strip() or f"exit {done.returncode}"
    try:
        return json.loads(done.stdout), None
    except ValueError:
        return None, f"no JSON: {done.stdout[:200]!r}"


def device_record(lab, address):
    devices, error = listed_devices(lab)
    if devices is None:
        return None, error
    for record in devices:
        if record.get("id") == f"bluetooth/{address}":
            return record, None
    return None, {"listed": [d.get("id") for d in devices]}


def line_of(path, text):
    """1-based number of the first line of PATH that starts with TEXT."""
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.startswith(text):
                return number
    return None


def refused(service):
    """The car's connect was refused by the phone: offered in SDP, then ECONNREFUSED
    (what the car gets when the phone's agent rejects AuthorizeService)."""
    return (not service.get("connected") and service.get("offered", True) is not False
            and service.get("errno") == "ECONNREFUSED")


def wait_links_down(lab, timeout=30):
    """Waits until no device is connected on either adapter. Taking the controllers away
    under a live RFCOMM session can panic the lab's 6.1 kernel (list corruption in
    hci_chan_del from krfcommd's rfcomm_session_del), so a boot ends with the links down."""
    def down():
        return not any(ifs.get("org.bluez.Device1", {}).get("Connected")
                       for ifs in labkit.managed_objects(lab.bus).values())

    labkit.wait_until(down, timeout, "every Bluetooth link to drop")


def run(tap, body, policy=write_policy, main_conf=None, before=None):
    """One boot of a Bluetooth guard scenario: the Bluetooth stack (bluetoothd with
    MAIN_CONF, labkit.main_conf() by default), the SDP watchdog and the policy root
    POLICY(lab) writes, then BODY(lab, root); carguardd is BODY's to start. BEFORE(lab),
    if given, runs once the system bus is up and before bluetoothd (a fake logind whose
    bus policy and seats must be in place first). Returns the scenario's exit status."""
    with labkit.Lab() as lab:
        try:
            if before:
                lab.start_system_bus()
                before(lab)
            lab.bluetooth_up(main_conf or labkit.main_conf())
            body(lab, policy(lab))
            wait_links_down(lab)
        except Exception:
            tap.diag(traceback.format_exc())
    return tap.done()
