#!/usr/bin/python3
"""Prints one line "N passed, N failed" over meson testlog.json files.

A result of OK or EXPECTEDFAIL counts as passed; SKIP is counted apart so a
skipped lab never passes silently. Every test that did not pass is named above
that line with the tail of its output, because CI keeps only the end of a run.
"""
import json
import sys

TAIL_LINES = 12


def failure_tail(entry):
    """The lines that say why: TAP "not ok" lines first, then the output's end."""
    text = (entry.get("stdout") or "") + (entry.get("stderr") or "")
    lines = [line for line in text.splitlines() if line.strip()]
    not_ok = [line for line in lines if line.startswith(("not ok", "Bail out!"))]
    return not_ok[:TAIL_LINES] or lines[-TAIL_LINES:]


passed = failed = skipped = 0
failures = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        failures.append((path, "MISSING", ["the log is missing: counted as one failure"]))
        failed += 1
        continue
    for line in lines:
        line = line.strip()
        if not line:
            continue
        entry = json.loads(line)
        result = entry.get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
            failures.append((f"{path}: {entry.get('name')}", result, failure_tail(entry)))

for name, result, tail in failures:
    print(f"FAILED {name} ({result})")
    for line in tail:
        print(f"    {line[:300]}")
summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed else 0)
