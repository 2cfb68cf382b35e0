#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The lab boots: the guest runs the host's python3, sees its kernel modules and the results share."""
import os, sys
print("1..2")
print("ok 1 - python runs in the guest" )
print(("ok" if os.path.exists("/sys/module/bluetooth") else "not ok") + " 2 - bluetooth module loaded")
