#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A person answers an `ask` through the notifier, asserted at the car. The shipped
policy asks about car-class devices ([CarDefault] Pairing=ask); the car starts
pairing; carguard-notifier (on a session bus with python3-dbusmock's
notification_daemon template standing in for the desktop's notification server, which
the lab has no desktop for) shows "Allow once"; the person clicks it (the template
emits ActionInvoked); the answer reaches carguardd, and the car's pairing and its HFP
connection succeed while PBAP stays refused."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import btguard_helpers as bt  # noqa: E402
import dbus  # noqa: E402
import dbus.bus  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=6)
NOTIFICATIONS = "org.freedesktop.Notifications"
MOCK_IFACE = "org.freedesktop.DBus.Mock"


def start_session_bus(lab):
    out = subprocess.run(["dbus-daemon", "--session", "--fork", "--nopidfile", "--print-address=1"],
                         capture_output=True, text=True, check=True, timeout=30)
    address = out.stdout.strip().splitlines()[0]
    return address, dbus.bus.BusConnection(address)


def start_notification_mock(lab, address, session):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    lab.spawn("notification-mock", [labkit.PYTHON, "-m", "dbusmock", "--template", "notification_daemon"],
              env=env)
    labkit.wait_until(lambda: session.name_has_owner(NOTIFICATIONS), 30, "the mock notification server")
    calls = []
    session.add_signal_receiver(lambda method, args: calls.append((str(method), args)), "MethodCalled",
                                MOCK_IFACE, path="/org/freedesktop/Notifications")
    return calls


def scenario(lab, root):
    address, session = start_session_bus(lab)
    calls = start_notification_mock(lab, address, session)
    bt.start_carguardd(lab, root)
    lab.start_phone(agent=False)
    lab.spawn("notifier", [os.path.join(lab.build, "notifier", "carguard-notifier")],
              env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address))
    car = subprocess.Popen([labkit.PYTHON, os.path.join(labkit.GUEST, "car.py"), "--services", "hfp,pbap",
                            "--name", "Lab <b>Car</b>"],
                           stdout=subprocess.PIPE, stderr=open(lab.log_path("car.log"), "ab"))

    def asking():
        notes = [args for method, args in calls if method == "Notify"]
        for number, args in enumerate(notes, 1):
            if "allow-once" in [str(a) for a in args[5]]:
                return number, args
        return None

    try:
        number, args = labkit.wait_until(asking, 40, "a notification offering Allow once")
    except labkit.LabFailure:
        number, args = None, None
    # "A car" once the Bluetooth guard gives its question a Kind; until then the kind is
    # unknown and the notifier says so rather than guess.
    tap.ok(args is not None and re.fullmatch(r"A (car|Bluetooth device) asks to pair", str(args[3])),
           "the notifier asks the person, offering Allow once",
           [(m, [str(a) for a in a_]) for m, a_ in calls])
    if args is None:
        car.kill()
        return
    body = str(args[4])
    tap.ok("It calls itself “Lab &lt;b&gt;Car&lt;/b&gt;”; any device can claim that name." in body
           and "Allowing it gives calls and music; contacts and messages stay on this device." in body,
           "it says the name is the car's own claim and what a yes grants", body)
    # The template numbers its notifications from 1, in the order they were shown.
    session.get_object(NOTIFICATIONS, "/org/freedesktop/Notifications").EmitSignal(
        NOTIFICATIONS, "ActionInvoked", "us", [dbus.UInt32(number), "allow-once"], dbus_interface=MOCK_IFACE)
    try:
        labkit.wait_until(lambda: bt.log_count(lab, "allow once (person)"), 20,
                          "carguardd to hear the answer")
        heard = True
    except labkit.LabFailure:
        heard = False
    tap.ok(heard, "the person's Allow once reaches carguardd")
    out, _ = car.communicate(timeout=240)
    report = labkit.json.loads(out)
    with open(lab.log_path("car-reports.jsonl"), "a") as f:
        f.write(labkit.json.dumps(report) + "\n")
    tap.ok(report["pair_error"] is None and report["bond"]["phone"]["bonded"],
           "the car's pairing then succeeds; the phone keeps the bond", report)
    hfp = report["services"].get("hfp", {})
    tap.ok(hfp.get("connected") and hfp.get("at") == "ok", "the car's HFP connects", hfp)
    tap.ok(bt.refused(report["services"].get("pbap", {})), "PBAP stays refused at the car",
           report["services"].get("pbap"))


if __name__ == "__main__":
    sys.exit(bt.run(tap, scenario, policy=bt.write_shipped_policy))
