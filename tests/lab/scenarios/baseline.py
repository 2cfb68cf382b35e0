#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Baseline, without carguardd: an unguarded phone gives a car everything. The car
pairs (Just Works and numeric comparison), pulls the canary phonebook over PBAP and
the message listing over MAP, opens every other service, and gets a USB network
link to the phone. Every later guard scenario asserts that carguard changes one of
these outcomes, so this one proves the lab can observe them."""

import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402

tap = labkit.Tap(plan=19)


def svc(report, name):
    return report["services"].get(name, {})


def bluetooth(lab):
    lab.bluetooth_up(labkit.main_conf(device_id="bluetooth:004B:2001:0100"))
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
        except Exception:
            tap.diag(traceback.format_exc())
        try:
            usb()
        except Exception:
            tap.diag(traceback.format_exc())
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
