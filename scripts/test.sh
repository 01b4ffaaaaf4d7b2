#!/usr/bin/env bash
# Every test RightTrack has: the Rust suite (each store and server test runs on SQLite
# and on PostgreSQL), then the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
rt_ensure_postgres
rt_ensure_nats
rt_ensure_aiosmtpd
trap 'rt_stop_postgres; rt_stop_nats' EXIT
rt_drop_stale_test_databases
echo "== Rust tests (SQLite and PostgreSQL at ${RIGHTTRACK_TEST_PG_URL#*@}; NATS at ${RIGHTTRACK_TEST_NATS_URL#*//})"
cargo test --workspace --all-targets
cargo test --workspace --doc
echo "== Browser tests"
cargo build -p righttrack
RIGHTTRACK_BIN="$PWD/target/debug/righttrack" bash scripts/browser-test.sh
