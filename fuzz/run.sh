#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: fuzz/run.sh [SECONDS] [TARGET...]
# (default 60 s each, all targets). Exits non-zero when any target crashes; the crashing
# input is left in fuzz/artifacts/TARGET/. Seeds come from fuzz/seed.py (run first).
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Builds into
# $CARGO_TARGET_DIR (default fuzz/target). Safe Rust only under test: no sanitizer, but
# debug assertions (overflow checks) on.
set -u
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(sip_message sdp iax2_frame rtp_rtcp conf_parse dialplan ami_frame)
fi
tdir="${CARGO_TARGET_DIR:-$PWD/target}"
flags=(-s none -a --target-dir "$tdir")
python3 seed.py >/dev/null || { echo "seeding failed"; exit 2; }
cargo +nightly fuzz build "${flags[@]}" || { echo "build failed"; exit 2; }
mkdir -p logs
status=0
printf '%-12s %8s %12s %s\n' target seconds executions result
for t in "${targets[@]}"; do
    log="logs/$t.log"
    cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="CRASH (rc=$rc, see fuzz/$log and fuzz/artifacts/$t/)"
        status=1
    fi
    printf '%-12s %8s %12s %s\n' "$t" "$secs" "${execs:-?}" "$result"
done
exit $status
