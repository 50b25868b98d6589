#!/usr/bin/env bash
# Honest dependency floors (issue 11): every direct dependency of chaos-core and chaos-macros is
# pinned to the lowest version its manifest allows, and the fixture tests/floors runs chaos with
# every feature on them. The floors are read from the manifests themselves, so what they promise
# is what this checks. Needs cargo and python3 (3.11+, for tomllib).
set -euo pipefail
cd "$(dirname "$0")/.."

FIXTURE=tests/floors
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/$FIXTURE/target}"

# The newest versions first, then every floor pinned over them.
cargo generate-lockfile --manifest-path "$FIXTURE/Cargo.toml"

# Crates that chaos does not depend on directly, held at the lowest version their dependents
# allow, because their newest would forbid a floor: aws-smithy-runtime-api 1.2.0 (the `aws-sdk`
# floor) allows aws-smithy-async 1.1.8, whose requirements stay below tokio's and
# pin-project-lite's floors, where the newest (1.3) asks for tokio 1.49 and pin-project-lite
# 0.2.14. A user on those floors resolves the same way.
# They are pinned with the floors (after the crates that allow them).
HELD_BACK=("aws-smithy-async@1.1.8")

python3 - "$FIXTURE" "${HELD_BACK[@]}" <<'PYTHON'
import subprocess, sys, tomllib

fixture = sys.argv[1]

def floors():
    """(name, floor) of every direct normal dependency of chaos-core and chaos-macros, those of
    a target (`[target.'cfg(unix)'.dependencies]`) included."""
    found = {}
    for manifest in ("chaos-core/Cargo.toml", "chaos-macros/Cargo.toml"):
        with open(manifest, "rb") as f:
            parsed = tomllib.load(f)
        tables = [parsed.get("dependencies", {})]
        tables += [t.get("dependencies", {}) for t in parsed.get("target", {}).values()]
        for name, spec in (item for deps in tables for item in deps.items()):
            spec = {"version": spec} if isinstance(spec, str) else spec
            if "path" in spec:
                continue  # chaos-core itself
            name = spec.get("package", name)
            version = spec["version"]
            parts = version.split(".")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                sys.exit(f"floors: {manifest}: `{name} = \"{version}\"` is not a full x.y.z floor")
            if found.get(name, version) != version:
                sys.exit(f"floors: two floors for {name}: {found[name]} and {version}")
            found[name] = version
    return found

def compatible(a, b):
    """Whether versions a and b are semver-compatible (the same leftmost non-zero part)."""
    a, b = [int(p) for p in a.split(".")], [int(p) for p in b.split(".")]
    for x, y in zip(a, b):
        if x != y:
            return False
        if x != 0:
            return True
    return True

def locked(name, floor):
    """The version of `name` in the lock that the floor's requirement selects (there may be
    others, of other majors, for other crates)."""
    with open(f"{fixture}/Cargo.lock", "rb") as f:
        packages = tomllib.load(f)["package"]
    versions = [p["version"] for p in packages if p["name"] == name and "source" in p]
    matches = [v for v in versions if compatible(v, floor)]
    if not matches:
        sys.exit(f"floors: {name} {floor}: not in {fixture}/Cargo.lock (found {versions or 'none'})")
    return max(matches, key=lambda v: [int(p) for p in v.split(".")])

wanted = floors()
held_back = dict(arg.split("@") for arg in sys.argv[2:])
wanted.update(held_back)
# A pin can be refused only because another is not made yet (lambda_runtime's newest needing a
# newer tokio than tokio's floor): retry the refused ones while any pin succeeds.
pending, errors = sorted(wanted), {}
while pending:
    refused = []
    for name in pending:
        floor = wanted[name]
        current = locked(name, floor)
        if current == floor:
            continue
        pin = subprocess.run(
            ["cargo", "update", "--quiet", "--manifest-path", f"{fixture}/Cargo.toml",
             "-p", f"{name}@{current}", "--precise", floor],
            capture_output=True, text=True)
        if pin.returncode != 0:
            refused.append(name)
            errors[name] = pin.stderr.strip()
    if len(refused) == len(pending):
        for name in refused:
            print(f"floors: cannot pin {name} to {wanted[name]}:\n{errors[name]}\n", file=sys.stderr)
        sys.exit(f"floors: impossible pins: {', '.join(refused)}")
    pending = refused

print(f"{'dependency':<20} {'floor':<10} locked")
wrong = []
for name in sorted(wanted):
    version = locked(name, wanted[name])
    print(f"{name:<20} {wanted[name]:<10} {version}")
    if version != wanted[name]:
        wrong.append(name)
if wrong:
    sys.exit(f"floors: not at their floor: {', '.join(wrong)}")
PYTHON

cargo run -j2 --locked --manifest-path "$FIXTURE/Cargo.toml"
