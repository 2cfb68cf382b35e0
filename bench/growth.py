#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Does carguardd grow over long use? Plug cycles in each USB role and pairing cycles,
in the lab, with carguardd's heap and fds sampled as it goes:

    tests/lab/lab run --build BUILD --timeout 10800 bench/growth.py [RUN:CYCLES ...] [memcheck] [notcache]

RUN is phone, laptop or bluetooth; the default is phone:1000 laptop:1000 bluetooth:200,
all in one boot. Each run starts carguardd afresh.

- phone: the phone's gadget under USBMode=ask (usblab.PhoneRole, an ACM function as in
  usb-guard-cycles); the cable goes in (dummy_hcd loaded), a question comes, on even
  cycles the person allows once (the gadget binds, the car enumerates the phone), on odd
  ones nobody answers; the cable comes out.
- laptop: a car head unit (charge-only, stays unauthorized) and a trusted dock (data,
  authorized) take turns on the laptop's port (usblab.LaptopRole).
- bluetooth: the phone (phone.py, its services registered, carguardd its agent); the
  car pairs (Just Works, [CarDefault] audio-only), tries PBAP (refused), and both
  sides forget the bond (labkit's car.py and Lab.forget).

Every SAMPLE cycles, with carguardd idle between two cycles: its open fds, VmRSS, the
RSS of its [heap], and glibc's own account (SIGUSR1: carguardd logs mallinfo2, bytes in
use and held). The growth per cycle after WARM_UP cycles is the least-squares slope of
each over the samples after it. carguardd runs with G_SLICE=always-malloc, so GLib's
slice allocator, which keeps freed blocks in per-thread magazines, hides nothing from
malloc's count (set CG_GROWTH_SLICE=1 to run it with GLib's default instead).

With "memcheck" among the arguments carguardd runs under valgrind's memcheck (slow:
use a few hundred cycles) and every sample after the warm-up is a leak search with
reachable blocks ("vgdb leak_check full reachable any", then "... increased"): the
allocation stacks of whatever grew, in /run/lab/leaks-RUN-CYCLE.txt, and the bytes of
every block, lost or reachable, as the sample's "in use".

Prints TAP (one point per run: every decision right, no fd growth, no growth of
malloc's bytes in use per cycle after warm-up) with the samples as diagnostics, and
writes /run/lab/growth.json."""

import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "lab", "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

DEFAULT_RUNS = (("phone", 1000), ("laptop", 1000), ("bluetooth", 200))
SAMPLE = {"phone": 20, "laptop": 20, "bluetooth": 10}
WARM_UP = {"phone": 100, "laptop": 100, "bluetooth": 40}
# What "zero growth" allows: less than a byte of malloc's bytes in use per cycle (a
# leak of one pointer per cycle is 8 bytes and shows).
MAX_BYTES_PER_CYCLE = 1.0
QUIET = 0.5
# "memcheck" among the arguments: carguardd runs under valgrind's memcheck, and each sample
# after the warm-up is a leak search instead of malloc's statistics.
MEMCHECK = False
# "notcache": carguardd's malloc keeps no per-thread cache of freed blocks (glibc's tcache,
# which mallinfo2 counts as in use), to tell its filling from a leak.
NO_TCACHE = False
# The totals of a leak search's summary: every heap block, lost or still reachable.
LEAK_BYTES = re.compile(r"(definitely lost|indirectly lost|possibly lost|still reachable): ([\d,]+) ")
MALLOC = re.compile(r"MALLOC_IN_USE=(\d+) MALLOC_HELD=(\d+) MALLOC_FREE=(\d+) "
                    r"MALLOC_FREE_CHUNKS=(\d+) MALLOC_MMAPPED=(\d+)")
VENDORS = {
    "alpine": "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=charge-only\n",
    "dock": "[Vendor]\nName=Dock\n[Match]\nUSB=1d6b\n[Policy]\nPreset=trusted\n",
}
BT_CONF = "[Default]\nPairing=ask\nProfiles=a2dp avrcp hfp hsp hid\n[CarDefault]\nPreset=audio-only\n"
BT_PHONE_VENDOR = (f"[Vendor]\nName=Lab phone\n[Device]\nBluetoothAddress={labkit.PHONE_ADDRESS}\n"
                   "Preset=trusted\n")


class Sampler:
    """carguardd's fds and memory, every SAMPLE cycles."""

    def __init__(self, lab, name, cycles):
        self.lab, self.name, self.cycles = lab, name, cycles
        self.samples = []
        self.searched = False

    def malloc_stats(self):
        """SIGUSR1, then the entry carguardd logs for it."""
        path = self.lab.log_path("carguardd.log")

        def entries():
            with open(path, errors="replace") as f:
                return MALLOC.findall(f.read())
        before = len(entries())
        self.lab.carguardd.send_signal(10)  # SIGUSR1
        found = labkit.wait_until(lambda: entries()[before:], 20, "carguardd's malloc statistics")
        return [int(v) for v in found[0]]

    def wait_idle(self, pid):
        """Until carguardd is done with the cycle: every thread asleep in a syscall and
        no thread switched for QUIET seconds."""
        def switches():
            total = 0
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    total += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
            return total
        state = {"switches": -1, "since": time.monotonic()}

        def quiet():
            now, n = time.monotonic(), switches()
            if n != state["switches"]:
                state.update(switches=n, since=now)
            return now - state["since"] >= QUIET
        labkit.wait_until(quiet, 30, "carguardd to be idle", interval=0.05)

    def leak_check(self, cycle):
        """Under memcheck: every heap block by allocation stack (valgrind's leak search,
        reachable blocks too) after the warm-up, then what grew since the previous search,
        into /run/lab/leaks-RUN-CYCLE.txt."""
        which = "increased" if self.searched else "any"
        out = subprocess.run(["vgdb", f"--pid={self.lab.carguardd.pid}", "leak_check", "full",
                              "reachable", which], capture_output=True, text=True, timeout=600)
        with open(f"/run/lab/leaks-{self.name}-{cycle}.txt", "w") as f:
            f.write(out.stdout + out.stderr)
        self.searched = True
        return sum(int(m.group(2).replace(",", "")) for m in LEAK_BYTES.finditer(out.stdout + out.stderr))

    def take(self, cycle):
        pid = self.lab.carguardd.pid
        self.wait_idle(pid)
        if MEMCHECK:
            in_use = held = free = free_chunks = mmapped = 0
            if cycle >= WARM_UP[self.name] or cycle == self.cycles:
                in_use = self.leak_check(cycle)
        else:
            in_use, held, free, free_chunks, mmapped = self.malloc_stats()
        self.samples.append({"cycle": cycle, "fds": len(os.listdir(f"/proc/{pid}/fd")),
                             "threads": len(os.listdir(f"/proc/{pid}/task")),
                             "vm_rss_kb": labkit.status_kb(pid, "VmRSS"),
                             "heap_rss_kb": labkit.heap_rss_kb(pid),
                             "in_use": in_use, "held": held, "free": free,
                             "free_chunks": free_chunks, "mmapped": mmapped})

    def cycle_done(self, cycle):
        if cycle == 0 or (cycle + 1) % SAMPLE[self.name] == 0 or cycle + 1 == self.cycles:
            self.take(cycle + 1)


def slope(points):
    """Least-squares slope of (x, y) points."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def report(t, name, sampler, wrong, seconds):
    warm = WARM_UP[name]
    after = [s for s in sampler.samples if s["cycle"] >= warm]
    first = sampler.samples[0]
    base = after[0] if after else first
    last = sampler.samples[-1]
    per_cycle = {k: slope([(s["cycle"], s[k]) for s in after])
                 for k in ("in_use", "held", "vm_rss_kb", "heap_rss_kb", "fds")}
    t.diag(f"{name}: {last['cycle']} cycles in {seconds:.0f} s")
    t.diag(f"{name}: cycle fds threads VmRSS_kB heap_kB in_use held free free_chunks mmapped")
    for s in sampler.samples:
        t.diag(f"{name}: {s['cycle']:5} {s['fds']:3} {s['threads']:2} {s['vm_rss_kb']:6} "
               f"{s['heap_rss_kb']:6} {s['in_use']:8} {s['held']:8} {s['free']:8} "
               f"{s['free_chunks']:4} {s['mmapped']:7}")
    t.diag(f"{name}: in use {first['in_use']} B after 1 cycle, {base['in_use']} B after {base['cycle']}"
           f" (warm-up: {base['in_use'] - first['in_use']:+} B), {last['in_use']} B after "
           f"{last['cycle']} ({last['in_use'] - base['in_use']:+} B since)")
    t.diag(f"{name}: per cycle after {warm}: in use {per_cycle['in_use']:+.2f} B, held "
           f"{per_cycle['held']:+.2f} B, VmRSS {per_cycle['vm_rss_kb'] * 1024:+.1f} B, [heap] "
           f"{per_cycle['heap_rss_kb'] * 1024:+.1f} B, fds {per_cycle['fds']:+.4f}")
    t.ok(not wrong, f"{name}: all {last['cycle']} decisions right", "\n".join(wrong[:20]))
    t.ok(last["fds"] == base["fds"] and first["fds"] == base["fds"],
         f"{name}: {last['fds']} fds throughout", [s["fds"] for s in sampler.samples])
    if MEMCHECK:
        searches = sorted(f for f in os.listdir("/run/lab") if f.startswith(f"leaks-{name}-"))
        t.ok(len(after) >= 2 and per_cycle["in_use"] < MAX_BYTES_PER_CYCLE,
             f"{name}: memcheck's heap blocks (reachable and lost) grow {per_cycle['in_use']:+.2f} B"
             f" per cycle after {warm} cycles (at most {MAX_BYTES_PER_CYCLE:g})",
             {"samples": [(s["cycle"], s["in_use"]) for s in after], "searches": searches})
        return {"cycles": last["cycle"], "seconds": round(seconds), "leak_searches": searches,
                "heap_bytes": [(s["cycle"], s["in_use"]) for s in after]}
    t.ok(per_cycle["in_use"] < MAX_BYTES_PER_CYCLE,
         f"{name}: malloc's bytes in use grow {per_cycle['in_use']:+.2f} B per cycle after "
         f"{warm} cycles (at most {MAX_BYTES_PER_CYCLE:g})")
    return {"cycles": last["cycle"], "seconds": round(seconds), "warm_up": warm,
            "per_cycle_after_warm_up": per_cycle, "samples": sampler.samples, "wrong": wrong}


def start(lab, role):
    """The role's carguardd again, with the allocator settings of this bench."""
    lab.stop_carguardd()
    env = dict(os.environ)
    if os.environ.get("CG_GROWTH_SLICE") != "1":
        env["G_SLICE"] = "always-malloc"
    if NO_TCACHE:
        env["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0"
    argv = [lab.carguardd_path, "--foreground", "--root", role.root, "--debug"]
    if MEMCHECK:
        argv = ["valgrind", "--tool=memcheck", "--vgdb=yes", "--num-callers=24",
                f"--log-file=/run/lab/memcheck-{os.getpid()}.log"] + argv
    lab.carguardd = lab.spawn("carguardd", argv, env=env)
    labkit.wait_until(lambda: lab.name_has_owner(cgnames.CG_DBUS_NAME), 600 if MEMCHECK else 30,
                      "carguardd's name")
    role.watch.close()
    role.watch = labkit.DecisionWatch(lab.bus, role.watch.device_id)


def phone_cycles(lab, cycles):
    conf = "[Default]\nPreset=charge-only\nUSBMode=ask\n"
    with usblab.PhoneRole(lab, conf, root="/tmp/cg-root-phone", network_function="acm.usb0") as role:
        start(lab, role)
        phone, port, watch, cable = role.phone, role.port, role.watch, role.cable
        sampler, wrong, asked = Sampler(lab, "phone", cycles), [], set()
        for cycle in range(cycles):
            cable.attach()
            rec = watch.wait(lambda r: labkit.asking(r)
                             and int(r[cgnames.CG_DBUS_RECORD_PENDING]) not in asked,
                             f"cycle {cycle}: a new question")
            asked.add(int(rec[cgnames.CG_DBUS_RECORD_PENDING]))
            if phone.udc() is not None or port.enumerated():
                wrong.append(f"cycle {cycle}: bound before any answer")
            if cycle % 2 == 0:
                lab.carguardd_api().AllowOnce(usblab.GADGET_ID)
                labkit.wait_until(lambda: phone.udc() == usblab.UDC, usblab.TIMEOUT, "g1 bound")
                port.wait_enumerated(usblab.TIMEOUT)
            cable.detach()
            labkit.wait_until(lambda: phone.udc() is None, usblab.TIMEOUT, "g1 unbound")
            sampler.cycle_done(cycle)
        return sampler, wrong


def laptop_cycles(lab, cycles):
    with usblab.LaptopRole(lab, VENDORS, root="/tmp/cg-root-host") as role:
        start(lab, role)
        car = usblab.CarHeadUnitGadget(functions=("ncm",)).create(bind=False)
        dock = usblab.CarHeadUnitGadget(name="dock", vendor_id=0x1D6B, product_id=0x0104,
                                        manufacturer="Dock", product="Trusted dock",
                                        functions=("ncm",)).create(bind=False)
        sampler, wrong = Sampler(lab, "laptop", cycles), []
        role.wait_locked()
        for cycle in range(cycles):
            gadget, want, vendor = ((car, "charge-only", "alpine") if cycle % 2 == 0
                                    else (dock, "data", "dock"))
            wrong += role.plug_cycle(cycle, gadget, want, vendor)
            sampler.cycle_done(cycle)
        return sampler, wrong


class BluetoothRole:
    """The Bluetooth stack, the phone's policy root (car-class devices get audio-only),
    carguardd as the phone's agent; a DecisionWatch on the car."""

    def __init__(self, lab):
        self.lab = lab
        self.root = lab.write_policy("/tmp/cg-root-bt", labkit.policy_files(
            BT_CONF, {"lab-phone": BT_PHONE_VENDOR}))
        lab.bluetooth_up(labkit.main_conf())
        self.watch = labkit.DecisionWatch(lab.bus, f"bluetooth/{labkit.CAR_ADDRESS}")

    def close(self):
        self.watch.close()
        self.lab.stop("phone")
        self.lab.stop_carguardd()


def bluetooth_cycles(lab, cycles):
    role = BluetoothRole(lab)
    try:
        start(lab, role)
        labkit.wait_until(lambda: "registered as BlueZ's default agent" in open(
            lab.log_path("carguardd.log"), errors="replace").read(), 30, "carguardd's agent")
        lab.start_phone(agent=False)  # the phone's services; carguardd is its agent
        sampler, wrong = Sampler(lab, "bluetooth", cycles), []
        for cycle in range(cycles):
            car = lab.run_car(pairing="just-works", services=["pbap"], cls="4,32")
            pbap = car["services"].get("pbap", {})
            if not car["paired"] or pbap.get("connected") or pbap.get("vcards"):
                wrong.append(f"cycle {cycle}: paired {car['paired']} ({car['pair_error']}), pbap {pbap}")
            lab.forget()
            sampler.cycle_done(cycle)
        return sampler, wrong
    finally:
        role.close()


CYCLES = {"phone": phone_cycles, "laptop": laptop_cycles, "bluetooth": bluetooth_cycles}


def parse_runs(args):
    global MEMCHECK, NO_TCACHE
    runs = []
    MEMCHECK = "memcheck" in args
    NO_TCACHE = "notcache" in args
    for arg in (a for a in args if a not in ("memcheck", "notcache")):
        name, _, count = arg.partition(":")
        if name not in CYCLES:
            raise SystemExit(f"growth.py: unknown run {name!r} (phone, laptop, bluetooth)")
        runs.append((name, int(count) if count else dict(DEFAULT_RUNS)[name]))
    return runs or list(DEFAULT_RUNS)


def main():
    with labkit.Lab() as lab:
        runs = parse_runs(lab.env.get("LAB_ARGS") or [])
        t = labkit.Tap(3 * len(runs))
        results = {}
        for name, cycles in runs:
            started = time.monotonic()
            sampler, wrong = CYCLES[name](lab, cycles)
            results[name] = report(t, name, sampler, wrong, time.monotonic() - started)
        with open("/run/lab/growth.json", "w") as f:
            json.dump(results, f, indent=1)
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
