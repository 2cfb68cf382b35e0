#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Phone role against what does not play along: other owners of the phone's gadgets, a
cable that is pulled the way a real one is, a question answered too late, a locked
screen. Everything is asserted at the car's side (dummy_hcd's host side: no device, no
interface, no netdev) and at the gadgets' binding. One boot, one carguardd per act:

  (a) [USBGadget] Gadget=g1: another owner binds its own gadget (a mass-storage
      composer) to the UDC, with the cable in and with it out; it is unbound again and
      the car sees nothing.
  (b) two gadgets and no Gadget=: the one bound before carguardd started is unbound,
      a later bind of the other is undone, the car sees nothing, and carguardd's
      journal names both.
  (c) `ask`, allow once, then the realistic cable pull (usblab.Cable: the car's port
      and the phone's USB supply go, the UDC stays) and a re-plug: a new question, the
      old one cannot be answered, the car sees nothing. With no USB supply at all (no
      cable signal), `ask` is charge-only.
  (g) a reload while a question is pending: allow once on it changes nothing.
  (f) the session is locked (a fake logind, labkit.FakeLogind): a trusted host gets
      charge-only until unlock, then data; a host plugged in while locked is
      charge-only again.

usb-guard-allow-once keeps the other kind of cable pull (usblab.ModuleCable)."""

import os
import re
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import cgnames  # noqa: E402
import labkit  # noqa: E402
import usblab  # noqa: E402

PENDING = cgnames.CG_DBUS_RECORD_PENDING
DECISION = cgnames.CG_DBUS_RECORD_DECISION
ASK = "[Default]\nPreset=charge-only\nUSBMode=ask\n"


def unbound(*gadgets):
    """Until carguardd has unbound every gadget of GADGETS."""
    labkit.wait_until(lambda: all(g.udc() is None for g in gadgets), usblab.TIMEOUT,
                      "carguardd to unbind " + " ".join(g.name for g in gadgets))
    return True


def car_left_with_nothing(port):
    port.wait_gone(usblab.TIMEOUT)
    return usblab.car_sees_nothing(port)


def composer():
    """A second composer of the phone's own (an MTP or mass-storage one, as usb-moded
    sets up): the phone's ids, one mass-storage function."""
    return usblab.CarHeadUnitGadget(name="ums", vendor_id=0x18D1, product_id=0x4EE2,
                                    manufacturer="PINE64", product="PinePhone storage",
                                    serial="postmarketOS", functions=("mass_storage",))


def journal_names(role, *gadgets):
    """Until carguardd's journal names every gadget of GADGETS (a word of its own)."""
    def named():
        log = role.carguardd_log()
        return all(re.search(rf"(?<![\w.-]){re.escape(g.name)}(?![\w.-])", log) for g in gadgets)
    return labkit.wait_until(named, usblab.TIMEOUT, "the journal to name "
                             + " ".join(g.name for g in gadgets))


def another_owner(t, lab):
    conf = "[Default]\nPreset=charge-only\n[USBGadget]\nGadget=g1\n"
    with usblab.PhoneRole(lab, conf, root="/tmp/cg-root-a") as role:
        phone, port, watch, cable = role.phone, role.port, role.watch, role.cable
        cable.attach()
        t.check("(a) the host is judged charge-only, g1 unbound",
                lambda: (watch.wait(labkit.enforced("charge-only"), "charge-only") is not None
                         and phone.udc() is None, phone.udc()))
        other = composer().create(bind=True, udc=usblab.UDC)
        t.check("(a) another owner's gadget bound to the UDC is unbound again",
                lambda: unbound(other))
        t.check("(a) ... and the car is left with nothing", lambda: car_left_with_nothing(port))
        t.check("(a) carguardd's journal names the gadget it unbound",
                lambda: journal_names(role, other))

        cable.detach()
        other.bind(usblab.UDC)
        t.check("(a) a bind while the cable is out is undone too", lambda: unbound(other))
        cable.attach()
        t.check("(a) plugged in afterwards: the car sees nothing, neither gadget is bound",
                lambda: (watch.wait(labkit.enforced("charge-only"), "the new host") is not None
                         and phone.udc() is None and other.udc() is None
                         and usblab.car_sees_nothing(port)[0], port.report_json()))
        t.ok(lab.carguardd_runs(), "(a) carguardd still runs")
        other.destroy()


def two_gadgets(t, lab):
    other = usblab.PhoneGadget(name="g2", network_function="rndis.usb1")
    with usblab.PhoneRole(lab, "[Default]\nPreset=charge-only\n", root="/tmp/cg-root-b",
                          present=other) as role:
        phone, port = role.phone, role.port
        t.check("(b) no Gadget= and two gadgets: the one bound before carguardd is unbound",
                lambda: unbound(phone, other))
        t.check("(b) ... and the car is left with nothing", lambda: car_left_with_nothing(port))
        t.check("(b) carguardd's journal names both gadgets",
                lambda: journal_names(role, phone, other))
        phone.bind(usblab.UDC)
        t.check("(b) a bind of the other gadget is undone as well", lambda: unbound(phone))
        t.check("(b) ... and the car is left with nothing", lambda: car_left_with_nothing(port))
        t.ok(lab.carguardd_runs(), "(b) carguardd still runs")


def new_question(watch, *old):
    """The next question, other than the questions of the records OLD."""
    seen = {int(r[PENDING]) for r in old}
    return watch.wait(lambda r: labkit.asking(r) and int(r[PENDING]) not in seen,
                      "a new question")


def charge_only_because(why):
    """A DecisionWatch predicate: charge-only enforced, the record saying WHY ("charge-only
    (locked)")."""
    def match(record):
        return (str(record.get(DECISION, "")) == f"charge-only ({why})"
                and bool(record.get(cgnames.CG_DBUS_RECORD_ENFORCED)))
    return match


def cable_pull_and_reload(t, lab):
    with usblab.PhoneRole(lab, ASK, root="/tmp/cg-root-c") as role:
        phone, port, watch, cable = role.phone, role.port, role.watch, role.cable
        cable.attach()
        first = watch.wait(labkit.asking, "a question about the host")
        t.ok(phone.udc() is None and usblab.car_sees_nothing(port)[0],
             "(c) asked about the host: g1 unbound, the car sees nothing", port.report_json())
        role.allow_once(first)
        t.check("(c) allow once: g1 bound, the car enumerates the phone and its netdev",
                lambda: (labkit.wait_until(lambda: phone.udc() == usblab.UDC, usblab.TIMEOUT, "g1")
                         and port.wait_enumerated(usblab.TIMEOUT).wait_netdev(usblab.TIMEOUT)
                         is not None, port.report_json()))

        cable.detach()
        t.check("(c) the cable pulled (the car's port off, the supply offline): g1 unbound",
                lambda: unbound(phone))
        t.ok(usblab.UDC in usblab.udcs(), "(c) ... while the UDC stays", usblab.udcs())
        cable.attach()
        second = None

        def asked_again():
            nonlocal second
            second = new_question(watch, first)
            return (phone.udc() is None and usblab.car_sees_nothing(port)[0],
                    port.report_json())
        t.check("(c) plugged in again: a new question, and the car sees nothing", asked_again)
        t.check("(c) allow once on the first question is refused (NotAsked)",
                lambda: role.allow_once_refused(first))
        t.ok(phone.udc() is None and usblab.car_sees_nothing(port)[0],
             "(c) ... and changes nothing: the car sees nothing", port.report_json())

        cable.detach()
        unbound(phone)
        cable.supply.unregister()
        cable.port.set_power(True)
        t.check("(c) no USB supply at all: ask is charge-only, and the record says why",
                lambda: (watch.wait(charge_only_because("no cable signal"), "no cable signal") is not None
                         and phone.udc() is None and usblab.car_sees_nothing(port)[0],
                         port.report_json()))
        cable.port.set_power(False)
        cable.supply.register()

        cable.attach()
        third = new_question(watch, first, second)
        lab.write_policy(role.root, labkit.policy_files(
            "[Default]\nPreset=charge-only\n" + usblab.PHONE_ROLE_ONLY))
        lab.reload_carguardd()
        t.check("(g) a reload that no longer asks ends the pending question",
                lambda: watch.wait(lambda r: not labkit.asking(r)
                                   and bool(r.get(cgnames.CG_DBUS_RECORD_ENFORCED)),
                                   "the question to end") is not None)
        t.check("(g) allow once on the old question is refused (NotAsked)",
                lambda: role.allow_once_refused(third))
        t.ok(phone.udc() is None and usblab.car_sees_nothing(port)[0],
             "(g) ... and changes nothing: g1 unbound, the car sees nothing", port.report_json())
        t.ok(lab.carguardd_runs(), "(c, g) carguardd still runs")


def held_while_locked(role):
    """The host is held at charge-only because the session is locked: the car sees nothing."""
    return (role.watch.wait(charge_only_because("locked"), "locked") is not None
            and role.phone.udc() is None and usblab.car_sees_nothing(role.port)[0],
            role.port.report_json())


def data_at_unlock(role):
    """Judged at the unlock: data, and the car has the phone's netdev."""
    return (role.watch.wait(labkit.enforced("data"), "data") is not None
            and role.port.wait_enumerated(usblab.TIMEOUT).wait_netdev(usblab.TIMEOUT) is not None,
            role.port.report_json())


def locked(t, lab):
    logind = lab.start_fake_logind(locked=True)
    try:
        with usblab.PhoneRole(lab, "[Default]\nPreset=trusted\n", root="/tmp/cg-root-f") as role:
            role.cable.attach()
            t.check("(f) locked: a trusted host is charge-only (locked), the car sees nothing",
                    lambda: held_while_locked(role))
            logind.unlock()
            t.check("(f) unlocked: data, the car enumerates the phone and its netdev",
                    lambda: data_at_unlock(role))
            logind.lock()
            role.wait_lock_state("locked")
            role.cable.detach()
            unbound(role.phone)
            role.cable.attach()
            t.check("(f) plugged in while locked again: charge-only (locked), the car sees nothing",
                    lambda: held_while_locked(role))
            logind.unlock()
            t.check("(f) unlocked: data again", lambda: data_at_unlock(role))
            t.ok(lab.carguardd_runs(), "(f) carguardd still runs")
    finally:
        lab.stop("fake-logind")


def main():
    t = labkit.Tap(30)
    with labkit.Lab() as lab:
        labkit.run_acts(t, lab, (another_owner, two_gadgets, cable_pull_and_reload, locked))
    return t.done()


if __name__ == "__main__":
    labkit.run(main)
