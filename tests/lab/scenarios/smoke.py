#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lab boots: the guest runs the host's python3 with dbus and gi, has its kernel
modules, and writes to the run's log directory. Also the VM the no-orphan test kills."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "guest"))
import labkit  # noqa: E402

tap = labkit.Tap(plan=3)
tap.ok(os.path.isdir("/sys/module/bluetooth") and os.path.isdir("/sys/module/dummy_hcd"),
       "the Bluetooth and dummy_hcd modules are loaded")
with open(os.path.join(labkit.RESULTS, "smoke.txt"), "w") as f:
    f.write("written in the guest\n")
tap.ok(os.path.exists(os.path.join(labkit.RESULTS, "smoke.txt")), "the run's log directory is writable")
tap.ok(os.path.isdir("/sys/kernel/config/usb_gadget"), "configfs has usb_gadget")
sys.exit(tap.done())
