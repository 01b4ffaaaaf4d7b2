#!/usr/bin/env bash
# Stream ingestion throughput: `righttrack publish` puts N dev-corpus interactions (fresh
# ids) on a new JetStream stream, then 1 (SQLite) or 2 (one PostgreSQL database)
# `righttrack serve --nats-url` instances drain it. Reports interactions/s from the
# start of publishing to the last stored message, read from each instance's /metrics.
#
#   bench/nats.sh [N]        (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
corpus="${RT_CORPUS:-../shared/bench/dev-2k.jsonl}"
cargo build --release -q -p righttrack
bin="$PWD/target/release/righttrack"
. scripts/services.sh
rt_ensure_nats
nats="$RIGHTTRACK_TEST_NATS_URL"
work=$(mktemp -d /tmp/rt-nats-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# /metrics answers only the metrics token.
head -c 24 /dev/urandom | base64 | tr -d '\n/+=' > "$work/metrics-token"
token=$(cat "$work/metrics-token")
python3 - "$corpus" "$n" > "$work/in.jsonl" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
for i in range(int(sys.argv[2])):
    d = json.loads(lines[i % len(lines)])
    d["id"] = f"nb-{i:07d}"
    print(json.dumps(d))
PY

stored() {
  local total=0 port
  for port in "$@"; do
    local v
    v=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" | sed -n 's/^righttrack_nats_messages_total{outcome="stored"} //p')
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

run() {
  local label="$1" instances="$2"; shift 2
  local tag; tag="B$(date +%s%N)"
  local ports=() pids=()
  for i in $(seq 1 "$instances"); do
    local dir="$work/d$i-$tag" port=$((18200 + i))
    mkdir -p "$dir"
    if [ "$i" -gt 1 ]; then cp "$work/d1-$tag"/*.key* "$dir/"; fi
    "$bin" serve --data-dir "$dir" "$@" --listen "127.0.0.1:$port" --metrics-token-file "$work/metrics-token" --nats-url "$nats" \
      --nats-stream "$tag" --nats-subject "bench.$tag" --nats-consumer "c$tag" >"$dir/serve.log" 2>&1 &
    pids+=($!); ports+=("$port")
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  done
  local start; start=$(date +%s.%N)
  "$bin" publish --nats-url "$nats" --nats-stream "$tag" --nats-subject "bench.$tag" "$work/in.jsonl" >/dev/null
  while [ "$(stored "${ports[@]}")" -lt "$n" ]; do sleep 0.2; done
  local end; end=$(date +%s.%N)
  echo "== $label: $n interactions drained in $(python3 -c "print(f'{$end-$start:.1f}')") s: $(python3 -c "print(f'{$n/($end-$start):,.0f}')") interactions/s"
  for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
}

# Timed from the start of publishing to the last stored message: publish, fetch, scan,
# redact, store and ack, with the consumers draining while the publisher still writes.
run "SQLite, 1 instance" 1
if rt_ensure_postgres 2>/dev/null; then
  db="rt_nbench_$$"
  psql "$RIGHTTRACK_TEST_PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  url="${RIGHTTRACK_TEST_PG_URL%/*}/$db"
  run "PostgreSQL, 1 instance" 1 --database-url "$url"
  psql "$RIGHTTRACK_TEST_PG_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
  psql "$RIGHTTRACK_TEST_PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  run "PostgreSQL, 2 instances" 2 --database-url "$url"
  psql "$RIGHTTRACK_TEST_PG_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
