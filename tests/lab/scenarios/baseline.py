#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Baseline, without carguardd: an unguarded phone gives a car everything. The car
pairs (Just Works and numeric comparison), pulls the canary phonebook over PBAP and
the message listing over MAP, opens every other service, and gets a USB network
link to the phone. Every later guard scenario asserts that carguard changes one of
these outcomes, so this one proves the lab can observe them.

Then the car lies (adversary.py, the same attacks the bt-adversary-* scenarios run
against carguard), with the person's session locked (a fake logind) and carguard's
bus policy not installed, and each attack works:
  (a) paired as a car, it reconnects as a keyboard: an input device, a key press
  (b) a keyboard-class device with no name pairs unasked and types
  (c) with the address of the bonded car and no key it pairs again: the phone's bond
      is replaced and the phonebook served
  (d) an ordinary user's agent, then root's, take the default role; the car pairs
      through them and gets PBAP, MAP, OPP and PAN
  (e) a local user sets Trusted=true; PBAP is served without any agent being asked
  (f) as an LE keyboard (HOGP) it bonds and the phone makes an input device of it
  (h) all of it while the session is locked: BlueZ knows no lock screen"""

import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import adversary  # noqa: E402
import hid  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

tap = labkit.Tap(plan=27)
CAR = labkit.CAR_ADDRESS


def svc(report, name):
    return report["services"].get(name, {})


def bluetooth(lab):
    lab.bluetooth_up(labkit.main_conf(device_id="bluetooth:004B:2001:0100"), carguard=False)
    lab.start_phone(agent=True)

    report = lab.run_car(pairing="just-works", name="Lab Car", cls="4,32")
    tap.diag({"car": report["car"], "pair_error": report["pair_error"],
              "pair_seconds": report.get("pair_seconds")})
    tap.ok(report["pair_error"] is None and report["paired"], "the car paired (Just Works)", report)
    tap.ok(report["bond"]["car"]["bonded"] and report["bond"]["phone"]["bonded"],
           "the bond exists on both sides", report["bond"])
    tap.ok(report["car"]["class"] is not None and report["car"]["class"] & 0x1FFC == 0x0420,
           "the car's class of device is car audio", report["car"])
    pbap = svc(report, "pbap")
    tap.ok(pbap.get("connected") and pbap.get("obex") == "ok" and pbap.get("vcards") == 3,
           "the car pulled the phonebook over PBAP: 3 vCards", pbap)
    mapr = svc(report, "map")
    tap.ok(mapr.get("connected") and mapr.get("obex") == "ok" and mapr.get("messages") == 2,
           "the car pulled the message listing over MAP: 2 messages", mapr)
    opp = svc(report, "opp")
    tap.ok(opp.get("connected") and opp.get("pushed"), "the car pushed a file over OPP", opp)
    hfp = svc(report, "hfp")
    tap.ok(hfp.get("connected") and hfp.get("at") == "ok", "HFP: the phone's audio gateway answered", hfp)
    hsp = svc(report, "hsp")
    tap.ok(hsp.get("connected"), "HSP connected", hsp)
    a2dp = svc(report, "a2dp")
    tap.ok(a2dp.get("connected") and a2dp.get("avdtp") == "ok" and a2dp.get("sources", 0) >= 1,
           "A2DP: AVDTP discovery shows the phone's source endpoint", a2dp)
    tap.ok(svc(report, "avrcp").get("connected"), "AVRCP connected", svc(report, "avrcp"))
    pan = svc(report, "pan")
    tap.ok(pan.get("connected") and pan.get("bnep") == "ok", "PAN: the phone's NAP accepted a BNEP link", pan)

    events = lab.phone_events()
    served = {(e.get("profile"), e.get("type")) for e in events
              if e.get("event") == "obex-get" and e.get("ok")}
    tap.ok(("pbap", "x-bt/phonebook") in served and ("map", "x-bt/MAP-msg-listing") in served,
           "the phone's log shows it served the phonebook and the listing", events)
    authorized = {e.get("uuid", "")[:8] for e in events if e.get("method") == "AuthorizeService"}
    tap.ok({"0000112f", "00001132"} <= authorized,
           "the phone's agent was asked to authorize PBAP and MAP (untrusted car)", sorted(authorized))
    phone_dev = labkit.props(lab.bus, labkit.device_path(labkit.PHONE_ADAPTER, labkit.CAR_ADDRESS),
                             "org.bluez.Device1") or {}
    tap.ok(str(phone_dev.get("Modalias", "")).lower().startswith("bluetooth:v004bp2001"),
           "the phone sees the car's Device ID", {"Modalias": phone_dev.get("Modalias")})

    # Numeric comparison: forget the bond on both sides, pair again.
    lab.forget()
    report2 = lab.run_car(pairing="numeric", services=["pbap"])
    confirmed = [c for c in report2.get("car_agent", []) if c[0] == "RequestConfirmation"]
    tap.ok(report2["pair_error"] is None and report2["paired"] and confirmed,
           "the car paired again with numeric comparison (its agent confirmed a number)", report2)
    tap.ok(svc(report2, "pbap").get("vcards") == 3, "after re-pairing the car pulls the phonebook again",
           svc(report2, "pbap"))
    lab.forget()


def lying_car(lab):
    logind = lab.start_fake_logind(locked=True)
    car = lab.start_car()
    car.do("hid-record", name="Lab Car")
    for description, attack in LIES:
        tap.check(description, lambda: attack(lab, car))
    tap.ok(logind.locked(), "(h) all of this with the person's session locked (fake logind): BlueZ has"
           " no lock screen")
    car.stop()


def car_then_keyboard(lab, car):
    paired = car.do("visit", pairing="just-works", services=["hfp"], name="Lab Car", cls="4,32")
    car.do("disconnect")
    car.do("identity", cls=hid.KEYBOARD_CLASS, name="Lab Keyboard")
    typed = adversary.type_into_phone(car)
    phone_dev = labkit.props(lab.bus, labkit.device_path(labkit.PHONE_ADAPTER, CAR),
                             "org.bluez.Device1") or {}
    car.do("disconnect")
    labkit.wait_until(lambda: not hid.input_devices_of(CAR), 20, "the car's input device to go")
    return (paired["bond"]["phone"]["bonded"] and phone_dev.get("Class", 0) & 0x1FFC == 0x0540
            and adversary.got_in(typed),
            {"paired": paired, "class": phone_dev.get("Class"), "typed": typed})


def spoofed_address(lab, car):
    original = adversary.link_key()
    car.do("forget")
    before = len(lab.phone_events())
    spoof = car.do("visit", pairing="numeric", services=["pbap"], name="Lab Car", cls="4,32")
    replaced = adversary.link_key()
    asked = adversary.agent_asked(lab.phone_events(), before)
    car.do("disconnect")
    return (spoof["pair_error"] is None and "RequestConfirmation" in asked and replaced and original
            and replaced["digest"] != original["digest"] and svc(spoof, "pbap").get("vcards") == 3,
            {"spoof": spoof, "asked": asked, "before": original, "after": replaced})


def nameless_keyboard(lab, car):
    lab.forget()
    before = len(lab.phone_events())
    keyboard = car.do("visit", pairing="just-works", services=[], name="", cls=hid.KEYBOARD_CLASS)
    typed = adversary.type_into_phone(car)
    car.do("disconnect")
    return (keyboard["bond"]["phone"]["bonded"] and adversary.got_in(typed),
            {"keyboard": keyboard, "typed": typed,
             "asked": adversary.agent_asked(lab.phone_events(), before)})


def user_agent(lab, car):
    lab.forget()
    _, ready = lab.start_desktop_agent("desktop-user", uid=labkit.NOBODY)
    report = car.do("visit", pairing="just-works", services=["pbap", "map", "opp", "pan"], name="Lab Car",
                    cls="4,32")
    asked = adversary.agent_asked(lab.events("desktop-user"))
    car.do("disconnect")
    return (ready["register"] is None and ready["default"] is None and "RequestAuthorization" in asked
            and svc(report, "pbap").get("vcards") == 3 and svc(report, "map").get("messages") == 2
            and svc(report, "opp").get("pushed") and svc(report, "pan").get("bnep") == "ok",
            {"ready": ready, "asked": asked, "report": report})


def trusted_by_a_user(lab, car):
    before = {name: len(lab.events(name)) for name in ("phone", "desktop-user")}
    trusted = lab.set_trusted_from(labkit.NOBODY, CAR)
    got = car.do("connect", services=["pbap"])
    asked = {name: adversary.agent_asked(lab.events(name), n) for name, n in before.items()}
    car.do("disconnect")
    return (trusted is None and got["pbap"].get("vcards") == 3
            and not any("AuthorizeService" in a for a in asked.values()),
            {"trusted": trusted, "got": got, "asked": asked})


def root_agent(lab, car):
    lab.forget()
    _, ready = lab.start_desktop_agent("desktop-root", uid=0)
    report = car.do("visit", pairing="just-works", services=["pbap"], name="Lab Car", cls="4,32")
    asked = adversary.agent_asked(lab.events("desktop-root"))
    car.do("disconnect")
    return (ready["default"] is None and "RequestAuthorization" in asked
            and svc(report, "pbap").get("vcards") == 3, {"ready": ready, "asked": asked, "report": report})


def le_keyboard(lab, car):
    lab.forget()
    le = adversary.le_keyboard_bonds(lab, car)
    return le["pair_error"] is None and le["bond"]["bonded"] and bool(le["input"]), le


LIES = [
    ("(a) paired as a car, the car reconnects as a keyboard: the phone makes an input device of it and"
     " takes its key press", car_then_keyboard),
    ("(c) a car with the bonded car's address and no key pairs again (numeric comparison): the phone's"
     " bond is replaced and it serves the phonebook", spoofed_address),
    ("(b) a keyboard-class device with no name pairs and types into the phone", nameless_keyboard),
    ("(d) an ordinary user's agent takes the default role; the car pairs through it and gets PBAP, MAP,"
     " OPP and PAN", user_agent),
    ("(e) a local user sets Trusted=true; the car pulls the phonebook at once and no agent is asked",
     trusted_by_a_user),
    ("(d) a root agent takes the default role after it; the car pairs through it and gets PBAP", root_agent),
    ("(f) an LE keyboard (HOGP) bonds and the phone makes an input device of it (uhid); no key comes"
     " through in the lab: BlueZ 5.66's hog-lib drops the multiple-value notifications a 5.66 GATT"
     " server sends", le_keyboard),
]


def usb():
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    gadget = usblab.PhoneGadget()
    gadget.create(bind=True)
    try:
        port = usblab.port_for_udc("dummy_udc.0").wait_enumerated(20)
        rep = port.report()
        tap.ok(rep["enumerated"] and rep["authorized"], "USB: the car's port enumerated the phone", rep)
        netdev = port.wait_netdev(20)
        tap.ok(netdev and os.path.exists(f"/sys/class/net/{netdev}"),
               "USB: the car got a network interface to the phone", port.report())
        tap.ok(gadget.ifname() is not None and os.path.exists(f"/sys/class/net/{gadget.ifname()}"),
               "USB: the phone's side of the link exists", {"ifname": gadget.ifname()})
    finally:
        gadget.destroy()


def main():
    with labkit.Lab() as lab:
        try:
            bluetooth(lab)
            lying_car(lab)
        except Exception:
            tap.diag(traceback.format_exc())
        try:
            usb()
        except Exception:
            tap.diag(traceback.format_exc())
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
