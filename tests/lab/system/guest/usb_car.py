#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lab's USB cable at boot, from units (tests/lab/system/units):
  plug     (laptop) dummy_hcd, then the car's head-unit gadget bound to dummy_udc.0; waits
           until the laptop side has enumerated it
  compose  (phone) the phone's g1 gadget as postmarketOS creates it, bound at once"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "guest"))
import labkit  # noqa: E402
import usblab  # noqa: E402


def main():
    if sys.argv[1] == "plug":
        subprocess.run(["/sbin/modprobe", "-a", "dummy_hcd", "libcomposite"], check=True)
        labkit.wait_until(lambda: "dummy_udc.0" in usblab.udcs(), 20, "dummy_udc.0")
        usblab.ensure_configfs()
        usblab.CarHeadUnitGadget().create(bind=True, udc="dummy_udc.0")
        usblab.CarUsbPort("1-1").wait_enumerated(20)
    elif sys.argv[1] == "compose":
        usblab.ensure_configfs()
        usblab.PhoneGadget().create(bind=True, udc="dummy_udc.0")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
