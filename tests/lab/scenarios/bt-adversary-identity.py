#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A car that lies about what it is, against carguard with the shipped defaults,
asserted at the car and at the phone, in one boot (the baseline shows each of these
getting in on a phone without carguard):
  (a) the car pairs as a car (the person is asked and allows it once: audio only), then
      reconnects with a keyboard's class, its HID record published all along, and
      opens HID: no input device on the phone, no key; carguard judges the bond again
      (it removes it, or asks again)
  (b) a keyboard-class device with no name pairs and nobody says yes: the question runs
      out, the pairing fails, no bond on either side, HID refused, no input device
  (c) a car vetted by address (Preset=trusted) pairs and gets the phonebook; a car with
      its address and no key pairs again with numeric comparison: refused, or asked
      with a warning that names the existing bond (and the impostor gives up); the
      phone keeps the vetted bond as it was, and the impostor gets no phonebook"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import adversary  # noqa: E402
import btguard_helpers as bt  # noqa: E402
import hid  # noqa: E402
import labkit  # noqa: E402

tap = labkit.Tap(plan=12)


def svc(report, name):
    return report["services"].get(name, {})


def car_then_keyboard(lab, car, watch):
    report, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once", pairing="just-works",
                                             services=["hfp", "pbap"], name="Lab Car", cls="4,32")
    question = labkit.question(asked[0]) if asked else {}
    tap.ok(asked and question.get("Kind") == "car" and asked[0].get("answered") is True,
           "(a) carguard asks the person about the car (kind: car); the person allows it once",
           {"asked": [labkit.plain(a) for a in asked]})
    tap.ok(report["bond"]["phone"]["bonded"] and svc(report, "hfp").get("at") == "ok"
           and bt.refused(svc(report, "pbap")),
           "(a) the car pairs; HFP connects, PBAP is refused", report)
    car.do("disconnect")
    car.do("identity", cls=hid.KEYBOARD_CLASS, name="Lab Keyboard")
    outcome = adversary.type_into_phone(car)
    tap.ok(adversary.kept_out(outcome),
           "(a) reconnected with a keyboard's class, the car opens HID: no input device on the phone, no key",
           outcome)

    def judged_again():
        if not bt.phone_bonded(lab):
            return "the bond is removed"
        record = watch.take(labkit.asking)
        return record and "the person is asked again"

    try:
        verdict = labkit.wait_until(judged_again, 20, "carguard to judge the bond again")
    except labkit.Timeout:
        verdict = None
    tap.ok(verdict, f"(a) carguard judges the bond again: {verdict}",
           labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, bt.CAR))
    car.do("disconnect")


def nameless_keyboard(lab, car, watch):
    lab.forget()
    report, asked = labkit.visit_with_person(lab, car, watch, pairing="just-works", services=[], name="",
                                             cls=hid.KEYBOARD_CLASS)
    tap.ok(report["pair_error"] is not None and not report["bond"]["car"]["bonded"]
           and not report["bond"]["phone"]["bonded"],
           "(b) a keyboard-class device with no name pairs, nobody answers: its pairing fails, no bond on"
           " either side", {"report": report, "asked": [labkit.plain(a) for a in asked]})
    outcome = adversary.type_into_phone(car)
    tap.ok(adversary.hid_refused(outcome) and adversary.kept_out(outcome),
           "(b) its HID connect is refused; no input device on the phone", outcome)
    car.do("disconnect")


def spoofed_address(lab, car, watch):
    lab.forget()
    done, reloaded = bt.policy_edit(lab, "add", "pool", f"--device={bt.CAR}", "Preset=trusted")
    vetted, _ = labkit.visit_with_person(lab, car, watch, pairing="just-works", services=["pbap"],
                                         name="Pool Car", cls="4,32")
    tap.ok(done.returncode == 0 and reloaded and vetted["pair_error"] is None
           and svc(vetted, "pbap").get("vcards") == 3,
           "(c) the pool car, vetted by address (Preset=trusted), pairs and pulls the phonebook",
           {"cli": done.stderr, "reloaded": reloaded, "report": vetted})
    original = adversary.link_key()
    car.do("disconnect")
    car.do("forget")
    spoof, asked = labkit.visit_with_person(lab, car, watch, give_up=True, pairing="numeric", services=[],
                                            name="Pool Car", cls="4,32")
    warnings = [labkit.question(a).get("Warning", "") for a in asked]
    tap.ok(spoof["pair_error"] is not None and all(bt.CAR in w or "paired" in w for w in warnings),
           "(c) a car with the pool car's address and no key pairs again: refused, or asked with a warning"
           " that names the existing bond", {"spoof": spoof, "warnings": warnings})
    kept = adversary.link_key()
    tap.ok(bt.phone_bonded(lab) and kept is not None and original is not None
           and kept["digest"] == original["digest"],
           "(c) the phone keeps the vetted bond as it was ([LinkKey] unchanged)",
           {"before": original, "after": kept})
    got = car.do("connect", services=["pbap"])
    tap.ok(not got["pbap"].get("connected") and "vcards" not in got["pbap"],
           "(c) the impostor gets no phonebook", got)
    car.do("disconnect")


def scenario(lab, root):
    car, watch = bt.guarded_phone(lab, root)
    car.do("hid-record", name="Lab Car")
    for part in (car_then_keyboard, nameless_keyboard, spoofed_address):
        try:
            part(lab, car, watch)
        except Exception as e:
            tap.diag(f"{part.__name__}: {type(e).__name__}: {e}")
            break
    tap.ok(lab.carguardd_runs(), "carguardd ran throughout")
    tap.ok(not hid.input_devices_of(bt.CAR), "no input device from the car on the phone at the end",
           hid.input_devices())
    car.stop()


if __name__ == "__main__":
    sys.exit(bt.run(tap, scenario, policy=bt.write_shipped_policy,
                    main_conf=labkit.main_conf(just_works_repairing="never")))
