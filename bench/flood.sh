#!/usr/bin/env bash
# Sign-in flood: `righttrack serve --demo` on a fresh data directory, 200 concurrent
# clients posting POST /login with random usernames for DURATION seconds, while /healthz
# is timed twice a second and a hotline report is filed (POST /api/v1/speakup/reports)
# once a second. Two runs:
#   1. one client (every flood request from 127.0.0.1, as in the reported attack);
#   2. many clients: the server trusts 127.0.0.1 as a proxy and every flood request
#      carries a new random X-Forwarded-For, so per-client limits do not apply and the
#      password gate alone keeps the server responsive.
# A baseline without flood runs first. Prints the login answers by status and the median / p95 / max of /healthz and filing.
#
#   bench/flood.sh [DURATION_SECONDS]          (default 20)
#   RT_BIN=target/debug/righttrack bench/flood.sh   (skip the release build)
#   RT_SCENARIOS=one bench/flood.sh                 (only the one-client run; also
#                                                   `quiet`, a baseline without flood)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
if [ -z "${RT_BIN:-}" ]; then
  cargo build --release -q -p righttrack
  RT_BIN="$PWD/target/release/righttrack"
fi
bin="$RT_BIN"
port=18311

run() {
  local label="$1" spoof="$2"; shift 2
  local dir; dir=$(mktemp -d /tmp/rt-flood.XXXXXX)
  "$bin" serve --data-dir "$dir" --demo --listen "127.0.0.1:$port" "$@" >"$dir/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  if [ "$spoof" = quiet ]; then echo "== $label: no flood, ${duration}s"
  else echo "== $label: 200 concurrent POST /login for ${duration}s"; fi
  python3 - "$port" "$duration" "$spoof" <<'PY'
import http.client, json, random, re, statistics, sys, threading, time
port, duration, mode = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
spoof = mode == "1"

def req(method, path, body=None, headers=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("set-cookie") or "", data

status, cookie, page = req("GET", "/login")
csrf_cookie = cookie.split(";")[0]
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
stop = time.monotonic() + duration
counts, lock = {}, threading.Lock()

def flood():
    while time.monotonic() < stop:
        user = "u%016x" % random.getrandbits(64)
        body = f"csrf={csrf}&username={user}&password=guess-{user}&next=%2F"
        h = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie}
        if spoof:
            h["X-Forwarded-For"] = "10.%d.%d.%d" % tuple(random.randrange(256) for _ in range(3))
        try:
            s, _, _ = req("POST", "/login", body, h)
        except Exception:
            s = "error"
        with lock:
            counts[s] = counts.get(s, 0) + 1

def timed(samples, fn, every):
    while time.monotonic() < stop:
        t = time.monotonic()
        ok = fn()
        samples.append((time.monotonic() - t, ok))
        time.sleep(max(0, every - (time.monotonic() - t)))

health, reports = [], []
def healthz():
    return req("GET", "/healthz")[0] == 200
def report():
    body = json.dumps({"category": "fraud", "anonymous": True,
                       "description": "Benchmark report: refunds approved without a ticket."})
    h = {"Content-Type": "application/json"}
    if spoof:
        h["X-Forwarded-For"] = "192.0.2.%d" % random.randrange(256)
    return req("POST", "/api/v1/speakup/reports", body, h)[0] == 201

threads = [threading.Thread(target=flood) for _ in range(0 if mode == "quiet" else 200)]
threads += [threading.Thread(target=timed, args=(health, healthz, 0.5)),
            threading.Thread(target=timed, args=(reports, report, 1.0))]
for t in threads: t.start()
for t in threads: t.join()

def show(name, samples):
    xs = sorted(s for s, _ in samples)
    bad = sum(1 for _, ok in samples if not ok)
    p95 = xs[min(len(xs) - 1, int(len(xs) * 0.95))]
    print(f"{name}: n={len(xs)} median={statistics.median(xs)*1000:.0f} ms "
          f"p95={p95*1000:.0f} ms max={xs[-1]*1000:.0f} ms failed={bad}")
print("POST /login answers:", dict(sorted(counts.items(), key=str)))
show("GET /healthz", health)
show("POST /api/v1/speakup/reports", reports)
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

scenarios="${RT_SCENARIOS:-quiet one many}"
case " $scenarios " in *" quiet "*) run "baseline" quiet ;; esac
case " $scenarios " in *" one "*) run "one client" 0 ;; esac
case " $scenarios " in *" many "*) run "many clients behind a trusted proxy" 1 --trusted-proxy 127.0.0.1 ;; esac
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
