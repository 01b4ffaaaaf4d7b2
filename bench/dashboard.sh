#!/usr/bin/env bash
# Dashboard latency with 1,000,000 interactions and 10,000 employees on SQLite
# (crates/web/examples/dashboard_bench.rs). Arguments: [INTERACTIONS] [EMPLOYEES] [REQUESTS].
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p righttrack-web --example dashboard_bench -- "$@"
