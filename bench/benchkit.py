# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the benchmarks that run carguardd outside the lab share: a system bus of their
own and the service manager's side of sd_notify."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import labkit


class NotifySocket:
    """The service manager's side of sd_notify: READY=1 and WATCHDOG=1 pings."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.pings = []
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            try:
                msg = self.sock.recv(4096).decode(errors="replace")
            except OSError:
                return
            if "READY=1" in msg.split("\n"):
                self.ready.set()
            if "WATCHDOG=1" in msg.split("\n"):
                self.pings.append(time.monotonic())

    def pings_between(self, start, end):
        return sum(1 for t in self.pings if start <= t <= end)

    def close(self):
        self.sock.close()


class PrivateBus:
    """A system bus of this process's, for a run outside the lab."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cg-bench-bus-")
        sock = os.path.join(self.dir, "system_bus_socket")
        conf = os.path.join(self.dir, "bus.conf")
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
        self.proc = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork"])
        labkit.wait_until(lambda: os.path.exists(sock), 20, "the private bus")
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={sock}"
        os.environ.pop("NOTIFY_SOCKET", None)

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
