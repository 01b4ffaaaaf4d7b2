#!/usr/bin/env bash
# HR file import benchmark: a generated people file (default 10,000 people in 400
# teams at 8 sites, each team with a lead reporting to a site manager) imported into a
# fresh installation, then again (nothing to change), then with 5 % changed and 2 % left.
#
#   bench/directory.sh [PEOPLE]              release build, SQLite
#   PROFILE=debug bench/directory.sh         the test build, as an upper bound
#   RIGHTTRACK_DATABASE_URL=postgres://… bench/directory.sh   on PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = release ]; then
  cargo build --release -q -p righttrack
else
  cargo build -q -p righttrack
fi
BIN="target/$PROFILE/righttrack"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== machine"
lscpu | grep -E "Model name|^CPU\(s\)" || true
echo "profile: $PROFILE, backend: ${RIGHTTRACK_DATABASE_URL:+PostgreSQL}${RIGHTTRACK_DATABASE_URL:-SQLite}"

python3 - "$N" "$WORK" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
sites = [f"Site {s}" for s in range(8)]
teams = max(1, n // 25)
def rows(changed=0.0, left=0.0):
    out = ["username,display_name,email,team,site,manager,roles,hire_date,job_level,employment_status"]
    for s, site in enumerate(sites):
        out.append(f"mgr{s},Manager {s},mgr{s}@example.com,Managers {s},{site},,team_lead,2012-01-0{1+s%9},M2,active")
    for t in range(teams):
        site = sites[t % len(sites)]
        out.append(f"lead{t},Lead {t},lead{t}@example.com,Team {t},{site},mgr{t % len(sites)},team_lead,2016-05-01,L3,active")
    i = 0
    while len(out) - 1 < n:
        t = i % teams
        name = f"Agent {i}" + (" Jr" if i % 100 < changed * 100 else "")
        status = "left" if i % 100 >= 100 - left * 100 else "active"
        out.append(f"a{i},{name},a{i}@example.com,Team {t},{sites[t % len(sites)]},lead{t},agent,2023-0{1+i%9}-1{i%9},L1,{status}")
        i += 1
    return "\n".join(out) + "\n"
open(f"{work}/people.csv", "w").write(rows())
open(f"{work}/people-changed.csv", "w").write(rows(changed=0.05, left=0.02))
PY

D="$WORK/data"
printf 'a long enough operator password\n' | "$BIN" user add --data-dir "$D" --username root --role admin --password-stdin > /dev/null
run() {
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$BIN" directory import --data-dir "$D" "$@" | tail -1
  end=$(date +%s.%N)
  printf '%s: %.2f s\n' "$label" "$(echo "$end - $start" | bc)"
}
echo "== $N people"
run "dry run, fresh install" "$WORK/people.csv" --dry-run > /dev/null
run "dry run, fresh install" "$WORK/people.csv" --dry-run | tail -1
run "import, fresh install" "$WORK/people.csv"
run "the same file again" "$WORK/people.csv"
run "5 % renamed, 2 % left" "$WORK/people-changed.csv"
