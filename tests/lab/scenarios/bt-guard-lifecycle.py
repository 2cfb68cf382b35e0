#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Bluetooth guard keeps its policy across what happens around it, asserted at the
car, in one boot:
  behind the back  a bond made while carguardd was stopped (the car is blocked by
                   address) is removed once carguardd starts
  policy edit      with the car's HFP channel open, `carguard policy set` takes HFP off
                   its profiles (no signal sent): the phone drops the channel, the bond
                   stays, HFP is refused from then on while A2DP still connects
  restart          bluetoothd restarts: carguard's agent is the default agent again and
                   the edited policy still holds for the bonded car"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import btguard_helpers as bt  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=13)


def svc(report, name):
    return report["services"].get(name, {})


def behind_the_back(lab, root):
    done = lab.carguard("policy", "add", "pool", f"--device={bt.CAR}", "Preset=block", root=root)
    lab.start_phone(agent=True)  # an accept-all agent: the phone as if carguard were not there
    report = lab.run_car(pairing="just-works", services=[])
    tap.ok(done.returncode == 0 and report["pair_error"] is None and report["bond"]["phone"]["bonded"],
           "behind the back: with carguardd stopped the blocked car bonds", {"cli": done.stderr, **report})
    lab.stop("phone")
    bt.start_carguardd(lab, root)
    try:
        gone = labkit.wait_until(lambda: not bt.phone_bonded(lab), 20, "the bond to go")
    except labkit.LabFailure:
        gone = False
    tap.ok(gone, "behind the back: the bond is removed after carguardd starts",
           labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, bt.CAR))


def policy_edit(lab):
    lab.forget()
    done, reloaded = bt.policy_edit(lab, "set", "pool", f"--device={bt.CAR}", "Preset=audio-only")
    tap.ok(done.returncode == 0 and reloaded, "policy edit: the car is allowed audio; carguardd reloads",
           {"rc": done.returncode, "stderr": done.stderr, "reloaded": reloaded})
    lab.start_phone(agent=False)
    report = lab.run_car(pairing="just-works", services=[])
    error, hfp = bt.car_holds_rfcomm(bt.HFP_CHANNEL)
    tap.ok(report["pair_error"] is None and hfp is not None,
           "policy edit: the car pairs and holds HFP open", {"hfp": error, **report})
    if hfp is None:
        return
    with hfp:
        done, reloaded = bt.policy_edit(lab, "set", "pool", f"--device={bt.CAR}", "Profiles=a2dp avrcp")
        tap.ok(done.returncode == 0 and reloaded,
               "policy edit: the CLI takes HFP off; carguardd reloads with no signal sent",
               {"rc": done.returncode, "stderr": done.stderr, "reloaded": reloaded})
        closed = bt.closed_by_phone(hfp, 20)
        try:
            acted = labkit.wait_until(lambda: bt.log_count(lab, "(profile now forbidden)")
                                      or bt.log_count(lab, "profile disconnected"), 10,
                                      "carguardd's log of the disconnect")
        except labkit.LabFailure:
            acted = False
        tap.ok(closed and acted and lab.carguardd.poll() is None,
               "policy edit: carguardd drops the car's open HFP channel",
               {"closed": closed, "logged": bool(acted), "carguardd_exit": lab.carguardd.poll()})
    tap.ok(bt.phone_bonded(lab), "policy edit: the bond stays (pairing is still allowed)",
           labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, bt.CAR))
    after = lab.run_car(pairing="none", services=["hfp", "a2dp"])
    tap.ok(bt.refused(svc(after, "hfp")) and svc(after, "a2dp").get("avdtp") == "ok",
           "policy edit: HFP is now refused at the car, A2DP still connects", after["services"])


def restart(lab):
    before = bt.log_count(lab, bt.AGENT_REGISTERED)
    lab.stop("phone")
    lab.restart_bluetoothd()
    try:
        back = labkit.wait_until(lambda: bt.log_count(lab, bt.AGENT_REGISTERED) > before, 30,
                                 "carguard's agent to register again")
    except labkit.LabFailure:
        back = False
    tap.ok(back, "restart: carguard's agent is BlueZ's default agent again")
    lab.start_phone(agent=False)
    report = lab.run_car(pairing="none", services=["hfp", "pbap", "a2dp"])
    tap.ok(report["bond"]["phone"]["bonded"], "restart: the car's bond survived", report["bond"])
    tap.ok(bt.refused(svc(report, "hfp")) and bt.refused(svc(report, "pbap")),
           "restart: HFP and PBAP are still refused at the car", report["services"])
    tap.ok(svc(report, "a2dp").get("avdtp") == "ok", "restart: A2DP still connects", svc(report, "a2dp"))


def scenario(lab, root):
    behind_the_back(lab, root)
    policy_edit(lab)
    restart(lab)
    tap.ok(lab.carguardd.poll() is None, "carguardd ran throughout")


if __name__ == "__main__":
    sys.exit(bt.run(tap, scenario))
