#!/usr/bin/python3
"""Prints one line "N passed, N failed" over meson testlog.json files.

A result of OK, EXPECTEDFAIL or SKIP counts as passed only when it is OK or
EXPECTEDFAIL; SKIP is counted apart so a skipped lab never passes silently.
"""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        print(f"{path}: missing: counted as one failure", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        line = line.strip()
        if not line:
            continue
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed else 0)
