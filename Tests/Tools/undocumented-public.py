#!/usr/bin/env python3
"""Lists the public declarations of Sources/MockIdP that have no `///` doc comment, and fails if there are any.

    python3 Tests/Tools/undocumented-public.py

A declaration counts as documented when the line above it (skipping attributes such as `@discardableResult`) is a `///`
comment. Enum cases inside a public enum count too, since they are public API.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2] / "Sources" / "MockIdP"
declaration = re.compile(r"^\s*(public|open)\s+(?!import\b)")
missing = []
for path in sorted(root.rglob("*.swift")):
    lines = path.read_text().splitlines()
    public_enum_depth = []  # indentation of public enums whose cases are public
    for number, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        while public_enum_depth and indent <= public_enum_depth[-1] and stripped and not stripped.startswith("//"):
            if stripped.startswith("}") and indent == public_enum_depth[-1]:
                public_enum_depth.pop()
                break
            if indent < public_enum_depth[-1] or not stripped.startswith("}"):
                public_enum_depth.pop()
            else:
                break
        is_public = bool(declaration.match(line))
        is_case = bool(public_enum_depth) and stripped.startswith("case ") and indent == public_enum_depth[-1] + 4
        if re.match(r"^\s*public\s+(indirect\s+)?enum\b", line):
            public_enum_depth.append(indent)
        if not (is_public or is_case):
            continue
        above = number - 1
        while above >= 0 and lines[above].strip().startswith("@"):
            above -= 1
        if above < 0 or not lines[above].strip().startswith("///"):
            missing.append(f"{path.relative_to(root.parents[1])}:{number + 1}: {stripped}")
print("\n".join(missing))
print(f"undocumented public declarations: {len(missing)}", file=sys.stderr)
sys.exit(1 if missing else 0)
