#!/usr/bin/env bash
# `make cluster-stop`: stops what scripts/cluster/start.sh started, by the pid files in var/cluster;
# the data (database, media) stays for the next `make cluster`.
set -uo pipefail
cd "$(dirname "$0")/../.."
HERE="$PWD/var/cluster"
stop_pid() {  # the pid file's process, politely, then for good after 15 s with its children
  local file="$1"
  [ -f "$file" ] || return 0
  local pid; pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # The job worker's child (the job under way) is a process of its own group: killing the worker
    # alone left it running after "cluster stopped", against a database about to stop.
    kill -0 "$pid" 2>/dev/null && { pkill -KILL -P "$pid"; kill -KILL "$pid"; }
  fi
  rm -f "$file"
}
[ -f "$HERE/run/nginx.pid" ] && nginx -p "$HERE/nginx" -c "$HERE/nginx/nginx.conf" -s quit 2>/dev/null
sleep 0.3
rm -f "$HERE/run/nginx.pid"
for file in "$HERE"/run/app-*.pid "$HERE/run/worker.pid" "$HERE/run/redis.pid"; do stop_pid "$file"; done
if [ -f "$HERE/pg/data/PG_VERSION" ]; then
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$HERE/pg/data" -m fast -w stop >/dev/null 2>&1 || true
fi
echo "cluster stopped (data kept in var/cluster)"
