#!/usr/bin/env bash
# The Lambda examples under cargo-lambda, as a user tests a function locally: `cargo lambda watch`
# runs each function behind a local Lambda API with chaos configured through its environment, and
# every answer is classified as clean, injected, or anything else (which fails the run).
#
#   1. Chaos on: each function gets its own watch, because a CHAOS_CONFIG that names a point the
#      binary does not have is rejected (and injection then stays off), so one configuration cannot
#      serve both. The configuration changes each fault (a new error message, status 502 instead of
#      503, rate 0.5 instead of the attributes' 0.3), so an answer carrying it proves that
#      CHAOS_CONFIG reached the function, and their number must be close enough to half the calls
#      to tell the configured rate from the attribute's (see LOW and HIGH below).
#   2. The kill switch: the same environment plus CHAOS_ENABLED=0, and every answer must be clean.
#   3. The invocation deadline: lambda_function's `orders::deadline` (`timeout`, rate 0 in the
#      attribute) turned on by CHAOS_CONFIG, and each of a few invocations must fail with the
#      injected timeout, as soon as the deadline it was given allows (see the phase for why that
#      is at once under cargo-lambda).
#
# Needs cargo, curl and python3 (for pip and a free port). Works offline once cargo-lambda is
# installed and the crates are fetched. Usage: bash examples/serverless/tests/cargo_lambda.sh
# (CALLS=200 by default: invocations per function and phase).
set -euo pipefail

cd "$(dirname "$0")/.."
CALLS="${CALLS:-200}"
# The rate CHAOS_CONFIG sets, not the attributes' own (0.3): a count near CALLS * RATE shows the
# configured rate in force.
RATE=0.5
SEED=42
EVENTS="$PWD/tests/events"
WORK="$(mktemp -d)"
WATCH_PID=""
STARTED=$SECONDS

# Every exit path, error or interrupt included, stops the watch (and the functions it started, in
# its process group) and removes the scratch files.
stop_watch() {
    if [[ -n "$WATCH_PID" ]]; then
        kill -TERM -- "-$WATCH_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 -- "-$WATCH_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$WATCH_PID" 2>/dev/null || true
        wait "$WATCH_PID" 2>/dev/null || true
        WATCH_PID=""
    fi
}
cleanup() {
    local status=$?
    stop_watch
    if [[ $status -ne 0 && -f "$WORK/watch.log" ]]; then
        echo "--- last lines of the watch log:" >&2
        tail -n 30 "$WORK/watch.log" >&2
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# cargo-lambda from PyPI (the package ships the binary): as a user, then past Debian's
# "externally managed" guard if that is what refused it.
if ! cargo lambda --version >/dev/null 2>&1; then
    export PATH="$HOME/.local/bin:$PATH"
    if ! cargo lambda --version >/dev/null 2>&1; then
        echo "== installing cargo-lambda with pip"
        python3 -m pip install --quiet cargo-lambda ||
            python3 -m pip install --quiet --user cargo-lambda ||
            python3 -m pip install --quiet --user --break-system-packages cargo-lambda
    fi
fi
cargo lambda --version >/dev/null 2>&1 || fail "cargo lambda is not runnable after installing"

# The first invocation of a function would compile it inside `cargo lambda watch`, with no way to
# bound that but the invoke timeout; building first puts the compile under a timeout of its own,
# and the watch then finds the binaries up to date (it runs `cargo run --bin NAME`, same profile).
echo "== building the functions ($(cargo lambda --version))"
timeout 600 cargo build --quiet --bin lambda_function --bin lambda_http_function ||
    fail "the build failed or took more than 600 s"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_watch ENV_FILE: a watch on a free loopback port, in a process group of its own (setsid),
# that does not reload on file changes (another edit must not restart a function mid-count).
start_watch() {
    PORT="$(free_port)"
    setsid cargo lambda watch --quiet --ignore-changes \
        --invoke-address 127.0.0.1 --invoke-port "$PORT" \
        --env-file "$1" >"$WORK/watch.log" 2>&1 </dev/null &
    WATCH_PID=$!
    local deadline=$((SECONDS + 60))
    until curl --silent --max-time 2 --output /dev/null "http://127.0.0.1:$PORT/"; do
        kill -0 "$WATCH_PID" 2>/dev/null || fail "cargo lambda watch exited at start-up"
        ((SECONDS < deadline)) || fail "cargo lambda watch did not answer within 60 s"
        sleep 0.2
    done
}

# invoke FUNCTION PAYLOAD_FILE: one invocation through the watch's Lambda invoke API; prints the
# HTTP status, a tab, and the answer on one line.
invoke() {
    local body status
    body="$WORK/answer"
    status=$(curl --silent --max-time 30 --output "$body" --write-out '%{http_code}' \
        --data-binary "@$2" "http://127.0.0.1:$PORT/2015-03-31/functions/$1/invocations") ||
        fail "no answer from $1"
    printf '%s\t%s\n' "$status" "$(tr -d '\n' <"$body")"
}

# classify FUNCTION LINE: `clean`, `injected` or `other`, from invoke's output. The patterns are
# whole answers, so an answer that is neither (a real error, a 503 from the attribute's own fault
# when the configuration did not load, a crash) is `other` and fails the run.
classify() {
    # shellcheck disable=SC2016 # the backquotes are literal: chaos's message quotes the point
    case "$1:$2" in
    lambda_function:"200"$'\t''{"order_id":"'*'","item":"widget","quantity":2,"status":"accepted"}')
        echo clean ;;
    lambda_function:"500"$'\t'*'"errorMessage":"chaos: injected error at `orders::handler`: inventory service unavailable (from CHAOS_CONFIG)"}')
        echo injected ;;
    lambda_http_function:"200"$'\t''{"statusCode":200,"headers":{"content-type":"text/plain"},'*'"body":"hello, Ferris",'*)
        echo clean ;;
    lambda_http_function:"200"$'\t''{"statusCode":502,"headers":{"x-chaos-fault":"greeter::handler"},'*'"body":"",'*)
        echo injected ;;
    *) echo other ;;
    esac
}

# run FUNCTION PAYLOAD_FILE: CALLS invocations after one warm-up through `cargo lambda invoke`
# (which starts the function: the cold start is not counted); sets CLEAN and INJECTED.
run() {
    local function=$1 payload=$2 line kind
    timeout 120 cargo lambda invoke "$function" --invoke-address 127.0.0.1 --invoke-port "$PORT" \
        --data-file "$payload" >"$WORK/warm-up" 2>&1 || true # a warm-up call may be faulted
    CLEAN=0
    INJECTED=0
    for _ in $(seq "$CALLS"); do
        line=$(invoke "$function" "$payload")
        kind=$(classify "$function" "$line")
        case $kind in
        clean) CLEAN=$((CLEAN + 1)) ;;
        injected) INJECTED=$((INJECTED + 1)) ;;
        *) fail "$function gave an answer that is neither clean nor the configured fault: $line" ;;
        esac
    done
}

# The environment of phase 1 for one function: its own configuration and a seed, so a run repeats.
# The values are single-quoted: cargo-lambda reads the file as dotenv, where `"` would be eaten.
write_env() {
    local function=$1 config
    case $function in
    lambda_function)
        config='{"points": {"orders::handler": {"rate": '$RATE', "error": "inventory service unavailable (from CHAOS_CONFIG)"}}}' ;;
    lambda_http_function)
        config='{"points": {"greeter::handler": {"rate": '$RATE', "status": 502, "latency_ms": [20, 50]}}}' ;;
    esac
    printf "CHAOS_CONFIG='%s'\nCHAOS_SEED=%s\n" "$config" "$SEED" >"$WORK/$function.env"
}

declare -A PAYLOAD=([lambda_function]="$WORK/order.json" [lambda_http_function]="$EVENTS/apigw_http.json")
echo '{"item": "widget", "quantity": 2}' >"$WORK/order.json"
SUMMARY=()

# The band for the injected count: CALLS * RATE within 3 sigma (79 to 121 for 200 calls at 0.5).
# CHAOS_SEED makes a function's decisions repeat run to run, so the count is the same in every
# run (the summary prints it): the band is not there to absorb chance but to reject a wrong rate.
# Over seeds taken at random, the count at rate 0.5 falls inside it 99.8% of the time, the count
# at 0.3 (the attributes' rate, were CHAOS_CONFIG's ignored) or at 0.7 only 0.3% of the time.
read -r LOW HIGH < <(awk -v n="$CALLS" -v p="$RATE" 'BEGIN {
    mean = n * p; sd = sqrt(n * p * (1 - p)); print mean - 3 * sd, mean + 3 * sd }')

for function in lambda_function lambda_http_function; do
    write_env "$function"
    echo "== $function: chaos on, rate $RATE, $CALLS calls"
    start_watch "$WORK/$function.env"
    run "$function" "${PAYLOAD[$function]}"
    stop_watch
    awk -v k="$INJECTED" -v lo="$LOW" -v hi="$HIGH" 'BEGIN { exit !(k >= lo && k <= hi) }' ||
        fail "$function: $INJECTED of $CALLS injected, outside [$LOW, $HIGH] for rate $RATE"
    ((CLEAN > 0)) || fail "$function: no clean answer"
    ((INJECTED > 0)) || fail "$function: no injected answer"
    SUMMARY+=("$(printf '%-22s chaos on:  %3d injected, %3d clean (bounds %.1f..%.1f)' \
        "$function" "$INJECTED" "$CLEAN" "$LOW" "$HIGH")")

    echo "== $function: CHAOS_ENABLED=0, $CALLS calls"
    echo "CHAOS_ENABLED=0" >>"$WORK/$function.env"
    start_watch "$WORK/$function.env"
    run "$function" "${PAYLOAD[$function]}"
    stop_watch
    ((INJECTED == 0 && CLEAN == CALLS)) ||
        fail "$function: with CHAOS_ENABLED=0, $INJECTED of $CALLS answers were injected"
    SUMMARY+=("$(printf '%-22s chaos off: %3d injected, %3d clean' "$function" "$INJECTED" "$CLEAN")")
done

# Phase 3. cargo-lambda's runtime API (1.9) gives every invocation the same deadline,
# `lambda-runtime-deadline-ms: 600000`: ten minutes after the Unix epoch, long past. No option
# changes it (`watch --timeout` is how long the invoke API waits for an answer;
# `[package.metadata.lambda.deploy] timeout` is for `deploy`), and the function's
# AWS_LAMBDA_RUNTIME_API cannot be pointed elsewhere (cargo-lambda sets it over --env-file). A
# deadline already past times out at once, whatever `timeout_buffer_ms` says, so every answer
# here must be the injected timeout "after 0 ms", at once. That shows CHAOS_CONFIG
# turning the point on and the fault failing the invocation; the wait until the deadline less the
# buffer is tested by lambda_function.rs's unit tests, with a deadline 1.5 s ahead. Should a
# later cargo-lambda send a real deadline (now + the function's timeout), this phase fails saying
# how long the call waited: then check the wait against that deadline less the buffer instead.
TIMEOUT_CALLS=3
printf "CHAOS_CONFIG='%s'\n" '{"points": {"orders::handler": {"rate": 0.0}, "orders::deadline": {"rate": 1.0, "timeout": true, "timeout_buffer_ms": 250}}}' \
    >"$WORK/deadline.env"
echo "== lambda_function: orders::deadline at rate 1.0, $TIMEOUT_CALLS calls"
start_watch "$WORK/deadline.env"
timeout 120 cargo lambda invoke lambda_function --invoke-address 127.0.0.1 --invoke-port "$PORT" \
    --data-file "$WORK/order.json" >"$WORK/warm-up" 2>&1 || true # starts the function; fails
TIMINGS=()
for _ in $(seq "$TIMEOUT_CALLS"); do
    # The status, the seconds the call took, and the answer, tab-separated.
    line=$(curl --silent --max-time 30 --output "$WORK/answer" --write-out '%{http_code}\t%{time_total}' \
        --data-binary "@$WORK/order.json" \
        "http://127.0.0.1:$PORT/2015-03-31/functions/lambda_function/invocations") ||
        fail "no answer from lambda_function within 30 s: did cargo-lambda's deadline move? (see phase 3)"
    IFS=$'\t' read -r status seconds <<<"$line"
    answer=$(tr -d '\n' <"$WORK/answer")
    # shellcheck disable=SC2016 # the backquotes are literal: chaos's message quotes the point
    [[ $status == 500 && $answer == *'"errorMessage":"chaos: injected timeout at `orders::deadline` after '*' ms (status 504)"}' ]] ||
        fail "lambda_function: not the injected timeout: $status $answer"
    after_ms=${answer##*after }
    after_ms=${after_ms%% ms*}
    ((after_ms == 0)) ||
        fail "lambda_function timed out after $after_ms ms, not at once: cargo-lambda now sends a deadline ahead (see phase 3)"
    # The fault says it waited 0 ms; 10 s of wall clock (on a machine that may be busy with
    # other builds) would only pass by a hang.
    awk -v s="$seconds" 'BEGIN { exit !(s < 10.0) }' ||
        fail "lambda_function: the timeout took $seconds s to answer, for a deadline already past"
    TIMINGS+=("$seconds")
done
stop_watch
SUMMARY+=("$(printf '%-22s deadline:  %d injected timeouts after 0 ms, answered in %s s' \
    lambda_function "$TIMEOUT_CALLS" "${TIMINGS[*]}")")

echo
printf '%s\n' "${SUMMARY[@]}"
echo "cargo-lambda: all checks passed in $((SECONDS - STARTED)) s"
