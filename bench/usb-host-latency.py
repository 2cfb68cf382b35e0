#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Laptop role at fleet sizes: how fast a USB device allowed by policy gets authorized,
carguardd against Debian's usbguard-daemon with equivalent policies of 1, 1,000 and
10,000 rules, in one lab run.

    tests/lab/lab run --build BUILD_DIR --timeout 3600 bench/usb-host-latency.py [SIZE...] [plugs=N]

The policies: N rules of which the last allows the device (a trusted dock, VID:PID
1d6b:0104, one NCM function) and the N-1 before it block other VID:PIDs. carguardd:
N vendor files, each `USB=VID:PID` (the dock's `Preset=trusted`, the others
`Preset=charge-only`), [Default] charge-only, and [USBGadget] Guard=no (a laptop has no
UDC; the lab's gadget side lives in the same kernel, and the phone-role guard would undo
the dock's gadget: usblab.LAPTOP_ROLE_CONF). usbguard: N rules
(`block id VID:PID` ..., then `allow id 1d6b:0104`), ImplicitPolicyTarget=block, uevent
backend, AuthorizedDefault=none, no IPC clients.

The dock is plugged PLUGS times per daemon and size (bind = plug, unbind = unplug), in
blocks of BLOCK that alternate between the daemons, each block with a daemon started
afresh (its start-up, the policy load included, is not timed), so a change of load on
the machine (the lab VM is CPU-bound under TCG) falls on both. Two figures per plug:

- reaction: the daemon's own work, from its receiving the device's uevent to its write
  to `authorized`, timed by the kernel's tracer (tracefs, trace_clock=mono): the syscall
  events sys_enter/exit_recvfrom and _recvmsg of the daemon's threads on its uevent
  socket (the fd is looked up in /proc/net/netlink), and the function tracer on usbcore's
  authorized_store, which runs inside the daemon's write(2). The reaction is the time
  from the return of the last receive on the uevent socket before the write to the
  write. (kprobes are not used: they failed with EINVAL in this kernel.)
- end to end: from the "add" uevent of the device (1-1; the kernel enumerated it
  unauthorized) to the "add" of its first interface (1-1:1.0), both as this process
  receives them. It holds the kernel's own work after the write and the device lock
  the write waits for while the hub thread finishes enumerating, the same for both
  daemons, so it narrows the ratio.

Prints TAP with one table (medians and ratios per size) and writes
/run/lab/usb-host-latency.json. The target is carguardd at least 2x faster (median
reaction) at every size."""

import json
import os
import re
import select
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "lab", "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

SIZES = (1, 1000, 10000)
PLUGS = 100
BLOCK = 20
DEVICE = "1-1"
INTERFACE = "1-1:1.0"
DOCK = (0x1D6B, 0x0104)
TRACING = "/sys/kernel/tracing"
NETLINK_KOBJECT_UEVENT = 15
RECV_SYSCALLS = ("recvfrom", "recvmsg")
# "carguardd-268 [001] ..... 1234.567890: sys_recvfrom(fd: 5, ..." and "... sys_recvfrom -> 0x1a0",
# "... 1234.5679: authorized_store <-dev_attr_store"
TRACE_LINE = re.compile(r"^\s*(?P<comm>.+?)-(?P<tid>\d+)\s+\[\d+\]\s+\S+\s+(?P<ts>\d+\.\d+):\s+(?P<what>.*)$")
ENTER = re.compile(r"^sys_(recvfrom|recvmsg)\(fd: ([0-9a-f]+)")
EXIT = re.compile(r"^sys_(recvfrom|recvmsg) -> (0x[0-9a-f]+|-?\d+)")


class Uevents(labkit.UeventMonitor):
    def wait_add(self, name, timeout=usblab.TIMEOUT):
        """Monotonic time at which the "add" of sysfs name `name` was received."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise labkit.Timeout(f"no add uevent for {name}")
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                continue
            msg = self.sock.recv(65536)
            now = time.monotonic()
            head = msg.split(b"\0", 1)[0].decode(errors="replace")
            if head.startswith("add@") and head.endswith("/" + name):
                return now


# ---------------------------------------------------------------- the kernel's tracer

def _write(name, value):
    with open(os.path.join(TRACING, name), "w") as f:
        f.write(value)


def uevent_fds(pid):
    """The fds of PID that are NETLINK_KOBJECT_UEVENT sockets in the kernel's group (1),
    not udevd's (2, which libusb may listen to)."""
    inodes = set()
    with open("/proc/net/netlink") as f:
        next(f)
        for line in f:
            fields = line.split()  # sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
            if int(fields[1]) == NETLINK_KOBJECT_UEVENT and int(fields[3], 16) & 1:
                inodes.add(fields[-1])
    fds = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m and m.group(1) in inodes:
            fds.add(int(fd))
    return fds


class Tracer:
    """The daemon's receives and its writes to `authorized`, from tracefs."""

    def __init__(self):
        if not os.path.exists(os.path.join(TRACING, "trace")):
            os.makedirs(TRACING, exist_ok=True)
            os.system(f"mount -t tracefs nodev {TRACING}")
        _write("tracing_on", "0")
        _write("trace_clock", "mono")
        _write("buffer_size_kb", "4096")
        _write("set_ftrace_filter", "authorized_store\n")
        _write("current_tracer", "function")
        _write("trace_options", "event-fork")
        for name in RECV_SYSCALLS:
            for kind in ("enter", "exit"):
                _write(f"events/syscalls/sys_{kind}_{name}/enable", "1")
        self.pid, self.fds = None, set()

    def follow(self, pid):
        """Traces PID's threads (and threads it starts) from now on."""
        self.pid, self.fds = pid, uevent_fds(pid)
        _write("set_event_pid", " ".join(os.listdir(f"/proc/{pid}/task")))
        self.clear()
        _write("tracing_on", "1")

    def clear(self):
        _write("trace", "")

    def stop(self):
        _write("tracing_on", "0")
        _write("set_event_pid", "")

    def close(self):
        self.stop()
        for name in RECV_SYSCALLS:
            for kind in ("enter", "exit"):
                _write(f"events/syscalls/sys_{kind}_{name}/enable", "0")
        _write("current_tracer", "nop")
        _write("set_ftrace_filter", "")

    def reaction_ms(self):
        """From the return of the last receive on the daemon's uevent socket before its
        first write to `authorized`, to that write; None if the trace has neither."""
        with open(os.path.join(TRACING, "trace")) as f:
            lines = f.read().splitlines()
        pending = {}  # tid -> fd of a receive in progress
        last_receive = None
        for line in lines:
            m = TRACE_LINE.match(line)
            if not m:
                continue
            tid, ts, what = int(m.group("tid")), float(m.group("ts")), m.group("what")
            enter, leave = ENTER.match(what), EXIT.match(what)
            if enter:
                pending[tid] = int(enter.group(2), 16)
            elif leave and tid in pending:
                fd = pending.pop(tid)
                if fd in self.fds and int(leave.group(2), 0) > 0:
                    last_receive = ts
            elif what.startswith("authorized_store"):
                return None if last_receive is None else (ts - last_receive) * 1000.0
        return None


# ---------------------------------------------------------------- the policies

def other_ids(n):
    """N VID:PIDs that are not the dock's."""
    for i in range(n):
        yield 0x2000 + (i >> 12), 0x1000 + (i & 0xfff)


def carguard_policy(lab, size):
    root = f"/tmp/cg-root-bench-{size}"
    files = labkit.policy_files(usblab.LAPTOP_ROLE_CONF)
    for n, (vid, pid) in enumerate(other_ids(size - 1)):
        files[f"etc/carguard/vendors.d/v{n:05d}.conf"] = (
            f"[Vendor]\nName=Vendor {n}\n[Match]\nUSB={vid:04x}:{pid:04x}\n[Policy]\nPreset=charge-only\n")
    files["etc/carguard/vendors.d/zz-dock.conf"] = (
        f"[Vendor]\nName=Dock\n[Match]\nUSB={DOCK[0]:04x}:{DOCK[1]:04x}\n[Policy]\nPreset=trusted\n")
    return lab.write_policy(root, files)


def usbguard_conf(size):
    conf_dir = f"/tmp/usbguard-bench-{size}"
    os.makedirs(conf_dir, exist_ok=True)
    rules = os.path.join(conf_dir, "rules.conf")
    conf = os.path.join(conf_dir, "usbguard-daemon.conf")
    with open(rules, "w") as f:
        for vid, pid in other_ids(size - 1):
            f.write(f"block id {vid:04x}:{pid:04x}\n")
        f.write(f"allow id {DOCK[0]:04x}:{DOCK[1]:04x}\n")
    with open(conf, "w") as f:
        f.write(f"RuleFile={rules}\nImplicitPolicyTarget=block\nPresentDevicePolicy=apply-policy\n"
                "PresentControllerPolicy=keep\nInsertedDevicePolicy=apply-policy\n"
                "AuthorizedDefault=none\nRestoreControllerDeviceState=false\n"
                "DeviceManagerBackend=uevent\nIPCAllowedUsers=root\nAuditBackend=FileAudit\n"
                f"AuditFilePath={conf_dir}/audit.log\nHidePII=false\n")
    os.chmod(rules, 0o600)
    os.chmod(conf, 0o600)
    return conf


# ---------------------------------------------------------------- plugging

def measure(gadget, port, tracer, pid):
    samples = []
    tracer.follow(pid)
    try:
        for _ in range(BLOCK):
            tracer.clear()
            with Uevents() as events:
                gadget.bind(usblab.UDC)
                plugged = events.wait_add(DEVICE)
                authorized = events.wait_add(INTERFACE)
            samples.append({"end_to_end_ms": (authorized - plugged) * 1000.0,
                            "reaction_ms": tracer.reaction_ms()})
            gadget.unbind()
            port.wait_gone(usblab.TIMEOUT)
    finally:
        tracer.stop()
    return samples


def spawn_logging_to_tmpfs(lab, name, argv):
    """lab.spawn, but stdout and stderr go to /tmp/NAME.log (tmpfs): the run's directory is
    a 9p share, slow under TCG, and under systemd both daemons log to the journal."""
    with open(f"/tmp/{name}.log", "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    lab.procs[name] = proc
    return proc


def lock_wait():
    labkit.wait_until(lambda: usblab.authorized_default(1) == 0, 120, "the daemon to lock usb1")


def run_carguard(lab, root, gadget, port, tracer):
    usblab.set_authorized_default(1, 1)
    lab.carguardd = spawn_logging_to_tmpfs(lab, "carguardd", [lab.carguardd_path, "--foreground",
                                                              "--root", root])
    try:
        labkit.wait_until(lambda: lab.name_has_owner(cgnames.CG_DBUS_NAME), 300, "carguardd's name")
        lock_wait()
        return measure(gadget, port, tracer, lab.carguardd.pid)
    finally:
        lab.stop_carguardd()


def run_usbguard(lab, conf, gadget, port, tracer):
    usblab.set_authorized_default(1, 1)
    proc = spawn_logging_to_tmpfs(lab, "usbguard-daemon",
                                  ["/usr/sbin/usbguard-daemon", "-k", "-c", conf])
    try:
        lock_wait()
        return measure(gadget, port, tracer, proc.pid)
    finally:
        lab.stop("usbguard-daemon")


def summary(samples, key):
    values = sorted(s[key] for s in samples if s[key] is not None)
    if not values:
        return {"n": 0}
    return {"n": len(values), "median_ms": statistics.median(values),
            "p90_ms": values[int(0.9 * (len(values) - 1))], "min_ms": values[0], "max_ms": values[-1]}


def options(lab):
    """Sizes and plugs per daemon and size from the run's arguments ("1000", "plugs=40")."""
    args = lab.env.get("LAB_ARGS") or []
    plugs = [int(a.split("=", 1)[1]) for a in args if a.startswith("plugs=")]
    sizes = tuple(int(a) for a in args if not a.startswith("plugs="))
    return sizes or SIZES, plugs[0] if plugs else PLUGS


def main():
    with labkit.Lab() as lab:
        sizes, plugs = options(lab)
        t = labkit.Tap(2 * len(sizes))
        lab.start_system_bus()
        usblab.ensure_configfs()
        usblab.cleanup_all_gadgets()
        usblab.Cable(lab.env["LAB_KROOT"]).attach()
        gadget = usblab.CarHeadUnitGadget(name="dock", vendor_id=DOCK[0], product_id=DOCK[1],
                                          manufacturer="Dock", product="Trusted dock",
                                          functions=("ncm",)).create(bind=False)
        port = usblab.CarUsbPort(DEVICE)
        tracer = Tracer()
        results = {}
        try:
            for size in sizes:
                root, conf = carguard_policy(lab, size), usbguard_conf(size)
                carguard, usbguard = [], []
                for _ in range(max(1, plugs // BLOCK)):
                    carguard += run_carguard(lab, root, gadget, port, tracer)
                    usbguard += run_usbguard(lab, conf, gadget, port, tracer)
                results[size] = {daemon: {key: summary(samples, key)
                                          for key in ("reaction_ms", "end_to_end_ms")}
                                 for daemon, samples in (("carguard", carguard), ("usbguard", usbguard))}
        finally:
            tracer.close()
            usblab.cleanup_all_gadgets()
    rows = []
    for size, r in results.items():
        row = {"rules": size}
        for key in ("reaction_ms", "end_to_end_ms"):
            c, u = r["carguard"][key], r["usbguard"][key]
            row[key] = {"carguard": c.get("median_ms"), "usbguard": u.get("median_ms"),
                        "ratio": (u["median_ms"] / c["median_ms"]
                                  if c.get("median_ms") and u.get("median_ms") else None)}
        rows.append(row)
    t.diag(f"{'rules':>6} | {'reaction carguard':>17} {'usbguard':>9} {'ratio':>6} | "
           f"{'end to end carguard':>19} {'usbguard':>9} {'ratio':>6}   (medians, ms)")
    for row in rows:
        a, e = row["reaction_ms"], row["end_to_end_ms"]
        t.diag(f"{row['rules']:>6} | {a['carguard'] or 0:>17.2f} {a['usbguard'] or 0:>9.2f} "
               f"{a['ratio'] or 0:>6.2f} | {e['carguard'] or 0:>19.2f} {e['usbguard'] or 0:>9.2f} "
               f"{e['ratio'] or 0:>6.2f}")
    with open("/run/lab/usb-host-latency.json", "w") as f:
        json.dump({"plugs": plugs, "block": BLOCK, "results": results, "rows": rows}, f, indent=2)
    for row in rows:
        r = results[row["rules"]]
        measured = max(1, plugs // BLOCK) * BLOCK
        t.ok(all(r[d][k]["n"] == measured for d in r for k in r[d]),
             f"{row['rules']} rules: {measured} plugs each measured, reaction and end to end",
             {d: {k: r[d][k]["n"] for k in r[d]} for d in r})
        ratio = row["reaction_ms"]["ratio"] or 0
        t.ok(True, f"{row['rules']} rules: median reaction carguard {row['reaction_ms']['carguard'] or 0:.2f}"
                   f" ms, usbguard {row['reaction_ms']['usbguard'] or 0:.2f} ms, ratio {ratio:.2f} "
                   f"({'meets' if ratio >= 2.0 else 'misses'} the 2x target)")
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
