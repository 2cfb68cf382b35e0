#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a person allowed lasts, and nothing else does; a locked phone pairs with
nothing. Against carguard with the shipped defaults, asserted at the car, in one boot:
  (g) the person allows a car once (audio only); bluetoothd restarts, then carguardd
      restarts: each time the bond is still there, HFP connects and PBAP is refused.
      Then, with carguardd stopped, a car with that address and no key pairs again
      through an agent that accepts everything: once carguardd is back it asks
      about that bond, which nobody approved, and removes it when nobody says yes
  (h) the person's session is locked: a car asks to pair and gets no bond on either
      side; nobody could have answered

The person's session and its lock screen are a fake logind (python3-dbusmock,
lab.start_fake_logind): the quick lab boots no systemd."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import btguard_helpers as bt  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=8)
QUESTION_TIMEOUT = 30  # carguardd's (CG_PENDING_DEFAULT_TIMEOUT_MS)


def svc(report, name):
    return report["services"].get(name, {})


def still_audio_only(report):
    return (report["bond"]["phone"]["bonded"] and svc(report, "hfp").get("at") == "ok"
            and bt.refused(svc(report, "pbap")))


def approved_bond_lasts(lab, root, car, watch):
    report, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once", pairing="just-works",
                                             services=["hfp", "pbap"], name="Lab Car", cls="4,32")
    tap.ok(asked and still_audio_only(report),
           "(g) the person allows the car once: it pairs, HFP connects, PBAP is refused",
           {"report": report, "asked": [labkit.plain(a) for a in asked]})
    car.do("disconnect")

    before = bt.log_count(lab, bt.AGENT_REGISTERED)
    lab.stop("phone")
    lab.restart_bluetoothd()
    labkit.wait_until(lambda: bt.log_count(lab, bt.AGENT_REGISTERED) > before, 30,
                      "carguard's agent to register again")
    lab.start_phone(agent=False)
    report = car.do("visit", pairing=None, services=["hfp", "pbap"], name="Lab Car", cls="4,32")
    tap.ok(still_audio_only(report), "(g) after bluetoothd restarts: the bond is there, HFP connects, PBAP"
           " is refused", report)
    car.do("disconnect")

    lab.stop_carguardd()
    bt.start_carguardd(lab, root)
    report = car.do("visit", pairing=None, services=["hfp", "pbap"], name="Lab Car", cls="4,32")
    tap.ok(still_audio_only(report), "(g) after carguardd restarts: the bond is there, HFP connects, PBAP"
           " is refused", report)
    car.do("disconnect")


def unapproved_bond_goes(lab, root, car):
    lab.stop_carguardd()
    lab.stop("phone")
    lab.start_phone(agent=True)  # accepts everything: the phone as if carguard were not there
    car.do("forget")
    repaired = car.do("visit", pairing="numeric", services=[], name="Lab Car", cls="4,32")
    car.do("disconnect")
    lab.stop("phone")
    tap.ok(repaired["pair_error"] is None and repaired["bond"]["phone"]["bonded"],
           "(g) with carguardd stopped, a car with that address and no key pairs again", repaired)
    bt.start_carguardd(lab, root)
    # carguard asks whether to keep a bond made without it, and removes it when nobody
    # says yes: the question's timeout, then the removal.
    try:
        gone = labkit.wait_until(lambda: not bt.phone_bonded(lab), QUESTION_TIMEOUT + 15,
                                 "the unapproved bond to go")
    except labkit.Timeout:
        gone = False
    tap.ok(gone, "(g) once carguardd is back, that bond (nobody approved it) is removed",
           labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, bt.CAR))
    lab.start_phone(agent=False)


def locked(lab, car, watch, logind):
    lab.forget()
    logind.set_locked(True)
    report, asked = labkit.visit_with_person(lab, car, watch, pairing="just-works", services=["hfp"],
                                             name="Lab Car", cls="4,32")
    tap.ok(report["pair_error"] is not None, "(h) the session is locked: the car's pairing fails",
           {"report": report, "asked": [labkit.plain(a) for a in asked]})
    tap.ok(not report["bond"]["car"]["bonded"] and not report["bond"]["phone"]["bonded"]
           and not svc(report, "hfp").get("connected"),
           "(h) no bond on either side, no HFP", report["bond"])
    logind.set_locked(False)
    car.do("disconnect")


def scenario(lab, root, logind):
    car, watch = bt.guarded_phone(lab, root)
    try:
        approved_bond_lasts(lab, root, car, watch)
        unapproved_bond_goes(lab, root, car)
        locked(lab, car, watch, logind)
    except Exception as e:
        tap.diag(f"{type(e).__name__}: {e}")
    tap.ok(lab.carguardd_runs(), "carguardd runs at the end")
    car.stop()


def main():
    state = {}

    def before(lab):
        state["logind"] = lab.start_fake_logind(locked=False)

    return bt.run(tap, lambda lab, root: scenario(lab, root, state["logind"]),
                  policy=bt.write_shipped_policy, before=before)


if __name__ == "__main__":
    sys.exit(main())
