#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""carguard-notifier against python3-dbusmock: a real private session bus with the
notification_daemon template, and a private system bus with a fake carguardd (a
dbusmock object named org.carguard.Daemon1, since the real daemon needs BlueZ to ask
anything). Asserts what the person sees (summary, body, actions, escaping), that "Allow
once" and "Keep blocked" reach carguardd (AllowOnce, Deny), and how many bubbles a car
asking again and again, or devices asking from many random addresses, get.

Run: CARGUARD_NOTIFIER=build/notifier/carguard-notifier python3 test-notifier.py"""

import os
import re
import subprocess
import sys
import unittest

import dbus
import dbus.mainloop.glib
import dbusmock
from gi.repository import GLib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))),
                                "lab", "guest"))
import cgnames  # noqa: E402

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

CAR = "bluetooth/00:1E:DE:12:34:56"
WAIT_S = 20


def question(qid=3, kind="car", asks="pair", grants="a2dp avrcp hfp hsp pnp gatt", warning="",
             passkey=None):
    q = {
        cgnames.CG_DBUS_QUESTION_ID: dbus.UInt32(qid),
        cgnames.CG_DBUS_QUESTION_ASKS: asks,
        cgnames.CG_DBUS_QUESTION_KIND: kind,
        cgnames.CG_DBUS_QUESTION_GRANTS: grants,
        cgnames.CG_DBUS_QUESTION_WARNING: warning,
        cgnames.CG_DBUS_QUESTION_SECONDS_LEFT: dbus.UInt32(30),
    }
    if passkey is not None:
        q[cgnames.CG_DBUS_QUESTION_PASSKEY] = dbus.UInt32(passkey)
    return dbus.Dictionary(q, signature="sv")


def record(device=CAR, decision="ask", pending=3, allowed=(), denied=(), name="BYD <b>DiLink</b> & co",
           **asked):
    fields = {
        cgnames.CG_DBUS_RECORD_ID: device,
        cgnames.CG_DBUS_RECORD_TRANSPORT: "bluetooth",
        cgnames.CG_DBUS_RECORD_DEVICE: device.split("/", 1)[1],
        cgnames.CG_DBUS_RECORD_NAME: name,
        cgnames.CG_DBUS_RECORD_VENDOR: "",
        cgnames.CG_DBUS_RECORD_VENDOR_NAME: "",
        cgnames.CG_DBUS_RECORD_DECISION: decision,
        cgnames.CG_DBUS_RECORD_RULE: "/etc/carguard/vendors.d/byd.conf:5",
        cgnames.CG_DBUS_RECORD_ALLOWED: dbus.Array(allowed, signature="s"),
        cgnames.CG_DBUS_RECORD_DENIED: dbus.Array(denied, signature="s"),
        cgnames.CG_DBUS_RECORD_ENFORCED: True,
        cgnames.CG_DBUS_RECORD_PENDING: dbus.UInt32(pending),
    }
    if decision == "ask":
        fields[cgnames.CG_DBUS_RECORD_QUESTION] = question(qid=pending, **asked)
    return dbus.Dictionary(fields, signature="sv")


class NotifierTest(dbusmock.DBusTestCase):
    @classmethod
    def setUpClass(cls):
        cls.start_session_bus()
        cls.start_system_bus()
        cls.session = cls.get_dbus(system_bus=False)
        cls.system = cls.get_dbus(system_bus=True)

    def setUp(self):
        self.notify_server, self.notify_mock = self.spawn_server_template(
            "notification_daemon", {}, stdout=subprocess.DEVNULL)
        self.carguard_server = self.spawn_server(
            cgnames.CG_DBUS_NAME, cgnames.CG_DBUS_PATH, cgnames.CG_DBUS_INTERFACE,
            system_bus=True, stdout=subprocess.DEVNULL)
        self.carguard = dbus.Interface(
            self.system.get_object(cgnames.CG_DBUS_NAME, cgnames.CG_DBUS_PATH),
            dbusmock.MOCK_IFACE)
        self.carguard.AddMethod("", "ListDevices", "", "aa{sv}", "ret = []")
        self.carguard.AddMethod("", "AllowOnce", "s", "", "")
        self.carguard.AddMethod("", "Deny", "u", "", "")
        self.calls = []  # (bus name, method, args) in arrival order
        self.loop = GLib.MainLoop()
        self.waiting = None
        self.matches = [
            self.session.add_signal_receiver(
                lambda method, args: self.on_called("notify", method, args),
                "MethodCalled", dbusmock.MOCK_IFACE, path="/org/freedesktop/Notifications"),
            self.system.add_signal_receiver(
                lambda method, args: self.on_called("carguard", method, args),
                "MethodCalled", dbusmock.MOCK_IFACE, path=cgnames.CG_DBUS_PATH),
        ]
        env = dict(os.environ, CARGUARD_NOTIFIER_INTERVAL="3600")
        self.notifier = subprocess.Popen([os.environ.get("CARGUARD_NOTIFIER", "carguard-notifier")],
                                         env=env)
        # The notifier subscribes to Decision before it lists the devices: ready then.
        self.wait_for_call("carguard", "ListDevices")

    def tearDown(self):
        for match in self.matches:
            match.remove()
        self.notifier.terminate()
        self.assertEqual(self.notifier.wait(timeout=WAIT_S), 0)
        for server in (self.notify_server, self.carguard_server):
            server.terminate()
            server.wait()

    def on_called(self, target, method, args):
        self.calls.append((target, str(method), args))
        if self.waiting and len(self.found(*self.waiting[:2])) >= self.waiting[2]:
            self.loop.quit()

    def found(self, target, method):
        return [c[2] for c in self.calls if c[0] == target and c[1] == method]

    def wait_for_call(self, target, method, count=1):
        """Runs the main loop until the count-th call of method arrives: an event, not a sleep."""
        if len(self.found(target, method)) < count:
            self.waiting = (target, method, count)
            guard = GLib.timeout_add_seconds(WAIT_S, self.loop.quit)
            self.loop.run()
            GLib.source_remove(guard) if len(self.found(target, method)) >= count else None
            self.waiting = None
        calls = self.found(target, method)
        self.assertGreaterEqual(len(calls), count, f"no {method} call on {target}")
        return calls[count - 1]

    def emit_decision(self, rec):
        self.carguard.EmitSignal(cgnames.CG_DBUS_INTERFACE, "Decision", "a{sv}", [rec])

    def emit_removed(self, device):
        self.carguard.EmitSignal(cgnames.CG_DBUS_INTERFACE, "DeviceRemoved", "s", [device])

    def notify_calls(self):
        return self.found("notify", "Notify")

    def invoke(self, notification_id, action):
        self.notify_mock.EmitSignal("org.freedesktop.Notifications", "ActionInvoked", "us",
                                    [dbus.UInt32(notification_id), action],
                                    dbus_interface=dbusmock.MOCK_IFACE)

    def summaries(self):
        return [str(a[3]) for a in self.notify_calls()]

    def test_ask_offers_allow_once_and_reaches_carguardd(self):
        self.emit_decision(record())
        args = self.wait_for_call("notify", "Notify")
        summary, body, actions = str(args[3]), str(args[4]), [str(a) for a in args[5]]
        self.assertEqual(summary, "A car asks to pair")
        # The name it chose, escaped (its markup is text), and said to be its own claim.
        self.assertEqual(body, "It calls itself “BYD &lt;b&gt;DiLink&lt;/b&gt; &amp; co”; any device "
                               "can claim that name.\n"
                               "Allowing it gives calls and music; contacts and messages stay on "
                               "this device.\n"
                               "Allow it this once?")
        self.assertEqual(actions, ["allow-once", "Allow once", "keep-blocked", "Keep blocked"])

        self.invoke(1, "allow-once")  # the template numbers notifications from 1
        allow_args = self.wait_for_call("carguard", "AllowOnce")
        # The question the person saw, not whatever is open about the device by now.
        self.assertEqual([str(a) for a in allow_args], [CAR + cgnames.CG_DBUS_QUESTION_SEPARATOR + "3"])

    def test_keep_blocked_denies_at_once(self):
        self.emit_decision(record(pending=41))
        self.wait_for_call("notify", "Notify")
        self.invoke(1, "keep-blocked")
        deny_args = self.wait_for_call("carguard", "Deny")
        self.assertEqual([int(a) for a in deny_args], [41])
        self.assertEqual(self.found("carguard", "AllowOnce"), [])

    def test_the_kind_of_device_is_named(self):
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:0A", kind="keyboard",
                                  grants="a2dp avrcp hfp hsp hid pnp gatt", name="Keys"))
        self.emit_decision(record(device="usb/musb-hdrc.1.auto", kind="usb-host", asks="data",
                                  grants="data", name=""))
        self.wait_for_call("notify", "Notify", count=2)
        self.assertEqual(self.summaries(), ["A keyboard asks to pair",
                                            "A USB host asks for a data connection"])
        bodies = [str(a[4]) for a in self.notify_calls()]
        self.assertIn("Allowing it gives calls, music and typing;", bodies[0])
        self.assertIn("Allowing it opens a data connection (files, network) until it is unplugged.",
                      bodies[1])

    def test_passkey_and_warning_are_shown(self):
        self.emit_decision(record(passkey=123456,
                                  warning="00:1E:DE:12:34:56 is already paired as 'Pool car'"))
        body = str(self.wait_for_call("notify", "Notify")[4])
        self.assertIn("\nPair only if it shows <b>123 456</b>.\n", body)
        self.assertIn("\n<b>Warning:</b> 00:1E:DE:12:34:56 is already paired as &apos;Pool car&apos;\n", body)

    def test_question_withdrawn_when_the_device_is_gone(self):
        self.emit_decision(record())
        self.wait_for_call("notify", "Notify")
        self.emit_removed(CAR)
        close_args = self.wait_for_call("notify", "CloseNotification")
        self.assertEqual(int(close_args[0]), 1)  # the question's notification

    def test_question_withdrawn_when_answered_elsewhere(self):
        self.emit_decision(record())
        self.wait_for_call("notify", "Notify")
        # `carguard allow-once`, or another session's notifier, answered it.
        self.emit_decision(record(decision="allow once (person)", pending=0, allowed=["a2dp"]))
        close_args = self.wait_for_call("notify", "CloseNotification")
        self.assertEqual(int(close_args[0]), 1)

    def test_notice_stays_when_the_device_is_gone(self):
        self.emit_decision(record(decision="block", pending=0, denied=["pbap"], name="Gone"))
        self.emit_removed(CAR)
        # A question about another device marks the end: the removal before it closed nothing.
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:02"))
        self.wait_for_call("notify", "Notify", count=2)
        self.assertEqual(self.found("notify", "CloseNotification"), [])

    def test_audio_only_car_hears_once_what_stayed(self):
        self.emit_decision(record(decision="allow", pending=0, allowed=["a2dp", "avrcp", "hfp", "pnp"],
                                  denied=["pbap", "map", "opp", "ftp", "pan", "dun", "spp", "hid", "sap"],
                                  name="DiLink"))
        args = self.wait_for_call("notify", "Notify")
        self.assertEqual(str(args[3]), "carguard protected your data")
        self.assertEqual(str(args[4]), "“DiLink” gets calls and music; contacts and messages stayed on "
                                       "this device.")
        self.assertEqual(list(args[5]), [])

    def test_storm_is_coalesced(self):
        for _ in range(5):
            self.emit_decision(record(decision="block", pending=0, denied=["pbap"], name="Storm"))
        # A decision about another device marks the end of the storm: signals keep order.
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:02", decision="deny (timeout)",
                                  pending=0, denied=["map"], name="Other"))
        self.wait_for_call("notify", "Notify", count=2)
        bodies = [str(a[4]) for a in self.notify_calls()]
        self.assertEqual(bodies, ["“Storm” is blocked: it got nothing from this device.",
                                  "Nobody answered in time, so “Other” was kept out."])

    def test_one_question_per_device_and_quiet_after_keep_blocked(self):
        # A car that asks again and again (each a new question) is one bubble.
        for qid in range(3, 8):
            self.emit_decision(record(pending=qid))
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:02", name="Marker"))
        self.wait_for_call("notify", "Notify", count=2)
        self.assertEqual(len(self.notify_calls()), 2)

        self.invoke(1, "keep-blocked")
        self.wait_for_call("carguard", "Deny")
        # Kept blocked: neither its next question nor what it gets is shown for an interval.
        self.emit_decision(record(pending=9, passkey=111111))
        self.emit_decision(record(decision="deny (timeout)", pending=0, denied=["pbap"]))
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:03", name="Second marker"))
        self.wait_for_call("notify", "Notify", count=3)
        bodies = [str(a[4]) for a in self.notify_calls()]
        self.assertEqual(len(bodies), 3)
        self.assertIn("Second marker", bodies[2])

    def test_many_random_addresses_are_a_few_bubbles(self):
        devices = [f"bluetooth/4A:00:00:00:00:{i:02X}" for i in range(20)]
        for i, device in enumerate(devices):
            self.emit_decision(record(device=device, pending=100 + i, name=f"Random {i}"))
        # Three questions, then one bubble for the rest once the burst is over.
        self.wait_for_call("notify", "Notify", count=4)
        calls = self.notify_calls()
        self.assertEqual([str(a[3]) for a in calls[:3]], ["A car asks to pair"] * 3)
        self.assertEqual(str(calls[3][3]), "Many devices are asking to connect")
        held = re.fullmatch(r"(\d+) more devices were not shown\. A question among them is refused "
                            r"when it times out\.", str(calls[3][4]))
        self.assertIsNotNone(held, str(calls[3][4]))
        self.assertTrue(1 <= int(held.group(1)) <= 17, held.group(1))
        # A device on screen still changes its own bubble; no other bubble came meanwhile.
        self.emit_decision(record(device=devices[0], decision="deny (timeout)", pending=0, name="Random 0"))
        self.wait_for_call("notify", "Notify", count=5)
        calls = self.notify_calls()
        self.assertEqual(len(calls), 5)
        self.assertEqual(str(calls[4][4]), "Nobody answered in time, so “Random 0” was kept out.")
        self.assertEqual(int(calls[4][1]), 1)  # in place of its question


if __name__ == "__main__":
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
