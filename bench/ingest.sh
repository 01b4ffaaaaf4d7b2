#!/usr/bin/env bash
# Ingestion throughput: a release `righttrack serve` on a fresh database, a real API token
# with the ingest scope, and wrk (another process) posting NDJSON batches of dev-corpus
# interactions with unique ids. Runs on SQLite, then on PostgreSQL when one answers.
#
#   bench/ingest.sh [DURATION_SECONDS] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
batch="${2:-100}"
corpus="${RT_CORPUS:-../shared/bench/dev-2k.jsonl}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p righttrack
bin="$PWD/target/release/righttrack"
. scripts/services.sh

run() {
  local label="$1"; shift
  local dir; dir=$(mktemp -d /tmp/rt-ingest.XXXXXX)
  "$bin" user add-service --data-dir "$dir" "$@" --username loader --role qa_analyst >/dev/null
  local token; token=$("$bin" token create --data-dir "$dir" "$@" --username loader --scope ingest | tail -n1)
  # shellcheck disable=SC2086 # RT_SERVE_EXTRA is a list of flags
  "$bin" serve --data-dir "$dir" "$@" ${RT_SERVE_EXTRA:-} --listen 127.0.0.1:18099 >"$dir/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18099/healthz >/dev/null && break; sleep 0.2; done
  echo "== $label: ${duration}s, batches of $batch, wrk -t2 -c4"
  RT_CORPUS="$corpus" RT_BATCH="$batch" RT_TOKEN="$token" \
    wrk -t2 -c4 -d"${duration}s" --timeout 30s -s bench/ingest.lua http://127.0.0.1:18099/api/v1/interactions | grep -E "interactions/s|latency ms|Non-2xx" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

run "SQLite (WAL, synchronous=FULL)"
RT_SERVE_EXTRA=--privacy-vault run "SQLite, privacy vault on"
if rt_ensure_postgres 2>/dev/null; then
  db="rt_bench_$$"
  psql "$RIGHTTRACK_TEST_PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  url="${RIGHTTRACK_TEST_PG_URL%/*}/$db"
  run "PostgreSQL" --database-url "$url"
  psql "$RIGHTTRACK_TEST_PG_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
  rt_stop_postgres
fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
