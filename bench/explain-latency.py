#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`carguard policy explain` at fleet sizes, with and without a running carguardd.

    bench/explain-latency.py BUILD_DIR [RULES...]      (default: 10000 100000)

For each size, bench-policy --write-root writes a policy of that many rules (vendors of
1,000 rules, as bench-policy's "lists" shape). Then, on a system bus of this process's:

  1. `carguard --root ROOT policy explain FACTS` with no carguardd: the CLI loads the
     files itself;
  2. the same with `carguardd --foreground --root ROOT` running (READY=1 awaited): the CLI
     reads the files, hashes them without parsing, and asks the daemon, which enforces
     exactly them;
  3. `explain --live` beside it, for comparison (it also loads the files, to say
     whether they are what the daemon enforces).

Each figure is the median wall time of RUNS runs of the whole command (process start
to exit). The output of 1 and 2 must be the same text; the script fails otherwise.
Prints one table and one JSON object."""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "lab", "guest"))
import labkit  # noqa: E402
from benchkit import NotifySocket, PrivateBus  # noqa: E402

RUNS = 11
# A car of the first generated vendor: its OUI is rule 0's.
FACTS = ["--bt-address", "00:00:00:12:34:56", "--bt-class", "0x200420"]


def timed(argv):
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = (time.monotonic() - start) * 1000.0
    if done.returncode != 0:
        raise labkit.LabFailure(f"{argv}: exit {done.returncode}: {done.stderr}")
    return elapsed, done.stdout


def median_ms(argv):
    times, out = [], None
    for _ in range(RUNS):
        elapsed, out = timed(argv)
        times.append(elapsed)
    return statistics.median(times), out


class Daemon:
    """carguardd --foreground below root, until READY=1."""

    def __init__(self, build, root, directory):
        self.notify = NotifySocket(directory)
        env = dict(os.environ, NOTIFY_SOCKET=self.notify.path)
        env.pop("WATCHDOG_USEC", None)
        self.proc = subprocess.Popen(
            [os.path.join(build, "daemon", "carguardd"), "--foreground", "--root", root,
             "--state-directory", os.path.join(directory, "state")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not self.notify.ready.wait(120):
            raise labkit.LabFailure("carguardd sent no READY=1")

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.notify.close()


def measure(build, rules):
    cli = os.path.join(build, "cli", "carguard")
    root = subprocess.run([os.path.join(build, "bench", "bench-policy"), "--write-root",
                           str(rules)], capture_output=True, text=True,
                          check=True).stdout.strip()
    directory = tempfile.mkdtemp(prefix="cg-explain-")
    explain = [cli, "--root", root, "policy", "explain"] + FACTS
    daemon = None
    try:
        loaded_ms, loaded = median_ms(explain)
        daemon = Daemon(build, root, directory)
        asked_ms, asked = median_ms(explain)
        live_ms, _ = median_ms([cli, "policy", "explain", "--live"] + FACTS)
    finally:
        if daemon is not None:
            daemon.close()
        shutil.rmtree(directory, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
    if asked != loaded:
        raise labkit.LabFailure(f"the daemon's answer differs from a load's:\n{asked}\n---\n"
                                f"{loaded}")
    return {"rules": rules, "load_ms": round(loaded_ms, 1), "daemon_ms": round(asked_ms, 1),
            "live_ms": round(live_ms, 1)}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = sys.argv[1]
    sizes = [int(n) for n in sys.argv[2:]] or [10000, 100000]
    bus = PrivateBus()
    try:
        rows = [measure(build, n) for n in sizes]
    finally:
        bus.close()
    print(f"{'rules':>8} {'no daemon ms':>13} {'daemon ms':>10} {'--live ms':>10}")
    for r in rows:
        print(f"{r['rules']:>8} {r['load_ms']:>13} {r['daemon_ms']:>10} {r['live_ms']:>10}")
    print(json.dumps({"runs": RUNS, "sizes": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
