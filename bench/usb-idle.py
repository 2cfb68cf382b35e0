#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Idle carguardd: its wakeups and every timer it could have armed, without and with the
unit's watchdog.

    bench/usb-idle.py BUILD_DIR [SECONDS]                      on this machine
    tests/lab/lab run --build BUILD_DIR bench/usb-idle.py      in the lab (the cable in,
                                                               a phone gadget unbound)

On this machine it starts a private system bus (DBUS_SYSTEM_BUS_ADDRESS); in the lab it
uses the lab's bus, with dummy_hcd's UDC and root hub for the USB guards to watch. Each
phase starts carguardd with a policy root of its own, waits for READY=1 on a notify
socket of this process's, lets start-up settle for a second, then measures over SECONDS
(default 60):

  1. No watchdog (no WATCHDOG_USEC). Wakeups are the context switches of every thread
     (/proc/PID/task/*/status): each wakeup is one; expected 0. Every timer source is
     checked at the start and at the end: the syscall each thread is blocked in and its
     timeout (/proc/PID/task/TID/syscall: poll, ppoll, epoll_wait, select, futex,
     nanosleep; ppoll's, pselect's and futex's timespec read from /proc/PID/mem), every
     timerfd armed or not (/proc/PID/fdinfo), POSIX timers (/proc/PID/timers). Expected:
     every thread blocked with no timeout, no timer armed. Then strace -f follows it for
     a while; expected: no syscall but strace's own restart of the interrupted ones.
  2. The unit's watchdog: WATCHDOG_USEC from WatchdogSec= of data/carguard.service.in.
     Expected: the main thread's only wakeups are its pings (WATCHDOG=1 received here),
     the other threads none, and its poll timeout at most half the interval; the CPU
     time of one ping (schedstat) is reported. strace then shows what a ping does.

Prints TAP with the figures as diagnostics and one JSON object; writes it to
/run/lab/usb-idle.json in the lab."""

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "lab", "guest"))
import labkit  # noqa: E402
from benchkit import NotifySocket, PrivateBus  # noqa: E402

IN_LAB = os.path.exists("/run/lab/lab.json")
UNIT = os.path.join(SRC, "data", "carguard.service.in")
STRACE_SECONDS = 20
# x86_64 syscall numbers -> (name, where the timeout is): ("ms", arg) an int of
# milliseconds, ("timespec", arg) a pointer (NULL: none), ("sleep", arg) a sleep.
SYSCALLS = {
    7: ("poll", "ms", 2), 271: ("ppoll", "timespec", 2), 232: ("epoll_wait", "ms", 3),
    281: ("epoll_pwait", "ms", 3), 441: ("epoll_pwait2", "timespec", 3),
    23: ("select", "timeval", 4), 270: ("pselect6", "timespec", 4),
    202: ("futex", "timespec", 3), 35: ("nanosleep", "sleep", 0),
    230: ("clock_nanosleep", "sleep", 2), 0: ("read", None, None), 45: ("recvfrom", None, None),
    47: ("recvmsg", None, None),
}
FUTEX_WAIT_OPS = {0, 9}  # FUTEX_WAIT, FUTEX_WAIT_BITSET (masked with FUTEX_CMD_MASK)


def watchdog_usec(unit=UNIT):
    """WatchdogSec= of the unit, in microseconds."""
    with open(unit) as f:
        for line in f:
            if line.startswith("WatchdogSec="):
                value = line.split("=", 1)[1].strip()
                for suffix, factor in (("ms", 1e3), ("min", 60e6), ("s", 1e6)):
                    if value.endswith(suffix):
                        return int(float(value[:-len(suffix)]) * factor)
                return int(float(value) * 1e6)
    raise SystemExit(f"{unit} has no WatchdogSec=")


# ---------------------------------------------------------------- what /proc says

def threads(pid):
    """tid -> {comm, switches (voluntary, nonvoluntary), runtime_ns}."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{base}/comm") as f:
                comm = f.read().strip()
            with open(f"{base}/status") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
            with open(f"{base}/schedstat") as f:
                runtime = int(f.read().split()[0])
        except OSError:
            continue  # the thread ended
        out[int(tid)] = {"comm": comm, "voluntary": int(status["voluntary_ctxt_switches"]),
                         "nonvoluntary": int(status["nonvoluntary_ctxt_switches"]),
                         "runtime_ns": runtime}
    return out


def read_timespec(pid, address, timeval=False):
    """The (seconds, nanoseconds) at ADDRESS in PID's memory; None for NULL."""
    if address == 0:
        return None
    with open(f"/proc/{pid}/mem", "rb") as f:
        f.seek(address)
        sec, frac = struct.unpack("qq", f.read(16))
    return sec + frac / (1e6 if timeval else 1e9)


def blocked_in(pid, tid):
    """(syscall, timeout in seconds or None for none, note) of a thread asleep in a
    syscall; timeout 0 for a sleep."""
    with open(f"/proc/{pid}/task/{tid}/syscall") as f:
        fields = f.read().split()
    if fields[0] in ("running", "-1"):
        return (fields[0], 0.0, "not blocked in a syscall")
    number, args = int(fields[0]), [int(a, 16) for a in fields[1:7]]
    name, kind, arg = SYSCALLS.get(number, (f"syscall {number}", None, None))
    if kind == "ms":
        ms = struct.unpack("i", struct.pack("I", args[arg] & 0xffffffff))[0]
        return (name, None if ms < 0 else ms / 1000.0, "")
    if kind in ("timespec", "timeval"):
        if name == "futex" and (args[1] & 0x7f) not in FUTEX_WAIT_OPS:
            return (name, None, f"op {args[1]}")
        return (name, read_timespec(pid, args[arg], kind == "timeval"), "")
    if kind == "sleep":
        return (name, 0.0, "a sleep")
    return (name, None, "")


def timerfds(pid):
    """fd -> it_value of each timerfd ("(0, 0)" is disarmed)."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if "timerfd" not in os.readlink(f"/proc/{pid}/fd/{fd}"):
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        out[int(fd)] = info.get("it_value", "").strip()
    return out


def posix_timers(pid):
    try:
        with open(f"/proc/{pid}/timers") as f:
            return [line.strip() for line in f if line.startswith("ID:")]
    except OSError:
        return []  # no CONFIG_CHECKPOINT_RESTORE: timer_create is then not listed


def timer_sources(pid):
    """Every way the process could wake itself: each thread's blocking syscall and its
    timeout, armed timerfds, POSIX timers."""
    blocked = {}
    for tid, info in threads(pid).items():
        try:
            name, timeout, note = blocked_in(pid, tid)
        except OSError:
            continue
        blocked[f"{info['comm']}/{tid}"] = {"syscall": name, "timeout_s": timeout, "note": note}
    fds = timerfds(pid)
    return {"threads": blocked, "timerfds": fds,
            "armed_timerfds": [fd for fd, value in fds.items() if value != "(0, 0)"],
            "posix_timers": posix_timers(pid)}


def strace_calls(pid, seconds):
    """Syscalls PID's threads made while strace followed it, by name and thread, without
    the restarts strace's own attach and detach cause. None without strace."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        proc = subprocess.Popen([strace, "-f", "-qq", "-p", str(pid), "-o", out.name],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)  # bench: the window strace watches
        proc.send_signal(signal.SIGINT)
        proc.wait()
        calls = {}
        for line in out.read().splitlines():
            tid, _, rest = line.partition(" ")
            name = rest.lstrip().split("(", 1)[0]
            if not name or name.startswith(("<...", "restart_syscall", "---", "+++")):
                continue
            calls[f"{name}/{tid}"] = calls.get(f"{name}/{tid}", 0) + 1
        return calls


# ---------------------------------------------------------------- carguardd

class Daemon:
    """carguardd --foreground with a policy root and env of its own."""

    def __init__(self, build, directory, lab, watchdog):
        self.notify = NotifySocket(directory)
        root = os.path.join(directory, "root")
        os.makedirs(os.path.join(root, "etc/carguard/vendors.d"), exist_ok=True)
        with open(os.path.join(root, "etc/carguard/carguard.conf"), "w") as f:
            f.write("[Default]\nPreset=charge-only\n")
        env = dict(os.environ, NOTIFY_SOCKET=self.notify.path)
        env.pop("WATCHDOG_USEC", None)
        env.pop("WATCHDOG_PID", None)
        if watchdog:
            env["WATCHDOG_USEC"] = str(watchdog)
        argv = [os.path.join(build, "daemon", "carguardd"), "--foreground", "--root", root]
        if lab is not None:
            self.proc = lab.spawn("carguardd", argv, env=env)
        else:
            self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        if not self.notify.ready.wait(30):
            raise labkit.LabFailure("carguardd sent no READY=1")
        self.pid = self.proc.pid

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.notify.close()


def measure(daemon, seconds):
    """Wakeups and CPU of every thread over SECONDS, the timer sources at both ends."""
    time.sleep(1.0)  # bench: let start-up settle (file monitors, bus replies)
    sources_start = timer_sources(daemon.pid)
    before, t0 = threads(daemon.pid), time.monotonic()
    time.sleep(seconds)  # bench: the idle period measured
    after, t1 = threads(daemon.pid), time.monotonic()
    sources_end = timer_sources(daemon.pid)
    per_thread = {}
    for tid, b in before.items():
        a = after.get(tid)
        if a is None:
            per_thread[f"{b['comm']}/{tid}"] = {"ended": True}
            continue
        per_thread[f"{b['comm']}/{tid}"] = {
            "voluntary": a["voluntary"] - b["voluntary"],
            "nonvoluntary": a["nonvoluntary"] - b["nonvoluntary"],
            "cpu_us": (a["runtime_ns"] - b["runtime_ns"]) / 1000.0}
    for tid in set(after) - set(before):
        per_thread[f"{after[tid]['comm']}/{tid}"] = {"started": True}
    return {"seconds": round(t1 - t0, 1), "pings": daemon.notify.pings_between(t0, t1),
            "threads": per_thread, "sources_start": sources_start, "sources_end": sources_end,
            "strace": strace_calls(daemon.pid, min(seconds, STRACE_SECONDS))}


def wakeups(thread):
    return thread.get("voluntary", 0) + thread.get("nonvoluntary", 0)


def check_idle(t, r):
    total = sum(wakeups(v) for v in r["threads"].values())
    changed = [k for k, v in r["threads"].items() if "ended" in v or "started" in v]
    t.ok(total == 0 and not changed, f"no watchdog: {total} wakeups in {r['seconds']} s", r["threads"])
    for when in ("sources_start", "sources_end"):
        s = r[when]
        timed = {k: v for k, v in s["threads"].items() if v["timeout_s"] is not None}
        t.ok(not timed and not s["armed_timerfds"] and not s["posix_timers"],
             f"no watchdog: no timer armed ({when.split('_')[1]}): every thread blocked with no "
             "timeout, no timerfd armed, no POSIX timer", s)
    if r["strace"] is None:
        t.skip("no watchdog: strace sees no syscall", "no strace")
    else:
        t.ok(not r["strace"], f"no watchdog: strace sees no syscall in {STRACE_SECONDS} s", r["strace"])


def check_watchdog(t, r, usec):
    main = next(v for k, v in r["threads"].items() if k.startswith("carguardd/"))
    others = {k: v for k, v in r["threads"].items() if not k.startswith("carguardd/")}
    t.ok(r["pings"] >= 2, f"watchdog {usec / 1e6:g} s: {r['pings']} pings in {r['seconds']} s")
    t.ok(main.get("voluntary") == r["pings"],
         f"watchdog: the main thread woke {main.get('voluntary')} times for {r['pings']} pings "
         f"({main.get('nonvoluntary')} preemptions)", main)
    t.ok(all(wakeups(v) == 0 for v in others.values()), "watchdog: no other thread woke", others)
    ceiling = usec / 2e6
    timeouts = {}
    for when in ("sources_start", "sources_end"):
        s = r[when]
        for k, v in s["threads"].items():
            if v["timeout_s"] is not None:
                timeouts.setdefault(k, []).append(v["timeout_s"])
        t.ok(not s["armed_timerfds"] and not s["posix_timers"],
             f"watchdog: no timerfd or POSIX timer armed ({when.split('_')[1]})", s)
    main_timeouts = [v for k, vs in timeouts.items() if k.startswith("carguardd/") for v in vs]
    t.ok(set(timeouts) <= {k for k in timeouts if k.startswith("carguardd/")}
         and all(0 < v <= ceiling for v in main_timeouts),
         f"watchdog: the only timeout is the main loop's, at most {ceiling:g} s: {timeouts}")
    per_ping = main.get("cpu_us", 0) / max(r["pings"], 1)
    t.diag(f"watchdog: {per_ping:.0f} us of CPU per ping; strace of {STRACE_SECONDS} s: {r['strace']}")
    return per_ping


def run_phase(build, lab, watchdog, seconds):
    directory = tempfile.mkdtemp(prefix="cg-usb-idle-")
    daemon = None
    try:
        daemon = Daemon(build, directory, lab, watchdog)
        return measure(daemon, seconds)
    finally:
        if daemon is not None:
            daemon.close()
        shutil.rmtree(directory, ignore_errors=True)


def lab_setup(lab):
    """The lab's bus, the cable in (a UDC and a root hub), the phone's gadget unbound."""
    import usblab
    lab.start_system_bus()
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    usblab.Cable(lab.env["LAB_KROOT"]).attach()
    usblab.PhoneGadget().create(bind=False)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 and not IN_LAB else None
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    usec = watchdog_usec()
    t = labkit.Tap(10)
    lab = labkit.Lab() if IN_LAB else None
    bus = None
    try:
        if lab is not None:
            build = lab.build
            lab_setup(lab)
        else:
            bus = PrivateBus()
        idle = run_phase(build or "build", lab, None, seconds)
        check_idle(t, idle)
        watchdog = run_phase(build or "build", lab, usec, max(seconds, 2.5 * usec / 1e6))
        per_ping = check_watchdog(t, watchdog, usec)
    finally:
        if lab is not None:
            import usblab
            usblab.cleanup_all_gadgets()
            lab.close()
        if bus is not None:
            bus.close()
    result = {"where": "lab" if IN_LAB else "host", "watchdog_usec": usec, "idle": idle,
              "watchdog": watchdog, "cpu_us_per_ping": round(per_ping, 1)}
    t.diag(json.dumps(result))
    if IN_LAB:
        with open("/run/lab/usb-idle.json", "w") as f:
            json.dump(result, f, indent=2)
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
