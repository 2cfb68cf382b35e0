#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Other agents on the phone, against carguard with the shipped defaults and its bus
policy installed, asserted at the car, in one boot (the baseline shows both attacks
working on a phone without carguard):
  (d) the person's desktop agent (an ordinary user with a seat session, as blueman or
      GNOME Settings run) asks for the default agent role and is refused by the bus
      policy; a root process takes the role anyway, accepting everything and marking
      paired devices Trusted as GNOME does. The car pairs: the question is still
      carguard's (the person allows it once), and PBAP, MAP, OPP and PAN are refused at
      the car while HFP connects; the car does not stay Trusted
  (e) a local process sets Trusted=true on the audio-only car and the car connects
      PBAP at once: refused, and Trusted ends false

The person's seat session is a fake logind (python3-dbusmock, labkit.FakeLogind):
the quick lab boots no systemd."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import adversary  # noqa: E402
import btguard_helpers as bt  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=9)
DATA_PATHS = ("pbap", "map", "opp", "pan")


def trusted(lab):
    return labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, bt.CAR)["trusted"]


def connected(lab):
    """The link as either end sees it: the car's end learns of a disconnect after the phone's."""
    ends = ((labkit.PHONE_ADAPTER, bt.CAR), (labkit.CAR_ADAPTER, bt.PHONE))
    devices = [labkit.props(lab.bus, labkit.device_path(adapter, peer), "org.bluez.Device1")
               for adapter, peer in ends]
    return any(device and device.get("Connected") for device in devices)


def other_agents(lab, car, watch):
    _, user = lab.start_desktop_agent("desktop-user", uid=labkit.NOBODY)
    tap.ok(user["register"] is None and user["default"] == "org.freedesktop.DBus.Error.AccessDenied",
           "(d) the person's desktop agent (uid 65534, at the console) may register but not take the"
           " default agent role", user)
    _, root = lab.start_desktop_agent("desktop-root", uid=0, trust=True)
    tap.ok(root["register"] is None and root["default"] is None,
           "(d) a root process takes the default agent role (the bus cannot refuse root)", root)
    paired, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once", pairing="just-works",
                                             services=[], name="Lab Car", cls="4,32")
    others = {name: adversary.agent_asked(lab.events(name)) for name in ("desktop-user", "desktop-root")}
    tap.ok(asked and not any(others.values()),
           "(d) the car's pairing is carguard's question (the person allows it once); the other agents are"
           " asked nothing", {"asked": [labkit.plain(a) for a in asked], "others": others})
    try:
        untrusted = labkit.wait_until(lambda: not trusted(lab), 10, "Trusted to be false")
    except labkit.Timeout:
        untrusted = False
    tap.ok(untrusted, "(d) the car does not stay Trusted (the root agent marks it, carguard reverts it)",
           {"trust_events": [e for e in lab.events("desktop-root") if e.get("event") == "trust"]})
    # Whatever the link carried while the car was Trusted ends with it (carguard
    # disconnects a device trusted behind its back); the car then comes back as a head
    # unit does, for calls and, it hopes, the phone's data.
    labkit.wait_until(lambda: not connected(lab), 30, "the car's first link to end at both ends")
    report = car.do("visit", pairing=None, services=["hfp", *DATA_PATHS], name="Lab Car", cls="4,32")
    tap.ok(paired["bond"]["phone"]["bonded"] and report["bond"]["phone"]["bonded"]
           and svc(report, "hfp").get("at") == "ok",
           "(d) the car pairs and HFP connects", {"paired": paired, "report": report})
    tap.ok(all(bt.refused(svc(report, name)) for name in DATA_PATHS),
           "(d) PBAP, MAP, OPP and PAN are refused at the car", report["services"])
    car.do("disconnect")


def trusted_behind_the_back(lab, car):
    error = lab.set_trusted_from(0, bt.CAR)
    got = car.do("connect", services=["pbap"])
    tap.ok(error is None and bt.refused(got["pbap"]) and "vcards" not in got["pbap"],
           "(e) a local process sets Trusted=true on the audio-only car, the car connects PBAP at once:"
           " refused", {"set_trusted": error, "got": got})
    try:
        untrusted = labkit.wait_until(lambda: not trusted(lab), 10, "Trusted to be false")
    except labkit.Timeout:
        untrusted = False
    tap.ok(untrusted and bt.phone_bonded(lab), "(e) Trusted ends false; the audio-only bond stays",
           labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, bt.CAR))
    car.do("disconnect")


def svc(report, name):
    return report["services"].get(name, {})


def scenario(lab, root):
    car, watch = bt.guarded_phone(lab, root)
    try:
        other_agents(lab, car, watch)
        trusted_behind_the_back(lab, car)
    except Exception as e:
        tap.diag(f"{type(e).__name__}: {e}")
    tap.ok(lab.carguardd_runs(), "carguardd ran throughout")
    car.stop()


if __name__ == "__main__":
    sys.exit(bt.run(tap, scenario, policy=bt.write_shipped_policy,
                    before=lambda lab: lab.start_fake_logind(locked=False)))
