#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role, 100 attach/detach cycles under `ask`: on even cycles the person allows
once (the gadget binds and the car enumerates the phone), on odd cycles nobody answers
(the gadget stays unbound). Every decision must be right, and carguardd must not grow:
the same number of open fds (/proc/PID/fd) and no VmRSS growth past allocator noise
after a warm-up."""

import importlib.machinery
import os

lib = importlib.machinery.SourceFileLoader(
    "usb_guard_lib", os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                  "usb-guard-lib.py")).load_module()
usblab = lib.usblab

CYCLES = 100
WARM_UP = 10
# glibc's allocator keeps freed arenas; a leak of even 1 kB per cycle exceeds this.
RSS_NOISE_KB = 64


def asking(rec):
    return rec.get("Decision") == "ask" and int(rec.get("Pending", 0)) != 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def main():
    t = lib.Tap(4)
    root = "/tmp/cg-root"
    lib.write_policy(root, "[Default]\nPreset=charge-only\nUSBMode=ask\n")
    bus = lib.start_system_bus()
    lib.car_detach()
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    phone = usblab.PhoneGadget()
    phone.create(bind=False)
    port = usblab.CarUsbPort("1-1")
    daemon = lib.Carguardd(bus, root, "/run/lab/carguardd-cycles.log").start()
    watch = lib.DecisionWatch(bus)
    wrong = []
    asked = set()
    baseline = None
    try:
        for cycle in range(CYCLES):
            lib.car_attach()
            # Each connection gets its own question: skip records of earlier ones.
            rec = watch.wait(lambda r: asking(r) and int(r["Pending"]) not in asked,
                             f"cycle {cycle}: a new question")
            asked.add(int(rec["Pending"]))
            if phone.udc() is not None or port.enumerated():
                wrong.append(f"cycle {cycle}: bound before any answer")
            if cycle % 2 == 0:
                daemon.proxy().AllowOnce(lib.USB_ID)
                usblab.wait_until(lambda: phone.udc() == lib.UDC, lib.TIMEOUT, "g1 bound")
                port.wait_enumerated(lib.TIMEOUT)
            lib.car_detach()
            usblab.wait_until(lambda: phone.udc() is None, lib.TIMEOUT, "g1 unbound")
            if cycle + 1 == WARM_UP:
                baseline = (fds(daemon.pid()), rss_kb(daemon.pid()))
        final = (fds(daemon.pid()), rss_kb(daemon.pid()))
        t.diag(f"after {WARM_UP} cycles: {baseline[0]} fds, VmRSS {baseline[1]} kB; "
               f"after {CYCLES}: {final[0]} fds, VmRSS {final[1]} kB")
        t.ok(not wrong, f"all {CYCLES} decisions right", "\n".join(wrong))
        t.ok(final[0] == baseline[0], "no fd growth", (baseline, final))
        t.ok(final[1] - baseline[1] <= RSS_NOISE_KB,
             f"no VmRSS growth beyond {RSS_NOISE_KB} kB", (baseline, final))
        t.ok(daemon.alive(), "carguardd still runs")
    finally:
        watch.close()
        daemon.stop()
        usblab.cleanup_all_gadgets()
    return 1 if t.failed else 0


if __name__ == "__main__":
    lib.run(main)
