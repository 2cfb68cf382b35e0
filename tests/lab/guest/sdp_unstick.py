#!/usr/bin/python3
"""A watchdog for a lab-only hang of bluetoothd 5.66's SDP server.

bluetoothd's SDP server calls a blocking accept() after poll(). In the lab one
bluetoothd serves both controllers, and when its own SDP client on one controller gives
up on the other, the connection its server was woken for is gone before accept(): it
then blocks for good and answers nothing, guard or no guard. A new incoming SDP
connection completes that accept(). This process makes one whenever bluetoothd is seen
in accept() twice in a row, and records each time as a JSON line, so a scenario reports
every time the lab stepped in. It changes nothing carguard decides or the car gets.

Usage: sdp_unstick.py EVENTS_PATH
"""
import json
import os
import socket
import sys
import time

import labkit

SDP_PSM = 1


def bluetoothd_pids():
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() == "bluetoothd":
                    pids.append(int(entry))
        except (OSError, ValueError):
            continue
    return pids


def blocked_in_accept(pid):
    try:
        with open(f"/proc/{pid}/stack") as f:
            return "l2cap_sock_accept" in f.read()
    except OSError:
        return False


def sdp_connect(source, target):
    """One L2CAP connection to TARGET's SDP server, closed at once; True if it opened."""
    s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_SEQPACKET, socket.BTPROTO_L2CAP)
    s.settimeout(5)
    try:
        s.bind((source, 0))
        s.connect((target, SDP_PSM))
        return True
    except OSError:
        return False
    finally:
        s.close()


def watch(events_path):
    seen = set()
    while True:
        for pid in bluetoothd_pids():
            if not blocked_in_accept(pid):
                seen.discard(pid)
            elif pid not in seen:
                seen.add(pid)
            else:
                opened = (sdp_connect(labkit.CAR_ADDRESS, labkit.PHONE_ADDRESS)
                          or sdp_connect(labkit.PHONE_ADDRESS, labkit.CAR_ADDRESS))
                with open(events_path, "a") as f:
                    f.write(json.dumps({"pid": pid, "poked": opened}) + "\n")
                seen.discard(pid)
        time.sleep(0.5)


def events(events_path):
    try:
        with open(events_path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


if __name__ == "__main__":
    watch(sys.argv[1])
