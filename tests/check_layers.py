#!/usr/bin/env python3
"""The rooms' arrows, held against the code: each room includes only the rooms below it
(docs/ARCHITECTURE.md), and no file outside backends/ (and its tests, tests/backends/) includes
a header of backends/ other than the registry's interface, backends/backend.hpp.

    check_layers.py SOURCE_DIR   exit 0, or 1 with one line per include that breaks a rule
"""
import os
import re
import sys

REGISTRY = "backends/backend.hpp"
# Each room, and the rooms its files may include (its own always).
ALLOWED = {
    "platform": set(),
    "kernels": {"platform"},
    "schema": set(),
    "stats": set(),
    "backends": {"kernels", "platform", "schema"},
    "engine": {"backends", "kernels", "platform", "schema", "stats"},
    "report": {"schema", "stats", "platform"},
    "suites": {"engine", "backends", "kernels", "platform", "schema"},
    "cli": {"suites", "engine", "report", "backends", "kernels", "platform", "schema", "stats"},
    "tools": {"schema", "stats"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for room in sorted(set(ALLOWED) | {"tests"}):
        for folder, _, names in os.walk(os.path.join(root, room)):
            for name in sorted(names):
                if name.endswith((".cpp", ".hpp")):
                    path = os.path.join(folder, name)
                    yield room, os.path.relpath(path, root)


def problems(root):
    for room, path in sources(root):
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for included in INCLUDE.findall(text):
            target = included.split("/")[0]
            if target not in ALLOWED:
                continue  # a generated header (build_info.hpp) or a test helper
            if target == "backends" and included != REGISTRY and room != "backends" and \
                    not path.startswith("tests/backends/"):
                yield f"{path}: includes {included}: outside backends/ only {REGISTRY}"
            elif room != "tests" and target != room and target not in ALLOWED[room]:
                yield f"{path}: includes {included}: {room}/ may include only " + \
                    ", ".join(sorted(ALLOWED[room] | {room}))


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: check_layers.py SOURCE_DIR", file=sys.stderr)
        return 2
    found = list(problems(sys.argv[1]))
    for line in found:
        print(line)
    print(f"{len(found)} include(s) against the rooms' arrows")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
