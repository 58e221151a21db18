#!/usr/bin/env bash
# Runs the suite twice: everything on SQLite, then the database tests on a
# throwaway PostgreSQL bound to loopback, which is stopped however we exit.
#
# What runs on PostgreSQL too (the rule; tests/web/conftest.py applies it): every test under
# tests/web that reaches the test database, minus what is marked `any_database`. A test is
# marked `any_database` when it asks for no database fixture (translations, settings, the
# OpenAPI schema, files: the same answer on any database), or when another case of the same
# test already runs the same path on PostgreSQL (the permission matrix: one role per answer
# of each URL, tests/web/permissions/test_matrix.py). Browser tests run in the SQLite pass.
# Tests that start their own servers (marks faults, cluster, postgres) choose their pass themselves.
#
# --dist worksteal: a worker that runs out of tests takes half of the other's queue, so one
# long test (a fault run, a roll-up check) near the end does not leave the other core idle.
# --durations=40: the slowest tests (setup included) in every run's output, so CI shows where the time goes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Bytecode is written (to the ignored __pycache__ folders): with PYTHONDONTWRITEBYTECODE set, every
# pytest worker rewrote and compiled all 500 test modules again (collection 14-17 s instead of 7 s),
# and every server or command a test starts compiled the project again.
unset PYTHONDONTWRITEBYTECODE

echo "== tests on SQLite"
"$BIN/pytest" -n 2 --dist worksteal -p no:cacheprovider --durations=40 "$@"

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
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/chitieu" "$BIN/pytest" -n 2 --dist worksteal -p no:cacheprovider \
  --durations=40 -m "not browser and not any_database" tests/web
