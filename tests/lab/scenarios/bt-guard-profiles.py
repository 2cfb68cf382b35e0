#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a car gets through carguard's Bluetooth agent, asserted at the car beside the
unguarded baseline (baseline.py: everything connects), in one boot:
  car default  a car-class device (4,32) with no vendor file and a hostile name asks to
               pair; carguard asks the person ([CarDefault] Pairing=ask), who allows it
               once (`carguard allow-once`, what the notifier's button calls); HFP, HSP,
               A2DP and AVRCP connect; PBAP, MAP, OPP and PAN are refused;
               `carguard devices --json` lists it with its decision and rule
  vetted       the same car allowed by address in a pool file: everything connects
  block        the pool file blocks it: the car's Pair fails, no bond on either side
  hostile      carguardd still runs; its log has no control bytes and is UTF-8"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import btguard_helpers as bt  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=21)
RFCOMM_REFUSED = ("pbap", "map", "opp")


def svc(report, name):
    return report["services"].get(name, {})


def car_default(lab, root):
    car = lab.start_car()
    watch = labkit.DecisionWatch(lab.bus, f"bluetooth/{bt.CAR}")
    try:
        report, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once", pairing="just-works",
                                                 cls="4,32")
    finally:
        car.stop()
    tap.diag({"pair_error": report["pair_error"], "services": report["services"]})
    question = labkit.question(asked[0]) if asked else {}
    tap.ok(asked and question.get("Kind") == "car" and asked[0].get("answered") is True,
           "car default: carguard asks the person about the car; the person allows it once",
           [labkit.plain(a) for a in asked])
    tap.ok(report["pair_error"] is None and report["bond"]["car"]["bonded"]
           and report["bond"]["phone"]["bonded"],
           "car default: the car pairs; the bond exists on both sides", report)
    hfp = svc(report, "hfp")
    tap.ok(hfp.get("connected") and hfp.get("at") == "ok", "car default: HFP connects", hfp)
    a2dp = svc(report, "a2dp")
    tap.ok(a2dp.get("connected") and a2dp.get("avdtp") == "ok" and a2dp.get("sources", 0) >= 1,
           "car default: A2DP connects (AVDTP discovery sees the phone's source)", a2dp)
    tap.ok(svc(report, "avrcp").get("connected"), "car default: AVRCP connects", svc(report, "avrcp"))
    for name in RFCOMM_REFUSED:
        s = svc(report, name)
        tap.ok(bt.refused(s) and "vcards" not in s and "messages" not in s and "pushed" not in s,
               f"car default: {name.upper()} is refused at the car", s)
    pan = svc(report, "pan")
    tap.ok(bt.refused(pan) and "bnep" not in pan, "car default: PAN is refused at the car", pan)

    record, error = bt.device_record(lab, bt.CAR)
    # Rules are named by their path under the policy root, as explain names them.
    conf = "/etc/carguard/carguard.conf"
    rule = f"{conf}:{bt.line_of(root + conf, '[CarDefault]')}"
    tap.ok(record is not None and record.get("decision") == "allow once (person)"
           and record.get("rule") == rule,
           f"devices --json lists the car with the decision enforced (allow once (person)) and rule ({rule})",
           {"record": record or error, "expected_rule": rule})
    tap.ok(record is not None and "hfp" in record.get("allowed", [])
           and "pbap" in record.get("denied", []),
           "devices --json lists the car's allowed (hfp) and denied (pbap) profiles", record or error)
    name = (record or {}).get("name") or ""
    tap.ok(record is not None and not any(ord(c) < 0x20 or ord(c) == 0x7f for c in name),
           "devices --json shows the hostile name without control characters", {"name": name})


def vetted(lab):
    lab.forget()
    done, reloaded = bt.policy_edit(lab, "add", "pool", f"--device={bt.CAR}", "Preset=trusted")
    tap.ok(done.returncode == 0 and reloaded, "vetted: the CLI adds the car by address; carguardd reloads",
           {"rc": done.returncode, "stderr": done.stderr, "reloaded": reloaded})
    report = lab.run_car(pairing="just-works", cls="4,32")
    pbap, mapr, opp = svc(report, "pbap"), svc(report, "map"), svc(report, "opp")
    tap.ok(report["pair_error"] is None and pbap.get("vcards") == 3 and mapr.get("messages") == 2
           and opp.get("pushed"), "vetted: the car pairs, pulls 3 vCards and 2 messages, pushes a file",
           report)
    tap.ok(all(svc(report, n).get("connected") for n in ("hfp", "hsp", "a2dp", "avrcp"))
           and svc(report, "pan").get("bnep") == "ok",
           "vetted: HFP, HSP, A2DP, AVRCP and PAN connect", report["services"])


def block(lab):
    lab.forget()
    done, reloaded = bt.policy_edit(lab, "set", "pool", f"--device={bt.CAR}", "Preset=block")
    tap.ok(done.returncode == 0 and reloaded, "block: the CLI blocks the car; carguardd reloads",
           {"rc": done.returncode, "stderr": done.stderr, "reloaded": reloaded})
    report = lab.run_car(pairing="just-works", cls="4,32", services=["pbap"])
    tap.ok(report["pair_error"] is not None, "block: the car's Pair fails", report)
    tap.ok(not report["bond"]["car"]["bonded"] and not report["bond"]["phone"]["bonded"],
           "block: no bond on either side", report["bond"])
    tap.ok(not svc(report, "pbap").get("connected"), "block: the car cannot reach PBAP", svc(report, "pbap"))


def hostile_logs(lab):
    tap.ok(lab.carguardd is not None and lab.carguardd.poll() is None,
           "hostile name: carguardd still runs")
    problems = bt.log_problems(bt.carguardd_log(lab))
    tap.ok(problems["control_bytes"] == 0 and problems["utf8"],
           "hostile name: carguardd's log has no control bytes and is valid UTF-8", problems)


def scenario(lab, root):
    bt.set_car_name(bt.HOSTILE_NAME)
    bt.start_carguardd(lab, root)
    lab.start_phone(agent=False)
    car_default(lab, root)
    vetted(lab)
    block(lab)
    hostile_logs(lab)


if __name__ == "__main__":
    sys.exit(bt.run(tap, scenario))
