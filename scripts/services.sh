#!/usr/bin/env bash
# Sourced by the test scripts: makes sure a PostgreSQL server answers and exports
# RIGHTTRACK_TEST_PG_URL for the test suite. Uses the server on 127.0.0.1:5432 when it
# answers; otherwise starts the machine's cluster, or installs Debian's postgresql and
# runs a throwaway cluster in a temporary directory. Likewise for NATS with JetStream
# (RIGHTTRACK_TEST_NATS_URL): the server on 127.0.0.1:4222, or a throwaway nats-server
# from Debian's package.

rt_pg_ready() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }

rt_ensure_postgres() {
  if [ -n "${RIGHTTRACK_TEST_PG_URL:-}" ]; then return 0; fi
  if command -v pg_isready >/dev/null && rt_pg_ready 5432; then
    export RIGHTTRACK_TEST_PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
    return 0
  fi
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do rt_pg_ready 5432 && break; sleep 0.5; done
    if rt_pg_ready 5432; then
      export RIGHTTRACK_TEST_PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
      return 0
    fi
  fi
  echo "PostgreSQL is not running here; starting a throwaway server from Debian's packages" >&2
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  local dir; dir=$(mktemp -d /tmp/righttrack-pg.XXXXXX)
  chown postgres "$dir" 2>/dev/null || true
  local as=""; [ "$(id -u)" = 0 ] && as="runuser -u postgres --"
  $as "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
  $as "$bin/pg_ctl" -D "$dir/data" -o "-p 55432 -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
  export RIGHTTRACK_TEST_PG_URL="postgres://postgres@127.0.0.1:55432/postgres"
  export RIGHTTRACK_PG_STARTED="$bin/pg_ctl -D $dir/data"
}

rt_stop_postgres() {
  if [ -n "${RIGHTTRACK_PG_STARTED:-}" ]; then
    local as=""; [ "$(id -u)" = 0 ] && as="runuser -u postgres --"
    $as $RIGHTTRACK_PG_STARTED -m fast stop >/dev/null 2>&1 || true
  fi
}

# Test databases that a killed run left behind.
rt_drop_stale_test_databases() {
  command -v psql >/dev/null || return 0
  psql "$RIGHTTRACK_TEST_PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'rt\_test\_%'" 2>/dev/null |
    while read -r db; do psql "$RIGHTTRACK_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
}

rt_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

rt_ensure_nats() {
  if [ -n "${RIGHTTRACK_TEST_NATS_URL:-}" ]; then return 0; fi
  if rt_port_open 4222; then
    export RIGHTTRACK_TEST_NATS_URL="nats://127.0.0.1:4222"
    return 0
  fi
  echo "NATS is not running here; starting a throwaway JetStream server from Debian's package" >&2
  if ! [ -x /usr/sbin/nats-server ] && ! command -v nats-server >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq nats-server >/dev/null
  fi
  local bin; bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  local dir; dir=$(mktemp -d /tmp/righttrack-nats.XXXXXX)
  local port=54222
  "$bin" -js -a 127.0.0.1 -p "$port" -sd "$dir" >"$dir/log" 2>&1 &
  export RIGHTTRACK_NATS_STARTED="$!"
  for _ in $(seq 1 40); do rt_port_open "$port" && break; sleep 0.25; done
  if ! rt_port_open "$port"; then
    echo "nats-server did not start; its log:" >&2
    cat "$dir/log" >&2
    return 1
  fi
  export RIGHTTRACK_TEST_NATS_URL="nats://127.0.0.1:$port"
}

rt_stop_nats() {
  if [ -n "${RIGHTTRACK_NATS_STARTED:-}" ]; then
    kill "$RIGHTTRACK_NATS_STARTED" 2>/dev/null || true
  fi
}

# The mail tests start a real SMTP server (aiosmtpd) on a free port and stop it to show an
# outage loses nothing; they fail, rather than skip, without it. Idempotent.
rt_ensure_aiosmtpd() {
  if python3 -c 'import aiosmtpd' 2>/dev/null; then return 0; fi
  echo "Installing aiosmtpd (the SMTP server the mail tests start) for this user" >&2
  python3 -m pip install --quiet --user --disable-pip-version-check aiosmtpd==1.4.6
}
