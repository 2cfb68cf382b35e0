#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The narrated demo (tests/lab/demo): a head unit from an untrusted vendor pairs
with a phone, tries to pull contacts, messages, files and a network link over
Bluetooth, then is plugged in over USB. Each step shows carguard's decision with
its rule (`carguard policy explain`) beside what the car actually got. The pairing
is the person's question: it is shown as a row and answered "allow once" through
`carguard allow-once`, as the notifier's button does.

Then the car lies (act 2): it comes back as a keyboard, pairs again under the
address of the car the person approved without that car's key, and pairs through
another agent that took the default role. Each row shows carguard's decision (what
it published) beside what the car got.

With carguardd built and running, the phone is guarded. Without it, the demo shows
the unguarded baseline and says so. Test points only say that each step ran: what
the car got is shown, not judged (the guard scenarios judge it)."""

import os
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import adversary  # noqa: E402
import cgnames  # noqa: E402
import hid  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

CAR_NAME = "Untrusted Motors HU"
CAR_DEVICE_ID = "bluetooth:004B:2001:0100"  # 0x004B: an automotive supplier's company id
ROOT = "/tmp/carguard-demo"
POLICY = {
    "etc/carguard/carguard.conf":
        "[Default]\nPairing=ask\nProfiles=a2dp avrcp hfp hsp\nUSBMode=charge-only\n"
        "[CarDefault]\nPreset=audio-only\nPairing=ask\n",
    "etc/carguard/vendors.d/untrusted-motors.conf":
        "[Vendor]\nName=Untrusted Motors\n"
        "Comment=Head units nobody has vetted: audio only, if the person says yes.\n"
        "[Match]\nDeviceID=bluetooth:v004B\n[Policy]\nPreset=audio-only\nPairing=ask\n",
    # The car's side of the lab sees the phone as a device too; the lab phone is
    # vetted so that only what the car gets is on show.
    "etc/carguard/vendors.d/lab-phone.conf":
        f"[Vendor]\nName=Lab phone\n[Device]\nBluetoothAddress={labkit.PHONE_ADDRESS}\nPreset=trusted\n",
}

STEPS = [
    # (title, car report key, profile name in the policy)
    ("Contacts (PBAP)", "pbap", "pbap"),
    ("Messages (MAP)", "map", "map"),
    ("Files (OPP)", "opp", "opp"),
    ("Network (PAN)", "pan", "pan"),
    ("Calls (HFP)", "hfp", "hfp"),
    ("Music (A2DP)", "a2dp", "a2dp"),
    ("Remote control (AVRCP)", "avrcp", "avrcp"),
]

tap = labkit.Tap()
say = tap.diag


def row(step, decision, got, rule=None):
    say(f"  {step:<24} carguard: {decision:<34} the car got: {got}")
    if rule:
        say(f"  {'':<24}          rule: {rule}")


def got_text(key, r):
    if not r:
        return "(not tried)"
    if not r.get("connected"):
        return f"nothing: connection refused ({r.get('errno')})"
    obex_only = f"a socket ({r.get('obex')})"
    if key == "pbap":
        return f"THE PHONEBOOK: {r.get('vcards')} vCards" if r.get("vcards") else obex_only
    if key == "map":
        return f"THE MESSAGES: {r.get('messages')} in the listing" if r.get("messages") else obex_only
    if key == "opp":
        return "pushed a file to the phone" if r.get("pushed") else obex_only
    if key == "pan":
        bnep_only = f"a socket ({r.get('bnep')})"
        return "A NETWORK LINK to the phone (BNEP up)" if r.get("bnep") == "ok" else bnep_only
    if key == "hfp":
        return "a hands-free link" + (" (AT answered)" if r.get("at") == "ok" else "")
    if key == "a2dp":
        return f"an audio link ({r.get('sources', 0)} source endpoint)"
    return "connected"


def bt_decision(explain, profile):
    if explain is None:
        return "(no decision: no carguard CLI)", None
    bt = explain.get("bluetooth", {})
    prof = bt.get("profiles", {})
    if profile in prof.get("allowed", []):
        return f"allow {profile}", bt.get("rule")
    if profile in prof.get("denied", []):
        return f"DENY {profile}", bt.get("rule")
    return f"{profile}: not listed", bt.get("rule")


def start_guard(lab):
    """carguardd on the policy above, if it is built and comes up; else None."""
    if not lab.carguardd_path:
        return None, "carguardd is not built"
    try:
        lab.start_carguardd(ROOT, args=["--debug"], wait_name=cgnames.CG_DBUS_NAME)
        labkit.wait_until(lambda: "default agent" in open(lab.log_path("carguardd.log"),
                                                          errors="replace").read(),
                          30, "carguardd to register its Bluetooth agent")
        return True, None
    except (labkit.LabFailure, OSError) as e:
        lab.stop_carguardd()
        return None, str(e)


def question_text(record):
    """The person's question, as carguard put it (the notifier shows the same)."""
    q = labkit.question(record)
    text = q.get("Asks") or "(no question text)"
    if q.get("Grants"):
        text += f"; a yes gives: {q['Grants']}"
    if q.get("Passkey") is not None and q.get("Passkey") != "":
        text += f"; compare {int(q['Passkey']):06d}"
    if q.get("Warning"):
        text += f"; WARNING: {q['Warning']}"
    return text


def published(watch):
    """carguard's last published decision about the car, as a row's decision column."""
    last = None
    while True:
        record = watch.take(lambda r: True)
        if record is None:
            break
        last = record
    if last is None:
        return "(nothing published)", None
    decision = str(last.get(cgnames.CG_DBUS_RECORD_DECISION, "?"))
    allowed = " ".join(str(p) for p in last.get(cgnames.CG_DBUS_RECORD_ALLOWED, []))
    rule = str(last.get(cgnames.CG_DBUS_RECORD_RULE, ""))
    return decision + (f" (allows {allowed})" if allowed else ""), rule


def bluetooth_steps(lab, guarded, car, watch):
    say("")
    say(f"The car \"{CAR_NAME}\" ({labkit.CAR_ADDRESS}, class car audio, Device ID {CAR_DEVICE_ID})")
    say("pairs with the phone and then, like any head unit, opens every service it can.")
    report, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once" if guarded else None,
                                             pairing="just-works", name=CAR_NAME, cls="4,32")
    phone_view = labkit.props(lab.bus, labkit.device_path(labkit.PHONE_ADAPTER, labkit.CAR_ADDRESS),
                              "org.bluez.Device1") or {}
    explain, err = lab.explain(
        ROOT, bt_address=labkit.CAR_ADDRESS,
        bt_class=hex(report["car"]["class"] or 0x200420),
        bt_name=phone_view.get("Name", CAR_NAME),
        bt_modalias=phone_view.get("Modalias") or "bluetooth:v004Bp2001d0100")
    if explain is None:
        say(f"(carguard policy explain is not available: {err})")
    say("")
    say("Step 1: the car asks to pair")
    bt = (explain or {}).get("bluetooth", {})
    if asked:
        row("The person's question", f"asks: {question_text(asked[0])}",
            "waits for the person", bt.get("rule"))
        row("The person", "allow once (carguard allow-once)",
            "ok" if asked[0].get("answered") is True else f"not taken: {asked[0].get('answered')}")
    else:
        row("The person's question", "(none: nobody asked the person)", "-")
    bond = report["bond"]
    got = ("paired; the phone keeps a bond" if bond["phone"]["bonded"] else
           "no bond on the phone") + (f" (Pair: {report['pair_error']})" if report["pair_error"] else "")
    row("Pairing", f"{bt.get('pairing', '(unknown)')}" + (" (blocked)" if bt.get("block") else ""),
        got, bt.get("rule"))
    tap.ok(True, "demo step ran: pairing")
    for n, (title, key, profile) in enumerate(STEPS, start=2):
        say("")
        say(f"Step {n}: the car goes for {title}")
        decision, rule = bt_decision(explain, profile)
        result = report["services"].get(key)
        row(title, decision, got_text(key, result), rule)
        tap.ok(result is not None, f"demo step ran: {key}")
    car.do("disconnect")
    return explain


def keyboard_got(outcome):
    if adversary.got_in(outcome):
        return f"AN INPUT DEVICE on the phone (\"{outcome['input'][0].get('name')}\"); it typed a key"
    if outcome["input"]:
        return "AN INPUT DEVICE on the phone (no key came through)"
    h = outcome["hid"]
    return ("no input device on the phone (HID control: "
            f"{h.get('control') or 'connected'}, interrupt: {h.get('interrupt') or 'connected'})")


def lies(lab, guarded, car, watch):
    """Act 2: the same car lies about what it is, who it is, and whom it asks."""
    say("")
    say("=" * 100)
    say("ACT 2: the car lies.")
    say("=" * 100)

    say("")
    say("Lie 1: it comes back with a keyboard's class (0x002540) and opens HID (PSM 17, 19).")
    car.do("identity", cls=hid.KEYBOARD_CLASS, name=f"{CAR_NAME} Keyboard")
    outcome = adversary.type_into_phone(car)
    decision, rule = published(watch)
    row("Keyboard (HID)", decision, keyboard_got(outcome), rule)
    tap.ok(True, "demo step ran: keyboard")
    car.do("disconnect")

    say("")
    say("Lie 2: a car with the approved car's address but not its key pairs again.")
    before = adversary.link_key()
    car.do("forget")
    spoof, asked = labkit.visit_with_person(lab, car, watch, give_up=guarded, pairing="numeric",
                                            services=["pbap"], name=CAR_NAME, cls="4,32")
    after = adversary.link_key()
    if asked:
        decision, rule = f"asks: {question_text(asked[0])}", None
    else:
        decision, rule = published(watch)
    if spoof["pair_error"] is None:
        got = "PAIRED: the phone's bond is now the impostor's" if after != before else "paired"
    else:
        got = ("no pairing; the phone keeps the approved bond as it was" if after == before and after
               else f"no pairing ({spoof['pair_error']})")
    row("Same address, no key", decision, got, rule)
    row("...then the phonebook", "", got_text("pbap", spoof["services"].get("pbap")))
    tap.ok(True, "demo step ran: re-pair")
    car.do("disconnect")

    say("")
    say("Lie 3: a root process on the phone takes the default agent role and accepts everything;")
    say("the car pairs again and goes for the phonebook and a network link.")
    lab.forget()
    _, ready = lab.start_desktop_agent("desktop-root", uid=0)
    report, asked = labkit.visit_with_person(lab, car, watch, answer="allow-once" if guarded else None,
                                             pairing="just-works", services=["hfp", "pbap", "pan"],
                                             name=CAR_NAME, cls="4,32")
    other = adversary.agent_asked(lab.events("desktop-root"))
    if asked:
        decision = f"still carguard's question: {question_text(asked[0])}"
    else:
        decision = "(carguard was not asked)"
        if other:
            decision += f"; the other agent was: {', '.join(other)}"
    row("Another agent", decision, "paired" if report["bond"]["phone"]["bonded"] else "no bond",
        f"RequestDefaultAgent: {ready.get('default') or 'granted'}")
    for key in ("pbap", "pan"):
        title = {"pbap": "...the phonebook", "pan": "...a network link"}[key]
        row(title, published(watch)[0] if key == "pbap" else "", got_text(key, report["services"].get(key)))
    tap.ok(True, "demo step ran: another agent")
    car.do("disconnect")


def usb_step(lab, guarded, explain):
    say("")
    say(f"Step {len(STEPS) + 2}: the car is plugged in over USB (the phone is the USB device)")
    usblab.ensure_configfs()
    usblab.cleanup_all_gadgets()
    cable = usblab.Cable(lab.env["LAB_KROOT"])
    cable.detach()
    gadget = usblab.PhoneGadget()
    gadget.create(bind=False)
    try:
        cable.attach()
        if not guarded:
            gadget.bind()  # an unguarded phone offers its network function at once
        port = usblab.port_for_udc(usblab.UDC)
        # Nothing at all may happen (charge only): this is a deadline, not a sleep.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (port.enumerated() and port.netdev()):
            time.sleep(0.2)
        rep = port.report()
        if rep["netdev"]:
            got = f"A NETWORK INTERFACE to the phone ({rep['netdev']}, {rep['vendor']}:{rep['product']})"
        elif rep["enumerated"]:
            got = f"a USB device {rep['vendor']}:{rep['product']} but no network interface"
        else:
            got = "nothing but power (no USB device appeared)"
        usb = (explain or {}).get("usb", {})
        row("USB", usb.get("mode", "(no decision: no carguard CLI)"), got, usb.get("rule"))
        tap.ok(True, "demo step ran: usb")
    finally:
        gadget.destroy()


def main():
    with labkit.Lab() as lab:
        lab.write_policy(ROOT, POLICY)
        lab.bluetooth_up(labkit.main_conf(device_id=CAR_DEVICE_ID))
        guarded, why = start_guard(lab)
        lab.start_phone(agent=not guarded)
        say("=" * 100)
        if guarded:
            say("GUARDED: carguardd is running on the phone with the policy below.")
        else:
            say("UNGUARDED BASELINE: carguardd is NOT running on this phone"
                f" ({why}).")
            say("What follows is what any car gets from an unguarded phone today;")
            say("the 'carguard' column is what the policy WOULD decide.")
        say("=" * 100)
        say("Policy (--root " + ROOT + "):")
        for rel, text in POLICY.items():
            say(f"  /{rel}:")
            for line in text.splitlines():
                say(f"      {line}")
        explain = None
        car = lab.start_car()
        car.do("hid-record", name=CAR_NAME)  # the lying car publishes it all along
        watch = labkit.DecisionWatch(lab.bus, f"bluetooth/{labkit.CAR_ADDRESS}")
        try:
            explain = bluetooth_steps(lab, guarded, car, watch)
        except Exception:
            say(traceback.format_exc())
            tap.ok(False, "the Bluetooth part of the demo ran")
        try:
            usb_step(lab, guarded, explain)
        except Exception:
            say(traceback.format_exc())
            tap.ok(False, "the USB part of the demo ran")
        try:
            lies(lab, guarded, car, watch)
        except Exception:
            say(traceback.format_exc())
            tap.ok(False, "act 2 of the demo ran")
        car.stop()
        say("")
        say("=" * 100)
        say("GUARDED run: the rows above are carguard at work, against an honest car and a lying one."
            if guarded else
            "UNGUARDED BASELINE: nothing stopped the car. Build carguardd to see the guarded run.")
        say("=" * 100)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
