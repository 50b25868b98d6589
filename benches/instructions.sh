#!/usr/bin/env bash
# Instructions per call of the rows of benches/async_path.rs, counted by callgrind: the same
# count on any x86-64 machine however noisy it is, where the criterion rows move by a nanosecond
# or more between runs. A count is not a time (a load that misses costs more than an add), but a
# change that adds or removes work on a path shows in it exactly.
#
#   bash benches/instructions.sh                  # every row
#   bash benches/instructions.sh 'async_off/.*'   # the rows whose name matches
#
# Needs valgrind (Debian: `apt-get install valgrind`) and python3. Each row runs alone for one
# second under callgrind (about a minute for every row), after `warm_every_point` in the bench.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "benches/instructions.sh needs valgrind (apt-get install valgrind)" >&2; exit 2; }
filter=${1:-.*}

binary=$(cargo bench --bench async_path --features enabled --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "async_path" and m.get("executable"):
        print(m["executable"])')
[[ -n $binary ]] || { echo "could not build the async_path bench" >&2; exit 1; }

rows=$("$binary" --bench --list 2>/dev/null | sed -n 's/: benchmark$//p' | grep -E "^($filter)\$" || true)
[[ -n $rows ]] || { echo "no row matches '$filter'" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%-40s %12s\n' row instructions/call
for row in $rows; do
    # Only the measuring loops are counted: criterion's `Bencher::iter` and what it calls.
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*Bencher*iter*' \
        "$binary" --bench --profile-time 1 "^$row\$" >/dev/null 2>&1
    per_call=$(python3 - "$out" <<'PY'
import re, sys

# The total counted, over the number of iterations: the calls of the row's function (through a
# pointer, once per iteration), which is the callee `Bencher::iter` calls most often.
lines = open(sys.argv[1]).read().split("\n")
total = int(next(l for l in lines if l.startswith(("summary:", "totals:"))).split()[1])
names, in_iter, iterations = {}, False, 0
for line in lines:
    named = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line)
    if named and named.group(2):
        names[named.group(1)] = named.group(2)
    if line.startswith("fn="):
        # `Bencher<M>::iter` (legacy mangling) or `<...Bencher>::iter::<...>` (v0).
        name = names.get(named.group(1), "")
        in_iter = "Bencher" in name and "::iter" in name
    calls = re.match(r"^calls=(\d+)", line)
    if calls and in_iter:
        iterations = max(iterations, int(calls.group(1)))
print(f"{total / iterations:.1f}" if iterations else "?")
PY
)
    printf '%-40s %12s\n' "$row" "$per_call"
done
