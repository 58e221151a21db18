#!/usr/bin/env bash
# Runs the suite twice: everything on SQLite, then the database tests on a
# throwaway PostgreSQL bound to loopback, which is stopped however we exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== tests on SQLite"
"$BIN/pytest" -n 2 -p no:cacheprovider "$@"

if [ ! -d tests/web ]; then
  exit 0
fi

echo "== database tests on PostgreSQL"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PGROOT="$(mktemp -d)"
chown postgres: "$PGROOT"
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stop_pg() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$PGROOT"; }
trap stop_pg EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off -c full_page_writes=off" >/dev/null
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/chitieu" "$BIN/pytest" -n 2 -p no:cacheprovider -m "not browser" tests/web
