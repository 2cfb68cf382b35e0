# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lying car's attacks, each one function that carries it out through the car
(car.py --serve) and returns what came of it, observed at the car and at the phone.
The baseline runs them against a phone without carguard and asserts that they work;
the bt-adversary-* scenarios run the same functions against carguard and assert that
they do not. An attack that fails in both would prove nothing; this keeps the two sides
doing the same thing."""

import hashlib

import hid
import labkit

CAR = labkit.CAR_ADDRESS
PHONE = labkit.PHONE_ADDRESS

# How long an input device may take to appear once the car has connected HID: the
# baseline sees it well within a second (hidp) and about a second after the bond
# (HOGP); a guarded phone gets this long to show one.
INPUT_DEADLINE = 10


def type_into_phone(car):
    """The car, bonded or not, connects HID control and interrupt as a keyboard and,
    if the phone made an input device of it, presses a key. Returns {"hid": the car's
    connects (errno names), "input": the phone's input devices from the car, "keys":
    the key codes the phone got}."""
    outcome = {"hid": car.do("keyboard"), "input": [], "keys": []}
    try:
        outcome["input"] = labkit.wait_until(lambda: hid.input_devices_of(CAR), INPUT_DEADLINE,
                                             "an input device from the car")
    except labkit.Timeout:
        return outcome
    with hid.KeyEvents(outcome["input"][0]) as events:
        # A report sent while hidp is still setting the new device up can be lost; a
        # keyboard's next key press is not.
        for _ in range(2):
            outcome["typed"] = car.do("type")
            outcome["keys"] = events.keys(INPUT_DEADLINE / 2)
            if outcome["keys"]:
                break
    return outcome


def got_in(outcome):
    """The phone has an input device from the car and took its key press."""
    return bool(outcome["input"]) and hid.KEY_A in outcome["keys"]


def kept_out(outcome):
    """No input device from the car on the phone, and no key."""
    return not outcome["input"] and not outcome["keys"] and not hid.input_devices_of(CAR)


def hid_refused(outcome):
    """The car's HID connect was turned away: control or interrupt refused, or never
    reached (no link, no route to the phone)."""
    h = outcome["hid"]
    return h.get("control") is not None or h.get("interrupt") is not None


def le_keyboard_bonds(lab, car, name="LE Keys"):
    """The car becomes an LE keyboard (HOGP) and the person pairs with it from the
    phone's settings. Returns {"pair_error", "bond", "input": the phone's input devices
    from the car (uhid), "gatt": what the phone read of the car's HID service}."""
    car.do("le-keyboard", name=name)
    outcome = {"pair_error": lab.phone_pair(CAR, "le")}
    outcome["bond"] = labkit.bond_state(lab.bus, labkit.PHONE_ADAPTER, CAR)
    try:
        outcome["input"] = labkit.wait_until(lambda: hid.input_devices_of(CAR), INPUT_DEADLINE,
                                             "an input device from the LE car")
    except labkit.Timeout:
        outcome["input"] = []
    outcome["gatt"] = car.do("le-type")["gatt"]
    return outcome


def link_key(address=CAR):
    """The phone's stored key for ADDRESS: {"type": [LinkKey] Type, "digest": of the
    whole [LinkKey] section}, or None without a bond. btvirt gives every pairing the
    same key bytes, so it is the Type (7 Just Works, 8 numeric comparison) and the
    digest of the section that tell a re-pair here; the key is never printed."""
    try:
        with open(f"/var/lib/bluetooth/{PHONE}/{address}/info") as f:
            text = f.read()
    except OSError:
        return None
    if "[LinkKey]" not in text:
        return None
    section = text.split("[LinkKey]", 1)[1].split("\n[", 1)[0]
    fields = dict(line.split("=", 1) for line in section.splitlines() if "=" in line)
    return {"type": fields.get("Type"), "digest": hashlib.sha256(section.encode()).hexdigest()[:16]}


def agent_asked(events, since=0):
    """The agent methods a desktop agent (or the phone's own) was called with, in order."""
    return [e.get("method") for e in events[since:] if e.get("event") == "agent"]
