#!/usr/bin/env python3
"""Checks that every Swift target of Package.swift imports exactly the modules it declares.

For each target with Swift sources, the modules named by `import X` lines in its files (with any
access level, `@testable`, or `import struct X.Y`) must equal its declared dependencies, products
mapped to their module names. The toolchain's own modules (Foundation, Glibc, Testing, ...) are
not dependencies and are ignored; so are executable targets named as dependencies (test targets
name them to have them built, and nobody can import them). Also checks ARCHITECTURE.md's module map: every non-test target has a row, and a row's
"depends on" column names exactly the target's declared dependencies (a row for several
targets: the union of theirs; "A or B" names both). Exits 1 listing every difference:
    scripts/check-deps.py [package-dir]
"""
import json
import os
import re
import subprocess
import sys

# Modules that come with Swift itself, not from Package.swift.
TOOLCHAIN = {
    "Foundation", "FoundationEssentials", "FoundationInternationalization", "FoundationNetworking", "FoundationXML",
    "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization", "Testing", "XCTest", "Swift",
    "_Concurrency", "RegexBuilder", "Observation", "os", "CoreFoundation",
}
# Products whose module name differs from the product name (none today).
PRODUCT_MODULES: dict[str, str] = {}

IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*"            # @testable, @_implementationOnly, @preconcurrency
    r"(?:(?:public|package|internal|fileprivate|private)\s+)?"
    r"import\s+(?:(?:struct|class|enum|protocol|typealias|func|var|let)\s+)?"
    r"([A-Za-z_][A-Za-z0-9_]*)"
)


def main() -> int:
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                     capture_output=True, text=True).stdout)
    targets = {t["name"]: t for t in dump["targets"]}
    executables = {n for n, t in targets.items() if t["type"] == "executable"}
    failures = []
    declared_by_target: dict[str, set[str]] = {}
    for name, t in targets.items():
        if t["type"] in ("system", "binary", "plugin", "macro"):
            declared_by_target[name] = {d.get("byName", [None])[0] for d in t.get("dependencies", [])} - {None}
            continue
        default = "Tests" if t["type"] == "test" else "Sources"
        path = os.path.join(root, t.get("path") or os.path.join(default, name))
        excluded = [os.path.join(path, e) for e in t.get("exclude", [])]
        imported: dict[str, str] = {}
        swift_files = 0
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in excluded]
            for f in filenames:
                if not f.endswith(".swift") or os.path.join(dirpath, f) in excluded:
                    continue
                swift_files += 1
                file = os.path.join(dirpath, f)
                with open(file, encoding="utf-8") as fh:
                    for n, line in enumerate(fh, 1):
                        m = IMPORT.match(line)
                        if m and m.group(1) not in TOOLCHAIN:
                            imported.setdefault(m.group(1), f"{os.path.relpath(file, root)}:{n}")
        if swift_files == 0:
            # A C target: its dependencies are #includes, not checked here.
            declared_by_target[name] = {d["byName"][0] for d in t.get("dependencies", []) if "byName" in d}
            continue
        declared = set()
        for d in t.get("dependencies", []):
            if "byName" in d:
                declared.add(d["byName"][0])
            elif "target" in d:
                declared.add(d["target"][0])
            elif "product" in d:
                declared.add(PRODUCT_MODULES.get(d["product"][0], d["product"][0]))
        declared -= executables
        declared_by_target[name] = declared
        for module in sorted(set(imported) - declared):
            failures.append(f"{name}: imports {module} ({imported[module]}) but does not declare it")
        for module in sorted(declared - set(imported)):
            failures.append(f"{name}: declares {module} but imports it nowhere")
    failures += check_module_map(root, targets, declared_by_target)
    for f in failures:
        print(f)
    sys.stdout.flush()
    if failures:
        print(f"check-deps: {len(failures)} difference(s)", file=sys.stderr)
        return 1
    print(f"check-deps: every target imports exactly its declared dependencies, as the module map says ({len(targets)} targets)")
    return 0


def check_module_map(root: str, targets: dict, declared: dict[str, set[str]]) -> list[str]:
    path = os.path.join(root, "ARCHITECTURE.md")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    failures = []
    seen = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([^`]+)`", cells[0])
        listed = set() if cells[3] in ("—", "-", "") else {
            n.strip() for part in cells[3].split(",") for n in part.split(" or ")}
        actual = set()
        for n in names:
            seen.add(n)
            if n not in targets:
                failures.append(f"ARCHITECTURE.md: module map lists {n}, which Package.swift does not have")
                continue
            actual |= declared.get(n, set())
        actual -= set(names)  # "KhaosanQuery or KhaosanIngest" in the executables' row
        listed -= set(names)
        if listed != actual:
            failures.append(f"ARCHITECTURE.md: {', '.join(names)} depends on {sorted(actual)}, the module map says {sorted(listed)}")
    for n, t in targets.items():
        if t["type"] != "test" and n not in seen:
            failures.append(f"ARCHITECTURE.md: module map has no row for {n}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
