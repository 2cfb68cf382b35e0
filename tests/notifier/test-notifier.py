#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""carguard-notifier against python3-dbusmock: a real private session bus with the
notification_daemon template, and a private system bus with a fake carguardd (a
dbusmock object named org.carguard.Daemon1, since the real daemon needs BlueZ to ask
anything). Asserts what the person sees and that "Allow once" reaches carguardd.

Run: CARGUARD_NOTIFIER=build/notifier/carguard-notifier python3 test-notifier.py"""

import os
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


def record(device=CAR, decision="ask", pending=3, allowed=(), denied=(), name="BYD <b>DiLink</b> & co"):
    return dbus.Dictionary({
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
    }, signature="sv")


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

    def test_ask_offers_allow_once_and_reaches_carguardd(self):
        self.emit_decision(record())
        args = self.wait_for_call("notify", "Notify")
        summary, body, actions = str(args[3]), str(args[4]), [str(a) for a in args[5]]
        self.assertEqual(summary, "A car asks for access")
        # The device's name is shown escaped: its markup is text, not formatting.
        self.assertIn("BYD &lt;b&gt;DiLink&lt;/b&gt; &amp; co", body)
        self.assertNotIn("<b>", body)
        self.assertEqual(actions, ["allow-once", "Allow once", "keep-blocked", "Keep blocked"])

        notification_id = dbus.UInt32(1)  # the template numbers notifications from 1
        self.notify_mock.EmitSignal("org.freedesktop.Notifications", "ActionInvoked", "us",
                                    [notification_id, "allow-once"],
                                    dbus_interface=dbusmock.MOCK_IFACE)
        allow_args = self.wait_for_call("carguard", "AllowOnce")
        # The question the person saw, not whatever is open about the device by now.
        self.assertEqual([str(a) for a in allow_args], [CAR + cgnames.CG_DBUS_QUESTION_SEPARATOR + "3"])

    def test_question_withdrawn_when_the_device_is_gone(self):
        self.emit_decision(record())
        self.wait_for_call("notify", "Notify")
        self.emit_removed(CAR)
        close_args = self.wait_for_call("notify", "CloseNotification")
        self.assertEqual(int(close_args[0]), 1)  # the question's notification

    def test_notice_stays_when_the_device_is_gone(self):
        self.emit_decision(record(decision="block", pending=0, denied=["pbap"], name="Gone"))
        self.emit_removed(CAR)
        # A question about another device marks the end: the removal before it closed nothing.
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:02"))
        self.wait_for_call("notify", "Notify", count=2)
        self.assertEqual(self.found("notify", "CloseNotification"), [])

    def test_block_is_a_plain_notice(self):
        self.emit_decision(record(decision="allow", pending=0, allowed=["a2dp", "avrcp"],
                                  denied=["pbap", "map"], name="DiLink"))
        args = self.wait_for_call("notify", "Notify")
        self.assertEqual(str(args[3]), "carguard protected your data")
        self.assertEqual(str(args[4]), "DiLink: contacts and messages blocked, audio allowed")
        self.assertEqual(list(args[5]), [])

    def test_storm_is_coalesced(self):
        for _ in range(5):
            self.emit_decision(record(decision="block", pending=0, denied=["pbap"], name="Storm"))
        # A decision about another device marks the end of the storm: signals keep order.
        self.emit_decision(record(device="bluetooth/00:00:00:00:00:02", decision="block",
                                  pending=0, denied=["map"], name="Other"))
        self.wait_for_call("notify", "Notify", count=2)
        bodies = [str(a[4]) for a in self.notify_calls()]
        self.assertEqual(bodies, ["Storm: contacts blocked", "Other: messages blocked"])


if __name__ == "__main__":
    unittest.main(testRunner=unittest.TextTestRunner(stream=sys.stdout, verbosity=2))
