#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Idle carguardd: wakeups and memory over a quiet period (default 60 s).

Starts a private system bus (DBUS_SYSTEM_BUS_ADDRESS) and carguardd with a policy root of
its own, waits for org.carguard.Daemon1, then counts context switches of every carguardd
thread (/proc/PID/task/*/status: each wakeup is one) and reads VmRSS at the start and the
end. The daemon has no polling timer: the expected wakeup count is 0. Without a
WatchdogSec= (not under systemd) nothing wakes it.

    bench/usb-idle.py BUILD_DIR [SECONDS]

Prints one JSON object; exits 1 if carguardd woke up."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))),
                                "tests", "lab", "guest"))
import cgnames  # noqa: E402


def ctx_switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                    total += int(line.split()[1])
    return total


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def wait_for_name(env, deadline):
    while time.monotonic() < deadline:
        # dbus-send blocks until the bus answers; the loop ends once the name is owned.
        r = subprocess.run(["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus",
                            "/org/freedesktop/DBus", "org.freedesktop.DBus.GetNameOwner",
                            f"string:{cgnames.CG_DBUS_NAME}"], env=env, capture_output=True)
        if r.returncode == 0:
            return True
        time.sleep(0.1)  # bench only: startup, before measuring
    return False


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    tmp = tempfile.mkdtemp(prefix="cg-usb-idle-")
    sock = os.path.join(tmp, "system_bus_socket")
    conf = os.path.join(tmp, "bus.conf")
    with open(conf, "w") as f:
        f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={sock}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
    os.makedirs(os.path.join(tmp, "root/etc/carguard/vendors.d"))
    with open(os.path.join(tmp, "root/etc/carguard/carguard.conf"), "w") as f:
        f.write("[Default]\nPreset=charge-only\n")
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={sock}")
    env.pop("NOTIFY_SOCKET", None)
    env.pop("WATCHDOG_USEC", None)
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork"], env=env)
    daemon = None
    try:
        while not os.path.exists(sock):
            time.sleep(0.05)
        daemon = subprocess.Popen([os.path.join(build, "daemon", "carguardd"), "--foreground",
                                   "--root", os.path.join(tmp, "root")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_name(env, time.monotonic() + 20):
            raise SystemExit("carguardd did not take its bus name")
        time.sleep(1.0)  # let start-up settle (policy file monitors, bus replies)
        start_ctx, start_rss = ctx_switches(daemon.pid), vm_rss_kb(daemon.pid)
        time.sleep(seconds)
        end_ctx, end_rss = ctx_switches(daemon.pid), vm_rss_kb(daemon.pid)
        result = {"seconds": seconds, "wakeups": end_ctx - start_ctx,
                  "threads": len(os.listdir(f"/proc/{daemon.pid}/task")),
                  "vm_rss_kb_start": start_rss, "vm_rss_kb_end": end_rss}
        print(json.dumps(result))
        return 0 if result["wakeups"] == 0 else 1
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait()
        bus.terminate()
        bus.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
