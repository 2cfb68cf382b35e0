# SPDX-License-Identifier: LGPL-2.1-or-later
"""The names of carguardd's D-Bus API for Python, read from the one place they are
written: common/cg-dbus-names.h of this source tree (the guest sees the tree at the same
path as the host). Every #define there is an attribute here under its C name:

    import cgnames
    bus.get_object(cgnames.CG_DBUS_NAME, cgnames.CG_DBUS_PATH)
    record[cgnames.CG_DBUS_RECORD_DECISION]"""

import os
import re

HEADER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.realpath(__file__))))), "common", "cg-dbus-names.h")

_DEFINE = re.compile(r'^#define\s+(CG_[A-Z0-9_]+)\s+(.+?)\s*$')
_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(CG_[A-Z0-9_]+))')


def _value(text, names, where):
    """A definition's value: string literals and names defined above, concatenated."""
    parts, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or (m.group(2) and m.group(2) not in names):
            raise ValueError(f"{where}: not a string or a name defined above: {text[pos:]!r}")
        parts.append(m.group(1) if m.group(1) is not None else names[m.group(2)])
        pos = m.end()
    return "".join(parts)


def read(path=HEADER):
    """Every CG_ definition of the header, name to string."""
    names = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            m = _DEFINE.match(line)
            if m:
                names[m.group(1)] = _value(m.group(2), names, f"{path}:{number}")
    return names


globals().update(read())
